package main

import (
	"encoding/json"
	"testing"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInspectReport(t *testing.T) {
	out, _, err := runCLI(t, "inspect", fixture(t, "notes"))
	require.NoError(t, err)
	assert.Contains(t, out, "package manager: npm, lockfile package-lock.json")
	assert.Contains(t, out, "migrations:      prisma/migrations (2)")
	assert.Contains(t, out, "no warnings")
}

func TestInspectJSON(t *testing.T) {
	out, _, err := runCLI(t, "inspect", "--json", fixture(t, "notes-pnpm"))
	require.NoError(t, err)
	var app inspect.App
	require.NoError(t, json.Unmarshal([]byte(out), &app), "--json must print one JSON document, got:\n%s", out)
	assert.Equal(t, "pnpm", app.PackageManager.Name)
	assert.True(t, app.Next.Standalone)
	require.NotNil(t, app.Prisma, "the fixture uses Prisma")
	assert.Equal(t, "APP_DATABASE_URL", app.Prisma.URLEnv)
	assert.Len(t, app.Prisma.MigrationNames, 1)
}

// notBuildable has no next dependency and no lockfile.
var notBuildable = map[string]string{"package.json": `{"name":"plain","dependencies":{"left-pad":"1.3.0"}}`}

func TestInspectStrict(t *testing.T) {
	dir := writeApp(t, notBuildable)

	out, _, err := runCLI(t, "inspect", dir)
	require.NoError(t, err, "without --strict a report is a success")
	assert.Contains(t, out, "! no-next:")

	_, _, err = runCLI(t, "inspect", "--strict", dir)
	require.ErrorIs(t, err, inspect.ErrNotBuildable)
	assert.Contains(t, err.Error(), "no-lockfile", "the error lists every blocker")
	assert.Contains(t, err.Error(), "fix:")

	_, _, err = runCLI(t, "inspect", "--strict", fixture(t, "notes"))
	assert.NoError(t, err, "a buildable app passes --strict")
}

func TestInspectAppDirFromEnv(t *testing.T) {
	root := writeApp(t, map[string]string{"apps/web/package.json": notBuildable["package.json"]})
	t.Setenv("SLIPWAY_APP_DIR", "apps/web")
	out, _, err := runCLI(t, "inspect", root)
	require.NoError(t, err)
	assert.Contains(t, out, "app:             apps/web (plain)")
}

func TestInspectBadDirs(t *testing.T) {
	_, _, err := runCLI(t, "inspect", t.TempDir()+"/nope")
	require.ErrorIs(t, err, ErrNoSource)
	assert.Contains(t, err.Error(), "does not exist")

	_, _, err = runCLI(t, "inspect", "--app-dir=../up", fixture(t, "notes"))
	require.ErrorIs(t, err, inspect.ErrBadDir)
}
