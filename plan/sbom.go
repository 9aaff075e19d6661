package plan

import (
	"fmt"
	"strings"
)

// The SBOM formats Slipway writes, by syft's names for them.
const (
	SbomSPDX          = "spdx-json"
	SbomCycloneDX     = "cyclonedx-json"
	DefaultSbomFormat = SbomSPDX

	// Syft is the SBOM generator, built from its module at this version.
	SyftPackage = "github.com/anchore/syft/cmd/syft"
	SyftVersion = "v1.57.1"
)

// ErrBadSbomFormat is wrapped by Sbom.Scan for a format it does not write.
var ErrBadSbomFormat = fmt.Errorf("%w: SBOM format", ErrBadOption)

// Sbom is how the runner image's software bill of materials is made: syft,
// built as a CLI, scans the image's OCI archive. Syft finds the Debian
// packages by the dpkg records rootfs.sh writes, the npm packages by their
// package.json files in node_modules, Node by its version string and the
// migrator's Go modules by its build info. Syft runs in the golang image of
// its build.
type Sbom struct {
	Build *ToolBuild `json:"build"`
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

// SbomFormats are the formats Slipway writes, default first.
var SbomFormats = []string{SbomSPDX, SbomCycloneDX}

// sbomDir is where syft writes the SBOM.
const sbomDir = "/sbom"

// SbomOf is how the SBOM of app's image is made.
func SbomOf(o Options, app string) *Sbom {
	return &Sbom{
		// -X main.version: syft names itself and its version in every SBOM.
		Build:   ToolBuildOf(o, "syft", SyftPackage, SyftVersion, "-X main.version="+strings.TrimPrefix(SyftVersion, "v")),
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
	return []string{s.Build.Output, "scan", "oci-archive:" + s.Archive, "--source-name=" + s.Name, "--output=" + format + "=" + output}, output, nil
}
