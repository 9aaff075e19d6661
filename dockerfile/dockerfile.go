// Package dockerfile renders the multi-stage Dockerfile that builds the same
// image as Slipway's pipeline (base, deps, builder, migrator, runner), for
// people who build without Dagger. It is plain Go: an inspected app and
// options in, Dockerfile text out.
package dockerfile

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/plan"
)

// Render returns the Dockerfile for app, from the plan that the pipeline
// executes. The app must be buildable (see inspect.App.Err); bad options
// wrap ErrBadOption.
func Render(app *inspect.App, opts Options) (string, error) {
	if app == nil {
		return "", fmt.Errorf("%w: no app: inspect the source first", ErrBadOption)
	}
	if err := app.Err(); err != nil {
		return "", fmt.Errorf("dockerfile: %w", err)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return "", err
	}
	p, err := plan.New(app, o.Options)
	if err != nil {
		return "", err
	}
	r := &renderer{app: app, p: p, o: o}
	if err := r.check(); err != nil {
		return "", err
	}
	r.header()
	r.base()
	if p.Install.Manifests {
		r.manifests()
	}
	r.deps()
	r.builder()
	if m := p.Runner.Migrations; m != nil {
		if m.PrismaCLI != nil {
			r.prismaCLI()
		} else {
			r.migrator()
		}
	}
	if p.Runner.Rootfs != nil {
		r.rootfs()
	}
	r.runner()
	return r.b.String(), nil
}

type renderer struct {
	app *inspect.App
	p   *plan.Plan
	o   Options
	b   strings.Builder
}

// check refuses what a Dockerfile can't hold bare: paths with spaces,
// quotes or globs, and scripts that would end their own heredoc.
func (r *renderer) check() error {
	a := r.app
	paths := append([]string{a.Dir, a.Root}, a.InstallInputs...)
	if pr := a.Prisma; pr != nil {
		paths = append(paths, pr.Migrations, pr.Schema, pr.Config)
	}
	for _, p := range paths {
		if p != "" && (!safeRe.MatchString(p) || strings.HasPrefix(p, "..") || path.IsAbs(p)) {
			return fmt.Errorf("%w: path %q has characters a Dockerfile COPY can't take (spaces, quotes, globs): rename it", ErrBadOption, p)
		}
	}
	if m := r.p.Runner.Migrations; m != nil && m.PrismaCLI != nil && r.o.Scripts.PrismaStart == "" {
		return fmt.Errorf("%w: Scripts.PrismaStart is empty: the prisma migrator needs the runner's start script", ErrBadOption)
	}
	if r.p.Runner.Rootfs != nil && r.o.Scripts.Rootfs == "" {
		return fmt.Errorf("%w: Scripts.Rootfs is empty: a glibc Node image needs rootfs.sh to assemble the runner's root filesystem", ErrBadOption)
	}
	for _, sc := range [][2]string{{"healthcheck", r.o.Scripts.Healthcheck}, {"prisma start", r.o.Scripts.PrismaStart}, {"rootfs", r.o.Scripts.Rootfs}, {"strip scripts", r.o.Scripts.StripScripts}} {
		for _, line := range strings.Split(sc[1], "\n") {
			if line == heredocEnd {
				return fmt.Errorf("%w: the %s script has a line %q, which would end its heredoc early", ErrBadOption, sc[0], heredocEnd)
			}
		}
	}
	return nil
}

func (r *renderer) line(format string, a ...any) {
	fmt.Fprintf(&r.b, format+"\n", a...)
}

func (r *renderer) comment(lines ...string) {
	for _, l := range lines {
		if l == "" {
			r.b.WriteString("#\n")
			continue
		}
		r.b.WriteString("# " + l + "\n")
	}
}

// stage starts a stage after a blank line and its comment.
func (r *renderer) stage(from, name string, about ...string) {
	r.b.WriteString("\n")
	r.comment(about...)
	r.line("FROM %s AS %s", from, name)
}

// run writes a RUN with its mounts and commands joined by &&, one a line.
func (r *renderer) run(mounts []string, cmds ...string) {
	var parts []string
	for _, m := range mounts {
		parts = append(parts, "--mount="+m)
	}
	for i, c := range cmds {
		if i < len(cmds)-1 {
			c += " &&"
		}
		parts = append(parts, c)
	}
	r.line("RUN %s", strings.Join(parts, " \\\n    "))
}

// env writes one ENV with every variable, one a line.
func (r *renderer) env(vars []plan.EnvVar) {
	if len(vars) == 0 {
		return
	}
	parts := make([]string, len(vars))
	for i, v := range vars {
		parts[i] = v.Name + "=" + envValue(v.Value)
	}
	r.line("ENV %s", strings.Join(parts, " \\\n    "))
}

func (r *renderer) copyFrom(from, src, dst string) {
	if from == "" {
		r.line("COPY %s %s", src, dst)
		return
	}
	r.line("COPY --from=%s %s %s", from, src, dst)
}

const heredocEnd = "EOF"

// heredoc writes a file with COPY <<'EOF': quoted, so nothing in it expands.
func (r *renderer) heredoc(dst, content string, mode string) {
	flags := ""
	if mode != "" {
		flags = "--chmod=" + mode + " "
	}
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	r.line("COPY %s<<'%s' %s", flags, heredocEnd, dst)
	r.b.WriteString(content)
	r.line("%s", heredocEnd)
}

// cacheMount is a BuildKit cache mount of the plan's cache volume.
func cacheMount(c plan.Cache) string {
	return "type=cache,id=" + c.Volume + ",target=" + c.Path
}

func secretMount(s plan.Secret) string {
	return "type=secret,id=" + s.ID + ",target=" + s.Path
}

// loadSecret exports the build secret's variables when the build has one.
func loadSecret(s plan.Secret) string {
	return "if [ -f " + s.Path + " ]; then set -a && . " + s.Path + " && set +a; fi"
}

// sh joins args into a shell command line, quoting what needs it.
func sh(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shQuote(a)
	}
	return strings.Join(out, " ")
}

func shQuote(s string) string {
	if safeRe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// envValue quotes an ENV or LABEL value unless it is a plain word; $ is
// escaped so the Dockerfile does not expand it.
func envValue(s string) string {
	if safeRe.MatchString(s) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(s) + `"`
}

// cmdJSON is the exec form of ENTRYPOINT, CMD and HEALTHCHECK.
func cmdJSON(args ...string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(out, ", ") + "]"
}
