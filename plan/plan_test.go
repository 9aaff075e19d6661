package plan

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/names"
)

// app inspects dir inside root, as the pipeline does.
func app(t *testing.T, root, dir string) *inspect.App {
	t.Helper()
	a, err := inspect.Inspect(os.DirFS(root), dir)
	require.NoError(t, err)
	return a
}

func planFor(t *testing.T, a *inspect.App, o Options) *Plan {
	t.Helper()
	p, err := New(a, o)
	require.NoError(t, err)
	return p
}

// TestPackageManagers: each package manager's setup, frozen install and
// store cache, and its own way to run prisma generate and the build.
func TestPackageManagers(t *testing.T) {
	cases := []struct {
		name, root, dir string
		install         string
		store           string
		generate        string
		build           string
	}{
		{"npm", "../testdata/fixtures/notes", ".", "npm ci", "slipway-npm-store", "npx --no-install prisma generate", "npm run build"},
		{"pnpm", "../testdata/fixtures/notes-pnpm", ".", "pnpm install --frozen-lockfile", "slipway-pnpm-store", "pnpm exec prisma generate", "pnpm run build"},
		{"yarn berry", "../testdata/fixtures/yarn-berry", ".", "yarn install --immutable", "slipway-yarn-store", "yarn run prisma generate", "yarn run build"},
		{"yarn classic", "../inspect/testdata/apps/yarn-classic", ".", "yarn install --frozen-lockfile", "slipway-yarn-store", "", "yarn run build"},
		{"bun", "../testdata/fixtures/bun", ".", "bun install --frozen-lockfile", "slipway-bun-store", "bunx prisma generate", "bun run build"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := app(t, tc.root, tc.dir)
			p := planFor(t, a, Options{MigrateOnStart: true})
			assert.Equal(t, tc.install, strings.Join(p.Install.Command, " "))
			assert.Equal(t, tc.store, p.Install.Cache.Volume)
			assert.Equal(t, a.PackageManager.CacheDir(), p.Install.Cache.Path)
			assert.NotEmpty(t, p.Install.CacheEnv, "the store is where the cache volume is")
			assert.Contains(t, p.Install.Inputs, "package.json")
			assert.Equal(t, names.StripScripts, p.Install.StripScripts)
			if tc.generate == "" {
				assert.Nil(t, p.Build.Generate)
			} else {
				require.NotNil(t, p.Build.Generate)
				assert.Equal(t, tc.generate, strings.Join(p.Build.Generate.Command, " "))
			}
			assert.Equal(t, tc.build, strings.Join(p.Build.Command, " "))
			assert.Equal(t, "slipway-next-cache-"+a.CacheName(), p.Build.Cache.Volume)
		})
	}
}

// TestBuildEnv: placeholders in every database variable, the caller's
// build env winning, and the engine-free client's stand-in engine.
func TestBuildEnv(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	p := planFor(t, a, Options{BuildEnv: []string{"NEXT_PUBLIC_APP_NAME=Notes", "DATABASE_URL=postgresql://given"}})
	env := map[string]string{}
	for _, v := range p.Build.Env {
		env[v.Name] = v.Value
	}
	assert.Equal(t, "1", env["NEXT_TELEMETRY_DISABLED"])
	assert.Equal(t, "Notes", env["NEXT_PUBLIC_APP_NAME"])
	assert.Equal(t, "postgresql://given", env["DATABASE_URL"], "a value the caller gives wins")
	assert.Equal(t, "/app/package.json", env["PRISMA_SCHEMA_ENGINE_BINARY"])
	assert.Equal(t, names.BuildSecretPath, p.Build.Secret.Path)

	pooled := app(t, "../testdata/fixtures/npm-pooled", ".")
	p = planFor(t, pooled, Options{})
	for _, v := range pooled.Prisma.DatabaseVarNames() {
		assert.Contains(t, p.Build.Env, EnvVar{v, PlaceholderDBURL}, "every database variable holds a placeholder")
	}

	p = planFor(t, a, Options{BuildCommand: " pnpm run build:docker "})
	assert.Equal(t, []string{"sh", "-c", "pnpm run build:docker"}, p.Build.Command)
}

