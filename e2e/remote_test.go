//go:build e2e

package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A remote engine over TCP, as a CI fleet's: `ci` through
// _EXPERIMENTAL_DAGGER_RUNNER_HOST=tcp://..., by two clients at once on two
// different apps. .ci/run starts the dev engine with --tcp and names it in
// SLIPWAY_TCP_ENGINE.
func TestRemoteEngineOverTCP(t *testing.T) {
	host := os.Getenv("SLIPWAY_TCP_ENGINE")
	if host == "" {
		t.Skip("SLIPWAY_TCP_ENGINE is unset: start the engine with `hack/dev-engine up --tcp` and set it to the host `hack/dev-engine env --tcp` prints")
	}
	require.True(t, strings.HasPrefix(host, "tcp://"), "SLIPWAY_TCP_ENGINE=%s", host)
	var wg sync.WaitGroup
	outs := map[string]string{}
	errs := map[string]error{}
	var mu sync.Mutex
	tarballs := map[string]string{}
	for _, fx := range []string{fixtureNotes, fixtureBun} {
		tarball := filepath.Join(t.TempDir(), "app.tar")
		tarballs[fx] = tarball
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("dagger", "call", "--progress=plain", "-m", repoRoot(), "ci", "export", "--path="+tarball)
			cmd.Dir = filepath.Join(repoRoot(), "testdata", fx)
			var env []string
			for _, kv := range ownSessionEnv() {
				if !strings.HasPrefix(kv, "_EXPERIMENTAL_DAGGER_RUNNER_HOST=") {
					env = append(env, kv)
				}
			}
			cmd.Env = append(env, "_EXPERIMENTAL_DAGGER_RUNNER_HOST="+host)
			out, err := cmd.CombinedOutput()
			mu.Lock()
			outs[fx], errs[fx] = string(out), err
			mu.Unlock()
		}()
	}
	wg.Wait()
	for fx, err := range errs {
		require.NoError(t, err, "%s over %s:\n%s", fx, host, lastLines(outs[fx], 40))
		fi, err := os.Stat(tarballs[fx])
		require.NoError(t, err, "%s: ci returned the image and it was exported", fx)
		assert.Greater(t, fi.Size(), int64(10<<20), fx)
	}
}
