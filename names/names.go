// Package names is the one home for the names Slipway's packages share:
// paths in the image, the SLIPWAY_* variables its runner and migrator read,
// and the cache-volume names. The plan, the pipeline, the Dockerfile
// renderer, the bundle and slipway-migrate all import it, so a name can't
// drift between them. It imports nothing, so the static migrator can use it.
package names

// Paths in the image.
const (
	// Workdir is the image's working directory; the source is copied here.
	Workdir = "/app"
	// LibDir holds Slipway's own scripts in the image.
	LibDir = "/usr/local/lib/slipway"
	// HealthcheckScript is the Node script the HEALTHCHECK runs.
	HealthcheckScript = LibDir + "/healthcheck.cjs"
	// StartScript is the entrypoint with the prisma migrator.
	StartScript = LibDir + "/start.sh"
	// StripScripts strips lifecycle scripts from the manifests before the install.
	StripScripts = LibDir + "/strip-scripts.cjs"
	// RetargetScript swaps a build's platform-specific packages for another platform's.
	RetargetScript = LibDir + "/retarget.cjs"
	// SmokeScript is the smoke test's client.
	SmokeScript = LibDir + "/smoke.cjs"
	// Migrator is slipway-migrate in the runner.
	Migrator = "/usr/local/bin/slipway-migrate"
	// PrismaCLIDir is where the Prisma CLI is installed apart.
	PrismaCLIDir = "/opt/prisma-cli"
	// BuildSecretID is the build secret: a dotenv file of secret build-time
	// variables (`docker build --secret id=build_env,src=.env.build`).
	BuildSecretID = "build_env"
	// BuildSecretPath is where the build secret is mounted while the build runs.
	BuildSecretPath = "/run/secrets/" + BuildSecretID
	// RunnerUID is the runner's non-root user (nextjs) and group (nodejs).
	RunnerUID = 1001
	// RunnerUser and RunnerGroup are their names.
	RunnerUser  = "nextjs"
	RunnerGroup = "nodejs"
)

// Paths and variables of the signing container, where cosign runs.
const (
	// CosignBin is cosign in the signing container.
	CosignBin = "/usr/local/bin/cosign"
	// CosignKeyPath is the mounted private key; CosignPubPath a public key.
	CosignKeyPath = "/run/secrets/cosign.key"
	CosignPubPath = "/run/slipway/cosign.pub"
	// ProvenancePath is the provenance predicate cosign attests.
	ProvenancePath = "/run/slipway/provenance.json"
	// RegistryConfigDir is DOCKER_CONFIG, a tmpfs that holds the login.
	RegistryConfigDir = "/run/slipway/docker"
	// RegistryVar, RegistryUserVar and RegistryPasswordVar are the registry
	// to log in to, the user and the password (a secret variable).
	RegistryVar         = "SLIPWAY_REGISTRY"
	RegistryUserVar     = "SLIPWAY_REGISTRY_USER"
	RegistryPasswordVar = "SLIPWAY_REGISTRY_PASSWORD"
	// CosignPasswordVar is the private key's password, as cosign reads it.
	CosignPasswordVar = "COSIGN_PASSWORD"
)

// Variables the runner, its entrypoint and slipway-migrate read.
const (
	// HealthPathVar is the path the healthcheck script requests.
	HealthPathVar = "SLIPWAY_HEALTH_PATH"
	// MigrationsDirVar is the migrations folder slipway-migrate applies.
	MigrationsDirVar = "SLIPWAY_MIGRATIONS_DIR"
	// DatabaseURLEnvVar names the variables that hold the connection string
	// migrations use: one name, or several comma-separated, the first one
	// set and non-empty winning.
	DatabaseURLEnvVar = "SLIPWAY_DATABASE_URL_ENV"
	// MigrateOnStartVar=false makes the image's entrypoint skip migrating.
	MigrateOnStartVar = "SLIPWAY_MIGRATE_ON_START"
	// MigrateTimeoutVar and MigrateLockTimeoutVar bound slipway-migrate.
	MigrateTimeoutVar     = "SLIPWAY_MIGRATE_TIMEOUT"
	MigrateLockTimeoutVar = "SLIPWAY_MIGRATE_LOCK_TIMEOUT"
	// AppDirVar is where the prisma migrator's start script runs Prisma.
	AppDirVar = "SLIPWAY_APP_DIR"
	// RunVar differs on every run, so a check is proven each time.
	RunVar = "SLIPWAY_RUN"
	// SmokeLogVar is the file a smoke run's app writes its output to.
	SmokeLogVar = "SLIPWAY_SMOKE_LOG"
)

// Cache volumes, named by namespace. A store is cached per package manager
// and the Next.js build cache per app; node_modules never is: it is mutable
// state tied to one lockfile.
const (
	GoModCache   = "slipway-go-mod"
	GoBuildCache = "slipway-go-build"
	// PrismaCLIStore is npm's store for the Prisma CLI of the prisma migrator.
	PrismaCLIStore = "slipway-npm-store"
	SmokeLogs      = "slipway-smoke-logs"
)

// StoreCache is the cache volume of a package manager's store.
func StoreCache(pm string) string { return "slipway-" + pm + "-store" }

// NextCache is the cache volume of an app's .next/cache.
func NextCache(app string) string { return "slipway-next-cache-" + app }
