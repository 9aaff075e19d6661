package bundle

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/plan"
)

func TestProjectName(t *testing.T) {
	for in, want := range map[string]string{
		"notes":        "notes",
		"@acme/Notes":  "acme-notes",
		"my app.v2":    "my-app-v2",
		"__x__":        "x",
		"":             "app",
		"@@@":          "app",
		"web_frontend": "web_frontend",
	} {
		got := ProjectName(in)
		assert.Equal(t, want, got, "ProjectName(%q)", in)
		assert.NoError(t, compose.Spec{Name: got, App: compose.App{Image: "x/y:1"}}.Validate(), "%q must be a valid project name", got)
	}
}

func TestFromAppTakesTheAppsVariables(t *testing.T) {
	app := &inspect.App{
		Name:       "@acme/notes",
		Prisma:     &inspect.Prisma{URLEnv: "APP_DATABASE_URL"},
		EnvExample: []inspect.EnvVar{{Key: "NEXT_PUBLIC_APP_NAME", Value: "Notes", Comment: "shown in the title"}},
	}
	s := fromApp(app, true, Stack{Image: "x/notes:1"})
	assert.Equal(t, "acme-notes", s.Compose.Name)
	assert.Equal(t, env.DatabaseVars{{Name: "APP_DATABASE_URL", Runtime: true, Migrations: true}}, s.Compose.App.DatabaseVars,
		"a lone variable serves run time and migrations")
	assert.True(t, s.Compose.App.MigrateOnStart)
	if assert.Len(t, s.AppVars, 1) {
		assert.Equal(t, "NEXT_PUBLIC_APP_NAME", s.AppVars[0].Key)
	}
	none := fromApp(&inspect.App{}, false, Stack{})
	assert.Empty(t, none.Compose.App.DatabaseVars)
	assert.Equal(t, []string{inspect.DefaultURLEnv}, none.EnvSpec().DatabaseVars.Names(), "no Prisma: the default variable")
}

func TestFromAppDatabaseVars(t *testing.T) {
	for name, c := range map[string]struct {
		prisma *inspect.Prisma
		want   env.DatabaseVars
	}{
		"no prisma": {nil, nil},
		"url only":  {&inspect.Prisma{URLEnv: "DATABASE_URL"}, env.DatabaseVars{{Name: "DATABASE_URL", Runtime: true, Migrations: true}}},
		"pooled and direct": {&inspect.Prisma{URLEnv: "DIRECT_URL", DatabaseVars: []inspect.DatabaseVar{
			{Name: "DATABASE_URL", Runtime: true, Sources: []string{"prisma/schema.prisma (url)"}},
			{Name: "DIRECT_URL", Migrations: true, Sources: []string{"prisma/schema.prisma (directUrl)"}},
		}}, env.DatabaseVars{
			{Name: "DIRECT_URL", Migrations: true},
			{Name: "DATABASE_URL", Runtime: true},
		}},
		"vercel with a shadow": {&inspect.Prisma{URLEnv: "POSTGRES_URL_NON_POOLING", DatabaseVars: []inspect.DatabaseVar{
			{Name: "POSTGRES_PRISMA_URL", Runtime: true},
			{Name: "POSTGRES_URL_NON_POOLING", Migrations: true},
			{Name: "SHADOW_DATABASE_URL", Shadow: true},
		}}, env.DatabaseVars{
			{Name: "POSTGRES_URL_NON_POOLING", Migrations: true},
			{Name: "POSTGRES_PRISMA_URL", Runtime: true},
			{Name: "SHADOW_DATABASE_URL", Shadow: true},
		}},
		"fallback chain": {&inspect.Prisma{URLEnv: "DIRECT_DATABASE_URL", DatabaseVars: []inspect.DatabaseVar{
			{Name: "DIRECT_DATABASE_URL", Migrations: true},
			{Name: "DATABASE_URL", Migrations: true, Runtime: true},
		}}, env.DatabaseVars{
			{Name: "DIRECT_DATABASE_URL", Migrations: true},
			{Name: "DATABASE_URL", Runtime: true, Migrations: true},
		}},
		"roles merged, URLEnv migrates": {&inspect.Prisma{URLEnv: "DATABASE_URL", DatabaseVars: []inspect.DatabaseVar{
			{Name: "DATABASE_URL", Runtime: true},
			{Name: "READ_URL", Shadow: true},
			{Name: "READ_URL", Runtime: true},
		}}, env.DatabaseVars{
			{Name: "DATABASE_URL", Runtime: true, Migrations: true},
			{Name: "READ_URL", Runtime: true},
		}},
		"nothing known at run time": {&inspect.Prisma{URLEnv: "DIRECT_URL", DatabaseVars: []inspect.DatabaseVar{
			{Name: "DIRECT_URL", Migrations: true},
			{Name: "SHADOW_URL", Shadow: true},
		}}, env.DatabaseVars{
			{Name: "DIRECT_URL", Runtime: true, Migrations: true},
			{Name: "SHADOW_URL", Shadow: true},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			s := fromApp(&inspect.App{Name: "x", Prisma: c.prisma}, false, Stack{Image: "x/y:1"})
			assert.Equal(t, c.want, s.Compose.App.DatabaseVars)
			assert.Equal(t, c.want.WithDefaults(), s.EnvSpec().DatabaseVars, "the env file gets the same list")
		})
	}
}

// fromApp is the bundle for app, from its plan with the default options.
func fromApp(app *inspect.App, migrateOnStart bool, s Stack) Spec {
	p, err := plan.New(app, plan.Options{MigrateOnStart: migrateOnStart})
	if err != nil {
		panic(err)
	}
	return FromPlan(app, p, s)
}
