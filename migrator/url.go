package migrator

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	t, err := parseURL(raw)
	if err != nil {
		// The messages below never quote the password; this is the backstop
		// for those that come from pgx.
		return nil, scrubbed{err, passwords(raw)}
	}
	return t, nil
}

func parseURL(raw string) (*Target, error) {
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
	if !strings.HasPrefix(raw[len(u.Scheme)+1:], "//") {
		return nil, fmt.Errorf("%w: expected %s://USER:PASSWORD@HOST:5432/DATABASE, with // after the scheme", ErrInvalidURL, u.Scheme)
	}
	// An '@' after the host means the password holds an unencoded '/', '?' or
	// '#' that ended the user info early: the password's tail would pass for
	// the database name, a parameter or a fragment, and show in messages.
	// Which part is the host is in doubt, so the message shows none.
	if strings.Contains(afterAuthority(raw[len(u.Scheme)+3:]), "@") {
		return nil, fmt.Errorf("%w: an '@' follows the host (after the first '/', '?' or '#'): if the password contains '/', '?', '#' or '@', percent-encode them (%%2F, %%3F, %%23, %%40), and any '@' in the database name or parameters (%%40)", ErrInvalidURL)
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
		var pce *pgconn.ParseConfigError
		if errors.As(err, &pce) {
			// Its message quotes the URL as pgx redacts it; show ours.
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalidURL, t.Redacted, cutQuotedURL(err.Error()))
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{t.Schema}.Sanitize()
	// Unnamed statements only: nothing to cache for a handful of queries, and
	// it keeps working through a statement-pooling proxy.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	t.Config = cfg
	return t, nil
}

// afterAuthority returns what follows the authority in s, the text after
// "scheme://": from the first '/', '?' or '#', as URL parsers (Prisma's too)
// read it.
func afterAuthority(s string) string {
	if end := strings.IndexAny(s, "/?#"); end >= 0 {
		return s[end:]
	}
	return ""
}

// cutQuotedURL drops pgx's "cannot parse `URL`: " prefix from msg.
func cutQuotedURL(msg string) string {
	rest, ok := strings.CutPrefix(msg, "cannot parse `")
	if !ok {
		return msg
	}
	if i := strings.Index(rest, "`: "); i >= 0 {
		return rest[i+3:]
	}
	return msg
}

// passwords lists the strings in raw that may be secret: whatever could be
// the user info's password (up to the last '@') and password= values.
func passwords(raw string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 3 { // shorter ones would mask ordinary words
			out = append(out, s)
			if d, err := url.PathUnescape(s); err == nil && d != s {
				out = append(out, d)
			}
		}
	}
	if _, after, ok := strings.Cut(raw, "://"); ok {
		if at := strings.LastIndex(after, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(after[:at], ":"); ok {
				add(pw)
			}
		}
	}
	if _, query, ok := strings.Cut(raw, "?"); ok {
		for _, kv := range strings.Split(query, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok && (k == "password" || k == "sslpassword") {
				add(v)
			}
		}
	}
	return out
}

// scrubbed masks secrets in an error's message and keeps the error reachable.
type scrubbed struct {
	err     error
	secrets []string
}

func (e scrubbed) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}

func (e scrubbed) Unwrap() error { return e.err }

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
