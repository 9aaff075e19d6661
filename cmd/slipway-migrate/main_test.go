package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/migrator/migratortest"
)

type invocation struct {
	code           int
	stdout, stderr string
	execPath       string
	execArgv       []string
}

// invoke runs the command with a fake execve that records its call and
// returns execErr.
func invoke(t *testing.T, env map[string]string, execErr error, args ...string) invocation {
	t.Helper()
	var out, errOut bytes.Buffer
	inv := invocation{}
	execve := func(path string, argv []string) error {
		inv.execPath, inv.execArgv = path, argv
		return execErr
	}
	inv.code = run(context.Background(), args, envOf(env), &out, &errOut, execve)
	inv.stdout, inv.stderr = out.String(), errOut.String()
	return inv
}

// writeMigrations lays out a prisma/migrations folder.
func writeMigrations(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "migrations")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "migration_lock.toml"), []byte("provider = \"postgresql\"\n"), 0o644))
	for name, sql := range scripts {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "migration.sql"), []byte(sql), 0o644))
	}
	return dir
}

func TestHelp(t *testing.T) {
	inv := invoke(t, nil, nil, "help")
	assert.Equal(t, exitOK, inv.code)
	assert.Contains(t, inv.stdout, "slipway-migrate start [flags] -- COMMAND")
	assert.Contains(t, inv.stdout, "Exit codes")
}

func TestUsageErrorExits2(t *testing.T) {
	inv := invoke(t, nil, nil, "resolve")
	assert.Equal(t, exitUsage, inv.code)
	assert.Equal(t, "slipway-migrate: usage error: resolve needs exactly one of --applied NAME or --rolled-back NAME\nRun `slipway-migrate help` for usage.\n", inv.stderr)
}

func TestMissingDatabaseURL(t *testing.T) {
	dir := writeMigrations(t, map[string]string{"1_a": "SELECT 1;"})
	inv := invoke(t, map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL"}, nil, "deploy", "--dir", dir)
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "slipway-migrate: usage error: DIRECT_URL is not set: set it to the database URL")
}

func TestInvalidDatabaseURL(t *testing.T) {
	dir := writeMigrations(t, nil)
	inv := invoke(t, map[string]string{"DATABASE_URL": "mysql://app:hunter2@db/shop"}, nil, "--dir", dir)
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "slipway-migrate: DATABASE_URL: invalid database URL: the scheme must be postgresql://")
	assert.NotContains(t, inv.stderr+inv.stdout, "hunter2")
}

func TestMissingMigrationsDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	inv := invoke(t, map[string]string{"DATABASE_URL": "postgresql://u:p@h/d"}, nil, "status", "--dir", dir)
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, dir+" is not a directory: set SLIPWAY_MIGRATIONS_DIR (or --dir)")
}

func TestWrongProviderExits2(t *testing.T) {
	dir := writeMigrations(t, nil)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "migration_lock.toml"), []byte(`provider = "mysql"`), 0o644))
	inv := invoke(t, map[string]string{"DATABASE_URL": "postgresql://u:p@h/d"}, nil, "--dir", dir)
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "in "+dir+": invalid migrations directory: migration_lock.toml says provider = \"mysql\"")
}

func TestUnreachableDatabaseExits1WithoutPassword(t *testing.T) {
	dir := writeMigrations(t, map[string]string{"1_a": "SELECT 1;"})
	// Port 1 on loopback: nothing listens, so every attempt is refused at once.
	env := map[string]string{"DATABASE_URL": "postgresql://app:hunter2@127.0.0.1:1/shop?schema=s", "SLIPWAY_MIGRATE_TIMEOUT": "300ms"}
	inv := invoke(t, env, nil, "--dir", dir)
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, "did not accept connections within 300ms")
	assert.Contains(t, inv.stderr, "raise SLIPWAY_MIGRATE_TIMEOUT")
	assert.Contains(t, inv.stdout, "waiting up to 300ms for the database at postgresql://app:xxxxx@127.0.0.1:1/shop")
	assert.NotContains(t, inv.stderr+inv.stdout, "hunter2")
}

