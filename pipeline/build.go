package pipeline

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

// Base is the Node image plus what Prisma needs at run time: OpenSSL and CA
// certificates, from apk on Alpine and apt elsewhere.
func (p *Pipeline) Base(ctx context.Context) (*dagger.Container, error) {
	pl, err := p.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return p.base(pl, ""), nil
}

// base is the plan's base on plat; "" is the engine's own platform, which
// builds the JavaScript.
func (p *Pipeline) base(pl *plan.Plan, plat dagger.Platform) *dagger.Container {
	return p.container(plat).From(pl.Base.Image).
		WithExec(shell(pl.Base.Setup)).
		WithWorkdir(pl.Base.Workdir)
}

// container is an empty container for plat ("" is the engine's own).
func (p *Pipeline) container(plat dagger.Platform) *dagger.Container {
	return p.dag.Container(dagger.ContainerOpts{Platform: plat})
}

// shell runs cmds in order in one sh, stopping at the first that fails.
func shell(cmds []string) []string {
	return []string{"sh", "-c", strings.Join(cmds, " && ")}
}

func withEnv(ctr *dagger.Container, vars []plan.EnvVar) *dagger.Container {
	for _, v := range vars {
		ctr = ctr.WithEnvVariable(v.Name, v.Value)
	}
	return ctr
}

func (p *Pipeline) cache(ctr *dagger.Container, c plan.Cache, opts ...dagger.ContainerWithMountedCacheOpts) *dagger.Container {
	return ctr.WithMountedCache(c.Path, p.dag.CacheVolume(c.Volume), opts...)
}

// installed is base plus the package manager's own frozen install from the
// lockfile and install inputs alone, so that a source change does not bust
// it; the real manifests are put back after it.
func (p *Pipeline) installed(ctx context.Context, pl *plan.Plan, production bool, plat dagger.Platform) *dagger.Container {
	in := pl.Install
	ctr := withEnv(p.base(pl, plat), in.Env)
	if in.Setup != nil {
		ctr = ctr.WithExec(in.Setup)
	}
	ctr = withEnv(p.cache(ctr, in.Cache), in.CacheEnv)
	var pats []string
	for _, f := range in.Inputs {
		pats = append(pats, f, f+"/**")
	}
	if in.Manifests {
		pats = append(pats, "**/package.json")
	}
	inputs := p.byContent(ctx, p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: pats}))
	cmd := in.Command
	if production {
		cmd = in.ProductionCommand
	}
	return ctr.WithDirectory(names.Workdir, inputs).
		WithNewFile(in.StripScripts, assets[plan.AssetStripScripts]).
		WithExec([]string{"node", in.StripScripts, names.Workdir}).
		WithWorkdir(in.Workdir).
		WithExec(cmd).
		WithDirectory(names.Workdir, inputs).
		WithoutFile(in.StripScripts).
		WithWorkdir(pl.Build.Workdir)
}

// maxLiteralInputs is the most bytes of install inputs byContent copies as
// literal files; bigger inputs (a vendored yarn release, an offline cache)
// keep the source's identity.
const maxLiteralInputs = 1 << 20

// byContent is dir rebuilt from its files' contents, as new files, so that
// its identity is those contents alone: the filtered source otherwise keeps
// the whole source's identity, and a changed page re-keys the install. It
// returns dir itself when a file is not text, a symlink, or too big, or
// when dir can't be read (the install then reports the error).
func (p *Pipeline) byContent(ctx context.Context, dir *dagger.Directory) *dagger.Directory {
	paths, err := dir.Glob(ctx, "**")
	if err != nil {
		return dir
	}
	out, total := p.dag.Directory(), 0
	for _, f := range paths {
		f = strings.TrimSuffix(f, "/")
		regular, err := dir.Exists(ctx, f, dagger.DirectoryExistsOpts{ExpectedType: dagger.ExistsTypeRegularType, DoNotFollowSymlinks: true})
		if err != nil {
			return dir
		}
		if !regular {
			folder, err := dir.Exists(ctx, f, dagger.DirectoryExistsOpts{ExpectedType: dagger.ExistsTypeDirectoryType, DoNotFollowSymlinks: true})
			if err != nil || !folder {
				return dir
			}
			continue
		}
		text, err := dir.File(f).Contents(ctx)
		if total += len(text); err != nil || total > maxLiteralInputs || !utf8.ValidString(text) {
			return dir
		}
		out = out.WithNewFile(f, text)
	}
	return out
}

// Deps is the production dependencies alone, from a frozen install.
func (p *Pipeline) Deps(ctx context.Context) (*dagger.Container, error) {
	app, pl, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	deps := p.installed(ctx, pl, true, "")
	if _, err := deps.Sync(ctx); err != nil {
		return nil, stageError("deps", installFix(app), err)
	}
	return deps, nil
}

// Build is every dependency, then `prisma generate`, then the app's build
// (--build-command, else its build script, else `next build`), with the
// Next.js build cache in a cache volume.
func (p *Pipeline) Build(ctx context.Context) (*dagger.Container, error) {
	app, pl, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	return p.checkedBuild(ctx, app, pl)
}

func (p *Pipeline) build(pl *plan.Plan, installed *dagger.Container) *dagger.Container {
	b := pl.Build
	ctr := withEnv(installed.WithDirectory(names.Workdir, p.cfg.Source), b.Env)
	ctr = p.cache(ctr, b.Cache)
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithMountedSecret(b.Secret.Path, p.cfg.BuildSecret)
	}
	if g := b.Generate; g != nil {
		ctr = ctr.WithWorkdir(g.Workdir).
			WithExec(p.withBuildSecret(b.Secret, g.Command)).
			WithWorkdir(b.Workdir)
	}
	ctr = ctr.WithExec(p.withBuildSecret(b.Secret, b.Command))
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithoutMount(b.Secret.Path)
	}
	return ctr
}

// withBuildSecret runs args with the build secret's variables exported, read
// from the mounted file, so their values stay out of the image config.
func (p *Pipeline) withBuildSecret(s plan.Secret, args []string) []string {
	if p.cfg.BuildSecret == nil {
		return args
	}
	script := "set -a && . " + s.Path + ` && set +a && exec "$@"`
	return append([]string{"sh", "-c", script, "sh"}, args...)
}

// Test runs the app's own `test` script in the build container; ran is false
// when the app has none.
func (p *Pipeline) Test(ctx context.Context, build *dagger.Container) (out string, ran bool, err error) {
	app, err := p.App(ctx)
	if err != nil {
		return "", false, err
	}
	if _, ok := app.Scripts["test"]; !ok {
		return "", false, nil
	}
	out, err = build.WithEnvVariable("CI", "true").WithExec(app.PackageManager.RunCmd("test")).Stdout(ctx)
	if err != nil {
		return "", true, stageError("test", "the app's own tests failed: run them locally", err)
	}
	return out, true, nil
}
