// Slipway takes a Next.js + Prisma + PostgreSQL app from source to a tested production image and a deploy bundle.
//
// On every run it proves, against a real Postgres, that the image migrates
// and answers its health check.
//
// Each stage is a function that returns a Dagger core type, so you can stop at
// any stage and chain Dagger's own verbs: `dagger call build terminal`,
// `dagger call image export --path=app.tar`, `dagger call ci publish --address=...`.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/pipeline"
	"github.com/slipwayhq/slipway/plan"
)

// Slipway builds, migrates, smoke-tests and ships one Next.js + Prisma app.
type Slipway struct {
	// +private
	Source *dagger.Directory
	// +private
	AppDir string
	// +private
	NodeImage string
	// +private
	NodeVersion string
	// +private
	PackageManager string
	// +private
	HealthPath string
	// +private
	BuildCommand string
	// +private
	Env []string
	// +private
	EnvFile *dagger.Secret
	// +private
	Port int
	// +private
	BuildEnv []string
	// +private
	BuildSecret *dagger.Secret
	// +private
	PostgresImage string
	// +private
	Migrator string
	// +private
	MigrateOnStart bool
	// +private
	Platforms []string
	// +private
	Version string
	// +private
	Revision string
	// +private
	Created string
	// +private
	SourceURL string
}

// New configures Slipway for one app. It is cached per session only: without
// --source it reads the caller's directory, which differs between calls
// with the same arguments.
// +cache="session"
func New(
	// The app's source: a Next.js app, or a monorepo with --app-dir (default: the directory you run dagger in, without node_modules, .next, .git and .env files but .env.example).
	// +optional
	// +ignore=["**/node_modules", "**/.next", "**/.git", "**/.env", "**/.env.*", "!**/.env.example"]
	source *dagger.Directory,
	// Where the app is inside the source, for monorepos (e.g. apps/web).
	// +optional
	// +default="."
	appDir string,
	// Node.js image for the build stages; an Alpine image works too.
	// +optional
	// +default="node:24-bookworm-slim"
	nodeImage string,
	// Node.js major to build with (e.g. 22); defaults to the app's engines.node, .nvmrc or .node-version when the default image does not satisfy it.
	// +optional
	nodeVersion string,
	// Package manager to use instead of the one the lockfile names: npm, pnpm, yarn or bun, with an optional @version.
	// +optional
	packageManager string,
	// Path the health check and the smoke test request (default: the health route found in the app, else /api/health).
	// +optional
	healthPath string,
	// Port the server listens on.
	// +optional
	// +default=3000
	port int,
	// Visible build-time variables, KEY=VALUE (repeatable), such as NEXT_PUBLIC_* values.
	// +optional
	buildEnv []string,
	// A dotenv file of secret build-time variables (--build-secret=file://.env.build); mounted only while the build runs.
	// +optional
	buildSecret *dagger.Secret,
	// Command that builds the app, run by sh in the app dir (e.g. "pnpm run build:docker"); default: the package manager's `run build`, else `next build`.
	// +optional
	buildCommand string,
	// Runtime variables for smoke and ci, KEY=VALUE (repeatable), e.g. those the app validates at start; never in the image.
	// +optional
	env []string,
	// A dotenv file of runtime variables for smoke and ci (--env-file=file://.env.test); read as a secret, never in the image.
	// +optional
	envFile *dagger.Secret,
	// Postgres image for the database, migrate and smoke stages; pick your major version.
	// +optional
	// +default="postgres:15"
	postgresImage string,
	// How the runner migrates: "slipway" (a small static migrator) or "prisma" (the Prisma CLI, as the reference Dockerfile; needs network).
	// +optional
	// +default="slipway"
	migrator string,
	// Apply migrations when the container starts, before the server; turn off when a separate job migrates.
	// +optional
	// +default=true
	migrateOnStart bool,
	// Platforms of the image, e.g. linux/amd64,linux/arm64 (default linux/amd64): the JavaScript is built once, each platform's runner gets its own Node, Debian libraries and native packages, and ci tests every one.
	// +optional
	platforms []string,
	// Image version, for the org.opencontainers.image.version label.
	// +optional
	version string,
	// Source revision (commit), for the org.opencontainers.image.revision label.
	// +optional
	revision string,
	// Creation time (RFC 3339; use the commit time to keep builds reproducible), for the org.opencontainers.image.created label.
	// +optional
	created string,
	// Source repository URL, for the org.opencontainers.image.source label.
	// +optional
	sourceUrl string,
) *Slipway {
	if source == nil {
		// The caller's directory, not this module's: +defaultPath resolves in
		// the module's own context.
		source = dag.CurrentWorkspace().Directory(".", dagger.WorkspaceDirectoryOpts{Exclude: sourceExcludes})
	}
	return &Slipway{
		Source: source, AppDir: appDir, NodeImage: nodeImage, NodeVersion: nodeVersion,
		PackageManager: packageManager, HealthPath: healthPath, Port: port,
		BuildEnv: buildEnv, BuildSecret: buildSecret, BuildCommand: buildCommand,
		Env: env, EnvFile: envFile, PostgresImage: postgresImage,
		Migrator: migrator, MigrateOnStart: migrateOnStart, Platforms: platforms,
		Version: version, Revision: revision, Created: created, SourceURL: sourceUrl,
	}
}

