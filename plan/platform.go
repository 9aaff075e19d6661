package plan

import (
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/names"
)

// DefaultPlatform is the platform an image is built for when none is given.
const DefaultPlatform = "linux/amd64"

// Platform is one platform the runner is assembled for. The JavaScript is
// built once, on the engine's own platform; each other platform gets that
// build with its platform-specific packages taken from a production install
// run on the platform itself (under emulation where the engine needs it).
type Platform struct {
	Name   string `json:"name"`   // OCI platform, e.g. linux/arm64
	GOARCH string `json:"goarch"` // the migrator's build target
	// NodeCPU and Libc are how package.json's cpu and libc fields name it.
	NodeCPU string `json:"nodeCpu"`
	Libc    string `json:"libc"`
}

// platforms are the ones Slipway assembles runners for: those the official
// Node and Debian images publish and the pipeline tests.
var platforms = map[string]Platform{
	"linux/amd64": {Name: "linux/amd64", GOARCH: "amd64", NodeCPU: "x64"},
	"linux/arm64": {Name: "linux/arm64", GOARCH: "arm64", NodeCPU: "arm64"},
}

// platformAliases are spellings of the same platforms.
var platformAliases = map[string]string{
	"amd64": "linux/amd64", "x86_64": "linux/amd64", "linux/x86_64": "linux/amd64",
	"arm64": "linux/arm64", "aarch64": "linux/arm64", "linux/aarch64": "linux/arm64", "linux/arm64/v8": "linux/arm64",
}

// parsePlatforms is the platforms named by opts (comma lists allowed), in
// order, without repeats; none is DefaultPlatform.
func parsePlatforms(given []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, g := range given {
		for _, name := range strings.Split(g, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if a, ok := platformAliases[name]; ok {
				name = a
			}
			if _, ok := platforms[name]; !ok {
				return nil, fmt.Errorf("%w: platform %q is not supported: use linux/amd64, linux/arm64 or both (--platforms=linux/amd64,linux/arm64)", ErrBadOption, name)
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	if len(out) == 0 {
		out = []string{DefaultPlatform}
	}
	return out, nil
}

// platforms is every platform of the plan, with the C library of the runner.
func (d *decider) platforms() []Platform {
	libc := "glibc"
	if d.alpine() {
		libc = "musl"
	}
	var out []Platform
	for _, name := range d.o.Platforms {
		p := platforms[name]
		p.Libc = libc
		out = append(out, p)
	}
	return out
}

// Retarget is how a runner for a platform other than the build's gets its
// platform-specific packages.
type Retarget struct {
	// Install is the production install (Install.ProductionCommand) run on
	// the target platform, read only for the packages it differs in.
	Install string `json:"install"`
	// Script swaps them in the standalone output: packages whose os, cpu or
	// libc exclude the target go; the same parents' packages for the target
	// come from the install; other native addons (*.node) are replaced by
	// the install's at the same path, and one it lacks fails the stage.
	Script string `json:"script"`
	Rule   string `json:"rule"`
}

func (d *decider) retarget() Retarget {
	return Retarget{
		Install: "the install stage's production command, on the target platform",
		Script:  names.RetargetScript,
		Rule:    "only for platforms other than the engine's own, which builds the JavaScript once",
	}
}
