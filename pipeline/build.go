package pipeline

import (
	"context"
	_ "embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

const (
	workdir          = "/app"
	buildSecretPath  = "/run/secrets/slipway-build.env"
	placeholderDBURL = "postgresql://slipway:build-placeholder@localhost:5432/build"
	nextTelemetryVar = "NEXT_TELEMETRY_DISABLED"
	prismaEngineVar  = "PRISMA_SCHEMA_ENGINE_BINARY"
	defaultNodeMajor = 24
	stripScriptsPath = "/usr/local/lib/slipway/strip-scripts.cjs"
	prismaCLIDir     = "/opt/prisma-cli"
)

// NodeImage is the image the build stages start from: --node-image when set,
// else the Node major of --node-version or of the app's own pin.
func (p *Pipeline) NodeImage(app *inspect.App) string {
	if p.cfg.NodeImage != DefaultNodeImage {
		return p.cfg.NodeImage
	}
	if v := p.cfg.NodeVersion; v != "" {
		return "node:" + strings.TrimPrefix(v, "v") + "-bookworm-slim"
	}
	if spec := app.Node.Version; spec != "" && !inspect.NodeSatisfies(spec, defaultNodeMajor) && app.Node.Major > 0 {
		return "node:" + strconv.Itoa(app.Node.Major) + "-bookworm-slim"
	}
	return p.cfg.NodeImage
}

//go:embed assets/strip-scripts.cjs
var stripScriptsJS string

// alpine reports whether image is musl-based, by the official tag convention.
func alpine(image string) bool { return strings.Contains(image, "alpine") }

// Base is the Node image plus what Prisma needs at run time: OpenSSL and CA
// certificates, from apk on Alpine and apt elsewhere.
func (p *Pipeline) Base(ctx context.Context) (*dagger.Container, error) {
	app, err := p.App(ctx)
	if err != nil {
		return nil, err
	}
	return p.base(app), nil
}

func (p *Pipeline) base(app *inspect.App) *dagger.Container {
	image := p.NodeImage(app)
	ctr := p.dag.Container().From(image)
	if alpine(image) {
		ctr = ctr.WithExec([]string{"apk", "add", "--no-cache", "openssl", "ca-certificates", "libc6-compat"})
	} else {
		ctr = ctr.WithExec([]string{"sh", "-c", "apt-get update -qq && " +
			"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null && " +
			"rm -rf /var/lib/apt/lists/*"})
	}
	return ctr.WithWorkdir(workdir)
}

// appPath is a path inside the app dir of the container's /app.
func (p *Pipeline) appPath(elem ...string) string {
	return path.Join(append([]string{workdir, p.cfg.AppDir}, elem...)...)
}

// installed is base plus the package manager's own frozen install from the
// lockfile and install inputs alone, so that a source change does not bust
// it. The app's policy decides which dependencies' build scripts run, as
// that package manager reads it; the lifecycle scripts of the root package
// and of every workspace package never run: they are stripped from the
// manifests the install sees, and the real manifests are put back after it.
// Slipway runs `prisma generate` itself, so a postinstall that needs a
// database cannot break the build.
func (p *Pipeline) installed(app *inspect.App, production bool) *dagger.Container {
	pm := app.PackageManager
	ctr := p.base(app)
	for k, v := range pm.SetupEnv() {
		ctr = ctr.WithEnvVariable(k, v)
	}
	if setup := setupCmd(pm); setup != nil {
		ctr = ctr.WithExec(setup)
	}
	// The store is cached per package manager; node_modules never is.
	ctr = ctr.WithMountedCache(pm.CacheDir(), p.dag.CacheVolume("slipway-"+pm.Name+"-store"))
	for _, k := range sortedKeys(pm.CacheEnv()) {
		ctr = ctr.WithEnvVariable(k, pm.CacheEnv()[k])
	}
	inputs := p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: installPatterns(app)})
	return ctr.WithDirectory(workdir, inputs).
		WithNewFile(stripScriptsPath, stripScriptsJS).
		WithExec([]string{"node", stripScriptsPath, workdir}).
		WithWorkdir(path.Join(workdir, app.Root)).
		WithExec(pm.InstallCmd(production)).
		WithDirectory(workdir, inputs).
		WithoutFile(stripScriptsPath).
		WithWorkdir(p.appPath())
}

// setupCmd installs the package manager the app asked for: the pinned
// version through corepack, else the newest release that reads the app's
// lockfile (inspect chose the range), else the one the Node image bundles.
func setupCmd(pm inspect.PackageManager) []string {
	if pm.Version != "" {
		return pm.SetupCmd()
	}
	return pm.InstallPMCmd()
}

