package pipeline

import (
	"context"
	"path"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

// Healthcheck is the runner's HEALTHCHECK command; Node runs it, so the
// image needs neither wget nor curl.
var Healthcheck = plan.HealthcheckCommand

// Migrator is Slipway's static migrator, built from its own source in a
// golang container with cached modules and build cache.
func (p *Pipeline) Migrator() *dagger.File {
	b := plan.MigratorBuildOf(p.cfg.Options)
	return p.migrator(b)
}

func (p *Pipeline) migrator(b *plan.MigratorBuild) *dagger.File {
	var pats []string
	for _, s := range b.Sources {
		pats = append(pats, s, s+"**")
	}
	src := p.cfg.Tools.Filter(dagger.DirectoryFilterOpts{Include: pats})
	ctr := p.dag.Container().From(b.Image)
	for _, c := range b.Caches {
		ctr = p.cache(ctr, c)
	}
	return withEnv(ctr, b.Env).
		WithDirectory("/src", src).
		WithWorkdir("/src").
		WithExec(append(b.Command, b.Package)).
		File(b.Output)
}

// Image is the production runner: the standalone server, static assets,
// public files and migrations on a minimal base, as a non-root user, with a
// HEALTHCHECK, OCI labels and an entrypoint that migrates, then serves.
func (p *Pipeline) Image(ctx context.Context) (*dagger.Container, error) {
	app, pl, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	build, err := p.checkedBuild(ctx, app, pl)
	if err != nil {
		return nil, err
	}
	return p.image(pl, build), nil
}

func (p *Pipeline) image(pl *plan.Plan, build *dagger.Container) *dagger.Container {
	r := pl.Runner
	ctr := p.runnerBase(pl).WithWorkdir(r.Workdir)
	for _, c := range r.Copies {
		ctr = p.copy(ctr, pl, build, c)
	}
	ctr = withEnv(ctr, r.Env).
		WithExposedPort(r.Port).
		WithDockerHealthcheck(r.Healthcheck.Command, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: r.Healthcheck.Interval, Timeout: r.Healthcheck.Timeout, StartPeriod: r.Healthcheck.StartPeriod,
			StartInterval: r.Healthcheck.StartInterval, Retries: r.Healthcheck.Retries,
		}).
		WithUser(r.User).
		WithWorkdir(r.Workdir)
	if r.Entrypoint != nil {
		ctr = ctr.WithEntrypoint(r.Entrypoint)
	}
	ctr = ctr.WithDefaultArgs(r.Command)
	for _, l := range r.Labels {
		ctr = ctr.WithLabel(l.Name, l.Value)
	}
	return ctr
}

// copy puts one of the plan's copies into the runner.
func (p *Pipeline) copy(ctr *dagger.Container, pl *plan.Plan, build *dagger.Container, c plan.Copy) *dagger.Container {
	switch {
	case c.Empty:
		return ctr.WithDirectory(c.Dst, p.dag.Directory(), dagger.ContainerWithDirectoryOpts{Owner: c.Owner})
	case c.From == plan.FromAssets:
		return ctr.WithNewFile(c.Dst, assets[c.Src], dagger.ContainerWithNewFileOpts{Permissions: c.Mode})
	case c.From == plan.FromMigrator:
		return ctr.WithFile(c.Dst, p.migrator(pl.Runner.Migrations.Build), dagger.ContainerWithFileOpts{Permissions: c.Mode})
	case c.From == plan.FromBuild && c.Optional:
		// Copied when it exists: a filter of its parent takes it or nothing.
		dir, base := path.Split(c.Src)
		return ctr.WithDirectory(path.Dir(c.Dst), build.Directory(dir).Filter(dagger.DirectoryFilterOpts{Include: []string{base + "/**"}}))
	case c.From == plan.FromBuild && len(c.Exclude) > 0:
		return ctr.WithDirectory(c.Dst, build.Directory(c.Src).Filter(dagger.DirectoryFilterOpts{Exclude: c.Exclude}))
	case c.From == plan.FromBuild:
		return ctr.WithDirectory(c.Dst, build.Directory(c.Src))
	case c.From == plan.FromPrismaCLI:
		cli := pl.Runner.Migrations.PrismaCLI
		dir := p.cache(p.base(pl), cli.Cache).WithWorkdir(cli.Dir).WithExec(cli.Command).Directory(c.Src)
		return ctr.WithDirectory(c.Dst, dir)
	default: // plan.FromSource: a folder, or a file (a schema or a config)
		return ctr.WithDirectory(names.Workdir, p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: []string{c.Src, c.Src + "/**"}}))
	}
}

// runnerBase is the smallest base the app allows: on Alpine the Node image
// without its package managers, else the root filesystem the plan describes
// on no base image.
func (p *Pipeline) runnerBase(pl *plan.Plan) *dagger.Container {
	r := pl.Runner
	if r.Rootfs == nil {
		return p.dag.Container().From(r.Image).WithExec(shell(r.Cleanup))
	}
	return withEnv(p.dag.Container().WithRootfs(p.runnerRootfs(pl)), r.Rootfs.Env)
}

// runnerRootfs assembles the runner's root filesystem in a Debian stage
// from the Node binary of the base image.
func (p *Pipeline) runnerRootfs(pl *plan.Plan) *dagger.Directory {
	fs := pl.Runner.Rootfs
	node := p.dag.Container().From(pl.Base.Image).File(fs.Node)
	stage := p.dag.Container().From(fs.Image).
		WithExec(shell(fs.Setup)).
		WithFile(fs.Input, node).
		WithNewFile(fs.Script, rootfsSh).
		WithExec([]string{"sh", fs.Script, fs.Input, fs.Output})
	// Copied into an empty directory: a subdirectory of the stage would
	// carry the stage's own layers into the image.
	return p.dag.Directory().WithDirectory("/", stage.Directory(fs.Output))
}
