package env

import (
	"encoding/base64"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

var secretAlphabet = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./env -update")
	assert.Equal(t, string(want), string(got), "output differs from %s: review, then go test ./env -update", path)
}

// shopSpec is a typical app: Auth.js, Stripe, a second Prisma URL.
func shopSpec() Spec {
	return Spec{
		Project:  "shop",
		AppImage: "registry.example.com/shop:1.4.2",
		AppVars: []Var{
			{Key: "DATABASE_URL", Value: "postgresql://dev:dev@localhost:5432/shop", Comment: "Prisma connection"},
			{Key: "AUTH_SECRET", Value: "dev-only-secret", Comment: "Signs Auth.js sessions."},
			{Key: "AUTH_URL", Value: "https://shop.example.com", Comment: "# Public URL of the site"},
			{Key: "STRIPE_SECRET_KEY", Value: "sk_test_abc", Comment: "Stripe API key"},
			{Key: "SENTRY_DSN", Value: ""},
			{Key: "DIRECT_URL", Value: "postgres://dev:dev@localhost:5432/shop?schema=public"},
			{Key: "NEXT_PUBLIC_GREETING", Value: "hello world # it's $5"},
			{Key: "AUTH_SECRET", Value: "duplicate is skipped"},
		},
	}
}

// readySpec has no credentials, so Fill alone makes a clean file.
func readySpec() Spec {
	return Spec{
		Project:  "blog",
		AppImage: "registry.example.com/blog@sha256:" + strings.Repeat("ab", 32),
		AppVars: []Var{
			{Key: "SESSION_SECRET", Value: "x"},
			{Key: "SITE_NAME", Value: "My Blog"},
		},
	}
}

func TestGenerateSecretProperties(t *testing.T) {
	const draws = 2000
	seen := make(map[string]bool, draws)
	symbols := map[rune]bool{}
	for range draws {
		s, err := GenerateSecret()
		require.NoError(t, err)
		require.Len(t, s, SecretLength)
		require.Regexp(t, secretAlphabet, s)
		require.NotContains(t, s, "$")
		raw, err := base64.RawURLEncoding.DecodeString(s)
		require.NoError(t, err)
		require.Len(t, raw, SecretBytes, "a secret carries 256 bits")
		require.False(t, seen[s], "secret repeated after %d draws", len(seen))
		seen[s] = true
		for _, r := range s {
			symbols[r] = true
		}
	}
	assert.Len(t, symbols, 64, "every symbol of the URL-safe alphabet should appear over %d draws", draws)
	assert.GreaterOrEqual(t, SecretBytes*8, 256)
}

func TestGenerateCommandMatchesGenerateSecret(t *testing.T) {
	assert.NotContains(t, GenerateCommand, "$", "the command must paste into a shell and a compose file as is")
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed; the command's shape is checked above")
	}
	for range 5 {
		out, err := exec.Command("sh", "-c", GenerateCommand).Output()
		require.NoError(t, err)
		s := strings.TrimSuffix(string(out), "\n")
		assert.Len(t, s, SecretLength)
		assert.Regexp(t, secretAlphabet, s)
		assert.Empty(t, Check([]byte("POSTGRES_PASSWORD="+s), Spec{}).filter(PostgresPassword, Weak))
	}
}

