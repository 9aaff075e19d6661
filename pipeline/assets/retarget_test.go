// Package assets_test runs Slipway's Node scripts on trees made here; it needs
// node, not an engine.
package assets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree writes files (path -> content; content "->x" makes a symlink to x).
func tree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if len(c) > 2 && c[:2] == "->" {
			require.NoError(t, os.Symlink(c[2:], full))
			continue
		}
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
}

func retarget(t *testing.T, standalone, install string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	script, err := filepath.Abs("retarget.cjs")
	require.NoError(t, err)
	out, err := exec.Command("node", script, standalone, install, "arm64", "glibc").CombinedOutput()
	return string(out), err
}

const (
	sharp      = `{"name":"sharp","version":"0.34.5","dependencies":{"detect-libc":"2"},"optionalDependencies":{"@img/sharp-linux-x64":"0.34.5","@img/sharp-linux-arm64":"0.34.5","@img/sharp-darwin-arm64":"0.34.5"}}`
	sharpX64   = `{"name":"@img/sharp-linux-x64","version":"0.34.5","os":["linux"],"cpu":["x64"],"libc":["glibc"],"optionalDependencies":{"@img/sharp-libvips-linux-x64":"1"}}`
	vipsX64    = `{"name":"@img/sharp-libvips-linux-x64","version":"1.2.0","os":["linux"],"cpu":["x64"],"libc":["glibc"]}`
	sharpArm   = `{"name":"@img/sharp-linux-arm64","version":"0.34.5","os":["linux"],"cpu":["arm64"],"libc":["glibc"],"optionalDependencies":{"@img/sharp-libvips-linux-arm64":"1"}}`
	vipsArm    = `{"name":"@img/sharp-libvips-linux-arm64","version":"1.2.0","os":["linux"],"cpu":["arm64"],"libc":["glibc"]}`
	swcArm     = `{"name":"@next/swc-linux-arm64-gnu","version":"15.0.0","os":["linux"],"cpu":["arm64"]}`
	next       = `{"name":"next","version":"15.0.0","optionalDependencies":{"sharp":"0.34","@next/swc-linux-arm64-gnu":"15"}}`
	detectLibc = `{"name":"detect-libc","version":"2.0.0"}`
)

// TestRetargetFlat: npm's flat node_modules. sharp's x64 packages go, its
// arm64 ones come from the arm64 install, with their own dependency
// (libvips); next's compiler stays out, since the build never traced it.
func TestRetargetFlat(t *testing.T) {
	s, in := t.TempDir(), t.TempDir()
	tree(t, s, map[string]string{
		"server.js":                                              "",
		"node_modules/next/package.json":                         next,
		"node_modules/sharp/package.json":                        sharp,
		"node_modules/detect-libc/package.json":                  detectLibc,
		"node_modules/@img/sharp-linux-x64/package.json":         sharpX64,
		"node_modules/@img/sharp-linux-x64/lib/sharp.node":       "x64",
		"node_modules/@img/sharp-libvips-linux-x64/package.json": vipsX64,
		"node_modules/bcrypt/package.json":                       `{"name":"bcrypt","version":"5.0.0"}`,
		"node_modules/bcrypt/build/Release/bcrypt.node":          "x64",
	})
	tree(t, in, map[string]string{
		"node_modules/next/package.json":                           next,
		"node_modules/sharp/package.json":                          sharp,
		"node_modules/@img/sharp-linux-arm64/package.json":         sharpArm,
		"node_modules/@img/sharp-linux-arm64/lib/sharp.node":       "arm64",
		"node_modules/@img/sharp-libvips-linux-arm64/package.json": vipsArm,
		"node_modules/@next/swc-linux-arm64-gnu/package.json":      swcArm,
		"node_modules/bcrypt/package.json":                         `{"name":"bcrypt","version":"5.0.0"}`,
		"node_modules/bcrypt/build/Release/bcrypt.node":            "arm64",
	})
	out, err := retarget(t, s, in)
	require.NoError(t, err, out)
	assert.NoDirExists(t, filepath.Join(s, "node_modules/@img/sharp-linux-x64"))
	assert.NoDirExists(t, filepath.Join(s, "node_modules/@img/sharp-libvips-linux-x64"))
	got, err := os.ReadFile(filepath.Join(s, "node_modules/@img/sharp-linux-arm64/lib/sharp.node"))
	require.NoError(t, err)
	assert.Equal(t, "arm64", string(got))
	assert.FileExists(t, filepath.Join(s, "node_modules/@img/sharp-libvips-linux-arm64/package.json"))
	assert.NoDirExists(t, filepath.Join(s, "node_modules/@next/swc-linux-arm64-gnu"), "not in the build's trace")
	got, err = os.ReadFile(filepath.Join(s, "node_modules/bcrypt/build/Release/bcrypt.node"))
	require.NoError(t, err)
	assert.Equal(t, "arm64", string(got), "an addon built at install time is the target's")
	assert.Contains(t, out, "added @img/sharp-linux-arm64@0.34.5")
}

