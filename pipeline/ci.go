package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/plan"
	"github.com/slipwayhq/slipway/provenance"
)

// CI is CIImages' first runner, the default platform's, and its report.
func (p *Pipeline) CI(ctx context.Context, paths []string) (*dagger.Container, string, error) {
	res, err := p.CIImages(ctx, paths)
	if err != nil {
		return nil, "", err
	}
	return res.Images[0].Container, res.Report, nil
}

// CIResult is what a passed ci proved: every platform's runner, the report,
// and each stage with how long it took (provenance records them).
type CIResult struct {
	Images  []PlatformImage
	Report  string
	Stages  []provenance.Stage
	Started time.Time
}

// CIImages is build, the app's tests, then migrate and smoke on every
// platform's runner (side by side); it returns the runners only when all of
// them pass.
func (p *Pipeline) CIImages(ctx context.Context, paths []string) (*CIResult, error) {
	res := &CIResult{Started: time.Now()}
	var report strings.Builder
	stage := func(name string, since time.Time) {
		res.Stages = append(res.Stages, provenance.Stage{Name: name, Duration: time.Since(since)})
	}
	app, pl, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	build, err := p.checkedBuild(ctx, app, pl)
	if err != nil {
		return nil, err
	}
	stage("build", t)
	report.WriteString("build: ok\n")
	t = time.Now()
	if out, ran, err := p.Test(ctx, build); err != nil {
		return nil, err
	} else if ran {
		stage("test", t)
		report.WriteString("test: ok\n" + indent(tail(out, 10)) + "\n")
	}
	t = time.Now()
	images, err := p.images(ctx, pl, build)
	if err != nil {
		return nil, err
	}
	stage("image", t)
	reports := make([]string, len(images))
	errs := make([]error, len(images))
	took := make([]time.Duration, len(images))
	var wg sync.WaitGroup
	for i, im := range images {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			reports[i], errs[i] = p.prove(ctx, app, im.Container, paths)
			took[i] = time.Since(t)
		}()
	}
	wg.Wait()
	for i, im := range images {
		if len(images) > 1 {
			report.WriteString(im.Platform.Name + ":\n")
			reports[i] = indent(reports[i]) + "\n"
			errs[i] = onPlatform(errs[i], im.Platform)
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
		report.WriteString(reports[i])
		res.Stages = append(res.Stages, provenance.Stage{Name: "migrate and smoke on " + im.Platform.Name, Duration: took[i]})
	}
	res.Images, res.Report = images, report.String()
	return res, nil
}

// prove migrates and smoke-tests one runner.
func (p *Pipeline) prove(ctx context.Context, app *inspect.App, image *dagger.Container, paths []string) (string, error) {
	var report strings.Builder
	if app.Prisma != nil {
		out, err := p.Migrate(ctx, image)
		if err != nil {
			return "", err
		}
		report.WriteString("migrate: ok\n" + indent(out) + "\n")
	}
	out, err := p.Smoke(ctx, image, paths)
	if err != nil {
		return "", err
	}
	report.WriteString("smoke: ok\n" + indent(out) + "\n")
	return report.String(), nil
}

// onPlatform names pf in a stage's failure.
func onPlatform(err error, pf plan.Platform) error {
	var se *StageError
	if errors.As(err, &se) && !strings.Contains(se.Stage, pf.Name) {
		se.Stage += " on " + pf.Name
	}
	return err
}

// checkedBuild runs the install, then the build, so that a failure names
// its stage and repeats what inspect predicted about it.
func (p *Pipeline) checkedBuild(ctx context.Context, app *inspect.App, pl *plan.Plan) (*dagger.Container, error) {
	installed := p.installed(ctx, pl, false, "")
	if _, err := installed.Sync(ctx); err != nil {
		return nil, stageError("install", installFix(app), err)
	}
	build := p.build(pl, installed)
	if _, err := build.Sync(ctx); err != nil {
		return nil, stageError("build", buildFix(app), err)
	}
	return build, nil
}

// Warnings inspect gives that predict a failure of a stage.
var (
	installWarnings = []string{inspect.CodeSeveralLockfiles, inspect.CodePMMismatch, inspect.CodePMUnpinned, inspect.CodePMFieldInvalid}
	buildWarnings   = []string{
		inspect.CodeFontGoogle, inspect.CodeBuildMigrates, inspect.CodeNoSchema, inspect.CodeNoGenerator,
		inspect.CodePrismaNoOutput, inspect.CodePrismaNoCLI, inspect.CodeExtraGenerator, inspect.CodePrismaConfigDynamic,
		inspect.CodeNodeUnsupported,
	}
)

func installFix(app *inspect.App) string {
	pm := app.PackageManager
	return predicted(app, installWarnings,
		"check that the lockfile matches package.json: run `"+strings.Join(pm.InstallCmd(false), " ")+"` locally with "+pm.String()+
			" and commit the lockfile; dependencies' build scripts run as "+pm.Name+" runs them with the app's own settings")
}

func buildFix(app *inspect.App) string {
	return predicted(app, buildWarnings,
		"run the build locally; the output above says what broke. Pass build-time variables with --build-env or --build-secret, or another command with --build-command")
}

// predicted is the fix for a failed stage: inspect's warnings about it, each
// with its own fix, else the generic one.
func predicted(app *inspect.App, codes []string, generic string) string {
	var b strings.Builder
	for _, w := range app.Warnings {
		for _, c := range codes {
			if w.Code == c {
				b.WriteString("inspect predicted this: " + w.Message + "\n  fix: " + w.Fix + "\n")
			}
		}
	}
	if b.Len() == 0 {
		return generic
	}
	return strings.TrimSpace(b.String()) + "\n  otherwise: " + generic
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
