package pipeline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

const (
	appAlias    = "app"
	smokeLogDir = "/var/log/slipway-smoke"
)

// Smoke runs the image as a service bound to a fresh, migrated database,
// with the app's runtime environment, waits for its HEALTHCHECK, then
// requests the health path and every path in paths ("/notes" expects 200;
// "/old=301" expects 301). A failure carries the app's own log lines.
func (p *Pipeline) Smoke(ctx context.Context, image *dagger.Container, paths []string) (string, error) {
	app, pl, err := p.planned(ctx)
	if err != nil {
		return "", err
	}
	if err := syncImage(ctx, image); err != nil {
		return "", err
	}
	db, err := p.freshDatabase(ctx)
	if err != nil {
		return "", err
	}
	// An image that does not migrate on start needs its database migrated
	// first, as a separate migrate job does in production. The service is
	// started here so that the app finds it, migrated, still running.
	if _, err := p.migratable(app); err == nil && !pl.Runtime.MigrateOnStart {
		if _, err := db.Service.Start(ctx); err != nil {
			return "", stageError("smoke", "check --postgres-image", err)
		}
		defer db.Service.Stop(context.WithoutCancel(ctx))
		if _, err := p.migrate(ctx, image, pl, db); err != nil {
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
	logs := p.dag.CacheVolume(names.SmokeLogs)
	owner := pl.Runner.User
	ctr, vars, err := p.runtimeEnv(ctx, image.WithServiceBinding(dbAlias, db.Service), app, pl, db)
	if err != nil {
		return "", err
	}
	// The app runs its own entrypoint and command, with output kept in a
	// cache volume, so a failure can show the app's log.
	run := append([]string{"/bin/sh", "-c", `exec "$@" >>"$` + names.SmokeLogVar + `" 2>&1`, "sh"}, append(entry, args...)...)
	svc := ctr.
		WithMountedCache(smokeLogDir, logs, dagger.ContainerWithMountedCacheOpts{Owner: owner}).
		WithEnvVariable(names.SmokeLogVar, logFile).
		// the image's check, polled faster: a broken app fails in seconds
		WithDockerHealthcheck(pl.Runner.Healthcheck.Command, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: "1s", Timeout: "3s", StartPeriod: "0s", StartInterval: "500ms", Retries: 30,
		}).
		AsService(dagger.ContainerAsServiceOpts{Args: run})
	health := pl.Runtime.HealthPath
	checks := append([]string{health + "=200"}, paths...)
	out, err := image.
		WithoutEntrypoint().
		WithNewFile(names.SmokeScript, smokeJS).
		WithServiceBinding(appAlias, svc).
		WithEnvVariable(names.RunVar, id).
		WithExec(append([]string{"node", names.SmokeScript, appURL(pl)}, checks...)).
		Stdout(ctx)
	if err == nil {
		return out + envReport(vars), nil
	}
	se, _ := stageError("smoke", smokeFix(health), err).(*StageError)
	if log := p.appLog(ctx, logs, owner, logFile); log != "" {
		se.Tail = strings.TrimSpace(se.Tail + "\napp log (last lines):\n" + log)
	}
	se.Tail = strings.TrimSpace(se.Tail + "\n" + envReport(vars))
	return "", se
}

// appURL is where the app answers in a smoke run.
func appURL(pl *plan.Plan) string {
	return fmt.Sprintf("http://%s:%d", appAlias, pl.Runtime.Port)
}

// runtimeEnv gives ctr the app's runtime environment for a smoke run: every
// database variable the test database, the caller's --env and --env-file,
// and test values for the rest of .env.example (see env.SmokeVars). Values
// that may be secret go in as secrets; none enters the image.
func (p *Pipeline) runtimeEnv(ctx context.Context, ctr *dagger.Container, app *inspect.App, pl *plan.Plan, db *DB) (*dagger.Container, []env.RuntimeVar, error) {
	dbVars := pl.Runtime.URLVars
	visible := map[string]string{}
	var callerKeys []string
	for _, kv := range p.cfg.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, &StageError{Stage: "smoke", Err: fmt.Errorf("--env %q is not KEY=VALUE", kv), Fix: "pass --env KEY=VALUE, once per variable"}
		}
		visible[k] = v
		callerKeys = append(callerKeys, k)
	}
	hidden := map[string]string{}
	if p.cfg.EnvFile != nil {
		text, err := p.cfg.EnvFile.Plaintext(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("smoke: read --env-file: %w", err)
		}
		parsed, err := env.Parse([]byte(text))
		if err != nil {
			return nil, nil, &StageError{Stage: "smoke", Err: fmt.Errorf("--env-file: %w", err), Fix: "write it as a dotenv file: NAME=value lines"}
		}
		for _, k := range slices.Sorted(maps.Keys(parsed)) {
			hidden[k] = parsed[k]
			if _, dup := visible[k]; !dup {
				callerKeys = append(callerKeys, k)
			}
		}
	}
	var example []env.Var
	for _, v := range app.EnvExample {
		example = append(example, env.Var{Key: v.Key, Value: v.Value})
	}
	vars := env.SmokeVars(dbVars, callerKeys, example, appURL(pl))
	url := db.URL(p.dag)
	for _, v := range vars {
		switch v.Source {
		case env.FromDatabase:
			ctr = ctr.WithSecretVariable(v.Key, url)
		case env.FromCaller:
			if val, ok := hidden[v.Key]; ok {
				ctr = ctr.WithSecretVariable(v.Key, p.dag.SetSecret("slipway-env-"+v.Key+"-"+runID(), val))
			} else {
				ctr = ctr.WithEnvVariable(v.Key, visible[v.Key])
			}
		case env.FromGenerated:
			val, err := env.GenerateSecret()
			if err != nil {
				return nil, nil, fmt.Errorf("smoke: generate %s: %w", v.Key, err)
			}
			ctr = ctr.WithSecretVariable(v.Key, p.dag.SetSecret("slipway-env-"+v.Key+"-"+runID(), val))
		default:
			ctr = ctr.WithEnvVariable(v.Key, v.Value)
		}
	}
	return ctr, vars, nil
}

// envReport lists where each runtime variable came from, never its value.
func envReport(vars []env.RuntimeVar) string {
	if len(vars) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("environment:\n")
	for _, v := range vars {
		fmt.Fprintf(&b, "  %s: %s\n", v.Key, v.Source)
	}
	return b.String()
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
	return "run the image locally with a database (`dagger call database up` and `dagger call image as-service up`) and request " + health +
		"; the app's log above says why it failed; pass the variables the app validates at start with --env KEY=VALUE or --env-file"
}

// appLog reads the tail of a smoke run's app log from the cache volume,
// mounted with the same owner as in the service: Dagger keeps a separate
// volume per owner.
func (p *Pipeline) appLog(ctx context.Context, logs *dagger.CacheVolume, owner, file string) string {
	out, err := p.dag.Container().From(p.cfg.RunnerImage).
		WithMountedCache(smokeLogDir, logs, dagger.ContainerWithMountedCacheOpts{Owner: owner}).
		WithEnvVariable(names.RunVar, runID()).
		WithExec([]string{"tail", "-n", fmt.Sprint(tailLines), file}, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).
		Stdout(ctx)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}
