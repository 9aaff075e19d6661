// Package env writes and checks the production environment file: a documented
// template (.env.production.example), crypto/rand secrets, a filled
// .env.production whose connection strings (DATABASE_URL, or a pooled and a
// direct one) agree with POSTGRES_*, dotenv parsing through compose-go, and
// checks that name each problem and its fix without ever printing a secret.
package env

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Variables the stack itself needs.
const (
	PostgresUser     = "POSTGRES_USER"
	PostgresPassword = "POSTGRES_PASSWORD"
	PostgresDB       = "POSTGRES_DB"
	// DefaultDatabaseURLVar is the connection-string variable unless the app's
	// Prisma config reads another (e.g. POSTGRES_PRISMA_URL).
	DefaultDatabaseURLVar = "DATABASE_URL"
	AppImage              = "APP_IMAGE" // image the app runs; compose defaults it
	AppPort               = "APP_PORT"  // host port for the app; compose defaults it
	DBPort                = "DB_PORT"   // host port for Postgres when published
)

// Where the app reaches the database inside the compose network.
const (
	DBHost          = "db"
	DBContainerPort = 5432
)

// File names.
const (
	TemplateFileName = ".env.production.example"
	DefaultFileName  = ".env.production"
)

// Kind says how a variable's value is produced and checked.
type Kind int

const (
	// Auto classifies the variable from its name and example value.
	Auto Kind = iota
	// Plain is ordinary configuration, copied from the example.
	Plain
	// Secret is a value Slipway generates (crypto/rand) and checks for strength.
	Secret
	// Credential is issued by someone else (an API key); the operator pastes it in.
	Credential
	// DatabaseURL is a connection string kept equal to the stack's database.
	DatabaseURL
)

func (k Kind) String() string {
	switch k {
	case Plain:
		return "plain"
	case Secret:
		return "secret"
	case Credential:
		return "credential"
	case DatabaseURL:
		return "database-url"
	default:
		return "auto"
	}
}

// Var is one variable of the app's own .env.example.
type Var struct {
	Key     string
	Value   string // the example value; replaced by a placeholder for secrets
	Comment string // one or more lines, without '#'
	Kind    Kind   // Auto unless the caller knows better
}

var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Words in a variable name that mark a value the app generates for itself.
var generatedSuffixes = []string{
	"AUTH_SECRET", "NEXTAUTH_SECRET", "SESSION_SECRET", "JWT_SECRET", "COOKIE_SECRET", "CRON_SECRET",
	"ENCRYPTION_KEY", "SIGNING_KEY", "SECRET_KEY_BASE", "SALT",
}

// Words in a variable name that mark a value issued by another party.
// Passwords other than POSTGRES_PASSWORD belong to services outside the stack
// (SMTP, Redis), so they are credentials too.
var credentialWords = []string{"SECRET", "TOKEN", "KEY", "APIKEY", "PASSWORD", "PASSWD", "CREDENTIALS"}

// Classify guesses a variable's kind from its name and value. Values the app
// generates for itself (AUTH_SECRET, SESSION_SECRET, ENCRYPTION_KEY, *_SALT,
// POSTGRES_PASSWORD) are Secret; other names with SECRET, TOKEN, KEY or
// PASSWORD, and values that look random, are Credential; postgres:// values are DatabaseURL; NEXT_PUBLIC_* is always Plain
// (it is shipped to the browser).
func Classify(key, value string) Kind {
	k := strings.ToUpper(key)
	switch {
	case k == PostgresPassword:
		return Secret
	case IsPostgresURL(value):
		return DatabaseURL
	case strings.HasPrefix(k, "NEXT_PUBLIC_"):
		return Plain
	}
	for _, s := range generatedSuffixes {
		if k == s || strings.HasSuffix(k, "_"+s) {
			// STRIPE_WEBHOOK_SECRET, GITHUB_CLIENT_SECRET: issued elsewhere.
			if strings.Contains(k, "CLIENT_") || strings.Contains(k, "WEBHOOK") || strings.Contains(k, "API_") {
				return Credential
			}
			return Secret
		}
	}
	words := strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	for _, w := range words {
		if slices.Contains(credentialWords, w) {
			return Credential
		}
	}
	if looksRandom(value) {
		return Credential
	}
	return Plain
}

// looksRandom reports whether v is long, unbroken and mixes character classes,
// as keys and tokens do.
func looksRandom(v string) bool {
	if len(v) < 24 || strings.ContainsAny(v, " \t/:") {
		return false
	}
	var lower, upper, digit, other bool
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	if n >= 3 {
		return true
	}
	// Long hex strings are keys too.
	return len(v) >= 32 && strings.Trim(strings.ToLower(v), "0123456789abcdef") == ""
}

// IsPostgresURL reports whether v is a postgres:// or postgresql:// URL.
func IsPostgresURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Host != ""
}

// placeholderPattern matches values an operator must still replace.
var placeholderPattern = regexp.MustCompile(`(?i)change-?me|replace-?me|^<.*>$|^your[-_]`)

// IsPlaceholder reports whether v still holds a template placeholder
// (change-me-..., <...>, your-...).
func IsPlaceholder(v string) bool {
	return placeholderPattern.MatchString(v)
}

// Placeholder returns the template value for key: change-me-<key in kebab case>.
func Placeholder(key string) string {
	return "change-me-" + strings.ToLower(strings.ReplaceAll(key, "_", "-"))
}
