package dockerfile

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/plan"
)

// instr is one Dockerfile instruction, continuation lines joined.
type instr struct {
	cmd  string
	args string
}

var heredocRe = regexp.MustCompile(`<<'?([A-Z_]+)'?`)

// parse splits a Dockerfile into instructions, skipping comments and
// heredoc bodies; it fails the test on an unclosed heredoc.
func parse(t *testing.T, text string) []instr {
	t.Helper()
	var out []instr
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		full := l
		for strings.HasSuffix(full, `\`) && i+1 < len(lines) {
			i++
			full = strings.TrimRight(strings.TrimSuffix(full, `\`), " ") + " " + strings.TrimSpace(lines[i])
		}
		cmd, args, _ := strings.Cut(full, " ")
		out = append(out, instr{cmd: cmd, args: args})
		if m := heredocRe.FindStringSubmatch(full); m != nil {
			for i++; i < len(lines) && lines[i] != m[1]; i++ {
			}
			require.Less(t, i, len(lines), "heredoc %s is never closed", m[1])
		}
	}
	return out
}

// assertWellFormed checks what a builder would refuse or what the image
// must have, without a builder.
func assertWellFormed(t *testing.T, text string) {
	t.Helper()
	assert.True(t, strings.HasPrefix(text, "# syntax=docker/dockerfile:1\n"), "the syntax line comes first")
	known := map[string]bool{"FROM": true, "RUN": true, "COPY": true, "ENV": true, "WORKDIR": true, "ARG": true,
		"EXPOSE": true, "HEALTHCHECK": true, "USER": true, "ENTRYPOINT": true, "CMD": true, "LABEL": true}
	stages := map[string]bool{}
	var last string
	for _, in := range parse(t, text) {
		assert.True(t, known[in.cmd], "unknown instruction %q", in.cmd)
		switch in.cmd {
		case "FROM":
			_, name, ok := strings.Cut(in.args, " AS ")
			require.True(t, ok, "every stage is named: FROM %s", in.args)
			assert.False(t, stages[name], "stage %s is defined twice", name)
			stages[name], last = true, name
		case "ARG":
			assert.True(t, strings.HasPrefix(in.args, "SLIPWAY_VERSION="), "the only build arg is the migrator version, got ARG %s", in.args)
		}
		for _, m := range regexp.MustCompile(`--from=(\S+)`).FindAllStringSubmatch(in.args, -1) {
			assert.True(t, stages[m[1]], "%s %s copies from stage %s before it exists", in.cmd, in.args, m[1])
		}
		assert.NotContains(t, in.args, "  ", "no doubled spaces in %s %s", in.cmd, in.args)
	}
	assert.Equal(t, "runner", last, "the runner is the last stage, so it is the default target")
	for i, l := range strings.Split(text, "\n") {
		assert.Equal(t, strings.TrimRight(l, " \t"), l, "line %d has trailing space", i+1)
	}
}

func find(ins []instr, cmd string) []string {
	var out []string
	for _, in := range ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// stageOf is the instructions of the named stage, after its FROM.
func stageOf(ins []instr, name string) []instr {
	for i, in := range ins {
		if in.cmd == "FROM" && strings.HasSuffix(in.args, " AS "+name) {
			for j := i + 1; j < len(ins); j++ {
				if ins[j].cmd == "FROM" {
					return ins[i+1 : j]
				}
			}
			return ins[i+1:]
		}
	}
	return nil
}

func notes(t *testing.T) *inspect.App { return inspectDir(t, "../testdata/fixtures/notes", ".") }

func render(t *testing.T, app *inspect.App, mod func(*Options)) string {
	t.Helper()
	opts := Options{Options: plan.Options{MigrateOnStart: true}, Scripts: scripts(t)}
	if mod != nil {
		mod(&opts)
	}
	out, err := Render(app, opts)
	require.NoError(t, err)
	assertWellFormed(t, out)
	return out
}

func TestRenderMirrorsThePipeline(t *testing.T) {
	out := render(t, notes(t), nil)
	ins := parse(t, out)
	assert.Equal(t, []string{"node:24-bookworm-slim AS base", "base AS deps", "deps AS builder", "golang:1.26-bookworm AS migrator", "debian:bookworm-slim AS rootfs", "scratch AS runner"}, find(ins, "FROM"))
	runs := strings.Join(find(ins, "RUN"), "\n")
	assert.Contains(t, runs, "--mount=type=cache,id=slipway-npm-store,target=/root/.npm node /usr/local/lib/slipway/strip-scripts.cjs /app && npm ci", "the app's lifecycle scripts stripped, then the plain frozen install with a cached store")
	assert.NotContains(t, runs, "--ignore-scripts", "dependencies' scripts run as npm runs them")
	builder := strings.Join(find(stageOf(ins, "builder"), "ENV"), "\n")
	assert.Contains(t, builder, "DATABASE_URL=postgresql://slipway:build-placeholder@localhost:5432/build", "a placeholder URL for the whole build")
	assert.Contains(t, builder, "PRISMA_SCHEMA_ENGINE_BINARY=/app/package.json")
	assert.Contains(t, runs, "--mount=type=cache,id=slipway-next-cache-notes,target=/app/.next/cache if [ -f /run/secrets/build_env ]", "next build has its cache and the secret")
	copies := find(ins, "COPY")
	// The install sees the lockfile and package.json before the source.
	assert.Equal(t, []string{"package.json /app/package.json", "package-lock.json /app/package-lock.json", "<<'EOF' /usr/local/lib/slipway/strip-scripts.cjs", "package.json /app/package.json", ". /app/"}, copies[:5])
	// The runner is the root filesystem rootfs.sh assembles in Debian from
	// the Node binary, as the pipeline's runnerRootfs, and nothing else.
	assert.Contains(t, runs, "apt-get install -y -qq --no-install-recommends ca-certificates libstdc++6 binutils", "the rootfs stage has what rootfs.sh needs")
	assert.Contains(t, runs, "sh /stage/rootfs.sh /stage/node /rootfs", "rootfs.sh runs into /rootfs")
	assert.Contains(t, copies, "--from=base /usr/local/bin/node /stage/node")
	assert.Contains(t, out, "COPY <<'EOF' /stage/rootfs.sh\n"+scripts(t).Rootfs+"EOF\n", "rootfs.sh is written verbatim")
	runner := stageOf(ins, "runner")
	assert.Equal(t, instr{cmd: "COPY", args: "--from=rootfs /rootfs/ /"}, runner[0], "the runner starts from the assembled root filesystem")
	assert.Empty(t, find(runner, "RUN"), "the runner has no coreutils to run")
	assert.Equal(t, "PATH=/usr/local/bin:/usr/bin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", find(runner, "ENV")[0])
	assert.Contains(t, find(runner, "COPY"), "--from=rootfs --chown=1001:1001 /empty/ /app/.next/cache/", "the server owns its cache dir")
	assert.NotContains(t, out, "useradd", "rootfs.sh writes the users")
	assert.Contains(t, copies, "prisma/migrations /app/prisma/migrations")
	assert.Contains(t, copies, "--from=migrator /out/slipway-migrate /usr/local/bin/slipway-migrate")
	assert.Equal(t, []string{`["/usr/local/bin/slipway-migrate", "start", "--"]`}, find(ins, "ENTRYPOINT"))
	assert.Equal(t, []string{`["node", "/app/server.js"]`}, find(ins, "CMD"))
	assert.Equal(t, []string{"1001:1001"}, find(ins, "USER"))
	assert.Equal(t, []string{"3000"}, find(ins, "EXPOSE"))
	assert.Equal(t, []string{`--interval=10s --timeout=3s --start-period=20s --start-interval=1s --retries=3 CMD ["node", "/usr/local/lib/slipway/healthcheck.cjs"]`}, find(ins, "HEALTHCHECK"))
	assert.Contains(t, out, "COPY <<'EOF' /usr/local/lib/slipway/healthcheck.cjs\n"+scripts(t).Healthcheck+"EOF\n", "the healthcheck script is written verbatim")
	assert.Contains(t, out, "SLIPWAY_DATABASE_URL_ENV=DATABASE_URL")
	assert.NotContains(t, strings.Join(find(ins, "ENV"), "\n"), "SLIPWAY_MIGRATE_ON_START", "migrate on start is the default")
	assert.Equal(t, out, render(t, notes(t), nil), "rendering is deterministic")
}

func TestRenderNeverPutsSecretsInArgs(t *testing.T) {
	out := render(t, notes(t), func(o *Options) { o.MigratorSource = ".slipway" })
	assert.Empty(t, find(parse(t, out), "ARG"), "with a local migrator source there is no build arg at all")
	assert.NotContains(t, out, "ARG "+SecretID)
}

func TestRenderAlpine(t *testing.T) {
	out := render(t, notes(t), func(o *Options) { o.NodeImage = "node:22-alpine" })
	ins := parse(t, out)
	assert.Equal(t, "node:22-alpine AS runner", find(ins, "FROM")[len(find(ins, "FROM"))-1], "on Alpine the runner is the Node image itself")
	runs := strings.Join(find(ins, "RUN"), "\n")
	assert.Contains(t, runs, "apk add --no-cache openssl ca-certificates libc6-compat")
	assert.Contains(t, runs, "adduser -S -u 1001 -G nodejs -H nextjs")
	assert.NotContains(t, runs, "apt-get")
	assert.NotContains(t, strings.Join(find(ins, "COPY"), "\n"), "/usr/local/bin/node", "Alpine's runner has its own node")
	assert.NotContains(t, out, "AS rootfs", "Alpine's runner is not assembled")
	assert.Contains(t, runs, "mkdir -p /app/.next/cache && chown 1001:1001 /app/.next/cache")
	_, err := Render(notes(t), Options{Options: plan.Options{NodeImage: "node:22-alpine"}, Scripts: Scripts{Healthcheck: "x", StripScripts: "x"}})
	assert.NoError(t, err, "Alpine needs no rootfs script")
}

func TestRenderWithoutMigrations(t *testing.T) {
	app := notes(t)
	app.Prisma = nil
	out := render(t, app, nil)
	ins := parse(t, out)
	assert.Empty(t, find(ins, "ENTRYPOINT"), "nothing to migrate, so the server is the entrypoint")
	assert.NotContains(t, out, "AS migrator")
	runs := strings.Join(find(ins, "RUN"), "\n")
	assert.NotContains(t, runs, "prisma generate")
	assert.Contains(t, runs, "npm run build")
}

func TestRenderMigrateOnStartOff(t *testing.T) {
	out := render(t, notes(t), func(o *Options) { o.MigrateOnStart = false })
	assert.Contains(t, strings.Join(find(parse(t, out), "ENV"), "\n"), "SLIPWAY_MIGRATE_ON_START=false")
	assert.Contains(t, out, "--entrypoint slipway-migrate notes deploy", "the header says how to migrate from a job")
}

func TestRenderQuotesValues(t *testing.T) {
	out := render(t, notes(t), func(o *Options) {
		o.BuildEnv = []string{`NEXT_PUBLIC_TITLE=Say "hi" for $5`}
		o.Release.URL = "https://example.com/a b"
	})
	assert.Contains(t, out, `NEXT_PUBLIC_TITLE="Say \"hi\" for \$5"`)
	assert.Contains(t, out, `org.opencontainers.image.source="https://example.com/a b"`)
}

func TestRenderErrors(t *testing.T) {
	app := notes(t)
	cases := map[string]struct {
		mod  func(*Options)
		want string
	}{
		"port":        {func(o *Options) { o.Port = 70000 }, "port 70000 is out of range"},
		"migrator":    {func(o *Options) { o.Migrator = "flyway" }, `migrator "flyway": use "slipway" or "prisma"`},
		"build env":   {func(o *Options) { o.BuildEnv = []string{"NO_EQUALS"} }, `build env "NO_EQUALS" is not KEY=VALUE`},
		"health path": {func(o *Options) { o.HealthPath = "api/health" }, "must be a URL path starting with /"},
		"image":       {func(o *Options) { o.RunnerImage = "debian slim" }, `runner image "debian slim" is not an image reference`},
		"source":      {func(o *Options) { o.MigratorSource = "../slipway" }, "must be a clean relative directory"},
		"version":     {func(o *Options) { o.SlipwayVersion = "v1 && rm -rf /" }, "must be a Go module version"},
		"healthcheck": {func(o *Options) { o.Scripts.Healthcheck = "" }, "Scripts.Healthcheck is empty"},
		"start":       {func(o *Options) { o.Migrator = plan.MigratorPrisma; o.Scripts.PrismaStart = "" }, "Scripts.PrismaStart is empty"},
		"heredoc":     {func(o *Options) { o.Scripts.Healthcheck = "x\nEOF\ny" }, "would end its heredoc early"},
		"rootfs":      {func(o *Options) { o.Scripts.Rootfs = "" }, "Scripts.Rootfs is empty"},
		"rootfs EOF":  {func(o *Options) { o.Scripts.Rootfs = "EOF\n" }, "the rootfs script has a line"},
		"strip":       {func(o *Options) { o.Scripts.StripScripts = "" }, "Scripts.StripScripts is empty"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			opts := Options{Scripts: scripts(t)}
			tc.mod(&opts)
			_, err := Render(app, opts)
			require.ErrorIs(t, err, ErrBadOption)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRenderRefusesWhatItCantBuild(t *testing.T) {
	_, err := Render(nil, Options{})
	require.ErrorIs(t, err, ErrBadOption)

	app := notes(t)
	app.Next.Standalone = false
	app.Warnings = append(app.Warnings, inspect.Warning{Code: inspect.CodeNoStandalone, Message: "no standalone output", Fix: "add output: 'standalone'", Blocking: true})
	_, err = Render(app, Options{Scripts: scripts(t)})
	require.ErrorIs(t, err, inspect.ErrNotBuildable)
	assert.Contains(t, err.Error(), "add output: 'standalone'", "the error carries the fix")

	app = notes(t)
	app.Prisma.Migrations = "prisma/my migrations"
	_, err = Render(app, Options{Scripts: scripts(t)})
	require.ErrorIs(t, err, ErrBadOption)
	assert.Contains(t, err.Error(), `path "prisma/my migrations"`)
}
