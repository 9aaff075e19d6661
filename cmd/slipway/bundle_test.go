package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testImage = "registry.example.com/notes:1.0.0"

// loadBundle loads a written bundle through compose-go with envName.
func loadBundle(t *testing.T, dir, envName string) *types.Project {
	t.Helper()
	y, err := os.ReadFile(filepath.Join(dir, bundle.ComposeFile))
	require.NoError(t, err)
	e, err := os.ReadFile(filepath.Join(dir, envName))
	require.NoError(t, err)
	p, err := compose.Validate(context.Background(), y, e)
	require.NoError(t, err, "the written bundle must load with %s", envName)
	return p
}

func TestBundleDefaultOut(t *testing.T) {
	notes := fixture(t, "notes")
	t.Chdir(t.TempDir())
	out, _, err := runCLI(t, "bundle", "--image", testImage, notes)
	require.NoError(t, err)

	for _, f := range []string{bundle.ComposeFile, bundle.EnvTemplate, bundle.DeployGuide} {
		assert.FileExists(t, filepath.Join("deploy", f))
	}
	assert.NoFileExists(t, filepath.Join("deploy", env.DefaultFileName), "no env file without --generate-env")
	assert.Contains(t, out, "wrote deploy/ for image "+testImage)

	p := loadBundle(t, "deploy", bundle.EnvTemplate)
	assert.Equal(t, "notes", p.Name, "project name from package.json")
	app, err := p.GetService(compose.ServiceApp)
	require.NoError(t, err)
	assert.Equal(t, testImage, app.Image)
	assert.True(t, app.ReadOnly, "read-only by default, as the module")
	assert.Equal(t, types.HealthCheckTest{"CMD", "node", names.HealthcheckScript}, app.HealthCheck.Test)
	_, err = p.GetService(compose.ServiceMigrate)
	assert.Error(t, err, "the image migrates on start by default: no migrate service")

	tmpl, err := os.ReadFile(filepath.Join("deploy", bundle.EnvTemplate))
	require.NoError(t, err)
	assert.Contains(t, string(tmpl), "NEXT_PUBLIC_APP_NAME=Notes", "app variables come from .env.example")
}

func TestBundleSwitches(t *testing.T) {
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "--out", out, "--name", "shop",
		"--migrate-service", "--publish-db-port", "--no-read-only", fixture(t, "notes-pnpm"))
	require.NoError(t, err)

	p := loadBundle(t, out, bundle.EnvTemplate)
	assert.Equal(t, "shop", p.Name)
	app, err := p.GetService(compose.ServiceApp)
	require.NoError(t, err)
	assert.False(t, app.ReadOnly)
	migrate, err := p.GetService(compose.ServiceMigrate)
	require.NoError(t, err, "--migrate-service adds the migrate service")
	assert.Equal(t, types.ShellCommand{names.Migrator, "deploy"}, migrate.Command)
	require.NotNil(t, migrate.Environment[names.DatabaseURLEnvVar])
	assert.Equal(t, "APP_DATABASE_URL", *migrate.Environment[names.DatabaseURLEnvVar], "URL variable from the app's Prisma config")
	db, err := p.GetService(compose.ServiceDB)
	require.NoError(t, err)
	require.Len(t, db.Ports, 1, "--publish-db-port publishes Postgres")
	assert.Equal(t, "127.0.0.1", db.Ports[0].HostIP)

	tmpl, err := os.ReadFile(filepath.Join(out, bundle.EnvTemplate))
	require.NoError(t, err)
	assert.Contains(t, string(tmpl), "\nAPP_DATABASE_URL=")
	assert.NotContains(t, string(tmpl), "\nDATABASE_URL=")
}

// TestBundlePrismaMigrateServiceRunsTheImagesMigrator (drift a): an image
// built with --migrator=prisma has no slipway-migrate; its bundle's migrate
// service runs the Prisma CLI the image holds, as the migrate stage does.
func TestBundlePrismaMigrateServiceRunsTheImagesMigrator(t *testing.T) {
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "--out", out, "--migrator", "prisma", "--migrate-service", fixture(t, "notes"))
	require.NoError(t, err)
	migrate, err := loadBundle(t, out, bundle.EnvTemplate).GetService(compose.ServiceMigrate)
	require.NoError(t, err)
	cmd := strings.Join(migrate.Command, " ")
	assert.NotContains(t, cmd, "slipway-migrate", "the prisma image does not contain slipway-migrate")
	assert.Contains(t, cmd, "node_modules/prisma/build/index.js migrate deploy")
}

// TestBundleMonorepoTmpfsIsTheAppsCache (drift b): in a monorepo the image
// keeps the server's cache at /app/<app-dir>/.next/cache, so a read-only
// deploy mounts its tmpfs there.
func TestBundleMonorepoTmpfsIsTheAppsCache(t *testing.T) {
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "--out", out, "--app-dir", "apps/web", fixture(t, "turbo-monorepo"))
	require.NoError(t, err)
	app, err := loadBundle(t, out, bundle.EnvTemplate).GetService(compose.ServiceApp)
	require.NoError(t, err)
	assert.True(t, app.ReadOnly)
	assert.Equal(t, []string{"/app/apps/web/.next/cache", "/tmp"}, []string(app.Tmpfs))
}

