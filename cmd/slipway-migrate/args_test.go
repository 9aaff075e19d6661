package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{
			name: "no arguments: deploy with defaults",
			want: config{command: "deploy", dir: "/app/prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 30 * time.Second, lockTimeout: 10 * time.Second, migrateOnStart: true},
		},
		{
			name: "flags without a command mean deploy",
			args: []string{"--dir", "prisma/migrations", "--timeout=5"},
			want: config{command: "deploy", dir: "prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 5 * time.Second, lockTimeout: 10 * time.Second, migrateOnStart: true},
		},
		{
			name: "environment sets defaults",
			args: []string{"status"},
			env:  map[string]string{"SLIPWAY_MIGRATIONS_DIR": "/srv/m", "SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL", "SLIPWAY_MIGRATE_TIMEOUT": "2m"},
			want: config{command: "status", dir: "/srv/m", urlEnvs: []string{"DIRECT_URL"}, timeout: 2 * time.Minute, lockTimeout: 10 * time.Second, migrateOnStart: true},
		},
		{
			name: "flags beat environment",
			args: []string{"deploy", "-url-env", "MIGRATE_URL", "-timeout", "90s"},
			env:  map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL", "SLIPWAY_MIGRATE_TIMEOUT": "2m"},
			want: config{command: "deploy", dir: "/app/prisma/migrations", urlEnvs: []string{"MIGRATE_URL"}, timeout: 90 * time.Second, lockTimeout: 10 * time.Second, migrateOnStart: true},
		},
		{
			name: "a list of URL variables, and the lock timeout from the environment",
			env:  map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL, DATABASE_URL", "SLIPWAY_MIGRATE_LOCK_TIMEOUT": "45"},
			want: config{command: "deploy", dir: "/app/prisma/migrations", urlEnvs: []string{"DIRECT_URL", "DATABASE_URL"}, timeout: 30 * time.Second, lockTimeout: 45 * time.Second, migrateOnStart: true},
		},
		{
			name: "--url-env list and --lock-timeout beat environment",
			args: []string{"--url-env=MIGRATE_URL,DIRECT_URL", "--lock-timeout", "1m"},
			env:  map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL,DATABASE_URL", "SLIPWAY_MIGRATE_LOCK_TIMEOUT": "45s"},
			want: config{command: "deploy", dir: "/app/prisma/migrations", urlEnvs: []string{"MIGRATE_URL", "DIRECT_URL"}, timeout: 30 * time.Second, lockTimeout: time.Minute, migrateOnStart: true},
		},
		{
			name: "resolve --applied",
			args: []string{"resolve", "--applied", "20240101000000_init"},
			want: config{command: "resolve", dir: "/app/prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 30 * time.Second, lockTimeout: 10 * time.Second, applied: "20240101000000_init", migrateOnStart: true},
		},
		{
			name: "resolve --rolled-back",
			args: []string{"resolve", "--rolled-back=20240101000000_init"},
			want: config{command: "resolve", dir: "/app/prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 30 * time.Second, lockTimeout: 10 * time.Second, rolledBack: "20240101000000_init", migrateOnStart: true},
		},
		{
			name: "start keeps the command's own flags",
			args: []string{"start", "--timeout", "10s", "--", "node", "--max-old-space-size=256", "server.js"},
			want: config{command: "start", dir: "/app/prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 10 * time.Second, lockTimeout: 10 * time.Second, migrateOnStart: true,
				argv: []string{"node", "--max-old-space-size=256", "server.js"}},
		},
		{
			name: "start without -- and with migration turned off",
			args: []string{"start", "node", "server.js"},
			env:  map[string]string{"SLIPWAY_MIGRATE_ON_START": "false"},
			want: config{command: "start", dir: "/app/prisma/migrations", urlEnvs: []string{"DATABASE_URL"}, timeout: 30 * time.Second, lockTimeout: 10 * time.Second, argv: []string{"node", "server.js"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseArgs(tc.args, envOf(tc.env))
			require.NoError(t, err)
			assert.Equal(t, tc.want, *got)
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "unknown command", args: []string{"migrate"}, wantErr: `unknown command "migrate" (want deploy, status, resolve or start)`},
		{name: "unknown flag", args: []string{"status", "--force"}, wantErr: "flag provided but not defined: -force"},
		{name: "resolve with neither", args: []string{"resolve"}, wantErr: "exactly one of --applied NAME or --rolled-back NAME"},
		{name: "resolve with both", args: []string{"resolve", "--applied", "a", "--rolled-back", "a"}, wantErr: "exactly one of"},
		{name: "resolve flags belong to resolve", args: []string{"deploy", "--applied", "a"}, wantErr: "flag provided but not defined: -applied"},
		{name: "start without a command", args: []string{"start", "--"}, wantErr: "start needs the command to run: slipway-migrate start -- node server.js"},
		{name: "stray argument", args: []string{"deploy", "now"}, wantErr: `deploy takes no arguments, got "now"`},
		{name: "bad timeout flag", args: []string{"--timeout", "soon"}, wantErr: "want a duration such as 30s or 2m, or whole seconds"},
		{name: "zero timeout", args: []string{"--timeout", "0"}, wantErr: "must be positive"},
		{name: "bad timeout env", env: map[string]string{"SLIPWAY_MIGRATE_TIMEOUT": "-3s"}, wantErr: `SLIPWAY_MIGRATE_TIMEOUT="-3s": must be positive`},
		{name: "bad on-start env", args: []string{"start", "node"}, env: map[string]string{"SLIPWAY_MIGRATE_ON_START": "nope"}, wantErr: `SLIPWAY_MIGRATE_ON_START="nope": want true or false`},
		{name: "empty dir", args: []string{"--dir="}, wantErr: "--dir and --url-env must not be empty"},
		{name: "bad lock timeout flag", args: []string{"--lock-timeout", "soon"}, wantErr: "invalid value \"soon\" for flag -lock-timeout: want a duration"},
		{name: "bad lock timeout env", env: map[string]string{"SLIPWAY_MIGRATE_LOCK_TIMEOUT": "0s"}, wantErr: `SLIPWAY_MIGRATE_LOCK_TIMEOUT="0s": must be positive`},
		{name: "empty name in the URL list", env: map[string]string{"SLIPWAY_DATABASE_URL_ENV": "DIRECT_URL,,DATABASE_URL"}, wantErr: `SLIPWAY_DATABASE_URL_ENV "DIRECT_URL,,DATABASE_URL": want variable names separated by commas`},
		{name: "a URL instead of a name", args: []string{"--url-env", "DATABASE_URL=postgresql://u@h/d"}, wantErr: "want variable names separated by commas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseArgs(tc.args, envOf(tc.env))
			require.ErrorIs(t, err, errUsage)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestParseArgsHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"status", "-help"}} {
		_, err := parseArgs(args, envOf(nil))
		assert.ErrorIs(t, err, errHelp, "%v", args)
	}
}
