package migrator

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultSchema is the schema Prisma uses when the URL has no ?schema=.
const DefaultSchema = "public"

// prismaOnlyParams are URL parameters Prisma's engines read and pgx does not
// know: left in, pgx would send them to Postgres as settings and the server
// would refuse the connection. sslcert and sslaccept are translated first (see
// ParseURL).
var prismaOnlyParams = []string{
	"schema",
	"connection_limit",
	"pool_timeout",
	"pgbouncer",
	"statement_cache_size",
	"socket_timeout",
	"max_connection_lifetime",
	"max_idle_connection_lifetime",
	"sslaccept",
	"sslidentity",
	"sslpassword",
}

// Target is a parsed Prisma database URL.
type Target struct {
	// Config is what pgx connects with: Prisma-only parameters removed, and
	// search_path set to Schema.
	Config *pgx.ConnConfig
	// Schema is the ?schema= value, or "public".
	Schema string
	// Redacted is the URL with its password masked, for messages.
	Redacted string
	// Dropped lists the URL parameters not passed to pgx as given (Prisma-only
	// ones, and a translated sslcert), sorted.
	Dropped []string
	// Warnings are things about the URL a user should know (pgbouncer=true).
	Warnings []string
}

// String returns the redacted URL.
func (t *Target) String() string { return t.Redacted }

// ParseURL reads a database URL in the form Prisma accepts
// (postgresql://USER:PASSWORD@HOST:PORT/DATABASE?schema=NAME&...).
//
// Prisma's TLS parameters mean something else to libpq and pgx: Prisma's
// sslcert is the server's CA (libpq's sslrootcert), checked only with
// sslaccept=strict. So with sslaccept=strict, sslcert becomes sslrootcert and
// sslmode=require becomes verify-full; otherwise (Prisma's default,
// accept_invalid_certs) sslcert is dropped. A URL that also has sslkey or
// sslrootcert is taken to be libpq-style and its sslcert is left alone.
// Relative certificate paths are read from the working directory.
func ParseURL(raw string) (*Target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: it is empty: set it to postgresql://USER:PASSWORD@HOST:5432/DATABASE?schema=public", ErrInvalidURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's message quotes the input, password included: don't pass it on.
		return nil, fmt.Errorf("%w: it is not a valid URL (check that special characters in the password are percent-encoded): expected postgresql://USER:PASSWORD@HOST:5432/DATABASE", ErrInvalidURL)
	}
	switch u.Scheme {
	case "postgresql", "postgres":
	case "prisma", "prisma+postgres":
		// Its api_key is a secret: show no more than the scheme.
		return nil, fmt.Errorf("%w: %s:// is a Prisma Accelerate/Prisma Postgres URL, which cannot run migrations: use the database's direct URL (for example set SLIPWAY_DATABASE_URL_ENV=DIRECT_URL)", ErrInvalidURL, u.Scheme)
	default:
		return nil, fmt.Errorf("%w: the scheme must be postgresql:// or postgres://, got %q", ErrInvalidURL, u.Scheme)
	}
	q := u.Query()
	t := &Target{Schema: DefaultSchema, Redacted: redact(u)}
	if s, ok := q["schema"]; ok {
		if s[0] == "" {
			return nil, fmt.Errorf("%w: %s: schema= is empty: name a schema or drop the parameter (default %q)", ErrInvalidURL, t.Redacted, DefaultSchema)
		}
		t.Schema = s[0]
	}
	if q.Get("pgbouncer") == "true" {
		t.Warnings = append(t.Warnings, "the URL has pgbouncer=true: migrations need a direct connection (they hold a session advisory lock); point SLIPWAY_DATABASE_URL_ENV at the direct URL (e.g. DIRECT_URL)")
	}
	given := slices.Collect(maps.Keys(q))
	translateTLS(q)
	for _, p := range prismaOnlyParams {
		q.Del(p)
	}
	for _, p := range given {
		if !q.Has(p) {
			t.Dropped = append(t.Dropped, p)
		}
	}
	slices.Sort(t.Dropped)
	u.RawQuery = q.Encode()

	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{t.Schema}.Sanitize()
	// Unnamed statements only: nothing to cache for a handful of queries, and
	// it keeps working through a statement-pooling proxy.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	t.Config = cfg
	return t, nil
}

// translateTLS maps Prisma's sslcert/sslaccept onto libpq's parameters, in q.
func translateTLS(q url.Values) {
	if !q.Has("sslcert") || q.Has("sslkey") || q.Has("sslrootcert") {
		return // no Prisma CA, or a libpq-style client certificate
	}
	if q.Get("sslaccept") == "strict" {
		q.Set("sslrootcert", q.Get("sslcert"))
		if q.Get("sslmode") == "require" {
			q.Set("sslmode", "verify-full")
		}
	}
	q.Del("sslcert")
}

// redact renders u with its password masked, in the user info and in a
// password= parameter.
func redact(u *url.URL) string {
	c := *u
	if q := c.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}
