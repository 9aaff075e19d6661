//go:build e2e

package tests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/pipeline"
)

// The verify tests prove migrate, smoke and ci (issue 4): each fixture
// passes ci, migrations apply once however often and however concurrently
// they run, the migrator's own integration tests pass against Postgres, and
// every way an app can be broken fails with a StageError that names the
// stage, shows the evidence and gives the fix.

const (
	// migratorBin is where the runner image keeps slipway-migrate.
	migratorBin = "/usr/local/bin/slipway-migrate"
	// The user and database of the test databases.
	testDBUser = "slipway"
	testDBName = "app"
)

// requireStageError asserts that err is a *pipeline.StageError of stage.
func requireStageError(t *testing.T, err error, stage string) *pipeline.StageError {
	t.Helper()
	require.Error(t, err, "want a %s failure", stage)
	var se *pipeline.StageError
	require.True(t, errors.As(err, &se), "want a *pipeline.StageError, got %T: %v", err, err)
	assert.Equal(t, stage, se.Stage, "stage of: %v", err)
	assert.Contains(t, err.Error(), stage+" failed", "the message names the stage")
	assert.Contains(t, err.Error(), "\nfix: ", "the message gives a fix")
	return se
}

// startDatabase is a fresh Postgres from the pipeline, started explicitly so
// that every container bound to it meets the same instance, and stopped when
// the test ends.
func startDatabase(t *testing.T, ctx context.Context, p *pipeline.Pipeline, user, name string) *pipeline.DB {
	t.Helper()
	db, err := p.Database(ctx, user, name, nil)
	require.NoError(t, err)
	_, err = db.Service.Start(ctx)
	require.NoError(t, err, "start Postgres")
	t.Cleanup(func() { _, _ = db.Service.Stop(context.Background()) })
	return db
}

// withDB is ctr bound to db as "db", with the URL in urlEnv, and a fresh
// variable so that Dagger runs the next exec again rather than reusing it.
func withDB(ctr *dagger.Container, db *pipeline.DB, urlEnv string) *dagger.Container {
	return ctr.
		WithServiceBinding("db", db.Service).
		WithSecretVariable(urlEnv, db.URL(dag)).
		WithEnvVariable("SLIPWAY_TEST_RUN", randomID())
}

// psql runs a query on db from a postgres:15 container and returns the
// unaligned, tuples-only output (fields split by |).
func psql(t *testing.T, ctx context.Context, db *pipeline.DB, query string) string {
	t.Helper()
	out, err := dag.Container().From(pipeline.DefaultPostgresImage).
		WithServiceBinding("db", db.Service).
		WithSecretVariable("PGPASSWORD", db.Password).
		WithEnvVariable("SLIPWAY_TEST_RUN", randomID()).
		WithExec([]string{"psql", "-v", "ON_ERROR_STOP=1", "-h", "db", "-U", db.User, "-d", db.Name, "-tA", "-c", query}).
		Stdout(ctx)
	require.NoError(t, err, "psql %q", query)
	return strings.TrimSpace(out)
}

// migrationRows is _prisma_migrations grouped by name: name, rows, finished
// rows, rolled-back rows, applied steps.
const migrationRows = `SELECT migration_name, count(*), count(finished_at), count(rolled_back_at), sum(applied_steps_count)
	FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name`

// onceEach is what migrationRows shows when each migration ran exactly once.
func onceEach(names ...string) string {
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = n + "|1|1|0|1"
	}
	return strings.Join(lines, "\n")
}

var notesMigrations = []string{"20250101000000_init", "20250102000000_add_done"}

// --- ci passes -------------------------------------------------------------

