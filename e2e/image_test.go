//go:build e2e

package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
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

// The image tests prove the build stages and the runner image (issue 3).
//
// They read images the way a registry or a Docker daemon gets them: the
// image is exported to an OCI tarball and every layer is read back, not
// the merged Container.Rootfs(). A file deleted in a later layer still ships
// in an earlier layer's bytes, and a secret hides in layer bytes, not in a
// directory listing; the tarball also gives the config, the digests and the
// tar headers (modes, owners, times) that Rootfs() does not.

const buildTimeout = 25 * time.Minute

// Paths in the build container and the runner image.
const (
	appDir        = "/app"
	standaloneDir = appDir + "/.next/standalone"
	buildIDFile   = appDir + "/.next/BUILD_ID"
	migrateBinary = "usr/local/bin/slipway-migrate"
)

func TestImageRunnerFiles(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	// .env files in the source: Next reads them at build time and copies
	// them into .next/standalone; the runner must not ship them.
	src := source(fixtureNotes).
		WithNewFile(".env", "SLIPWAY_TEST_DOTENV=from-dot-env\n").
		WithNewFile(".env.production", "SLIPWAY_TEST_DOTENV=from-dot-env-production\n")
	p := newPipeline(src)
	build, err := p.Build(ctx)
	require.NoError(t, err)
	requireSynced(ctx, t, build)
	copied, err := build.Exists(ctx, standaloneDir+"/.env.production")
	require.NoError(t, err)
	require.True(t, copied, "next build no longer copies .env files into .next/standalone: the filter below is untested")
	img, err := p.Image(ctx)
	require.NoError(t, err)

	user, err := img.User(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1001:1001", user, "config User")
	// The runner has no coreutils: Node says who it runs as.
	uid, err := img.WithExec([]string{"node", "-p", "process.getuid() + ':' + process.getgid()"}).Stdout(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1001:1001", strings.TrimSpace(uid), "uid:gid of a process in the runner")

	oci := exportImage(t, img, dagger.ImageLayerCompressionGzip)
	oci.requireIntact(t)
	assert.Equal(t, "1001:1001", oci.Config.Config.User, "User in the exported config")

	// Forbidden files count in every layer, even when a later layer
	// deletes them: the bytes still ship.
	var forbidden []string
	for _, e := range oci.allEntries() {
		if why := forbiddenInRunner(e.Name); why != "" {
			forbidden = append(forbidden, fmt.Sprintf("layer %d: %s (%s)", e.Layer, e.Name, why))
		}
	}
	assert.Empty(t, forbidden, "the runner image ships files it must not")

	files := oci.files()
	for _, f := range []string{
		"app/server.js", "app/package.json", "app/.next/BUILD_ID", "app/public/robots.txt",
		"app/prisma/migrations/20250101000000_init/migration.sql",
		"app/prisma/migrations/20250102000000_add_done/migration.sql",
		"usr/local/lib/slipway/healthcheck.cjs", "usr/local/bin/node", migrateBinary,
	} {
		e, ok := files[f]
		if assert.True(t, ok, "the runner image has no /%s", f) {
			assert.Equal(t, byte(tar.TypeReg), e.Type, "/%s is not a regular file", f)
		}
	}
	assert.NotZero(t, files[migrateBinary].Mode&0o111, "/%s is not executable: mode %o", migrateBinary, files[migrateBinary].Mode)
	assert.NotEmpty(t, filesUnder(files, "app/.next/static/"), "the runner image has no .next/static files")
	assert.NotEmpty(t, filesUnder(files, "app/node_modules/next/"), "the standalone node_modules (next) is missing")
	// The runner's apt cleanup deletes files of the base layer: whiteouts.
	var aptLists []string
	for name := range files {
		if strings.HasPrefix(name, "var/lib/apt/lists/") {
			aptLists = append(aptLists, name)
		}
	}
	assert.Empty(t, aptLists, "apt lists survive in the runner's filesystem")
	cache, ok := files["app/.next/cache"]
	if assert.True(t, ok, "the runner has no writable .next/cache") {
		assert.Equal(t, 1001, cache.UID, "the runner user owns .next/cache")
	}
	t.Logf("runner: %d layers, %d files, %.1f MB uncompressed",
		len(oci.Layers), len(files), float64(oci.uncompressedSize())/1e6)
}

// forbiddenInRunner says why a path must not be in the runner, or "".
func forbiddenInRunner(name string) string {
	base := path.Base(name)
	inModules := strings.HasPrefix(name, "node_modules/") || strings.Contains(name, "/node_modules/")
	switch {
	case strings.HasPrefix(base, ".env"):
		return "an env file"
	case strings.Contains(name, "node_modules/.cache"):
		return "a build cache"
	case strings.HasPrefix(name, "usr/local/lib/node_modules/"):
		return "global node_modules: npm or corepack"
	case !inModules && (strings.HasSuffix(base, ".ts") || strings.HasSuffix(base, ".tsx")):
		return "TypeScript source"
	case !inModules && isPackageManagerBin(base):
		return "a package manager"
	}
	return ""
}

func isPackageManagerBin(base string) bool {
	switch base {
	case "npm", "npx", "corepack", "yarn", "yarnpkg", "pnpm", "pnpx":
		return true
	}
	return false
}

func filesUnder(files map[string]layerEntry, dir string) []string {
	var out []string
	for name, e := range files {
		if strings.HasPrefix(name, dir) && e.Type == tar.TypeReg {
			out = append(out, name)
		}
	}
	return out
}

func TestImageMetadata(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	release := plan.Release{
		Version:  "1.4.2",
		Revision: "4f2a9c0d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c",
		Created:  "2025-06-01T12:00:00Z",
		URL:      "https://git.example.com/acme/notes",
	}
	withRelease := func(c *pipeline.Config) { c.Release = release }
	img, err := newPipeline(source(fixtureNotes), withRelease).Image(ctx)
	require.NoError(t, err)
	requireSynced(ctx, t, img)
	// Everything is built now. A second run from fresh objects must stamp
	// nothing new: no label, config time or layer file may be newer than
	// this instant.
	builtBy := time.Now()

	args, err := img.DockerHealthcheck().Args(ctx)
	require.NoError(t, err)
	assert.Equal(t, pipeline.Healthcheck, args, "HEALTHCHECK command")
	for k, want := range map[string]string{"NODE_ENV": "production", "PORT": "3000", "HOSTNAME": "0.0.0.0"} {
		got, err := img.EnvVariable(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, want, got, "ENV %s", k)
	}
	ports, err := img.ExposedPorts(ctx)
	require.NoError(t, err)
	var exposed []int
	for _, p := range ports {
		n, err := p.Port(ctx)
		require.NoError(t, err)
		exposed = append(exposed, n)
	}
	assert.Equal(t, []int{3000}, exposed, "exposed ports")

	again, err := newPipeline(source(fixtureNotes), withRelease).Image(ctx)
	require.NoError(t, err)
	oci := exportImage(t, again, "")
	oci.requireIntact(t)
	cfg := oci.Config.Config
	if assert.NotNil(t, cfg.Healthcheck, "the exported config has no Healthcheck") {
		assert.Equal(t, append([]string{"CMD"}, pipeline.Healthcheck...), cfg.Healthcheck.Test, "Healthcheck.Test")
	}
	assert.Contains(t, cfg.ExposedPorts, "3000/tcp", "ExposedPorts in the exported config")
	assert.Subset(t, cfg.Env, []string{"NODE_ENV=production", "PORT=3000", "HOSTNAME=0.0.0.0"}, "Env in the exported config")
	assert.Equal(t, map[string]string{
		"org.opencontainers.image.title":    "notes",
		"org.opencontainers.image.source":   release.URL,
		"org.opencontainers.image.revision": release.Revision,
		"org.opencontainers.image.version":  release.Version,
		"org.opencontainers.image.created":  release.Created,
	}, cfg.Labels, "labels: exactly the OCI labels, from Config.Release")

	var late []string
	stamp := func(what string, ts *time.Time) {
		if ts != nil && ts.After(builtBy) {
			late = append(late, fmt.Sprintf("%s at %s", what, ts.Format(time.RFC3339Nano)))
		}
	}
	stamp("config created", oci.Config.Created)
	for i, h := range oci.Config.History {
		stamp(fmt.Sprintf("history[%d] %q", i, h.CreatedBy), h.Created)
	}
	for _, e := range oci.allEntries() {
		stamp(fmt.Sprintf("layer %d: %s", e.Layer, e.Name), &e.ModTime)
	}
	assert.Empty(t, late, "timestamps of this run (after %s) in a rebuild with no change", builtBy.Format(time.RFC3339Nano))
}

// secretNextConfig fails the build when the secret variable is unset and
// records a hash of its value, so the test can prove the build saw it.
const secretNextConfig = `import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const secret = process.env.SLIPWAY_TEST_BUILD_SECRET;
if (!secret) {
  throw new Error('SLIPWAY_TEST_BUILD_SECRET is unset at build time');
}
writeFileSync(new URL('./build-secret.sha256', import.meta.url),
  createHash('sha256').update(secret).digest('hex'));

export default { output: 'standalone' };
`

func TestImageBuildSecretInNoLayer(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	value := "slipway-secret-" + randomID() + randomID()
	sum := sha256.Sum256([]byte(value))
	hashHex := hex.EncodeToString(sum[:])
	secret := dag.SetSecret("slipway-test-build-secret-"+randomID(), "SLIPWAY_TEST_BUILD_SECRET="+value+"\n")
	src := source(fixtureNotes).WithNewFile("next.config.mjs", secretNextConfig)

	// Without the secret the build stops: the check in next.config is real.
	_, err := newPipeline(src).Build(ctx)
	se := requireStageError(t, err, "build")
	assert.Contains(t, se.Tail, "SLIPWAY_TEST_BUILD_SECRET is unset", "why the build failed")

	p := newPipeline(src, func(c *pipeline.Config) { c.BuildSecret = secret })
	build, err := p.Build(ctx)
	require.NoError(t, err)
	requireSynced(ctx, t, build)
	seen, err := build.File(appDir + "/build-secret.sha256").Contents(ctx)
	require.NoError(t, err, "next.config records the hash of the secret it saw")
	assert.Equal(t, hashHex, seen, "the build saw a different secret value")

	needles := [][]byte{[]byte(value), []byte(hashHex)}
	img, err := p.Image(ctx)
	require.NoError(t, err)
	oci := exportImage(t, img, dagger.ImageLayerCompressionGzip, needles...)
	oci.requireIntact(t)
	assert.Empty(t, oci.foundIn(value), "the build secret's value is in the runner image")

	// The build container, the secret's file unmounted: its layers hold the
	// hash the build wrote (proof the search reads file contents) but never
	// the value.
	bc := exportImage(t, build, dagger.ImageLayerCompressionUncompressed, needles...)
	bc.requireIntact(t)
	assert.Empty(t, bc.foundIn(value), "the build secret's value is in the build container")
	assert.NotEmpty(t, bc.foundIn(hashHex), "the search did not find build-secret.sha256's contents: it is not reading layers")
}

// nextPage is the prerendered home page in the standalone output.
const nextPage = standaloneDir + "/.next/server/app/index.html"

func TestBuildCachedUntilPageChanges(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	// Two pipelines over two loads of the source: separate calls with
	// nothing shared but the engine's cache.
	build := func(src *dagger.Directory) (digest, buildID string, b *dagger.Container) {
		t.Helper()
		b, err := newPipeline(src).Build(ctx)
		require.NoError(t, err)
		requireSynced(ctx, t, b)
		digest, err = b.Directory(standaloneDir).Digest(ctx)
		require.NoError(t, err)
		buildID, err = b.File(buildIDFile).Contents(ctx)
		require.NoError(t, err)
		return digest, buildID, b
	}
	start := time.Now()
	d1, id1, _ := build(source(fixtureNotes))
	first := time.Since(start)
	start = time.Now()
	d2, id2, _ := build(source(fixtureNotes))
	second := time.Since(start)
	t.Logf("first build %s, second %s", first.Round(time.Millisecond), second.Round(time.Millisecond))
	assert.Equal(t, id1, id2, "BUILD_ID changed with no source change: next build ran again")
	assert.Equal(t, d1, d2, ".next/standalone changed with no source change")

	// The module, called twice as a user would, each call its own session.
	// It is compared with itself only: its cache volumes are the module's
	// own, so its build steps never share cache keys with a plain client's.
	var calls []string
	for range 2 {
		out, err := daggerCall(t, "--source=testdata/"+fixtureNotes, "build", "directory", "--path="+standaloneDir, "digest")
		require.NoError(t, err)
		require.Regexp(t, `^sha256:[0-9a-f]{64}$`, strings.TrimSpace(out), "dagger call printed no digest")
		calls = append(calls, strings.TrimSpace(out))
	}
	assert.Equal(t, calls[0], calls[1], "a second `dagger call build` rebuilt .next/standalone")

	page, err := source(fixtureNotes).File("src/app/page.tsx").Contents(ctx)
	require.NoError(t, err)
	changed := strings.Replace(page, "<h1>{name}</h1>", "<h1>{name} (changed)</h1>", 1)
	require.NotEqual(t, page, changed, "the fixture page no longer has <h1>{name}</h1>")
	d3, id3, b3 := build(source(fixtureNotes).WithNewFile("src/app/page.tsx", changed))
	assert.NotEqual(t, d1, d3, ".next/standalone did not change with the page")
	assert.NotEqual(t, id1, id3, "BUILD_ID did not change with the page")
	html, err := b3.File(nextPage).Contents(ctx)
	require.NoError(t, err)
	assert.Contains(t, html, "(changed)", "the prerendered page lacks the change")
}

func TestImageExportLoadable(t *testing.T) {
	tarball := filepath.Join(t.TempDir(), "notes.tar")
	start := time.Now()
	_, err := daggerCall(t, "--source=testdata/"+fixtureNotes, "image", "export", "--path="+tarball)
	require.NoError(t, err)
	t.Logf("dagger call image export: %s", time.Since(start).Round(time.Millisecond))

	oci := readImage(t, tarball)
	oci.requireIntact(t)
	assert.Equal(t, "linux", oci.Config.OS, "config os")
	assert.Equal(t, "amd64", oci.Config.Architecture, "config architecture")
	assert.NotEmpty(t, oci.Layers, "the image has no layers")

	// Docker before 25 loads manifest.json, not index.json: it must name
	// the same config and layers.
	raw, err := os.ReadFile(filepath.Join(oci.dir, "manifest.json"))
	require.NoError(t, err, "the tarball has no manifest.json for docker load")
	var legacy []struct {
		Config string
		Layers []string
	}
	require.NoError(t, json.Unmarshal(raw, &legacy), "manifest.json: %s", raw)
	require.Len(t, legacy, 1, "manifest.json holds one image")
	assert.Equal(t, blobPath(oci.Manifest.Config.Digest), legacy[0].Config, "manifest.json config")
	var layers []string
	for _, l := range oci.Manifest.Layers {
		layers = append(layers, blobPath(l.Digest))
	}
	assert.Equal(t, layers, legacy[0].Layers, "manifest.json layers")
}

func TestImageNodeVersion(t *testing.T) {
	ctx := ctxFor(t, buildTimeout)
	for name, mod := range map[string]func(*pipeline.Config){
		"NodeVersion": func(c *pipeline.Config) { c.NodeVersion = "22" },
		"NodeImage":   func(c *pipeline.Config) { c.NodeImage = "node:22-bookworm-slim" },
	} {
		t.Run(name, func(t *testing.T) {
			p := newPipeline(source(fixturePnpm), mod)
			pl, err := p.Plan(ctx)
			require.NoError(t, err)
			assert.Equal(t, "node:22-bookworm-slim", pl.Base.Image)
			build, err := p.Build(ctx)
			require.NoError(t, err)
			img, err := p.Image(ctx)
			require.NoError(t, err)
			requireSynced(ctx, t, img)
			for what, ctr := range map[string]*dagger.Container{"build": build, "runner": img} {
				out, err := ctr.WithExec([]string{"node", "--version"}).Stdout(ctx)
				require.NoError(t, err)
				assert.Regexp(t, `^v22\.\d+\.\d+\n?$`, out, "node --version in the %s container", what)
			}
		})
	}
}

// TestOCIReader checks the tarball reader itself, with no engine: whiteouts,
// opaque directories and a search across write boundaries.
func TestOCIReader(t *testing.T) {
	entry := func(layer int, name string, typ byte) layerEntry {
		return layerEntry{Name: name, Type: typ, Layer: layer}
	}
	img := &ociImage{Layers: []layerScan{
		{Entries: []layerEntry{
			entry(0, "a", tar.TypeDir), entry(0, "a/b", tar.TypeReg), entry(0, "a/c", tar.TypeDir),
			entry(0, "a/c/d", tar.TypeReg), entry(0, "e", tar.TypeDir), entry(0, "e/f", tar.TypeReg),
		}},
		{Entries: []layerEntry{
			entry(1, "a/c/new", tar.TypeReg), entry(1, "a/.wh.b", tar.TypeReg),
			entry(1, "a/c/.wh..wh..opq", tar.TypeReg), entry(1, ".wh.e", tar.TypeReg),
		}},
	}}
	var names []string
	for name := range img.files() {
		names = append(names, name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"a", "a/c", "a/c/new"}, names, "files after whiteouts")
	assert.Len(t, img.allEntries(), 7, "every layer's entries, whiteout markers aside")

	w := &needleWriter{needle: []byte("cde")}
	for _, chunk := range []string{"ab", "c", "d", "ef"} {
		_, _ = w.Write([]byte(chunk))
	}
	assert.True(t, w.found, "a needle split across three writes")
	miss := &needleWriter{needle: []byte("xyz")}
	_, _ = miss.Write([]byte("abcxy"))
	_, _ = miss.Write([]byte("Z"))
	assert.False(t, miss.found, "xy then Z is not xyz")
}

// requireSynced runs ctr's pipeline and, when a step fails, fails with
// that step's command and output, which a bare Dagger error leaves out.
func requireSynced(ctx context.Context, t *testing.T, ctr *dagger.Container) {
	t.Helper()
	_, err := ctr.Sync(ctx)
	var execErr *dagger.ExecError
	if errors.As(err, &execErr) {
		require.FailNow(t, "a pipeline step failed", "`%s` exited with %d:\n%s",
			strings.Join(execErr.Cmd, " "), execErr.ExitCode, lastLines(execErr.Stdout+"\n"+execErr.Stderr, 30))
	}
	require.NoError(t, err)
}

// exportImage exports ctr as an OCI tarball (layers in compression when
// set) and reads it back, searching every layer for needles.
func exportImage(t *testing.T, ctr *dagger.Container, compression dagger.ImageLayerCompression, needles ...[]byte) *ociImage {
	t.Helper()
	tarball := filepath.Join(t.TempDir(), "image.tar")
	_, err := ctr.Export(ctxFor(t, buildTimeout), tarball, dagger.ContainerExportOpts{ForcedCompression: compression})
	require.NoError(t, err)
	return readImage(t, tarball, needles...)
}

// OCI image layout, as far as the tests read it.
type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	Platform  *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform,omitempty"`
}

type ociIndex struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Manifests     []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Config        ociDescriptor   `json:"config"`
	Layers        []ociDescriptor `json:"layers"`
}

