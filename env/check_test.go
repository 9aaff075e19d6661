package env

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Values that must never appear in a message.
const (
	goodPW  = "Qm9yZWQtYnV0LXNhZmUtcGFzc3dvcmQtdmFsdWUtMTIz"
	otherPW = "ZGlmZmVyZW50LWJ1dC1zdHJvbmctcGFzc3dvcmQtNDU2"
	session = "c2Vzc2lvbi1zZWNyZXQtdmFsdWUtdGhhdC1pcy1sb25n"
)

// envFile builds a file from readySpec's variables, with overrides; a value
// of "-" drops the variable.
func envFile(over map[string]string) []byte {
	vals := [][2]string{
		{PostgresUser, "app"},
		{PostgresPassword, goodPW},
		{PostgresDB, "app"},
		{"DATABASE_URL", ConnectionString("app", goodPW, "app")},
		{AppImage, "registry.example.com/blog:1"},
		{AppPort, "3000"},
		{"SESSION_SECRET", session},
		{"SITE_NAME", "'My Blog'"},
	}
	var b strings.Builder
	for _, kv := range vals {
		v := kv[1]
		if o, ok := over[kv[0]]; ok {
			v = o
		}
		if v != "-" {
			b.WriteString(kv[0] + "=" + v + "\n")
		}
	}
	if extra, ok := over["extra"]; ok {
		b.WriteString(extra + "\n")
	}
	return []byte(b.String())
}

func TestCheckGoodFile(t *testing.T) {
	assert.Empty(t, Check(envFile(nil), readySpec()))
}

func TestCheckProblems(t *testing.T) {
	for name, c := range map[string]struct {
		over map[string]string
		want []Problem // Var and Kind; Message must contain the want Message
	}{
		"missing password": {map[string]string{PostgresPassword: "-"}, []Problem{
			{PostgresPassword, Missing, "not set: add it"},
			{"DATABASE_URL", Mismatch, "does not match POSTGRES_PASSWORD"},
		}},
		"empty secret":       {map[string]string{"SESSION_SECRET": ""}, []Problem{{"SESSION_SECRET", Missing, "empty: replace it with the output of openssl"}}},
		"missing app var":    {map[string]string{"SITE_NAME": "-"}, []Problem{{"SITE_NAME", Missing, "not set"}}},
		"optional may go":    {map[string]string{AppPort: "-", AppImage: "-"}, nil},
		"placeholder secret": {map[string]string{"SESSION_SECRET": "change-me-session-secret"}, []Problem{{"SESSION_SECRET", Unreplaced, "openssl rand"}}},
		"placeholder elsewhere": {map[string]string{"extra": "MAILER_KEY=<your key>"}, []Problem{
			{"MAILER_KEY", Unreplaced, "set a real value or remove the line"},
		}},
		"short":         {map[string]string{"SESSION_SECRET": "Ab1-xYz9_Qw"}, []Problem{{"SESSION_SECRET", Weak, "too short (11 characters, want at least 32)"}}},
		"low variety":   {map[string]string{"SESSION_SECRET": strings.Repeat("abc123", 8)}, []Problem{{"SESSION_SECRET", Weak, "too little variety (6 distinct"}}},
		"common word":   {map[string]string{"SESSION_SECRET": "My-Sup3r-PASSWORD-is-very-long-indeed-ok"}, []Problem{{"SESSION_SECRET", Weak, "common word"}}},
		"reused secret": {map[string]string{"SESSION_SECRET": goodPW}, []Problem{{"SESSION_SECRET", Weak, "same value as POSTGRES_PASSWORD"}}},
		"dollar in secret": {map[string]string{"SESSION_SECRET": "abcDEF123-_xyzUVW789$HOME-more-chars-here"}, []Problem{
			{"SESSION_SECRET", Invalid, "contains '$'"},
		}},
		"single-quoted dollar is fine": {map[string]string{"SESSION_SECRET": "'abcDEF123-_xyzUVW789$HOME-more-chars-here'"}, nil},
		"url password": {map[string]string{"DATABASE_URL": ConnectionString("app", otherPW, "app")}, []Problem{
			{"DATABASE_URL", Mismatch, "password does not match POSTGRES_PASSWORD: put that password in it, URL-encoded"},
		}},
		"url without password": {map[string]string{"DATABASE_URL": "postgresql://app@db:5432/app"}, []Problem{{"DATABASE_URL", Mismatch, "password"}}},
		"url user and db": {map[string]string{"DATABASE_URL": ConnectionString("root", goodPW, "other")}, []Problem{
			{"DATABASE_URL", Mismatch, `connects as user "root" but POSTGRES_USER is "app"`},
			{"DATABASE_URL", Mismatch, `names database "other" but POSTGRES_DB is "app"`},
		}},
		"url host": {map[string]string{"DATABASE_URL": "postgres://app:" + goodPW + "@localhost:6543/app"}, []Problem{
			{"DATABASE_URL", Mismatch, "points at localhost:6543 but the database is db:5432"},
		}},
		"url scheme": {map[string]string{"DATABASE_URL": "mysql://app:" + goodPW + "@db/app"}, []Problem{{"DATABASE_URL", Invalid, `scheme is "mysql", want postgresql`}}},
		"url unparsable": {map[string]string{"DATABASE_URL": "postgres://app:" + goodPW + "@db:notaport/app"}, []Problem{
			{"DATABASE_URL", Invalid, "not a valid URL"},
		}},
		"url with special password": {map[string]string{
			PostgresPassword: "'p@ss:w/rd%?#-this-is-long-enough-to-pass-the-length'",
			"DATABASE_URL":   ConnectionString("app", "p@ss:w/rd%?#-this-is-long-enough-to-pass-the-length", "app"),
		}, nil},
		"bad port":   {map[string]string{AppPort: "http"}, []Problem{{AppPort, Invalid, `"http" is not a port`}}},
		"duplicated": {map[string]string{"extra": "SITE_NAME=Other"}, []Problem{{"SITE_NAME", Invalid, "set 2 times and compose uses the last"}}},
	} {
		t.Run(name, func(t *testing.T) {
			got := Check(envFile(c.over), readySpec())
			require.Len(t, got, len(c.want), "got %v", got)
			for i, w := range c.want {
				assert.Equal(t, w.Var, got[i].Var)
				assert.Equal(t, w.Kind, got[i].Kind, "%s", got[i])
				assert.Contains(t, got[i].Message, w.Message)
			}
			for _, p := range got {
				for _, secret := range []string{goodPW, otherPW, session, "p@ss:w/rd", "abcDEF123", "Sup3r"} {
					assert.NotContains(t, p.String(), secret, "messages never include a secret")
				}
			}
		})
	}
}