func TestCINotes(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	image, report, err := p.CI(ctx, []string{"/", "/api/notes"})
	require.NoError(t, err)
	t.Logf("ci report:\n%s", report)

	for _, want := range []string{"build: ok\n", "test: ok\n", "migrate: ok\n", "smoke: ok\n"} {
		assert.Contains(t, report, want)
	}
	// node --test prints TAP on Node 22 and its spec reporter (ℹ) on Node 24.
	assert.Regexp(t, `(?:#|ℹ) pass [1-9]\d*\n\s*(?:#|ℹ) fail 0\n`, report, "the app's own tests ran and passed")
	for _, m := range notesMigrations {
		assert.Regexp(t, `slipway-migrate: applied `+m+` \(\d+m?s\)`, report)
	}
	assert.Contains(t, report, "applied 2 migrations (0 already applied)")
	for _, path := range []string{"/api/health", "/", "/api/notes"} {
		assert.Regexp(t, `(?m)^\s*GET `+regexp.QuoteMeta(path)+`: 200 \(\d+ ms\)$`, report)
	}

	require.NotNil(t, image, "ci returns the image it proved")
	user, err := image.User(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1001:1001", user)
	entry, err := image.Entrypoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{migratorBin, "start", "--"}, entry)
}

// An image built with MigrateOnStart off does not migrate itself, so smoke
// migrates its fresh database first, as a migrate job would in production.
func TestSmokeMigratesWhenImageDoesNot(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixturePnpm), func(c *pipeline.Config) { c.MigrateOnStart = false })
	image, err := p.Image(ctx)
	require.NoError(t, err)
	onStart, err := image.EnvVariable(ctx, "SLIPWAY_MIGRATE_ON_START")
	require.NoError(t, err)
	require.Equal(t, "false", onStart)

	out, err := p.Smoke(ctx, image, nil)
	require.NoError(t, err, "the pnpm app's health reads the Visit table: smoke must migrate before it starts the app")
	assert.Regexp(t, `GET /api/health: 200 \(\d+ ms\)`, out)
}

// --- migrations apply once -------------------------------------------------

func TestMigrateTwiceIsNoop(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	db := startDatabase(t, ctx, p, testDBUser, testDBName)
	deploy := func() (string, error) {
		return withDB(image, db, "DATABASE_URL").WithExec([]string{migratorBin, "deploy"}).Stdout(ctx)
	}

	first, err := deploy()
	require.NoError(t, err)
	assert.Contains(t, first, "slipway-migrate: applied 2 migrations (0 already applied)")

	second, err := deploy()
	require.NoError(t, err)
	assert.Contains(t, second, "slipway-migrate: database is up to date: all 2 migrations already applied, nothing to do")
	assert.NotContains(t, second, "slipway-migrate: applied ")

	assert.Equal(t, onceEach(notesMigrations...), psql(t, ctx, db, migrationRows))
}

