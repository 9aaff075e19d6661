package migrator_test

// Integration tests: they run against a real Postgres when
// SLIPWAY_TEST_DATABASE_URL is set (see migratortest.EnvURL) and skip otherwise.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/migrator"
	"github.com/slipwayhq/slipway/migrator/migratortest"
)

const (
	initSQL = `-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`
	postsSQL = `CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "authorId" INTEGER NOT NULL REFERENCES "User"("id"),
    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);
`
	// The first statement succeeds; the implicit transaction must undo it.
	brokenSQL = "CREATE TABLE \"Tag\" (id int);\n-- typo below\nCREAT TABLE \"Oops\" (id int);\n"
	fixedSQL  = "CREATE TABLE \"Tag\" (id int);\n-- typo fixed\nCREATE TABLE \"Oops\" (id int);\n"
	laterSQL  = `ALTER TABLE "User" ADD COLUMN "name" TEXT;`
)

// load builds migrations from name → SQL through Load, as the binary does.
func load(t *testing.T, scripts map[string]string) []migrator.Migration {
	t.Helper()
	fsys := fstest.MapFS{"migrations/migration_lock.toml": {Data: []byte(`provider = "postgresql"`)}}
	for name, sql := range scripts {
		fsys["migrations/"+name+"/migration.sql"] = &fstest.MapFile{Data: []byte(sql)}
	}
	ms, err := migrator.Load(fsys, "migrations")
	require.NoError(t, err)
	return ms
}

func open(t *testing.T, rawURL string) *migrator.Session {
	t.Helper()
	target, err := migrator.ParseURL(rawURL)
	require.NoError(t, err)
	s, err := migrator.Open(context.Background(), target, migrator.Options{WaitTimeout: 10 * time.Second, Logf: t.Logf})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

type row struct {
	ID, Checksum, Name string
	Logs               *string
	StartedAt          time.Time
	FinishedAt         *time.Time
	RolledBackAt       *time.Time
	AppliedStepsCount  int
}

// rows reads _prisma_migrations directly, not through the migrator.
func rows(t *testing.T, conn *pgx.Conn) []row {
	t.Helper()
	rs, err := conn.Query(context.Background(), `SELECT id, checksum, migration_name, logs, started_at, finished_at, rolled_back_at, applied_steps_count
		FROM _prisma_migrations ORDER BY started_at, migration_name`)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.ID, &x.Checksum, &x.Name, &x.Logs, &x.StartedAt, &x.FinishedAt, &x.RolledBackAt, &x.AppliedStepsCount)
		return x, err
	})
	require.NoError(t, err)
	return out
}

func names(rs []row) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

func TestFreshApplyThenNoop(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ms := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_posts": postsSQL})
	ctx := context.Background()

	res, err := open(t, url).Migrate(ctx, ms)
	require.NoError(t, err)
	assert.Equal(t, []string{"20240101000000_init", "20240102000000_posts"}, res.Applied)
	assert.Empty(t, res.Skipped)
	assert.Empty(t, res.Warnings)

	conn := migratortest.Conn(t, url)
	_, err = conn.Exec(ctx, `INSERT INTO "User"(email) VALUES ('a@example.com'); INSERT INTO "Post"("authorId") VALUES (1)`)
	require.NoError(t, err, "the migrations' tables exist and work")

	again, err := open(t, url).Migrate(ctx, ms)
	require.NoError(t, err)
	assert.Empty(t, again.Applied, "a second run applies nothing")
	assert.Equal(t, []string{"20240101000000_init", "20240102000000_posts"}, again.Skipped)
	assert.Len(t, rows(t, conn), 2, "a second run writes no rows")
}

func TestAppliesInFolderByteOrder(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	// Byte order: "Z" (0x5a) < "a" (0x61) < "b"; each step needs the one before.
	ms := load(t, map[string]string{
		"20240101_b_third":  `INSERT INTO steps VALUES (3, 'b');`,
		"20240101_a_second": `INSERT INTO steps VALUES (2, 'a');`,
		"20240101_Z_first":  `CREATE TABLE steps (n int, tag text);`,
	})
	res, err := open(t, url).Migrate(context.Background(), ms)
	require.NoError(t, err)
	assert.Equal(t, []string{"20240101_Z_first", "20240101_a_second", "20240101_b_third"}, res.Applied)

	conn := migratortest.Conn(t, url)
	assert.Equal(t, []string{"20240101_Z_first", "20240101_a_second", "20240101_b_third"}, names(rows(t, conn)))
	assert.Equal(t, 2, queryInt(t, conn, "SELECT count(*) FROM steps"))
}

