//go:build e2e

package tests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/migrator"
	"github.com/slipwayhq/slipway/pipeline"
)

// The Prisma compatibility test proves that slipway-migrate keeps
// _prisma_migrations as `prisma migrate deploy` does, with Prisma's own CLI
// as the judge. Prisma 7's CLI fetches a native schema engine at run time,
// which this machine cannot; Prisma 6.19's ships a WebAssembly one and runs
// migrate commands offline through a driver adapter (the 7.x adapter: the
// 6.19 one cannot read Postgres's `name` columns).
const (
	prisma6Version  = "6.19.3"
	prisma6Adapter  = "7.10.0"
	prisma6PgDriver = "8.23.1"
	// prisma6Dir is the Prisma 6 project inside the Node container.
	prisma6Dir = "/prisma6"
)

// prisma6Config runs Prisma 6's migrate commands through the pg adapter and
// the JS engine, so nothing native is loaded. The datasource URL stays in the
// schema only because Prisma 6 requires it there; the adapter is what
// connects.
const prisma6Config = `import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    // Without allowExitOnIdle the CLI lingers until pg's pool times out.
    return new PrismaPg({ connectionString: process.env.DATABASE_URL!, allowExitOnIdle: true });
  },
});
`

var (
	generatorBlock  = regexp.MustCompile(`(?s)generator client \{.*?\n\}`)
	datasourceBlock = regexp.MustCompile(`(?s)datasource db \{.*?\n\}`)
)

// prisma6Schema is the fixture's schema as Prisma 6 wants it: the same
// models, a datasource with its URL, and a generator that nothing runs.
func prisma6Schema(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "testdata", fixtureNotes, "prisma", "schema.prisma"))
	require.NoError(t, err)
	schema := string(b)
	require.Regexp(t, generatorBlock, schema, "the fixture's schema has a `generator client` block")
	require.Regexp(t, datasourceBlock, schema, "the fixture's schema has a `datasource db` block")
	schema = generatorBlock.ReplaceAllLiteralString(schema, "generator client {\n  provider = \"prisma-client-js\"\n}")
	schema = datasourceBlock.ReplaceAllLiteralString(schema, "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}")
	require.Contains(t, schema, "model Note {", "the fixture's model survived the rewrite")
	return schema
}

// prisma6 is a Node container with Prisma 6's CLI installed, the fixture's
// schema and migrations, and no database yet. The install depends only on
// the pinned versions, so Dagger reuses it on warm runs; the npm cache
// volume keeps the tarballs for when that layer is gone.
func prisma6(t *testing.T) *dagger.Container {
	t.Helper()
	pkg := `{
  "private": true,
  "dependencies": {
    "prisma": "` + prisma6Version + `",
    "@prisma/adapter-pg": "` + prisma6Adapter + `",
    "pg": "` + prisma6PgDriver + `"
  }
}
`
	return dag.Container().From(pipeline.DefaultNodeImage).
		// Prisma's tarballs, shared by every run of this test.
		WithMountedCache("/root/.npm", dag.CacheVolume("slipway-test-prisma6-npm")).
		WithWorkdir(prisma6Dir).
		WithNewFile("package.json", pkg).
		WithExec([]string{"npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"}).
		// Prisma 6 looks for native engines unless these name a file; the
		// JS engine and the WebAssembly schema engine never open them.
		WithNewFile("no-native-engine", "").
		WithEnvVariable("PRISMA_QUERY_ENGINE_LIBRARY", prisma6Dir+"/no-native-engine").
		WithEnvVariable("PRISMA_SCHEMA_ENGINE_BINARY", prisma6Dir+"/no-native-engine").
		// No update check or telemetry: nothing but npm is reachable.
		WithEnvVariable("CHECKPOINT_DISABLE", "1").
		WithEnvVariable("PRISMA_HIDE_UPDATE_MESSAGE", "1").
		WithNewFile("prisma.config.ts", prisma6Config).
		WithNewFile("prisma/schema.prisma", prisma6Schema(t)).
		WithDirectory("prisma/migrations", source(fixtureNotes).Directory("prisma/migrations"))
}

// prismaRun is one run of the Prisma CLI against db: its exit code and its
// stdout and stderr together.
func prismaRun(t *testing.T, ctx context.Context, ctr *dagger.Container, db *pipeline.DB, args ...string) (int, string) {
	t.Helper()
	return runAgainst(t, ctx, ctr, db, append([]string{"npx", "--no-install", "prisma"}, args...))
}

// slipwayRun is one run of the image's slipway-migrate against db: its exit
// code and its stdout and stderr together.
func slipwayRun(t *testing.T, ctx context.Context, image *dagger.Container, db *pipeline.DB, args ...string) (int, string) {
	t.Helper()
	return runAgainst(t, ctx, image, db, append([]string{migratorBin}, args...))
}

// runAgainst runs cmd in ctr bound to db, whatever its exit code.
func runAgainst(t *testing.T, ctx context.Context, ctr *dagger.Container, db *pipeline.DB, cmd []string) (int, string) {
	t.Helper()
	start := time.Now()
	ran, err := withDB(ctr, db, "DATABASE_URL").
		WithExec(cmd, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).
		Sync(ctx)
	require.NoError(t, err, "%s", strings.Join(cmd, " "))
	code, err := ran.ExitCode(ctx)
	require.NoError(t, err)
	stdout, err := ran.Stdout(ctx)
	require.NoError(t, err)
	stderr, err := ran.Stderr(ctx)
	require.NoError(t, err)
	out := stdout + stderr
	t.Logf("%s: exit %d after %s:\n%s", strings.Join(cmd, " "), code, time.Since(start).Round(time.Millisecond), out)
	return code, out
}