type ociConfig struct {
	OS           string     `json:"os"`
	Architecture string     `json:"architecture"`
	Created      *time.Time `json:"created"`
	Config       struct {
		User         string              `json:"User"`
		Env          []string            `json:"Env"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Labels       map[string]string   `json:"Labels"`
		Healthcheck  *struct {
			Test []string `json:"Test"`
		} `json:"Healthcheck"`
	} `json:"config"`
	History []struct {
		Created   *time.Time `json:"created"`
		CreatedBy string     `json:"created_by"`
	} `json:"history"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// ociImage is an exported image tarball, unpacked and read back.
type ociImage struct {
	dir      string
	Layout   string // oci-layout
	Index    ociIndex
	Manifest ociManifest
	Config   ociConfig
	Layers   []layerScan
	// metadata holds index.json, manifest.json and the manifest and config
	// blobs, by name, for searching.
	metadata map[string][]byte
	needles  [][]byte
	// checks are the digest and size mismatches found while reading.
	checks []string
}

// layerScan is what one pass over a layer blob found.
type layerScan struct {
	Desc         ociDescriptor
	Digest       string // sha256 of the blob's bytes
	Size         int64  // the blob's size
	DiffID       string // sha256 of the uncompressed tar
	Uncompressed int64
	Entries      []layerEntry
	Found        map[string]bool // needle -> seen in the uncompressed tar
}

// layerEntry is one tar header of a layer.
type layerEntry struct {
	Name    string // clean, relative to /
	Type    byte
	Mode    int64
	UID     int
	ModTime time.Time
	Layer   int
}

const whiteoutPrefix, opaqueWhiteout = ".wh.", ".wh..wh..opq"

func blobPath(digest string) string {
	return "blobs/" + strings.Replace(digest, ":", "/", 1)
}

// readImage unpacks an OCI tarball and reads its index, manifest, config and
// every layer, searching layers for needles.
func readImage(t *testing.T, tarball string, needles ...[]byte) *ociImage {
	t.Helper()
	img := &ociImage{dir: t.TempDir(), metadata: map[string][]byte{}, needles: needles}
	require.NoError(t, untar(tarball, img.dir), "unpack %s", tarball)
	layout, err := os.ReadFile(filepath.Join(img.dir, "oci-layout"))
	require.NoError(t, err, "an OCI tarball has an oci-layout file")
	img.Layout = string(layout)
	img.readJSON(t, "index.json", &img.Index)
	if raw, err := os.ReadFile(filepath.Join(img.dir, "manifest.json")); err == nil {
		img.metadata["manifest.json"] = raw
	}

	require.NotEmpty(t, img.Index.Manifests, "index.json lists no manifest")
	desc := img.Index.Manifests[0]
	if desc.MediaType == "application/vnd.oci.image.index.v1+json" {
		var nested ociIndex
		img.readBlob(t, desc, &nested)
		desc = pickPlatform(t, nested.Manifests)
	}
	img.readBlob(t, desc, &img.Manifest)
	img.readBlob(t, img.Manifest.Config, &img.Config)
	for i, l := range img.Manifest.Layers {
		scan, err := scanLayer(filepath.Join(img.dir, blobPath(l.Digest)), l, i, needles)
		require.NoError(t, err, "layer %d (%s)", i, l.Digest)
		img.Layers = append(img.Layers, scan)
	}
	return img
}

func pickPlatform(t *testing.T, manifests []ociDescriptor) ociDescriptor {
	for _, m := range manifests {
		if m.Platform != nil && m.Platform.OS == "linux" && m.Platform.Architecture == "amd64" {
			return m
		}
	}
	require.FailNow(t, "the image index has no linux/amd64 manifest")
	return ociDescriptor{}
}

func (img *ociImage) readJSON(t *testing.T, name string, v any) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(img.dir, name))
	require.NoError(t, err)
	img.metadata[name] = raw
	require.NoError(t, json.Unmarshal(raw, v), "%s is not JSON: %s", name, raw)
	return raw
}

