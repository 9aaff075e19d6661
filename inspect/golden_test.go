package inspect

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins Report() and the JSON shape on the app trees in testdata.
func TestGolden(t *testing.T) {
	tests := []struct {
		name, root, dir string
		buildable       bool
	}{
		{"monorepo", "testdata/apps/monorepo", "apps/web", true},
		{"broken", "testdata/apps/broken", ".", false},
		{"pooled-direct", "testdata/apps/pooled-direct", ".", true},
		{"vercel", "testdata/apps/vercel", ".", true},
		{"prisma6-direct", "testdata/apps/prisma6-direct", ".", true},
		{"turborepo", "testdata/apps/turborepo", "apps/web", true},
		{"pnpm9-build-keys", "testdata/apps/pnpm9-build-keys", ".", true},
		{"pnpm9-plain", "testdata/apps/pnpm9-plain", ".", true},
		{"pnpm9-allow-builds", "testdata/apps/pnpm9-allow-builds", ".", true},
		{"pnpm6", "testdata/apps/pnpm6", ".", true},
		{"yarn-classic", "testdata/apps/yarn-classic", ".", true},
		{"yarn-berry", "testdata/apps/yarn-berry", ".", true},
		{"yarn-berry-path", "testdata/apps/yarn-berry-path", ".", true},
		{"bun", "testdata/apps/bun", ".", true},
		{"heartbeat", "testdata/apps/heartbeat", ".", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := Inspect(os.DirFS(tt.root), tt.dir)
			require.NoError(t, err)
			js, err := app.JSON()
			require.NoError(t, err)
			report := app.Report()
			golden(t, tt.name+".json", js)
			golden(t, tt.name+".txt", []byte(report))
			if tt.buildable {
				assert.NoError(t, app.Err())
			} else {
				assert.ErrorIs(t, app.Err(), ErrNotBuildable)
			}

			// The JSON round-trips into the same App (less unexported state).
			var back App
			require.NoError(t, json.Unmarshal(js, &back))
			back.yarnrc = app.yarnrc
			back.pmChoices = app.pmChoices
			assert.Equal(t, *app, back)
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "run `go test ./inspect/ -run TestGolden -update` to create it")
	assert.Equal(t, string(want), string(got), "golden %s differs; rerun with -update if the change is intended", name)
}

// TestJSONShape pins the field names the pipeline and the CLI rely on.
func TestJSONShape(t *testing.T) {
	app, err := Inspect(os.DirFS("testdata/apps/monorepo"), "apps/web")
	require.NoError(t, err)
	js, err := app.JSON()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	for _, k := range []string{"dir", "root", "name", "packageManager", "node", "next", "prisma", "scripts", "envExample", "warnings"} {
		assert.Contains(t, m, k)
	}
	pm := m["packageManager"].(map[string]any)
	assert.Equal(t, "pnpm", pm["name"])
	assert.Equal(t, "lockfile", pm["source"])
	next := m["next"].(map[string]any)
	assert.Equal(t, true, next["standalone"])
	prisma := m["prisma"].(map[string]any)
	for _, k := range []string{"schema", "generator", "provider", "urlEnv", "urlRequiredAtBuild", "migrations", "migrationNames"} {
		assert.Contains(t, prisma, k)
	}
	w := m["warnings"].([]any)[0].(map[string]any)
	for _, k := range []string{"code", "message", "fix"} {
		assert.Contains(t, w, k)
	}
}
