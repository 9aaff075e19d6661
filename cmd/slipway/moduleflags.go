package main

import (
	"strconv"
)

// ModuleFlags are the Slipway module's options, with the names and help
// text of its constructor's arguments (a test keeps them equal), each also
// read from a SLIPWAY_* variable: the module cannot read the host's
// environment, the CLI can. An unset flag is not passed, so the module's
// own default applies. The source and --app-dir are the commands' own.
type ModuleFlags struct {
	NodeImage      string   `name:"node-image" env:"SLIPWAY_NODE_IMAGE" help:"Node.js image for the build stages; an Alpine image works too."`
	NodeVersion    string   `name:"node-version" env:"SLIPWAY_NODE_VERSION" help:"Node.js major to build with (e.g. 22); defaults to the app's engines.node, .nvmrc or .node-version when the default image does not satisfy it."`
	PackageManager string   `name:"package-manager" env:"SLIPWAY_PACKAGE_MANAGER" help:"Package manager to use instead of the one the lockfile names: npm, pnpm, yarn or bun, with an optional @version."`
	HealthPath     string   `name:"health-path" env:"SLIPWAY_HEALTH_PATH" help:"Path the health check and the smoke test request (default: the health route found in the app, else /api/health)."`
	Port           int      `name:"port" env:"SLIPWAY_PORT" help:"Port the server listens on."`
	BuildEnv       []string `name:"build-env" env:"SLIPWAY_BUILD_ENV" help:"Visible build-time variables, KEY=VALUE (repeatable), such as NEXT_PUBLIC_* values."`
	BuildSecret    string   `name:"build-secret" env:"SLIPWAY_BUILD_SECRET" help:"A dotenv file of secret build-time variables (--build-secret=file://.env.build); mounted only while the build runs."`
	BuildCommand   string   "name:\"build-command\" env:\"SLIPWAY_BUILD_COMMAND\" help:\"Command that builds the app, run by sh in the app dir (e.g. \\\"pnpm run build:docker\\\"); default: the package manager's `run build`, else `next build`.\""
	Env            []string `name:"env" env:"SLIPWAY_ENV" help:"Runtime variables for smoke and ci, KEY=VALUE (repeatable), e.g. those the app validates at start; never in the image."`
	EnvFile        string   `name:"env-file" env:"SLIPWAY_ENV_FILE" help:"A dotenv file of runtime variables for smoke and ci (--env-file=file://.env.test); read as a secret, never in the image."`
	PostgresImage  string   `name:"postgres-image" env:"SLIPWAY_POSTGRES_IMAGE" help:"Postgres image for the database, migrate and smoke stages; pick your major version."`
	Migrator       string   `name:"migrator" env:"SLIPWAY_MIGRATOR" help:"How the runner migrates: \"slipway\" (a small static migrator) or \"prisma\" (the Prisma CLI, as the reference Dockerfile; needs network)."`
	MigrateOnStart *bool    `name:"migrate-on-start" env:"SLIPWAY_MIGRATE_ON_START" negatable:"" help:"Apply migrations when the container starts, before the server; turn off when a separate job migrates."`
	Platforms      []string `name:"platforms" env:"SLIPWAY_PLATFORMS" help:"Platforms of the image, e.g. linux/amd64,linux/arm64 (default linux/amd64): the JavaScript is built once, each platform's runner gets its own Node, Debian libraries and native packages, and ci tests every one."`
	Version        string   `name:"version" env:"SLIPWAY_VERSION" help:"Image version, for the org.opencontainers.image.version label."`
	Revision       string   `name:"revision" env:"SLIPWAY_REVISION" help:"Source revision (commit), for the org.opencontainers.image.revision label."`
	Created        string   `name:"created" env:"SLIPWAY_CREATED" help:"Creation time (RFC 3339; use the commit time to keep builds reproducible), for the org.opencontainers.image.created label."`
	SourceURL      string   `name:"source-url" env:"SLIPWAY_SOURCE_URL" help:"Source repository URL, for the org.opencontainers.image.source label."`
}

// args are the module options to pass to `dagger call`, set ones only.
// Secrets stay as the URIs the caller gave (file://, env://): the dagger CLI
// reads them, and their values never appear on a command line.
func (m ModuleFlags) args() []string {
	var out []string
	str := func(name, v string) {
		if v != "" {
			out = append(out, "--"+name+"="+v)
		}
	}
	str("node-image", m.NodeImage)
	str("node-version", m.NodeVersion)
	str("package-manager", m.PackageManager)
	str("health-path", m.HealthPath)
	if m.Port != 0 {
		str("port", strconv.Itoa(m.Port))
	}
	for _, kv := range m.BuildEnv {
		str("build-env", kv)
	}
	str("build-secret", m.BuildSecret)
	str("build-command", m.BuildCommand)
	for _, kv := range m.Env {
		str("env", kv)
	}
	str("env-file", m.EnvFile)
	str("postgres-image", m.PostgresImage)
	str("migrator", m.Migrator)
	if m.MigrateOnStart != nil {
		str("migrate-on-start", strconv.FormatBool(*m.MigrateOnStart))
	}
	for _, p := range m.Platforms {
		str("platforms", p)
	}
	str("version", m.Version)
	str("revision", m.Revision)
	str("created", m.Created)
	str("source-url", m.SourceURL)
	return out
}