// TestAlpineAndDebian: an Alpine Node image is its own runner, cleaned up;
// a glibc one gets a root filesystem assembled by rule in Debian.
func TestAlpineAndDebian(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	deb := planFor(t, a, Options{})
	assert.False(t, deb.Base.Alpine)
	assert.Equal(t, DefaultNodeImage, deb.Base.Image)
	assert.Contains(t, deb.Base.Setup[1], "apt-get install")
	require.NotNil(t, deb.Runner.Rootfs)
	assert.Equal(t, DefaultRunnerImage, deb.Runner.Rootfs.Image)
	assert.Contains(t, deb.Runner.Rootfs.Libraries, "ldd", "the libraries are a rule resolved at build time")
	assert.Contains(t, deb.Runner.Rootfs.Packages, DpkgStatusDir, "the dpkg records scanners read are a rule too")
	assert.Empty(t, deb.Runner.Cleanup)

	alp := planFor(t, a, Options{NodeImage: "node:22-alpine"})
	assert.True(t, alp.Base.Alpine)
	assert.Equal(t, []string{"apk add --no-cache openssl ca-certificates libc6-compat"}, alp.Base.Setup)
	assert.Nil(t, alp.Runner.Rootfs)
	assert.Equal(t, "node:22-alpine", alp.Runner.Image)
	assert.Contains(t, alp.Runner.Cleanup, "adduser -S -u 1001 -G nodejs -H nextjs")

	assert.Equal(t, "node:22-bookworm-slim", planFor(t, a, Options{NodeVersion: "v22"}).Base.Image)
}

// TestMigrators: slipway-migrate built from Slipway's source, or the Prisma
// CLI with a start script; either way the migrate command is the image's own.
func TestMigrators(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	p := planFor(t, a, Options{MigrateOnStart: true})
	m := p.Runner.Migrations
	require.NotNil(t, m)
	assert.Equal(t, "/app/prisma/migrations", m.Dir)
	require.NotNil(t, m.Build)
	assert.Nil(t, m.PrismaCLI)
	assert.Equal(t, []string{names.Migrator, "start", "--"}, p.Runner.Entrypoint)
	assert.Equal(t, []string{names.Migrator, "deploy"}, m.Command)
	assert.NotContains(t, p.Runner.Env, EnvVar{names.MigrateOnStartVar, "false"})

	p = planFor(t, a, Options{Migrator: MigratorPrisma})
	m = p.Runner.Migrations
	require.NotNil(t, m.PrismaCLI)
	assert.Nil(t, m.Build)
	assert.Equal(t, []string{names.StartScript}, p.Runner.Entrypoint)
	assert.Contains(t, p.Runner.Copies, Copy{From: FromAssets, Src: AssetPrismaStart, Dst: names.StartScript, Mode: 0o755})
	assert.Contains(t, p.Runner.Env, EnvVar{names.MigrateOnStartVar, "false"})
	assert.Equal(t, []string{"prisma/schema.prisma", "prisma.config.ts"}, m.PrismaCLI.Files)

	none := app(t, "../testdata/fixtures/font-google", ".")
	p = planFor(t, none, Options{})
	assert.Nil(t, p.Runner.Migrations, "no Prisma: no migrator")
	assert.Nil(t, p.Runner.Entrypoint)
}

// TestMigrateCommandIsInTheImage (drift a): with the prisma migrator the
// deploy's migrate command runs the Prisma CLI the image holds, never
// slipway-migrate, which that image does not contain.
func TestMigrateCommandIsInTheImage(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	for _, migrator := range []string{MigratorSlipway, MigratorPrisma} {
		p := planFor(t, a, Options{Migrator: migrator})
		assert.Equal(t, p.Runner.Migrations.Command, p.Runtime.MigrateCommand, migrator)
		if migrator == MigratorPrisma {
			assert.NotContains(t, strings.Join(p.Runtime.MigrateCommand, " "), "slipway-migrate")
			for _, c := range p.Runner.Copies {
				assert.NotEqual(t, names.Migrator, c.Dst, "the prisma image has no slipway-migrate")
			}
		}
	}
}

// TestMonorepo: the install runs at the workspace root with every manifest,
// prisma generate where the schema's package is, and the app's paths under
// its own dir, including the cache a read-only deploy mounts (drift b).
func TestMonorepo(t *testing.T) {
	a := app(t, "../testdata/fixtures/turbo-monorepo", "apps/web")
	p := planFor(t, a, Options{Migrator: MigratorPrisma})
	assert.True(t, p.Install.Manifests)
	assert.Equal(t, "/app", p.Install.Workdir)
	assert.Equal(t, "/app/apps/web", p.Build.Workdir)
	assert.Equal(t, "/app/apps/web/.next/standalone", p.Build.Standalone)
	require.NotNil(t, p.Build.Generate)
	assert.Equal(t, "/app/"+a.Prisma.Dir, p.Build.Generate.Workdir)
	assert.Equal(t, []string{"node", "/app/apps/web/server.js"}, p.Runner.Command)
	assert.Contains(t, p.Runner.Copies, Copy{Empty: true, Dst: "/app/apps/web/.next/cache", Owner: "1001:1001"})
	assert.Equal(t, []string{"/app/apps/web/.next/cache", "/tmp"}, p.Runtime.Tmpfs)
	assert.Contains(t, p.Runner.Env, EnvVar{names.AppDirVar, "/app/" + a.Prisma.Dir})

	single := planFor(t, app(t, "../testdata/fixtures/notes", "."), Options{})
	assert.False(t, single.Install.Manifests)
	assert.Equal(t, []string{"/app/.next/cache", "/tmp"}, single.Runtime.Tmpfs)
}

