package env

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFillMakesAReadyFile(t *testing.T) {
	s := readySpec()
	tmpl, err := Template(s)
	require.NoError(t, err)

	out, err := Fill(tmpl)
	require.NoError(t, err)
	assert.Empty(t, Check(out, s), "a filled file needs nothing more")

	m, err := Parse(out)
	require.NoError(t, err)
	assert.Regexp(t, secretAlphabet, m[PostgresPassword])
	assert.Len(t, m[PostgresPassword], SecretLength)
	assert.Len(t, m["SESSION_SECRET"], SecretLength)
	assert.NotEqual(t, m[PostgresPassword], m["SESSION_SECRET"])
	assert.Equal(t, ConnectionString("app", m[PostgresPassword], "app"), m["DATABASE_URL"])
	assert.Equal(t, "My Blog", m["SITE_NAME"])

	// Comments and layout survive: only values changed.
	tl, ol := strings.Split(string(tmpl), "\n"), strings.Split(string(out), "\n")
	require.Len(t, ol, len(tl))
	for i := range tl {
		if strings.HasPrefix(tl[i], "#") || tl[i] == "" {
			assert.Equal(t, tl[i], ol[i])
		}
	}

	// Filling again changes nothing; a second fill of the template makes new secrets.
	again, err := Fill(out)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(again))
	other, err := Fill(tmpl)
	require.NoError(t, err)
	m2, err := Parse(other)
	require.NoError(t, err)
	assert.NotEqual(t, m[PostgresPassword], m2[PostgresPassword])
}

func TestFillManyTimesAlwaysPassesCheck(t *testing.T) {
	s := readySpec()
	tmpl, err := Template(s)
	require.NoError(t, err)
	seen := map[string]bool{}
	for range 300 {
		out, err := Fill(tmpl)
		require.NoError(t, err)
		require.Empty(t, Check(out, s))
		m, err := Parse(out)
		require.NoError(t, err)
		require.False(t, seen[m[PostgresPassword]])
		seen[m[PostgresPassword]] = true
	}
}

func TestFillLeavesCredentialsAndKeepsSetValues(t *testing.T) {
	s := shopSpec()
	tmpl, err := Template(s)
	require.NoError(t, err)
	out, err := Fill(tmpl)
	require.NoError(t, err)
	m, err := Parse(out)
	require.NoError(t, err)

	assert.Equal(t, "change-me-stripe-secret-key", m["STRIPE_SECRET_KEY"], "credentials are the operator's to paste")
	assert.Len(t, m["AUTH_SECRET"], SecretLength)
	assert.Equal(t, m["DATABASE_URL"], m["DIRECT_URL"])
	ps := Check(out, s)
	require.Len(t, ps, 1)
	assert.Equal(t, Problem{Var: "STRIPE_SECRET_KEY", Kind: Unreplaced, Message: "still holds its placeholder: " + fixFor(Credential, s)}, ps[0])

	// A password the operator chose is kept and URL-encoded into the connection strings.
	custom := strings.Replace(string(tmpl), "POSTGRES_PASSWORD=change-me-postgres-password",
		`POSTGRES_PASSWORD='Tr0ub4dor&3:horse/battery@staple#$x'`, 1)
	out, err = Fill([]byte(custom))
	require.NoError(t, err)
	m, err = Parse(out)
	require.NoError(t, err)
	assert.Equal(t, "Tr0ub4dor&3:horse/battery@staple#$x", m[PostgresPassword])
	assert.Equal(t, ConnectionString("app", m[PostgresPassword], "app"), m["DATABASE_URL"])
	assert.Empty(t, Check(out, s).filter("DATABASE_URL", Mismatch))
}

func TestFillKeepsQueryAndExternalHosts(t *testing.T) {
	tmpl := []byte(strings.Join([]string{
		"POSTGRES_USER=app",
		"POSTGRES_PASSWORD=",
		"POSTGRES_DB=app",
		"DATABASE_URL=postgresql://x:y@db:5432/z?connection_limit=5 # pooled",
		"ANALYTICS_URL=postgresql://ro:ro@analytics.internal:5432/stats",
		`MULTI="line one`,
		`DATABASE_URL2=not a real assignment"`,
		"# Generate: " + GenerateCommand,
		"WIDGET_TOKEN=change-me-widget-token",
		"",
	}, "\n"))
	out, err := Fill(tmpl)
	require.NoError(t, err)
	m, err := Parse(out)
	require.NoError(t, err)
	assert.Len(t, m[PostgresPassword], SecretLength, "an empty secret is generated")
	assert.Equal(t, ConnectionString("app", m[PostgresPassword], "app")+"?connection_limit=5", m["DATABASE_URL"])
	assert.Contains(t, string(out), "connection_limit=5 # pooled", "inline comments survive")
	assert.Equal(t, "postgresql://ro:ro@analytics.internal:5432/stats", m["ANALYTICS_URL"], "other databases are left alone")
	assert.Equal(t, "line one\nDATABASE_URL2=not a real assignment", m["MULTI"], "multi-line values are kept intact")
	assert.Len(t, m["WIDGET_TOKEN"], SecretLength, "a variable documented with the generate command is generated")
}

func TestFillRejectsBrokenTemplate(t *testing.T) {
	_, err := Fill([]byte("POSTGRES_PASSWORD='oops\n"))
	require.ErrorIs(t, err, ErrSyntax)
}