// readBlob reads a JSON blob and records whether its digest and size match.
func (img *ociImage) readBlob(t *testing.T, desc ociDescriptor, v any) {
	t.Helper()
	raw := img.readJSON(t, blobPath(desc.Digest), v)
	if got := sha256Digest(raw); got != desc.Digest {
		img.checks = append(img.checks, fmt.Sprintf("%s: content digest is %s", desc.Digest, got))
	}
	if int64(len(raw)) != desc.Size {
		img.checks = append(img.checks, fmt.Sprintf("%s: size %d, descriptor says %d", desc.Digest, len(raw), desc.Size))
	}
}

// requireIntact asserts what a loader checks: layout version, manifest and
// config digests, each layer's digest, size and diff_id.
func (img *ociImage) requireIntact(t *testing.T) {
	t.Helper()
	assert.JSONEq(t, `{"imageLayoutVersion":"1.0.0"}`, img.Layout, "oci-layout")
	assert.Equal(t, 2, img.Index.SchemaVersion, "index.json schemaVersion")
	assert.Equal(t, 2, img.Manifest.SchemaVersion, "manifest schemaVersion")
	assert.Equal(t, "layers", img.Config.RootFS.Type, "rootfs type")
	checks := append([]string(nil), img.checks...)
	require.Len(t, img.Config.RootFS.DiffIDs, len(img.Layers), "config diff_ids vs manifest layers")
	for i, l := range img.Layers {
		if l.Digest != l.Desc.Digest {
			checks = append(checks, fmt.Sprintf("layer %d: bytes hash to %s, manifest says %s", i, l.Digest, l.Desc.Digest))
		}
		if l.Size != l.Desc.Size {
			checks = append(checks, fmt.Sprintf("layer %d: %d bytes, manifest says %d", i, l.Size, l.Desc.Size))
		}
		if want := img.Config.RootFS.DiffIDs[i]; l.DiffID != want {
			checks = append(checks, fmt.Sprintf("layer %d: uncompressed tar hashes to %s, diff_id is %s", i, l.DiffID, want))
		}
	}
	assert.Empty(t, checks, "the tarball is not intact")
}