func TestBundleGenerateEnvNeverPrintsSecrets(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, err := runCLI(t, "bundle", "--image", testImage, "-o", out, "--generate-env", fixture(t, "notes"))
	require.NoError(t, err)

	envPath := filepath.Join(out, env.DefaultFileName)
	info, err := os.Stat(envPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the env file holds secrets")

	b, err := os.ReadFile(envPath)
	require.NoError(t, err)
	vals, err := env.Parse(b)
	require.NoError(t, err)
	require.Len(t, vals[env.PostgresPassword], env.SecretLength, "a fresh secret was generated")
	spec := mustSpec(t, mustApp(t, fixture(t, "notes")), bundle.Stack{Image: testImage}).EnvSpec()
	checked := 0
	for _, v := range spec.Variables() {
		if v.Kind == env.Secret || v.Kind == env.DatabaseURL {
			require.NotEmpty(t, vals[v.Key], "%s is filled in", v.Key)
			assert.NotContains(t, stdout+stderr, vals[v.Key], "the value of %s must not be printed", v.Key)
			checked++
		}
	}
	assert.Equal(t, 2, checked, "POSTGRES_PASSWORD and DATABASE_URL are checked")
	assert.Contains(t, stdout, env.DefaultFileName+"  (mode 0600")

	loadBundle(t, out, env.DefaultFileName)
	assert.Empty(t, env.Check(b, spec), "the generated file passes env check")
}

func TestBundleRefusesToReplaceEnvFile(t *testing.T) {
	out := t.TempDir()
	notes := fixture(t, "notes")
	args := []string{"bundle", "--image", testImage, "-o", out, "--generate-env", notes}
	_, _, err := runCLI(t, args...)
	require.NoError(t, err)
	envPath := filepath.Join(out, env.DefaultFileName)
	first, err := os.ReadFile(envPath)
	require.NoError(t, err)

	_, _, err = runCLI(t, args...)
	require.ErrorIs(t, err, ErrEnvFileExists)
	assert.Contains(t, err.Error(), "--force")
	again, err := os.ReadFile(envPath)
	require.NoError(t, err)
	assert.Equal(t, first, again, "a refused run leaves the live env file alone")

	_, _, err = runCLI(t, "bundle", "--image", testImage, "-o", out, notes)
	require.NoError(t, err, "without --generate-env the env file is not touched, so no --force is needed")
	again, err = os.ReadFile(envPath)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	require.NoError(t, os.Chmod(envPath, 0o644))
	_, _, err = runCLI(t, append(args, "--force")...)
	require.NoError(t, err)
	replaced, err := os.ReadFile(envPath)
	require.NoError(t, err)
	assert.NotEqual(t, first, replaced, "--force writes fresh secrets")
	info, err := os.Stat(envPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a replaced env file is 0600 again")
	left, err := filepath.Glob(filepath.Join(out, "*.tmp"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temp files left behind")
}

func TestBundleBadInput(t *testing.T) {
	notes := fixture(t, "notes")
	_, _, err := runCLI(t, "bundle", notes)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--image", "the image is required")

	out := t.TempDir()
	_, _, err = runCLI(t, "bundle", "--image", "Not An Image", "-o", out, notes)
	require.ErrorIs(t, err, compose.ErrSpec)
	assert.Contains(t, err.Error(), "not a valid image reference")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing is written when the spec is bad")
}

// TestBundleSpecPooledAndDirect: the CLI's bundle for an app with a pooled
// and a direct URL (and a shadow database) sets both, tells the migrator to
// read the direct one, and env check holds the file to both.
func TestBundleSpecPooledAndDirect(t *testing.T) {
	app := &inspect.App{Name: "notes", Prisma: &inspect.Prisma{URLEnv: "DIRECT_URL", DatabaseVars: []inspect.DatabaseVar{
		{Name: "DATABASE_URL", Runtime: true},
		{Name: "DIRECT_URL", Migrations: true},
		{Name: "SHADOW_DATABASE_URL", Shadow: true},
	}}}
	spec := mustSpec(t, app, bundle.Stack{Image: testImage, MigrateService: true})
	files, err := bundle.Render(spec, bundle.GenerateEnv())
	require.NoError(t, err)
	out := t.TempDir()
	_, err = writeBundle(out, files, env.DefaultFileName, false)
	require.NoError(t, err)

	p := loadBundle(t, out, env.DefaultFileName)
	migrate, err := p.GetService(compose.ServiceMigrate)
	require.NoError(t, err)
	assert.Equal(t, types.ShellCommand{names.Migrator, "deploy"}, migrate.Command)
	require.NotNil(t, migrate.Environment[names.DatabaseURLEnvVar])
	assert.Equal(t, "DIRECT_URL", *migrate.Environment[names.DatabaseURLEnvVar])

	b := files[env.DefaultFileName]
	vals, err := env.Parse(b)
	require.NoError(t, err)
	assert.Equal(t, vals["DATABASE_URL"], vals["DIRECT_URL"])
	assert.NotContains(t, vals, "SHADOW_DATABASE_URL")
	checkSpec := mustSpec(t, app, bundle.Stack{}).EnvSpec() // as env check builds it
	assert.Empty(t, env.Check(b, checkSpec))
	assert.Empty(t, unfilled(b, checkSpec))

	noDirect := strings.Replace(string(b), "\nDIRECT_URL=", "\nOLD_DIRECT_URL=", 1)
	problems := env.Check([]byte(noDirect), checkSpec)
	require.Len(t, problems, 1, "%v", problems)
	assert.Equal(t, "DIRECT_URL: not set: add it as in .env.production.example", problems[0].String())
}

// mustSpec is the CLI's bundle for app with the default image options.
func mustSpec(t *testing.T, app *inspect.App, s bundle.Stack) bundle.Spec {
	t.Helper()
	spec, err := bundleSpec(app, plan.Options{}, s)
	require.NoError(t, err)
	return spec
}
