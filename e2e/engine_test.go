//go:build e2e

package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/internal/dagger"
)

// The engine tests prove the hermetic engine and its mirror do what the
// pipeline relies on.

func TestEngineRunsMirroredNode(t *testing.T) {
	ctx := ctxFor(t, 5*time.Minute)
	for _, major := range []string{"24", "22"} {
		out, err := dag.Container().From("node:" + major + "-bookworm-slim").
			WithExec([]string{"node", "--version"}).Stdout(ctx)
		require.NoError(t, err)
		assert.Regexp(t, `^v`+major+`\.\d+\.\d+\n?$`, out)
	}
}

func TestEngineCacheVolumeSurvivesRuns(t *testing.T) {
	ctx := ctxFor(t, 5*time.Minute)
	vol := dag.CacheVolume("slipway-test-cache-" + randomID())
	base := dag.Container().From("debian:bookworm-slim").WithMountedCache("/cache", vol)
	_, err := base.WithExec([]string{"sh", "-c", "echo first-run > /cache/marker"}).Sync(ctx)
	require.NoError(t, err)
	// A different command, so the second run is a new exec reading the volume.
	out, err := base.WithExec([]string{"cat", "/cache/marker"}).Stdout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "first-run\n", out)
}

func TestEnginePostgresServiceByAlias(t *testing.T) {
	ctx := ctxFor(t, 5*time.Minute)
	pw := dag.SetSecret("slipway-test-pg-password", "test-"+randomID())
	db := dag.Container().From("postgres:15").
		WithEnvVariable("POSTGRES_USER", "probe").
		WithEnvVariable("POSTGRES_DB", "probe").
		WithSecretVariable("POSTGRES_PASSWORD", pw).
		WithExposedPort(5432).
		WithDockerHealthcheck([]string{"pg_isready", "-h", "127.0.0.1", "-U", "probe", "-d", "probe"},
			dagger.ContainerWithDockerHealthcheckOpts{Interval: "1s", StartInterval: "500ms", Retries: 30}).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
	out, err := dag.Container().From("postgres:15").
		WithServiceBinding("pg", db).
		WithSecretVariable("PGPASSWORD", pw).
		WithEnvVariable("RUN", randomID()).
		WithExec([]string{"psql", "-h", "pg", "-U", "probe", "-d", "probe", "-tAc", "select 1"}).
		Stdout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1\n", out)
}

func TestEngineExportsTarball(t *testing.T) {
	ctx := ctxFor(t, 5*time.Minute)
	path := filepath.Join(t.TempDir(), "image.tar")
	ctr := dag.Container().From("debian:bookworm-slim").WithNewFile("/hello", "hi")
	_, err := ctr.Export(ctx, path)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Greater(t, st.Size(), int64(10<<20), "a Debian image tarball is tens of MB")
	assert.Contains(t, tarEntries(t, path), "index.json", "an OCI tarball has an index")
}

func TestEngineDaggerCallOnModule(t *testing.T) {
	out, err := daggerCall(t, "--source=testdata/"+fixtureNotes, "inspect", "--format=json")
	require.NoError(t, err)
	var got struct {
		PackageManager struct{ Name string } `json:"packageManager"`
		Next           struct{ Standalone bool }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), "inspect --format=json printed: %s", out)
	assert.Equal(t, "npm", got.PackageManager.Name)
	assert.True(t, got.Next.Standalone)

	fns, err := run(t, "dagger", "functions", "-m", repoRoot())
	require.NoError(t, err)
	for _, fn := range []string{"inspect", "base", "deps", "build", "image", "database", "migrate", "smoke", "ci"} {
		assert.Regexp(t, `(?m)^`+fn+`\s`, fns, "dagger functions lists %s", fn)
	}
	assert.False(t, strings.Contains(fns, "No description"), "every function has a description")
}
