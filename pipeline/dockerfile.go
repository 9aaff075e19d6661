package pipeline

import (
	"context"
	"fmt"

	"github.com/slipwayhq/slipway/dockerfile"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// Dockerfile is the multi-stage Dockerfile that builds what Image builds,
// for building without Dagger: the same plan, rendered as text. mods adjust
// the options first (e.g. set MigratorSource to build the migrator from a
// copy of Slipway's source).
func (p *Pipeline) Dockerfile(ctx context.Context, mods ...func(*dockerfile.Options)) (*dagger.File, error) {
	app, _, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	opts := dockerfile.Options{Options: p.cfg.Options, Scripts: scripts}
	for _, mod := range mods {
		mod(&opts)
	}
	text, err := dockerfile.Render(app, opts)
	if err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	return p.dag.Directory().WithNewFile("Dockerfile", text).File("Dockerfile"), nil
}