func TestSchemaParameter(t *testing.T) {
	url, schema := migratortest.FreshSchema(t) // mixed case: it must be quoted
	// Prisma-only parameters that Postgres would refuse as startup settings.
	url += "&connection_limit=3&pool_timeout=5&statement_cache_size=0"

	ms := load(t, map[string]string{"20240101000000_init": initSQL})
	_, err := open(t, url).Migrate(context.Background(), ms)
	require.NoError(t, err)

	conn := migratortest.Conn(t, migratortest.URL(t))
	for _, table := range []string{"_prisma_migrations", "User"} {
		assert.Equal(t, 1, queryInt(t, conn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2", schema, table),
			"%s belongs in schema %s", table, schema)
		assert.Equal(t, 0, queryInt(t, conn, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1", table),
			"%s must not land in public", table)
	}
}

func TestBrokenMigrationBlocksUntilRolledBack(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ctx := context.Background()
	broken := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_tags": brokenSQL, "20240103000000_later": laterSQL})

	res, err := open(t, url).Migrate(ctx, broken)
	var se *migrator.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "20240102000000_tags", se.Migration)
	assert.Equal(t, "42601", se.Code)
	assert.Equal(t, 3, se.Line)
	assert.Contains(t, err.Error(), "migration 20240102000000_tags failed")
	assert.Contains(t, err.Error(), `syntax error at or near "CREAT"`)
	assert.Equal(t, []string{"20240101000000_init"}, res.Applied, "what ran before the failure is reported")

	conn := migratortest.Conn(t, url)
	rs := rows(t, conn)
	require.Equal(t, []string{"20240101000000_init", "20240102000000_tags"}, names(rs), "the later migration is not started")
	failed := rs[1]
	assert.Nil(t, failed.FinishedAt)
	assert.Nil(t, failed.RolledBackAt)
	assert.Equal(t, 0, failed.AppliedStepsCount)
	require.NotNil(t, failed.Logs)
	assert.Contains(t, *failed.Logs, "Database error code: 42601")
	assert.Contains(t, *failed.Logs, `syntax error at or near "CREAT"`)
	assert.Contains(t, *failed.Logs, "line 3")
	assert.Equal(t, 0, queryInt(t, conn, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'Tag'`),
		"the script ran in one implicit transaction: its first statement was rolled back")

	// The next run refuses, naming the migration and the way out.
	_, err = open(t, url).Migrate(ctx, broken)
	require.ErrorIs(t, err, migrator.ErrFailedMigration)
	assert.Contains(t, err.Error(), "migration 20240102000000_tags")
	assert.Contains(t, err.Error(), "slipway-migrate resolve --rolled-back 20240102000000_tags")
	assert.Len(t, rows(t, conn), 2, "a refused run writes nothing")

	// Resolve as rolled back, fix the script, deploy again.
	require.NoError(t, open(t, url).Resolve(ctx, broken, "20240102000000_tags", migrator.ResolveRolledBack))
	fixed := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_tags": fixedSQL, "20240103000000_later": laterSQL})
	res, err = open(t, url).Migrate(ctx, fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"20240102000000_tags", "20240103000000_later"}, res.Applied)

	rs = rows(t, conn)
	require.Len(t, rs, 4)
	assert.NotNil(t, rs[1].RolledBackAt, "the failed attempt stays, marked rolled back")
	assert.Equal(t, "20240102000000_tags", rs[2].Name)
	assert.NotNil(t, rs[2].FinishedAt)
	assert.Equal(t, 1, queryInt(t, conn, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'Oops'`))
}

func TestResolveApplied(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ctx := context.Background()
	broken := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_tags": brokenSQL, "20240103000000_later": laterSQL})
	_, err := open(t, url).Migrate(ctx, broken)
	require.Error(t, err)

	// The operator makes the intended change by hand, then records it.
	conn := migratortest.Conn(t, url)
	_, err = conn.Exec(ctx, `CREATE TABLE "Tag" (id int); CREATE TABLE "Oops" (id int)`)
	require.NoError(t, err)
	s := open(t, url)
	require.NoError(t, s.Resolve(ctx, broken, "20240102000000_tags", migrator.ResolveApplied))

	rs := rows(t, conn)
	require.Len(t, rs, 3)
	assert.NotNil(t, rs[1].RolledBackAt, "the failed row is closed")
	assert.Equal(t, "20240102000000_tags", rs[2].Name)
	assert.NotNil(t, rs[2].FinishedAt)
	assert.Nil(t, rs[2].RolledBackAt)
	assert.Equal(t, 0, rs[2].AppliedStepsCount, "as prisma migrate resolve --applied records it")
	assert.Equal(t, sha256Hex(brokenSQL), rs[2].Checksum)

	res, err := s.Migrate(ctx, broken)
	require.NoError(t, err)
	assert.Equal(t, []string{"20240103000000_later"}, res.Applied)

	// Wrong uses say what is wrong.
	err = s.Resolve(ctx, broken, "20240102000000_tags", migrator.ResolveApplied)
	require.ErrorIs(t, err, migrator.ErrNothingToResolve)
	assert.Contains(t, err.Error(), "already recorded as applied")
	err = s.Resolve(ctx, broken, "20240101000000_init", migrator.ResolveRolledBack)
	require.ErrorIs(t, err, migrator.ErrNothingToResolve)
	assert.Contains(t, err.Error(), "not in a failed state")
	err = s.Resolve(ctx, broken, "tags", migrator.ResolveRolledBack)
	require.ErrorIs(t, err, migrator.ErrUnknownMigration)
	assert.Contains(t, err.Error(), "never applied")
	err = s.Resolve(ctx, broken, "tags", migrator.ResolveApplied)
	require.ErrorIs(t, err, migrator.ErrUnknownMigration)
	assert.Contains(t, err.Error(), "not in the migrations folder")
}

func TestChangedChecksumWarns(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ctx := context.Background()
	_, err := open(t, url).Migrate(ctx, load(t, map[string]string{"20240101000000_init": initSQL}))
	require.NoError(t, err)

	edited := load(t, map[string]string{"20240101000000_init": initSQL + "-- edited after deploy\n"})
	s := open(t, url)
	res, err := s.Migrate(ctx, edited)
	require.NoError(t, err, "a changed checksum warns, it does not fail")
	assert.Empty(t, res.Applied)
	assert.Equal(t, []string{"20240101000000_init"}, res.Skipped)
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "20240101000000_init was modified after it was applied")

	st, err := s.Status(ctx, edited)
	require.NoError(t, err)
	require.Len(t, st.Migrations, 1)
	assert.True(t, st.Migrations[0].ChecksumChanged)
	assert.True(t, st.UpToDate())
}

