// Command slipway-migrate applies Prisma migrations to PostgreSQL exactly as
// `prisma migrate deploy` does, without Prisma's CLI or engines. In the runner
// image it is also the entrypoint: `slipway-migrate start -- node server.js`
// migrates, then becomes the server process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slipwayhq/slipway/migrator"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // a migration failed, the database is unreachable, or status is not up to date
	exitUsage  = 2 // bad flags, environment or input
)

func main() {
	ctx, stop := notifyContext(context.Background())
	execve := func(path string, argv []string) error {
		stop() // hand signals back before Node takes over the process
		return syscall.Exec(path, argv, os.Environ())
	}
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, execve)
	stop()
	os.Exit(code)
}

// notifyContext is signal.NotifyContext with a cause that names the signal
// the way operators know it ("interrupted by SIGTERM"): it lands in the
// migration's logs when a signal stops a script.
func notifyContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			name := "SIGTERM"
			if sig == os.Interrupt {
				name = "SIGINT"
			}
			cancel(fmt.Errorf("interrupted by %s", name))
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel(nil)
		})
	}
}

// run is the whole command, with its surroundings passed in for tests.
// execve replaces the process; it returns only on failure.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, execve func(path string, argv []string) error) int {
	cfg, err := parseArgs(args, getenv)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "slipway-migrate: %v\nRun `slipway-migrate help` for usage.\n", err)
		return exitUsage
	}
	out := &printer{stdout: stdout, stderr: stderr}
	switch cfg.command {
	case "deploy":
		err = deploy(ctx, cfg, getenv, out)
	case "status":
		err = status(ctx, cfg, getenv, out)
	case "resolve":
		err = resolve(ctx, cfg, getenv, out)
	case "start":
		err = start(ctx, cfg, getenv, out, execve)
	}
	if err != nil {
		out.errorf("%v", err)
		var se *migrator.ScriptError
		switch {
		case errors.As(err, &se) && se.Interrupted != "":
			out.errorf("The script ran in one transaction, cancelled on the server, so Postgres rolled it back (unless the script commits on its own). "+
				"It is recorded as failed, so deploy stops at it: check the database, then run `slipway-migrate resolve --rolled-back %s` and deploy again.", se.Migration)
		case errors.As(err, &se):
			out.errorf("The script ran in one transaction, so Postgres rolled it back (unless the script commits on its own). "+
				"Fix %s/migration.sql or the database, then run `slipway-migrate resolve --rolled-back %s` and deploy again.", se.Migration, se.Migration)
		}
		return exitCode(err)
	}
	return exitOK
}

func exitCode(err error) int {
	for _, usageErr := range []error{errUsage, migrator.ErrInvalidURL, migrator.ErrInvalidMigrations, migrator.ErrUnknownMigration, migrator.ErrNothingToResolve} {
		if errors.Is(err, usageErr) {
			return exitUsage
		}
	}
	return exitFailed
}

// printer writes prefixed lines: progress to stdout, problems to stderr.
type printer struct{ stdout, stderr io.Writer }

func (p *printer) logf(format string, args ...any) {
	fmt.Fprintf(p.stdout, "slipway-migrate: "+format+"\n", args...)
}

func (p *printer) errorf(format string, args ...any) {
	fmt.Fprintf(p.stderr, "slipway-migrate: "+format+"\n", args...)
}

// session loads the migrations, parses the URL and connects.
func session(ctx context.Context, cfg *config, getenv func(string) string, out *printer, createDB bool) ([]migrator.Migration, *migrator.Session, error) {
	ms, err := loadMigrations(cfg.dir, out)
	if err != nil {
		return nil, nil, err
	}
	urlEnv, raw := lookupURL(cfg.urlEnvs, getenv)
	if raw == "" {
		return nil, nil, fmt.Errorf("%w: %s: set it to the database URL (postgresql://USER:PASSWORD@HOST:5432/DATABASE?schema=public), or name the variable that holds it with %s or --url-env", errUsage, notSet(cfg.urlEnvs), envURLVar)
	}
	target, err := migrator.ParseURL(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", urlEnv, err)
	}
	for _, w := range target.Warnings {
		out.errorf("warning: %s", w)
	}
	from := ""
	if len(cfg.urlEnvs) > 1 {
		from = " (from " + urlEnv + ")"
	}
	out.logf("%d migrations in %s; database %s%s, schema %q", len(ms), cfg.dir, target, from, target.Schema)
	s, err := migrator.Open(ctx, target, migrator.Options{WaitTimeout: cfg.timeout, LockTimeout: cfg.lockTimeout, CreateDatabase: createDB, Logf: out.logf})
	if err != nil {
		return nil, nil, err
	}
	return ms, s, nil
}

