package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slipwayhq/slipway/plan"
	"github.com/slipwayhq/slipway/provenance"
)

// Run is what the caller of publish knows about the run the provenance
// describes.
type Run struct {
	Version      string // Slipway's version
	InvocationID string // e.g. the CI job's URL; may be empty
	// Started is when ci started, Finished when the push ended.
	Started, Finished time.Time
	// CI is the ci stages that passed, in order.
	CI []provenance.Stage
}

// Provenance is the SLSA v1 provenance of the pushed image ref
// (REPO@sha256:...): the source and options of this pipeline, its base
// images by digest, and the run.
func (p *Pipeline) Provenance(ctx context.Context, ref string, run Run) (*provenance.Statement, error) {
	_, repo, digest, err := plan.DigestRef(ref)
	if err != nil {
		return nil, &StageError{Stage: "provenance", Err: err, Fix: digestFix}
	}
	bases, err := p.BaseImages(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := provenance.Options(p.cfg.Options)
	if err != nil {
		return nil, &StageError{Stage: "provenance", Err: err, Fix: "correct the option named above"}
	}
	st, err := provenance.New(provenance.Build{
		Image: repo, Digest: digest,
		SourceURL: p.cfg.Release.URL, Revision: p.cfg.Release.Revision,
		Options: opts, BaseImages: bases,
		Version: run.Version, InvocationID: run.InvocationID,
		Started: run.Started, Finished: run.Finished, CI: run.CI,
	})
	if err != nil {
		return nil, &StageError{Stage: "provenance", Err: err}
	}
	return st, nil
}

// BaseImages are the plan's base images, each with the digest the engine
// resolves it to.
func (p *Pipeline) BaseImages(ctx context.Context) ([]provenance.BaseImage, error) {
	pl, err := p.Plan(ctx)
	if err != nil {
		return nil, err
	}
	var out []provenance.BaseImage
	for _, ref := range pl.BaseImages() {
		full, err := p.dag.Container().From(ref).ImageRef(ctx)
		if err != nil {
			return nil, &StageError{Stage: "provenance", Err: fmt.Errorf("resolve base image %s: %w", ref, err),
				Fix: "check that the image exists and the registry is reachable"}
		}
		_, digest, ok := strings.Cut(full, "@")
		if !ok {
			return nil, &StageError{Stage: "provenance", Err: fmt.Errorf("base image %s resolved to %q, which has no digest", ref, full)}
		}
		out = append(out, provenance.BaseImage{Ref: ref, Digest: digest})
	}
	return out, nil
}
