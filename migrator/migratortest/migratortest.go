// Package migratortest gives integration tests their own schema or database
// on the Postgres named by SLIPWAY_TEST_DATABASE_URL, and skips them when it
// is unset, so `go test ./...` needs no database.
package migratortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/migrator"
)

// EnvURL names the variable holding the test database URL: a role that may
// create schemas and databases, e.g.
// postgresql://postgres:postgres@localhost:5432/postgres.
const EnvURL = "SLIPWAY_TEST_DATABASE_URL"

// URL returns the test database URL, or skips the test when it is unset.
func URL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		t.Skipf("integration test: set %s to a Postgres URL (a role that may create schemas and databases) to run it", EnvURL)
	}
	return raw
}

// FreshSchema returns the test URL with ?schema= set to a new, unique,
// mixed-case (so it needs quoting) schema name. The schema is not created (the
// migrator must do that); it is dropped when the test ends.
func FreshSchema(t testing.TB) (rawURL, schema string) {
	t.Helper()
	base := URL(t)
	schema = "Slipway_T_" + randomHex(t)
	u, err := url.Parse(base)
	require.NoError(t, err, "parse %s", EnvURL)
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	t.Cleanup(func() {
		exec(t, base, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	return u.String(), schema
}

// FreshDatabase returns the test URL pointed at a database that does not
// exist yet; it is dropped (if created) when the test ends.
func FreshDatabase(t testing.TB) (rawURL, database string) {
	t.Helper()
	base := URL(t)
	database = "slipway_t_" + randomHex(t)
	u, err := url.Parse(base)
	require.NoError(t, err, "parse %s", EnvURL)
	u.Path = "/" + database
	t.Cleanup(func() {
		exec(t, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{database}.Sanitize()+" WITH (FORCE)")
	})
	return u.String(), database
}

// Conn opens a plain connection to rawURL (a Prisma URL: its search_path is
// the URL's schema), closed when the test ends.
func Conn(t testing.TB, rawURL string) *pgx.Conn {
	t.Helper()
	target, err := migrator.ParseURL(rawURL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, target.Config)
	require.NoError(t, err, "connect to %s", target)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func exec(t testing.TB, rawURL, sql string) {
	t.Helper()
	target, err := migrator.ParseURL(rawURL)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, target.Config)
	if err == nil {
		_, err = conn.Exec(ctx, sql)
		_ = conn.Close(ctx)
	}
	if err != nil {
		t.Errorf("cleanup %q: %v", sql, err)
	}
}

func randomHex(t testing.TB) string {
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return hex.EncodeToString(b[:])
}