// Two runner containers start `slipway-migrate deploy` on the same database
// at the same moment. A third migration that sleeps holds Prisma's advisory
// lock long enough that the two surely overlap; the second must wait, then
// find nothing to do.
func TestConcurrentMigrateAppliesEachOnce(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	const slow = "20250103000000_slow"
	image = image.WithNewFile("/app/prisma/migrations/"+slow+"/migration.sql", "SELECT pg_sleep(3);\n")
	db := startDatabase(t, ctx, p, testDBUser, testDBName)

	// A barrier in a shared cache volume: each runner marks itself, waits
	// for the other, then migrates.
	barrier := dag.CacheVolume("slipway-test-barrier-" + randomID())
	// The runner has Node but no coreutils: the barrier is a Node script
	// that waits for both runners, then runs the migrator in the foreground.
	const wait = `const fs = require("fs");
fs.writeFileSync("/barrier/" + process.argv[1], "");
const nap = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; fs.readdirSync("/barrier").length < 2; i++) {
  if (i > 1200) { console.error("barrier: the other runner never started"); process.exit(3); }
  Atomics.wait(nap, 0, 0, 100);
}
const r = require("child_process").spawnSync("` + migratorBin + `", ["deploy"], { stdio: "inherit" });
process.exit(r.status ?? 1);`
	outs := make([]string, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = withDB(image, db, "DATABASE_URL").
				WithMountedCache("/barrier", barrier, dagger.ContainerWithMountedCacheOpts{Owner: "1001:1001"}).
				WithExec([]string{"node", "-e", wait, name}).
				Stdout(ctx)
		}()
	}
	wg.Wait()
	require.NoError(t, errs[0], "runner a")
	require.NoError(t, errs[1], "runner b")
	t.Logf("runner a:\n%s\nrunner b:\n%s", outs[0], outs[1])

	applied := regexp.MustCompile(`slipway-migrate: applied 3 migrations \(0 already applied\)`)
	upToDate := "slipway-migrate: database is up to date: all 3 migrations already applied, nothing to do"
	switch {
	case applied.MatchString(outs[0]):
		assert.Contains(t, outs[1], upToDate, "runner b, after a applied everything")
	case applied.MatchString(outs[1]):
		assert.Contains(t, outs[0], upToDate, "runner a, after b applied everything")
	default:
		t.Errorf("want one runner to apply all 3 migrations, got:\nA: %s\nB: %s", outs[0], outs[1])
	}
	assert.Contains(t, outs[0]+outs[1], "another migrator holds the migration lock",
		"the runners overlapped: one waited for the other's lock")

	assert.Equal(t, onceEach(append(notesMigrations, slow)...), psql(t, ctx, db, migrationRows),
		"one finished row per migration")
}

// --- the migrator's own integration tests ----------------------------------

func TestMigratorIntegrationAgainstPostgres(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	// The superuser, so that the tests may create schemas and databases.
	db, err := p.Database(ctx, "postgres", "postgres", nil)
	require.NoError(t, err)
	out, err := withDB(dag.Container().From(pipeline.DefaultGolangImage), db, "SLIPWAY_TEST_DATABASE_URL").
		WithMountedCache("/go/pkg/mod", dag.CacheVolume("slipway-go-mod")).
		WithMountedCache("/root/.cache/go-build", dag.CacheVolume("slipway-go-build")).
		WithDirectory("/src", tools()).
		WithWorkdir("/src").
		WithExec([]string{"go", "test", "-count=1", "-v", "./migrator/...", "./cmd/slipway-migrate/..."}).
		Stdout(ctx)
	require.NoError(t, err)

	assert.NotContains(t, out, "--- SKIP", "no integration test may skip: the database URL is set")
	assert.NotContains(t, out, "--- FAIL")
	assert.Regexp(t, `(?m)^ok\s+github\.com/slipwayhq/slipway/migrator\s`, out)
	assert.Regexp(t, `(?m)^ok\s+github\.com/slipwayhq/slipway/cmd/slipway-migrate\s`, out)
	// Every test that needs the database ran and passed.
	tests := testNames(t, "migrator/integration_test.go")
	require.NotEmpty(t, tests)
	for _, name := range append(tests, "TestAgainstPostgres") {
		assert.Regexp(t, `(?m)^--- PASS: `+name+` \(`, out, "%s passed", name)
	}
}

