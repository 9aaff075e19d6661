//go:build e2e

package tests

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/pipeline"
)

// Fixtures shaped like real apps nobody here wrote (testdata/fixtures/README.md).
const (
	fixtureNpmPooled             = "fixtures/npm-pooled"
	fixturePnpmUnpinned          = "fixtures/pnpm-unpinned"
	fixtureTurbo                 = "fixtures/turbo-monorepo"
	fixtureYarnBerry             = "fixtures/yarn-berry"
	fixtureBun                   = "fixtures/bun"
	fixtureFontGoogle            = "fixtures/font-google"
	fixtureBuildNeedsDB          = "fixtures/build-needs-db"
	buildNeedsDBDockerfileScript = "npm run build:docker"
)

// envLine matches one line of the smoke report's environment section.
func envLine(key, source string) string {
	return `(?m)^\s*` + regexp.QuoteMeta(key) + `: ` + regexp.QuoteMeta(source) + `$`
}

// Each real-app shape passes ci unchanged: the install as its package
// manager does it, every database variable wired, the runtime environment
// the app validates at start. They run in parallel: most of each is waiting
// on the registry or on Node.
func TestCIRealApps(t *testing.T) {
	t.Run("npm-pooled", func(t *testing.T) {
		t.Parallel()
		ctx := ctxFor(t, 30*time.Minute)
		envFile := dag.SetSecret("npm-pooled-env-"+randomID(), "AUTH_SECRET="+strings.Repeat("s", 40)+"\n")
		p := newPipeline(source(fixtureNpmPooled), func(c *pipeline.Config) {
			c.Env = []string{"APP_NAME=From the caller"}
			c.EnvFile = envFile
		})
		app, err := p.App(ctx)
		require.NoError(t, err)
		require.NotNil(t, app.Prisma)
		assert.Equal(t, "DIRECT_URL", app.Prisma.URLEnv, "migrations read the direct URL")
		assert.ElementsMatch(t, []string{"DIRECT_URL", "DATABASE_URL"}, app.Prisma.DatabaseVarNames())
		pl, err := p.Plan(ctx)
		require.NoError(t, err)
		assert.Equal(t, "node:24-bookworm-slim", pl.Base.Image, "engines.node >=24")

		image, report, err := p.CI(ctx, []string{"/"})
		require.NoError(t, err, "the root postinstall (prisma migrate deploy) must not run at install")
		t.Logf("ci report:\n%s", report)
		assert.Regexp(t, `(?m)^\s*GET /api/health: 200 `, report)
		assert.Regexp(t, `(?m)^\s*GET /: 200 `, report)
		for key, src := range map[string]string{
			"DATABASE_URL": "database", "DIRECT_URL": "database", "APP_NAME": "caller",
			"AUTH_SECRET": "caller", "NEXTAUTH_URL": "app-url",
		} {
			assert.Regexp(t, envLine(key, src), report)
		}
		assert.NotContains(t, report, strings.Repeat("s", 40), "no value of the env file in the report")
		urlEnv, err := image.EnvVariable(ctx, "SLIPWAY_DATABASE_URL_ENV")
		require.NoError(t, err)
		assert.Equal(t, "DIRECT_URL", urlEnv)
		for _, k := range []string{"APP_NAME", "AUTH_SECRET", "DATABASE_URL"} {
			v, err := image.EnvVariable(ctx, k)
			require.NoError(t, err)
			assert.Empty(t, v, "runtime variable %s is not in the image", k)
		}
		out, err := image.WithExec([]string{"node", "--version"}).Stdout(ctx)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(out, "v24."), "node in the image: %s", out)
	})

	t.Run("pnpm-unpinned", func(t *testing.T) {
		t.Parallel()
		ctx := ctxFor(t, 30*time.Minute)
		p := newPipeline(source(fixturePnpmUnpinned))
		app, err := p.App(ctx)
		require.NoError(t, err)
		assert.Equal(t, "10", app.PackageManager.Range, "an unpinned lockfile 9.0 with pnpm 10 build keys takes the newest pnpm 10: %s", app.PackageManager.Why)
		pl, err := p.Plan(ctx)
		require.NoError(t, err)
		assert.Equal(t, "/api/heartbeat", pl.Runtime.HealthPath)
		_, report, err := p.CI(ctx, nil)
		require.NoError(t, err, "ignoredBuiltDependencies keeps the offline-failing install script from running")
		t.Logf("ci report:\n%s", report)
		assert.Regexp(t, `(?m)^\s*GET /api/heartbeat: 200 `, report)
		assert.NotRegexp(t, `(?m)^test:`, report, "a test:e2e script is not a test script: no test stage")
		assert.Regexp(t, envLine("POSTGRES_PRISMA_URL", "database"), report)
		assert.Regexp(t, envLine("POSTGRES_URL_NON_POOLING", "database"), report)
	})

	t.Run("turbo-monorepo", func(t *testing.T) {
		t.Parallel()
		ctx := ctxFor(t, 30*time.Minute)
		p := newPipeline(source(fixtureTurbo), func(c *pipeline.Config) { c.AppDir = "apps/web" })
		app, err := p.App(ctx)
		require.NoError(t, err)
		require.NotNil(t, app.Prisma, "Prisma found through the workspace dependency")
		assert.Equal(t, "packages/db", app.Prisma.Dir)
		assert.Equal(t, "packages/db/prisma/migrations", app.Prisma.Migrations)
		assert.Equal(t, "DIRECT_DATABASE_URL", app.Prisma.URLEnv)
		image, report, err := p.CI(ctx, nil)
		require.NoError(t, err)
		t.Logf("ci report:\n%s", report)
		assert.Regexp(t, `(?m)^\s*GET /api/health: 200 `, report)
		_, err = image.File("/app/apps/web/server.js").Size(ctx)
		assert.NoError(t, err, "the standalone server of apps/web")
	})

	for _, fx := range []string{fixtureYarnBerry, fixtureBun} {
		t.Run(filepath.Base(fx), func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t, 30*time.Minute)
			_, report, err := newPipeline(source(fx)).CI(ctx, nil)
			require.NoError(t, err)
			t.Logf("ci report:\n%s", report)
			assert.Regexp(t, `(?m)^\s*GET /api/health: 200 `, report)
		})
	}

	t.Run("build-needs-db", func(t *testing.T) {
		t.Parallel()
		ctx := ctxFor(t, 30*time.Minute)
		// Its build script checks a live database; its own Dockerfile runs
		// build:docker instead, and its t3-env check wants DATABASE_URL set.
		_, report, err := newPipeline(source(fixtureBuildNeedsDB), func(c *pipeline.Config) {
			c.BuildCommand = buildNeedsDBDockerfileScript
		}).CI(ctx, nil)
		require.NoError(t, err)
		t.Logf("ci report:\n%s", report)

		_, err = newPipeline(source(fixtureBuildNeedsDB)).Build(ctx)
		se := requireStageError(t, err, "build")
		assert.Contains(t, strings.Join(se.Cmd, " "), "npm run build")
		assert.NotZero(t, se.ExitCode)
		assert.Contains(t, se.Fix, "--build-command")
	})

	t.Run("font-google", func(t *testing.T) {
		t.Parallel()
		ctx := ctxFor(t, 30*time.Minute)
		p := newPipeline(source(fixtureFontGoogle))
		app, err := p.App(ctx)
		require.NoError(t, err)
		assert.True(t, app.Next.FontGoogle)
		_, _, err = p.CI(ctx, nil)
		se := requireStageError(t, err, "build")
		assert.Contains(t, se.Fix, "next/font/google", "the build error repeats inspect's warning")
		assert.Contains(t, se.Error(), "Google Fonts", "Next's own message is kept")
	})
}

