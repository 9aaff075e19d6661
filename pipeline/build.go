package pipeline

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
)

const (
	workdir           = "/app"
	buildSecretPath   = "/run/secrets/slipway-build.env"
	placeholderDBURL  = "postgresql://slipway:build-placeholder@localhost:5432/build"
	nextTelemetryVar  = "NEXT_TELEMETRY_DISABLED"
	prismaEngineVar   = "PRISMA_SCHEMA_ENGINE_BINARY"
	defaultNodeMajor  = 22
	prismaCLIDir      = "/opt/prisma-cli"
	installScriptsFix = "check that the lockfile matches package.json: run the install locally and commit the lockfile"
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

// installed is base plus a frozen install from the lockfile and install
// inputs alone, so that a source change does not bust it. Lifecycle scripts
// are off during the install; dependencies' own scripts run afterwards
// (rebuild), and the app's root scripts never run: Slipway runs
// `prisma generate` itself, so a postinstall that needs a database cannot
// break the build.
func (p *Pipeline) installed(app *inspect.App, production bool) *dagger.Container {
	pm := app.PackageManager
	ctr := p.base(app)
	for k, v := range pm.SetupEnv() {
		ctr = ctr.WithEnvVariable(k, v)
	}
	if setup := pm.SetupCmd(); setup != nil {
		ctr = ctr.WithExec(setup)
	}
	// The store is cached per package manager; node_modules never is.
	ctr = ctr.WithMountedCache(pm.CacheDir(), p.dag.CacheVolume("slipway-"+pm.Name+"-store"))
	for _, k := range sortedKeys(pm.CacheEnv()) {
		ctr = ctr.WithEnvVariable(k, pm.CacheEnv()[k])
	}
	inputs := p.cfg.Source.Filter(dagger.DirectoryFilterOpts{Include: installPatterns(app)})
	ctr = ctr.WithDirectory(workdir, inputs).WithWorkdir(path.Join(workdir, app.Root))
	install := pm.InstallCmd(production)
	if pm.Name == inspect.Yarn && pm.Berry {
		ctr = ctr.WithEnvVariable("YARN_ENABLE_SCRIPTS", "false")
	} else {
		install = append(install, "--ignore-scripts")
	}
	ctr = ctr.WithExec(install)
	if rebuild := pm.RebuildCmd(); rebuild != nil {
		ctr = ctr.WithExec(rebuild)
	}
	return ctr.WithWorkdir(p.appPath())
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
	return p.installed(app, true), nil
}

// Build is every dependency, then `prisma generate`, then `next build`, with
// the Next.js build cache in a cache volume.
func (p *Pipeline) Build(ctx context.Context) (*dagger.Container, error) {
	app, err := p.buildable(ctx)
	if err != nil {
		return nil, err
	}
	pm := app.PackageManager
	ctr := p.installed(app, false).
		WithDirectory(workdir, p.cfg.Source).
		WithEnvVariable(nextTelemetryVar, "1").
		WithMountedCache(p.appPath(".next", "cache"), p.dag.CacheVolume("slipway-next-cache-"+app.CacheName()))
	for _, kv := range p.cfg.BuildEnv {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("build: --build-env %q is not KEY=VALUE", kv)
		}
		ctr = ctr.WithEnvVariable(k, v)
	}
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithMountedSecret(buildSecretPath, p.cfg.BuildSecret)
	}
	if pr := app.Prisma; pr != nil {
		ctr = p.generate(ctr, app, pr)
	}
	build := pm.ExecCmd("next", "build")
	if _, ok := app.Scripts["build"]; ok {
		build = pm.RunCmd("build")
	}
	ctr = ctr.WithExec(p.withBuildSecret(build))
	if p.cfg.BuildSecret != nil {
		ctr = ctr.WithoutMount(buildSecretPath)
	}
	return ctr, nil
}

// generate runs `prisma generate` with a placeholder for every variable the
// Prisma config reads (Prisma 7's env() throws when one is unset). The
// engine-free prisma-client generator needs no schema engine, so any file
// stands in for one and the build works offline.
func (p *Pipeline) generate(ctr *dagger.Container, app *inspect.App, pr *inspect.Prisma) *dagger.Container {
	vars := pr.ConfigEnv
	if pr.URLRequiredAtBuild && len(vars) == 0 {
		vars = []string{pr.URLEnv}
	}
	for _, v := range vars {
		ctr = ctr.WithEnvVariable(v, placeholderDBURL)
	}
	if pr.Generator == inspect.GeneratorClient {
		ctr = ctr.WithEnvVariable(prismaEngineVar, p.appPath("package.json"))
	}
	ctr = ctr.WithExec(p.withBuildSecret(app.PackageManager.ExecCmd("prisma", "generate")))
	for _, v := range vars {
		ctr = ctr.WithoutEnvVariable(v)
	}
	return ctr.WithoutEnvVariable(prismaEngineVar)
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
