// Package bundle renders the deploy bundle for a Slipway app: the production
// compose file, the documented env template, a deploy guide and, on request,
// a ready env file with fresh secrets. Every bundle is validated through
// compose-go before it is returned.
package bundle

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
)

// File names in the bundle (the env file is named by Spec.Compose.EnvFile).
const (
	ComposeFile = compose.FileName
	EnvTemplate = env.TemplateFileName
	DeployGuide = "DEPLOY.md"
)

// ErrBundle is wrapped by errors that mean the rendered files disagree with
// each other; they point at a bug, not at bad input.
var ErrBundle = errors.New("inconsistent bundle")

// Spec describes a bundle: the stack and its variables.
type Spec struct {
	// Compose is the production stack: project name, image, ports, switches,
	// and App.DatabaseVars, the variables that hold the connection string.
	Compose compose.Spec
	// DBUser and DBName become POSTGRES_USER and POSTGRES_DB (default "app").
	DBUser, DBName string
	// AppVars are the variables of the app's .env.example.
	AppVars []env.Var
}

// EnvSpec returns the env package's view of s.
func (s Spec) EnvSpec() env.Spec {
	c := s.Compose.WithDefaults()
	return env.Spec{
		Project:       c.Name,
		FileName:      c.EnvFile,
		AppImage:      c.App.Image,
		AppPort:       c.App.Port,
		DatabaseVars:  c.App.DatabaseVars,
		DBUser:        s.DBUser,
		DBName:        s.DBName,
		PublishDBPort: c.DB.PublishPort,
		AppVars:       s.AppVars,
	}
}

type options struct {
	generateEnv bool
}

// Option configures Render.
type Option func(*options)

// GenerateEnv adds a ready env file (named by Spec.Compose.EnvFile) with
// fresh secrets. Credentials issued by third parties stay at their
// placeholders; DEPLOY.md lists them.
func GenerateEnv() Option {
	return func(o *options) { o.generateEnv = true }
}

// Render returns the bundle's files by name: docker-compose.prod.yml,
// .env.production.example, DEPLOY.md and, with GenerateEnv, .env.production.
// The compose file is loaded through compose-go with the template (and the
// generated env file) before anything is returned.
func Render(s Spec, opts ...Option) (map[string][]byte, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ctx := context.Background()
	cs := s.Compose.WithDefaults()
	es := s.EnvSpec()

	composeYAML, err := compose.Render(cs)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	tmpl, err := env.Template(es)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := validate(ctx, cs, composeYAML, tmpl, EnvTemplate); err != nil {
		return nil, err
	}

	files := map[string][]byte{
		ComposeFile: composeYAML,
		EnvTemplate: tmpl,
	}
	if o.generateEnv {
		filled, err := env.Fill(tmpl)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if err := validate(ctx, cs, composeYAML, filled, cs.EnvFile); err != nil {
			return nil, err
		}
		for _, p := range env.Check(filled, es) {
			if p.Kind != env.Unreplaced || kindOf(es, p.Var) != env.Credential {
				return nil, fmt.Errorf("%w: generated %s: %s", ErrBundle, cs.EnvFile, p)
			}
		}
		files[cs.EnvFile] = filled
	}

	guide, err := renderGuide(cs, es, o.generateEnv)
	if err != nil {
		return nil, err
	}
	files[DeployGuide] = guide
	return files, nil
}

// validate loads the compose file with envFile and checks that the image and
// port it ends up with are the ones the spec asked for.
func validate(ctx context.Context, cs compose.Spec, composeYAML, envFile []byte, what string) error {
	p, err := compose.Validate(ctx, composeYAML, envFile, compose.WithEnvFileName(cs.EnvFile))
	if err != nil {
		return fmt.Errorf("bundle: %s with %s: %w", ComposeFile, what, err)
	}
	app, err := p.GetService(compose.ServiceApp)
	if err != nil {
		return fmt.Errorf("%w: %s has no %s service: %w", ErrBundle, ComposeFile, compose.ServiceApp, err)
	}
	if app.Image != cs.App.Image {
		return fmt.Errorf("%w: with %s the app runs %q, want %q", ErrBundle, what, app.Image, cs.App.Image)
	}
	if len(app.Ports) != 1 || app.Ports[0].Published != fmt.Sprint(cs.App.Port) {
		return fmt.Errorf("%w: with %s the app is not published on port %d", ErrBundle, what, cs.App.Port)
	}
	_, err = p.GetService(compose.ServiceMigrate)
	if hasMigrate := err == nil; hasMigrate == cs.App.MigrateOnStart {
		return fmt.Errorf("%w: migrate service present=%t but MigrateOnStart=%t", ErrBundle, hasMigrate, cs.App.MigrateOnStart)
	}
	return nil
}

func kindOf(es env.Spec, key string) env.Kind {
	vars := es.Variables()
	if i := slices.IndexFunc(vars, func(v env.Variable) bool { return v.Key == key }); i >= 0 {
		return vars[i].Kind
	}
	return env.Auto
}
