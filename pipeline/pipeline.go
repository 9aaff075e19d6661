// Package pipeline holds Slipway's stages, written against the Dagger API:
// base, deps, builder, runner, database, migrate, smoke and their outputs.
// The module passes its client in; so can a standalone client.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/slipwayhq/slipway/dockerfile"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// Defaults shared by the module's pragmas and standalone callers; the
// Dockerfile renderer holds the values, so both build the same image.
const (
	DefaultNodeImage     = dockerfile.DefaultNodeImage
	DefaultRunnerImage   = dockerfile.DefaultRunnerImage
	DefaultPostgresImage = "postgres:15"
	DefaultGolangImage   = dockerfile.DefaultGolangImage
	DefaultHealthPath    = dockerfile.DefaultHealthPath
	DefaultPort          = dockerfile.DefaultPort

	// MigratorSlipway is Slipway's own static migrator; MigratorPrisma copies
	// the Prisma CLI into the runner, as the reference Dockerfile does.
	MigratorSlipway = dockerfile.MigratorSlipway
	MigratorPrisma  = dockerfile.MigratorPrisma

	// RunnerUID is the runner's non-root user (nextjs) and group (nodejs).
	RunnerUID = 1001
)

// Config is everything a caller can set. Zero values take the defaults above.
type Config struct {
	Source         *dagger.Directory // the app (or monorepo) source
	Tools          *dagger.Directory // Slipway's own source, for the migrator build
	AppDir         string
	NodeImage      string
	NodeVersion    string
	RunnerImage    string
	PackageManager string
	HealthPath     string // "" takes the health route inspect found, else DefaultHealthPath
	Port           int
	BuildEnv       []string       // KEY=VALUE, visible at build time
	BuildSecret    *dagger.Secret // dotenv file of secret build-time variables
	BuildCommand   string         // replaces the build script: a shell command line run in the app dir
	Env            []string       // KEY=VALUE, the app's runtime variables in smoke and ci
	EnvFile        *dagger.Secret // dotenv file of runtime variables in smoke and ci
	PostgresImage  string
	Migrator       string
	MigrateOnStart bool
	GolangImage    string
	Release        Release
}

// Release is the image metadata that comes from the caller, never the clock.
type Release struct {
	Version  string
	Revision string
	Created  string // RFC 3339, e.g. the commit time
	URL      string // the source repository
}

// Pipeline runs the stages for one app.
type Pipeline struct {
	dag *dagger.Client
	cfg Config

	once sync.Once
	app  *inspect.App
	err  error
}

// New returns a pipeline for cfg, filling its defaults.
func New(dag *dagger.Client, cfg Config) *Pipeline {
	if cfg.AppDir == "" {
		cfg.AppDir = "."
	}
	cfg.AppDir = path.Clean(strings.TrimPrefix(cfg.AppDir, "/"))
	if cfg.NodeImage == "" {
		cfg.NodeImage = DefaultNodeImage
	}
	if cfg.RunnerImage == "" {
		cfg.RunnerImage = DefaultRunnerImage
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.PostgresImage == "" {
		cfg.PostgresImage = DefaultPostgresImage
	}
	if cfg.Migrator == "" {
		cfg.Migrator = MigratorSlipway
	}
	if cfg.GolangImage == "" {
		cfg.GolangImage = DefaultGolangImage
	}
	return &Pipeline{dag: dag, cfg: cfg}
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

// HealthPath is the path the health check and smoke test request:
// --health-path, else the health route inspect found, else DefaultHealthPath.
func (p *Pipeline) HealthPath(app *inspect.App) string {
	switch {
	case p.cfg.HealthPath != "":
		return p.cfg.HealthPath
	case app.HealthPath != "":
		return app.HealthPath
	default:
		return DefaultHealthPath
	}
}

// buildable is App plus the check that stops a build that cannot work.
func (p *Pipeline) buildable(ctx context.Context) (*inspect.App, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, err
	}
	if err := app.Err(); err != nil {
		// A StageError, as every stage's failure is; Err lists each fix.
		fix := "apply each fix above, then check with `dagger call inspect`"
		if app.HasWarning(inspect.CodeNoPackageJSON) {
			fix = sourceFix
		}
		return nil, &StageError{Stage: "inspect", Err: err, Fix: fix}
	}
	return app, nil
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
