// Package pipeline holds Slipway's stages, written against the Dagger API:
// base, deps, builder, runner, database, migrate, smoke and their outputs.
// The module passes its client in; so can a standalone client.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/plan"
)

// Defaults shared by the module's pragmas and standalone callers; the plan
// holds the image's.
const (
	DefaultNodeImage     = plan.DefaultNodeImage
	DefaultPostgresImage = plan.DefaultPostgresImage
	DefaultGolangImage   = plan.DefaultGolangImage
)

// Config is everything a caller can set: the plan's options, and what the
// pipeline needs besides them. Zero values take the defaults.
type Config struct {
	plan.Options
	Source         *dagger.Directory // the app (or monorepo) source
	Tools          *dagger.Directory // Slipway's own source, for the migrator build
	PackageManager string
	BuildSecret    *dagger.Secret // dotenv file of secret build-time variables
	Env            []string       // KEY=VALUE, the app's runtime variables in smoke and ci
	EnvFile        *dagger.Secret // dotenv file of runtime variables in smoke and ci
	PostgresImage  string
}

// Pipeline runs the stages for one app.
type Pipeline struct {
	dag    *dagger.Client
	cfg    Config
	optErr error // a bad option, reported by every stage that plans

	once sync.Once
	app  *inspect.App
	err  error

	planOnce sync.Once
	plan     *plan.Plan
	planErr  error
}

// New returns a pipeline for cfg, filling its defaults.
func New(dag *dagger.Client, cfg Config) *Pipeline {
	var err error
	cfg.Options, err = cfg.Options.WithDefaults()
	if cfg.PostgresImage == "" {
		cfg.PostgresImage = DefaultPostgresImage
	}
	return &Pipeline{dag: dag, cfg: cfg, optErr: err}
}

// App inspects the source once and returns what was detected.
func (p *Pipeline) App(ctx context.Context) (*inspect.App, error) {
	p.once.Do(func() { p.app, p.err = p.inspect(ctx) })
	return p.app, p.err
}

func (p *Pipeline) inspect(ctx context.Context) (*inspect.App, error) {
	tmp, err := os.MkdirTemp("", "slipway-inspect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	files := p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: inspect.Patterns, Exclude: inspect.ExcludePatterns})
	if _, err := files.Export(ctx, tmp); err != nil {
		return nil, fmt.Errorf("inspect: read the source: %w", err)
	}
	app, err := inspect.Inspect(os.DirFS(tmp), p.cfg.AppDir)
	if errors.Is(err, inspect.ErrBadDir) {
		return nil, &StageError{Stage: "inspect", Err: err, Fix: sourceFix}
	}
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	if p.cfg.PackageManager != "" {
		if err := app.OverridePackageManager(p.cfg.PackageManager); err != nil {
			return nil, fmt.Errorf("inspect: --package-manager: %w", err)
		}
	}
	return app, nil
}

// sourceFix is what to do when the source holds no app where Slipway looked.
const sourceFix = "run dagger in your app's directory, or pass --source=PATH (and --app-dir=DIR, relative to the source, for an app inside a monorepo)"

// Plan is every decision about the app's image, made once.
func (p *Pipeline) Plan(ctx context.Context) (*plan.Plan, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, err
	}
	p.planOnce.Do(func() {
		if p.planErr = p.optErr; p.planErr == nil {
			p.plan, p.planErr = plan.New(app, p.cfg.Options)
		}
		if p.planErr != nil {
			p.planErr = &StageError{Stage: "plan", Err: p.planErr, Fix: "correct the option named above"}
		}
	})
	return p.plan, p.planErr
}

// planned is the app and its plan, for the stages that run an image they
// are given.
func (p *Pipeline) planned(ctx context.Context) (*inspect.App, *plan.Plan, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, nil, err
	}
	pl, err := p.Plan(ctx)
	return app, pl, err
}

// buildable is the app and its plan, with the check that stops a build
// that cannot work.
func (p *Pipeline) buildable(ctx context.Context) (*inspect.App, *plan.Plan, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := app.Err(); err != nil {
		// A StageError, as every stage's failure is; Err lists each fix.
		fix := "apply each fix above, then check with `dagger call inspect`"
		if app.HasWarning(inspect.CodeNoPackageJSON) {
			fix = sourceFix
		}
		return nil, nil, &StageError{Stage: "inspect", Err: err, Fix: fix}
	}
	pl, err := p.Plan(ctx)
	return app, pl, err
}

// Report is the inspection as text, or as JSON when asJSON is set.
func (p *Pipeline) Report(ctx context.Context, asJSON bool) (string, error) {
	app, err := p.App(ctx)
	if err != nil {
		return "", err
	}
	if asJSON {
		b, err := app.JSON()
		return string(b), err
	}
	return app.Report(), nil
}

// PlanReport is the plan as text, or as JSON when asJSON is set.
func (p *Pipeline) PlanReport(ctx context.Context, asJSON bool) (string, error) {
	pl, err := p.Plan(ctx)
	if err != nil {
		return "", err
	}
	if asJSON {
		b, err := pl.JSON()
		return string(b), err
	}
	return pl.Text(), nil
}