// sourceExcludes keep host installs, build output, git and secrets out of
// the app's source, as the +ignore of --source does.
var sourceExcludes = []string{"**/node_modules", "**/.next", "**/.git", "**/.env", "**/.env.*", "!**/.env.example"}

func (m *Slipway) pipeline() *pipeline.Pipeline {
	return pipeline.New(dag, pipeline.Config{
		Options: plan.Options{
			AppDir: m.AppDir, NodeImage: m.NodeImage, NodeVersion: m.NodeVersion,
			HealthPath: m.HealthPath, Port: m.Port, BuildEnv: m.BuildEnv, BuildCommand: m.BuildCommand,
			Migrator: m.Migrator, MigrateOnStart: m.MigrateOnStart, Platforms: m.Platforms,
			Release: plan.Release{Version: m.Version, Revision: m.Revision, Created: m.Created, URL: m.SourceURL},
		},
		Source: m.Source, Tools: dag.CurrentModule().Source(),
		PackageManager: m.PackageManager, BuildSecret: m.BuildSecret,
		Env: m.Env, EnvFile: m.EnvFile, PostgresImage: m.PostgresImage,
	})
}

// Inspect reports what Slipway detected in the app: package manager, Node version, standalone output, Prisma, and warnings with fixes.
func (m *Slipway) Inspect(
	ctx context.Context,
	// Output format: text, or json for tools (the Go SDK cannot name an argument "json").
	// +optional
	// +default="text"
	format string,
) (string, error) {
	return inFormat(ctx, "inspect", format, m.pipeline().Report)
}

// Plan is every decision about the image, made once and read by image, dockerfile and bundle: base and runner images, install and build commands with their caches, files, environment, user, healthcheck, entrypoint, labels and the runtime facts of a deploy.
func (m *Slipway) Plan(
	ctx context.Context,
	// Output format: text, or json for tools (the Go SDK cannot name an argument "json").
	// +optional
	// +default="text"
	format string,
) (string, error) {
	return inFormat(ctx, "plan", format, m.pipeline().PlanReport)
}

// inFormat is a report as text, or as JSON for tools.
func inFormat(ctx context.Context, what, format string, report func(context.Context, bool) (string, error)) (string, error) {
	if format != "text" && format != "json" {
		return "", fmt.Errorf("%s: --format=%q: use text or json", what, format)
	}
	return report(ctx, format == "json")
}

// Base is the Node image plus what Prisma needs at run time (OpenSSL, CA certificates).
func (m *Slipway) Base(ctx context.Context) (*dagger.Container, error) {
	return m.pipeline().Base(ctx)
}

// Deps is the production dependencies alone, from a frozen install with a cached package store.
func (m *Slipway) Deps(ctx context.Context) (*dagger.Container, error) {
	return m.pipeline().Deps(ctx)
}

// Build installs every dependency, runs prisma generate, then next build, with a cached .next/cache.
func (m *Slipway) Build(ctx context.Context) (*dagger.Container, error) {
	return m.pipeline().Build(ctx)
}

// Image is the production runner: standalone server, static assets and migrations on a minimal base, non-root, with a HEALTHCHECK and OCI labels; with several --platforms, the first one's.
func (m *Slipway) Image(ctx context.Context) (*dagger.Container, error) {
	return m.pipeline().Image(ctx)
}

// Sbom is the image's software bill of materials, made by syft from the image: the Debian packages of its root filesystem, the npm packages of the standalone server, the Node binary and the migrator's Go modules.
func (m *Slipway) Sbom(
	ctx context.Context,
	// SBOM format: spdx-json (SPDX 2.3) or cyclonedx-json (CycloneDX).
	// +optional
	// +default="spdx-json"
	format string,
) (*dagger.File, error) {
	return m.pipeline().ImageSbom(ctx, format)
}

// MigratorBinary is Slipway's static migrator (slipway-migrate), which applies Prisma migrations as prisma migrate deploy does.
func (m *Slipway) MigratorBinary() *dagger.File {
	return m.pipeline().Migrator()
}

// Database is a Postgres service, ready when pg_isready says so: `dagger call database up --ports 5432:5432`.
// +cache="session"
func (m *Slipway) Database(
	ctx context.Context,
	// Database user.
	// +optional
	// +default="app"
	user string,
	// Database name.
	// +optional
	// +default="app"
	name string,
	// Database password (defaults to a generated one).
	// +optional
	password *dagger.Secret,
) (*dagger.Service, error) {
	db, err := m.pipeline().Database(ctx, user, name, password)
	if err != nil {
		return nil, err
	}
	return db.Service, nil
}

