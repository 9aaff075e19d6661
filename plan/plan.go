// Package plan turns an inspected app and the caller's options into a Plan:
// every decision about the production image, in plain Go, printable as JSON
// and as text (`slipway plan`). The pipeline executes it with Dagger, the
// Dockerfile renderer writes it as text, and the bundle takes its runtime
// facts from it; none of them decides anything the plan decides. Where a fact
// is only known at build time, the plan holds the rule, not the result.
package plan

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/names"
)

// Defaults, shared by the module's pragmas, the CLI and the Dockerfile.
const (
	DefaultNodeImage     = "node:24-bookworm-slim"
	DefaultRunnerImage   = "debian:bookworm-slim"
	DefaultGolangImage   = "golang:1.26-bookworm"
	DefaultPostgresImage = "postgres:15"
	DefaultHealthPath    = "/api/health"
	DefaultPort          = 3000
	defaultNodeMajor     = 24

	// MigratorSlipway is Slipway's own static migrator; MigratorPrisma copies
	// the Prisma CLI into the runner, as the reference Dockerfile does.
	MigratorSlipway = "slipway"
	MigratorPrisma  = "prisma"

	// PlaceholderDBURL is every database variable's value during the build.
	PlaceholderDBURL = "postgresql://slipway:build-placeholder@localhost:5432/build"
)

// ErrBadOption is wrapped by New when an option can't be planned.
var ErrBadOption = errors.New("bad option")

// Options is what the caller chooses about the image. Zero values take the
// defaults above, except MigrateOnStart, which is off when false.
type Options struct {
	AppDir         string   `json:"appDir,omitempty"`
	NodeImage      string   `json:"nodeImage,omitempty"`   // image of the build stages (and of an Alpine runner)
	NodeVersion    string   `json:"nodeVersion,omitempty"` // Node major for the default image
	RunnerImage    string   `json:"runnerImage,omitempty"` // Debian image the glibc runner's root filesystem is assembled in
	GolangImage    string   `json:"golangImage,omitempty"` // image that builds slipway-migrate
	HealthPath     string   `json:"healthPath,omitempty"`  // "" takes the health route inspect found, else DefaultHealthPath
	Port           int      `json:"port,omitempty"`
	BuildEnv       []string `json:"buildEnv,omitempty"`     // KEY=VALUE, visible at build time only
	BuildCommand   string   `json:"buildCommand,omitempty"` // replaces the build script: a shell command line run in the app dir
	Migrator       string   `json:"migrator,omitempty"`     // MigratorSlipway or MigratorPrisma
	MigrateOnStart bool     `json:"migrateOnStart"`         // the entrypoint applies migrations before the server starts
	Platforms      []string `json:"platforms,omitempty"`    // OCI platforms of the runner; none: DefaultPlatform
	Release        Release  `json:"release"`
}

// Release is the image metadata for the OCI labels; it comes from the
// caller, never the clock. Empty fields are left out.
type Release struct {
	Version  string `json:"version,omitempty"`
	Revision string `json:"revision,omitempty"`
	Created  string `json:"created,omitempty"` // RFC 3339, e.g. the commit time
	URL      string `json:"url,omitempty"`     // the source repository
}

// Plan is every decision about one app's image, stage by stage.
type Plan struct {
	App       string  `json:"app"`  // package.json name
	Dir       string  `json:"dir"`  // the app dir, relative to the source root
	Root      string  `json:"root"` // the workspace root, which holds the lockfile
	Workspace bool    `json:"workspace,omitempty"`
	Base      Base    `json:"base"`
	Install   Install `json:"install"`
	Build     Build   `json:"build"`
	Runner    Runner  `json:"runner"`
	Runtime   Runtime `json:"runtime"`
	// Platforms are the runner's, the first one the default; Retarget is how
	// each but the engine's own gets its platform-specific packages.
	Platforms []Platform `json:"platforms"`
	Retarget  Retarget   `json:"retarget"`
	Sbom      *Sbom      `json:"sbom"`
}

// EnvVar is one variable, in the order it is set.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cache is a cache volume mounted at Path.
type Cache struct {
	Volume string `json:"volume"`
	Path   string `json:"path"`
}

// Base is the Node image plus what Prisma needs at run time.
type Base struct {
	Image   string   `json:"image"`
	Alpine  bool     `json:"alpine,omitempty"`
	Setup   []string `json:"setup"` // shell commands, run in order
	Workdir string   `json:"workdir"`
}