func TestCheckUsesSpecNames(t *testing.T) {
	s := readySpec()
	s.DatabaseVars = DatabaseVars{{Name: "POSTGRES_PRISMA_URL", Runtime: true, Migrations: true}}
	s.PublishDBPort = true
	b := []byte(strings.Replace(string(envFile(nil)), "DATABASE_URL=", "POSTGRES_PRISMA_URL=", 1) + "DB_PORT=99999\n")
	got := Check(b, s)
	require.Len(t, got, 1, "got %v", got)
	assert.Equal(t, Problem{Var: DBPort, Kind: Invalid, Message: `"99999" is not a port: use a number from 1 to 65535`}, got[0])

	// DATABASE_URL is not the spec's variable, but it points at the stack's
	// database, so it must agree too.
	got = Check(envFile(map[string]string{"DATABASE_URL": ConnectionString("app", otherPW, "app")}), s)
	require.Len(t, got, 2, "got %v", got)
	assert.Equal(t, Problem{Var: "POSTGRES_PRISMA_URL", Kind: Missing, Message: "not set: add it as in .env.production.example"}, got[0])
	assert.Equal(t, "DATABASE_URL", got[1].Var)
	assert.Equal(t, Mismatch, got[1].Kind)
}

func TestProblemsErr(t *testing.T) {
	assert.NoError(t, Problems(nil).Err())
	err := Check(envFile(map[string]string{"SESSION_SECRET": "-"}), readySpec()).Err()
	require.ErrorIs(t, err, ErrCheck)
	assert.Contains(t, err.Error(), "SESSION_SECRET: not set")
}
