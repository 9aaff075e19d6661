package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/distribution/reference"

	"github.com/slipwayhq/slipway/names"
)

// Cosign is the signing tool: built from source at a pinned version, as
// the Go module proxy serves it. v3 signs fully offline with a key pair
// when told to use no signing config and no transparency log (Offline).
const (
	CosignPackage = "github.com/sigstore/cosign/v3/cmd/cosign"
	CosignVersion = "v3.1.3"
)

// ToolBuild is how a Go command-line tool Slipway runs is built: `go
// install` at a pinned version in a golang container with Go's module and
// build caches, the binary landing in Output.
type ToolBuild struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Caches  []Cache  `json:"caches"`
	Env     []EnvVar `json:"env"`
	Command []string `json:"command"`
	Output  string   `json:"output"`
}

// toolBin is where tool builds put their binaries.
const toolBin = "/out"

// ToolBuildOf builds pkg@version into /out/name, static, with the same
// golang image and caches as the migrator; ldflags are the tool's own link
// flags besides -s -w (such as -X main.version=..., as its release build sets).
func ToolBuildOf(o Options, name, pkg, version string, ldflags ...string) *ToolBuild {
	m := MigratorBuildOf(o)
	return &ToolBuild{
		Name:    name,
		Image:   m.Image,
		Caches:  m.Caches,
		Env:     []EnvVar{{"CGO_ENABLED", "0"}, {"GOBIN", toolBin}},
		Command: []string{"go", "install", "-trimpath", strings.Join(append([]string{"-ldflags=-s -w"}, ldflags...), " "), pkg + "@" + version},
		Output:  toolBin + "/" + name,
	}
}

// Signing is how a published image is signed and its provenance attested
// with a cosign key pair, and how either is verified. Cosign runs in the
// golang image of its build, which has the CA bundle HTTPS registries need.
type Signing struct {
	Build *ToolBuild `json:"build"`
	Image string     `json:"image"`
	Bin   string     `json:"bin"`
	// Key is where the private key is mounted; PublicKey where a public
	// key for verification is.
	Key       string `json:"key"`
	PublicKey string `json:"publicKey"`
	// Predicate is where the provenance predicate is written.
	Predicate string `json:"predicate"`
	// PredicateType is cosign's name for the SLSA v1 provenance predicate.
	PredicateType string `json:"predicateType"`
	// ConfigDir holds the registry login (DOCKER_CONFIG), on a tmpfs, so the
	// credentials are in no layer.
	ConfigDir string `json:"configDir"`
	// Offline makes cosign use no signing config and no transparency log:
	// with a key pair, it then talks to the registry alone.
	Offline []string `json:"offline"`
	// VerifyOffline verifies against the key alone, with no log.
	VerifyOffline []string `json:"verifyOffline"`
}

// SigningOf is how images are signed: cosign at CosignVersion.
func SigningOf(o Options) *Signing {
	b := ToolBuildOf(o, "cosign", CosignPackage, CosignVersion)
	return &Signing{
		Build:         b,
		Image:         b.Image,
		Bin:           names.CosignBin,
		Key:           names.CosignKeyPath,
		PublicKey:     names.CosignPubPath,
		Predicate:     names.ProvenancePath,
		PredicateType: "slsaprovenance1",
		ConfigDir:     names.RegistryConfigDir,
		Offline:       []string{"--use-signing-config=false", "--tlog-upload=false"},
		VerifyOffline: []string{"--insecure-ignore-tlog=true"},
	}
}

// registry are the flags for a registry that speaks plain HTTP.
func registry(plainHTTP bool) []string {
	if plainHTTP {
		return []string{"--allow-http-registry=true"}
	}
	return nil
}

// Sign signs the image ref names, which must be a digest reference.
func (s *Signing) Sign(ref string, plainHTTP bool) []string {
	cmd := []string{s.Bin, "sign", "--yes", "--key", s.Key}
	cmd = append(append(append(cmd, s.Offline...), registry(plainHTTP)...), ref)
	return cmd
}

// SbomPredicateTypes are cosign's names for the SBOM formats, by the names
// SbomFormats gives them.
var SbomPredicateTypes = map[string]string{"spdx-json": "spdxjson", "cyclonedx-json": "cyclonedx"}

// SbomAttestFormat is the format of the SBOMs publish attests.
const SbomAttestFormat = "spdx-json"

// Attest attaches the provenance predicate to ref as a signed attestation.
func (s *Signing) Attest(ref string, plainHTTP bool) []string {
	return s.AttestAs(ref, s.PredicateType, plainHTTP)
}

// AttestAs attaches the predicate file to ref as a signed attestation of
// predicateType (cosign's name for it).
func (s *Signing) AttestAs(ref, predicateType string, plainHTTP bool) []string {
	cmd := []string{s.Bin, "attest", "--yes", "--key", s.Key, "--type", predicateType, "--predicate", s.Predicate}
	cmd = append(append(append(cmd, s.Offline...), registry(plainHTTP)...), ref)
	return cmd
}

