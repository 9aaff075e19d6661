package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// BundleOptions are the deploy bundle's switches.
type BundleOptions struct {
	Image          string // the image reference the compose file runs
	GenerateEnv    bool   // also write a ready env file with fresh secrets
	MigrateService bool   // a one-shot migrate service instead of migrate-on-start
	ReadOnly       bool   // read-only root filesystem for the app
	PublishDBPort  bool   // publish Postgres on 127.0.0.1
}

// BundleSpec is the bundle for app, with the runner image's healthcheck
// and migrator.
func (p *Pipeline) BundleSpec(app *inspect.App, o BundleOptions) bundle.Spec {
	return bundle.FromApp(app, bundle.Stack{
		Image:          o.Image,
		HealthPath:     p.HealthPath(app),
		Port:           p.cfg.Port,
		Healthcheck:    append([]string{"CMD"}, Healthcheck...),
		MigrateCommand: []string{migratorPath, "deploy"},
		PostgresImage:  p.cfg.PostgresImage,
		MigrateOnStart: p.cfg.MigrateOnStart && !o.MigrateService,
		ReadOnly:       o.ReadOnly,
		PublishDBPort:  o.PublishDBPort,
	})
}

// Bundle is the deploy bundle as a directory: the compose file, the env
// template and DEPLOY.md (and a ready env file when asked), all validated
// through compose-go.
func (p *Pipeline) Bundle(ctx context.Context, o BundleOptions) (*dagger.Directory, error) {
	if strings.TrimSpace(o.Image) == "" {
		return nil, &StageError{Stage: "bundle", Err: fmt.Errorf("no image reference"), Fix: "pass --image, e.g. --image=ghcr.io/acme/notes:1.0.0"}
	}
	app, err := p.App(ctx)
	if err != nil {
		return nil, err
	}
	var opts []bundle.Option
	if o.GenerateEnv {
		opts = append(opts, bundle.GenerateEnv())
	}
	files, err := bundle.Render(p.BundleSpec(app, o), opts...)
	if err != nil {
		return nil, &StageError{Stage: "bundle", Err: err}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	dir := p.dag.Directory()
	for _, name := range names {
		if strings.HasPrefix(name, ".env") && !strings.HasSuffix(name, ".example") {
			dir = dir.WithFile(name, p.secretFile(name, files[name]))
			continue
		}
		dir = dir.WithNewFile(name, string(files[name]))
	}
	return dir, nil
}

// secretFile writes content, which holds secrets, to a 0600 file without
// passing it as a plain argument: arguments show in Dagger's progress output
// and traces, secrets never do.
func (p *Pipeline) secretFile(name string, content []byte) *dagger.File {
	secret := p.dag.SetSecret("slipway-bundle-"+name+"-"+runID(), string(content))
	return p.dag.Container().From(p.cfg.RunnerImage).
		WithMountedSecret("/run/secrets/in", secret).
		WithExec([]string{"install", "-m", "0600", "/run/secrets/in", "/out"}).
		File("/out")
}