// allEntries is every entry of every layer, whiteouts aside.
func (img *ociImage) allEntries() []layerEntry {
	var out []layerEntry
	for _, l := range img.Layers {
		for _, e := range l.Entries {
			if !strings.HasPrefix(path.Base(e.Name), whiteoutPrefix) {
				out = append(out, e)
			}
		}
	}
	return out
}

// files is the image's filesystem as a container sees it: layers applied in
// order, whiteouts and opaque directories removing what lower layers added.
func (img *ociImage) files() map[string]layerEntry {
	fs := map[string]layerEntry{}
	removeTree := func(p string) {
		for name := range fs {
			if name == p || strings.HasPrefix(name, p+"/") {
				delete(fs, name)
			}
		}
	}
	for _, l := range img.Layers {
		// Whiteouts hide lower layers only, wherever they sit in this tar.
		for _, e := range l.Entries {
			dir, base := path.Dir(e.Name), path.Base(e.Name)
			switch {
			case base == opaqueWhiteout:
				for name := range fs {
					if strings.HasPrefix(name, dir+"/") {
						delete(fs, name)
					}
				}
			case strings.HasPrefix(base, whiteoutPrefix):
				removeTree(path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)))
			}
		}
		for _, e := range l.Entries {
			if strings.HasPrefix(path.Base(e.Name), whiteoutPrefix) {
				continue
			}
			if old, ok := fs[e.Name]; ok && old.Type == tar.TypeDir && e.Type != tar.TypeDir {
				removeTree(e.Name)
			}
			fs[e.Name] = e
		}
	}
	return fs
}