// Verify checks ref's signature against the public key.
func (s *Signing) Verify(ref string, plainHTTP bool) []string {
	cmd := []string{s.Bin, "verify", "--key", s.PublicKey, "--output", "json"}
	cmd = append(append(append(cmd, s.VerifyOffline...), registry(plainHTTP)...), ref)
	return cmd
}

// VerifyAttestation checks ref's provenance attestation against the public
// key; its output is the verified envelopes, one JSON object a line.
func (s *Signing) VerifyAttestation(ref string, plainHTTP bool) []string {
	return s.VerifyAttestationAs(ref, s.PredicateType, plainHTTP)
}

// VerifyAttestationAs checks ref's attestations of predicateType.
func (s *Signing) VerifyAttestationAs(ref, predicateType string, plainHTTP bool) []string {
	cmd := []string{s.Bin, "verify-attestation", "--key", s.PublicKey, "--type", predicateType, "--output", "json"}
	cmd = append(append(append(cmd, s.VerifyOffline...), registry(plainHTTP)...), ref)
	return cmd
}

// Login writes the registry login into ConfigDir with cosign's own login,
// the password read from stdin: it is never on a command line.
func (s *Signing) Login() string {
	return `printf '%s' "$` + names.RegistryPasswordVar + `" | ` + s.Bin + ` login "$` + names.RegistryVar + `" -u "$` +
		names.RegistryUserVar + `" --password-stdin >/dev/null 2>&1 || { echo "cosign login to $` + names.RegistryVar + ` failed" >&2; exit 1; }`
}

var digestRe = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// DigestRef is a pushed image's reference split: the registry host, the
// repository and the digest. Only a reference by digest can be signed: a
// tag could move between the push and the signature.
func DigestRef(ref string) (registry, repo, digest string, err error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", "", "", fmt.Errorf("%w: image reference %q: %v", ErrBadOption, ref, err)
	}
	d, ok := named.(reference.Digested)
	if !ok || !digestRe.MatchString(d.Digest().String()) {
		return "", "", "", fmt.Errorf("%w: image reference %q has no sha256 digest: sign the reference publish returned (REPO@sha256:...)", ErrBadOption, ref)
	}
	return reference.Domain(named), named.Name(), d.Digest().String(), nil
}

// RegistryOf is the registry of ref, which must be by digest; address, when
// given, must be that registry.
func RegistryOf(ref, address string) (string, error) {
	host, _, _, err := DigestRef(ref)
	if err != nil {
		return "", err
	}
	if address != "" && address != host {
		return "", fmt.Errorf("%w: image %s is not in registry %s", ErrBadOption, ref, address)
	}
	return host, nil
}

// SigningOutput is cosign's output without its noise: the deprecation
// notices of the offline flags and the repeat of the error line.
func SigningOutput(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Flag --") && strings.Contains(l, "deprecated") || strings.HasPrefix(l, "error during command execution:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// SigningFix is what to do about a failed cosign step, from its output.
func SigningFix(step, registry, out string) string {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(out, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("decrypt", "reading key", "loading private key"):
		return "the signing key could not be read: pass the cosign.key of `cosign generate-key-pair` as the key and its password as the key password"
	case has("UNAUTHORIZED", "unauthorized", "401"):
		return "registry " + registry + " refused the login: check the username and password"
	case has("DENIED", "denied", "403"):
		return "registry " + registry + " denied access: the user needs push and pull rights on the repository"
	case has("connection refused", "no such host", "i/o timeout", "dial tcp", "no route to host"):
		return "registry " + registry + " is unreachable from the signing container: check the address (and that it is not localhost, which is the container itself)"
	case has("server gave HTTP response to HTTPS client"):
		return "registry " + registry + " speaks plain HTTP: allow it explicitly (a local test registry only)"
	case has("MANIFEST_UNKNOWN", "manifest unknown", "NAME_UNKNOWN"):
		return "no image with that digest in " + registry + ": pass the digest publish returned"
	case has("no signatures found", "no matching signatures", "no matching attestations", "do not match", "does not match", "invalid signature"):
		return "the image's " + what(step) + " does not verify with this public key: the image was not signed by its private key, or it changed after signing"
	}
	return "see cosign's output above"
}

func what(step string) string {
	if step == "verify-attestation" {
		return "provenance attestation"
	}
	return "signature"
}

// BaseImages are the images the image is built from, each once, in the
// order the build uses them: the provenance records them by digest.
func (p *Plan) BaseImages() []string {
	var refs []string
	add := func(ref string) {
		if ref == "" {
			return
		}
		for _, r := range refs {
			if r == ref {
				return
			}
		}
		refs = append(refs, ref)
	}
	add(p.Base.Image)
	add(p.Runner.Image)
	if p.Runner.Rootfs != nil {
		add(p.Runner.Rootfs.Image)
	}
	if m := p.Runner.Migrations; m != nil && m.Build != nil {
		add(m.Build.Image)
	}
	return refs
}
