//go:build e2e

package tests

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "dagger.io/dagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/pipeline"
	"github.com/slipwayhq/slipway/plan"
	"github.com/slipwayhq/slipway/provenance"
)

// Tools the sign test runs besides cosign, pinned.
const (
	cranePackage    = "github.com/google/go-containerregistry/cmd/crane"
	craneVersion    = "v0.22.1"
	registryPackage = "github.com/distribution/distribution/v3/cmd/registry"
	registryVersion = "v3.0.0"
)

// TestSign pushes two images to an authenticated registry, signs the first
// and attests its provenance with a cosign key pair made by cosign, and
// checks with cosign's own offline verification that both verify, and that
// the second image, a changed digest, a signature copied onto the second
// image and another key all fail. It uses the dev engine's test registry
// (SLIPWAY_TEST_REGISTRY*) when set, else runs its own.
func TestSign(t *testing.T) {
	ctx := ctxFor(t, 40*time.Minute)
	p := newPipeline(nil)
	r := signRegistry(ctx, t, p)
	repo := r.reg.Address + "/slipway-sign-test"

	t0 := time.Now()
	_, err := p.Cosign().Sync(ctx)
	require.NoError(t, err, "build cosign")
	t.Logf("cosign build: %s", time.Since(t0).Round(time.Millisecond))

	keyPassword := "kp-" + randomID()
	key, pub := cosignKeyPair(ctx, t, p, keyPassword)
	_, otherPub := cosignKeyPair(ctx, t, p, "")

	// Two images that differ from every earlier run, so no signature left
	// from one can make this one pass.
	id := randomID()
	image := func(name string) *dagger.Container {
		return dag.Container().From("debian:bookworm-slim").
			WithNewFile("/etc/slipway-sign-test", name+" "+id+"\n")
	}
	signed := r.push(ctx, t, image("signed"), repo+":signed-"+id)
	other := r.push(ctx, t, image("other"), repo+":other-"+id)
	_, _, signedDigest, err := plan.DigestRef(signed)
	require.NoError(t, err)
	_, _, otherDigest, err := plan.DigestRef(other)
	require.NoError(t, err)
	require.NotEqual(t, signedDigest, otherDigest)

	// The provenance publish would write for the notes fixture, built from
	// a known revision.
	const revision = "0123456789abcdef0123456789abcdef01234567"
	app := newPipeline(source(fixtureNotes), func(c *pipeline.Config) {
		c.Release = plan.Release{Version: "1.4.0", Revision: revision, URL: "https://github.com/acme/notes"}
	})
	st, err := app.Provenance(ctx, signed, pipeline.Run{
		Version: "test", InvocationID: "sign-test-" + id, Started: t0, Finished: time.Now(),
		CI: []provenance.Stage{{Name: "install", Duration: time.Second}, {Name: "build", Duration: 2 * time.Second}, {Name: "migrate"}, {Name: "smoke"}},
	})
	require.NoError(t, err)
	deps := st.Predicate.BuildDefinition.ResolvedDependencies
	require.Len(t, deps, 4, "the source, node, debian and golang images")
	assert.Equal(t, map[string]string{"gitCommit": revision}, deps[0].Digest)
	for _, d := range deps[1:] {
		t.Logf("base image %s: sha256:%s", d.Name, d.Digest["sha256"])
		assert.Regexp(t, "^[0-9a-f]{64}$", d.Digest["sha256"], d.Name)
	}
	assert.Equal(t, []string{plan.DefaultNodeImage, plan.DefaultRunnerImage, plan.DefaultGolangImage}, []string{deps[1].Name, deps[2].Name, deps[3].Name})
	predicate, err := st.PredicateJSON()
	require.NoError(t, err)

	signingKey := pipeline.SigningKey{Key: key, Password: dag.SetSecret("slipway-sign-test-key-password-"+id, keyPassword)}
	t1 := time.Now()
	require.NoError(t, p.SignAndAttest(ctx, signed, r.reg, signingKey, predicate))
	t.Logf("sign + attest: %s", time.Since(t1).Round(time.Millisecond))

	t.Run("signature verifies", func(t *testing.T) {
		out, err := p.VerifySignature(ctx, signed, r.reg, pub)
		require.NoError(t, err)
		// cosign lists every bundle the key signed for the digest, the
		// attestation too: the signature is the one of cosign's sign type.
		var claims []struct {
			Critical struct {
				Image struct {
					Digest string `json:"docker-manifest-digest"`
				} `json:"image"`
				Type string `json:"type"`
			} `json:"critical"`
		}
		require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &claims), out)
		types := map[string]int{}
		for _, c := range claims {
			assert.Equal(t, signedDigest, c.Critical.Image.Digest)
			types[c.Critical.Type]++
		}
		assert.Equal(t, map[string]int{"https://sigstore.dev/cosign/sign/v1": 1, provenance.PredicateType: 1}, types)
	})

	t.Run("provenance verifies", func(t *testing.T) {
		out, err := p.VerifyAttestation(ctx, signed, r.reg, pub)
		require.NoError(t, err)
		var env struct{ PayloadType, Payload string }
		require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &env), out)
		assert.Equal(t, "application/vnd.in-toto+json", env.PayloadType)
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		require.NoError(t, err)
		var got struct {
			PredicateType string                          `json:"predicateType"`
			Subject       []provenance.ResourceDescriptor `json:"subject"`
			Predicate     provenance.Provenance           `json:"predicate"`
		}
		require.NoError(t, json.Unmarshal(raw, &got))
		assert.Equal(t, provenance.PredicateType, got.PredicateType)
		require.Len(t, got.Subject, 1)
		assert.Equal(t, strings.TrimPrefix(signedDigest, "sha256:"), got.Subject[0].Digest["sha256"])
		assert.Equal(t, st.Predicate.BuildDefinition, got.Predicate.BuildDefinition, "the attested build definition is the one Slipway wrote")
		assert.Equal(t, provenance.BuilderID, got.Predicate.RunDetails.Builder.ID)
		require.Len(t, got.Predicate.RunDetails.Byproducts, 1)
		assert.Equal(t, "ci", got.Predicate.RunDetails.Byproducts[0].Name)
	})

	// failsVerify checks that both verifications of ref fail with an error
	// that names the step and the registry.
	failsVerify := func(t *testing.T, ref string, pub *dagger.File) {
		t.Helper()
		_, err := p.VerifySignature(ctx, ref, r.reg, pub)
		failsWithout(t, err, "verify (registry "+r.reg.Address+")", r.password, keyPassword)
		_, err = p.VerifyAttestation(ctx, ref, r.reg, pub)
		failsWithout(t, err, "verify-attestation (registry "+r.reg.Address+")", r.password, keyPassword)
	}

	t.Run("unsigned image in the same repository fails", func(t *testing.T) {
		failsVerify(t, other, pub)
	})
	t.Run("changed digest fails", func(t *testing.T) {
		last := signed[len(signed)-1]
		flipped := "0"
		if last == '0' {
			flipped = "1"
		}
		failsVerify(t, signed[:len(signed)-1]+flipped, pub)
	})
	t.Run("another key fails", func(t *testing.T) {
		failsVerify(t, signed, otherPub)
	})
	t.Run("signature copied onto another image fails", func(t *testing.T) {
		// cosign keeps signature and attestation in an index tagged after
		// the signed digest (the registry has no referrers API); tag that
		// index after the other image too, as an attacker could.
		tagOf := func(d string) string { return repo + ":" + strings.Replace(d, ":", "-", 1) }
		_, err := craneExec(r.craneIn(p), "copy", tagOf(signedDigest), tagOf(otherDigest)).Sync(ctx)
		require.NoError(t, err, "copy the signature")
		failsVerify(t, other, pub)
	})

	t.Run("wrong registry password: clear error, no secret", func(t *testing.T) {
		bad := r.reg
		bad.Password = dag.SetSecret("slipway-sign-test-bad-password-"+id, "wrong-"+id)
		err := p.Sign(ctx, signed, bad, signingKey)
		se := failsWithout(t, err, "sign (registry "+r.reg.Address+")", "wrong-"+id, r.password, keyPassword)
		assert.Contains(t, se.Fix, "refused the login")
	})
	t.Run("wrong key password: clear error, no secret", func(t *testing.T) {
		k := pipeline.SigningKey{Key: key, Password: dag.SetSecret("slipway-sign-test-bad-key-password-"+id, "nope-"+id)}
		err := p.Attest(ctx, signed, r.reg, k, predicate)
		se := failsWithout(t, err, "attest (registry "+r.reg.Address+")", "nope-"+id, r.password, keyPassword)
		assert.Contains(t, se.Fix, "signing key could not be read")
	})
	t.Run("tag instead of digest", func(t *testing.T) {
		err := p.Sign(ctx, repo+":signed-"+id, r.reg, signingKey)
		requireStageError(t, err, "sign")
		assert.ErrorContains(t, err, "REPO@sha256:")
	})
}