// Install is the package manager's own frozen install from the lockfile and
// install inputs alone; the lifecycle scripts of the root and workspace
// packages are stripped from the manifests it sees.
type Install struct {
	PackageManager string   `json:"packageManager"`
	Env            []EnvVar `json:"env,omitempty"`   // before the package manager's setup
	Setup          []string `json:"setup,omitempty"` // installs the chosen package manager; none: the image's own
	CacheEnv       []EnvVar `json:"cacheEnv"`        // points the package manager at its store
	Cache          Cache    `json:"cache"`
	// Inputs are the files and folders the install sees, relative to the
	// source root; with Manifests, every package.json of the workspace too.
	Inputs            []string `json:"inputs"`
	Manifests         bool     `json:"manifests,omitempty"`
	StripScripts      string   `json:"stripScripts"` // the script that strips lifecycle scripts, run on Workdir's root
	Workdir           string   `json:"workdir"`
	Command           []string `json:"command"`           // every dependency, for the build
	ProductionCommand []string `json:"productionCommand"` // production dependencies alone (deps)
}

// Build is the whole source over the install, prisma generate, then the
// app's build.
type Build struct {
	Workdir string   `json:"workdir"`
	Env     []EnvVar `json:"env"`
	// Secret is the optional dotenv file of secret build-time variables,
	// mounted for Generate and Command and read by them, never stored.
	Secret   Secret   `json:"secret"`
	Generate *Step    `json:"generate,omitempty"` // prisma generate, where the Prisma config is
	Command  []string `json:"command"`
	Cache    Cache    `json:"cache"` // the Next.js build cache
	// Standalone is the server's output, and StandaloneExcludes what the
	// runner never takes from it.
	Standalone         string   `json:"standalone"`
	StandaloneExcludes []string `json:"standaloneExcludes"`
}

// Step is one command run in a folder.
type Step struct {
	Workdir string   `json:"workdir"`
	Command []string `json:"command"`
}

// Secret is a build secret: its id and where it is mounted.
type Secret struct {
	ID   string `json:"id"`
	Path string `json:"path"`
}

// Runner is the production image.
type Runner struct {
	Alpine bool `json:"alpine,omitempty"`
	// Image is the runner's base on Alpine (the Node image, cleaned up by
	// Cleanup); else the runner is Rootfs on no base image.
	Image   string   `json:"image,omitempty"`
	Cleanup []string `json:"cleanup,omitempty"`
	Rootfs  *Rootfs  `json:"rootfs,omitempty"`
	// Copies go into the image in order.
	Copies      []Copy      `json:"copies"`
	Migrations  *Migrations `json:"migrations,omitempty"`
	Env         []EnvVar    `json:"env"`
	Port        int         `json:"port"`
	Healthcheck Healthcheck `json:"healthcheck"`
	User        string      `json:"user"`
	Workdir     string      `json:"workdir"`
	Entrypoint  []string    `json:"entrypoint,omitempty"`
	Command     []string    `json:"command"`
	Labels      []EnvVar    `json:"labels,omitempty"` // set last
}

// Rootfs is the glibc runner's root filesystem, assembled in a Debian stage
// by rootfs.sh from the Node binary of the base image.
type Rootfs struct {
	Image string   `json:"image"`
	Setup []string `json:"setup"` // shell commands: what rootfs.sh needs
	Node  string   `json:"node"`  // the Node binary, taken from the base image
	// Script (rootfs.sh) assembles Output from Input, a copy of Node.
	Script string `json:"script"`
	Input  string `json:"input"`
	Output string `json:"output"`
	// Addons is where the app's native addons (AddonFiles of the standalone
	// output) are mounted, so rootfs.sh adds the system libraries they link.
	Addons     string   `json:"addons"`
	AddonFiles []string `json:"addonFiles"`
	// Libraries is a rule: which shared libraries go in is only known at
	// build time, when rootfs.sh resolves them with ldd.
	Libraries string `json:"libraries"`
	// Packages is a rule too: the dpkg records of the Debian packages the
	// copied files come from, for SBOM generators and scanners.
	Packages string   `json:"packages"`
	Env      []EnvVar `json:"env"` // the runner's PATH and CA bundle
}

