//go:build e2e

package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shell CI recipe, run for real against this engine on a copy of the
// notes fixture outside any git checkout (so it does not publish).
func TestShellRecipeRunsCI(t *testing.T) {
	app := t.TempDir()
	out, err := exec.Command("cp", "-r", filepath.Join(repoRoot(), "testdata", fixtureNotes)+"/.", app).CombinedOutput()
	require.NoError(t, err, "%s", out)
	tarball := filepath.Join(t.TempDir(), "notes.tar")
	cmd := exec.Command(filepath.Join(repoRoot(), "examples", "ci", "slipway-ci.sh"), app)
	cmd.Dir = app
	cmd.Env = append(ownSessionEnv(), "SLIPWAY_MODULE="+repoRoot(), "SLIPWAY_PATHS=/,/api/notes", "SLIPWAY_OUT="+tarball)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", lastLines(string(out), 40))
	assert.Contains(t, string(out), "slipway: ci of ")
	assert.NotContains(t, string(out), "slipway: publish", "no tag, no publish")
	fi, err := os.Stat(tarball)
	require.NoError(t, err, "the recipe exports the tested image")
	assert.Greater(t, fi.Size(), int64(10<<20))
	assert.Contains(t, tarEntries(t, tarball), "index.json")
}
