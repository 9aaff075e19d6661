package dockerfile

import (
	"path"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/inspect"
)

func (r *renderer) header() {
	a, o := r.app, r.o
	name := a.Name
	if name == "" {
		name = "app"
	}
	tag := strings.NewReplacer("@", "", "/", "-").Replace(name)
	stages := []string{"base -> deps -> builder -> runner, with the migrator in a stage of its own."}
	if !r.alpine() {
		stages = []string{"base -> deps -> builder -> runner, with the migrator and the runner's root",
			"filesystem in stages of their own."}
	}
	r.line("# syntax=docker/dockerfile:1")
	r.comment("",
		"The production image of "+name+", rendered by Slipway (`dagger call dockerfile`)",
		"from what it detected in the app. It builds what `dagger call image` builds:")
	r.comment(stages...)
	r.comment(
		"No clock time or random value enters a layer, so rebuilds hit the cache.",
		"",
		"Build with BuildKit (Docker's default builder since 23.0):",
		"  docker build -t "+tag+" .",
		"Secret build-time variables go in a dotenv file passed as a build secret,",
		"never as a build arg (build args stay in the image's history):",
		"  docker build --secret id="+SecretID+",src=.env.build -t "+tag+" .",
		"Add a .dockerignore, so the host's installs and secrets stay out of the",
		"context and can't overwrite the frozen install:",
		"  node_modules  .next  .git  .env  .env.*  !.env.example",
	)
	if !r.migrations() {
		r.comment("Run it:", "  docker run -p "+strconv.Itoa(o.Port)+":"+strconv.Itoa(o.Port)+" "+tag)
		return
	}
	url := a.Prisma.URLEnv
	r.comment("Run it against PostgreSQL (" + url + " is the database URL):")
	r.comment("  docker run -p " + strconv.Itoa(o.Port) + ":" + strconv.Itoa(o.Port) + " -e " + url + "=postgresql://... " + tag)
	if o.MigrateOnStart {
		r.comment("The entrypoint applies "+a.Prisma.Migrations+", then starts the server;",
			"set SLIPWAY_MIGRATE_ON_START=false when a separate job migrates.")
	} else {
		r.comment("The server starts without migrating (SLIPWAY_MIGRATE_ON_START=false);",
			"apply "+a.Prisma.Migrations+" with a job that runs the same image:")
		if o.Migrator == MigratorPrisma {
			r.comment("  docker run --rm -e " + url + "=... -e SLIPWAY_MIGRATE_ON_START=true " + tag + " true")
		} else {
			r.comment("  docker run --rm -e " + url + "=... --entrypoint slipway-migrate " + tag + " deploy")
		}
	}
}

// base is the Node image plus what Prisma needs at run time.
func (r *renderer) base() {
	r.stage(r.o.NodeImage, "base", "base: the Node image plus what Prisma needs at run time (OpenSSL, CA certificates).")
	if r.alpine() {
		r.run(nil, "apk add --no-cache openssl ca-certificates libc6-compat")
	} else {
		r.run(nil,
			"apt-get update -qq",
			"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null",
			"rm -rf /var/lib/apt/lists/*")
	}
	r.line("WORKDIR %s", workdir)
}

// manifests gathers every package.json of a workspace, so the install sees
// all its packages. Any source change reruns this stage, but its output is
// compared by content, so the install below stays cached.
func (r *renderer) manifests() {
	r.stage("base", "manifests",
		"manifests: every package.json of the workspace, in place, for the install.",
		"A source change reruns this stage; the install stays cached unless a manifest changed.")
	r.line("WORKDIR /src")
	r.line("COPY . .")
	r.run(nil, `find . -name package.json -not -path '*/node_modules/*' -not -path '*/.next/*' | while read -r f; do mkdir -p "/manifests/${f%/*}" && cp "$f" "/manifests/$f"; done`)
}

