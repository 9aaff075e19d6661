package migrator

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseURLSchemaAndDroppedParams(t *testing.T) {
	tg, err := ParseURL("postgresql://app:s3cret@db.internal:6543/shop?schema=Tenant_1&connection_limit=5&pool_timeout=10&statement_cache_size=0&socket_timeout=3&sslmode=disable&application_name=web")
	require.NoError(t, err)

	assert.Equal(t, "Tenant_1", tg.Schema)
	assert.Equal(t, []string{"connection_limit", "pool_timeout", "schema", "socket_timeout", "statement_cache_size"}, tg.Dropped)
	assert.Equal(t, "db.internal", tg.Config.Host)
	assert.Equal(t, uint16(6543), tg.Config.Port)
	assert.Equal(t, "shop", tg.Config.Database)
	assert.Equal(t, "app", tg.Config.User)
	assert.Equal(t, "s3cret", tg.Config.Password)
	assert.Nil(t, tg.Config.TLSConfig, "sslmode=disable is kept")
	assert.Equal(t, map[string]string{
		"search_path":      `"Tenant_1"`,
		"application_name": "web",
	}, tg.Config.RuntimeParams, "Prisma-only parameters must not reach Postgres as settings")
	assert.Empty(t, tg.Warnings)
}

func TestParseURLDefaults(t *testing.T) {
	tg, err := ParseURL("  postgres://app@localhost/shop \n")
	require.NoError(t, err)
	assert.Equal(t, "public", tg.Schema)
	assert.Empty(t, tg.Dropped)
	assert.Equal(t, `"public"`, tg.Config.RuntimeParams["search_path"])
	assert.Equal(t, uint16(5432), tg.Config.Port)
}

func TestParseURLSchemaIsQuotedForSearchPath(t *testing.T) {
	tg, err := ParseURL(`postgresql://u:p@h/d?schema=we%22ird%20name`)
	require.NoError(t, err)
	assert.Equal(t, `we"ird name`, tg.Schema)
	assert.Equal(t, `"we""ird name"`, tg.Config.RuntimeParams["search_path"])
}

func TestParseURLRedactsPassword(t *testing.T) {
	tg, err := ParseURL("postgresql://app:hunter2%40x@db:5432/shop?schema=s&password=hunter3")
	require.NoError(t, err)
	assert.Equal(t, "hunter3", tg.Config.Password, "a password= parameter wins, as in libpq")
	assert.NotContains(t, tg.String(), "hunter")
	assert.Contains(t, tg.String(), "app:xxxxx@db:5432/shop")
	assert.Contains(t, tg.String(), "password=xxxxx")
}

