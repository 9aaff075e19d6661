package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"dagger/tests/internal/dagger"
)

// Paths in the build container and the runner image.
const (
	appDir        = "/app"
	standaloneDir = appDir + "/.next/standalone"
	migrator      = "/usr/local/bin/slipway-migrate"
	nonRoot       = "1001:1001"
)

var notesMigrations = []string{"20250101000000_init", "20250102000000_add_done"}

// BuildCheck builds the npm fixture: next build ran, the Prisma client was generated, npm installed.
// +check
// +cache="never"
func (m *Tests) BuildCheck(ctx context.Context) error {
	build := dag.Slipway(dagger.SlipwayOpts{Source: m.Notes}).Build()
	id, err := build.File(appDir + "/.next/BUILD_ID").Contents(ctx)
	if err != nil {
		return fmt.Errorf("next build writes .next/BUILD_ID: %w", err)
	}
	if strings.TrimSpace(id) == "" {
		return errors.New("want a build id in .next/BUILD_ID, got an empty file")
	}
	return all(
		wantFile(ctx, build, standaloneDir+"/server.js", true),
		wantFile(ctx, build, appDir+"/src/generated/prisma/client.ts", true),
		wantPath(ctx, build, appDir+"/node_modules/.package-lock.json", true, "npm installed node_modules"),
	)
}

// BuildPnpmCheck builds the pnpm fixture with the pnpm its packageManager field pins, and no npm.
// +check
// +cache="never"
func (m *Tests) BuildPnpmCheck(ctx context.Context) error {
	s := dag.Slipway(dagger.SlipwayOpts{Source: m.NotesPnpm})
	report, err := s.Inspect(ctx, dagger.SlipwayInspectOpts{Format: "json"})
	if err != nil {
		return err
	}
	var app struct {
		PackageManager struct{ Name, Version string } `json:"packageManager"`
	}
	if err := json.Unmarshal([]byte(report), &app); err != nil {
		return fmt.Errorf("inspect --format=json: %w", err)
	}
	if pm := app.PackageManager; pm.Name != "pnpm" || pm.Version != "10.34.9" {
		return fmt.Errorf("want pnpm 10.34.9 (pnpm-lock.yaml, packageManager field), got %q %q", pm.Name, pm.Version)
	}
	build := s.Build()
	modules, err := build.File(appDir + "/node_modules/.modules.yaml").Contents(ctx)
	if err != nil {
		return fmt.Errorf("pnpm writes node_modules/.modules.yaml: %w", err)
	}
	var errs []error
	if !strings.Contains(modules, "pnpm@10.34.9") {
		errs = append(errs, errors.New("want node_modules/.modules.yaml to name pnpm@10.34.9, the pnpm that installed"))
	}
	return all(append(errs,
		wantPath(ctx, build, appDir+"/node_modules/.pnpm", true, "a pnpm install"),
		wantPath(ctx, build, appDir+"/package-lock.json", false, "npm ran in the pnpm build"),
		wantFile(ctx, build, standaloneDir+"/server.js", true),
	)...)
}

// ImageCheck reads the runner built from a source holding .env files: non-root, migrates then serves, no .env, no package manager.
// +check
// +cache="never"
func (m *Tests) ImageCheck(ctx context.Context) error {
	// Next copies .env files into .next/standalone; the runner must not ship
	// them. The same files as the e2e suite's, so the build is shared.
	src := m.Notes.
		WithNewFile(".env", "SLIPWAY_TEST_DOTENV=from-dot-env\n").
		WithNewFile(".env.production", "SLIPWAY_TEST_DOTENV=from-dot-env-production\n")
	img := dag.Slipway(dagger.SlipwayOpts{Source: src}).Image()

	var errs []error
	user, err := img.User(ctx)
	if err != nil {
		return err
	}
	if user != nonRoot {
		errs = append(errs, fmt.Errorf("want config User %s, got %q", nonRoot, user))
	}
	// The runner has no coreutils: Node says who it runs as.
	uid, err := img.WithExec([]string{"node", "-p", "process.getuid() + ':' + process.getgid()"}).Stdout(ctx)
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(uid); got != nonRoot {
		errs = append(errs, fmt.Errorf("want a process in the runner to run as %s, got %q", nonRoot, got))
	}
	entry, err := img.Entrypoint(ctx)
	if err != nil {
		return err
	}
	if want := []string{migrator, "start", "--"}; !slices.Equal(entry, want) {
		errs = append(errs, fmt.Errorf("want entrypoint %q, got %q", want, entry))
	}
	health, err := img.DockerHealthcheck().Args(ctx)
	if err != nil || len(health) == 0 || health[0] != "node" {
		errs = append(errs, fmt.Errorf("want a HEALTHCHECK run by node, got %q (%v)", health, err))
	}
	envFiles, err := img.Directory(appDir).Glob(ctx, "**/.env*")
	if err != nil {
		return err
	}
	if len(envFiles) > 0 {
		errs = append(errs, fmt.Errorf("want no .env files in %s, got %q", appDir, envFiles))
	}
	for _, p := range []string{
		"/usr/local/bin/npm", "/usr/local/bin/npx", "/usr/local/bin/corepack", "/usr/local/bin/yarn",
		"/usr/local/lib/node_modules",
	} {
		errs = append(errs, wantPath(ctx, img, p, false, "a package manager"))
	}
	for _, f := range []string{
		appDir + "/server.js", appDir + "/.next/BUILD_ID",
		appDir + "/prisma/migrations/20250101000000_init/migration.sql",
		appDir + "/prisma/migrations/20250102000000_add_done/migration.sql",
		"/usr/local/lib/slipway/healthcheck.cjs", migrator,
	} {
		errs = append(errs, wantFile(ctx, img, f, true))
	}
	return all(errs...)
}

