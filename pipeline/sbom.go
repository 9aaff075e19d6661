package pipeline

import (
	"context"
	"errors"
	"path"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/plan"
)

// sbomFix is what to do about a bad SBOM format.
const sbomFix = "pass --format=spdx-json or --format=cyclonedx-json"

// ImageSbom is the software bill of materials of the app's image, in
// format (plan.SbomFormats); a bad format fails before anything builds.
func (p *Pipeline) ImageSbom(ctx context.Context, format string) (*dagger.File, error) {
	_, pl, err := p.planned(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := pl.Sbom.Scan(format); err != nil {
		return nil, &StageError{Stage: "sbom", Err: err, Fix: sbomFix}
	}
	image, err := p.Image(ctx)
	if err != nil {
		return nil, err
	}
	return p.Sbom(ctx, image, format)
}

// Sbom is the software bill of materials of image, in format: syft scans
// the image's OCI archive. It takes the image, not the app, so that it
// describes whichever image the caller has: one platform's runner, or the
// one ci tested. Syft runs on the engine's own platform whatever the image's.
func (p *Pipeline) Sbom(ctx context.Context, image *dagger.Container, format string) (*dagger.File, error) {
	_, pl, err := p.planned(ctx)
	if err != nil {
		return nil, err
	}
	s := pl.Sbom
	cmd, output, err := s.Scan(format)
	if err != nil {
		return nil, &StageError{Stage: "sbom", Err: err, Fix: sbomFix}
	}
	if err := syncImage(ctx, image); err != nil {
		return nil, err
	}
	ctr := withEnv(p.dag.Container().From(s.Build.Image), s.Env).
		WithFile(s.Build.Output, p.Tool(s.Build)).
		WithMountedFile(s.Archive, image.AsTarball()).
		WithDirectory(path.Dir(output), p.dag.Directory()).
		WithExec(cmd)
	sbom := ctr.File(output)
	if _, err := sbom.Sync(ctx); err != nil {
		return nil, stageError("sbom", sbomRunFix(err), err)
	}
	return sbom, nil
}

// sbomRunFix says what to do when building or running syft failed.
func sbomRunFix(err error) string {
	var ee *dagger.ExecError
	switch {
	case !errors.As(err, &ee):
		return "the error above says which step failed; run the sbom again"
	case len(ee.Cmd) > 0 && ee.Cmd[0] == "go":
		return "building syft needs the Go module proxy (GOPROXY) to serve " + plan.SyftPackage + "@" + plan.SyftVersion + " and its modules"
	default:
		return "the output above is syft's; check that the image exports (`dagger call image export --path=app.tar`)"
	}
}