// TestRetargetPnpm: pnpm's store layout, where sharp reaches its platform
// package through a symlink beside it.
func TestRetargetPnpm(t *testing.T) {
	s, in := t.TempDir(), t.TempDir()
	store := "node_modules/.pnpm/"
	tree(t, s, map[string]string{
		store + "sharp@0.34.5/node_modules/sharp/package.json":                               sharp,
		store + "sharp@0.34.5/node_modules/@img/sharp-linux-x64":                             "->../../../@img+sharp-linux-x64@0.34.5/node_modules/@img/sharp-linux-x64",
		store + "@img+sharp-linux-x64@0.34.5/node_modules/@img/sharp-linux-x64/package.json": sharpX64,
		"node_modules/sharp": "->.pnpm/sharp@0.34.5/node_modules/sharp",
	})
	tree(t, in, map[string]string{
		store + "sharp@0.34.5/node_modules/sharp/package.json":                                     sharp,
		store + "sharp@0.34.5/node_modules/@img/sharp-linux-arm64":                                 "->../../../@img+sharp-linux-arm64@0.34.5/node_modules/@img/sharp-linux-arm64",
		store + "@img+sharp-linux-arm64@0.34.5/node_modules/@img/sharp-linux-arm64/package.json":   sharpArm,
		store + "@img+sharp-linux-arm64@0.34.5/node_modules/@img/sharp-linux-arm64/lib/sharp.node": "arm64",
		"node_modules/sharp": "->.pnpm/sharp@0.34.5/node_modules/sharp",
	})
	out, err := retarget(t, s, in)
	require.NoError(t, err, out)
	got, err := os.ReadFile(filepath.Join(s, store, "sharp@0.34.5/node_modules/@img/sharp-linux-arm64/lib/sharp.node"))
	require.NoError(t, err, "sharp reaches the arm64 package through its symlink")
	assert.Equal(t, "arm64", string(got))
	_, err = os.Lstat(filepath.Join(s, store, "sharp@0.34.5/node_modules/@img/sharp-linux-x64"))
	assert.True(t, os.IsNotExist(err), "no dangling link to the x64 package")
}

// TestRetargetMissingAddon: an addon the target's install lacks (a Prisma
// engine for the build's platform only) fails, naming the file.
func TestRetargetMissingAddon(t *testing.T) {
	s, in := t.TempDir(), t.TempDir()
	tree(t, s, map[string]string{"node_modules/.prisma/client/libquery_engine-debian-openssl-3.0.x.so.node": "x64"})
	out, err := retarget(t, s, in)
	require.Error(t, err)
	assert.Contains(t, out, "libquery_engine-debian-openssl-3.0.x.so.node")
	assert.Contains(t, out, "binaryTargets")
}