func installPatterns(app *inspect.App) []string {
	var pats []string
	for _, in := range app.InstallInputs {
		pats = append(pats, in, in+"/**")
	}
	for _, dir := range []string{app.Root, app.Dir} {
		pats = append(pats, path.Join(dir, "package.json"))
	}
	if app.Workspace {
		pats = append(pats, "**/package.json")
	}
	return pats
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Deps is the production dependencies alone, from a frozen install.
func (p *Pipeline) Deps(ctx context.Context) (*dagger.Container, error) {
	app, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	deps := p.installed(app, true)
	if _, err := deps.Sync(ctx); err != nil {
		return nil, stageError("deps", installFix(app), err)
	}
	return deps, nil
}

// Build is every dependency, then `prisma generate`, then the app's build
// (--build-command, else its build script, else `next build`), with the
// Next.js build cache in a cache volume.
func (p *Pipeline) Build(ctx context.Context) (*dagger.Container, error) {
	app, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	return p.checkedBuild(ctx, app)
}

func (p *Pipeline) build(app *inspect.App, installed *dagger.Container) (*dagger.Container, error) {
	ctr := installed.
		WithDirectory(workdir, p.cfg.Source).
		WithEnvVariable(nextTelemetryVar, "1").
		WithMountedCache(p.appPath(".next", "cache"), p.dag.CacheVolume("slipway-next-cache-"+app.CacheName()))
	given := map[string]bool{}
	for _, kv := range p.cfg.BuildEnv {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("build: --build-env %q is not KEY=VALUE", kv)
		}
		ctr = ctr.WithEnvVariable(k, v)
		given[k] = true
	}
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithMountedSecret(buildSecretPath, p.cfg.BuildSecret)
	}
	if pr := app.Prisma; pr != nil {
		// A placeholder in every variable the app reads the database URL
		// from, for the whole build, as the apps' own Dockerfiles do: Prisma
		// 7's env() throws when one is unset, and t3-env style checks want a
		// URL. A value the caller gives wins (the build secret is read after).
		for _, v := range buildDBVars(pr) {
			if !given[v] {
				ctr = ctr.WithEnvVariable(v, placeholderDBURL)
			}
		}
		if pr.Generator == inspect.GeneratorClient {
			// The engine-free client needs no schema engine: any file stands
			// in for one, so the CLI downloads nothing and the build works offline.
			ctr = ctr.WithEnvVariable(prismaEngineVar, p.appPath("package.json"))
		}
		ctr = ctr.WithWorkdir(path.Join(workdir, prismaDir(app))).
			WithExec(p.withBuildSecret(app.PackageManager.ExecCmd("prisma", "generate"))).
			WithWorkdir(p.appPath())
	}
	ctr = ctr.WithExec(p.withBuildSecret(p.BuildCmd(app)))
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithoutMount(buildSecretPath)
	}
	return ctr, nil
}

// BuildCmd is the app's build: --build-command, else its build script, else
// `next build`.
func (p *Pipeline) BuildCmd(app *inspect.App) []string {
	if c := strings.TrimSpace(p.cfg.BuildCommand); c != "" {
		return []string{"sh", "-c", c}
	}
	if _, ok := app.Scripts["build"]; ok {
		return app.PackageManager.RunCmd("build")
	}
	return app.PackageManager.ExecCmd("next", "build")
}

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

// prismaDir is where Prisma commands run: the folder of the Prisma config or
// the workspace package that owns the schema, else the app dir.
func prismaDir(app *inspect.App) string {
	if app.Prisma != nil && app.Prisma.Dir != "" {
		return app.Prisma.Dir
	}
	return app.Dir
}

// withBuildSecret runs args with the build secret's variables exported, read
// from the mounted file, so their values stay out of the image config.
func (p *Pipeline) withBuildSecret(args []string) []string {
	if p.cfg.BuildSecret == nil {
		return args
	}
	script := "set -a && . " + buildSecretPath + ` && set +a && exec "$@"`
	return append([]string{"sh", "-c", script, "sh"}, args...)
}

// Test runs the app's own `test` script in the build container; ran is false
// when the app has none.
func (p *Pipeline) Test(ctx context.Context, build *dagger.Container) (out string, ran bool, err error) {
	app, err := p.App(ctx)
	if err != nil {
		return "", false, err
	}
	if _, ok := app.Scripts["test"]; !ok {
		return "", false, nil
	}
	out, err = build.WithEnvVariable("CI", "true").WithExec(app.PackageManager.RunCmd("test")).Stdout(ctx)
	if err != nil {
		return "", true, stageError("test", "the app's own tests failed: run them locally", err)
	}
	return out, true, nil
}
