package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

// Registry is where an image was pushed and how to log in to it.
type Registry struct {
	// Address is the registry's host[:port]; empty: the reference's own.
	Address  string
	Username string
	Password *dagger.Secret // nil: no login
	// PlainHTTP allows a registry that speaks HTTP, not HTTPS (a local
	// test registry); never set it for a registry on the internet.
	PlainHTTP bool
	// Service is bound under the registry's host name when the registry runs
	// as a Dagger service; nil for a registry reached over the network.
	Service *dagger.Service
}

// SigningKey is a cosign private key (`cosign generate-key-pair`) and its
// password.
type SigningKey struct {
	Key      *dagger.Secret
	Password *dagger.Secret // nil: the key's password is empty
}

// Tool is a Go command-line tool built as the plan says: `go install` in a
// golang container with Go's module and build caches.
func (p *Pipeline) Tool(b *plan.ToolBuild) *dagger.File {
	ctr := p.dag.Container().From(b.Image)
	for _, c := range b.Caches {
		ctr = p.cache(ctr, c)
	}
	return withEnv(ctr, b.Env).WithExec(b.Command).File(b.Output)
}

// Cosign is the cosign binary Slipway signs with.
func (p *Pipeline) Cosign() *dagger.File {
	return p.Tool(plan.SigningOf(p.cfg.Options).Build)
}

// Sign signs the pushed image ref (REPO@sha256:...) with key, offline: the
// signature goes to the image's registry and nowhere else.
func (p *Pipeline) Sign(ctx context.Context, ref string, reg Registry, key SigningKey) error {
	s := plan.SigningOf(p.cfg.Options)
	reg, err := registryOf(ref, reg)
	if err != nil {
		return &StageError{Stage: "sign", Err: err, Fix: digestFix}
	}
	_, err = p.cosign(s, reg, key).run(ctx, "sign", s.Sign(ref, reg.PlainHTTP))
	return err
}

// Attest attaches the SLSA v1 provenance predicate (provenance.Statement's
// PredicateJSON) to the pushed image ref as an attestation signed with key.
func (p *Pipeline) Attest(ctx context.Context, ref string, reg Registry, key SigningKey, predicate []byte) error {
	s := plan.SigningOf(p.cfg.Options)
	return p.attestFile(ctx, ref, reg, key, s.PredicateType, p.dag.File("predicate.json", string(predicate)))
}

// AttestSbom attaches an SBOM (format as plan.SbomFormats names it) to the
// pushed image ref as an attestation signed with key.
func (p *Pipeline) AttestSbom(ctx context.Context, ref string, reg Registry, key SigningKey, format string, sbom *dagger.File) error {
	typ, ok := plan.SbomPredicateTypes[format]
	if !ok {
		return &StageError{Stage: "attest", Err: fmt.Errorf("no attestation type for SBOM format %q", format), Fix: sbomFix}
	}
	return p.attestFile(ctx, ref, reg, key, typ, sbom)
}

func (p *Pipeline) attestFile(ctx context.Context, ref string, reg Registry, key SigningKey, predicateType string, predicate *dagger.File) error {
	s := plan.SigningOf(p.cfg.Options)
	reg, err := registryOf(ref, reg)
	if err != nil {
		return &StageError{Stage: "attest", Err: err, Fix: digestFix}
	}
	c := p.cosign(s, reg, key)
	c.ctr = c.ctr.WithFile(s.Predicate, predicate)
	_, err = c.run(ctx, "attest", s.AttestAs(ref, predicateType, reg.PlainHTTP))
	return err
}

// SignAndAttest is Sign, then Attest: what publish does after the push.
func (p *Pipeline) SignAndAttest(ctx context.Context, ref string, reg Registry, key SigningKey, predicate []byte) error {
	if err := p.Sign(ctx, ref, reg, key); err != nil {
		return err
	}
	return p.Attest(ctx, ref, reg, key, predicate)
}

// VerifySignature checks ref's signature against the public key with
// cosign's own verification, offline; it returns what cosign verified.
func (p *Pipeline) VerifySignature(ctx context.Context, ref string, reg Registry, pub *dagger.File) (string, error) {
	s := plan.SigningOf(p.cfg.Options)
	reg, err := registryOf(ref, reg)
	if err != nil {
		return "", &StageError{Stage: "verify", Err: err, Fix: digestFix}
	}
	c := p.cosign(s, reg, SigningKey{})
	c.ctr = c.ctr.WithFile(s.PublicKey, pub)
	return c.run(ctx, "verify", s.Verify(ref, reg.PlainHTTP))
}

