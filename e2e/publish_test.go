//go:build e2e

package tests

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/pipeline"
	"github.com/slipwayhq/slipway/provenance"
)

// authRegistry is the authenticated registry hack/dev-engine runs for these
// tests: its address (reachable by the engine and by containers in it), user
// and password.
func authRegistry(t *testing.T) (addr, user, password string) {
	t.Helper()
	addr, user, password = os.Getenv("SLIPWAY_TEST_REGISTRY"), os.Getenv("SLIPWAY_TEST_REGISTRY_USER"), os.Getenv("SLIPWAY_TEST_REGISTRY_PASSWORD")
	if addr == "" || user == "" || password == "" {
		t.Skip("no authenticated test registry: run `hack/dev-engine up`, then eval \"$(hack/dev-engine env)\" (.ci/run does)")
	}
	return addr, user, password
}

// testRevision is a commit id, so that publish adds its sha- tag.
const testRevision = "5f0c3e1d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"

// TestPublishMultiPlatform: publish proves both platforms, pushes one index
// under every tag plus sha-<short>, and returns them pinned to its digest.
// Pulled back by that digest, each platform runs its own Node and its own
// sharp, and the bundle pins its compose file to the same reference.
func TestPublishMultiPlatform(t *testing.T) {
	addr, user, password := authRegistry(t)
	ctx := ctxFor(t, 60*time.Minute)
	p := newPipeline(source(fixtureNotes), func(c *pipeline.Config) {
		c.Platforms = []string{"linux/amd64", "linux/arm64"}
		c.Release.Revision = testRevision
	})
	secret := dag.SetSecret("test-registry-password", password)

	start := time.Now()
	res, err := p.CIImages(ctx, nil)
	require.NoError(t, err)
	ciTime := time.Since(start)
	t.Logf("ci on both platforms: %s\n%s", ciTime.Round(time.Second), res.Report)
	assert.Contains(t, res.Report, "linux/arm64:\n")
	images := res.Images

	// ci again, warm: what publish repeats before it pushes.
	start = time.Now()
	_, err = p.CIImages(ctx, nil)
	require.NoError(t, err)
	ciTime = time.Since(start)
	t.Logf("ci on both platforms, warm: %s", ciTime.Round(time.Second))

	repo := addr + "/slipway-e2e/notes-" + randomID()
	keyPassword := "key-" + randomID()
	key, pub := cosignKeyPair(ctx, t, p, keyPassword)
	to := pipeline.Target{Address: repo, Tags: []string{"1.4.0", "1.4"}, Username: user, Password: secret, PlainHTTP: true}
	start = time.Now()
	pushed, err := p.Publish(ctx, to, nil, &pipeline.SigningKey{Key: key, Password: dag.SetSecret("publish-key-password", keyPassword)})
	require.NoError(t, err)
	took := time.Since(start)
	t.Logf("publish (ci, push, sign, attest): %s; the push, signature and attestations add %s to a warm ci", took.Round(time.Second), (took - ciTime).Round(time.Second))
	assert.True(t, pushed.Signed)

	// cosign's own verification, offline, of the signature and provenance.
	reg := pipeline.Registry{Address: addr, Username: user, Password: secret, PlainHTTP: true}
	digestRef := repo + "@" + pushed.Digest
	_, err = p.VerifySignature(ctx, digestRef, reg, pub)
	require.NoError(t, err, "the pushed digest is signed")
	out, err := p.VerifyAttestation(ctx, digestRef, reg, pub)
	require.NoError(t, err, "the pushed digest carries its provenance")
	var env struct{ Payload string }
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &env), out)
	raw, err := base64.StdEncoding.DecodeString(env.Payload)
	require.NoError(t, err)
	var got struct {
		PredicateType string                `json:"predicateType"`
		Predicate     provenance.Provenance `json:"predicate"`
	}
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.Equal(t, provenance.PredicateType, got.PredicateType)
	require.Len(t, got.Predicate.RunDetails.Byproducts, 1)
	ci := got.Predicate.RunDetails.Byproducts[0]
	assert.Equal(t, "ci", ci.Name)
	t.Logf("ci stages in the provenance: %v", ci.Annotations)
	assert.Contains(t, fmt.Sprint(ci.Annotations), "migrate and smoke on linux/arm64", "the arm64 proof is in the provenance")

	// Each platform's SBOM, attested on the pushed digest.
	out, err = p.VerifyAttestationOf(ctx, digestRef, reg, pub, "spdxjson")
	require.NoError(t, err, "the pushed digest carries its SBOMs")
	var sboms []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var env struct{ Payload string }
		if json.Unmarshal([]byte(line), &env) != nil || env.Payload == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		require.NoError(t, err)
		var st struct {
			PredicateType string `json:"predicateType"`
			Predicate     struct {
				Packages []struct{ Name string } `json:"packages"`
			} `json:"predicate"`
		}
		require.NoError(t, json.Unmarshal(raw, &st))
		var names []string
		for _, pkg := range st.Predicate.Packages {
			names = append(names, pkg.Name)
		}
		sboms = append(sboms, st.PredicateType)
		assert.Contains(t, names, "next", "the attested SBOM lists the app's packages")
	}
	assert.Len(t, sboms, 2, "one SBOM per platform")

	refs := pushed.Refs()
	require.Len(t, refs, 3)
	for i, tag := range []string{"1.4.0", "1.4", "sha-5f0c3e1"} {
		assert.Equal(t, repo+":"+tag+"@"+pushed.Digest, refs[i])
	}
	require.Regexp(t, `^sha256:[0-9a-f]{64}$`, pushed.Digest)

	// Pulled back by digest, per platform: the runner's own Node, and sharp
	// that loads, as the arm64 build's own.
	for i, want := range map[int]string{0: "x64", 1: "arm64"} {
		pf := images[i].Platform.Name
		pulled := dag.Container(dagger.ContainerOpts{Platform: dagger.Platform(pf)}).
			WithRegistryAuth(addr, user, secret).
			From(repo + "@" + pushed.Digest)
		arch, err := pulled.WithExec([]string{"node", "-e", "require('sharp'); process.stdout.write(process.arch)"}).Stdout(ctx)
		require.NoError(t, err, "sharp loads on %s", pf)
		assert.Equal(t, want, arch, pf)
		for _, f := range []string{"/usr/local/bin/node", "/app/server.js"} {
			got, err := pulled.File(f).Digest(ctx, dagger.FileDigestOpts{ExcludeMetadata: true})
			require.NoError(t, err)
			built, err := images[i].Container.File(f).Digest(ctx, dagger.FileDigestOpts{ExcludeMetadata: true})
			require.NoError(t, err)
			assert.Equal(t, built, got, "%s on %s is the one pushed", f, pf)
		}
		entries, err := pulled.Directory("/app/node_modules/@img").Entries(ctx)
		require.NoError(t, err)
		other := map[string]string{"x64": "arm64", "arm64": "x64"}[want]
		assert.Contains(t, entries, "sharp-linux-"+want+"/")
		assert.NotContains(t, entries, "sharp-linux-"+other+"/", "no package of the other platform")
	}

	// bundle --image takes the digest reference and pins the stack to it:
	// compose-go resolves the app's image to it from the env template.
	dir, err := p.Bundle(ctx, bundle.Stack{Image: refs[0], ReadOnly: true}, false)
	require.NoError(t, err)
	composeYAML, err := dir.File("docker-compose.prod.yml").Contents(ctx)
	require.NoError(t, err)
	template, err := dir.File(".env.production.example").Contents(ctx)
	require.NoError(t, err)
	proj, err := compose.Validate(ctx, []byte(composeYAML), []byte(template))
	require.NoError(t, err)
	assert.Equal(t, refs[0], proj.Services["app"].Image, "the compose file runs the pushed digest")
}

// TestPublishFailures: a wrong password and an unreachable registry each
// give one clear error that names the registry and never the password.
func TestPublishFailures(t *testing.T) {
	addr, user, _ := authRegistry(t)
	ctx := ctxFor(t, 30*time.Minute)
	p := newPipeline(source(fixtureNotes))
	wrong := "wrong-" + randomID()

	for _, tc := range []struct {
		name, addr, want string
	}{
		{"wrong password", addr + "/slipway-e2e/denied", "refused the credentials of user " + user},
		{"unreachable", "127.0.0.1:9/slipway-e2e/notes", "registry 127.0.0.1:9 is unreachable from the engine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Publish(ctx, pipeline.Target{Address: tc.addr, Username: user, Password: dag.SetSecret("wrong-password-"+randomID(), wrong)}, nil, nil)
			require.Error(t, err)
			var se *pipeline.StageError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "publish", se.Stage)
			msg := err.Error()
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "fix: ")
			assert.NotContains(t, msg, wrong, "the password is never printed")
			assert.Equal(t, 1, strings.Count(msg, "push to "), "one error, not one per tag:\n%s", msg)
		})
	}
}
