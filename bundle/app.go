package bundle

import (
	"regexp"
	"strings"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/plan"
)

// Stack is what the caller chooses about the production stack; the image's
// runtime facts come from its plan, the rest from the inspected app.
type Stack struct {
	Image          string // the image reference the compose file runs
	Name           string // compose project name; "" derives it from package.json
	PostgresImage  string
	MigrateService bool // a one-shot migrate service instead of migrating on start
	ReadOnly       bool // read-only root filesystem for the app
	PublishDBPort  bool // publish Postgres on 127.0.0.1
}

// FromPlan is the bundle for an app's image: its healthcheck, migrate
// command, port, health path, tmpfs paths and database variables from the
// plan, and the variables of the app's .env.example.
func FromPlan(app *inspect.App, p *plan.Plan, s Stack) Spec {
	var vars []env.Var
	for _, v := range app.EnvExample {
		vars = append(vars, env.Var{Key: v.Key, Value: v.Value, Comment: v.Comment})
	}
	name := s.Name
	if name == "" {
		name = ProjectName(app.Name)
	}
	rt := p.Runtime
	return Spec{
		Compose: compose.Spec{
			Name: name,
			App: compose.App{
				Image:          s.Image,
				Port:           rt.Port,
				HealthPath:     rt.HealthPath,
				Healthcheck:    rt.Healthcheck,
				MigrateOnStart: rt.MigrateOnStart && !s.MigrateService,
				MigrateCommand: rt.MigrateCommand,
				ReadOnly:       s.ReadOnly,
				Tmpfs:          rt.Tmpfs,
				DatabaseVars:   rt.DatabaseVars,
			},
			DB: compose.DB{Image: s.PostgresImage, PublishPort: s.PublishDBPort},
		},
		AppVars: vars,
	}
}

var notProjectChars = regexp.MustCompile(`[^a-z0-9_-]+`)

// ProjectName turns a package name ("@acme/Notes") into a compose project
// name ("acme-notes").
func ProjectName(pkg string) string {
	n := strings.Trim(notProjectChars.ReplaceAllString(strings.ToLower(pkg), "-"), "-_")
	if n == "" {
		return "app"
	}
	return n
}