// VerifyAttestation checks ref's provenance attestation against the public
// key, offline; it returns the verified envelopes, one JSON object a line.
func (p *Pipeline) VerifyAttestation(ctx context.Context, ref string, reg Registry, pub *dagger.File) (string, error) {
	return p.VerifyAttestationOf(ctx, ref, reg, pub, plan.SigningOf(p.cfg.Options).PredicateType)
}

// VerifyAttestationOf checks ref's attestations of predicateType (cosign's
// name: slsaprovenance1, spdxjson, cyclonedx) as VerifyAttestation does.
func (p *Pipeline) VerifyAttestationOf(ctx context.Context, ref string, reg Registry, pub *dagger.File, predicateType string) (string, error) {
	s := plan.SigningOf(p.cfg.Options)
	reg, err := registryOf(ref, reg)
	if err != nil {
		return "", &StageError{Stage: "verify-attestation", Err: err, Fix: digestFix}
	}
	c := p.cosign(s, reg, SigningKey{})
	c.ctr = c.ctr.WithFile(s.PublicKey, pub)
	return c.run(ctx, "verify-attestation", s.VerifyAttestationAs(ref, predicateType, reg.PlainHTTP))
}

const digestFix = "pass the reference publish returned, REPO@sha256:<digest>"

// registryOf fills the registry's address from ref, which must be by digest.
func registryOf(ref string, reg Registry) (Registry, error) {
	var err error
	reg.Address, err = plan.RegistryOf(ref, reg.Address)
	return reg, err
}

// cosignRun is a container that runs cosign for one registry.
type cosignRun struct {
	ctr *dagger.Container
	s   *plan.Signing
	reg Registry
}

// cosign is the container cosign runs in: the registry login goes to a
// tmpfs from a secret variable, the private key is a mounted secret, so
// neither is in a layer, a log or a command line. Every run is new: a
// signature is pushed, not cached.
func (p *Pipeline) cosign(s *plan.Signing, reg Registry, key SigningKey) *cosignRun {
	ctr := p.dag.Container().From(s.Image).
		WithFile(s.Bin, p.Tool(s.Build)).
		WithMountedTemp(s.ConfigDir).
		WithEnvVariable("DOCKER_CONFIG", s.ConfigDir).
		WithEnvVariable(names.RunVar, runID())
	if reg.Service != nil {
		host, _, _ := strings.Cut(reg.Address, ":")
		ctr = ctr.WithServiceBinding(host, reg.Service)
	}
	if reg.Password != nil {
		ctr = ctr.WithEnvVariable(names.RegistryVar, reg.Address).
			WithEnvVariable(names.RegistryUserVar, reg.Username).
			WithSecretVariable(names.RegistryPasswordVar, reg.Password)
	}
	if key.Key != nil {
		ctr = ctr.WithMountedSecret(s.Key, key.Key)
		if key.Password != nil {
			ctr = ctr.WithSecretVariable(names.CosignPasswordVar, key.Password)
		} else {
			ctr = ctr.WithEnvVariable(names.CosignPasswordVar, "")
		}
	}
	return &cosignRun{ctr: ctr, s: s, reg: reg}
}

// run runs one cosign command, after the login when there is one, and
// turns a failure into an error that names the step and the registry.
func (c *cosignRun) run(ctx context.Context, step string, cmd []string) (string, error) {
	script := `exec "$@"`
	if c.reg.Password != nil {
		script = c.s.Login() + ` && exec "$@"`
	}
	out, err := c.ctr.WithExec(append([]string{"sh", "-c", script, "cosign"}, cmd...)).Stdout(ctx)
	if err == nil {
		return out, nil
	}
	se := &StageError{Stage: fmt.Sprintf("%s (registry %s)", step, c.reg.Address), Err: err}
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		se.Cmd, se.ExitCode = cmd, ee.ExitCode
		se.Tail = tail(plan.SigningOutput(ee.Stdout+"\n"+ee.Stderr), 10)
	}
	se.Fix = plan.SigningFix(step, c.reg.Address, se.Tail)
	return "", se
}