// filter keeps the problems about key of the given kind.
func (ps Problems) filter(key string, kind ProblemKind) Problems {
	var out Problems
	for _, p := range ps {
		if p.Var == key && p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func TestFormatRoundTrips(t *testing.T) {
	cases := []string{
		"", "plain", "with space", "it's", `say "hi"`, "$HOME", "${POSTGRES_PASSWORD}", "$$",
		`back\slash`, `ends\`, "two\nlines", "#hash", "a #comment", "'quoted'", `"dq"`, `\'`, `mix'"$\`,
		"tab\there", "ünïcödé", "cr\rlf",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09 _-'\"$\\#\n{}=:@/%+!*"
	for range 500 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, v := range cases {
		got, err := Parse([]byte("A=" + Format(v) + "\nB=after\n"))
		require.NoError(t, err, "value %q written as %s", v, Format(v))
		assert.Equal(t, v, got["A"], "written as %s", Format(v))
		assert.Equal(t, "after", got["B"], "value %q written as %s spilled into the next line", v, Format(v))
	}
	assert.Equal(t, "postgresql://a:b@db:5432/c", Format("postgresql://a:b@db:5432/c"), "URLs stay bare")
}

func TestParseFollowsCompose(t *testing.T) {
	t.Setenv("SLIPWAY_TEST_HOST_VAR", "from-process")
	m, err := Parse([]byte(strings.Join([]string{
		"# comment",
		"export A=1",
		"B='${A} literal'",
		`C="${A} expanded\n"`,
		"D=${A}-${SLIPWAY_TEST_HOST_VAR}",
		"E=x #inline comment",
		"F=$$",
	}, "\n")))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"A": "1", "B": "${A} literal", "C": "1 expanded\n", "D": "1-", "E": "x", "F": "$",
	}, m, "the process environment must never leak in")
}

func TestParseErrorsHideValues(t *testing.T) {
	for name, src := range map[string]string{
		"unterminated": "OK=1\nPOSTGRES_PASSWORD='s3cr3t-value\n",
		"bad name":     "OK=1\nPASS WORD s3cr3t-value=1\n",
		"bad char":     "P@SS=s3cr3t-value\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(src))
			require.ErrorIs(t, err, ErrSyntax)
			assert.NotContains(t, err.Error(), "s3cr3t", "a syntax error must not echo the line")
			assert.Regexp(t, `line \d+`, err.Error())
			ps := Check([]byte(src), Spec{})
			require.Len(t, ps, 1)
			assert.Equal(t, Invalid, ps[0].Kind)
			assert.NotContains(t, ps[0].Message, "s3cr3t")
		})
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		key, value string
		want       Kind
	}{
		{"POSTGRES_PASSWORD", "", Secret},
		{"AUTH_SECRET", "x", Secret},
		{"NEXTAUTH_SECRET", "x", Secret},
		{"BETTER_AUTH_SECRET", "x", Secret},
		{"SESSION_SECRET", "", Secret},
		{"ENCRYPTION_KEY", "", Secret},
		{"PASSWORD_SALT", "", Secret},
		{"STRIPE_SECRET_KEY", "sk_test_1", Credential},
		{"STRIPE_WEBHOOK_SECRET", "whsec_1", Credential},
		{"AUTH_GITHUB_CLIENT_SECRET", "x", Credential},
		{"OPENAI_API_KEY", "", Credential},
		{"GITHUB_TOKEN", "", Credential},
		{"SMTP_PASSWORD", "", Credential},
		{"SOME_ID", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA", Credential},
		{"BUILD_SHA", strings.Repeat("a1", 20), Credential},
		{"NEXT_PUBLIC_STRIPE_KEY", "pk_test_1", Plain},
		{"DIRECT_URL", "postgresql://u:p@localhost/x", DatabaseURL},
		{"SHADOW", "postgres://u@h:5432/x", DatabaseURL},
		{"SITE_URL", "https://example.com/a/long/path/that/is/long", Plain},
		{"LOG_LEVEL", "info", Plain},
	} {
		assert.Equal(t, c.want, Classify(c.key, c.value), "Classify(%q, %q)", c.key, c.value)
	}
}

func TestTemplateGolden(t *testing.T) {
	b, err := Template(shopSpec())
	require.NoError(t, err)
	golden(t, "shop.env.golden", b)

	s := readySpec()
	s.PublishDBPort = true
	s.DatabaseVars = DatabaseVars{{Name: "POSTGRES_PRISMA_URL", Runtime: true, Migrations: true}}
	s.DBUser, s.DBName = "blog", "blog_prod"
	b, err = Template(s)
	require.NoError(t, err)
	golden(t, "blog.env.golden", b)
}

func TestTemplateContents(t *testing.T) {
	s := shopSpec()
	b, err := Template(s)
	require.NoError(t, err)
	m, err := Parse(b)
	require.NoError(t, err)

	for _, k := range []string{PostgresUser, PostgresPassword, PostgresDB, "DATABASE_URL", AppImage, AppPort,
		"AUTH_SECRET", "AUTH_URL", "STRIPE_SECRET_KEY", "SENTRY_DSN", "DIRECT_URL", "NEXT_PUBLIC_GREETING"} {
		assert.Contains(t, m, k)
	}
	assert.NotContains(t, m, DBPort, "DB_PORT only when the port is published")
	assert.Equal(t, 1, strings.Count(string(b), "\nAUTH_SECRET="), "app variables are listed once")
	assert.Equal(t, 1, strings.Count(string(b), "\nDATABASE_URL="), "the app's DATABASE_URL is the stack's")

	assert.Equal(t, Placeholder(PostgresPassword), m[PostgresPassword])
	assert.Equal(t, "change-me-auth-secret", m["AUTH_SECRET"])
	assert.Equal(t, "change-me-stripe-secret-key", m["STRIPE_SECRET_KEY"])
	assert.Empty(t, m["SENTRY_DSN"], "a credential with no example value stays empty (optional)")
	assert.Equal(t, "https://shop.example.com", m["AUTH_URL"])
	assert.Equal(t, "hello world # it's $5", m["NEXT_PUBLIC_GREETING"])
	assert.Equal(t, "registry.example.com/shop:1.4.2", m[AppImage])
	assert.Equal(t, "3000", m[AppPort])
	assert.NotContains(t, string(b), "dev-only-secret", "example secrets never reach the template")

	// The URL agrees with POSTGRES_* even before the placeholder is replaced.
	assert.Equal(t, ConnectionString("app", Placeholder(PostgresPassword), "app"), m["DATABASE_URL"])
	assert.Equal(t, m["DATABASE_URL"], m["DIRECT_URL"])

	// Every variable has a comment right above it; every secret has the command.
	for _, a := range scan(string(b)) {
		assert.NotEmpty(t, a.comment, "%s has no comment", a.key)
		if Classify(a.key, "") == Secret {
			assert.Contains(t, strings.Join(a.comment, "\n"), GenerateCommand, "%s lacks the generate command", a.key)
		}
	}

	// Only placeholders are wrong with a fresh template.
	for _, p := range Check(b, s) {
		assert.Equal(t, Unreplaced, p.Kind, "fresh template: %s", p)
	}
}

