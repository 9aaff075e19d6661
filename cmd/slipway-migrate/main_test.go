package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/migrator"
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

// TestMain lets a test run this package's binary as a real process
// (SLIPWAY_MIGRATE_TEST_MAIN=1), to signal it.
func TestMain(m *testing.M) {
	if os.Getenv("SLIPWAY_MIGRATE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
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

func TestMigrationsDirIsAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	require.NoError(t, os.WriteFile(dir, nil, 0o644))
	inv := invoke(t, map[string]string{"DATABASE_URL": "postgresql://u:p@h/d"}, nil, "status", "--dir", dir)
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, dir+" is not a directory: set SLIPWAY_MIGRATIONS_DIR (or --dir)")
}

// A missing migrations folder is no migrations, as Prisma's deploy has it,
// with a warning: here the run goes on to look for the URL.
func TestMissingMigrationsDirWarns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	inv := invoke(t, nil, nil, "deploy", "--dir", dir)
	assert.Contains(t, inv.stderr, "slipway-migrate: warning: the migrations folder "+dir+" does not exist, so there are no migrations to apply: if the app has migrations, set SLIPWAY_MIGRATIONS_DIR (or --dir)")
	assert.NotContains(t, inv.stderr, "invalid migrations directory")
	assert.Contains(t, inv.stderr, "DATABASE_URL is not set", "the run went on")
}

// SLIPWAY_DATABASE_URL_ENV may list variables: the first set and not empty
// one holds the URL, as `process.env.DIRECT_URL || process.env.DATABASE_URL`.
func TestURLEnvList(t *testing.T) {
	dir := writeMigrations(t, map[string]string{"1_a": "SELECT 1;"})
	list := map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL,DATABASE_URL", "SLIPWAY_MIGRATIONS_DIR": dir}
	with := func(vars map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range list {
			env[k] = v
		}
		for k, v := range vars {
			env[k] = v
		}
		return env
	}

	inv := invoke(t, with(nil), nil, "deploy")
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "usage error: none of DIRECT_URL, DATABASE_URL is set (tried in that order): set it to the database URL")

	// Empty counts as unset: DATABASE_URL is used (its mysql:// URL says so).
	inv = invoke(t, with(map[string]string{"DIRECT_URL": "", "DATABASE_URL": "mysql://app:hunter2@db/shop"}), nil, "deploy")
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "slipway-migrate: DATABASE_URL: invalid database URL")

	// The first set one wins.
	inv = invoke(t, with(map[string]string{"DIRECT_URL": "mysql://app:hunter2@db/shop", "DATABASE_URL": "postgresql://u:p@h/d"}), nil, "deploy")
	assert.Equal(t, exitUsage, inv.code)
	assert.Contains(t, inv.stderr, "slipway-migrate: DIRECT_URL: invalid database URL")

	// The flag takes a list too.
	inv = invoke(t, with(map[string]string{"DATABASE_URL": "mysql://app:hunter2@db/shop"}), nil, "deploy", "--url-env", "MIGRATE_URL,DATABASE_URL")
	assert.Contains(t, inv.stderr, "slipway-migrate: DATABASE_URL: invalid database URL")
	inv = invoke(t, with(nil), nil, "deploy", "--url-env", "MIGRATE_URL,POOLED_URL,DATABASE_URL")
	assert.Contains(t, inv.stderr, "none of MIGRATE_URL, POOLED_URL, DATABASE_URL is set")
	assert.NotContains(t, inv.stderr+inv.stdout, "hunter2")
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

