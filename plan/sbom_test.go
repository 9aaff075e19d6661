package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/names"
)

// TestSbomTool: syft is built at its pinned version as a static CLI, as the
// other tools are (the migrator build's Go caches and image), and names its
// version.
func TestSbomTool(t *testing.T) {
	b := SbomOf(Options{}, "notes").Build
	assert.Equal(t, "syft", b.Name)
	assert.Equal(t, DefaultGolangImage, b.Image)
	assert.Equal(t, MigratorBuildOf(Options{}).Caches, b.Caches, "syft shares the migrator build's module and build caches")
	assert.Equal(t, []Cache{{names.GoModCache, "/go/pkg/mod"}, {names.GoBuildCache, "/root/.cache/go-build"}}, b.Caches)
	assert.Contains(t, b.Env, EnvVar{"CGO_ENABLED", "0"})
	assert.Equal(t, "/out/syft", b.Output)
	assert.Equal(t, []string{"go", "install", "-trimpath", "-ldflags=-s -w -X main.version=1.57.1", "github.com/anchore/syft/cmd/syft@v1.57.1"}, b.Command,
		"syft at its pinned version, naming that version in the SBOMs it writes")

	assert.Equal(t, "golang:1.26-alpine", SbomOf(Options{GolangImage: "golang:1.26-alpine"}, "notes").Build.Image)
	assert.Equal(t, "app", SbomOf(Options{}, "").Name, "an app without a name still names the SBOM")
	assert.Equal(t, []string{"go", "install", "-trimpath", "-ldflags=-s -w", "example.com/x/cmd/x@v1.0.0"},
		ToolBuildOf(Options{}, "x", "example.com/x/cmd/x", "v1.0.0").Command, "a tool without link flags of its own")
}

// TestSbomScan: syft scans the image's OCI archive in each format into its
// own file, named by the app (its version there is the image's digest, so
// a release version does not replace it); any other format is an error that
// lists the formats.
func TestSbomScan(t *testing.T) {
	s := SbomOf(Options{Release: Release{Version: "1.4.0"}}, "notes")
	for format, out := range map[string]string{SbomSPDX: "/sbom/sbom.spdx.json", SbomCycloneDX: "/sbom/sbom.cdx.json"} {
		cmd, output, err := s.Scan(format)
		require.NoError(t, err, format)
		assert.Equal(t, out, output)
		assert.Equal(t, []string{
			"/out/syft", "scan", "oci-archive:/in/image.tar",
			"--source-name=notes", "--output=" + format + "=" + out,
		}, cmd)
	}
	assert.Equal(t, SbomSPDX, SbomFormats[0], "the default format comes first")
	assert.Equal(t, DefaultSbomFormat, SbomFormats[0])
	assert.Contains(t, s.Env, EnvVar{"SYFT_CHECK_FOR_APP_UPDATE", "false"}, "syft asks no server for updates")

	for _, bad := range []string{"", "spdx", "json", "syft-json", "SPDX-JSON"} {
		_, _, err := s.Scan(bad)
		require.Error(t, err, "format %q", bad)
		assert.ErrorIs(t, err, ErrBadOption)
		assert.ErrorIs(t, err, ErrBadSbomFormat)
		assert.Contains(t, err.Error(), "use spdx-json or cyclonedx-json")
	}
}

// TestSbomInPlan: the plan holds the SBOM decision and prints it.
func TestSbomInPlan(t *testing.T) {
	a := app(t, "../testdata/fixtures/notes", ".")
	p := planFor(t, a, Options{Release: Release{Version: "2.0.0"}})
	require.NotNil(t, p.Sbom)
	assert.Equal(t, "notes", p.Sbom.Name)
	assert.Contains(t, p.Text(), "sbom: syft v1.57.1, built in golang:1.26-bookworm")
	j, err := p.JSON()
	require.NoError(t, err)
	assert.Contains(t, string(j), `"github.com/anchore/syft/cmd/syft@v1.57.1"`)
}
