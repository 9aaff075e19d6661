//go:build e2e

package tests

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/pipeline"
	"github.com/slipwayhq/slipway/plan"
)

// The SBOM tests read the SBOM of the notes fixture's image (the build the
// other image tests make, so the engine's cache serves it) in both formats,
// and check it against what the image and the fixture really hold.

// sbomPackage is one package of an SBOM, in either format.
type sbomPackage struct {
	Name, Version, PURL string
	OS                  bool // CycloneDX's operating-system component
}

// kind is the package's type by its purl: deb, npm, go-module, binary; or
// os for the distribution.
func (p sbomPackage) kind() string {
	if p.OS {
		return "os"
	}
	t, _, _ := strings.Cut(strings.TrimPrefix(p.PURL, "pkg:"), "/")
	switch t {
	case "golang":
		return "go-module"
	case "generic":
		return "binary"
	case "":
		return "none"
	}
	return t
}

// sbomSubject is the image an SBOM describes: its name and manifest digest.
type sbomSubject struct {
	Name, Digest string
}

// parseSbom reads the packages of an SPDX or CycloneDX JSON document and the
// image it describes.
func parseSbom(t *testing.T, format, doc string) (subject sbomSubject, pkgs []sbomPackage) {
	t.Helper()
	switch format {
	case plan.SbomSPDX:
		var d struct {
			SPDXVersion string `json:"spdxVersion"`
			Name        string `json:"name"`
			Packages    []struct {
				Name         string `json:"name"`
				VersionInfo  string `json:"versionInfo"`
				ExternalRefs []struct {
					Type    string `json:"referenceType"`
					Locator string `json:"referenceLocator"`
				} `json:"externalRefs"`
			} `json:"packages"`
		}
		require.NoError(t, json.Unmarshal([]byte(doc), &d), "the SPDX SBOM is not JSON: %s", lastLines(doc, 5))
		assert.True(t, strings.HasPrefix(d.SPDXVersion, "SPDX-2."), "spdxVersion %q", d.SPDXVersion)
		for _, p := range d.Packages {
			sp := sbomPackage{Name: p.Name, Version: p.VersionInfo}
			for _, r := range p.ExternalRefs {
				if r.Type == "purl" {
					sp.PURL = r.Locator
				}
			}
			if strings.HasPrefix(sp.PURL, "pkg:oci/") {
				subject = sbomSubject{Name: sp.Name, Digest: sp.Version} // the image itself
				continue
			}
			pkgs = append(pkgs, sp)
		}
		assert.Equal(t, subject.Name, d.Name, "the SPDX document is named after the image")
		return subject, pkgs
	case plan.SbomCycloneDX:
		var d struct {
			BOMFormat string `json:"bomFormat"`
			Metadata  struct {
				Component struct {
					Type    string `json:"type"`
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"component"`
			} `json:"metadata"`
			Components []struct {
				Type    string `json:"type"`
				Name    string `json:"name"`
				Group   string `json:"group"`
				Version string `json:"version"`
				PURL    string `json:"purl"`
			} `json:"components"`
		}
		require.NoError(t, json.Unmarshal([]byte(doc), &d), "the CycloneDX SBOM is not JSON: %s", lastLines(doc, 5))
		assert.Equal(t, "CycloneDX", d.BOMFormat)
		for _, c := range d.Components {
			if c.Type == "file" {
				continue // the files syft read, not packages
			}
			name := c.Name
			if c.Group != "" {
				name = c.Group + "/" + c.Name
			}
			pkgs = append(pkgs, sbomPackage{Name: name, Version: c.Version, PURL: c.PURL, OS: c.Type == "operating-system"})
		}
		c := d.Metadata.Component
		assert.Equal(t, "container", c.Type, "the CycloneDX SBOM describes a container")
		return sbomSubject{Name: c.Name, Digest: c.Version}, pkgs
	}
	t.Fatalf("no parser for %s", format)
	return sbomSubject{}, nil
}

// devOnly is every name@version the fixture's lockfile installs only as a
// dev dependency (dev, or devOptional: a dev dependency that a production
// package names only as an optional peer), and never as a production one.
func devOnly(t *testing.T, lockfile string) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(lockfile)
	require.NoError(t, err)
	var lock struct {
		Packages map[string]struct {
			Name        string `json:"name"`
			Version     string `json:"version"`
			Dev         bool   `json:"dev"`
			DevOptional bool   `json:"devOptional"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(raw, &lock))
	dev, prod := map[string]bool{}, map[string]bool{}
	for path, p := range lock.Packages {
		i := strings.LastIndex(path, "node_modules/")
		if i < 0 {
			continue // the root package
		}
		id := path[i+len("node_modules/"):] + "@" + p.Version
		if p.Dev || p.DevOptional {
			dev[id] = true
		} else {
			prod[id] = true
		}
	}
	for id := range prod {
		delete(dev, id)
	}
	return dev
}

// goModVersion is a module's version in Slipway's go.mod.
func goModVersion(t *testing.T, module string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(raw)
	require.NotNil(t, m, "go.mod requires %s", module)
	return string(m[1])
}

func TestSbomNotes(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	p := newPipeline(source(fixtureNotes))
	start := time.Now()
	img, err := p.Image(ctx)
	require.NoError(t, err)
	requireSynced(ctx, t, img)
	t.Logf("image: %s", time.Since(start).Round(time.Millisecond))

	nodeOut, err := img.WithExec([]string{"node", "--version"}).Stdout(ctx)
	require.NoError(t, err)
	nodeVersion := strings.TrimPrefix(strings.TrimSpace(nodeOut), "v")
	require.Regexp(t, `^\d+\.\d+\.\d+$`, nodeVersion, "node --version in the image")
	// What the standalone output really carries: the Prisma 7 client's
	// runtime package and the driver, traced by next build (which bundles
	// @prisma/adapter-pg into the server's chunks instead).
	for _, dir := range []string{"next", "@prisma/client", "pg", "react"} {
		ok, err := img.Exists(ctx, appDir+"/node_modules/"+dir+"/package.json")
		require.NoError(t, err)
		require.True(t, ok, "the standalone output no longer carries %s: pick what it does carry", dir)
	}
	dev := devOnly(t, filepath.Join(repoRoot(), "testdata", fixtureNotes, "package-lock.json"))
	require.NotEmpty(t, dev, "the fixture's lockfile has dev dependencies")
	pgx := goModVersion(t, "github.com/jackc/pgx/v5")
	// The image as docker load or a registry gets it: its manifest digest
	// is the one the SBOM names.
	oci := exportImage(t, img, "")
	digest := oci.Index.Manifests[0].Digest

	// Sbom for a given image (what publish calls, per platform), and
	// ImageSbom for the app's own (what the module's sbom calls).
	makers := map[string]func() (*dagger.File, error){
		plan.SbomSPDX:      func() (*dagger.File, error) { return p.Sbom(ctx, img, plan.SbomSPDX) },
		plan.SbomCycloneDX: func() (*dagger.File, error) { return p.ImageSbom(ctx, plan.SbomCycloneDX) },
	}
	for _, format := range plan.SbomFormats {
		t.Run(format, func(t *testing.T) {
			start := time.Now()
			f, err := makers[format]()
			require.NoError(t, err)
			doc, err := f.Contents(ctx)
			require.NoError(t, err)
			t.Logf("sbom %s: %s, %d bytes", format, time.Since(start).Round(time.Millisecond), len(doc))

			subject, pkgs := parseSbom(t, format, doc)
			assert.Equal(t, sbomSubject{Name: "notes", Digest: digest}, subject, "the SBOM names the image by the app and its manifest digest")
			byKind := map[string]map[string]string{}
			counts := map[string]int{}
			for _, pk := range pkgs {
				k := pk.kind()
				if byKind[k] == nil {
					byKind[k] = map[string]string{}
				}
				byKind[k][pk.Name] = pk.Version
				counts[k]++
			}
			t.Logf("packages by type: %v (total %d)", counts, len(pkgs))

			npm := byKind["npm"]
			assert.Equal(t, "16.4.6", npm["next"], "next in the SBOM")
			assert.Equal(t, "7.10.0", npm["@prisma/client"], "@prisma/client in the SBOM")
			assert.Equal(t, "8.23.1", npm["pg"], "pg in the SBOM")
			for _, d := range []string{"typescript", "prisma", "@types/node", "@types/react"} {
				assert.NotContains(t, npm, d, "a devDependency of the fixture is in the SBOM")
			}
			var devListed []string
			for _, pk := range pkgs {
				if pk.kind() == "npm" && dev[pk.Name+"@"+pk.Version] {
					devListed = append(devListed, pk.Name+"@"+pk.Version)
				}
			}
			sort.Strings(devListed)
			assert.Empty(t, devListed, "packages the lockfile installs only for development are in the SBOM")

			assert.Equal(t, nodeVersion, byKind["binary"]["node"], "the SBOM's Node is the image's `node --version`")

			deb := byKind["deb"]
			for _, d := range []string{"libc6", "libstdc++6", "libgcc-s1", "dash", "ca-certificates", "base-files"} {
				assert.NotEmpty(t, deb[d], "Debian package %s in the SBOM", d)
			}
			var debPURL string
			for _, pk := range pkgs {
				if pk.Name == "libc6" {
					debPURL = pk.PURL
				}
			}
			assert.Contains(t, debPURL, "distro=debian-12", "the Debian packages carry their distro, for scanners")
			if format == plan.SbomCycloneDX {
				assert.Equal(t, map[string]string{"debian": "12"}, byKind["os"], "the CycloneDX SBOM names the distribution")
			}

			gomod := byKind["go-module"]
			assert.Equal(t, pgx, gomod["github.com/jackc/pgx/v5"], "the migrator's Go modules in the SBOM")
			assert.Contains(t, gomod, "stdlib", "the migrator's Go standard library in the SBOM")
		})
	}
}

// TestSbomBadFormat: a format syft is not asked for is a clear sbom stage
// error, before anything builds.
func TestSbomBadFormat(t *testing.T) {
	ctx := ctxFor(t, 2*time.Minute)
	_, err := newPipeline(source(fixtureNotes)).Sbom(ctx, dag.Container(), "spdx")
	require.Error(t, err)
	var se *pipeline.StageError
	require.True(t, errors.As(err, &se), "a StageError, got %T: %v", err, err)
	assert.Equal(t, "sbom", se.Stage)
	assert.Contains(t, err.Error(), `"spdx"`)
	assert.Contains(t, err.Error(), "use spdx-json or cyclonedx-json")
}

// TestSbomFromModule calls the module's sbom as a user would, with a bad
// format: a clear error, before anything builds. (The good path is
// TestSbomNotes's ImageSbom: through the module, syft's build would use the
// module's own cache volumes, a second cold build in a fresh engine.)
func TestSbomFromModule(t *testing.T) {
	start := time.Now()
	_, err := daggerCall(t, "--source=testdata/"+fixtureNotes, "sbom", "--format=xml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `sbom failed: bad option: SBOM format "xml": use spdx-json or cyclonedx-json`)
	assert.Contains(t, err.Error(), "fix: pass --format=spdx-json or --format=cyclonedx-json")
	t.Logf("dagger call sbom --format=xml: %s", time.Since(start).Round(time.Millisecond))
}
