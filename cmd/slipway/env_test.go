package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipwayhq/slipway/env"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generatedEnv writes a bundle with --generate-env for the fixture and
// returns the env file's path.
func generatedEnv(t *testing.T, app string) string {
	t.Helper()
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "-o", out, "--generate-env", fixture(t, app))
	require.NoError(t, err)
	return filepath.Join(out, env.DefaultFileName)
}

func TestEnvCheckGeneratedFilePasses(t *testing.T) {
	for _, app := range []string{"notes", "notes-pnpm"} {
		t.Run(app, func(t *testing.T) {
			out, _, err := runCLI(t, "env", "check", generatedEnv(t, app), fixture(t, app))
			require.NoError(t, err)
			assert.Contains(t, out, ": ok (")
		})
	}
}

func TestEnvCheckListsProblemsNotValues(t *testing.T) {
	const weak = "hunter2hunter2"
	file := filepath.Join(t.TempDir(), ".env.production")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join([]string{
		"POSTGRES_USER=app",
		"POSTGRES_PASSWORD=" + weak,
		"POSTGRES_DB=app",
		"DATABASE_URL=postgresql://app:" + weak + "@localhost:5432/app",
	}, "\n")+"\n"), 0o600))

	_, _, err := runCLI(t, "env", "check", file, fixture(t, "notes"))
	require.ErrorIs(t, err, env.ErrCheck)
	msg := err.Error()
	assert.NotContains(t, msg, weak, "values are never printed")
	assert.Contains(t, msg, "POSTGRES_PASSWORD: too short")
	assert.Contains(t, msg, "DATABASE_URL: points at localhost:5432")
	assert.Contains(t, msg, "NEXT_PUBLIC_APP_NAME: not set", "the app's .env.example says what the file must set")
}

func TestEnvCheckUsesThePrismaURLVariable(t *testing.T) {
	// A notes file checked against the pnpm app, which reads APP_DATABASE_URL.
	_, _, err := runCLI(t, "env", "check", generatedEnv(t, "notes"), fixture(t, "notes-pnpm"))
	require.ErrorIs(t, err, env.ErrCheck)
	assert.Contains(t, err.Error(), "APP_DATABASE_URL: not set")
}

func TestEnvCheckMissingFile(t *testing.T) {
	_, _, err := runCLI(t, "env", "check", filepath.Join(t.TempDir(), "nope"), fixture(t, "notes"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read env file")
	assert.Contains(t, err.Error(), "no such file")
}