// A missing migrations folder: "No migration found", exit 0, a warning; the
// database and _prisma_migrations are set up as by Prisma's deploy.
func TestMissingMigrationsDirAgainstPostgres(t *testing.T) {
	url, schema := migratortest.FreshSchema(t)
	dir := filepath.Join(t.TempDir(), "nope")
	env := map[string]string{"DATABASE_URL": url, "SLIPWAY_MIGRATIONS_DIR": dir}

	inv := invoke(t, env, nil, "deploy")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "slipway-migrate: No migration found in "+dir)
	assert.Contains(t, inv.stderr, "slipway-migrate: warning: the migrations folder "+dir+" does not exist")

	inv = invoke(t, env, nil, "status")
	assert.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "database is up to date (0 migrations applied)")

	var n int
	require.NoError(t, migratortest.Conn(t, url).QueryRow(context.Background(),
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = '_prisma_migrations'", schema).Scan(&n))
	assert.Equal(t, 1, n)
}

// --lock-timeout and SLIPWAY_MIGRATE_LOCK_TIMEOUT bound the wait for another
// migrator's lock.
func TestLockTimeoutAgainstPostgres(t *testing.T) {
	// A database of its own: the lock is per database.
	url, _ := migratortest.FreshDatabase(t)
	dir := writeMigrations(t, map[string]string{"20240101000000_init": "CREATE TABLE t (id int);"})
	env := map[string]string{"DATABASE_URL": url, "SLIPWAY_MIGRATIONS_DIR": writeMigrations(t, nil)}
	inv := invoke(t, env, nil, "deploy") // creates the database
	require.Equal(t, exitOK, inv.code, inv.stderr)

	holder := migratortest.Conn(t, url)
	_, err := holder.Exec(context.Background(), "SELECT pg_advisory_lock($1)", migrator.LockKey)
	require.NoError(t, err)

	env["SLIPWAY_MIGRATIONS_DIR"] = dir
	inv = invoke(t, env, nil, "deploy", "--lock-timeout", "300ms")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stdout, "another migrator holds the migration lock (pg_advisory_lock(72707369)); waiting up to 300ms for it")
	assert.Contains(t, inv.stderr, "timed out waiting for the migration lock: another migration holds the lock")
	assert.Contains(t, inv.stderr, "did not release it after 300ms")

	env["SLIPWAY_MIGRATE_LOCK_TIMEOUT"] = "400ms"
	inv = invoke(t, env, nil, "deploy")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, "did not release it after 400ms")

	_, err = holder.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrator.LockKey)
	require.NoError(t, err)
	inv = invoke(t, env, nil, "deploy")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "slipway-migrate: applied 20240101000000_init")
}

// The URL comes from the first variable of the list that is set.
func TestURLEnvListAgainstPostgres(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	dir := writeMigrations(t, map[string]string{"20240101000000_init": "CREATE TABLE t (id int);"})
	env := map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL,DATABASE_URL", "DATABASE_URL": url, "SLIPWAY_MIGRATIONS_DIR": dir}
	inv := invoke(t, env, nil, "deploy")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Regexp(t, `slipway-migrate: 1 migrations in .*; database postgresql://\S+ \(from DATABASE_URL\), schema`, inv.stdout)
	assert.Contains(t, inv.stdout, "slipway-migrate: applied 20240101000000_init")
}

// SIGTERM during a migration: the binary cancels the script, records it as
// failed with "interrupted by SIGTERM" in its logs, and exits 1; the next
// deploy refuses to go on until resolve clears it.
func TestSIGTERMAgainstPostgres(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	dir := writeMigrations(t, map[string]string{
		"20240101000000_init":  `CREATE TABLE "User" (id SERIAL PRIMARY KEY);`,
		"20240102000000_slow":  "CREATE TABLE \"Slow\" (id int);\nSELECT pg_sleep(5);\n",
		"20240103000000_later": `ALTER TABLE "User" ADD COLUMN name TEXT;`,
	})
	env := map[string]string{"DATABASE_URL": url, "SLIPWAY_MIGRATIONS_DIR": dir}

	cmd := exec.Command(os.Args[0], "deploy")
	cmd.Env = append(os.Environ(), "SLIPWAY_MIGRATE_TEST_MAIN=1", "SLIPWAY_DATABASE_URL_ENV=DATABASE_URL",
		"DATABASE_URL="+url, "SLIPWAY_MIGRATIONS_DIR="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())

	// Signal once the slow script runs on the server.
	conn := migratortest.Conn(t, url)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(5)%' AND pid <> pg_backend_pid()").Scan(&n))
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait() // the buffers are the process's until it is gone
			t.Fatalf("the slow migration never started\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	begin := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	assert.Equal(t, exitFailed, exitErr.ExitCode())
	assert.Less(t, time.Since(begin), 4*time.Second, "the script was cancelled, not waited for")
	assert.Contains(t, stderr.String(), "slipway-migrate: migration 20240102000000_slow was interrupted by SIGTERM before it finished, and is recorded as failed")
	assert.Contains(t, stderr.String(), "`slipway-migrate resolve --rolled-back 20240102000000_slow`")

	var finished *time.Time
	var logs *string
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '20240102000000_slow'").Scan(&finished, &logs))
	assert.Nil(t, finished)
	require.NotNil(t, logs)
	assert.Contains(t, *logs, "interrupted by SIGTERM")

	inv := invoke(t, env, nil, "deploy")
	assert.Equal(t, exitFailed, inv.code)
	assert.Contains(t, inv.stderr, "a failed migration is recorded in the database")
	assert.Contains(t, inv.stderr, "interrupted by SIGTERM")

	inv = invoke(t, env, nil, "resolve", "--rolled-back", "20240102000000_slow")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "20240102000000_slow", "migration.sql"), []byte(`CREATE TABLE "Slow" (id int);`), 0o644))
	inv = invoke(t, env, nil, "deploy")
	require.Equal(t, exitOK, inv.code, inv.stderr)
	assert.Contains(t, inv.stdout, "applied 2 migrations (1 already applied)")
}
