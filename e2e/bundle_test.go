//go:build e2e

package tests

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/pipeline"
)

// TestBundleFromModuleLoadsInCompose exports the bundle through `dagger call`
// as a user would and loads it with compose-go, with the template and with
// the generated env file.
func TestBundleFromModuleLoadsInCompose(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deploy")
	// run keeps Dagger's progress output, which must not show the secrets.
	logs, err := run(t, "dagger", "call", "--progress=plain", "-m", repoRoot(), "--source=testdata/"+fixturePnpm, "bundle",
		"--image=registry.example/notes-pnpm:1.0.0", "--generate-env", "--migrate-service",
		"export", "--path="+out)
	require.NoError(t, err, logs)

	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err, "the bundle has %s", name)
		return b
	}
	composeYAML, template, ready := read("docker-compose.prod.yml"), read(".env.production.example"), read(".env.production")
	assert.Contains(t, string(read("DEPLOY.md")), "docker compose -f docker-compose.prod.yml --env-file .env.production up -d")

	for name, envFile := range map[string][]byte{"template": template, "generated": ready} {
		proj, err := compose.Validate(ctxFor(t, time.Minute), composeYAML, envFile)
		require.NoError(t, err, "compose-go loads the bundle with the %s env file", name)
		app, ok := proj.Services["app"]
		require.True(t, ok, "an app service")
		assert.Equal(t, "registry.example/notes-pnpm:1.0.0", app.Image)
		assert.Equal(t, "service_healthy", app.DependsOn["db"].Condition)
		assert.Equal(t, "service_completed_successfully", app.DependsOn["migrate"].Condition)
	}
	// The pnpm fixture's Prisma config reads APP_DATABASE_URL, not DATABASE_URL.
	vars, err := env.Parse(ready)
	require.NoError(t, err)
	assert.NotEmpty(t, vars["APP_DATABASE_URL"], "the URL variable the app reads is set")
	require.Len(t, vars["POSTGRES_PASSWORD"], 43, "a generated 256-bit secret")
	assert.NotContains(t, logs, vars["POSTGRES_PASSWORD"], "the generated password is not in Dagger's output")
	assert.Empty(t, env.Check(ready, bundleEnvSpec(t)), "a generated env file passes the checks")
	info, err := os.Stat(filepath.Join(out, ".env.production"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the secrets file is private")
}

// bundleEnvSpec is the env spec the pipeline uses for the pnpm fixture.
func bundleEnvSpec(t *testing.T) env.Spec {
	p := newPipeline(source(fixturePnpm), func(c *pipeline.Config) {})
	spec, err := p.BundleSpec(ctxFor(t, 2*time.Minute), bundle.Stack{Image: "registry.example/notes-pnpm:1.0.0"})
	require.NoError(t, err)
	return spec.EnvSpec()
}