// testNames lists the Test functions of a Go file in this repo.
func testNames(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), file))
	require.NoError(t, err)
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`).FindAllStringSubmatch(string(b), -1) {
		names = append(names, m[1])
	}
	return names
}

// --- failures: each names its stage, shows the evidence, gives the fix ----

func TestFailBrokenMigration(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	const broken = "20250103000000_broken"
	src := source(fixtureNotes).WithNewFile("prisma/migrations/"+broken+"/migration.sql",
		"CREATE TABLE \"Tag\" (\"id\" SERIAL PRIMARY KEY);\nCREAT TABLE \"Oops\" (\"id\" INTEGER);\n")
	p := newPipeline(src)
	image, err := p.Image(ctx)
	require.NoError(t, err)
	_, err = p.Migrate(ctx, image)
	se := requireStageError(t, err, "migrate")
	msg := err.Error()
	t.Logf("error:\n%s", msg)
	assert.Equal(t, []string{migratorBin, "deploy"}, se.Cmd)
	assert.Equal(t, 1, se.ExitCode)
	assert.Contains(t, msg, "slipway-migrate: applied 20250102000000_add_done", "the good migrations went first")
	assert.Contains(t, msg, "migration "+broken+" failed")
	assert.Contains(t, msg, `syntax error at or near "CREAT"`, "Postgres's own error text")
	assert.Contains(t, msg, "at line 2, column 1", "where in migration.sql")
	assert.Contains(t, msg, "resolve --rolled-back "+broken, "the way out")
}

func TestFailAppCrashesOnStart(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	const marker = "notes: boot check failed: SLIPWAY_E2E_CRASH is set; exiting"
	// Next.js calls register() when the server boots: an app whose boot
	// check fails says why and exits. (A throw there is not enough: Next.js
	// logs it and answers 500 instead of exiting.)
	src := source(fixtureNotes).WithNewFile("src/instrumentation.ts", `export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    console.error('`+marker+`');
    process.exit(1);
  }
}
`)
	p := newPipeline(src)
	image, err := p.Image(ctx)
	require.NoError(t, err)
	start := time.Now()
	_, err = p.Smoke(ctx, image, nil)
	t.Logf("smoke failed after %s", time.Since(start).Round(time.Second))
	requireStageError(t, err, "smoke")
	msg := err.Error()
	t.Logf("error:\n%s", msg)
	assert.Contains(t, msg, "app log (last lines):")
	assert.Contains(t, msg, marker, "the app's own last words")
	assert.Contains(t, msg, "slipway-migrate: applied 2 migrations", "it migrated, then the server died")
}

func TestFailHealthPath404(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes), func(c *pipeline.Config) { c.HealthPath = "/nope" })
	image, err := p.Image(ctx)
	require.NoError(t, err)
	_, err = p.Smoke(ctx, image, nil)
	requireStageError(t, err, "smoke")
	msg := err.Error()
	t.Logf("error:\n%s", msg)
	assert.Contains(t, msg, "GET /nope: 404", "the status the health path answered")
	assert.Contains(t, msg, "request /nope", "the fix names the path")
	assert.Contains(t, msg, "Ready in", "the app's log shows it started")
}

// The database goes unreachable for the app alone: the image migrates the
// real database, then starts the server with its URL pointed at a port where
// nothing listens, so /api/health answers 503 with the reason.
func TestFailHealth503(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	// The runner has /bin/sh but no coreutils: sh sets the variable.
	image = image.WithEntrypoint([]string{migratorBin, "start", "--",
		"/bin/sh", "-c", `DATABASE_URL=postgresql://slipway:unused@127.0.0.1:1/app exec "$@"`, "sh"},
		dagger.ContainerWithEntrypointOpts{KeepDefaultArgs: true})
	_, err = p.Smoke(ctx, image, nil)
	requireStageError(t, err, "smoke")
	msg := err.Error()
	t.Logf("error:\n%s", msg)
	assert.Contains(t, msg, "GET /api/health: 503", "the status the health path answered")
	assert.Contains(t, msg, `"status":"error"`, "the app's own answer")
}

func TestFailNoMigrationsFolder(t *testing.T) {
	ctx := ctxFor(t, 10*time.Minute)
	p := newPipeline(source(fixtureNotes).WithoutDirectory("prisma/migrations"))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	start := time.Now()
	_, err = p.Migrate(ctx, image)
	t.Logf("migrate failed after %s", time.Since(start).Round(time.Millisecond))
	requireStageError(t, err, "migrate")
	assert.Contains(t, err.Error(), "has no migrations folder")
	assert.Contains(t, err.Error(), "prisma migrate dev --name init")
}
