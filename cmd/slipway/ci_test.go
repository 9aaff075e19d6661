package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/env"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCIArgv(t *testing.T) {
	p := ciPlan{
		Module: "/src/slipway", Source: "/work/app", AppDir: "apps/web",
		Paths: []string{"/", "/api/notes", "/old=301"}, Out: "/work/app.tar",
		BundleOut: "/work/deploy", Image: "notes:latest",
		Stack: StackFlags{ReadOnly: true},
	}
	assert.Equal(t, [][]string{
		{"dagger", "call", "-m", "/src/slipway", "--source=/work/app", "--app-dir=apps/web",
			"ci", "--paths=/", "--paths=/api/notes", "--paths=/old=301", "export", "--path=/work/app.tar"},
		{"dagger", "call", "-m", "/src/slipway", "--source=/work/app", "--app-dir=apps/web",
			"bundle", "--image=notes:latest", "--read-only=true", "export", "--path=/work/deploy"},
	}, p.commands())

	p = ciPlan{Module: "m", Source: "s", AppDir: ".", Out: "o", BundleOut: "b", Image: "i:1",
		Stack: StackFlags{GenerateEnv: true, MigrateService: true, PublishDBPort: true}}
	assert.Equal(t, []string{"dagger", "call", "-m", "m", "--source=s", "ci", "export", "--path=o"}, p.ciArgv(),
		"no --app-dir for the root, no --paths when none are given")
	assert.Equal(t, []string{"dagger", "call", "-m", "m", "--source=s", "bundle", "--image=i:1",
		"--migrate-service", "--read-only=false", "--publish-db-port", "export", "--path=b"}, p.bundleArgv(),
		"--generate-env stays local: the module would show the secrets in its progress output")

	p.BundleOut = ""
	assert.Len(t, p.commands(), 1, "an empty --bundle-out skips the bundle")
}

// parseCI parses a ci command line and returns its plan (nothing runs).
func parseCI(t *testing.T, args ...string) (ciPlan, error) {
	t.Helper()
	var cli CLI
	parser, err := kong.New(&cli, kong.Exit(func(int) { t.Fatal("unexpected exit") }))
	require.NoError(t, err)
	_, err = parser.Parse(append([]string{"ci"}, args...))
	require.NoError(t, err)
	return cli.CI.plan()
}

func TestCIPlanDefaults(t *testing.T) {
	notes, root := fixture(t, "notes"), repoRoot(t)
	t.Setenv("SLIPWAY_MODULE", "")
	t.Setenv("SLIPWAY_IMAGE", "")
	wd := t.TempDir()
	t.Chdir(wd)

	p, err := parseCI(t, notes, "--paths=/,/api/notes")
	require.NoError(t, err)
	assert.Equal(t, root, p.Module, "the module is found from DIR when the working directory is elsewhere")
	assert.Equal(t, notes, p.Source)
	assert.Equal(t, []string{"/", "/api/notes"}, p.Paths)
	assert.Equal(t, filepath.Join(wd, "app.tar"), p.Out)
	assert.Equal(t, filepath.Join(wd, "deploy"), p.BundleOut)
	assert.Equal(t, "notes:latest", p.Image, "image named after package.json")
	assert.True(t, p.Stack.ReadOnly, "read-only by default, as the module")

	t.Setenv("SLIPWAY_MODULE", "git.example.com/acme/slipway@v1.0.0")
	t.Setenv("SLIPWAY_IMAGE", "registry.example.com/notes:2")
	p, err = parseCI(t, notes, "--bundle-out=")
	require.NoError(t, err)
	assert.Equal(t, "git.example.com/acme/slipway@v1.0.0", p.Module)
	assert.Empty(t, p.BundleOut)
	assert.Len(t, p.commands(), 1)
}