func TestConcurrentMigratorsApplyEachOnce(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ms := load(t, map[string]string{
		"20240101000000_counter": `CREATE TABLE counter (n int); SELECT pg_sleep(0.2);`,
		"20240102000000_one":     `INSERT INTO counter VALUES (1);`,
		"20240103000000_two":     `INSERT INTO counter VALUES (2);`,
	})
	const replicas = 4
	sessions := make([]*migrator.Session, replicas)
	for i := range sessions {
		sessions[i] = open(t, url) // separate connections, opened up front
	}
	results := make([]*migrator.Result, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Go(func() { results[i], errs[i] = sessions[i].Migrate(context.Background(), ms) })
	}
	wg.Wait()

	applied := map[string]int{}
	for i := range results {
		require.NoError(t, errs[i], "replica %d", i)
		for _, name := range results[i].Applied {
			applied[name]++
		}
	}
	assert.Equal(t, map[string]int{"20240101000000_counter": 1, "20240102000000_one": 1, "20240103000000_two": 1}, applied,
		"each migration applied by exactly one replica")
	conn := migratortest.Conn(t, url)
	assert.Equal(t, []string{"20240101000000_counter", "20240102000000_one", "20240103000000_two"}, names(rows(t, conn)))
	assert.Equal(t, 2, queryInt(t, conn, "SELECT count(*) FROM counter"), "each insert ran once")
}