// DpkgStatusDir holds the runner's per-package dpkg records.
const DpkgStatusDir = "/var/lib/dpkg/status.d"

// Copy is a folder or file copied into the runner. From is where it comes
// from: FromBuild, FromSource, FromPrismaCLI, FromMigrator, or FromAssets
// (Src names one of Slipway's scripts); with Empty it is an empty folder.
type Copy struct {
	From     string   `json:"from,omitempty"`
	Src      string   `json:"src,omitempty"`
	Dst      string   `json:"dst"`
	Contents bool     `json:"contents,omitempty"` // Src is a folder whose contents go into Dst
	Owner    string   `json:"owner,omitempty"`
	Mode     int      `json:"mode,omitempty"` // 0: as it is
	Exclude  []string `json:"exclude,omitempty"`
	Optional bool     `json:"optional,omitempty"` // copied only when it exists
	Empty    bool     `json:"empty,omitempty"`
}

// Where a copy comes from.
const (
	FromBuild     = "build"
	FromSource    = "source"
	FromPrismaCLI = "prisma-cli"
	FromMigrator  = "migrator"
	FromAssets    = "assets"
)

// Slipway's scripts, in pipeline/assets.
const (
	AssetHealthcheck  = "healthcheck.cjs"
	AssetPrismaStart  = "prisma-start.sh"
	AssetRetarget     = "retarget.cjs"
	AssetRootfs       = "rootfs.sh"
	AssetStripScripts = "strip-scripts.cjs"
)

// Migrations is how the runner migrates.
type Migrations struct {
	Migrator string   `json:"migrator"`
	Source   string   `json:"source"` // the migrations folder in the source
	Dir      string   `json:"dir"`    // and in the image
	URLVars  []string `json:"urlVars"`
	// Command applies every migration with the image's own migrator: what a
	// migrate job, the migrate stage and the bundle's migrate service run.
	Command   []string       `json:"command"`
	Build     *MigratorBuild `json:"build,omitempty"`
	PrismaCLI *PrismaCLI     `json:"prismaCli,omitempty"`
}

// MigratorBuild builds slipway-migrate, static, from Slipway's own source.
type MigratorBuild struct {
	Image   string   `json:"image"`
	Sources []string `json:"sources"` // what of Slipway's source the build needs
	Caches  []Cache  `json:"caches"`
	Env     []EnvVar `json:"env"`
	Command []string `json:"command"` // builds Package into Output
	Package string   `json:"package"`
	Output  string   `json:"output"`
}

// PrismaCLI is the Prisma CLI and every package it needs, installed apart
// and copied into the app dir's node_modules.
type PrismaCLI struct {
	Version string   `json:"version"`
	Dir     string   `json:"dir"`
	Cache   Cache    `json:"cache"`
	Command []string `json:"command"`
	Files   []string `json:"files"` // schema and config, copied from the source
}

// Healthcheck is the image's HEALTHCHECK.
type Healthcheck struct {
	Command       []string `json:"command"`
	Interval      string   `json:"interval"`
	Timeout       string   `json:"timeout"`
	StartPeriod   string   `json:"startPeriod"`
	StartInterval string   `json:"startInterval"`
	Retries       int      `json:"retries"`
}

// Runtime is what a deploy of the image must know: the bundle's facts.
type Runtime struct {
	Port       int    `json:"port"`
	HealthPath string `json:"healthPath"`
	// Healthcheck is the HEALTHCHECK as a compose test.
	Healthcheck    []string `json:"healthcheck"`
	MigrateOnStart bool     `json:"migrateOnStart"`
	// MigrateCommand is what a one-shot migrate service runs.
	MigrateCommand []string `json:"migrateCommand"`
	// Tmpfs are the folders the server writes, for a read-only root filesystem.
	Tmpfs []string `json:"tmpfs"`
	// DatabaseVars are the variables that hold the database URL, with their roles.
	DatabaseVars env.DatabaseVars `json:"databaseVars,omitempty"`
	// URLVars are those the running app and its migrator read: every one but
	// a shadow database's.
	URLVars []string `json:"urlVars"`
}

var envKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// WithDefaults fills the zero values and checks every option.
func (o Options) WithDefaults() (Options, error) {
	if o.AppDir == "" {
		o.AppDir = "."
	}
	o.AppDir = path.Clean(strings.TrimPrefix(o.AppDir, "/"))
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
	if o.Migrator == "" {
		o.Migrator = MigratorSlipway
	}
	platforms, err := parsePlatforms(o.Platforms)
	if err != nil {
		return o, err
	}
	o.Platforms = platforms
	if o.Port < 1 || o.Port > 65535 {
		return o, fmt.Errorf("%w: port %d is out of range: use 1-65535 (e.g. 3000)", ErrBadOption, o.Port)
	}
	if o.HealthPath != "" && !strings.HasPrefix(o.HealthPath, "/") {
		return o, fmt.Errorf("%w: health path %q must be a URL path starting with / (e.g. /api/health)", ErrBadOption, o.HealthPath)
	}
	if o.Migrator != MigratorSlipway && o.Migrator != MigratorPrisma {
		return o, fmt.Errorf("%w: migrator %q: use %q or %q", ErrBadOption, o.Migrator, MigratorSlipway, MigratorPrisma)
	}
	for _, kv := range o.BuildEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || !envKeyRe.MatchString(k) {
			return o, fmt.Errorf("%w: build env %q is not KEY=VALUE with a variable name as KEY (e.g. NEXT_PUBLIC_APP_NAME=Notes)", ErrBadOption, kv)
		}
	}
	return o, nil
}

// New plans the image of app. It does not check that app is buildable
// (inspect.App.Err): the stages that build do.
func New(app *inspect.App, opts Options) (*Plan, error) {
	if app == nil {
		return nil, fmt.Errorf("%w: no app: inspect the source first", ErrBadOption)
	}
	o, err := opts.WithDefaults()
	if err != nil {
		return nil, err
	}
	d := &decider{app: app, o: o}
	p := &Plan{App: app.Name, Dir: app.Dir, Root: app.Root, Workspace: app.Workspace}
	p.Base = d.base()
	p.Install = d.install()
	p.Build = d.build()
	p.Runner = d.runner()
	p.Runtime = d.runtime(p.Runner)
	p.Platforms = d.platforms()
	p.Retarget = d.retarget()
	p.Sbom = SbomOf(o, app.Name)
	return p, nil
}

type decider struct {
	app *inspect.App
	o   Options
}

// nodeImage is the image the build stages start from: --node-image when set,
// else the Node major of --node-version or of the app's own pin.
func (d *decider) nodeImage() string {
	if d.o.NodeImage != DefaultNodeImage {
		return d.o.NodeImage
	}
	if v := d.o.NodeVersion; v != "" {
		return "node:" + strings.TrimPrefix(v, "v") + "-bookworm-slim"
	}
	if n := d.app.Node; n.Version != "" && !inspect.NodeSatisfies(n.Version, defaultNodeMajor) && n.Major > 0 {
		return "node:" + strconv.Itoa(n.Major) + "-bookworm-slim"
	}
	return d.o.NodeImage
}

// alpine reports whether the Node image is musl-based, by the official tag
// convention.
func (d *decider) alpine() bool { return strings.Contains(d.nodeImage(), "alpine") }

// appPath is a path inside the app dir under the workdir.
func (d *decider) appPath(elem ...string) string {
	return path.Join(append([]string{names.Workdir, d.app.Dir}, elem...)...)
}

// prismaDir is where Prisma commands run: the folder of the Prisma config or
// the workspace package that owns the schema, else the app dir.
func (d *decider) prismaDir() string {
	if pr := d.app.Prisma; pr != nil && pr.Dir != "" {
		return path.Join(names.Workdir, pr.Dir)
	}
	return d.appPath()
}

// base is the Node image plus OpenSSL and CA certificates, from apk on
// Alpine and apt elsewhere.
func (d *decider) base() Base {
	b := Base{Image: d.nodeImage(), Alpine: d.alpine(), Workdir: names.Workdir}
	if b.Alpine {
		b.Setup = []string{"apk add --no-cache openssl ca-certificates libc6-compat"}
	} else {
		b.Setup = []string{
			"apt-get update -qq",
			"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null",
			"rm -rf /var/lib/apt/lists/*",
		}
	}
	return b
}