func TestParseURLErrorsNeverShowThePassword(t *testing.T) {
	cases := map[string]string{
		"bad port":         "postgresql://app:hunter2@db:notaport/shop",
		"bad sslmode":      "postgresql://app:hunter2@db/shop?sslmode=sometimes",
		"mysql":            "mysql://app:hunter2@db/shop",
		"accelerate":       "prisma+postgres://accelerate.example?api_key=hunter2",
		"empty schema":     "postgresql://app:hunter2@db/shop?schema=",
		"bad connect time": "postgresql://app:hunter2@db/shop?connect_timeout=soon",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseURL(raw)
			require.ErrorIs(t, err, ErrInvalidURL)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// A malformed URL's error shows no part of the password, however the
// password's unencoded characters split the URL.
func TestParseURLMalformedNeverShowsThePassword(t *testing.T) {
	cases := []struct {
		name, raw string
		secrets   []string // the password and the pieces a parser could take apart
		wantErr   string
	}{
		{name: "slash in a numeric-looking password", raw: "postgresql://app:1234/hunter2@db:5432/shop",
			secrets: []string{"1234/hunter2", "hunter2"}, wantErr: "an '@' follows the host (after the first '/', '?' or '#'): if the password contains '/', '?', '#' or '@', percent-encode them"},
		{name: "question mark", raw: "postgresql://app:1234?hunter2@db:5432/shop",
			secrets: []string{"hunter2"}, wantErr: "an '@' follows the host"},
		{name: "hash", raw: "postgresql://app:1234#hunter2@db:5432/shop",
			secrets: []string{"hunter2"}, wantErr: "an '@' follows the host"},
		{name: "at and slash", raw: "postgresql://app:hun@ter/2x@db:5432/shop",
			secrets: []string{"hun@ter", "ter/2x", "2x@db"}, wantErr: "an '@' follows the host"},
		{name: "slash in password", raw: "postgresql://app:hun/ter2@db:5432/shop",
			secrets: []string{"hun/ter2", "ter2@db"}, wantErr: "it is not a valid URL"},
		{name: "space", raw: "postgresql://app:hunter 2@db:5432/shop",
			secrets: []string{"hunter"}, wantErr: "it is not a valid URL"},
		{name: "bad escape", raw: "postgresql://app:hun%zzter2@db:5432/shop",
			secrets: []string{"hun%zzter2", "zzter2"}, wantErr: "it is not a valid URL"},
		{name: "one slash after the scheme", raw: "postgresql:/app:hunter2@db/shop",
			secrets: []string{"hunter2"}, wantErr: "with // after the scheme"},
		{name: "no slashes after the scheme", raw: "postgresql:app:hunter2@db/shop",
			secrets: []string{"hunter2"}, wantErr: "with // after the scheme"},
		{name: "at in password, empty schema", raw: "postgresql://user:p@ss@host:5432/db?schema=",
			secrets: []string{"p@ss", "ss@host", "p%40ss"}, wantErr: "postgresql://user:xxxxx@host:5432/db?schema=: schema= is empty"},
		{name: "at in password, bad sslmode", raw: "postgresql://app:hun@ter2@db:5432/shop?sslmode=sometimes",
			secrets: []string{"hun@ter2", "ter2@db", "hun%40ter2"}, wantErr: "sslmode is invalid"},
		{name: "password parameter, bad port", raw: "postgresql://app@db:99999/shop?password=hunter2",
			secrets: []string{"hunter2"}, wantErr: "invalid database URL"},
		{name: "empty schema with an encoded password", raw: "postgresql://app:hun%2Fter2@db/shop?schema=",
			secrets: []string{"hun%2Fter2", "hun/ter2", "ter2"}, wantErr: "schema= is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseURL(tc.raw)
			require.ErrorIs(t, err, ErrInvalidURL)
			assert.Contains(t, err.Error(), tc.wantErr)
			for _, s := range tc.secrets {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

// An unencoded '@' in the password is read as URL parsers (and Prisma) read
// it: the host follows the last '@'.
func TestParseURLAtInPassword(t *testing.T) {
	tg, err := ParseURL("postgresql://user:p@ss@host:5432/db")
	require.NoError(t, err)
	assert.Equal(t, "p@ss", tg.Config.Password)
	assert.Equal(t, "host", tg.Config.Host)
	assert.Equal(t, "db", tg.Config.Database)
	assert.Equal(t, "postgresql://user:xxxxx@host:5432/db", tg.String())
}

func TestScrubbedMasksThePassword(t *testing.T) {
	err := scrubbed{errors.New("cannot parse postgresql://app:hun/ter2@db: hun/ter2 or hun%2Fter2"), passwords("postgresql://app:hun%2Fter2@db/shop?password=s3cret&x=1")}
	assert.Equal(t, "cannot parse postgresql://app:xxxxx@db: xxxxx or xxxxx", err.Error())
	assert.Equal(t, []string{"hun%2Fter2", "hun/ter2", "s3cret"}, passwords("postgresql://app:hun%2Fter2@db/shop?password=s3cret&x=1"))
}

func TestParseURLMessages(t *testing.T) {
	_, err := ParseURL("")
	require.ErrorIs(t, err, ErrInvalidURL)
	assert.Contains(t, err.Error(), "it is empty: set it to postgresql://")

	_, err = ParseURL("mysql://u:p@h/d")
	assert.Contains(t, err.Error(), `the scheme must be postgresql:// or postgres://, got "mysql"`)

	_, err = ParseURL("prisma+postgres://accelerate.prisma-data.net/?api_key=k")
	assert.Contains(t, err.Error(), "use the database's direct URL")

	_, err = ParseURL("postgresql://u:p@h/d?schema=")
	assert.Contains(t, err.Error(), "schema= is empty")
}

func TestParseURLPgbouncerWarns(t *testing.T) {
	tg, err := ParseURL("postgresql://u:p@h/d?pgbouncer=true")
	require.NoError(t, err)
	assert.Equal(t, []string{"pgbouncer"}, tg.Dropped)
	require.Len(t, tg.Warnings, 1)
	assert.Contains(t, tg.Warnings[0], "DIRECT_URL")
}

func TestTranslateTLS(t *testing.T) {
	cases := []struct {
		name, query string
		want        map[string]string // parameters left for pgx (before the Prisma-only ones are dropped)
	}{
		{
			name:  "strict: sslcert is the CA and require verifies the host",
			query: "sslmode=require&sslcert=ca.pem&sslaccept=strict",
			want:  map[string]string{"sslmode": "verify-full", "sslrootcert": "ca.pem", "sslaccept": "strict"},
		},
		{
			name:  "accept_invalid_certs (Prisma's default) checks nothing",
			query: "sslmode=require&sslcert=ca.pem",
			want:  map[string]string{"sslmode": "require"},
		},
		{
			name:  "libpq client certificate is left alone",
			query: "sslmode=verify-full&sslcert=client.pem&sslkey=client.key",
			want:  map[string]string{"sslmode": "verify-full", "sslcert": "client.pem", "sslkey": "client.key"},
		},
		{
			name:  "no sslcert",
			query: "sslmode=prefer&sslaccept=strict",
			want:  map[string]string{"sslmode": "prefer", "sslaccept": "strict"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := mustQuery(t, tc.query)
			translateTLS(q)
			got := map[string]string{}
			for k := range q {
				got[k] = q.Get(k)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseURLStrictTLSReachesPgx(t *testing.T) {
	// A CA that does not exist shows pgx was asked to verify against it.
	_, err := ParseURL("postgresql://u:p@h/d?sslmode=require&sslcert=/nonexistent/ca.pem&sslaccept=strict")
	require.ErrorIs(t, err, ErrInvalidURL)
	assert.Contains(t, err.Error(), "unable to read CA file")

	tg, err := ParseURL("postgresql://u:p@h/d?sslmode=require&sslcert=/nonexistent/ca.pem")
	require.NoError(t, err)
	require.NotNil(t, tg.Config.TLSConfig)
	assert.True(t, tg.Config.TLSConfig.InsecureSkipVerify, "Prisma's default accepts any certificate")
	assert.Equal(t, []string{"sslcert"}, tg.Dropped)
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	require.NoError(t, err)
	return q
}
