// Package dockerfile renders the multi-stage Dockerfile that builds the same
// image as Slipway's pipeline (base, deps, builder, migrator, runner), for
// people who build without Dagger. It is plain Go: an inspected app and
// options in, Dockerfile text out.
package dockerfile

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
)

// Paths the image uses, the same as the pipeline's.
const (
	workdir          = "/app"
	secretPath       = "/run/secrets/" + SecretID
	placeholderDBURL = "postgresql://slipway:build-placeholder@localhost:5432/build"
	libDir           = "/usr/local/lib/slipway"
	healthcheckPath  = libDir + "/healthcheck.cjs"
	startScriptPath  = libDir + "/start.sh"
	migratorPath     = "/usr/local/bin/slipway-migrate"
	migratorOut      = "/out/slipway-migrate"
	prismaCLIDir     = "/opt/prisma-cli"
	runnerUID        = 1001
	// runnerPath is the runner's PATH: its root filesystem has no /usr/sbin.
	runnerPath = "/usr/local/bin:/usr/bin:/bin"
	caBundle   = "/etc/ssl/certs/ca-certificates.crt"
	// The rootfs stage's inputs and output.
	rootfsNode   = "/stage/node"
	rootfsScript = "/stage/rootfs.sh"
	rootfsOut    = "/rootfs"
	// stripScriptsPath is the script that strips lifecycle scripts before the install.
	stripScriptsPath = libDir + "/strip-scripts.cjs"
)

// Render returns the Dockerfile for app. The app must be buildable (see
// inspect.App.Err); bad options wrap ErrBadOption.
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
	r := &renderer{app: app, o: o}
	if err := r.check(); err != nil {
		return "", err
	}
	r.header()
	r.base()
	if app.Workspace {
		r.manifests()
	}
	r.deps()
	r.builder()
	if r.migrations() {
		if o.Migrator == MigratorPrisma {
			r.prismaCLI()
		} else {
			r.migrator()
		}
	}
	if !r.alpine() {
		r.rootfs()
	}
	r.runner()
	return r.b.String(), nil
}

type renderer struct {
	app *inspect.App
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
	if r.migrations() && r.o.Migrator == MigratorPrisma && r.o.Scripts.PrismaStart == "" {
		return fmt.Errorf("%w: Scripts.PrismaStart is empty: the prisma migrator needs the runner's start script", ErrBadOption)
	}
	if !r.alpine() && r.o.Scripts.Rootfs == "" {
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

// migrations reports whether the runner migrates: the app has Prisma
// migrations, as in the pipeline.
func (r *renderer) migrations() bool {
	return r.app.Prisma != nil && r.app.Prisma.Migrations != ""
}

func (r *renderer) alpine() bool { return strings.Contains(r.o.NodeImage, "alpine") }

// appPath is a path inside the app dir under /app.
func (r *renderer) appPath(elem ...string) string {
	return path.Join(append([]string{workdir, r.app.Dir}, elem...)...)
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

// env writes one ENV with every pair, one a line.
func (r *renderer) env(kvs ...[2]string) {
	if len(kvs) == 0 {
		return
	}
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = kv[0] + "=" + envValue(kv[1])
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

// cacheMount is a BuildKit cache mount; the ids match the pipeline's cache
// volumes.
func cacheMount(id, target string) string {
	return "type=cache,id=" + id + ",target=" + target
}

const secretMount = "type=secret,id=" + SecretID + ",target=" + secretPath

// loadSecret exports the build secret's variables when the build has one.
const loadSecret = "if [ -f " + secretPath + " ]; then set -a && . " + secretPath + " && set +a; fi"

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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