// MigrateCheck applies the npm fixture's migrations to a fresh Postgres with the image's own migrator.
// +check
// +cache="never"
func (m *Tests) MigrateCheck(ctx context.Context) error {
	report, err := dag.Slipway(dagger.SlipwayOpts{Source: m.Notes}).Migrate(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range notesMigrations {
		errs = append(errs, wantMatch(report, `slipway-migrate: applied `+name+` \(\d+m?s\)`, "migrate report"))
	}
	if !strings.Contains(report, "applied 2 migrations (0 already applied)") {
		errs = append(errs, fmt.Errorf("want both migrations applied to a fresh database, got:\n%s", report))
	}
	return all(errs...)
}

// SmokeCheck runs the npm fixture's image against a fresh database and requests its health path and pages.
// +check
// +cache="never"
func (m *Tests) SmokeCheck(ctx context.Context) error {
	report, err := dag.Slipway(dagger.SlipwayOpts{Source: m.Notes}).Smoke(ctx, dagger.SlipwaySmokeOpts{Paths: []string{"/", "/api/notes"}})
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range []string{"/api/health", "/", "/api/notes"} {
		errs = append(errs, wantMatch(report, `(?m)^\s*GET `+regexp.QuoteMeta(path)+`: 200 \(\d+ ms\)$`, "smoke report"))
	}
	return all(errs...)
}

// CiCheck runs ci on the pnpm fixture (its health route reads a migrated table) and reads the image it returns.
// +check
// +cache="never"
func (m *Tests) CiCheck(ctx context.Context) error {
	img := dag.Slipway(dagger.SlipwayOpts{Source: m.NotesPnpm}).Ci()
	user, err := img.User(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if user != nonRoot {
		errs = append(errs, fmt.Errorf("want the image ci returns to run as %s, got %q", nonRoot, user))
	}
	return all(append(errs, wantFile(ctx, img, appDir+"/server.js", true))...)
}

// BadInputsCheck feeds apps that cannot work and wants errors that name the stage and the fix.
// +check
// +cache="never"
func (m *Tests) BadInputsCheck(ctx context.Context) error {
	inspectFails := func(src *dagger.Directory, appDir string, want ...string) error {
		_, err := dag.Slipway(dagger.SlipwayOpts{Source: src, AppDir: appDir}).Ci().Sync(ctx)
		return wantStageError(err, "inspect", false, want...)
	}
	return all(
		inspectFails(dag.Directory().WithNewFile("README.md", "not an app"), "web",
			"web", "--source"),
		inspectFails(dag.Directory().WithNewFile("web/README.md", "not an app"), "web",
			"web", "--source"),
		inspectFails(m.Notes.WithNewFile("next.config.mjs", "/** @type {import('next').NextConfig} */\nexport default {};\n"), ".",
			"[no-standalone]", "add output: 'standalone'"),
		inspectFails(m.Notes.WithoutFile("package-lock.json"), ".",
			"[no-lockfile]", "commit package-lock.json"),
		func() error {
			// The install is the fixture's own, cached; the build command fails.
			_, err := dag.Slipway(dagger.SlipwayOpts{
				Source:       m.Notes,
				BuildCommand: "echo slipway-tests: the build broke >&2; exit 3",
			}).Build().Sync(ctx)
			return wantStageError(err, "build", true, "exited with code 3", "slipway-tests: the build broke")
		}(),
	)
}

// BundleCheck writes the deploy bundle for an image reference: every file, and a compose file that runs that image.
// +check
// +cache="never"
func (m *Tests) BundleCheck(ctx context.Context) error {
	const ref = "registry.example/notes-pnpm:1.0.0"
	dir := dag.Slipway(dagger.SlipwayOpts{Source: m.NotesPnpm}).Bundle(ref, dagger.SlipwayBundleOpts{GenerateEnv: true, MigrateService: true})
	entries, err := dir.Entries(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range []string{"docker-compose.prod.yml", ".env.production.example", ".env.production", "DEPLOY.md"} {
		if !slices.Contains(entries, f) {
			errs = append(errs, fmt.Errorf("want %s in the bundle, got %q", f, entries))
		}
	}
	compose, err := dir.File("docker-compose.prod.yml").Contents(ctx)
	if err != nil {
		return all(append(errs, err)...)
	}
	// The reference is the default of ${APP_IMAGE}, so a deploy can override it.
	if !regexp.MustCompile(`(?m)^\s+image: .*` + regexp.QuoteMeta(ref)).MatchString(compose) {
		errs = append(errs, fmt.Errorf("want the compose file to run image %s, got:\n%s", ref, compose))
	}
	// The pnpm fixture reads APP_DATABASE_URL, not DATABASE_URL.
	template, err := dir.File(".env.production.example").Contents(ctx)
	if err != nil || !strings.Contains(template, "APP_DATABASE_URL") {
		errs = append(errs, fmt.Errorf("want the env template to set APP_DATABASE_URL, the variable the app reads (%v)", err))
	}
	return all(errs...)
}

// DockerfileCheck renders the npm fixture's plan as a Dockerfile and wants its stages and entrypoint.
// +check
// +cache="never"
func (m *Tests) DockerfileCheck(ctx context.Context) error {
	out, err := dag.Slipway(dagger.SlipwayOpts{Source: m.Notes}).Dockerfile().Contents(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if !strings.HasPrefix(out, "# syntax=docker/dockerfile:1\n") {
		errs = append(errs, fmt.Errorf("want a Dockerfile with a syntax line, got:\n%s", head(out, 5)))
	}
	for _, want := range []string{
		"ARG SLIPWAY_VERSION=latest",
		`ENTRYPOINT ["/usr/local/bin/slipway-migrate", "start", "--"]`,
	} {
		if !strings.Contains(out, want) {
			errs = append(errs, fmt.Errorf("want %q in the Dockerfile", want))
		}
	}
	for _, stage := range []string{"base", "deps", "builder", "migrator", "rootfs", "runner"} {
		errs = append(errs, wantMatch(out, `(?m)^FROM \S+ AS `+stage+`$`, "Dockerfile stage "+stage))
	}
	return all(errs...)
}

// wantStageError wants err to be a failure of stage that gives a fix and
// holds each of want; ranCmd says whether a command ran (its exit code shows).
func wantStageError(err error, stage string, ranCmd bool, want ...string) error {
	if err == nil {
		return fmt.Errorf("want a %s failure, got success", stage)
	}
	msg := err.Error()
	var errs []error
	if !strings.Contains(msg, stage+" failed") {
		errs = append(errs, fmt.Errorf("want the error to name stage %s (%q), got:\n%s", stage, stage+" failed", msg))
	}
	if !strings.Contains(msg, "\nfix: ") {
		errs = append(errs, fmt.Errorf("want the error to give a fix, got:\n%s", msg))
	}
	if ran := strings.Contains(msg, "exited with code"); ran != ranCmd {
		errs = append(errs, fmt.Errorf("want a command to have run: %t, got %t in:\n%s", ranCmd, ran, msg))
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			errs = append(errs, fmt.Errorf("want %q in the %s error, got:\n%s", w, stage, msg))
		}
	}
	return all(errs...)
}

// wantFile checks that path is (or is not) a regular file in ctr.
func wantFile(ctx context.Context, ctr *dagger.Container, path string, present bool) error {
	ok, err := ctr.Exists(ctx, path, dagger.ContainerExistsOpts{ExpectedType: dagger.ExistsTypeRegularType})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if ok != present {
		return fmt.Errorf("want file %s present: %t, got %t", path, present, ok)
	}
	return nil
}

// wantPath checks that path exists (or not) in ctr; why says what it means.
func wantPath(ctx context.Context, ctr *dagger.Container, path string, present bool, why string) error {
	ok, err := ctr.Exists(ctx, path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if ok != present {
		return fmt.Errorf("want %s present: %t (%s), got %t", path, present, why, ok)
	}
	return nil
}

func wantMatch(s, pattern, what string) error {
	if !regexp.MustCompile(pattern).MatchString(s) {
		return fmt.Errorf("want %s to match %s, got:\n%s", what, pattern, s)
	}
	return nil
}

// all joins the errors that are not nil.
func all(errs ...error) error { return errors.Join(errs...) }

func head(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