// The README's first command, exactly as written, from an app's directory:
// no --source, so Slipway reads the caller's directory, not its own.
func TestReadmeInspectFromAppDir(t *testing.T) {
	for _, fx := range []string{fixtureNotes, fixturePnpmUnpinned} {
		cmd := exec.Command("dagger", "call", "--progress=plain", "-m", repoRoot(), "inspect")
		cmd.Dir = filepath.Join(repoRoot(), "testdata", fx)
		cmd.Env = ownSessionEnv()
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", lastLines(string(out), 40))
		assert.Contains(t, string(out), filepath.Base(fx), "inspect names the app in the caller's directory")
		assert.NotContains(t, string(out), "no package.json")
	}
}

// Every database variable holds the placeholder for the whole build, and a
// value the caller gives (build env or build secret) wins and stays set.
func TestBuildDatabaseURLs(t *testing.T) {
	ctx := ctxFor(t, 15*time.Minute)
	const placeholder = "postgresql://slipway:build-placeholder@localhost:5432/build"
	given := "postgresql://caller:given@elsewhere:5432/app"
	fromSecret := "postgresql://caller:secret@elsewhere:5432/app"
	secret := dag.SetSecret("build-db-url-"+randomID(), "DIRECT_URL="+fromSecret+"\n")
	for name, tc := range map[string]struct {
		mod  func(*pipeline.Config)
		want string
	}{
		"placeholder":  {func(*pipeline.Config) {}, placeholder + " " + placeholder},
		"build env":    {func(c *pipeline.Config) { c.BuildEnv = []string{"DATABASE_URL=" + given} }, given + " " + placeholder},
		"build secret": {func(c *pipeline.Config) { c.BuildSecret = secret }, placeholder + " " + fromSecret},
	} {
		t.Run(name, func(t *testing.T) {
			p := newPipeline(source(fixtureNpmPooled), tc.mod, func(c *pipeline.Config) {
				c.BuildCommand = `printf '%s %s' "$DATABASE_URL" "$DIRECT_URL" > seen-urls.txt`
			})
			build, err := p.Build(ctx)
			require.NoError(t, err)
			seen, err := build.File("/app/seen-urls.txt").Contents(ctx)
			require.NoError(t, err)
			assert.Equal(t, tc.want, seen, "DATABASE_URL and DIRECT_URL as the build command saw them")
		})
	}
}
