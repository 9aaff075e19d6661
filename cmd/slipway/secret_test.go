package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/slipwayhq/slipway/env"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secretShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestSecret(t *testing.T) {
	out, _, err := runCLI(t, "secret")
	require.NoError(t, err)
	assert.Regexp(t, secretShape, strings.TrimSuffix(out, "\n"), "one secret by default")

	out, _, err = runCLI(t, "secret", "--count", "5")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 5)
	seen := map[string]bool{}
	for _, l := range lines {
		assert.Regexp(t, secretShape, l)
		assert.False(t, seen[l], "secrets must differ")
		seen[l] = true
		for _, p := range env.Check([]byte(env.PostgresPassword+"="+l+"\n"), env.Spec{AppImage: testImage}) {
			assert.NotEqual(t, env.PostgresPassword, p.Var, "a generated secret passes env check's rules, got: %s", p)
		}
	}
}

func TestSecretBadCount(t *testing.T) {
	for _, n := range []string{"0", "-1", "1001"} {
		_, _, err := runCLI(t, "secret", "--count="+n)
		require.Error(t, err, "--count=%s", n)
		assert.Contains(t, err.Error(), "from 1 to 1000")
	}
}