// fixtureChecksums is "name|sha256 hex of migration.sql" for each of the
// fixture's migrations, in name order: what psql prints for checksumRows.
// It hashes the files itself, and checks that the migrator agrees.
func fixtureChecksums(t *testing.T) string {
	t.Helper()
	root := filepath.Join(repoRoot(), "testdata", fixtureNotes)
	var lines []string
	for _, name := range notesMigrations {
		script, err := os.ReadFile(filepath.Join(root, "prisma", "migrations", name, "migration.sql"))
		require.NoError(t, err)
		sum := sha256.Sum256(script)
		lines = append(lines, name+"|"+hex.EncodeToString(sum[:]))
	}
	ms, err := migrator.Load(os.DirFS(root), "prisma/migrations")
	require.NoError(t, err)
	var loaded []string
	for _, m := range ms {
		loaded = append(loaded, m.Name+"|"+m.Checksum)
	}
	require.Equal(t, lines, loaded, "the migrator loads the fixture's migrations with these checksums")
	return strings.Join(lines, "\n")
}

const checksumRows = `SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name`

const prismaUpToDate = "Database schema is up to date!"

// Slipway migrates a fresh database; Prisma's own `migrate status` finds it
// up to date, and finds it not once a row is broken.
func TestPrismaAcceptsSlipwayMigrations(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	want := fixtureChecksums(t)
	p := newPipeline(source(fixtureNotes))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	db := startDatabase(t, ctx, p, testDBUser, testDBName)

	out, err := withDB(image, db, "DATABASE_URL").WithExec([]string{migratorBin, "deploy"}).Stdout(ctx)
	require.NoError(t, err, "slipway-migrate deploy")
	require.Contains(t, out, "slipway-migrate: applied 2 migrations (0 already applied)")
	assert.Equal(t, onceEach(notesMigrations...), psql(t, ctx, db, migrationRows))
	assert.Equal(t, want, psql(t, ctx, db, checksumRows), "each checksum is the sha256 of its migration.sql")

	prisma := prisma6(t)
	code, out := prismaRun(t, ctx, prisma, db, "migrate", "status")
	assert.Equal(t, 0, code, "prisma migrate status on the database slipway migrated")
	assert.Contains(t, out, prismaUpToDate)
	assert.Contains(t, out, `PostgreSQL database "app", schema "public" using driver adapter`, "Prisma read the test database")
	assert.Contains(t, out, "2 migrations found in prisma/migrations")

	// Negative controls: Prisma notices a broken record, so the pass above
	// means something.
	t.Run("unfinished row", func(t *testing.T) {
		const name = "20250101000000_init"
		psql(t, ctx, db, `UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = '`+name+`'`)
		defer psql(t, ctx, db, `UPDATE _prisma_migrations SET finished_at = started_at WHERE migration_name = '`+name+`'`)
		code, out := prismaRun(t, ctx, prisma, db, "migrate", "status")
		assert.NotEqual(t, 0, code, "prisma migrate status with %s unfinished", name)
		assert.NotContains(t, out, prismaUpToDate)
		assert.Contains(t, out, "Following migration have failed:\n"+name+"\n")
		assert.Contains(t, out, "migrate resolve")
	})
	t.Run("missing row", func(t *testing.T) {
		const name = "20250102000000_add_done"
		psql(t, ctx, db, `DELETE FROM _prisma_migrations WHERE migration_name = '`+name+`'`)
		code, out := prismaRun(t, ctx, prisma, db, "migrate", "status")
		assert.NotEqual(t, 0, code, "prisma migrate status with no row for %s", name)
		assert.NotContains(t, out, prismaUpToDate)
		assert.Contains(t, out, "Following migration have not yet been applied:\n"+name+"\n")
	})
}

// Prisma migrates a fresh database; slipway-migrate finds it up to date, and
// Prisma's rows carry the checksums slipway computes.
func TestSlipwayAcceptsPrismaMigrations(t *testing.T) {
	ctx := ctxFor(t, 30*time.Minute)
	want := fixtureChecksums(t)
	p := newPipeline(source(fixtureNotes))
	image, err := p.Image(ctx)
	require.NoError(t, err)
	db := startDatabase(t, ctx, p, testDBUser, testDBName)

	prisma := prisma6(t)
	code, out := prismaRun(t, ctx, prisma, db, "migrate", "deploy")
	require.Equal(t, 0, code, "prisma migrate deploy on a fresh database")
	assert.Contains(t, out, "All migrations have been successfully applied.")
	assert.Equal(t, onceEach(notesMigrations...), psql(t, ctx, db, migrationRows), "Prisma's own rows")
	assert.Equal(t, want, psql(t, ctx, db, checksumRows), "Prisma's checksums are the sha256 of each migration.sql, as slipway computes them")

	code, out = slipwayRun(t, ctx, image, db, "status")
	assert.Equal(t, 0, code, "slipway-migrate status after prisma migrate deploy")
	assert.Regexp(t, `(?m)^applied\s+20250101000000_init\napplied\s+20250102000000_add_done\n`, out)
	assert.Contains(t, out, "slipway-migrate: database is up to date (2 migrations applied)")
	assert.NotContains(t, out, "changed after it was applied", "no checksum differs")

	code, out = slipwayRun(t, ctx, image, db, "deploy")
	assert.Equal(t, 0, code, "slipway-migrate deploy after prisma migrate deploy")
	assert.Contains(t, out, "slipway-migrate: database is up to date: all 2 migrations already applied, nothing to do")
	assert.NotContains(t, out, "slipway-migrate: applied ")
	assert.NotContains(t, out, "warning:", "no checksum differs, no migration is missing")
	assert.Equal(t, onceEach(notesMigrations...), psql(t, ctx, db, migrationRows), "slipway added no row")
}
