package pipeline

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

const (
	testDBUser  = "slipway"
	testDBName  = "app"
	appAlias    = "app"
	smokeLogDir = "/var/log/slipway-smoke"
	smokeScript = libDir + "/smoke.cjs"
)

//go:embed assets/smoke.cjs
var smokeJS string

// Migrate applies every migration of the app, with the image's own
// migrator, to a fresh database, and reports what was applied.
func (p *Pipeline) Migrate(ctx context.Context, image *dagger.Container) (string, error) {
	app, err := p.App(ctx)
	if err != nil {
		return "", err
	}
	pr, err := p.migratable(app)
	if err != nil {
		return "", err
	}
	if err := syncImage(ctx, image); err != nil {
		return "", err
	}
	db, err := p.Database(ctx, testDBUser, testDBName, nil)
	if err != nil {
		return "", err
	}
	return p.migrate(ctx, image, pr, db)
}

func (p *Pipeline) migratable(app *inspect.App) (*inspect.Prisma, error) {
	pr := app.Prisma
	switch {
	case pr == nil:
		return nil, &StageError{Stage: "migrate", Err: fmt.Errorf("the app has no Prisma schema"), Fix: "add Prisma, or skip migrate"}
	case pr.Migrations == "" || len(pr.MigrationNames) == 0:
		return nil, &StageError{Stage: "migrate", Err: fmt.Errorf("schema %s has no migrations folder", pr.Schema),
			Fix: "create the first migration with `npx prisma migrate dev --name init` and commit prisma/migrations"}
	}
	return pr, nil
}

func (p *Pipeline) migrate(ctx context.Context, image *dagger.Container, pr *inspect.Prisma, db *DB) (string, error) {
	cmd := []string{migratorPath, "deploy"}
	if p.cfg.Migrator == MigratorPrisma {
		cmd = []string{"sh", "-c", `cd "$SLIPWAY_APP_DIR" && node node_modules/prisma/build/index.js migrate deploy`}
	}
	out, err := image.
		WithServiceBinding(dbAlias, db.Service).
		WithSecretVariable(pr.URLEnv, db.URL(p.dag)).
		WithEnvVariable("SLIPWAY_RUN", runID()). // prove it on every run
		WithExec(cmd).
		Stdout(ctx)
	if err != nil {
		return "", stageError("migrate", "fix the migration named above; the database error is Postgres's own", err)
	}
	return out, nil
}