// lookupURL returns the first of names that is set and not empty, and its
// value; "" when none is.
func lookupURL(names []string, getenv func(string) string) (name, value string) {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// notSet says which variables were tried.
func notSet(names []string) string {
	if len(names) == 1 {
		return names[0] + " is not set"
	}
	return "none of " + strings.Join(names, ", ") + " is set (tried in that order)"
}

// loadMigrations reads dir. A missing dir is no migrations, as Prisma's
// `migrate deploy` has it ("No migration found"), with a warning: the usual
// cause is a wrong SLIPWAY_MIGRATIONS_DIR.
func loadMigrations(dir string, out *printer) ([]migrator.Migration, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		out.errorf("warning: the migrations folder %s does not exist, so there are no migrations to apply: if the app has migrations, set %s (or --dir) to its prisma/migrations folder", dir, envDirVar)
		return nil, nil
	}
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory: set %s (or --dir) to the app's prisma/migrations folder", migrator.ErrInvalidMigrations, dir, envDirVar)
	}
	ms, err := migrator.Load(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("in %s: %w", dir, err)
	}
	return ms, nil
}

func deploy(ctx context.Context, cfg *config, getenv func(string) string, out *printer) error {
	begin := time.Now()
	ms, s, err := session(ctx, cfg, getenv, out, true)
	if err != nil {
		return err
	}
	defer s.Close(context.WithoutCancel(ctx))
	res, err := s.Migrate(ctx, ms)
	if res != nil {
		for _, w := range res.Warnings {
			out.errorf("warning: %s", w)
		}
	}
	if err != nil {
		return err
	}
	switch {
	case len(ms) == 0:
		out.logf("No migration found in %s: nothing to apply", cfg.dir)
	case len(res.Applied) == 0:
		out.logf("database is up to date: all %d migrations already applied, nothing to do", len(res.Skipped))
	default:
		out.logf("applied %d migrations (%d already applied) in %s", len(res.Applied), len(res.Skipped), time.Since(begin).Round(time.Millisecond))
	}
	return nil
}

func status(ctx context.Context, cfg *config, getenv func(string) string, out *printer) error {
	ms, s, err := session(ctx, cfg, getenv, out, false)
	if err != nil {
		return err
	}
	defer s.Close(context.WithoutCancel(ctx))
	rep, err := s.Status(ctx, ms)
	if err != nil {
		return err
	}
	for _, m := range rep.Migrations {
		note := ""
		switch {
		case m.ChecksumChanged:
			note = "  (migration.sql changed after it was applied)"
		case m.State == migrator.StateFailed:
			note = fmt.Sprintf("  (started %s; fix the database, then `slipway-migrate resolve --rolled-back|--applied %s`)", m.Record.StartedAt.UTC().Format(time.RFC3339), m.Name)
		case m.State == migrator.StateMissing:
			note = "  (applied to the database, but not in the migrations folder)"
		}
		fmt.Fprintf(out.stdout, "%-8s %s%s\n", m.State, m.Name, note)
	}
	if rep.UpToDate() {
		out.logf("database is up to date (%d migrations applied)", rep.Count(migrator.StateApplied))
		return nil
	}
	return fmt.Errorf("database is not up to date: %d pending, %d failed, %d missing from the folder",
		rep.Count(migrator.StatePending), rep.Count(migrator.StateFailed), rep.Count(migrator.StateMissing))
}

func resolve(ctx context.Context, cfg *config, getenv func(string) string, out *printer) error {
	ms, s, err := session(ctx, cfg, getenv, out, false)
	if err != nil {
		return err
	}
	defer s.Close(context.WithoutCancel(ctx))
	if cfg.applied != "" {
		if err := s.Resolve(ctx, ms, cfg.applied, migrator.ResolveApplied); err != nil {
			return err
		}
		out.logf("recorded %s as applied", cfg.applied)
		return nil
	}
	if err := s.Resolve(ctx, ms, cfg.rolledBack, migrator.ResolveRolledBack); err != nil {
		return err
	}
	out.logf("recorded %s as rolled back: the next deploy applies it again", cfg.rolledBack)
	return nil
}

// start migrates (unless turned off), then replaces this process with the
// command, so that signals reach it and its exit code is the container's.
func start(ctx context.Context, cfg *config, getenv func(string) string, out *printer, execve func(string, []string) error) error {
	path, err := exec.LookPath(cfg.argv[0])
	if err != nil {
		return fmt.Errorf("%w: start: cannot run %q: %v", errUsage, cfg.argv[0], err)
	}
	if cfg.migrateOnStart {
		if err := deploy(ctx, cfg, getenv, out); err != nil {
			return err
		}
	} else {
		out.logf("%s=false: not migrating", envOnStartVar)
	}
	if err := execve(path, cfg.argv); err != nil {
		return fmt.Errorf("start %s: %w", path, err)
	}
	return nil
}