// deps is the package manager's own frozen install from the lockfile and
// install inputs alone.
func (r *renderer) deps() {
	a := r.app
	pm := a.PackageManager
	r.stage("base", "deps",
		"deps: the package manager's own frozen install from the lockfile and install inputs",
		"alone, so a source change does not bust it; the package store is a cache mount,",
		"never node_modules. The app's settings decide which dependencies' build scripts",
		"run; the lifecycle scripts of the root and workspace packages never do: they are",
		"stripped from the manifests the install sees, and the real ones copied back after.")
	var env [][2]string
	for _, k := range sortedKeys(pm.SetupEnv()) {
		env = append(env, [2]string{k, pm.SetupEnv()[k]})
	}
	r.env(env...)
	setup := pm.InstallPMCmd()
	if pm.Version != "" {
		setup = pm.SetupCmd()
	}
	if setup != nil {
		if len(setup) == 3 && setup[0] == "sh" && setup[1] == "-c" {
			r.run(nil, strings.Split(setup[2], " && ")...)
		} else {
			r.run(nil, sh(setup))
		}
	}
	env = nil
	for _, k := range sortedKeys(pm.CacheEnv()) {
		env = append(env, [2]string{k, pm.CacheEnv()[k]})
	}
	r.env(env...)
	inputs := r.installInputs()
	for _, in := range inputs {
		r.copyFrom("", in, path.Join(workdir, in))
	}
	if a.Workspace {
		r.copyFrom("manifests", "/manifests/", workdir+"/")
	}
	r.heredoc(stripScriptsPath, r.o.Scripts.StripScripts, "")
	r.line("WORKDIR %s", path.Join(workdir, a.Root))
	r.run([]string{cacheMount("slipway-"+pm.Name+"-store", pm.CacheDir())},
		sh([]string{"node", stripScriptsPath, workdir}), sh(pm.InstallCmd(false)))
	r.comment("The real manifests, lifecycle scripts and all, for the build.")
	for _, in := range inputs {
		if path.Base(in) == "package.json" {
			r.copyFrom("", in, path.Join(workdir, in))
		}
	}
	if a.Workspace {
		r.copyFrom("manifests", "/manifests/", workdir+"/")
	}
}

