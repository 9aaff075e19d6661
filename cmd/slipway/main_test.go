package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exited is what the test parser's Exit panics with.
type exited struct{ code int }

// runCLI parses args with the real command tree and runs the command, with
// stdout and stderr captured. A kong exit (help) comes back as an error.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var cli CLI
	var out, errOut bytes.Buffer
	opts := append(options(context.Background()),
		kong.Writers(&out, &errOut),
		kong.Exit(func(code int) { panic(exited{code}) }))
	parser, err := kong.New(&cli, opts...)
	require.NoError(t, err, "the command tree must build")
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exited)
			if !ok {
				panic(r)
			}
			stdout, stderr, err = out.String(), errOut.String(), fmt.Errorf("exit %d", e.code)
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		return out.String(), errOut.String(), err
	}
	err = kctx.Run()
	return out.String(), errOut.String(), err
}

// fixture is the absolute path of a fixture app, usable after t.Chdir.
func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "fixtures", name))
	require.NoError(t, err)
	require.DirExists(t, p)
	return p
}

// repoRoot is the module's checkout.
func repoRoot(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(p, "dagger.json"))
	return p
}

// writeApp writes a minimal app (files by name) into a temp dir.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, err := runCLI(t, "--help")
	require.EqualError(t, err, "exit 0", "--help exits 0")
	for _, cmd := range []string{"inspect", "bundle", "secret", "env check", "compose validate", "ci"} {
		assert.Contains(t, out, cmd, "help should list %q", cmd)
	}
}

func TestUnknownCommandIsAParseError(t *testing.T) {
	_, _, err := runCLI(t, "deploy")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected argument deploy")
}
