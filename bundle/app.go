package bundle

import (
	"regexp"
	"slices"
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

// FromApp is the bundle for an inspected app: the database variables its
// Prisma setup reads (see DatabaseVars), and the variables of its
// .env.example.
func FromApp(app *inspect.App, s Stack) Spec {
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
				DatabaseVars:   databaseVars(app.Prisma),
			},
			DB: compose.DB{Image: s.PostgresImage, PublishPort: s.PublishDBPort},
		},
		AppVars: vars,
	}
}

// databaseVars turns what inspect found into the bundle's database
// variables: the one migrations read (URLEnv) first, then the others in the
// order inspect lists them, each once with every role it was found in. URLEnv
// is always a migrations variable; when nothing is known to be read at run
// time, the first variable is (as with a lone DATABASE_URL). A shadow
// variable stays a shadow only if nothing else reads it. With no Prisma, or
// nothing found, the result is empty: DATABASE_URL by default.
func databaseVars(p *inspect.Prisma) env.DatabaseVars {
	if p == nil {
		return nil
	}
	roles := map[string]inspect.DatabaseVar{}
	for _, v := range p.DatabaseVars {
		r := roles[v.Name]
		r.Runtime = r.Runtime || v.Runtime
		r.Migrations = r.Migrations || v.Migrations
		r.Shadow = r.Shadow || v.Shadow
		roles[v.Name] = r
	}
	var out env.DatabaseVars
	for _, name := range p.DatabaseVarNames() {
		if name == "" || slices.ContainsFunc(out, func(v env.DatabaseVar) bool { return v.Name == name }) {
			continue
		}
		r := roles[name]
		v := env.DatabaseVar{Name: name, Runtime: r.Runtime, Migrations: r.Migrations || name == p.URLEnv, Shadow: r.Shadow}
		if v.Runtime || v.Migrations {
			v.Shadow = false
		}
		out = append(out, v)
	}
	if !slices.ContainsFunc(out, func(v env.DatabaseVar) bool { return v.Runtime }) {
		if i := slices.IndexFunc(out, func(v env.DatabaseVar) bool { return !v.IsShadow() }); i >= 0 {
			out[i].Runtime = true
		}
	}
	return out
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
