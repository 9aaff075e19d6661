package pipeline

import (
	"context"
	"fmt"

	"github.com/slipwayhq/slipway/dockerfile"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// DockerfileOptions are the render options that mirror this pipeline's
// config: the same images, port, health path, migrator and scripts.
func (p *Pipeline) DockerfileOptions(ctx context.Context) (dockerfile.Options, error) {
	app, err := p.App(ctx)
	if err != nil {
		return dockerfile.Options{}, err
	}
	r := p.cfg.Release
	return dockerfile.Options{
		NodeImage:      p.NodeImage(app),
		RunnerImage:    p.cfg.RunnerImage,
		GolangImage:    p.cfg.GolangImage,
		Port:           p.cfg.Port,
		HealthPath:     p.HealthPath(app),
		Migrator:       p.cfg.Migrator,
		MigrateOnStart: p.cfg.MigrateOnStart,
		BuildEnv:       p.cfg.BuildEnv,
		Release:        dockerfile.Release{Version: r.Version, Revision: r.Revision, Created: r.Created, URL: r.URL},
		BuildCommand:   p.cfg.BuildCommand,
		Scripts:        dockerfile.Scripts{Healthcheck: healthcheckJS, PrismaStart: prismaStartSh, Rootfs: rootfsSh, StripScripts: stripScriptsJS},
	}, nil
}

// Dockerfile is the multi-stage Dockerfile that builds what Image builds,
// for building without Dagger. mods adjust the options first (e.g. set
// MigratorSource to build the migrator from a copy of Slipway's source).
func (p *Pipeline) Dockerfile(ctx context.Context, mods ...func(*dockerfile.Options)) (*dagger.File, error) {
	app, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := p.DockerfileOptions(ctx)
	if err != nil {
		return nil, err
	}
	for _, mod := range mods {
		mod(&opts)
	}
	text, err := dockerfile.Render(app, opts)
	if err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	return p.dag.Directory().WithNewFile("Dockerfile", text).File("Dockerfile"), nil
}