// TestPrismaBookkeeping checks the table and rows against what
// `prisma migrate deploy` creates and writes.
func TestPrismaBookkeeping(t *testing.T) {
	url, schema := migratortest.FreshSchema(t)
	scripts := map[string]string{"20240101000000_init": initSQL, "20240102000000_posts": postsSQL}
	_, err := open(t, url).Migrate(context.Background(), load(t, scripts))
	require.NoError(t, err)
	conn := migratortest.Conn(t, url)

	type column struct {
		Name, Type string
		MaxLen     *int
		Nullable   string
		Default    *string
	}
	rs, err := conn.Query(context.Background(), `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position`, schema)
	require.NoError(t, err)
	cols, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.Name, &c.Type, &c.MaxLen, &c.Nullable, &c.Default)
	})
	require.NoError(t, err)
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	assert.Equal(t, []column{
		{"id", "character varying", n(36), "NO", nil},
		{"checksum", "character varying", n(64), "NO", nil},
		{"finished_at", "timestamp with time zone", nil, "YES", nil},
		{"migration_name", "character varying", n(255), "NO", nil},
		{"logs", "text", nil, "YES", nil},
		{"rolled_back_at", "timestamp with time zone", nil, "YES", nil},
		{"started_at", "timestamp with time zone", nil, "NO", s("now()")},
		{"applied_steps_count", "integer", nil, "NO", s("0")},
	}, cols)

	var pk []string
	rs, err = conn.Query(context.Background(), `SELECT kcu.column_name FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
		WHERE tc.table_schema = $1 AND tc.table_name = '_prisma_migrations' AND tc.constraint_type = 'PRIMARY KEY'`, schema)
	require.NoError(t, err)
	pk, err = pgx.CollectRows(rs, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, []string{"id"}, pk)

	got := rows(t, conn)
	require.Len(t, got, 2)
	for _, r := range got {
		assert.Equal(t, sha256Hex(scripts[r.Name]), r.Checksum, "%s: checksum is sha256 of migration.sql", r.Name)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.ID, "%s: id is a UUID v4", r.Name)
		require.NotNil(t, r.FinishedAt, r.Name)
		assert.False(t, r.FinishedAt.Before(r.StartedAt), "%s: finished_at >= started_at", r.Name)
		assert.Nil(t, r.RolledBackAt, r.Name)
		assert.Nil(t, r.Logs, r.Name)
		assert.Equal(t, 1, r.AppliedStepsCount, r.Name)
	}
}

func TestStatus(t *testing.T) {
	url, schema := migratortest.FreshSchema(t)
	ctx := context.Background()
	ms := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_posts": postsSQL})

	s := open(t, url)
	st, err := s.Status(ctx, ms)
	require.NoError(t, err)
	assert.Equal(t, 2, st.Count(migrator.StatePending))
	assert.False(t, st.UpToDate())
	conn := migratortest.Conn(t, migratortest.URL(t))
	assert.Equal(t, 0, queryInt(t, conn, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema), "status changes nothing")

	_, err = s.Migrate(ctx, ms[:1])
	require.NoError(t, err)
	st, err = s.Status(ctx, ms)
	require.NoError(t, err)
	assert.Equal(t, migrator.StateApplied, st.Migrations[0].State)
	assert.Equal(t, migrator.StatePending, st.Migrations[1].State)

	_, err = s.Migrate(ctx, ms)
	require.NoError(t, err)
	st, err = s.Status(ctx, ms[:1])
	require.NoError(t, err)
	require.Len(t, st.Migrations, 2)
	assert.Equal(t, migrator.StateMissing, st.Migrations[1].State, "applied, but gone from the folder")
	assert.False(t, st.UpToDate())
}