// install installs the package manager the app asked for (the pinned
// version through corepack, else the newest release that reads its
// lockfile, else the one the image bundles), then runs its frozen install.
func (d *decider) install() Install {
	a := d.app
	pm := a.PackageManager
	in := Install{
		PackageManager:    pm.String(),
		Env:               sorted(pm.SetupEnv()),
		CacheEnv:          sorted(pm.CacheEnv()),
		Cache:             Cache{Volume: names.StoreCache(pm.Name), Path: pm.CacheDir()},
		Manifests:         a.Workspace,
		StripScripts:      names.StripScripts,
		Workdir:           path.Join(names.Workdir, a.Root),
		Command:           pm.InstallCmd(false),
		ProductionCommand: pm.InstallCmd(true),
	}
	if pm.Version != "" {
		in.Setup = pm.SetupCmd()
	} else {
		in.Setup = pm.InstallPMCmd()
	}
	seen := map[string]bool{}
	for _, p := range append(append([]string{}, a.InstallInputs...), path.Join(a.Root, "package.json"), path.Join(a.Dir, "package.json")) {
		if !seen[p] {
			seen[p] = true
			in.Inputs = append(in.Inputs, p)
		}
	}
	return in
}

// build sets a placeholder in every variable the app reads the database URL
// from, for the whole build, as the apps' own Dockerfiles do: Prisma 7's
// env() throws when one is unset, and t3-env style checks want a URL. A
// value the caller gives wins (the build secret is read after).
func (d *decider) build() Build {
	a, o := d.app, d.o
	b := Build{
		Workdir:            d.appPath(),
		Env:                []EnvVar{{"NEXT_TELEMETRY_DISABLED", "1"}},
		Secret:             Secret{ID: names.BuildSecretID, Path: names.BuildSecretPath},
		Cache:              Cache{Volume: names.NextCache(a.CacheName()), Path: d.appPath(".next", "cache")},
		Standalone:         d.appPath(".next", "standalone"),
		StandaloneExcludes: standaloneExcludes,
	}
	given := map[string]bool{}
	for _, kv := range o.BuildEnv {
		k, v, _ := strings.Cut(kv, "=")
		b.Env = append(b.Env, EnvVar{k, v})
		given[k] = true
	}
	if pr := a.Prisma; pr != nil {
		for _, v := range buildDBVars(pr) {
			if !given[v] {
				b.Env = append(b.Env, EnvVar{v, PlaceholderDBURL})
			}
		}
		if pr.Generator == inspect.GeneratorClient {
			// The engine-free client needs no schema engine: any file stands
			// in for one, so the CLI downloads nothing and the build works offline.
			b.Env = append(b.Env, EnvVar{"PRISMA_SCHEMA_ENGINE_BINARY", d.appPath("package.json")})
		}
		b.Generate = &Step{Workdir: d.prismaDir(), Command: a.PackageManager.ExecCmd("prisma", "generate")}
	}
	switch _, script := a.Scripts["build"]; {
	case strings.TrimSpace(o.BuildCommand) != "":
		b.Command = []string{"sh", "-c", strings.TrimSpace(o.BuildCommand)}
	case script:
		b.Command = a.PackageManager.RunCmd("build")
	default:
		b.Command = a.PackageManager.ExecCmd("next", "build")
	}
	return b
}

// standaloneExcludes are what the runner never takes from the standalone
// output: env files, and the build cache of its node_modules.
var standaloneExcludes = []string{"**/.env", "**/.env.*", "**/node_modules/.cache"}

// buildDBVars is every variable the build may read the database URL from:
// the app's database variables and whatever the Prisma config reads.
func buildDBVars(pr *inspect.Prisma) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range append(pr.DatabaseVarNames(), pr.ConfigEnv...) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// runnerUser is the non-root user:group the server runs as.
var runnerUser = strconv.Itoa(names.RunnerUID) + ":" + strconv.Itoa(names.RunnerUID)

