//go:build e2e

package tests

import (
	"archive/tar"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/dockerfile"
	"github.com/slipwayhq/slipway/internal/dagger"
)

// TestDockerfileBuildsAnImageThatPassesSmoke builds the notes fixture from
// the rendered Dockerfile alone, with the engine's Dockerfile builder, and
// holds the image to the pipeline's own smoke test. Slipway is not published,
// so the Dockerfile is rendered to build the migrator from a copy of
// Slipway's source in the context (.slipway/), as a vendoring user would.
func TestDockerfileBuildsAnImageThatPassesSmoke(t *testing.T) {
	ctx := ctxFor(t, 25*time.Minute)
	src := source(fixtureNotes)
	p := newPipeline(src)
	df, err := p.Dockerfile(ctx, func(o *dockerfile.Options) { o.MigratorSource = ".slipway" })
	require.NoError(t, err)
	text, err := df.Contents(ctx)
	require.NoError(t, err)
	require.Contains(t, text, "COPY .slipway/ ./", "the migrator builds from the context's copy of Slipway")

	// A secret build-time variable, passed the Dockerfile's way: a dotenv
	// file as the build_env secret.
	const appName = "Notes built from a Dockerfile"
	secret := dag.SetSecret(dockerfile.SecretID, "NEXT_PUBLIC_APP_NAME='"+appName+"'\n")
	image := src.
		WithFile("Dockerfile", df).
		WithDirectory(".slipway", tools()).
		DockerBuild(dagger.DirectoryDockerBuildOpts{Secrets: []*dagger.Secret{secret}})

	user, err := image.User(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1001:1001", user, "the image's USER")
	// The runner has no coreutils: Node says who it runs as.
	uid, err := image.WithExec([]string{"node", "-p", "process.getuid() + ':' + process.getgid()"}).Stdout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1001:1001", strings.TrimSpace(uid), "processes run as nextjs:nodejs")

	hc := image.DockerHealthcheck()
	args, err := hc.Args(ctx)
	require.NoError(t, err, "the image has a HEALTHCHECK")
	assert.Equal(t, []string{"node", "/usr/local/lib/slipway/healthcheck.cjs"}, args)
	interval, err := hc.Interval(ctx)
	require.NoError(t, err)
	assert.Equal(t, "10s", interval)

	entry, err := image.Entrypoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"/usr/local/bin/slipway-migrate", "start", "--"}, entry)

	// The secret reached `next build` (the prerendered page has it) and
	// stayed out of the image config.
	page, err := image.WithExec([]string{"node", "-e", `process.stdout.write(require("fs").readFileSync("/app/.next/server/app/index.html", "utf8"))`}).Stdout(ctx)
	require.NoError(t, err)
	assert.Contains(t, page, appName, "the build read NEXT_PUBLIC_APP_NAME from the build secret")
	vars, err := image.EnvVariables(ctx)
	require.NoError(t, err)
	for _, v := range vars {
		name, err := v.Name(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, "NEXT_PUBLIC_APP_NAME", name, "a build secret's variable must not reach the image config")
	}

	out, err := p.Smoke(ctx, image, []string{"/", "/api/notes"})
	require.NoError(t, err, "the Dockerfile's image migrates and serves")
	t.Log(out)

	// The same base as the pipeline's image: outside /app, the same files
	// with the same types, modes and owners; and about the same size.
	built := exportImage(t, image, dagger.ImageLayerCompressionGzip)
	built.requireIntact(t)
	img, err := p.Image(ctx)
	require.NoError(t, err)
	piped := exportImage(t, img, dagger.ImageLayerCompressionGzip)
	builtFiles, pipedFiles := built.files(), piped.files()
	base := baseFiles(builtFiles)
	assert.Contains(t, base, "usr/local/bin/node 0 755 0", "the Dockerfile's image has the rootfs's node")
	assert.Equal(t, baseFiles(pipedFiles), base, "files outside /app: pipeline's image vs the Dockerfile's")
	cache, ok := builtFiles["app/.next/cache"]
	if assert.True(t, ok, "the Dockerfile's image has no .next/cache") {
		assert.Equal(t, byte(tar.TypeDir), cache.Type, ".next/cache is a directory")
		assert.Equal(t, 1001, cache.UID, "the runner user owns .next/cache")
	}
	bs, ps := built.uncompressedSize(), piped.uncompressedSize()
	t.Logf("runner, uncompressed: Dockerfile %d bytes (%.1f MB) in %d layers, pipeline %d bytes (%.1f MB) in %d layers",
		bs, float64(bs)/1e6, len(built.Layers), ps, float64(ps)/1e6, len(piped.Layers))
	assert.InEpsilon(t, ps, bs, 0.02, "the Dockerfile's image (%d bytes) is within 2%% of the pipeline's (%d bytes)", bs, ps)
}

// baseFiles lists the files outside /app as "name type mode uid", sorted.
func baseFiles(files map[string]layerEntry) []string {
	var out []string
	for name, e := range files {
		if name == "app" || strings.HasPrefix(name, "app/") {
			continue
		}
		out = append(out, fmt.Sprintf("%s %c %o %d", name, e.Type, e.Mode&0o7777, e.UID))
	}
	sort.Strings(out)
	return out
}