func TestStartWithoutMigrating(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	env := map[string]string{"SLIPWAY_MIGRATE_ON_START": "false"} // no DATABASE_URL needed
	inv := invoke(t, env, nil, "start", "--", self, "--port", "3000")
	assert.Equal(t, exitOK, inv.code)
	assert.Equal(t, self, inv.execPath)
	assert.Equal(t, []string{self, "--port", "3000"}, inv.execArgv, "argv[0] stays as given")
	assert.Contains(t, inv.stdout, "SLIPWAY_MIGRATE_ON_START=false: not migrating")
}

func TestStartUnknownCommandFailsBeforeMigrating(t *testing.T) {
	inv := invoke(t, nil, nil, "start", "--", "no-such-command-slipway")
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, `start: cannot run "no-such-command-slipway"`)
	assert.Nil(t, inv.execArgv)
	assert.Empty(t, inv.stdout, "nothing was migrated")
}

func TestStartExecFailureExits1(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	inv := invoke(t, map[string]string{"SLIPWAY_MIGRATE_ON_START": "0"}, errors.New("exec format error"), "start", self)
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, "exec format error")
}

// TestAgainstPostgres drives the binary's commands against a real database
// (SLIPWAY_TEST_DATABASE_URL; skipped when unset).
func TestAgainstPostgres(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	dir := writeMigrations(t, map[string]string{
		"20240101000000_init":  `CREATE TABLE "User" (id SERIAL PRIMARY KEY, email TEXT NOT NULL);`,
		"20240102000000_posts": `CREATE TABLE "Post" (id SERIAL PRIMARY KEY, "authorId" INT REFERENCES "User"(id));`,
	})
	env := map[string]string{"DIRECT_URL": url, "SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL", "SLIPWAY_MIGRATIONS_DIR": dir}

	inv := invoke(t, env, nil, "deploy")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Regexp(t, `(?m)^slipway-migrate: applied 20240101000000_init \(\d+m?s\)$`, inv.stdout)
	assert.Regexp(t, `(?m)^slipway-migrate: applied 20240102000000_posts \(\d+m?s\)$`, inv.stdout)
	assert.Regexp(t, `(?m)^slipway-migrate: applied 2 migrations \(0 already applied\) in \d+m?s$`, inv.stdout)

	inv = invoke(t, env, nil)
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "slipway-migrate: database is up to date: all 2 migrations already applied, nothing to do")

	inv = invoke(t, env, nil, "status")
	assert.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "applied  20240101000000_init\napplied  20240102000000_posts\n")

	// A broken migration: exit 1 with the way out; status then fails too.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "20240103000000_broken"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "20240103000000_broken", "migration.sql"), []byte("SELEC 1;"), 0o644))
	inv = invoke(t, env, nil, "deploy")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, `slipway-migrate: migration 20240103000000_broken failed: ERROR: syntax error at or near "SELEC" (SQLSTATE 42601) at line 1, column 1`)
	assert.Contains(t, inv.stderr, "`slipway-migrate resolve --rolled-back 20240103000000_broken`")

	inv = invoke(t, env, nil, "status")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stdout, "failed   20240103000000_broken")
	assert.Contains(t, inv.stderr, "not up to date: 0 pending, 1 failed")

	inv = invoke(t, env, nil, "start", "--", "node-does-not-matter-here")
	assert.Equal(t, exitUsage, inv.code, "an unknown command is caught before migrating")

	self, err := os.Executable()
	require.NoError(t, err)
	inv = invoke(t, env, nil, "start", "--", self, "server.js")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, "a failed migration is recorded in the database")
	assert.Nil(t, inv.execArgv, "the server does not start on a database with a failed migration")

	inv = invoke(t, env, nil, "resolve", "--rolled-back", "20240103000000_broken")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "recorded 20240103000000_broken as rolled back")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "20240103000000_broken", "migration.sql"), []byte("SELECT 1;"), 0o644))
	inv = invoke(t, env, nil, "start", "--", self, "server.js")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "slipway-migrate: applied 20240103000000_broken")
	assert.Equal(t, []string{self, "server.js"}, inv.execArgv, "after migrating, start execs the server")

	inv = invoke(t, env, nil, "resolve", "--applied", "20240103000000_broken")
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "already recorded as applied")
}
