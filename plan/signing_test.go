package plan

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/names"
)

const testDigest = "sha256:27ec9d6d91af14fe1a5f8d6e4b3c1fb722fae02a827a9edddb41aaa10003ea01"

// TestCosignBuild: cosign is built as the migrator is, in the same golang
// image with the same caches, at the pinned version.
func TestCosignBuild(t *testing.T) {
	s := SigningOf(Options{})
	b := s.Build
	assert.Equal(t, "cosign", b.Name)
	assert.Equal(t, DefaultGolangImage, b.Image)
	assert.Equal(t, MigratorBuildOf(Options{}).Caches, b.Caches)
	assert.Equal(t, []Cache{{names.GoModCache, "/go/pkg/mod"}, {names.GoBuildCache, "/root/.cache/go-build"}}, b.Caches)
	assert.Equal(t, "go install -trimpath -ldflags=-s -w github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3", strings.Join(b.Command, " "))
	assert.Contains(t, b.Env, EnvVar{"CGO_ENABLED", "0"})
	assert.Equal(t, "/out/cosign", b.Output)
	assert.Equal(t, b.Image, s.Image, "cosign runs where it was built: that image has the CA bundle")

	assert.Equal(t, "golang:1.26", SigningOf(Options{GolangImage: "golang:1.26"}).Build.Image)
}

// TestSigningCommands: every signing command is offline (no signing config,
// no transparency log), names the digest, and allows plain HTTP only when
// asked.
func TestSigningCommands(t *testing.T) {
	s := SigningOf(Options{})
	ref := "registry.example/acme/notes@" + testDigest

	sign := strings.Join(s.Sign(ref, false), " ")
	assert.Equal(t, "/usr/local/bin/cosign sign --yes --key /run/secrets/cosign.key --use-signing-config=false --tlog-upload=false "+ref, sign)

	attest := strings.Join(s.Attest(ref, true), " ")
	assert.Equal(t, "/usr/local/bin/cosign attest --yes --key /run/secrets/cosign.key --type slsaprovenance1 --predicate /run/slipway/provenance.json "+
		"--use-signing-config=false --tlog-upload=false --allow-http-registry=true "+ref, attest)

	verify := strings.Join(s.Verify(ref, true), " ")
	assert.Equal(t, "/usr/local/bin/cosign verify --key /run/slipway/cosign.pub --output json --insecure-ignore-tlog=true --allow-http-registry=true "+ref, verify)

	va := strings.Join(s.VerifyAttestation(ref, false), " ")
	assert.Equal(t, "/usr/local/bin/cosign verify-attestation --key /run/slipway/cosign.pub --type slsaprovenance1 --output json --insecure-ignore-tlog=true "+ref, va)
}

// TestLogin: the password comes from a variable through stdin, never a
// command line argument.
func TestLogin(t *testing.T) {
	l := SigningOf(Options{}).Login()
	assert.Equal(t, `printf '%s' "$SLIPWAY_REGISTRY_PASSWORD" | /usr/local/bin/cosign login "$SLIPWAY_REGISTRY" -u "$SLIPWAY_REGISTRY_USER" --password-stdin >/dev/null 2>&1 `+
		`|| { echo "cosign login to $SLIPWAY_REGISTRY failed" >&2; exit 1; }`, l)
	assert.NotContains(t, l, "--password ")
}

func TestDigestRef(t *testing.T) {
	reg, repo, d, err := DigestRef("10.87.0.1:5099/acme/notes@" + testDigest)
	require.NoError(t, err)
	assert.Equal(t, "10.87.0.1:5099", reg)
	assert.Equal(t, "10.87.0.1:5099/acme/notes", repo)
	assert.Equal(t, testDigest, d)

	reg, repo, _, err = DigestRef("acme/notes:1.4@" + testDigest)
	require.NoError(t, err)
	assert.Equal(t, "docker.io", reg)
	assert.Equal(t, "docker.io/acme/notes", repo)

	for _, bad := range []string{"registry.example/acme/notes:1.4", "registry.example/acme/notes", "", "acme/Notes@" + testDigest, "acme/notes@sha256:abc"} {
		_, _, _, err := DigestRef(bad)
		assert.ErrorIs(t, err, ErrBadOption, bad)
	}
	_, _, _, err = DigestRef("registry.example/acme/notes:1.4")
	assert.ErrorContains(t, err, "REPO@sha256:")
}

// TestSigningFix: cosign's own messages for the usual failures, as seen
// from cosign v3.1.3, each get a fix that names the registry.
func TestSigningFix(t *testing.T) {
	const reg = "registry.example:5000"
	for out, want := range map[string]string{
		"Error: signing [r/x@sha256:00]: signing digest: getting keypair and token: getting signer: reading key: decrypt: encrypted: decryption failed": "the signing key could not be read",
		"accessing image: GET http://registry.example:5000/v2/x/manifests/sha256:00: UNAUTHORIZED: authentication required":                             "registry registry.example:5000 refused the login",
		`Get "http://registry.example:5000/v2/": dial tcp 10.0.0.1:5000: connect: connection refused`:                                                   "registry registry.example:5000 is unreachable",
		"PUT https://registry.example:5000/v2/x/manifests/sha256-00: DENIED: requested access to the resource is denied":                                "registry registry.example:5000 denied access",
		"Error: no signatures found": "does not verify with this public key",
		"failed to verify signature: provided artifact digest does not match any digest in statement": "does not verify with this public key",
		"something else": "see cosign's output above",
	} {
		assert.Contains(t, SigningFix("sign", reg, out), want, out)
	}
	assert.Contains(t, SigningFix("verify-attestation", reg, "no matching attestations"), "provenance attestation")
}

func TestRegistryOf(t *testing.T) {
	const ref = "10.87.0.1:5099/acme/notes@" + testDigest
	r, err := RegistryOf(ref, "")
	assert.NoError(t, err)
	assert.Equal(t, "10.87.0.1:5099", r)
	r, err = RegistryOf(ref, "10.87.0.1:5099")
	assert.NoError(t, err)
	assert.Equal(t, "10.87.0.1:5099", r)
	_, err = RegistryOf(ref, "other:5000")
	assert.ErrorContains(t, err, "is not in registry other:5000")
	_, err = RegistryOf("10.87.0.1:5099/acme/notes:1.4", "")
	assert.ErrorContains(t, err, "no sha256 digest")
}

func TestSigningOutput(t *testing.T) {
	out := "Flag --tlog-upload has been deprecated, prefer using a --signing-config file with no transparency log services\n" +
		"Error: no signatures found\n" +
		"error during command execution: no signatures found\n"
	assert.Equal(t, "Error: no signatures found", SigningOutput(out))
}

// TestBaseImages: the Node image, the Debian image the runner is assembled
// in, and the golang image of the migrator, each once.
func TestBaseImages(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	p := planFor(t, a, Options{})
	assert.Equal(t, []string{DefaultNodeImage, DefaultRunnerImage, DefaultGolangImage}, p.BaseImages())

	p = planFor(t, a, Options{Migrator: MigratorPrisma, NodeImage: "node:24-bookworm", RunnerImage: "node:24-bookworm"})
	assert.Equal(t, []string{"node:24-bookworm"}, p.BaseImages())
}
