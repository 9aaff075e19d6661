package env

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSmokeVarsRules(t *testing.T) {
	example := []Var{
		{Key: "DATABASE_URL", Value: "postgresql://u:p@localhost:5432/app"},
		{Key: "DIRECT_URL", Value: "postgresql://u:p@localhost:5432/app"},
		{Key: "REPLICA_URL", Value: "postgres://u:p@replica:5432/app"},
		{Key: "NEXTAUTH_URL", Value: "http://localhost:3000"},
		{Key: "MONGO_URI", Value: "mongodb://x"},
		{Key: "AUTH_SECRET", Value: "change-me"},
		{Key: "STRIPE_KEY", Value: "sk_test"},
		{Key: "GITHUB_TOKEN", Value: ""},
		{Key: "SMTP_PASSWORD", Value: "x"},
		{Key: "APP_NAME", Value: "Pooled Notes"},
		{Key: "SENTRY_DSN", Value: "https://example"},
	}
	got := SmokeVars([]string{"DATABASE_URL", "DIRECT_URL"}, []string{"APP_NAME", "DATABASE_URL"}, example, "http://app:3000")
	want := []RuntimeVar{
		{Key: "DATABASE_URL", Source: FromDatabase},
		{Key: "DIRECT_URL", Source: FromDatabase},
		{Key: "APP_NAME", Source: FromCaller},
		{Key: "REPLICA_URL", Source: FromDatabase},
		{Key: "NEXTAUTH_URL", Source: FromAppURL, Value: "http://app:3000"},
		{Key: "MONGO_URI", Source: FromAppURL, Value: "http://app:3000"},
		{Key: "AUTH_SECRET", Source: FromGenerated},
		{Key: "STRIPE_KEY", Source: FromGenerated},
		{Key: "GITHUB_TOKEN", Source: FromGenerated},
		{Key: "SMTP_PASSWORD", Source: FromGenerated},
		{Key: "SENTRY_DSN", Source: FromExample, Value: "https://example"},
	}
	assert.Equal(t, want, got)
}

func TestSmokeVarsNoExample(t *testing.T) {
	assert.Equal(t, []RuntimeVar{{Key: "DATABASE_URL", Source: FromDatabase}}, SmokeVars([]string{"DATABASE_URL"}, nil, nil, "http://app:3000"))
	assert.Empty(t, SmokeVars(nil, nil, nil, ""))
}