// TestRuntime: the facts a deploy takes from the plan.
func TestRuntime(t *testing.T) {
	a := app(t, "../testdata/fixtures/npm-pooled", ".")
	p := planFor(t, a, Options{Port: 8080, HealthPath: "/healthz", MigrateOnStart: true,
		Release: Release{Version: "1.0.0", Created: "2025-03-01T08:00:00Z"}})
	rt := p.Runtime
	assert.Equal(t, 8080, rt.Port)
	assert.Equal(t, "/healthz", rt.HealthPath)
	assert.Equal(t, []string{"CMD", "node", names.HealthcheckScript}, rt.Healthcheck)
	assert.True(t, rt.MigrateOnStart)
	assert.NotEmpty(t, rt.DatabaseVars)
	assert.Contains(t, p.Runner.Env, EnvVar{"PORT", "8080"})
	assert.Contains(t, p.Runner.Env, EnvVar{names.HealthPathVar, "/healthz"})
	assert.Equal(t, []EnvVar{{"org.opencontainers.image.title", a.Name}, {"org.opencontainers.image.version", "1.0.0"}, {"org.opencontainers.image.created", "2025-03-01T08:00:00Z"}}, p.Runner.Labels)
	assert.Equal(t, "10s", p.Runner.Healthcheck.Interval)
	assert.Equal(t, "1001:1001", p.Runner.User)

	p = planFor(t, app(t, "../inspect/testdata/apps/heartbeat", "."), Options{})
	assert.Equal(t, a.HealthPath, planFor(t, a, Options{}).Runtime.HealthPath, "the health route inspect found")
	assert.Equal(t, []string{"DATABASE_URL"}, p.Runtime.URLVars, "no Prisma: the default variable")
}

func TestBadOptions(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	for _, o := range []Options{{Port: 70000}, {Migrator: "flyway"}, {BuildEnv: []string{"NO_EQUALS"}}, {HealthPath: "api"}, {Platforms: []string{"linux/s390x"}}, {Platforms: []string{"windows/amd64"}}} {
		_, err := New(a, o)
		assert.ErrorIs(t, err, ErrBadOption, "%+v", o)
	}
	_, err := New(nil, Options{})
	assert.ErrorIs(t, err, ErrBadOption)
}

func TestPrint(t *testing.T) {
	p := planFor(t, app(t, "../testdata/fixtures/notes", "."), Options{MigrateOnStart: true})
	b, err := p.JSON()
	require.NoError(t, err)
	var back Plan
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *p, back, "the JSON holds the whole plan")
	text := p.Text()
	for _, want := range []string{"base: FROM node:24-bookworm-slim", "run npm ci", "healthcheck node /usr/local/lib/slipway/healthcheck.cjs every 10s", "migrate command /usr/local/bin/slipway-migrate deploy"} {
		assert.Contains(t, text, want)
	}
}

// TestPlatforms: amd64 by default; arm64 and both by any common spelling,
// in the caller's order, each with the names package.json and Go give it.
func TestPlatforms(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	def := planFor(t, a, Options{})
	assert.Equal(t, []Platform{{Name: "linux/amd64", GOARCH: "amd64", NodeCPU: "x64", Libc: "glibc"}}, def.Platforms)

	both := planFor(t, a, Options{Platforms: []string{"linux/arm64,amd64", "aarch64"}})
	require.Len(t, both.Platforms, 2)
	assert.Equal(t, "linux/arm64", both.Platforms[0].Name, "the first given is the default one")
	assert.Equal(t, "arm64", both.Platforms[0].NodeCPU)
	assert.Equal(t, "amd64", both.Platforms[1].GOARCH)
	assert.Contains(t, both.Text(), "platforms: linux/arm64, linux/amd64")
	assert.Equal(t, names.RetargetScript, both.Retarget.Script)

	alp := planFor(t, a, Options{NodeImage: "node:24-alpine", Platforms: []string{"linux/arm64"}})
	assert.Equal(t, "musl", alp.Platforms[0].Libc)
}