// runner is the smallest base the app allows. On a glibc Node image it is a
// root filesystem of the Node binary (stripped), the shared libraries it and
// /bin/sh link, CA certificates and the users: no package manager, no npm,
// corepack or yarn. On Alpine it is the Node image without them. The app's
// files stay owned by root; the server owns only its cache.
func (d *decider) runner() Runner {
	a, o := d.app, d.o
	uid := strconv.Itoa(names.RunnerUID)
	r := Runner{Alpine: d.alpine(), Port: o.Port, User: runnerUser, Workdir: names.Workdir}
	if r.Alpine {
		r.Image = d.nodeImage()
		r.Cleanup = []string{
			"rm -rf /usr/local/lib/node_modules /opt/yarn* /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg",
			"apk add --no-cache ca-certificates",
			"addgroup -S -g " + uid + " " + names.RunnerGroup,
			"adduser -S -u " + uid + " -G " + names.RunnerGroup + " -H " + names.RunnerUser,
		}
	} else {
		r.Rootfs = &Rootfs{
			Image: o.RunnerImage,
			Setup: []string{
				"apt-get update -qq",
				"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates libstdc++6 binutils >/dev/null",
			},
			Node:       "/usr/local/bin/node",
			Script:     "/stage/rootfs.sh",
			Input:      "/stage/node",
			Output:     "/rootfs",
			Addons:     "/stage/addons",
			AddonFiles: []string{"**/*.node", "**/*.so", "**/*.so.*"},
			Libraries:  "the shared libraries node, /bin/sh and the app's native addons link, as ldd resolves them in rootfs.sh",
			Packages:   "for each Debian package a copied file comes from, its dpkg status in " + DpkgStatusDir + "/PACKAGE, the checksums of its files here in PACKAGE.md5sums and its copyright file, as distroless images carry them",
			Env:        []EnvVar{{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"}},
		}
	}
	r.Copies = []Copy{
		{From: FromBuild, Src: d.appPath(".next", "standalone"), Dst: names.Workdir, Contents: true, Exclude: standaloneExcludes},
		{From: FromBuild, Src: d.appPath(".next", "static"), Dst: d.appPath(".next", "static")},
		{From: FromBuild, Src: d.appPath("public"), Dst: d.appPath("public"), Optional: true},
		{Empty: true, Dst: d.appPath(".next", "cache"), Owner: runnerUser},
		{From: FromAssets, Src: AssetHealthcheck, Dst: names.HealthcheckScript},
	}
	r.Env = []EnvVar{
		{"NODE_ENV", "production"},
		{"NEXT_TELEMETRY_DISABLED", "1"},
		{"PORT", strconv.Itoa(o.Port)},
		{"HOSTNAME", "0.0.0.0"},
		{names.HealthPathVar, d.healthPath()},
	}
	if pr := a.Prisma; pr != nil && pr.Migrations != "" && len(pr.MigrationNames) > 0 {
		m := d.migrations(pr)
		r.Migrations = m
		r.Copies = append(r.Copies, Copy{From: FromSource, Src: m.Source, Dst: m.Dir})
		r.Env = append(r.Env, EnvVar{names.MigrationsDirVar, m.Dir}, EnvVar{names.DatabaseURLEnvVar, strings.Join(m.URLVars, ",")})
		if m.PrismaCLI != nil {
			r.Copies = append(r.Copies, Copy{From: FromPrismaCLI, Src: path.Join(names.PrismaCLIDir, "node_modules"), Dst: path.Join(d.prismaDir(), "node_modules"), Contents: true})
			for _, f := range m.PrismaCLI.Files {
				r.Copies = append(r.Copies, Copy{From: FromSource, Src: f, Dst: path.Join(names.Workdir, f)})
			}
			r.Copies = append(r.Copies, Copy{From: FromAssets, Src: AssetPrismaStart, Dst: names.StartScript, Mode: 0o755})
			r.Env = append(r.Env, EnvVar{names.AppDirVar, d.prismaDir()})
			r.Entrypoint = []string{names.StartScript}
		} else {
			r.Copies = append(r.Copies, Copy{From: FromMigrator, Src: m.Build.Output, Dst: names.Migrator, Mode: 0o755})
			r.Entrypoint = []string{names.Migrator, "start", "--"}
		}
	}
	if !o.MigrateOnStart {
		r.Env = append(r.Env, EnvVar{names.MigrateOnStartVar, "false"})
	}
	r.Healthcheck = Healthcheck{
		Command:  HealthcheckCommand,
		Interval: "10s", Timeout: "3s", StartPeriod: "20s", StartInterval: "1s", Retries: 3,
	}
	r.Command = []string{"node", d.appPath("server.js")}
	rel := o.Release
	for _, l := range []EnvVar{
		{"org.opencontainers.image.title", a.Name},
		{"org.opencontainers.image.source", rel.URL},
		{"org.opencontainers.image.revision", rel.Revision},
		{"org.opencontainers.image.version", rel.Version},
		{"org.opencontainers.image.created", rel.Created},
	} {
		if l.Value != "" {
			r.Labels = append(r.Labels, l)
		}
	}
	return r
}

// HealthcheckCommand is the runner's HEALTHCHECK: Node runs Slipway's
// script, so the image needs neither wget nor curl.
var HealthcheckCommand = []string{"node", names.HealthcheckScript}

// healthPath is --health-path, else the health route inspect found, else
// DefaultHealthPath.
func (d *decider) healthPath() string {
	switch {
	case d.o.HealthPath != "":
		return d.o.HealthPath
	case d.app.HealthPath != "":
		return d.app.HealthPath
	default:
		return DefaultHealthPath
	}
}

// migratorOutput is where the migrator build writes slipway-migrate.
const migratorOutput = "/out/slipway-migrate"

// migrations copies the migrations and the chosen migrator, and makes the
// entrypoint migrate before it execs the server.
func (d *decider) migrations(pr *inspect.Prisma) *Migrations {
	m := &Migrations{
		Migrator: d.o.Migrator,
		Source:   pr.Migrations,
		Dir:      path.Join(names.Workdir, pr.Migrations),
		URLVars:  databaseVars(pr).MigrationNames(),
	}
	if d.o.Migrator == MigratorPrisma {
		version := pr.Version
		if version == "" {
			version = "latest"
		}
		files := []string{pr.Schema}
		if pr.Config != "" {
			files = append(files, pr.Config)
		}
		m.PrismaCLI = &PrismaCLI{
			Version: version,
			Dir:     names.PrismaCLIDir,
			Cache:   Cache{Volume: names.PrismaCLIStore, Path: "/root/.npm"},
			Command: []string{"npm", "install", "--no-save", "--no-package-lock", "--omit=dev", "--ignore-scripts", "prisma@" + version},
			Files:   files,
		}
		m.Command = migrateCommand(MigratorPrisma)
		return m
	}
	m.Build = MigratorBuildOf(d.o)
	m.Command = migrateCommand(MigratorSlipway)
	return m
}

// MigratorBuildOf is how slipway-migrate is built: static, from Slipway's
// own source, with Go's module and build caches.
func MigratorBuildOf(o Options) *MigratorBuild {
	image := o.GolangImage
	if image == "" {
		image = DefaultGolangImage
	}
	return &MigratorBuild{
		Image:   image,
		Sources: []string{"go.mod", "go.sum", "names/", "migrator/", "cmd/slipway-migrate/"},
		Caches:  []Cache{{Volume: names.GoModCache, Path: "/go/pkg/mod"}, {Volume: names.GoBuildCache, Path: "/root/.cache/go-build"}},
		Env:     []EnvVar{{"CGO_ENABLED", "0"}},
		Command: []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", migratorOutput},
		Package: "./cmd/slipway-migrate",
		Output:  migratorOutput,
	}
}

// migrateCommand applies every migration with the image's own migrator. It
// runs without the entrypoint; with it, as a migrate service does, the
// entrypoint runs it in place of the server.
func migrateCommand(migrator string) []string {
	if migrator == MigratorPrisma {
		return []string{"sh", "-c", `cd "$` + names.AppDirVar + `" && node node_modules/prisma/build/index.js migrate deploy`}
	}
	return []string{names.Migrator, "deploy"}
}

// runtime is what a deploy needs from the image.
func (d *decider) runtime(r Runner) Runtime {
	rt := Runtime{
		Port:           d.o.Port,
		HealthPath:     d.healthPath(),
		Healthcheck:    append([]string{"CMD"}, r.Healthcheck.Command...),
		MigrateOnStart: d.o.MigrateOnStart,
		MigrateCommand: migrateCommand(d.o.Migrator),
		Tmpfs:          []string{d.appPath(".next", "cache"), "/tmp"},
		URLVars:        []string{inspect.DefaultURLEnv},
	}
	if pr := d.app.Prisma; pr != nil {
		rt.DatabaseVars = databaseVars(pr)
		rt.URLVars = rt.DatabaseVars.Names()
	}
	return rt
}

func sorted(m map[string]string) []EnvVar {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []EnvVar
	for _, k := range keys {
		out = append(out, EnvVar{k, m[k]})
	}
	return out
}
