package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slipwayhq/slipway/migrator"
	"github.com/slipwayhq/slipway/names"
)

// Environment variables, each a default its flag overrides.
const (
	envDirVar     = names.MigrationsDirVar
	envURLVar     = names.DatabaseURLEnvVar
	envTimeoutVar = names.MigrateTimeoutVar
	envLockVar    = names.MigrateLockTimeoutVar
	envOnStartVar = names.MigrateOnStartVar

	defaultDir    = "/app/prisma/migrations"
	defaultURLEnv = "DATABASE_URL"
)

const usage = `slipway-migrate applies Prisma migrations (prisma/migrations/*/migration.sql)
to PostgreSQL as ` + "`prisma migrate deploy`" + ` does, recording them in _prisma_migrations.

Usage:
  slipway-migrate [deploy] [flags]                  apply pending migrations
  slipway-migrate status [flags]                    list migrations and their state
  slipway-migrate resolve --applied NAME [flags]    record a failed migration as done by hand
  slipway-migrate resolve --rolled-back NAME [flags]
                                                    record a failed migration as undone (deploy retries it)
  slipway-migrate start [flags] -- COMMAND [ARG...] deploy, then exec COMMAND (e.g. node server.js)

Flags:
  --dir DIR        migrations directory (env SLIPWAY_MIGRATIONS_DIR, default /app/prisma/migrations)
  --url-env NAME[,NAME...]
                   variable that holds the database URL (env SLIPWAY_DATABASE_URL_ENV, default DATABASE_URL);
                   with a list, the first one set and not empty, e.g. DIRECT_URL,DATABASE_URL
  --timeout DUR    how long to wait for the database to accept connections, e.g. 30s or 30
                   (env SLIPWAY_MIGRATE_TIMEOUT, default 30s)
  --lock-timeout DUR
                   how long to wait while another migrator holds the migration lock, as Prisma
                   waits (env SLIPWAY_MIGRATE_LOCK_TIMEOUT, default 10s)

Environment:
  SLIPWAY_MIGRATE_ON_START=false   start: skip migrating and exec COMMAND directly

The URL is a Prisma URL: ?schema=NAME selects the schema (created if missing);
Prisma-only parameters (connection_limit, pgbouncer, ...) are ignored.

Exit codes: 0 ok; 1 a migration failed, the database is unreachable, or status
found pending or failed migrations; 2 usage or configuration error.
`

var (
	errUsage = errors.New("usage error")
	errHelp  = errors.New("help requested")
)

// config is one invocation, from flags over environment over defaults.
type config struct {
	command        string // deploy, status, resolve, start
	dir            string
	urlEnvs        []string // variables that may hold the URL, the first set one wins
	timeout        time.Duration
	lockTimeout    time.Duration
	applied        string   // resolve --applied
	rolledBack     string   // resolve --rolled-back
	argv           []string // start: the command to exec
	migrateOnStart bool
}

func parseArgs(args []string, getenv func(string) string) (*config, error) {
	cfg := &config{command: "deploy", dir: defaultDir, timeout: migrator.DefaultWaitTimeout, lockTimeout: migrator.DefaultLockTimeout, migrateOnStart: true}
	urlEnv := defaultURLEnv
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfg.command, args = args[0], args[1:]
	}
	switch cfg.command {
	case "deploy", "status", "resolve", "start":
	case "help":
		return nil, errHelp
	default:
		return nil, fmt.Errorf("%w: unknown command %q (want deploy, status, resolve or start)", errUsage, cfg.command)
	}

	if v := getenv(envDirVar); v != "" {
		cfg.dir = v
	}
	if v := getenv(envURLVar); v != "" {
		urlEnv = v
	}
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{envTimeoutVar, &cfg.timeout}, {envLockVar, &cfg.lockTimeout}} {
		if v := getenv(d.env); v != "" {
			t, err := parseTimeout(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s=%q: %v", errUsage, d.env, v, err)
			}
			*d.to = t
		}
	}
	if cfg.command == "start" {
		if v := getenv(envOnStartVar); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %s=%q: want true or false", errUsage, envOnStartVar, v)
			}
			cfg.migrateOnStart = b
		}
	}

	fs := flag.NewFlagSet("slipway-migrate "+cfg.command, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, usage by help
	fs.StringVar(&cfg.dir, "dir", cfg.dir, "")
	fs.StringVar(&urlEnv, "url-env", urlEnv, "")
	fs.Func("timeout", "", func(v string) error {
		d, err := parseTimeout(v)
		cfg.timeout = d
		return err
	})
	fs.Func("lock-timeout", "", func(v string) error {
		d, err := parseTimeout(v)
		cfg.lockTimeout = d
		return err
	})
	if cfg.command == "resolve" {
		fs.StringVar(&cfg.applied, "applied", "", "")
		fs.StringVar(&cfg.rolledBack, "rolled-back", "", "")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, fmt.Errorf("%w: %s: %v", errUsage, cfg.command, err)
	}
	if cfg.dir == "" || urlEnv == "" {
		return nil, fmt.Errorf("%w: --dir and --url-env must not be empty", errUsage)
	}
	envs, err := parseURLEnvs(urlEnv)
	if err != nil {
		return nil, fmt.Errorf("%w: --url-env or %s %q: %v", errUsage, envURLVar, urlEnv, err)
	}
	cfg.urlEnvs = envs
	rest := fs.Args()

	switch cfg.command {
	case "start":
		if len(rest) == 0 {
			return nil, fmt.Errorf("%w: start needs the command to run: slipway-migrate start -- node server.js", errUsage)
		}
		cfg.argv = rest
		return cfg, nil
	case "resolve":
		if (cfg.applied == "") == (cfg.rolledBack == "") {
			return nil, fmt.Errorf("%w: resolve needs exactly one of --applied NAME or --rolled-back NAME", errUsage)
		}
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %s takes no arguments, got %q", errUsage, cfg.command, strings.Join(rest, " "))
	}
	return cfg, nil
}

// parseURLEnvs reads a comma-separated list of variable names, as a Prisma
// config's `process.env.DIRECT_URL || process.env.DATABASE_URL` falls back.
func parseURLEnvs(v string) ([]string, error) {
	var out []string
	for name := range strings.SplitSeq(v, ",") {
		name = strings.TrimSpace(name)
		if name == "" || strings.ContainsAny(name, "= \t") {
			return nil, fmt.Errorf("want variable names separated by commas, e.g. DIRECT_URL,DATABASE_URL")
		}
		out = append(out, name)
	}
	return out, nil
}

// parseTimeout reads a Go duration ("45s", "2m") or whole seconds ("45").
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil {
			return 0, fmt.Errorf("want a duration such as 30s or 2m, or whole seconds")
		}
		d = time.Duration(n) * time.Second
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d, nil
}