func TestScriptLeavingTransactionOpenFails(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ms := load(t, map[string]string{"20240101000000_open_tx": "BEGIN;\nCREATE TABLE never (id int);\n"})
	_, err := open(t, url).Migrate(context.Background(), ms)
	var se *migrator.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "left a transaction open")
	conn := migratortest.Conn(t, url)
	assert.Equal(t, 0, queryInt(t, conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'never'"))
	rs := rows(t, conn)
	require.Len(t, rs, 1)
	assert.Nil(t, rs[0].FinishedAt)
	require.NotNil(t, rs[0].Logs, "the failure is recorded after the rollback")
}

func TestCreatesMissingDatabase(t *testing.T) {
	url, database := migratortest.FreshDatabase(t)
	target, err := migrator.ParseURL(url)
	require.NoError(t, err)
	ctx := context.Background()

	_, err = migrator.Open(ctx, target, migrator.Options{WaitTimeout: 5 * time.Second})
	require.Error(t, err, "without CreateDatabase a missing database is an error")
	assert.Contains(t, err.Error(), fmt.Sprintf("%q does not exist", database))

	var logs []string
	s, err := migrator.Open(ctx, target, migrator.Options{WaitTimeout: 5 * time.Second, CreateDatabase: true,
		Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
	require.NoError(t, err)
	defer s.Close(ctx)
	assert.Contains(t, logs, fmt.Sprintf("created database %q", database))
	res, err := s.Migrate(ctx, load(t, map[string]string{"20240101000000_init": initSQL}))
	require.NoError(t, err)
	assert.Equal(t, []string{"20240101000000_init"}, res.Applied)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func openWith(t *testing.T, rawURL string, opts migrator.Options) *migrator.Session {
	t.Helper()
	target, err := migrator.ParseURL(rawURL)
	require.NoError(t, err)
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = 10 * time.Second
	}
	opts.Logf = t.Logf
	s, err := migrator.Open(context.Background(), target, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// A migration applied from a CRLF checkout is accepted from an LF one and the
// other way round: no warning, no changed checksum, nothing applied again.
func TestLineEndingsDoNotChangeChecksum(t *testing.T) {
	lf := initSQL
	crlf := strings.ReplaceAll(initSQL, "\n", "\r\n")
	for _, tc := range []struct{ name, applied, checkout string }{
		{"applied from CRLF, read from LF", crlf, lf},
		{"applied from LF, read from CRLF", lf, crlf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := migratortest.FreshSchema(t)
			ctx := context.Background()
			_, err := open(t, url).Migrate(ctx, load(t, map[string]string{"20240101000000_init": tc.applied}))
			require.NoError(t, err)

			checkout := load(t, map[string]string{"20240101000000_init": tc.checkout, "20240102000000_later": laterSQL})
			s := open(t, url)
			res, err := s.Migrate(ctx, checkout)
			require.NoError(t, err)
			assert.Empty(t, res.Warnings, "only the line endings differ")
			assert.Equal(t, []string{"20240101000000_init"}, res.Skipped)
			assert.Equal(t, []string{"20240102000000_later"}, res.Applied)

			st, err := s.Status(ctx, checkout)
			require.NoError(t, err)
			assert.False(t, st.Migrations[0].ChecksumChanged)
			assert.True(t, st.UpToDate())

			rs := rows(t, migratortest.Conn(t, url))
			require.Len(t, rs, 2)
			assert.Equal(t, sha256Hex(tc.applied), rs[0].Checksum, "the recorded checksum is the applied file's")
			assert.Equal(t, sha256Hex(laterSQL), rs[1].Checksum)
		})
	}
}

// Waiting for another migrator's lock has a limit, with a message that says
// what holds it and what to do.
func TestLockTimeout(t *testing.T) {
	// A database of its own: the advisory lock is per database, and holding
	// it must not stall tests running against the shared one.
	url, _ := migratortest.FreshDatabase(t)
	openWith(t, url, migrator.Options{CreateDatabase: true})
	ms := load(t, map[string]string{"20240101000000_init": initSQL})
	ctx := context.Background()

	holder := migratortest.Conn(t, url)
	_, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", migrator.LockKey)
	require.NoError(t, err)

	s := openWith(t, url, migrator.Options{LockTimeout: 700 * time.Millisecond})
	begin := time.Now()
	_, err = s.Migrate(ctx, ms)
	waited := time.Since(begin)
	require.ErrorIs(t, err, migrator.ErrLockTimeout)
	assert.GreaterOrEqual(t, waited, 700*time.Millisecond)
	assert.Less(t, waited, 5*time.Second)
	msg := err.Error()
	assert.Contains(t, msg, "another migration holds the lock (pg_advisory_lock(72707369))")
	assert.Contains(t, msg, fmt.Sprintf("backend pid %d", holder.PgConn().PID()), "the holder is named")
	assert.Contains(t, msg, "did not release it after 700ms")
	assert.Contains(t, msg, "SLIPWAY_MIGRATE_LOCK_TIMEOUT (or --lock-timeout)")
	assert.Contains(t, msg, "pg_terminate_backend")
	assert.Equal(t, 0, queryInt(t, holder, "SELECT count(*) FROM information_schema.tables WHERE table_name = '_prisma_migrations'"),
		"nothing was done without the lock")

	err = s.Resolve(ctx, ms, "20240101000000_init", migrator.ResolveApplied)
	require.ErrorIs(t, err, migrator.ErrLockTimeout, "resolve waits no longer")

	// Released within the limit: the waiter goes ahead.
	waiter := openWith(t, url, migrator.Options{LockTimeout: 5 * time.Second})
	released := make(chan error, 1)
	time.AfterFunc(300*time.Millisecond, func() {
		_, err := holder.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrator.LockKey)
		released <- err
	})
	res, err := waiter.Migrate(ctx, ms)
	require.NoError(t, <-released) // holder is the test's again
	require.NoError(t, err)
	assert.Equal(t, []string{"20240101000000_init"}, res.Applied)
}

// A migration interrupted mid-script (SIGTERM cancels the binary's context)
// is cancelled on the server and recorded as failed, so the next deploy stops
// at it until it is resolved, as after a failed script.
func TestInterruptedMigrationIsRecordedAsFailed(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	slow := "CREATE TABLE \"Slow\" (id int);\nSELECT pg_sleep(5);\n"
	ms := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_slow": slow, "20240103000000_later": laterSQL})

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	time.AfterFunc(700*time.Millisecond, func() { cancel(errors.New("interrupted by SIGTERM")) })
	begin := time.Now()
	res, err := open(t, url).Migrate(ctx, ms)
	assert.Less(t, time.Since(begin), 4*time.Second, "the script was cancelled on the server, not waited for")
	var se *migrator.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "20240102000000_slow", se.Migration)
	assert.Equal(t, "interrupted by SIGTERM", se.Interrupted)
	assert.Contains(t, err.Error(), "migration 20240102000000_slow was interrupted by SIGTERM before it finished, and is recorded as failed")
	assert.Equal(t, []string{"20240101000000_init"}, res.Applied)

	conn := migratortest.Conn(t, url)
	rs := rows(t, conn)
	require.Equal(t, []string{"20240101000000_init", "20240102000000_slow"}, names(rs), "the later migration is not started")
	assert.Nil(t, rs[1].FinishedAt)
	assert.Nil(t, rs[1].RolledBackAt)
	require.NotNil(t, rs[1].Logs, "the interruption is recorded")
	assert.Contains(t, *rs[1].Logs, "Migration name: 20240102000000_slow")
	assert.Contains(t, *rs[1].Logs, "interrupted by SIGTERM")
	assert.Equal(t, 0, queryInt(t, conn, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'Slow'`),
		"the script's transaction was rolled back")

	// Like a failed migration (Prisma's P3009): deploy refuses, status says failed.
	s := open(t, url)
	_, err = s.Migrate(context.Background(), ms)
	require.ErrorIs(t, err, migrator.ErrFailedMigration)
	assert.Contains(t, err.Error(), "migration 20240102000000_slow")
	assert.Contains(t, err.Error(), "interrupted by SIGTERM")
	st, err := s.Status(context.Background(), ms)
	require.NoError(t, err)
	assert.Equal(t, migrator.StateFailed, st.Migrations[1].State)

	// resolve clears it; the next deploy applies it again, then the rest.
	require.NoError(t, s.Resolve(context.Background(), ms, "20240102000000_slow", migrator.ResolveRolledBack))
	fixed := load(t, map[string]string{"20240101000000_init": initSQL, "20240102000000_slow": `CREATE TABLE "Slow" (id int);`, "20240103000000_later": laterSQL})
	res, err = s.Migrate(context.Background(), fixed)
	require.NoError(t, err)
	assert.Equal(t, []string{"20240102000000_slow", "20240103000000_later"}, res.Applied)
}

// A context cancelled without a cause says so in the logs.
func TestCancelledMigrationLogsTheContext(t *testing.T) {
	url, _ := migratortest.FreshSchema(t)
	ms := load(t, map[string]string{"20240101000000_slow": "SELECT pg_sleep(5);"})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := open(t, url).Migrate(ctx, ms)
	var se *migrator.ScriptError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "interrupted (context deadline exceeded)", se.Interrupted)
	rs := rows(t, migratortest.Conn(t, url))
	require.Len(t, rs, 1)
	assert.Nil(t, rs[0].FinishedAt)
	require.NotNil(t, rs[0].Logs)
	assert.Contains(t, *rs[0].Logs, "interrupted (context deadline exceeded)")
}
