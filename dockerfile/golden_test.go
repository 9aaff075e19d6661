package dockerfile

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/plan"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// scripts are the runner's real scripts, from the pipeline's assets.
func scripts(t *testing.T) Scripts {
	t.Helper()
	hc, err := os.ReadFile("../pipeline/assets/healthcheck.cjs")
	require.NoError(t, err)
	start, err := os.ReadFile("../pipeline/assets/prisma-start.sh")
	require.NoError(t, err)
	rootfs, err := os.ReadFile("../pipeline/assets/rootfs.sh")
	require.NoError(t, err)
	strip, err := os.ReadFile("../pipeline/assets/strip-scripts.cjs")
	require.NoError(t, err)
	return Scripts{Healthcheck: string(hc), PrismaStart: string(start), Rootfs: string(rootfs), StripScripts: string(strip)}
}

var goldenScripts = Scripts{
	Healthcheck:  "// healthcheck.cjs: exit 0 when GET $SLIPWAY_HEALTH_PATH answers 2xx or 3xx\n",
	PrismaStart:  "#!/bin/sh\n# start.sh: prisma migrate deploy unless SLIPWAY_MIGRATE_ON_START=false\nexec \"$@\"\n",
	Rootfs:       "#!/bin/sh\n# rootfs.sh NODE OUT: Node, its libraries, /bin/sh, CA certificates, users and dpkg records into OUT\n",
	StripScripts: "// strip-scripts.cjs DIR: drop the lifecycle scripts of every package.json under DIR\n",
}

// inspectDir inspects the app at dir inside root, as the pipeline does.
func inspectDir(t *testing.T, root, dir string) *inspect.App {
	t.Helper()
	app, err := inspect.Inspect(os.DirFS(root), dir)
	require.NoError(t, err)
	require.NoError(t, app.Err(), "the test app must be buildable")
	return app
}

func TestRenderGolden(t *testing.T) {
	cases := []struct {
		name string
		root string
		dir  string
		opts func(*Options)
	}{{
		// The e2e fixture, with the module's defaults.
		name: "notes",
		root: "../testdata/fixtures/notes",
		dir:  ".",
		opts: func(o *Options) {},
	}, {
		// pnpm, the migrator from a copy of Slipway's source, a build env,
		// another port and release labels.
		name: "notes-pnpm",
		root: "../testdata/fixtures/notes-pnpm",
		dir:  ".",
		opts: func(o *Options) {
			o.MigratorSource = ".slipway"
			o.BuildEnv = []string{"NEXT_PUBLIC_APP_NAME=Notes on pnpm"}
			o.Port = 8080
			o.Release = plan.Release{Version: "1.2.0", Revision: "4f2a9c1", Created: "2025-03-01T08:00:00Z", URL: "https://example.com/notes"}
		},
	}, {
		// An npm workspace with the app in apps/web, the Prisma CLI as the
		// migrator, and migrations left to a separate job.
		name: "monorepo",
		root: "testdata/monorepo",
		dir:  "apps/web",
		opts: func(o *Options) {
			o.Migrator = plan.MigratorPrisma
			o.MigrateOnStart = false
			o.HealthPath = "/api/health"
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := inspectDir(t, tc.root, tc.dir)
			// Stand-ins for the scripts keep the golden files about the
			// Dockerfile; TestRenderMirrorsThePipeline checks the real ones.
			opts := Options{Options: plan.Options{MigrateOnStart: true}, Scripts: goldenScripts}
			tc.opts(&opts)
			got, err := Render(app, opts)
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", tc.name+".Dockerfile")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run `go test ./dockerfile -update` to create the golden file")
			assert.Equal(t, string(want), got, "rendered Dockerfile differs from %s (rerun with -update if the change is intended)", golden)
			assertWellFormed(t, got)
		})
	}
}
