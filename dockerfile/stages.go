package dockerfile

import (
	"path"
	"strconv"
	"strings"

	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

func (r *renderer) header() {
	p := r.p
	name := p.App
	if name == "" {
		name = "app"
	}
	tag := strings.NewReplacer("@", "", "/", "-").Replace(name)
	stages := []string{"base -> deps -> builder -> runner, with the migrator in a stage of its own."}
	if p.Runner.Rootfs != nil {
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
		"  docker build --secret id="+p.Build.Secret.ID+",src=.env.build -t "+tag+" .",
		"Add a .dockerignore, so the host's installs and secrets stay out of the",
		"context and can't overwrite the frozen install:",
		"  node_modules  .next  .git  .env  .env.*  !.env.example",
	)
	port := strconv.Itoa(p.Runtime.Port)
	m := p.Runner.Migrations
	if m == nil {
		r.comment("Run it:", "  docker run -p "+port+":"+port+" "+tag)
		return
	}
	url := m.URLVars[0]
	r.comment("Run it against PostgreSQL (" + url + " is the database URL):")
	r.comment("  docker run -p " + port + ":" + port + " -e " + url + "=postgresql://... " + tag)
	if p.Runtime.MigrateOnStart {
		r.comment("The entrypoint applies "+m.Source+", then starts the server;",
			"set "+names.MigrateOnStartVar+"=false when a separate job migrates.")
		return
	}
	r.comment("The server starts without migrating ("+names.MigrateOnStartVar+"=false);",
		"apply "+m.Source+" with a job that runs the same image:")
	if m.PrismaCLI != nil {
		r.comment("  docker run --rm -e " + url + "=... -e " + names.MigrateOnStartVar + "=true " + tag + " true")
	} else {
		r.comment("  docker run --rm -e " + url + "=... --entrypoint slipway-migrate " + tag + " deploy")
	}
}

// base is the Node image plus what Prisma needs at run time.
func (r *renderer) base() {
	b := r.p.Base
	r.stage(b.Image, "base", "base: the Node image plus what Prisma needs at run time (OpenSSL, CA certificates).")
	r.run(nil, b.Setup...)
	r.line("WORKDIR %s", b.Workdir)
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
	in := r.p.Install
	r.stage("base", "deps",
		"deps: the package manager's own frozen install from the lockfile and install inputs",
		"alone, so a source change does not bust it; the package store is a cache mount,",
		"never node_modules. The app's settings decide which dependencies' build scripts",
		"run; the lifecycle scripts of the root and workspace packages never do: they are",
		"stripped from the manifests the install sees, and the real ones copied back after.")
	r.env(in.Env)
	if setup := in.Setup; setup != nil {
		if len(setup) == 3 && setup[0] == "sh" && setup[1] == "-c" {
			r.run(nil, strings.Split(setup[2], " && ")...)
		} else {
			r.run(nil, sh(setup))
		}
	}
	r.env(in.CacheEnv)
	manifests := func(all bool) {
		for _, f := range in.Inputs {
			if all || path.Base(f) == "package.json" {
				r.copyFrom("", f, path.Join(names.Workdir, f))
			}
		}
		if in.Manifests {
			r.copyFrom("manifests", "/manifests/", names.Workdir+"/")
		}
	}
	manifests(true)
	r.heredoc(in.StripScripts, r.o.Scripts.StripScripts, "")
	r.line("WORKDIR %s", in.Workdir)
	r.run([]string{cacheMount(in.Cache)}, sh([]string{"node", in.StripScripts, names.Workdir}), sh(in.Command))
	r.comment("The real manifests, lifecycle scripts and all, for the build.")
	manifests(false)
}

// builder is every dependency, then prisma generate, then the build.
func (r *renderer) builder() {
	b := r.p.Build
	r.stage("deps", "builder",
		"builder: the whole source over the install, then `prisma generate` and `next build`,",
		"with the Next.js build cache in a cache mount. The build secret, when given, is",
		"read from its mounted file in the commands that need it and never stored.")
	r.line("COPY . %s/", names.Workdir)
	r.line("WORKDIR %s", b.Workdir)
	r.env(b.Env)
	if g := b.Generate; g != nil {
		r.comment("prisma generate, where the Prisma config is. No database is reached: the",
			"placeholder URLs above satisfy the config's env() and the app's env checks.")
		if g.Workdir != b.Workdir {
			r.line("WORKDIR %s", g.Workdir)
		}
		r.run([]string{secretMount(b.Secret)}, loadSecret(b.Secret), sh(g.Command))
		if g.Workdir != b.Workdir {
			r.line("WORKDIR %s", b.Workdir)
		}
	}
	r.run([]string{secretMount(b.Secret), cacheMount(b.Cache)}, loadSecret(b.Secret), sh(b.Command))
	r.comment("The runner takes no .env file and no build cache from the standalone output;",
		"public/ is optional, so make sure it exists for the copy below.")
	var prune []string
	for _, x := range b.StandaloneExcludes {
		x = strings.TrimPrefix(x, "**/")
		if strings.Contains(x, "/") {
			prune = append(prune, "-path "+shQuote("*/"+x))
		} else {
			prune = append(prune, "-name "+shQuote(x))
		}
	}
	cmds := []string{"find " + rel(b.Workdir, b.Standalone) + ` \( ` + strings.Join(prune, " -o ") + ` \) -prune -exec rm -rf {} +`}
	for _, c := range r.p.Runner.Copies {
		if c.Optional && c.From == plan.FromBuild {
			cmds = append(cmds, "mkdir -p "+rel(b.Workdir, c.Src))
		}
	}
	r.run(nil, cmds...)
}

// rel is p relative to dir, both absolute.
func rel(dir, p string) string {
	return strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
}

// migrator builds slipway-migrate, static, in a golang stage.
func (r *renderer) migrator() {
	o, mb := r.o, r.p.Runner.Migrations.Build
	var mounts []string
	for _, c := range mb.Caches {
		mounts = append(mounts, cacheMount(c))
	}
	about := []string{"migrator: slipway-migrate, Slipway's static migrator (it applies Prisma migrations",
		"as `prisma migrate deploy` does, without Prisma's CLI or engines), built from"}
	if o.MigratorSource != "" {
		r.stage(mb.Image, "migrator", append(about,
			"Slipway's source in the build context: "+o.MigratorSource+"/ holds its go.mod, go.sum,",
			"names/, migrator/ and cmd/slipway-migrate/.")...)
		r.line("WORKDIR /src")
		r.line("COPY %s/ ./", o.MigratorSource)
		r.env(mb.Env)
		r.run(mounts, sh(append(mb.Command, mb.Package)))
		return
	}
	pkg := SlipwayModule + strings.TrimPrefix(mb.Package, ".")
	r.stage(mb.Image, "migrator", append(about,
		"Slipway's published Go module, since your repo does not hold Slipway's source.",
		"`go install ...@VERSION` refuses a module whose go.mod has replace directives,",
		"as Slipway's has (for the Dagger SDK), so a throwaway module requires it and",
		"builds the command. Pin the version: --build-arg SLIPWAY_VERSION=vX.Y.Z.",
		"To build from a copy of Slipway's source instead, render with a migrator source.")...)
	r.line("ARG SLIPWAY_VERSION=%s", o.SlipwayVersion)
	r.line("WORKDIR /src")
	r.env(mb.Env)
	r.run(mounts,
		"go mod init slipway-migrate-build",
		`go get "`+pkg+`@${SLIPWAY_VERSION}"`,
		sh(append(mb.Command, pkg)))
}

// prismaCLI installs the Prisma CLI apart, for the prisma migrator.
func (r *renderer) prismaCLI() {
	c := r.p.Runner.Migrations.PrismaCLI
	r.stage("base", plan.FromPrismaCLI,
		"prisma-cli: the Prisma CLI and every package it needs, installed apart and",
		"copied into the runner, which runs `prisma migrate deploy` before the server.")
	r.line("WORKDIR %s", c.Dir)
	r.run([]string{cacheMount(c.Cache)}, sh(c.Command))
}

// rootfs assembles the glibc runner's root filesystem in a Debian stage
// with the pipeline's rootfs.sh, from the Node binary of the base.
func (r *renderer) rootfs() {
	fs := r.p.Runner.Rootfs
	uid := strconv.Itoa(names.RunnerUID)
	r.stage(fs.Image, "rootfs",
		"rootfs: the runner's root filesystem, assembled in Debian by rootfs.sh: Node's",
		"binary (stripped; no npm, corepack or yarn), the shared libraries it and /bin/sh",
		"load, /bin/sh (dash), CA certificates, the users root and "+names.RunnerUser+" ("+uid+"), and the",
		"dpkg records of the Debian packages those files come from ("+plan.DpkgStatusDir+"),",
		"for SBOM generators and scanners. No package manager and no coreutils reach the image.")
	r.run(nil, fs.Setup...)
	r.copyFrom("base", fs.Node, fs.Input)
	r.heredoc(fs.Script, r.o.Scripts.Rootfs, "")
	r.comment("/empty becomes the server's own .next/cache in the runner, which has no mkdir.",
		"The standalone output is mounted for its native addons, whose system libraries go in too.")
	addons := "type=bind,from=builder,source=" + r.p.Build.Standalone + ",target=" + fs.Addons
	r.run([]string{addons}, sh([]string{"sh", fs.Script, fs.Input, fs.Output, fs.Addons}), "mkdir /empty")
}

// stageNames are the Dockerfile stages a copy comes from.
var stageNames = map[string]string{plan.FromBuild: "builder", plan.FromPrismaCLI: "prisma-cli", plan.FromMigrator: "migrator"}

// assetComments say what a script written into the runner is for.
var assetComments = map[string]string{
	plan.AssetHealthcheck: "The HEALTHCHECK runs this with Node, so the image needs neither wget nor curl.",
	plan.AssetPrismaStart: "The entrypoint: `prisma migrate deploy`, then exec the server.",
}

// runner is the production image.
func (r *renderer) runner() {
	rn := r.p.Runner
	uid := strconv.Itoa(names.RunnerUID)
	if fs := rn.Rootfs; fs == nil {
		r.stage(rn.Image, "runner",
			"runner: the Node image without npm, corepack or yarn, as the non-root user",
			names.RunnerUser+" ("+uid+"), with the standalone server, static assets, public files and migrations.")
		r.run(nil, rn.Cleanup...)
	} else {
		r.stage("scratch", "runner",
			"runner: the root filesystem above on no base image, as the non-root user "+names.RunnerUser,
			"("+uid+"), with the standalone server, static assets, public files and migrations.",
			"The app's files stay owned by root: the server can't change them.")
		r.copyFrom("rootfs", fs.Output+"/", "/")
		r.env(fs.Env)
	}
	// WORKDIR before the copies: set last, its mkdir can repeat /app in a layer.
	r.line("WORKDIR %s", rn.Workdir)
	for _, c := range rn.Copies {
		switch {
		case c.Empty && rn.Rootfs == nil:
			r.run(nil, "mkdir -p "+c.Dst, "chown "+c.Owner+" "+c.Dst)
		case c.Empty:
			r.line("COPY --from=rootfs --chown=%s /empty/ %s/", c.Owner, c.Dst)
		case c.From == plan.FromAssets:
			if about := assetComments[c.Src]; about != "" {
				r.comment(about)
			}
			mode := ""
			if c.Mode != 0 {
				mode = strconv.FormatInt(int64(c.Mode), 8)
			}
			r.heredoc(c.Dst, r.o.Scripts.asset(c.Src), mode)
		case c.Contents:
			r.copyFrom(stageNames[c.From], c.Src+"/", c.Dst+"/")
		default:
			r.copyFrom(stageNames[c.From], c.Src, c.Dst)
		}
	}
	r.env(rn.Env)
	hc := rn.Healthcheck
	r.line("EXPOSE %d", rn.Port)
	r.line("HEALTHCHECK --interval=%s --timeout=%s --start-period=%s --start-interval=%s --retries=%d \\\n    CMD %s",
		hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval, hc.Retries, cmdJSON(hc.Command...))
	r.line("USER %s", rn.User)
	if rn.Entrypoint != nil {
		r.comment("Migrate (unless "+names.MigrateOnStartVar+"=false), then exec the server, so",
			"signals reach Node and its exit code is kept.")
		r.line("ENTRYPOINT %s", cmdJSON(rn.Entrypoint...))
	}
	r.line("CMD %s", cmdJSON(rn.Command...))
	var labels []string
	for _, l := range rn.Labels {
		labels = append(labels, l.Name+"="+`"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(l.Value)+`"`)
	}
	if len(labels) > 0 {
		r.line("LABEL %s", strings.Join(labels, " \\\n      "))
	}
}
