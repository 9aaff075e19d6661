package bundle

import (
	"regexp"
	"strings"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
)

// Stack is what the caller chooses about the production stack; the rest of a
// bundle comes from the inspected app.
type Stack struct {
	Image          string
	Name           string // compose project name; "" derives it from package.json
	HealthPath     string
	Port           int
	Healthcheck    []string // the image's HEALTHCHECK test, e.g. ["CMD","node","/x.cjs"]
	MigrateCommand []string // the image's migrate command
	PostgresImage  string
	MigrateOnStart bool // the image migrates on start (off: a migrate service)
	ReadOnly       bool
	PublishDBPort  bool
}

// FromApp is the bundle for an inspected app: the URL variable its Prisma
// config reads, and the variables of its .env.example.
func FromApp(app *inspect.App, s Stack) Spec {
	urlVar := inspect.DefaultURLEnv
	if app.Prisma != nil && app.Prisma.URLEnv != "" {
		urlVar = app.Prisma.URLEnv
	}
	var vars []env.Var
	for _, v := range app.EnvExample {
		vars = append(vars, env.Var{Key: v.Key, Value: v.Value, Comment: v.Comment})
	}
	name := s.Name
	if name == "" {
		name = ProjectName(app.Name)
	}
	return Spec{
		Compose: compose.Spec{
			Name: name,
			App: compose.App{
				Image:          s.Image,
				Port:           s.Port,
				HealthPath:     s.HealthPath,
				Healthcheck:    s.Healthcheck,
				MigrateOnStart: s.MigrateOnStart,
				MigrateCommand: s.MigrateCommand,
				ReadOnly:       s.ReadOnly,
				DatabaseURLVar: urlVar,
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
