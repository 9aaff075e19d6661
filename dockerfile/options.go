package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

const (
	// DefaultSlipwayVersion is the default of the SLIPWAY_VERSION build arg.
	DefaultSlipwayVersion = "latest"
	// SecretID is the build secret that holds secret build-time variables, a
	// dotenv file: `docker build --secret id=build_env,src=.env.build`.
	SecretID = names.BuildSecretID
	// SlipwayModule is the Go module the migrator stage builds from.
	SlipwayModule = "github.com/slipwayhq/slipway"
)

// ErrBadOption is wrapped by Render when an option can't go into a Dockerfile.
var ErrBadOption = plan.ErrBadOption

// Options is what Render needs besides the app: the plan's options, and
// what only a Dockerfile needs.
type Options struct {
	plan.Options

	// MigratorSource is a directory of the build context that holds Slipway's
	// go.mod, go.sum, names/, migrator/ and cmd/slipway-migrate/ (e.g. ".slipway").
	// Empty: the migrator stage fetches SlipwayModule at SlipwayVersion.
	MigratorSource string
	// SlipwayVersion is the default of the SLIPWAY_VERSION build arg.
	SlipwayVersion string

	Scripts Scripts
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

// asset is the script the plan names.
func (s Scripts) asset(name string) string {
	switch name {
	case plan.AssetHealthcheck:
		return s.Healthcheck
	case plan.AssetPrismaStart:
		return s.PrismaStart
	case plan.AssetRootfs:
		return s.Rootfs
	default:
		return s.StripScripts
	}
}

var (
	// safeRe is what a shell word, a COPY path or an ENV value can hold bare.
	safeRe  = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)
	imageRe = regexp.MustCompile(`^[a-z0-9][A-Za-z0-9._/:@-]*$`)
)

// withDefaults checks what a Dockerfile can't hold, after the plan's own
// defaults and checks.
func (o Options) withDefaults() (Options, error) {
	var err error
	if o.Options, err = o.Options.WithDefaults(); err != nil {
		return o, err
	}
	if o.SlipwayVersion == "" {
		o.SlipwayVersion = DefaultSlipwayVersion
	}
	for _, im := range [][2]string{{"node image", o.NodeImage}, {"runner image", o.RunnerImage}, {"golang image", o.GolangImage}} {
		if !imageRe.MatchString(im[1]) {
			return o, fmt.Errorf("%w: %s %q is not an image reference: use a name like node:22-bookworm-slim", ErrBadOption, im[0], im[1])
		}
	}
	if o.HealthPath != "" && !safeRe.MatchString(o.HealthPath) {
		return o, fmt.Errorf("%w: health path %q must be a URL path starting with / and without spaces or quotes (e.g. /api/health)", ErrBadOption, o.HealthPath)
	}
	for _, kv := range o.BuildEnv {
		k, v, _ := strings.Cut(kv, "=")
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