// failsWithout checks that err is a StageError of stage whose text holds
// none of the secrets.
func failsWithout(t *testing.T, err error, stage string, secrets ...string) *pipeline.StageError {
	t.Helper()
	se := requireStageError(t, err, stage)
	t.Logf("as expected: %v", err)
	for _, s := range secrets {
		if s != "" {
			assert.NotContains(t, err.Error(), s, "a secret is in the error")
		}
	}
	return se
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// cosignKeyPair makes a key pair with cosign itself: the private key as a
// secret, the public key as a file.
func cosignKeyPair(ctx context.Context, t *testing.T, p *pipeline.Pipeline, password string) (*dagger.Secret, *dagger.File) {
	t.Helper()
	id := randomID()
	s := plan.SigningOf(plan.Options{})
	dir := dag.Container().From(s.Image).
		WithFile(s.Bin, p.Cosign()).
		WithWorkdir("/keys").
		WithSecretVariable(names.CosignPasswordVar, dag.SetSecret("slipway-sign-test-genkey-"+id, password)).
		WithEnvVariable(names.RunVar, id).
		WithExec([]string{s.Bin, "generate-key-pair"}).
		Directory("/keys")
	pem, err := dir.File("cosign.key").Contents(ctx)
	require.NoError(t, err, "cosign generate-key-pair")
	require.Contains(t, pem, "ENCRYPTED SIGSTORE PRIVATE KEY")
	return dag.SetSecret("slipway-sign-test-key-"+id, pem), dir.File("cosign.pub")
}

// testRegistry is an authenticated registry both the engine's pushes and
// the pipeline's containers reach.
type testRegistry struct {
	reg      pipeline.Registry
	password string // to check that it shows nowhere
	push     func(ctx context.Context, t *testing.T, ctr *dagger.Container, ref string) string
}

// signRegistry is the dev engine's test registry when hack/dev-engine env
// names one, else a registry of the test's own, run as a service.
func signRegistry(ctx context.Context, t *testing.T, p *pipeline.Pipeline) *testRegistry {
	addr, user, pw := os.Getenv("SLIPWAY_TEST_REGISTRY"), os.Getenv("SLIPWAY_TEST_REGISTRY_USER"), os.Getenv("SLIPWAY_TEST_REGISTRY_PASSWORD")
	if addr != "" {
		require.NotEmpty(t, user, "SLIPWAY_TEST_REGISTRY_USER")
		require.NotEmpty(t, pw, "SLIPWAY_TEST_REGISTRY_PASSWORD")
		secret := dag.SetSecret("slipway-test-registry-password", pw)
		r := &testRegistry{
			reg:      pipeline.Registry{Address: addr, Username: user, Password: secret, PlainHTTP: true},
			password: pw,
		}
		// The engine pushes as publish does.
		r.push = func(ctx context.Context, t *testing.T, ctr *dagger.Container, ref string) string {
			t.Helper()
			out, err := ctr.WithRegistryAuth(addr, user, secret).Publish(ctx, ref)
			require.NoError(t, err, "push %s", ref)
			return out
		}
		return r
	}
	return ownRegistry(ctx, t, p)
}

// ownRegistry runs distribution's registry with htpasswd auth as a service;
// the engine can't push to it, so images go in with crane from a container.
func ownRegistry(ctx context.Context, t *testing.T, p *pipeline.Pipeline) *testRegistry {
	t.Helper()
	const host, port = "sign-registry", 5000
	user, pw := "signer", "rp-"+randomID()
	secret := dag.SetSecret("slipway-sign-test-registry-"+randomID(), pw)
	golang := plan.MigratorBuildOf(plan.Options{})
	htpasswd := withGoCaches(dag.Container().From(golang.Image), golang).
		WithDirectory("/src", hostDir(filepath.Join(repoRoot(), "e2e", "testdata", "htpasswd"), sdk.HostDirectoryOpts{})).
		WithWorkdir("/src").
		WithEnvVariable("HTPASSWD_USER", user).
		WithSecretVariable("HTPASSWD_PASSWORD", secret).
		WithExec([]string{"sh", "-c", "go run . > /htpasswd"}).
		File("/htpasswd")
	config := `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
auth:
  htpasswd:
    realm: slipway-test
    path: /etc/registry/htpasswd
`
	svc := dag.Container().From(golang.Image).
		WithFile("/usr/local/bin/registry", p.Tool(plan.ToolBuildOf(plan.Options{}, "registry", registryPackage, registryVersion))).
		WithNewFile("/etc/registry/config.yml", config).
		WithFile("/etc/registry/htpasswd", htpasswd).
		WithExposedPort(port).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{"registry", "serve", "/etc/registry/config.yml"}})
	// Started once and kept up: every container the test binds it to sees
	// the same storage.
	svc, err := svc.Start(ctx)
	require.NoError(t, err, "start the test registry")
	t.Cleanup(func() { _, _ = svc.Stop(context.Background()) })
	r := &testRegistry{
		reg:      pipeline.Registry{Address: host + ":5000", Username: user, Password: secret, PlainHTTP: true, Service: svc},
		password: pw,
	}
	r.push = func(ctx context.Context, t *testing.T, ctr *dagger.Container, ref string) string {
		t.Helper()
		out, err := craneExec(r.craneIn(p).WithMountedFile("/image.tar", ctr.AsTarball()), "push", "/image.tar", ref).Stdout(ctx)
		require.NoError(t, err, "push %s", ref)
		return lastLine(out)
	}
	return r
}