// installInputs are the app's install inputs plus the root and app
// package.json, deduplicated, in a stable order.
func (r *renderer) installInputs() []string {
	a := r.app
	seen := map[string]bool{}
	var out []string
	for _, p := range append(append([]string{}, a.InstallInputs...), path.Join(a.Root, "package.json"), path.Join(a.Dir, "package.json")) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// builder is every dependency, then prisma generate, then next build.
func (r *renderer) builder() {
	a, o := r.app, r.o
	pm := a.PackageManager
	r.stage("deps", "builder",
		"builder: the whole source over the install, then `prisma generate` and `next build`,",
		"with the Next.js build cache in a cache mount. The build secret, when given, is",
		"read from its mounted file in the commands that need it and never stored.")
	r.line("COPY . %s/", workdir)
	r.line("WORKDIR %s", r.appPath())
	env := [][2]string{{"NEXT_TELEMETRY_DISABLED", "1"}}
	for _, kv := range o.BuildEnv {
		k, v, _ := strings.Cut(kv, "=")
		env = append(env, [2]string{k, v})
	}
	if pr := a.Prisma; pr != nil {
		given := map[string]bool{}
		for _, kv := range env {
			given[kv[0]] = true
		}
		// Every database variable holds a placeholder for the whole build, as
		// the apps' own Dockerfiles do; a --build-env value or the build
		// secret wins.
		for _, v := range buildDBVars(pr) {
			if !given[v] {
				env = append(env, [2]string{v, placeholderDBURL})
			}
		}
		if pr.Generator == inspect.GeneratorClient {
			env = append(env, [2]string{"PRISMA_SCHEMA_ENGINE_BINARY", r.appPath("package.json")})
		}
	}
	r.env(env...)
	if pr := a.Prisma; pr != nil {
		r.comment("prisma generate, where the Prisma config is. No database is reached: the",
			"placeholder URLs above satisfy the config's env() and the app's env checks.")
		if dir := prismaDir(a); dir != a.Dir {
			r.line("WORKDIR %s", path.Join(workdir, dir))
		}
		r.run([]string{secretMount}, loadSecret, sh(pm.ExecCmd("prisma", "generate")))
		if dir := prismaDir(a); dir != a.Dir {
			r.line("WORKDIR %s", r.appPath())
		}
	}
	r.run([]string{secretMount, cacheMount("slipway-next-cache-"+a.CacheName(), r.appPath(".next", "cache"))},
		loadSecret, sh(r.buildCmd()))
	r.comment("The runner takes no .env file and no build cache from the standalone output;",
		"public/ is optional, so make sure it exists for the copy below.")
	r.run(nil,
		`find .next/standalone \( -name .env -o -name '.env.*' -o -path '*/node_modules/.cache' \) -prune -exec rm -rf {} +`,
		"mkdir -p public")
}

// migrator builds slipway-migrate, static, in a golang stage.
func (r *renderer) migrator() {
	o := r.o
	build := []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", migratorOut}
	mounts := []string{cacheMount("slipway-go-mod", "/go/pkg/mod"), cacheMount("slipway-go-build", "/root/.cache/go-build")}
	if o.MigratorSource != "" {
		r.stage(o.GolangImage, "migrator",
			"migrator: slipway-migrate, Slipway's static migrator (it applies Prisma migrations",
			"as `prisma migrate deploy` does, without Prisma's CLI or engines), built from",
			"Slipway's source in the build context: "+o.MigratorSource+"/ holds its go.mod, go.sum,",
			"migrator/ and cmd/slipway-migrate/.")
		r.line("WORKDIR /src")
		r.line("COPY %s/ ./", o.MigratorSource)
		r.line("ENV CGO_ENABLED=0")
		r.run(mounts, sh(append(build, "./cmd/slipway-migrate")))
		return
	}
	pkg := SlipwayModule + "/cmd/slipway-migrate"
	r.stage(o.GolangImage, "migrator",
		"migrator: slipway-migrate, Slipway's static migrator (it applies Prisma migrations",
		"as `prisma migrate deploy` does, without Prisma's CLI or engines), built from",
		"Slipway's published Go module, since your repo does not hold Slipway's source.",
		"`go install ...@VERSION` refuses a module whose go.mod has replace directives,",
		"as Slipway's has (for the Dagger SDK), so a throwaway module requires it and",
		"builds the command. Pin the version: --build-arg SLIPWAY_VERSION=vX.Y.Z.",
		"To build from a copy of Slipway's source instead, render with a migrator source.")
	r.line("ARG SLIPWAY_VERSION=%s", o.SlipwayVersion)
	r.line("WORKDIR /src")
	r.line("ENV CGO_ENABLED=0")
	r.run(mounts,
		"go mod init slipway-migrate-build",
		`go get "`+SlipwayModule+`/cmd/slipway-migrate@${SLIPWAY_VERSION}"`,
		sh(append(build, pkg)))
}

// prismaCLI installs the Prisma CLI apart, for the prisma migrator.
func (r *renderer) prismaCLI() {
	version := r.app.Prisma.Version
	if version == "" {
		version = "latest"
	}
	r.stage("base", "prisma-cli",
		"prisma-cli: the Prisma CLI and every package it needs, installed apart and",
		"copied into the runner, which runs `prisma migrate deploy` before the server.")
	r.line("WORKDIR %s", prismaCLIDir)
	r.run([]string{cacheMount("slipway-npm-store", "/root/.npm")},
		sh([]string{"npm", "install", "--no-save", "--no-package-lock", "--omit=dev", "--ignore-scripts", "prisma@" + version}))
}

// rootfs assembles the glibc runner's root filesystem in a Debian stage with
// the pipeline's rootfs.sh, from the Node binary of the base.
func (r *renderer) rootfs() {
	uid := strconv.Itoa(runnerUID)
	r.stage(r.o.RunnerImage, "rootfs",
		"rootfs: the runner's root filesystem, assembled in Debian by rootfs.sh: Node's",
		"binary (stripped; no npm, corepack or yarn), the shared libraries it and /bin/sh",
		"load, /bin/sh (dash), CA certificates, and the users root and nextjs ("+uid+").",
		"No package manager and no coreutils reach the image.")
	r.run(nil,
		"apt-get update -qq",
		"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates libstdc++6 binutils >/dev/null")
	r.copyFrom("base", "/usr/local/bin/node", rootfsNode)
	r.heredoc(rootfsScript, r.o.Scripts.Rootfs, "")
	r.comment("/empty becomes the server's own .next/cache in the runner, which has no mkdir.")
	r.run(nil, sh([]string{"sh", rootfsScript, rootfsNode, rootfsOut}), "mkdir /empty")
}

// runner is the production image.
func (r *renderer) runner() {
	a, o := r.app, r.o
	uid := strconv.Itoa(runnerUID)
	owner := uid + ":" + uid
	if r.alpine() {
		r.stage(o.NodeImage, "runner",
			"runner: the Node image without npm, corepack or yarn, as the non-root user",
			"nextjs ("+uid+"), with the standalone server, static assets, public files and migrations.")
		r.run(nil,
			"rm -rf /usr/local/lib/node_modules /opt/yarn* /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg",
			"apk add --no-cache ca-certificates",
			"addgroup -S -g "+uid+" nodejs",
			"adduser -S -u "+uid+" -G nodejs -H nextjs")
	} else {
		r.stage("scratch", "runner",
			"runner: the root filesystem above on no base image, as the non-root user nextjs",
			"("+uid+"), with the standalone server, static assets, public files and migrations.",
			"The app's files stay owned by root: the server can't change them.")
		r.copyFrom("rootfs", rootfsOut+"/", "/")
		r.env([2]string{"PATH", runnerPath}, [2]string{"SSL_CERT_FILE", caBundle})
	}
	// WORKDIR before the copies: set last, its mkdir can repeat /app in a layer.
	r.line("WORKDIR %s", workdir)
	r.copyFrom("builder", r.appPath(".next", "standalone")+"/", workdir+"/")
	r.copyFrom("builder", r.appPath(".next", "static"), r.appPath(".next", "static"))
	r.copyFrom("builder", r.appPath("public"), r.appPath("public"))
	if r.alpine() {
		r.run(nil, "mkdir -p "+r.appPath(".next", "cache"), "chown "+owner+" "+r.appPath(".next", "cache"))
	} else {
		r.line("COPY --from=rootfs --chown=%s /empty/ %s/", owner, r.appPath(".next", "cache"))
	}
	r.comment("The HEALTHCHECK runs this with Node, so the image needs neither wget nor curl.")
	r.heredoc(healthcheckPath, o.Scripts.Healthcheck, "")
	env := [][2]string{
		{"NODE_ENV", "production"},
		{"NEXT_TELEMETRY_DISABLED", "1"},
		{"PORT", strconv.Itoa(o.Port)},
		{"HOSTNAME", "0.0.0.0"},
		{"SLIPWAY_HEALTH_PATH", o.HealthPath},
	}
	var entrypoint []string
	if r.migrations() {
		pr := a.Prisma
		migrations := path.Join(workdir, pr.Migrations)
		r.copyFrom("", pr.Migrations, migrations)
		env = append(env, [2]string{"SLIPWAY_MIGRATIONS_DIR", migrations}, [2]string{"SLIPWAY_DATABASE_URL_ENV", strings.Join(migrationVars(pr), ",")})
		if o.Migrator == MigratorPrisma {
			r.copyFrom("prisma-cli", prismaCLIDir+"/node_modules/", r.appPath("node_modules")+"/")
			for _, p := range prismaFiles(pr) {
				r.copyFrom("", p, path.Join(workdir, p))
			}
			r.comment("The entrypoint: `prisma migrate deploy`, then exec the server.")
			r.heredoc(startScriptPath, o.Scripts.PrismaStart, "755")
			env = append(env, [2]string{"SLIPWAY_APP_DIR", r.appPath()})
			entrypoint = []string{startScriptPath}
		} else {
			r.copyFrom("migrator", migratorOut, migratorPath)
			entrypoint = []string{migratorPath, "start", "--"}
		}
	}
	if !o.MigrateOnStart {
		env = append(env, [2]string{"SLIPWAY_MIGRATE_ON_START", "false"})
	}
	r.env(env...)
	r.line("EXPOSE %d", o.Port)
	r.line("HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --start-interval=1s --retries=3 \\\n    CMD %s",
		cmdJSON("node", healthcheckPath))
	r.line("USER %s", owner)
	if entrypoint != nil {
		r.comment("Migrate (unless SLIPWAY_MIGRATE_ON_START=false), then exec the server, so",
			"signals reach Node and its exit code is kept.")
		r.line("ENTRYPOINT %s", cmdJSON(entrypoint...))
	}
	r.line("CMD %s", cmdJSON("node", r.appPath("server.js")))
	r.labels()
}

// buildCmd is --build-command, else the build script, else `next build`.
func (r *renderer) buildCmd() []string {
	if c := strings.TrimSpace(r.o.BuildCommand); c != "" {
		return []string{"sh", "-c", c}
	}
	if _, ok := r.app.Scripts["build"]; ok {
		return r.app.PackageManager.RunCmd("build")
	}
	return r.app.PackageManager.ExecCmd("next", "build")
}

// buildDBVars is every variable the build may read the database URL from.
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

// prismaDir is where Prisma commands run.
func prismaDir(a *inspect.App) string {
	if a.Prisma != nil && a.Prisma.Dir != "" {
		return a.Prisma.Dir
	}
	return a.Dir
}

// migrationVars are the variables migrations read the URL from, in order.
func migrationVars(pr *inspect.Prisma) []string {
	out := []string{pr.URLEnv}
	for _, v := range pr.DatabaseVars {
		if v.Migrations && v.Name != pr.URLEnv {
			out = append(out, v.Name)
		}
	}
	return out
}

// prismaFiles is the schema (a file or a folder) and the Prisma config.
func prismaFiles(pr *inspect.Prisma) []string {
	files := []string{pr.Schema}
	if pr.Config != "" {
		files = append(files, pr.Config)
	}
	return files
}

// labels are the OCI labels, last, from the caller's release metadata.
func (r *renderer) labels() {
	rel := r.o.Release
	labels := [][2]string{
		{"org.opencontainers.image.title", r.app.Name},
		{"org.opencontainers.image.source", rel.URL},
		{"org.opencontainers.image.revision", rel.Revision},
		{"org.opencontainers.image.version", rel.Version},
		{"org.opencontainers.image.created", rel.Created},
	}
	var parts []string
	for _, l := range labels {
		if l[1] != "" {
			parts = append(parts, l[0]+"="+`"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(l[1])+`"`)
		}
	}
	if len(parts) > 0 {
		r.line("LABEL %s", strings.Join(parts, " \\\n      "))
	}
}
