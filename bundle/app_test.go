package bundle

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/inspect"
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
	s := FromApp(app, Stack{Image: "x/notes:1", MigrateOnStart: true})
	assert.Equal(t, "acme-notes", s.Compose.Name)
	assert.Equal(t, "APP_DATABASE_URL", s.Compose.App.DatabaseURLVar)
	assert.True(t, s.Compose.App.MigrateOnStart)
	if assert.Len(t, s.AppVars, 1) {
		assert.Equal(t, "NEXT_PUBLIC_APP_NAME", s.AppVars[0].Key)
	}
	assert.Equal(t, inspect.DefaultURLEnv, FromApp(&inspect.App{}, Stack{}).Compose.App.DatabaseURLVar, "no Prisma: the default variable")
}