func TestCIPlanNoModule(t *testing.T) {
	t.Setenv("SLIPWAY_MODULE", "")
	app := writeApp(t, map[string]string{
		"package.json": `{"name":"x"}`,
		"dagger.json":  `{"name":"someone-else"}`, // another module is not Slipway
	})
	t.Chdir(app)
	_, err := parseCI(t, ".")
	require.ErrorIs(t, err, ErrNoModule)
	assert.Contains(t, err.Error(), "--module")
	assert.Contains(t, err.Error(), "SLIPWAY_MODULE")

	require.NoError(t, os.WriteFile(filepath.Join(app, "dagger.json"), []byte("{"), 0o644))
	_, err = parseCI(t, ".")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not valid JSON")
}

func TestCIRefusesLiveEnvFileBeforeRunning(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, env.DefaultFileName), []byte("X=1\n"), 0o600))
	t.Setenv("PATH", t.TempDir()) // had anything run, it would fail with ErrNoDagger instead

	_, _, err := runCLI(t, "ci", fixture(t, "notes"), "--module", repoRoot(t), "--bundle-out", out, "--generate-env")
	require.ErrorIs(t, err, ErrEnvFileExists)
	b, err := os.ReadFile(filepath.Join(out, env.DefaultFileName))
	require.NoError(t, err)
	assert.Equal(t, "X=1\n", string(b))
}

func TestCINoDagger(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("_EXPERIMENTAL_DAGGER_CLI_BIN", "")
	_, _, err := runCLI(t, "ci", fixture(t, "notes"), "--module", repoRoot(t), "-o", filepath.Join(t.TempDir(), "app.tar"))
	require.ErrorIs(t, err, ErrNoDagger)
	assert.Contains(t, err.Error(), "run hack/dev-engine up, or install the Dagger CLI")
}

func TestDaggerErrorExitCode(t *testing.T) {
	err := error(&daggerError{step: stepOf([]string{"dagger", "call", "-m", "m", "--source=s", "ci", "export"}), code: 3})
	var coder kong.ExitCoder
	require.True(t, errors.As(err, &coder), "kong must see the dagger CLI's exit code")
	assert.Equal(t, 3, coder.ExitCode())
	assert.Equal(t, "dagger call ci failed with exit code 3: its output is above", err.Error())
}

func TestOwnSessionEnv(t *testing.T) {
	got := ownSessionEnv([]string{"PATH=/bin", "DAGGER_SESSION_PORT=1234", "DAGGER_SESSION_TOKEN=t", "DAGGER_PROGRESS=plain"})
	assert.Equal(t, []string{"PATH=/bin", "DAGGER_PROGRESS=plain"}, got)
}

func TestFillEnvLocally(t *testing.T) {
	out := t.TempDir()
	_, _, err := runCLI(t, "bundle", "--image", testImage, "-o", out, fixture(t, "notes"))
	require.NoError(t, err)

	todo, err := fillEnv(context.Background(), out, false)
	require.NoError(t, err)
	assert.Empty(t, todo, "the notes app has no third-party credentials")
	envPath := filepath.Join(out, env.DefaultFileName)
	info, err := os.Stat(envPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first, err := os.ReadFile(envPath)
	require.NoError(t, err)
	_, _, err = runCLI(t, "env", "check", envPath, fixture(t, "notes"))
	require.NoError(t, err, "the filled file passes env check")

	_, err = fillEnv(context.Background(), out, false)
	require.ErrorIs(t, err, ErrEnvFileExists)
	again, err := os.ReadFile(envPath)
	require.NoError(t, err)
	assert.Equal(t, first, again)

	_, err = fillEnv(context.Background(), out, true)
	require.NoError(t, err)
	again, err = os.ReadFile(envPath)
	require.NoError(t, err)
	assert.NotEqual(t, first, again, "--force makes fresh secrets")

	tmpl := filepath.Join(out, bundle.EnvTemplate)
	b, err := os.ReadFile(tmpl)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(tmpl, append(b, []byte("STRIPE_SECRET_KEY=change-me-stripe-secret-key\n")...), 0o644))
	todo, err = fillEnv(context.Background(), out, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"STRIPE_SECRET_KEY"}, todo, "credentials issued elsewhere are listed by name")
}