func TestTemplateRejectsBadSpec(t *testing.T) {
	base := shopSpec()
	for name, c := range map[string]struct {
		mut  func(*Spec)
		want string
	}{
		"no image":     {func(s *Spec) { s.AppImage = "" }, "app image is empty"},
		"image with $": {func(s *Spec) { s.AppImage = "shop:${TAG}" }, "'$'"},
		"port":         {func(s *Spec) { s.AppPort = 70000 }, "out of range"},
		"url var":      {func(s *Spec) { s.DatabaseVars = DatabaseVars{{Name: "DATABASE-URL"}} }, "not a valid name"},
		"url clash":    {func(s *Spec) { s.DatabaseVars = DatabaseVars{{Name: PostgresPassword}} }, "clashes"},
		"url twice": {func(s *Spec) {
			s.DatabaseVars = DatabaseVars{{Name: "DATABASE_URL", Runtime: true}, {Name: "DATABASE_URL", Migrations: true}}
		}, "listed twice"},
		"shadow clash": {func(s *Spec) { s.DatabaseVars = DatabaseVars{{Name: DBPort, Shadow: true}} }, "clashes"},
		"db user":      {func(s *Spec) { s.DBUser = "my user" }, PostgresUser},
		"db name":      {func(s *Spec) { s.DBName = "pg_stuff" }, PostgresDB},
		"app var key":  {func(s *Spec) { s.AppVars = append(s.AppVars, Var{Key: "1BAD"}) }, `"1BAD" is not a valid name`},
		"app var kind": {func(s *Spec) { s.AppVars = []Var{{Key: "X", Kind: Kind(42)}} }, "unknown kind"},
		"file name":    {func(s *Spec) { s.FileName = "config/.env" }, "plain name starting with .env"},
	} {
		t.Run(name, func(t *testing.T) {
			s := base
			s.AppVars = append([]Var(nil), base.AppVars...)
			c.mut(&s)
			_, err := Template(s)
			require.ErrorIs(t, err, ErrSpec)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestVariablesMatchTemplate(t *testing.T) {
	s := shopSpec()
	s.PublishDBPort = true
	b, err := Template(s)
	require.NoError(t, err)
	var keys []string
	for _, a := range scan(string(b)) {
		keys = append(keys, a.key)
	}
	vars := s.Variables()
	require.Len(t, vars, len(keys))
	kinds := map[string]Kind{}
	for i, v := range vars {
		assert.Equal(t, keys[i], v.Key)
		kinds[v.Key] = v.Kind
	}
	assert.Equal(t, Secret, kinds[PostgresPassword])
	assert.Equal(t, Secret, kinds["AUTH_SECRET"])
	assert.Equal(t, Credential, kinds["STRIPE_SECRET_KEY"])
	assert.Equal(t, DatabaseURL, kinds["DATABASE_URL"])
	assert.Equal(t, DatabaseURL, kinds["DIRECT_URL"])
	assert.Equal(t, []Variable{{AppImage, Plain, true}, {AppPort, Plain, true}}, []Variable{vars[5], vars[6]})

	s.FileName = ".env.prod"
	b, err = Template(s)
	require.NoError(t, err)
	assert.Contains(t, string(b), "cp .env.production.example .env.prod && chmod 600 .env.prod")
}

func TestConnectionStringEncodes(t *testing.T) {
	pw := "p@ss:w/rd%?#$ 'x'+"
	conn := ConnectionString("app", pw, "shop")
	assert.Equal(t, "postgresql://app:p%40ss%3Aw%2Frd%25%3F%23%24%20%27x%27%2B@db:5432/shop", conn)
	u, err := parseDBURL(conn)
	require.NoError(t, err)
	assert.Equal(t, dbURL{user: "app", password: pw, hasPassword: true, host: "db", port: 5432, dbname: "shop"}, u)
}
