package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// BundleSpec is the bundle for the app's image: the runtime facts from its
// plan, the database from --postgres-image unless s names one.
func (p *Pipeline) BundleSpec(ctx context.Context, s bundle.Stack) (bundle.Spec, error) {
	app, err := p.App(ctx)
	if err != nil {
		return bundle.Spec{}, err
	}
	pl, err := p.Plan(ctx)
	if err != nil {
		return bundle.Spec{}, err
	}
	if s.PostgresImage == "" {
		s.PostgresImage = p.cfg.PostgresImage
	}
	return bundle.FromPlan(app, pl, s), nil
}

// Bundle is the deploy bundle as a directory: the compose file, the env
// template and DEPLOY.md (and a ready env file with generateEnv), all
// validated through compose-go.
func (p *Pipeline) Bundle(ctx context.Context, s bundle.Stack, generateEnv bool) (*dagger.Directory, error) {
	if strings.TrimSpace(s.Image) == "" {
		return nil, &StageError{Stage: "bundle", Err: fmt.Errorf("no image reference"), Fix: "pass --image, e.g. --image=ghcr.io/acme/notes:1.0.0"}
	}
	spec, err := p.BundleSpec(ctx, s)
	if err != nil {
		return nil, err
	}
	var opts []bundle.Option
	if generateEnv {
		opts = append(opts, bundle.GenerateEnv())
	}
	files, err := bundle.Render(spec, opts...)
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