// withGoCaches mounts Go's caches as the plan's golang builds do.
func withGoCaches(ctr *dagger.Container, b *plan.MigratorBuild) *dagger.Container {
	for _, c := range b.Caches {
		ctr = ctr.WithMountedCache(c.Path, dag.CacheVolume(c.Volume))
	}
	return ctr
}

// craneIn is a container with crane, to run against the test registry.
func (r *testRegistry) craneIn(p *pipeline.Pipeline) *dagger.Container {
	golang := plan.MigratorBuildOf(plan.Options{})
	ctr := dag.Container().From(golang.Image).
		WithFile("/usr/local/bin/crane", p.Tool(plan.ToolBuildOf(plan.Options{}, "crane", cranePackage, craneVersion))).
		WithMountedTemp("/run/docker").
		WithEnvVariable("DOCKER_CONFIG", "/run/docker").
		WithEnvVariable("REGISTRY", r.reg.Address).
		WithEnvVariable("REGISTRY_USER", r.reg.Username).
		WithSecretVariable("REGISTRY_PASSWORD", r.reg.Password).
		WithEnvVariable(names.RunVar, randomID())
	if r.reg.Service != nil {
		host, _, _ := strings.Cut(r.reg.Address, ":")
		ctr = ctr.WithServiceBinding(host, r.reg.Service)
	}
	return ctr
}

// craneExec runs crane in ctr, logged in through stdin.
func craneExec(ctr *dagger.Container, args ...string) *dagger.Container {
	login := `printf '%s' "$REGISTRY_PASSWORD" | crane auth login "$REGISTRY" -u "$REGISTRY_USER" --password-stdin >/dev/null && exec crane --insecure "$@"`
	return ctr.WithExec(append([]string{"sh", "-c", login, "crane"}, args...))
}
