package plan

import (
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/names"
)

// The SBOM formats Slipway writes, by syft's names for them.
const (
	SbomSPDX          = "spdx-json"
	SbomCycloneDX     = "cyclonedx-json"
	DefaultSbomFormat = SbomSPDX

	// Syft is the SBOM generator, built from its module at this version.
	SyftModule  = "github.com/anchore/syft"
	SyftVersion = "v1.57.1"
)

// ErrBadSbomFormat is wrapped by Sbom.Scan for a format it does not write.
var ErrBadSbomFormat = fmt.Errorf("%w: SBOM format", ErrBadOption)

// Sbom is how the runner image's software bill of materials is made: syft,
// built as a CLI, scans the image's OCI archive. Syft finds the Debian
// packages by the dpkg records rootfs.sh writes, the npm packages by their
// package.json files in node_modules, Node by its version string and the
// migrator's Go modules by its build info.
type Sbom struct {
	Tool SbomTool `json:"tool"`
	// Archive is where the image's OCI archive is mounted for syft.
	Archive string   `json:"archive"`
	Env     []EnvVar `json:"env"` // syft's settings: no update check, nothing fetched
	// Name names the image in the SBOM: the app. Its version there is the
	// image's manifest digest, which syft reads from the archive; the
	// release's version is in the image's labels, which the SBOM lists too.
	Name string `json:"name"`
	// Outputs are the files syft writes, by format.
	Outputs map[string]string `json:"outputs"`
}

// SbomTool builds syft, static, from its module at a pinned version, with
// Go's module and build caches (those of the migrator build).
type SbomTool struct {
	Image   string   `json:"image"`
	Caches  []Cache  `json:"caches"`
	Env     []EnvVar `json:"env"`
	Command []string `json:"command"` // installs Package into Output's folder
	Package string   `json:"package"`
	Output  string   `json:"output"`
}

// SbomFormats are the formats Slipway writes, default first.
var SbomFormats = []string{SbomSPDX, SbomCycloneDX}

// sbomDir is where syft writes the SBOM, and syftBin where it is built.
const (
	sbomDir = "/sbom"
	syftBin = "/out/syft"
)

// SbomOf is how the SBOM of app's image is made.
func SbomOf(o Options, app string) *Sbom {
	image := o.GolangImage
	if image == "" {
		image = DefaultGolangImage
	}
	version := strings.TrimPrefix(SyftVersion, "v")
	return &Sbom{
		Tool: SbomTool{
			Image:  image,
			Caches: []Cache{{Volume: names.GoModCache, Path: "/go/pkg/mod"}, {Volume: names.GoBuildCache, Path: "/root/.cache/go-build"}},
			Env:    []EnvVar{{"CGO_ENABLED", "0"}, {"GOBIN", "/out"}},
			// -X main.version: syft names itself and its version in every SBOM.
			Command: []string{"go", "install", "-trimpath", "-ldflags=-s -w -X main.version=" + version},
			Package: SyftModule + "/cmd/syft@" + SyftVersion,
			Output:  syftBin,
		},
		Archive: "/in/image.tar",
		Env:     []EnvVar{{"SYFT_CHECK_FOR_APP_UPDATE", "false"}},
		Name:    orDefault(app, "app"),
		Outputs: map[string]string{
			SbomSPDX:      sbomDir + "/sbom.spdx.json",
			SbomCycloneDX: sbomDir + "/sbom.cdx.json",
		},
	}
}

// Scan is syft's command line for an SBOM in format, and the file it
// writes; a format Slipway does not write is an error that lists those it
// does.
func (s *Sbom) Scan(format string) (cmd []string, output string, err error) {
	output, ok := s.Outputs[format]
	if !ok {
		return nil, "", fmt.Errorf("%w %q: use %s", ErrBadSbomFormat, format, strings.Join(SbomFormats, " or "))
	}
	return []string{s.Tool.Output, "scan", "oci-archive:" + s.Archive, "--source-name=" + s.Name, "--output=" + format + "=" + output}, output, nil
}
