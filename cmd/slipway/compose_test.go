package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComposeValidateBundle(t *testing.T) {
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "-o", out, "--migrate-service", fixture(t, "notes"))
	require.NoError(t, err)
	file := filepath.Join(out, bundle.ComposeFile)

	stdout, _, err := runCLI(t, "compose", "validate", file)
	require.NoError(t, err)
	assert.Contains(t, stdout, "is valid with "+filepath.Join(out, env.TemplateFileName), "the template is used when there is no env file")
	assert.Contains(t, stdout, "(project notes)")
	assert.Regexp(t, `(?m)^  app +`+testImage+`$`, stdout)
	assert.Regexp(t, `(?m)^  db +postgres:15$`, stdout)
	assert.Regexp(t, `(?m)^  migrate +`+testImage+`$`, stdout)

	// With a real env file next to it, that one is used.
	_, _, err = runCLI(t, "bundle", "--image", testImage, "-o", out, "--generate-env", fixture(t, "notes"))
	require.NoError(t, err)
	stdout, _, err = runCLI(t, "compose", "validate", file)
	require.NoError(t, err)
	assert.Contains(t, stdout, "is valid with "+filepath.Join(out, env.DefaultFileName)+" ")
}

func TestComposeValidateUnsetVariable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yml")
	require.NoError(t, os.WriteFile(file, []byte("services:\n  web:\n    image: ${WEB_IMAGE}\n    env_file: [.env.staging]\n"), 0o644))
	envFile := filepath.Join(dir, "staging.env")
	require.NoError(t, os.WriteFile(envFile, []byte("OTHER=1\n"), 0o644))

	_, _, err := runCLI(t, "compose", "validate", file, "--env-file", envFile)
	require.ErrorIs(t, err, compose.ErrUnsetVariable)
	assert.Contains(t, err.Error(), "WEB_IMAGE")

	require.NoError(t, os.WriteFile(envFile, []byte("WEB_IMAGE=nginx:1.27\n"), 0o644))
	stdout, _, err := runCLI(t, "compose", "validate", file, "--env-file", envFile)
	require.NoError(t, err, "the env file is loaded under the name the compose file reads (.env.staging)")
	assert.Regexp(t, `(?m)^  web +nginx:1.27$`, stdout)
}

func TestComposeValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yml")
	require.NoError(t, os.WriteFile(file, []byte("services:\n  web:\n    image: nginx\n"), 0o644))
	_, _, err := runCLI(t, "compose", "validate", file)
	require.ErrorIs(t, err, ErrNoEnvFile)
	assert.Contains(t, err.Error(), "--env-file")

	require.NoError(t, os.WriteFile(filepath.Join(dir, env.DefaultFileName), nil, 0o600))
	require.NoError(t, os.WriteFile(file, []byte("services:\n  web:\n    image: nginx\n    ports: [\"not-a-port\"]\n"), 0o644))
	_, _, err = runCLI(t, "compose", "validate", file)
	require.ErrorIs(t, err, compose.ErrInvalid)

	_, _, err = runCLI(t, "compose", "validate", filepath.Join(dir, "missing.yml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read compose file")
}

func TestReferencedEnvFile(t *testing.T) {
	for name, c := range map[string]struct {
		yaml, want, err string
	}{
		"none":       {yaml: "services:\n  a:\n    image: x\n", want: env.DefaultFileName},
		"string":     {yaml: "services:\n  a:\n    env_file: ./.env.prod\n", want: ".env.prod"},
		"list":       {yaml: "services:\n  a:\n    env_file: [.env.prod]\n  b:\n    env_file:\n      - path: .env.prod\n", want: ".env.prod"},
		"several":    {yaml: "services:\n  a:\n    env_file: [.env.a, .env.b]\n", err: "several env files (.env.a, .env.b)"},
		"elsewhere":  {yaml: "services:\n  a:\n    env_file: ../secrets/.env\n", err: "not next to the compose file"},
		"not yaml":   {yaml: "services: [", err: "invalid compose project"},
		"no service": {yaml: "", want: env.DefaultFileName},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := referencedEnvFile([]byte(c.yaml))
			if c.err != "" {
				require.ErrorIs(t, err, compose.ErrInvalid)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