// Smoke runs the image as a service bound to a fresh, migrated database,
// waits for its HEALTHCHECK, then requests the health path and every path
// in paths ("/notes" expects 200; "/old=301" expects 301). A failure carries
// the app's own log lines.
func (p *Pipeline) Smoke(ctx context.Context, image *dagger.Container, paths []string) (string, error) {
	app, err := p.App(ctx)
	if err != nil {
		return "", err
	}
	if err := syncImage(ctx, image); err != nil {
		return "", err
	}
	db, err := p.Database(ctx, testDBUser, testDBName, nil)
	if err != nil {
		return "", err
	}
	urlEnv := inspect.DefaultURLEnv
	if app.Prisma != nil {
		urlEnv = app.Prisma.URLEnv
	}
	// An image that does not migrate on start needs its database migrated
	// first, as a separate migrate job does in production. The service is
	// started here so that the app finds it, migrated, still running.
	if pr, err := p.migratable(app); err == nil && !p.cfg.MigrateOnStart {
		if _, err := db.Service.Start(ctx); err != nil {
			return "", stageError("smoke", "check --postgres-image", err)
		}
		defer db.Service.Stop(context.WithoutCancel(ctx))
		if _, err := p.migrate(ctx, image, pr, db); err != nil {
			return "", err
		}
	}
	entry, err := image.Entrypoint(ctx)
	if err != nil {
		return "", err
	}
	args, err := image.DefaultArgs(ctx)
	if err != nil {
		return "", err
	}
	id := runID()
	logFile := smokeLogDir + "/" + id + ".log"
	logs := p.dag.CacheVolume("slipway-smoke-logs")
	owner := fmt.Sprintf("%d:%d", RunnerUID, RunnerUID)
	// The app runs its own entrypoint and command, with output kept in a
	// cache volume, so a failure can show the app's log.
	run := append([]string{"/bin/sh", "-c", `exec "$@" >>"$SLIPWAY_SMOKE_LOG" 2>&1`, "sh"}, append(entry, args...)...)
	svc := image.
		WithServiceBinding(dbAlias, db.Service).
		WithSecretVariable(urlEnv, db.URL(p.dag)).
		WithMountedCache(smokeLogDir, logs, dagger.ContainerWithMountedCacheOpts{Owner: owner}).
		WithEnvVariable("SLIPWAY_SMOKE_LOG", logFile).
		// the image's check, polled faster: a broken app fails in seconds
		WithDockerHealthcheck(Healthcheck, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: "1s", Timeout: "3s", StartPeriod: "0s", StartInterval: "500ms", Retries: 30,
		}).
		AsService(dagger.ContainerAsServiceOpts{Args: run})
	checks := append([]string{p.cfg.HealthPath + "=200"}, paths...)
	out, err := image.
		WithoutEntrypoint().
		WithNewFile(smokeScript, smokeJS).
		WithServiceBinding(appAlias, svc).
		WithEnvVariable("SLIPWAY_RUN", id).
		WithExec(append([]string{"node", smokeScript, fmt.Sprintf("http://%s:%d", appAlias, p.cfg.Port)}, checks...)).
		Stdout(ctx)
	if err == nil {
		return out, nil
	}
	se, _ := stageError("smoke", smokeFix(p.cfg.HealthPath), err).(*StageError)
	if log := p.appLog(ctx, logs, owner, logFile); log != "" {
		se.Tail = strings.TrimSpace(se.Tail + "\napp log (last lines):\n" + log)
	}
	return "", se
}

// syncImage builds the runner, so that its failure is not taken for one of
// the stage that runs it.
func syncImage(ctx context.Context, image *dagger.Container) error {
	if _, err := image.Sync(ctx); err != nil {
		return stageError("image", "the runner image did not build: the output above says which step failed", err)
	}
	return nil
}

func smokeFix(health string) string {
	return "run the image locally with a database (`dagger call database up` and `dagger call image as-service up`) and request " + health + "; the app's log above says why it failed"
}

// appLog reads the tail of a smoke run's app log from the cache volume,
// mounted with the same owner as in the service: Dagger keeps a separate
// volume per owner.
func (p *Pipeline) appLog(ctx context.Context, logs *dagger.CacheVolume, owner, file string) string {
	out, err := p.dag.Container().From(p.cfg.RunnerImage).
		WithMountedCache(smokeLogDir, logs, dagger.ContainerWithMountedCacheOpts{Owner: owner}).
		WithEnvVariable("SLIPWAY_RUN", runID()).
		WithExec([]string{"tail", "-n", fmt.Sprint(tailLines), file}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).
		Stdout(ctx)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

// CI is build, the app's tests, migrate and smoke; it returns the image only
// when all of them pass.
func (p *Pipeline) CI(ctx context.Context, paths []string) (*dagger.Container, string, error) {
	var report strings.Builder
	build, err := p.Build(ctx)
	if err != nil {
		return nil, "", err
	}
	if _, err := build.Sync(ctx); err != nil {
		return nil, "", stageError("build", "run the build locally; the output above says what broke", err)
	}
	report.WriteString("build: ok\n")
	if out, ran, err := p.Test(ctx, build); err != nil {
		return nil, "", err
	} else if ran {
		report.WriteString("test: ok\n" + indent(tail(out, 10)) + "\n")
	}
	app, err := p.App(ctx)
	if err != nil {
		return nil, "", err
	}
	image := p.image(app, build)
	if app.Prisma != nil {
		out, err := p.Migrate(ctx, image)
		if err != nil {
			return nil, "", err
		}
		report.WriteString("migrate: ok\n" + indent(out) + "\n")
	}
	out, err := p.Smoke(ctx, image, paths)
	if err != nil {
		return nil, "", err
	}
	report.WriteString("smoke: ok\n" + indent(out) + "\n")
	return image, report.String(), nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