// Migrate applies every migration of the app to a fresh database with the image's own migrator and reports what was applied.
// +cache="never"
func (m *Slipway) Migrate(ctx context.Context) (string, error) {
	p := m.pipeline()
	image, err := p.Image(ctx)
	if err != nil {
		return "", err
	}
	return p.Migrate(ctx, image)
}

// Smoke runs the image against a fresh database, waits for its HEALTHCHECK, then requests the health path and each of --paths.
// +cache="never"
func (m *Slipway) Smoke(
	ctx context.Context,
	// Paths that must answer, as PATH (expects 200) or PATH=STATUS, e.g. /,/api/notes,/old=301.
	// +optional
	paths []string,
) (string, error) {
	p := m.pipeline()
	image, err := p.Image(ctx)
	if err != nil {
		return "", err
	}
	return p.Smoke(ctx, image, paths)
}

// Ci builds, runs the app's tests, migrates and smoke-tests every platform's image, and returns the first platform's only if all pass: `dagger call ci export --path=app.tar`.
// +cache="never"
func (m *Slipway) Ci(
	ctx context.Context,
	// Paths the smoke test requests besides the health path, as PATH or PATH=STATUS.
	// +optional
	paths []string,
) (*dagger.Container, error) {
	image, _, err := m.pipeline().CI(ctx, paths)
	return image, err
}

// Tarball runs ci, then returns every platform's image in one OCI archive whose index holds them all: `dagger call tarball export --path=app.tar`.
// +cache="never"
func (m *Slipway) Tarball(
	ctx context.Context,
	// Paths the smoke test requests besides the health path, as PATH or PATH=STATUS.
	// +optional
	paths []string,
) (*dagger.File, error) {
	return m.pipeline().Tarball(ctx, paths)
}

// Publish runs ci, then pushes every platform's image, as one multi-platform image, under each tag; with --sign-key it signs the digest and attaches its SLSA provenance. Returns the pushed references pinned to their digest, one per line.
// +cache="never"
func (m *Slipway) Publish(
	ctx context.Context,
	// Repository to push to, e.g. ghcr.io/acme/notes (a :tag here is one more tag).
	address string,
	// Tags to push, e.g. 1.4.0,1.4,latest; sha-<short> is added when --revision is a commit. Default: latest.
	// +optional
	tags []string,
	// Registry user; with --password.
	// +optional
	username string,
	// Registry password or token (--password=env://REGISTRY_TOKEN); never printed.
	// +optional
	password *dagger.Secret,
	// A cosign private key (cosign.key of `cosign generate-key-pair`, --sign-key=env://COSIGN_KEY): signs the pushed digest and attests its provenance and SBOM, offline (no transparency log).
	// +optional
	signKey *dagger.Secret,
	// The signing key's password (--sign-password=env://COSIGN_PASSWORD); none: an empty one.
	// +optional
	signPassword *dagger.Secret,
	// The registry speaks plain HTTP, not HTTPS (a local registry only); the engine must also list it as insecure.
	// +optional
	plainHttp bool,
	// Paths the smoke test requests besides the health path, as PATH or PATH=STATUS.
	// +optional
	paths []string,
) (string, error) {
	to := pipeline.Target{Address: address, Tags: tags, Username: username, Password: password, PlainHTTP: plainHttp}
	pushed, err := m.pipeline().Publish(ctx, to, paths, &pipeline.SigningKey{Key: signKey, Password: signPassword})
	if err != nil {
		return "", err
	}
	return strings.Join(pushed.Refs(), "\n") + "\n", nil
}

// Bundle is the deploy bundle: docker-compose.prod.yml, .env.production.example and DEPLOY.md, validated through compose-go.
// +cache="never"
func (m *Slipway) Bundle(
	ctx context.Context,
	// Image reference the compose file runs, e.g. ghcr.io/acme/notes:1.2.3.
	image string,
	// Also write .env.production with fresh secrets; its content is never printed, keep it out of git.
	// +optional
	generateEnv bool,
	// Add a one-shot migrate service that the app waits for, instead of migrating on start.
	// +optional
	migrateService bool,
	// Run the app with a read-only root filesystem and tmpfs mounts for what Next.js writes.
	// +optional
	// +default=true
	readOnly bool,
	// Publish Postgres on 127.0.0.1 for local tools.
	// +optional
	publishDbPort bool,
) (*dagger.Directory, error) {
	return m.pipeline().Bundle(ctx, bundle.Stack{
		Image: image, MigrateService: migrateService, ReadOnly: readOnly, PublishDBPort: publishDbPort,
	}, generateEnv)
}

// Verify builds, tests, migrates and smoke-tests the app; `dagger check` runs it.
// +check
// +cache="never"
func (m *Slipway) Verify(ctx context.Context) error {
	_, _, err := m.pipeline().CI(ctx, nil)
	return err
}
