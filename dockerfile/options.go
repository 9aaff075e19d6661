package dockerfile

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Defaults, the same as the module's.
const (
	DefaultNodeImage      = "node:24-bookworm-slim"
	DefaultRunnerImage    = "debian:bookworm-slim"
	DefaultGolangImage    = "golang:1.26-bookworm"
	DefaultHealthPath     = "/api/health"
	DefaultPort           = 3000
	DefaultSlipwayVersion = "latest"

	// MigratorSlipway builds slipway-migrate in a golang stage; MigratorPrisma
	// installs the Prisma CLI into the runner.
	MigratorSlipway = "slipway"
	MigratorPrisma  = "prisma"

	// SecretID is the build secret that holds secret build-time variables, a
	// dotenv file: `docker build --secret id=build_env,src=.env.build`.
	SecretID = "build_env"

	// SlipwayModule is the Go module the migrator stage builds from.
	SlipwayModule = "github.com/slipwayhq/slipway"
)

// ErrBadOption is wrapped by Render when an option can't go into a Dockerfile.
var ErrBadOption = errors.New("bad dockerfile option")

// Options is what Render needs besides the app. Zero values take the
// defaults above, except MigrateOnStart, which is off when false.
type Options struct {
	NodeImage      string // image of the build stages (and of the runner when it is Alpine)
	RunnerImage    string // Debian image the glibc runner's root filesystem is assembled in
	GolangImage    string // image that builds slipway-migrate
	Port           int
	HealthPath     string
	Migrator       string   // MigratorSlipway or MigratorPrisma
	MigrateOnStart bool     // the entrypoint applies migrations before the server starts
	BuildEnv       []string // KEY=VALUE, visible at build time only
	BuildCommand   string   // replaces the build script: a shell command line run in the app dir

	// MigratorSource is a directory of the build context that holds Slipway's
	// go.mod, go.sum, migrator/ and cmd/slipway-migrate/ (e.g. ".slipway").
	// Empty: the migrator stage fetches SlipwayModule at SlipwayVersion.
	MigratorSource string
	// SlipwayVersion is the default of the SLIPWAY_VERSION build arg.
	SlipwayVersion string

	Release Release
	Scripts Scripts
}

// Release is the image metadata for the OCI labels; empty fields are left out.
type Release struct {
	Version  string
	Revision string
	Created  string // RFC 3339, e.g. the commit time; never the clock
	URL      string
}

// Scripts are the files the build uses, written into the Dockerfile as
// heredocs. Healthcheck is always needed, PrismaStart with MigratorPrisma,
// Rootfs with a glibc (non-Alpine) Node image.
type Scripts struct {
	Healthcheck string // node script the HEALTHCHECK runs
	PrismaStart string // sh entrypoint: prisma migrate deploy, then exec "$@"
	Rootfs      string // sh script that assembles the runner's root filesystem: rootfs.sh NODE OUT
	// StripScripts is the node script that strips lifecycle scripts from the
	// manifests before the install: strip-scripts.cjs DIR.
	StripScripts string
}

var (
	envKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// safeRe is what a shell word, a COPY path or an ENV value can hold bare.
	safeRe  = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)
	imageRe = regexp.MustCompile(`^[a-z0-9][A-Za-z0-9._/:@-]*$`)
)

// withDefaults fills the zero values and checks every option.
func (o Options) withDefaults() (Options, error) {
	if o.NodeImage == "" {
		o.NodeImage = DefaultNodeImage
	}
	if o.RunnerImage == "" {
		o.RunnerImage = DefaultRunnerImage
	}
	if o.GolangImage == "" {
		o.GolangImage = DefaultGolangImage
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.HealthPath == "" {
		o.HealthPath = DefaultHealthPath
	}
	if o.Migrator == "" {
		o.Migrator = MigratorSlipway
	}
	if o.SlipwayVersion == "" {
		o.SlipwayVersion = DefaultSlipwayVersion
	}
	for _, im := range [][2]string{{"node image", o.NodeImage}, {"runner image", o.RunnerImage}, {"golang image", o.GolangImage}} {
		if !imageRe.MatchString(im[1]) {
			return o, fmt.Errorf("%w: %s %q is not an image reference: use a name like node:22-bookworm-slim", ErrBadOption, im[0], im[1])
		}
	}
	if o.Port < 1 || o.Port > 65535 {
		return o, fmt.Errorf("%w: port %d is out of range: use 1-65535 (e.g. 3000)", ErrBadOption, o.Port)
	}
	if !strings.HasPrefix(o.HealthPath, "/") || !safeRe.MatchString(o.HealthPath) {
		return o, fmt.Errorf("%w: health path %q must be a URL path starting with / and without spaces or quotes (e.g. /api/health)", ErrBadOption, o.HealthPath)
	}
	if o.Migrator != MigratorSlipway && o.Migrator != MigratorPrisma {
		return o, fmt.Errorf("%w: migrator %q: use %q or %q", ErrBadOption, o.Migrator, MigratorSlipway, MigratorPrisma)
	}
	for _, kv := range o.BuildEnv {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !envKeyRe.MatchString(k) {
			return o, fmt.Errorf("%w: build env %q is not KEY=VALUE with a variable name as KEY (e.g. NEXT_PUBLIC_APP_NAME=Notes)", ErrBadOption, kv)
		}
		if strings.ContainsAny(v, "\n\r") {
			return o, fmt.Errorf("%w: build env %s has a line break: a Dockerfile ENV value is one line", ErrBadOption, k)
		}
	}
	if s := o.MigratorSource; s != "" {
		if s != path.Clean(s) || path.IsAbs(s) || s == "." || strings.HasPrefix(s, "..") || !safeRe.MatchString(s) {
			return o, fmt.Errorf("%w: migrator source %q must be a clean relative directory inside the build context (e.g. .slipway)", ErrBadOption, s)
		}
	}
	if !safeRe.MatchString(o.SlipwayVersion) {
		return o, fmt.Errorf("%w: Slipway version %q must be a Go module version or query (e.g. v0.3.1 or latest)", ErrBadOption, o.SlipwayVersion)
	}
	r := o.Release
	for _, f := range [][2]string{{"version", r.Version}, {"revision", r.Revision}, {"created", r.Created}, {"source URL", r.URL}} {
		if strings.ContainsAny(f[1], "\n\r") {
			return o, fmt.Errorf("%w: release %s has a line break: a label value is one line", ErrBadOption, f[0])
		}
	}
	if o.Scripts.Healthcheck == "" {
		return o, fmt.Errorf("%w: Scripts.Healthcheck is empty: pass the runner's healthcheck.cjs", ErrBadOption)
	}
	if o.Scripts.StripScripts == "" {
		return o, fmt.Errorf("%w: Scripts.StripScripts is empty: pass the install's strip-scripts.cjs", ErrBadOption)
	}
	return o, nil
}
