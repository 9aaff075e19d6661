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
	return p.migrator(b, "")
}

// migrator is built on the engine's own platform for goarch ("" for the
// engine's own): Go cross-compiles, so no platform needs emulation for it.
func (p *Pipeline) migrator(b *plan.MigratorBuild, goarch string) *dagger.File {
	var pats []string
	for _, s := range b.Sources {
		pats = append(pats, s, s+"**")
	}
	src := p.cfg.Tools.Filter(dagger.DirectoryFilterOpts{Include: pats})
	ctr := p.dag.Container().From(b.Image)
	for _, c := range b.Caches {
		ctr = p.cache(ctr, c)
	}
	ctr = withEnv(ctr, b.Env)
	if goarch != "" {
		ctr = ctr.WithEnvVariable("GOARCH", goarch)
	}
	return ctr.
		WithDirectory("/src", src).
		WithWorkdir("/src").
		WithExec(append(b.Command, b.Package)).
		File(b.Output)
}

// Image is the production runner: the standalone server, static assets,
// public files and migrations on a minimal base, as a non-root user, with a
// HEALTHCHECK, OCI labels and an entrypoint that migrates, then serves. With
// several platforms it is the first one's.
func (p *Pipeline) Image(ctx context.Context) (*dagger.Container, error) {
	images, err := p.Images(ctx)
	if err != nil {
		return nil, err
	}
	return images[0].Container, nil
}

// PlatformImage is the runner for one platform of the plan.
type PlatformImage struct {
	Platform  plan.Platform
	Container *dagger.Container
}

// Images is the runner for every platform of the plan, in its order.
func (p *Pipeline) Images(ctx context.Context) ([]PlatformImage, error) {
	app, pl, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	build, err := p.checkedBuild(ctx, app, pl)
	if err != nil {
		return nil, err
	}
	return p.images(ctx, pl, build)
}

func (p *Pipeline) images(ctx context.Context, pl *plan.Plan, build *dagger.Container) ([]PlatformImage, error) {
	native, err := p.dag.DefaultPlatform(ctx)
	if err != nil {
		return nil, err
	}
	var out []PlatformImage
	for _, pf := range pl.Platforms {
		standalone := build.Directory(pl.Build.Standalone)
		if pf.Name != string(native) {
			if standalone, err = p.retargeted(ctx, pl, standalone, pf); err != nil {
				return nil, err
			}
		}
		out = append(out, PlatformImage{Platform: pf, Container: p.image(pl, build, standalone, pf)})
	}
	return out, nil
}

// retargeted is the standalone output with the platform-specific packages
// of a production install run on pf (under emulation where the engine
// needs it), as the plan's Retarget says.
func (p *Pipeline) retargeted(ctx context.Context, pl *plan.Plan, standalone *dagger.Directory, pf plan.Platform) (*dagger.Directory, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, err
	}
	install := p.installed(ctx, pl, true, dagger.Platform(pf.Name))
	if _, err := install.Sync(ctx); err != nil {
		return nil, stageError("install on "+pf.Name, installFix(app), err)
	}
	const in, out = "/retarget/install", "/retarget/standalone"
	dir := p.base(pl, "").
		WithDirectory(out, standalone).
		WithDirectory(in, install.Directory(pl.Install.Workdir)).
		WithNewFile(pl.Retarget.Script, assets[plan.AssetRetarget]).
		WithExec([]string{"node", pl.Retarget.Script, out, in, pf.NodeCPU, pf.Libc}).
		Directory(out)
	if _, err := dir.Sync(ctx); err != nil {
		return nil, stageError("retarget to "+pf.Name, "build the native package named above for "+pf.Name+", or leave "+pf.Name+" out of --platforms", err)
	}
	// Copied into an empty directory, so that the image does not carry the
	// retarget stage's layers.
	return p.dag.Directory().WithDirectory("/", dir), nil
}

// image assembles the runner for pf from the build, with standalone as the
// server's output.
func (p *Pipeline) image(pl *plan.Plan, build *dagger.Container, standalone *dagger.Directory, pf plan.Platform) *dagger.Container {
	r := pl.Runner
	plat := dagger.Platform(pf.Name)
	ctr := p.runnerBase(pl, plat, standalone).WithWorkdir(r.Workdir)
	for _, c := range r.Copies {
		ctr = p.copy(ctr, pl, build, standalone, pf, c)
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
func (p *Pipeline) copy(ctr *dagger.Container, pl *plan.Plan, build *dagger.Container, standalone *dagger.Directory, pf plan.Platform, c plan.Copy) *dagger.Container {
	switch {
	case c.From == plan.FromBuild && c.Src == pl.Build.Standalone:
		return ctr.WithDirectory(c.Dst, standalone.Filter(dagger.DirectoryFilterOpts{Exclude: c.Exclude}))
	case c.Empty:
		return ctr.WithDirectory(c.Dst, p.dag.Directory(), dagger.ContainerWithDirectoryOpts{Owner: c.Owner})
	case c.From == plan.FromAssets:
		return ctr.WithNewFile(c.Dst, assets[c.Src], dagger.ContainerWithNewFileOpts{Permissions: c.Mode})
	case c.From == plan.FromMigrator:
		return ctr.WithFile(c.Dst, p.migrator(pl.Runner.Migrations.Build, pf.GOARCH), dagger.ContainerWithFileOpts{Permissions: c.Mode})
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
		dir := p.cache(p.base(pl, dagger.Platform(pf.Name)), cli.Cache).WithWorkdir(cli.Dir).WithExec(cli.Command).Directory(c.Src)
		return ctr.WithDirectory(c.Dst, dir)
	default: // plan.FromSource: a folder, or a file (a schema or a config)
		return ctr.WithDirectory(names.Workdir, p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: []string{c.Src, c.Src + "/**"}}))
	}
}

// runnerBase is the smallest base the app allows: on Alpine the Node image
// without its package managers, else the root filesystem the plan describes
// on no base image.
func (p *Pipeline) runnerBase(pl *plan.Plan, plat dagger.Platform, standalone *dagger.Directory) *dagger.Container {
	r := pl.Runner
	if r.Rootfs == nil {
		return p.container(plat).From(r.Image).WithExec(shell(r.Cleanup))
	}
	return withEnv(p.container(plat).WithRootfs(p.runnerRootfs(pl, plat, standalone)), r.Rootfs.Env)
}

// runnerRootfs assembles the runner's root filesystem in a Debian stage
// from the Node binary of the base image, both for plat, with the system
// libraries of the app's native addons (only those files key the stage).
func (p *Pipeline) runnerRootfs(pl *plan.Plan, plat dagger.Platform, standalone *dagger.Directory) *dagger.Directory {
	fs := pl.Runner.Rootfs
	node := p.container(plat).From(pl.Base.Image).File(fs.Node)
	addons := standalone.Filter(dagger.DirectoryFilterOpts{Include: fs.AddonFiles})
	stage := p.container(plat).From(fs.Image).
		WithExec(shell(fs.Setup)).
		WithFile(fs.Input, node).
		WithDirectory(fs.Addons, addons).
		WithNewFile(fs.Script, rootfsSh).
		WithExec([]string{"sh", fs.Script, fs.Input, fs.Output, fs.Addons})
	// Copied into an empty directory: a subdirectory of the stage would
	// carry the stage's own layers into the image.
	return p.dag.Directory().WithDirectory("/", stage.Directory(fs.Output))
}
