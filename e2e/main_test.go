//go:build e2e

// Package tests is Slipway's end-to-end suite: the real pipeline against a
// real Dagger engine, a real Postgres and the fixture apps. Run it through
// hack/test, which starts the engine and runs `dagger run go test -tags e2e`.
package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	sdk "dagger.io/dagger"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/pipeline"
	"github.com/slipwayhq/slipway/plan"
)

// Fixture apps, relative to testdata/ (shared with the tests module).
const (
	fixtureNotes = "fixtures/notes"
	fixturePnpm  = "fixtures/notes-pnpm"
)

var (
	// dag is the module's generated client, which the pipeline takes.
	dag *dagger.Client
	// host is the full SDK client in the same session, for host files.
	host *sdk.Client
)

func TestMain(m *testing.M) {
	if os.Getenv("DAGGER_SESSION_PORT") == "" {
		println("the e2e suite needs a Dagger session: run hack/test (or `dagger run go test -tags e2e ./e2e/`)")
		os.Exit(2)
	}
	dag = dagger.Connect()
	var err error
	if host, err = sdk.Connect(context.Background()); err != nil {
		println("connect to the Dagger session:", err.Error())
		os.Exit(2)
	}
	code := m.Run()
	host.Close()
	os.Exit(code)
}

// hostDir is a host directory as a Directory of the module's client.
func hostDir(path string, opts sdk.HostDirectoryOpts) *dagger.Directory {
	id, err := host.Host().Directory(path, opts).ID(context.Background())
	if err != nil {
		panic(err)
	}
	return dag.LoadDirectoryFromID(dagger.DirectoryID(id))
}

// repoRoot is the checkout holding this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// source is a fixture app as the module sees it: without node_modules,
// .next and .env files.
func source(fixture string) *dagger.Directory {
	return hostDir(filepath.Join(repoRoot(), "testdata", fixture), sdk.HostDirectoryOpts{
		Exclude: []string{"**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example", "**/src/generated"},
	})
}

// tools is Slipway's own source, which the migrator is built from.
func tools() *dagger.Directory {
	return hostDir(repoRoot(), sdk.HostDirectoryOpts{
		Include: []string{"go.mod", "go.sum", "names/**", "migrator/**", "cmd/slipway-migrate/**"},
	})
}

// newPipeline is a pipeline over src with the module's defaults.
func newPipeline(src *dagger.Directory, mod ...func(*pipeline.Config)) *pipeline.Pipeline {
	cfg := pipeline.Config{Source: src, Tools: tools(), Options: plan.Options{MigrateOnStart: true}}
	for _, f := range mod {
		f(&cfg)
	}
	return pipeline.New(dag, cfg)
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// daggerCall runs `dagger call` on this repo's module, as a user would, and
// returns its stdout; stderr comes with the error.
func daggerCall(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("dagger", append([]string{"call", "--progress=plain", "-m", repoRoot()}, args...)...)
	cmd.Dir = repoRoot()
	cmd.Env = ownSessionEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &callError{err: err, stderr: lastLines(stderr.String(), 40)}
	}
	return stdout.String(), nil
}

// ownSessionEnv is this process's environment without the variables of the
// `dagger run` session, so that a dagger CLI child opens its own session.
func ownSessionEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DAGGER_SESSION_") {
			env = append(env, kv)
		}
	}
	return env
}

type callError struct {
	err    error
	stderr string
}

func (e *callError) Error() string { return e.err.Error() + "\n" + e.stderr }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
