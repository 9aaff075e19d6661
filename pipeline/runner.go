package pipeline

import (
	"context"
	_ "embed"
	"path"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

const (
	migratorPath    = "/usr/local/bin/slipway-migrate"
	libDir          = "/usr/local/lib/slipway"
	healthcheckPath = libDir + "/healthcheck.cjs"
	startScriptPath = libDir + "/start.sh"
)

//go:embed assets/healthcheck.cjs
var healthcheckJS string

//go:embed assets/prisma-start.sh
var prismaStartSh string

// Healthcheck is the runner's HEALTHCHECK command; Node runs it, so the
// image needs neither wget nor curl.
var Healthcheck = []string{"node", healthcheckPath}

// Migrator is Slipway's static migrator, built from its own source in a
// golang container with cached modules and build cache.
func (p *Pipeline) Migrator() *dagger.File {
	src := p.cfg.Tools.Filter(dagger.DirectoryFilterOpts{Include: []string{
		"go.mod", "go.sum", "names/**", "migrator/**", "cmd/slipway-migrate/**",
	}})
	return p.dag.Container().From(p.cfg.GolangImage).
		WithMountedCache("/go/pkg/mod", p.dag.CacheVolume("slipway-go-mod")).
		WithMountedCache("/root/.cache/go-build", p.dag.CacheVolume("slipway-go-build")).
		WithEnvVariable("CGO_ENABLED", "0").
		WithDirectory("/src", src).
		WithWorkdir("/src").
		WithExec([]string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/slipway-migrate", "./cmd/slipway-migrate"}).
		File("/out/slipway-migrate")
}

// Image is the production runner: the standalone server, static assets,
// public files and migrations on a minimal base, as a non-root user, with a
// HEALTHCHECK, OCI labels and an entrypoint that migrates, then serves.
func (p *Pipeline) Image(ctx context.Context) (*dagger.Container, error) {
	app, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	build, err := p.checkedBuild(ctx, app)
	if err != nil {
		return nil, err
	}
	return p.image(app, build), nil
}

func (p *Pipeline) image(app *inspect.App, build *dagger.Container) *dagger.Container {
	owner := strconv.Itoa(RunnerUID) + ":" + strconv.Itoa(RunnerUID)
	noEnv := dagger.DirectoryFilterOpts{Exclude: []string{"**/.env", "**/.env.*", "**/node_modules/.cache"}}
	standalone := build.Directory(p.appPath(".next", "standalone")).Filter(noEnv)
	ctr := p.runnerBase(app).
		WithDirectory(workdir, standalone).
		WithDirectory(p.appPath(".next", "static"), build.Directory(p.appPath(".next", "static"))).
		WithDirectory(p.appPath(".next", "cache"), p.dag.Directory(), dagger.ContainerWithDirectoryOpts{Owner: owner}).
		WithNewFile(healthcheckPath, healthcheckJS)
	// public/ is optional: the filter copies it when it exists.
	public := build.Directory(p.appPath()).Filter(dagger.DirectoryFilterOpts{Include: []string{"public/**"}})
	ctr = ctr.WithDirectory(p.appPath(), public).
		WithEnvVariable("NODE_ENV", "production").
		WithEnvVariable(nextTelemetryVar, "1").
		WithEnvVariable("PORT", strconv.Itoa(p.cfg.Port)).
		WithEnvVariable("HOSTNAME", "0.0.0.0").
		WithEnvVariable("SLIPWAY_HEALTH_PATH", p.HealthPath(app))
	if pr := app.Prisma; pr != nil && len(pr.MigrationNames) > 0 {
		ctr = p.withMigrations(ctr, app, pr)
	}
	if !p.cfg.MigrateOnStart {
		ctr = ctr.WithEnvVariable("SLIPWAY_MIGRATE_ON_START", "false")
	}
	ctr = ctr.
		WithExposedPort(p.cfg.Port).
		WithDockerHealthcheck(Healthcheck, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: "10s", Timeout: "3s", StartPeriod: "20s", StartInterval: "1s", Retries: 3,
		}).
		WithUser(owner).
		WithWorkdir(workdir).
		WithDefaultArgs([]string{"node", p.appPath("server.js")})
	return p.withLabels(ctr, app)
}

// runnerBase is the smallest base the app allows. On a glibc Node image it
// is a root filesystem of the Node binary (stripped), the shared libraries it
// and /bin/sh link, CA certificates and the users: no package manager, no
// npm, corepack or yarn. On Alpine it is the Node image without them.
func (p *Pipeline) runnerBase(app *inspect.App) *dagger.Container {
	image := p.NodeImage(app)
	if alpine(image) {
		return p.dag.Container().From(image).
			WithExec([]string{"sh", "-c", "rm -rf /usr/local/lib/node_modules /opt/yarn* /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg && " +
				"apk add --no-cache ca-certificates && addgroup -S -g 1001 nodejs && adduser -S -u 1001 -G nodejs -H nextjs"})
	}
	return p.dag.Container().
		WithRootfs(p.runnerRootfs(image)).
		WithEnvVariable("PATH", "/usr/local/bin:/usr/bin:/bin").
		WithEnvVariable("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
}

//go:embed assets/rootfs.sh
var rootfsSh string

// runnerRootfs assembles the runner's root filesystem in a Debian stage
// (--runner-image) from the Node binary of image.
func (p *Pipeline) runnerRootfs(image string) *dagger.Directory {
	node := p.dag.Container().From(image).File("/usr/local/bin/node")
	stage := p.dag.Container().From(p.cfg.RunnerImage).
		WithExec([]string{"sh", "-c", "apt-get update -qq && " +
			"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates libstdc++6 binutils >/dev/null"}).
		WithFile("/stage/node", node).
		WithNewFile("/stage/rootfs.sh", rootfsSh).
		WithExec([]string{"sh", "/stage/rootfs.sh", "/stage/node", "/rootfs"})
	// Copied into an empty directory: a subdirectory of the stage would
	// carry the stage's own layers into the image.
	return p.dag.Directory().WithDirectory("/", stage.Directory("/rootfs"))
}

// withMigrations copies the migrations and the chosen migrator, and makes
// the entrypoint migrate before it execs the server.
func (p *Pipeline) withMigrations(ctr *dagger.Container, app *inspect.App, pr *inspect.Prisma) *dagger.Container {
	migrations := path.Join(workdir, pr.Migrations)
	ctr = ctr.
		WithDirectory(migrations, p.cfg.Source.Directory(pr.Migrations)).
		WithEnvVariable("SLIPWAY_MIGRATIONS_DIR", migrations).
		WithEnvVariable("SLIPWAY_DATABASE_URL_ENV", strings.Join(migrationVars(pr), ","))
	if p.cfg.Migrator == MigratorPrisma {
		return p.withPrismaCLI(ctr, app, pr)
	}
	return ctr.
		WithFile(migratorPath, p.Migrator(), dagger.ContainerWithFileOpts{Permissions: 0o755}).
		WithEntrypoint([]string{migratorPath, "start", "--"})
}

// withPrismaCLI is the reference approach: the Prisma CLI and every package
// it needs, installed apart and copied in, run by a start script.
func (p *Pipeline) withPrismaCLI(ctr *dagger.Container, app *inspect.App, pr *inspect.Prisma) *dagger.Container {
	version := pr.Version
	if version == "" {
		version = "latest"
	}
	cli := p.base(app).
		WithMountedCache("/root/.npm", p.dag.CacheVolume("slipway-npm-store")).
		WithWorkdir(prismaCLIDir).
		WithExec([]string{"npm", "install", "--no-save", "--no-package-lock", "--omit=dev", "--ignore-scripts", "prisma@" + version}).
		Directory(path.Join(prismaCLIDir, "node_modules"))
	files := p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: prismaFiles(pr)})
	dir := path.Join(workdir, prismaDir(app))
	return ctr.
		WithDirectory(path.Join(dir, "node_modules"), cli).
		WithDirectory(workdir, files).
		WithNewFile(startScriptPath, prismaStartSh, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithEnvVariable("SLIPWAY_APP_DIR", dir).
		WithEntrypoint([]string{startScriptPath})
}

// migrationVars are the variables migrations read the URL from, in the
// order the app's config tries them (a `DIRECT_URL || DATABASE_URL` chain).
func migrationVars(pr *inspect.Prisma) []string {
	out := []string{pr.URLEnv}
	for _, v := range pr.DatabaseVars {
		if v.Migrations && v.Name != pr.URLEnv {
			out = append(out, v.Name)
		}
	}
	return out
}

// runtimeVars are the database variables the running app and its migrator
// read: every one but the shadow database's.
func runtimeVars(pr *inspect.Prisma) []string {
	shadow := map[string]bool{}
	for _, v := range pr.DatabaseVars {
		if v.Shadow && !v.Runtime && !v.Migrations {
			shadow[v.Name] = true
		}
	}
	var out []string
	for _, n := range pr.DatabaseVarNames() {
		if !shadow[n] {
			out = append(out, n)
		}
	}
	return out
}

func prismaFiles(pr *inspect.Prisma) []string {
	pats := []string{pr.Schema, pr.Schema + "/**"}
	if pr.Config != "" {
		pats = append(pats, pr.Config)
	}
	return pats
}

// withLabels sets the OCI labels last, from the caller's release metadata.
func (p *Pipeline) withLabels(ctr *dagger.Container, app *inspect.App) *dagger.Container {
	r := p.cfg.Release
	labels := [][2]string{
		{"org.opencontainers.image.title", app.Name},
		{"org.opencontainers.image.source", r.URL},
		{"org.opencontainers.image.revision", r.Revision},
		{"org.opencontainers.image.version", r.Version},
		{"org.opencontainers.image.created", r.Created},
	}
	for _, l := range labels {
		if l[1] != "" {
			ctr = ctr.WithLabel(l[0], l[1])
		}
	}
	return ctr
}
