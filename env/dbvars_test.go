package env

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pooledSpec is a Supabase/Neon app: DATABASE_URL (pooled) at run time,
// DIRECT_URL for migrations, and a shadow database in its .env.example.
func pooledSpec() Spec {
	s := readySpec()
	s.Project = "notes"
	s.DatabaseVars = DatabaseVars{
		{Name: "DIRECT_URL", Migrations: true},
		{Name: "DATABASE_URL", Runtime: true},
		{Name: "SHADOW_DATABASE_URL", Shadow: true},
	}
	s.AppVars = append(s.AppVars,
		Var{Key: "DATABASE_URL", Value: "postgresql://dev:dev@localhost:6543/notes?pgbouncer=true", Comment: "Pooled (transaction mode)."},
		Var{Key: "DIRECT_URL", Value: "postgresql://dev:dev@localhost:5432/notes"},
		Var{Key: "SHADOW_DATABASE_URL", Value: "postgresql://dev:dev@localhost:5432/notes_shadow"},
	)
	return s
}

// vercelSpec is a Vercel Postgres app: POSTGRES_PRISMA_URL at run time,
// POSTGRES_URL_NON_POOLING for migrations, a shadow database.
func vercelSpec() Spec {
	s := readySpec()
	s.Project = "shop"
	s.DBUser, s.DBName = "shop", "shop"
	s.DatabaseVars = DatabaseVars{
		{Name: "POSTGRES_URL_NON_POOLING", Migrations: true},
		{Name: "POSTGRES_PRISMA_URL", Runtime: true},
		{Name: "POSTGRES_SHADOW_URL", Shadow: true},
	}
	return s
}

func TestDatabaseVarsRoles(t *testing.T) {
	vs := pooledSpec().DatabaseVars
	assert.Equal(t, []string{"DIRECT_URL", "DATABASE_URL"}, vs.Names())
	assert.Equal(t, []string{"DIRECT_URL"}, vs.MigrationNames())
	assert.Equal(t, []string{"DATABASE_URL"}, vs.RuntimeNames())
	assert.Equal(t, []string{"SHADOW_DATABASE_URL"}, vs.ShadowNames())

	var none DatabaseVars
	assert.Equal(t, []string{DefaultDatabaseURLVar}, none.Names(), "the default when empty")
	assert.Equal(t, []string{DefaultDatabaseURLVar}, none.MigrationNames())
	assert.Equal(t, []string{DefaultDatabaseURLVar}, none.RuntimeNames())

	onlyShadow := DatabaseVars{{Name: "SHADOW_DATABASE_URL", Shadow: true}}
	assert.Equal(t, []string{DefaultDatabaseURLVar}, onlyShadow.Names(), "a shadow variable alone leaves the default")
	assert.Equal(t, []string{"SHADOW_DATABASE_URL"}, onlyShadow.ShadowNames())

	unknown := DatabaseVars{{Name: "A_URL"}, {Name: "B_URL"}}
	assert.Equal(t, []string{"A_URL"}, unknown.MigrationNames(), "no roles known: migrations read the first")

	read := DatabaseVars{{Name: "SHADOW_DATABASE_URL", Shadow: true, Runtime: true}}
	assert.Empty(t, read.ShadowNames(), "a variable the app reads is never left out")

	assert.Equal(t, "`A`, `B` and `C`", JoinNames([]string{"A", "B", "C"}, "`"))
	assert.Equal(t, "A and B", JoinNames([]string{"A", "B"}, ""))
	assert.Equal(t, "A", JoinNames([]string{"A"}, ""))
}

func TestTemplatePooledAndDirect(t *testing.T) {
	s := pooledSpec()
	b, err := Template(s)
	require.NoError(t, err)
	golden(t, "pooled.env.golden", b)
	m, err := Parse(b)
	require.NoError(t, err)

	url := ConnectionString("app", Placeholder(PostgresPassword), "app")
	assert.Equal(t, url, m["DATABASE_URL"], "the pooled variable points at the stack's Postgres")
	assert.Equal(t, url, m["DIRECT_URL"], "so does the direct one, with the same value")
	assert.NotContains(t, m, "SHADOW_DATABASE_URL", "the shadow database is left out of production")
	assert.Equal(t, 1, strings.Count(string(b), "\nDATABASE_URL="))
	assert.Equal(t, 1, strings.Count(string(b), "\nDIRECT_URL="))
	assert.Equal(t, 3, strings.Count(string(b), Placeholder(PostgresPassword)), "one password placeholder: POSTGRES_PASSWORD and both URLs")
	assert.NotContains(t, string(b), "pgbouncer=true", "the example's pooler settings do not reach the stack")
	assert.NotContains(t, string(b), "localhost")

	comments := map[string]string{}
	for _, a := range scan(string(b)) {
		comments[a.key] = strings.Join(a.comment, " ")
	}
	assert.Contains(t, comments["DATABASE_URL"], "reads at run time")
	assert.Contains(t, comments["DATABASE_URL"], "pooled")
	assert.Contains(t, comments["DATABASE_URL"], "same Postgres as DIRECT_URL")
	assert.Contains(t, comments["DATABASE_URL"], "If you add a pooler such as PgBouncer, point DATABASE_URL at it and keep DIRECT_URL direct.")
	assert.Contains(t, comments["DIRECT_URL"], "migrations read")
	assert.Contains(t, comments["DIRECT_URL"], "direct URL")
	assert.Contains(t, comments["DIRECT_URL"], "same Postgres as DATABASE_URL")
	assert.Contains(t, comments[PostgresPassword], "DIRECT_URL and DATABASE_URL")
	assert.Contains(t, comments["DATABASE_URL"], "SHADOW_DATABASE_URL", "the template says where the shadow variable went")

	var keys []string
	for _, v := range s.Variables() {
		keys = append(keys, v.Key)
		if v.Key == "DIRECT_URL" || v.Key == "DATABASE_URL" {
			assert.Equal(t, DatabaseURL, v.Kind, v.Key)
		}
	}
	assert.NotContains(t, keys, "SHADOW_DATABASE_URL")

	for _, p := range Check(b, s) {
		assert.Equal(t, Unreplaced, p.Kind, "fresh template: %s", p)
	}
}

