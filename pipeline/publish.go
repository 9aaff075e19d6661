package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/plan"
	"github.com/slipwayhq/slipway/release"
)

// Target is where publish pushes and who it pushes as.
type Target struct {
	Address  string   // host/path/name, optionally :tag
	Tags     []string // more tags; sha-<short> is added for a known revision
	Username string
	Password *dagger.Secret
	// PlainHTTP lets cosign talk to a registry that speaks HTTP (a local
	// one); the engine must name it as insecure for the push itself.
	PlainHTTP bool
}

// Pushed is one published release: every reference pushed, and the digest
// of the image (an index when there are several platforms) they all name.
type Pushed struct {
	Release release.Release
	Digest  string
	Report  string // what ci reported
	// Signed: the digest is signed and carries its provenance.
	Signed bool
}

// Refs are the pushed references, each pinned to the digest.
func (p Pushed) Refs() []string {
	var out []string
	for _, r := range p.Release.Refs() {
		out = append(out, r+"@"+p.Digest)
	}
	return out
}

// Publish runs ci, then pushes every platform's runner as one image under
// every tag of to; with key, it then signs the digest and attests its
// provenance. Nothing is pushed unless every platform passed.
func (p *Pipeline) Publish(ctx context.Context, to Target, paths []string, key *SigningKey) (*Pushed, error) {
	rel, err := release.Of(to.Address, to.Tags, p.cfg.Release.Revision)
	if err != nil {
		return nil, &StageError{Stage: "publish", Err: err, Fix: "correct --address or --tags"}
	}
	if key != nil && key.Key == nil {
		key = nil
	}
	res, err := p.CIImages(ctx, paths)
	if err != nil {
		return nil, err
	}
	pushed, err := p.push(ctx, rel, to, res.Images, res.Report)
	if err != nil || key == nil {
		return pushed, err
	}
	if err := p.signPushed(ctx, pushed, to, *key, res); err != nil {
		return nil, err
	}
	pushed.Signed = true
	return pushed, nil
}

// signPushed signs the pushed digest and attests its SLSA provenance, with
// ci's stages and Slipway's own source digest as its version.
func (p *Pipeline) signPushed(ctx context.Context, pushed *Pushed, to Target, key SigningKey, res *CIResult) error {
	ref := pushed.Release.Repository + "@" + pushed.Digest
	version, err := p.cfg.Tools.Digest(ctx)
	if err != nil {
		return &StageError{Stage: "provenance", Err: fmt.Errorf("digest of Slipway's own source: %w", err)}
	}
	st, err := p.Provenance(ctx, ref, Run{Version: version, InvocationID: runID(), Started: res.Started, Finished: time.Now(), CI: res.Stages})
	if err != nil {
		return err
	}
	predicate, err := st.PredicateJSON()
	if err != nil {
		return &StageError{Stage: "provenance", Err: err}
	}
	reg := Registry{Username: to.Username, Password: to.Password, PlainHTTP: to.PlainHTTP}
	if err := p.SignAndAttest(ctx, ref, reg, key, predicate); err != nil {
		return err
	}
	// Each platform's SBOM, attested on the pushed image: the engine returns
	// the index's digest alone, and each SBOM names its platform.
	for _, im := range res.Images {
		sbom, err := p.Sbom(ctx, im.Container, plan.SbomAttestFormat)
		if err != nil {
			return onPlatform(err, im.Platform)
		}
		if err := p.AttestSbom(ctx, ref, reg, key, plan.SbomAttestFormat, sbom); err != nil {
			return onPlatform(err, im.Platform)
		}
	}
	return nil
}

// push pushes images under every tag of rel.
func (p *Pipeline) push(ctx context.Context, rel release.Release, to Target, images []PlatformImage, report string) (*Pushed, error) {
	first, variants := variantsOf(images)
	if to.Username != "" || to.Password != nil {
		if to.Username == "" || to.Password == nil {
			return nil, &StageError{Stage: "publish", Err: fmt.Errorf("registry %s: --username and --password go together", rel.Registry),
				Fix: "pass both, e.g. --username=ci --password=env://REGISTRY_PASSWORD, or neither for a registry that needs no login"}
		}
		first = first.WithRegistryAuth(rel.Registry, to.Username, to.Password)
	}
	out := &Pushed{Release: rel, Report: report}
	for _, ref := range rel.Refs() {
		got, err := first.Publish(ctx, ref, dagger.ContainerPublishOpts{PlatformVariants: variants, MediaTypes: dagger.ImageMediaTypesOcimediaTypes})
		if err != nil {
			e := release.Diagnose(rel.Registry, ref, to.Username, err.Error())
			return nil, &StageError{Stage: "publish", Err: e, Fix: e.Fix, Tail: tail(e.Detail, tailLines)}
		}
		_, digest, ok := strings.Cut(got, "@")
		if !ok {
			return nil, &StageError{Stage: "publish", Err: fmt.Errorf("the engine returned %q for %s, with no digest", got, ref)}
		}
		if out.Digest != "" && out.Digest != digest {
			return nil, &StageError{Stage: "publish", Err: fmt.Errorf("%s got digest %s, another tag %s", ref, digest, out.Digest),
				Fix: "another push to the same repository ran at the same time: publish again"}
		}
		out.Digest = digest
	}
	return out, nil
}

// variantsOf splits runners into the first and the rest, as Dagger's
// multi-platform outputs take them.
func variantsOf(images []PlatformImage) (*dagger.Container, []*dagger.Container) {
	var rest []*dagger.Container
	for _, im := range images[1:] {
		rest = append(rest, im.Container)
	}
	return images[0].Container, rest
}

// Tarball runs ci, then writes every platform's runner into one OCI archive
// whose index holds them all.
func (p *Pipeline) Tarball(ctx context.Context, paths []string) (*dagger.File, error) {
	res, err := p.CIImages(ctx, paths)
	if err != nil {
		return nil, err
	}
	first, variants := variantsOf(res.Images)
	return first.AsTarball(dagger.ContainerAsTarballOpts{PlatformVariants: variants, MediaTypes: dagger.ImageMediaTypesOcimediaTypes}), nil
}