// foundIn names the layers and metadata files that contain needle.
func (img *ociImage) foundIn(needle string) []string {
	var where []string
	for i, l := range img.Layers {
		if l.Found[needle] {
			where = append(where, fmt.Sprintf("layer %d (%s)", i, l.Desc.Digest))
		}
	}
	for name, raw := range img.metadata {
		if bytes.Contains(raw, []byte(needle)) {
			where = append(where, name)
		}
	}
	sort.Strings(where)
	return where
}

func (img *ociImage) uncompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Uncompressed
	}
	return n
}

// scanLayer reads a layer blob once: it hashes the blob and its
// uncompressed tar, lists the tar's headers and searches it for needles.
func scanLayer(file string, desc ociDescriptor, index int, needles [][]byte) (layerScan, error) {
	scan := layerScan{Desc: desc, Found: map[string]bool{}}
	f, err := os.Open(file)
	if err != nil {
		return scan, fmt.Errorf("open the layer blob: %w", err)
	}
	defer f.Close()
	blobHash := sha256.New()
	blob := &countingReader{r: io.TeeReader(f, blobHash)}

	var raw io.Reader = blob
	switch mt := desc.MediaType; {
	case strings.HasSuffix(mt, "tar+gzip") || strings.HasSuffix(mt, "tar.gzip"):
		zr, err := gzip.NewReader(blob)
		if err != nil {
			return scan, fmt.Errorf("gunzip: %w", err)
		}
		raw = zr
	case strings.HasSuffix(mt, ".tar") || strings.HasSuffix(mt, "diff.tar"):
	default:
		return scan, fmt.Errorf("media type %q: the test reads gzip or uncompressed layers; export with ForcedCompression", mt)
	}

	diffHash := sha256.New()
	search := make([]*needleWriter, len(needles))
	sinks := []io.Writer{diffHash}
	for i, n := range needles {
		search[i] = &needleWriter{needle: n}
		sinks = append(sinks, search[i])
	}
	tarStream := &countingReader{r: io.TeeReader(raw, io.MultiWriter(sinks...))}
	tr := tar.NewReader(tarStream)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return scan, fmt.Errorf("read the layer tar: %w", err)
		}
		// File contents pass through the tee while tar skips them.
		scan.Entries = append(scan.Entries, layerEntry{
			Name: strings.TrimPrefix(path.Clean("/"+h.Name), "/"), Type: h.Typeflag,
			Mode: h.Mode, UID: h.Uid, ModTime: h.ModTime, Layer: index,
		})
	}
	// The tar's end padding and the gzip trailer belong to the digests too.
	if _, err := io.Copy(io.Discard, tarStream); err != nil {
		return scan, fmt.Errorf("read to the end of the layer: %w", err)
	}
	if _, err := io.Copy(io.Discard, blob); err != nil {
		return scan, fmt.Errorf("read to the end of the blob: %w", err)
	}
	scan.Digest, scan.Size = hashDigest(blobHash), blob.n
	scan.DiffID, scan.Uncompressed = hashDigest(diffHash), tarStream.n
	for _, s := range search {
		scan.Found[string(s.needle)] = s.found
	}
	return scan, nil
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func hashDigest(h hash.Hash) string { return "sha256:" + hex.EncodeToString(h.Sum(nil)) }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// needleWriter reports whether needle occurs in what is written to it,
// across write boundaries.
type needleWriter struct {
	needle []byte
	tail   []byte
	found  bool
}

func (w *needleWriter) Write(p []byte) (int, error) {
	if w.found || len(w.needle) == 0 {
		return len(p), nil
	}
	buf := make([]byte, 0, len(w.tail)+len(p))
	buf = append(append(buf, w.tail...), p...)
	if bytes.Contains(buf, w.needle) {
		w.found = true
		return len(p), nil
	}
	if keep := len(w.needle) - 1; len(buf) > keep {
		buf = buf[len(buf)-keep:]
	}
	w.tail = buf
	return len(p), nil
}

// untar unpacks a tarball of regular files and directories into dir.
func untar(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", tarball, err)
		}
		name := path.Clean("/" + h.Name)
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			err = writeFile(target, tr)
		default:
			err = fmt.Errorf("%s: unexpected entry type %q in an OCI tarball", h.Name, h.Typeflag)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(target string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.Create(target)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return fmt.Errorf("write %s: %w", target, err)
	}
	return out.Close()
}