func TestTemplateVercel(t *testing.T) {
	s := vercelSpec()
	b, err := Template(s)
	require.NoError(t, err)
	golden(t, "vercel.env.golden", b)
	m, err := Parse(b)
	require.NoError(t, err)
	url := ConnectionString("shop", Placeholder(PostgresPassword), "shop")
	assert.Equal(t, url, m["POSTGRES_PRISMA_URL"])
	assert.Equal(t, url, m["POSTGRES_URL_NON_POOLING"])
	assert.NotContains(t, m, "POSTGRES_SHADOW_URL")
	assert.NotContains(t, m, DefaultDatabaseURLVar, "the app names its own variables")
}

// TestFillSetsEveryDatabaseVar: one generated password, in POSTGRES_PASSWORD
// and in every connection string.
func TestFillSetsEveryDatabaseVar(t *testing.T) {
	for name, s := range map[string]Spec{"pooled": pooledSpec(), "vercel": vercelSpec()} {
		t.Run(name, func(t *testing.T) {
			tmpl, err := Template(s)
			require.NoError(t, err)
			out, err := Fill(tmpl)
			require.NoError(t, err)
			assert.Empty(t, Check(out, s), "a filled file needs nothing more")
			m, err := Parse(out)
			require.NoError(t, err)
			pw := m[PostgresPassword]
			require.Len(t, pw, SecretLength)
			d := s.WithDefaults()
			want := ConnectionString(d.DBUser, pw, d.DBName)
			for _, n := range s.DatabaseVars.Names() {
				assert.Equal(t, want, m[n], n)
			}
			for _, n := range s.DatabaseVars.ShadowNames() {
				assert.NotContains(t, m, n)
			}
			assert.Equal(t, 1+len(s.DatabaseVars.Names()), strings.Count(string(out), pw), "the password appears only in POSTGRES_PASSWORD and the URLs")
		})
	}
}

func TestCheckEveryDatabaseVar(t *testing.T) {
	s := pooledSpec()
	good := func(over map[string]string) []byte {
		o := map[string]string{"extra": "DIRECT_URL=" + ConnectionString("app", goodPW, "app")}
		for k, v := range over {
			o[k] = v
		}
		return envFile(o)
	}
	require.Empty(t, Check(good(nil), s))

	for name, c := range map[string]struct {
		over map[string]string
		want []Problem
	}{
		"direct missing": {map[string]string{"extra": ""}, []Problem{
			{"DIRECT_URL", Missing, "not set"},
		}},
		"direct password": {map[string]string{"extra": "DIRECT_URL=" + ConnectionString("app", otherPW, "app")}, []Problem{
			{"DIRECT_URL", Mismatch, "password does not match POSTGRES_PASSWORD"},
		}},
		"direct through a pooler elsewhere": {map[string]string{"extra": "DIRECT_URL=postgres://app:" + goodPW + "@pgbouncer:6432/app"}, []Problem{
			{"DIRECT_URL", Mismatch, "points at pgbouncer:6432"},
		}},
		"pooled user": {map[string]string{"DATABASE_URL": ConnectionString("root", goodPW, "app")}, []Problem{
			{"DATABASE_URL", Mismatch, `connects as user "root"`},
		}},
		"both wrong": {map[string]string{
			"DATABASE_URL": ConnectionString("app", otherPW, "app"),
			"extra":        "DIRECT_URL=" + ConnectionString("app", goodPW, "other"),
		}, []Problem{
			{"DIRECT_URL", Mismatch, `names database "other"`},
			{"DATABASE_URL", Mismatch, "password does not match"},
		}},
		"pooled empty": {map[string]string{"DATABASE_URL": ""}, []Problem{{"DATABASE_URL", Missing, "empty"}}},
		"shadow at the stack's database": {map[string]string{
			"extra": "DIRECT_URL=" + ConnectionString("app", goodPW, "app") + "\nSHADOW_DATABASE_URL=" + ConnectionString("app", goodPW, "shadow"),
		}, []Problem{
			{"SHADOW_DATABASE_URL", Invalid, "shadow database of prisma migrate dev"},
		}},
		"shadow elsewhere is ignored": {map[string]string{
			"extra": "DIRECT_URL=" + ConnectionString("app", goodPW, "app") + "\nSHADOW_DATABASE_URL=postgres://dev:" + otherPW + "@devbox:5432/shadow",
		}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got := Check(good(c.over), s)
			require.Len(t, got, len(c.want), "got %v", got)
			for i, w := range c.want {
				assert.Equal(t, w.Var, got[i].Var)
				assert.Equal(t, w.Kind, got[i].Kind, "%s", got[i])
				assert.Contains(t, got[i].Message, w.Message)
			}
			for _, p := range got {
				for _, secret := range []string{goodPW, otherPW, session} {
					assert.NotContains(t, p.String(), secret, "messages never include a secret")
				}
			}
		})
	}
}
