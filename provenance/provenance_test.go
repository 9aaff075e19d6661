package provenance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/plan"
)

const (
	imageDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	nodeDigest  = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	debDigest   = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
	commit      = "0123456789abcdef0123456789abcdef01234567"
)

func build() Build {
	return Build{
		Image:     "registry.example/acme/notes",
		Digest:    imageDigest,
		SourceURL: "https://github.com/acme/notes",
		Revision:  commit,
		Options:   map[string]any{"appDir": ".", "port": 3000},
		BaseImages: []BaseImage{
			{Ref: "node:24-bookworm-slim", Digest: nodeDigest},
			{Ref: "debian:bookworm-slim", Digest: debDigest},
		},
		Version:      "0.4.0",
		Versions:     map[string]string{"dagger": "v0.21.8"},
		InvocationID: "https://ci.example/acme/notes/runs/42",
		Started:      time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600)),
		Finished:     time.Date(2026, 12, 1, 9, 2, 30, 0, time.UTC),
		CI: []Stage{
			{Name: "install", Duration: 12 * time.Second},
			{Name: "build", Duration: 20500 * time.Millisecond},
			{Name: "migrate"},
			{Name: "smoke", Duration: 3 * time.Second},
		},
	}
}

// decoded is the statement as a consumer reads it: plain JSON, so that the
// test checks the wire names the SLSA v1 and in-toto v1 specs give.
func decoded(t *testing.T, s *Statement) map[string]any {
	t.Helper()
	raw, err := s.JSON()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestStatementShape(t *testing.T) {
	s, err := New(build())
	require.NoError(t, err)
	m := decoded(t, s)

	assert.Equal(t, "https://in-toto.io/Statement/v1", m["_type"])
	assert.Equal(t, "https://slsa.dev/provenance/v1", m["predicateType"])
	assert.Equal(t, []any{map[string]any{
		"name":   "registry.example/acme/notes",
		"digest": map[string]any{"sha256": strings.Repeat("1", 64)},
	}}, m["subject"])

	pred := m["predicate"].(map[string]any)
	assert.ElementsMatch(t, []string{"buildDefinition", "runDetails"}, keys(pred))

	bd := pred["buildDefinition"].(map[string]any)
	assert.ElementsMatch(t, []string{"buildType", "externalParameters", "resolvedDependencies"}, keys(bd))
	assert.Equal(t, BuildType, bd["buildType"])
	assert.Equal(t, map[string]any{
		"source":  map[string]any{"uri": "https://github.com/acme/notes", "revision": commit},
		"options": map[string]any{"appDir": ".", "port": float64(3000)},
	}, bd["externalParameters"])
	assert.Equal(t, []any{
		map[string]any{"name": "source", "uri": "git+https://github.com/acme/notes@" + commit, "digest": map[string]any{"gitCommit": commit}},
		map[string]any{"name": "node:24-bookworm-slim", "uri": "pkg:oci/node?repository_url=docker.io/library/node&tag=24-bookworm-slim", "digest": map[string]any{"sha256": strings.Repeat("2", 64)}},
		map[string]any{"name": "debian:bookworm-slim", "uri": "pkg:oci/debian?repository_url=docker.io/library/debian&tag=bookworm-slim", "digest": map[string]any{"sha256": strings.Repeat("3", 64)}},
	}, bd["resolvedDependencies"])

	rd := pred["runDetails"].(map[string]any)
	assert.ElementsMatch(t, []string{"builder", "metadata", "byproducts"}, keys(rd))
	assert.Equal(t, map[string]any{
		"id":      "https://github.com/slipwayhq/slipway",
		"version": map[string]any{"slipway": "0.4.0", "dagger": "v0.21.8"},
	}, rd["builder"])
	assert.Equal(t, map[string]any{
		"invocationId": "https://ci.example/acme/notes/runs/42",
		"startedOn":    "2026-12-01T09:00:00Z", // in UTC
		"finishedOn":   "2026-12-01T09:02:30Z",
	}, rd["metadata"])
	assert.Equal(t, []any{map[string]any{
		"name":      "ci",
		"mediaType": "application/vnd.slipway.ci.v1+json",
		"annotations": map[string]any{
			"result": "passed",
			"passed": []any{"install", "build", "migrate", "smoke"},
			"stages": []any{
				map[string]any{"name": "install", "result": "passed", "durationSeconds": float64(12)},
				map[string]any{"name": "build", "result": "passed", "durationSeconds": 20.5},
				map[string]any{"name": "migrate", "result": "passed"},
				map[string]any{"name": "smoke", "result": "passed", "durationSeconds": float64(3)},
			},
		},
	}}, rd["byproducts"])
}

// TestPredicateJSON: what cosign attest takes is the predicate alone.
func TestPredicateJSON(t *testing.T) {
	s, err := New(build())
	require.NoError(t, err)
	raw, err := s.PredicateJSON()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.ElementsMatch(t, []string{"buildDefinition", "runDetails"}, keys(m))
}

// TestMinimal: with no source, times or versions, those fields are left
// out rather than written empty.
func TestMinimal(t *testing.T) {
	s, err := New(Build{Image: "localhost:5000/app", Digest: imageDigest, CI: []Stage{{Name: "build"}, {Name: "smoke"}}})
	require.NoError(t, err)
	m := decoded(t, s)
	pred := m["predicate"].(map[string]any)
	bd := pred["buildDefinition"].(map[string]any)
	assert.NotContains(t, bd, "resolvedDependencies")
	assert.Equal(t, map[string]any{"source": map[string]any{}}, bd["externalParameters"])
	rd := pred["runDetails"].(map[string]any)
	assert.NotContains(t, rd, "metadata")
	assert.Equal(t, map[string]any{"id": BuilderID}, rd["builder"])
}

// TestRevisionNotCommit: a branch or short hash is recorded, but is no digest.
func TestRevisionNotCommit(t *testing.T) {
	for _, rev := range []string{"main", "0123456", "v1.4.0"} {
		b := build()
		b.Revision = rev
		s, err := New(b)
		require.NoError(t, err)
		src := s.Predicate.BuildDefinition.ResolvedDependencies[0]
		assert.Equal(t, "git+https://github.com/acme/notes@"+rev, src.URI)
		assert.Nil(t, src.Digest, rev)
	}
}

func TestErrors(t *testing.T) {
	b := build()
	b.Image = ""
	_, err := New(b)
	assert.ErrorIs(t, err, ErrNoImage)

	for _, d := range []string{"", "sha256:abc", "sha512:" + strings.Repeat("a", 64), strings.Repeat("a", 64), "sha256:" + strings.Repeat("A", 64)} {
		b = build()
		b.Digest = d
		_, err = New(b)
		assert.ErrorIs(t, err, ErrDigest, "image digest %q", d)
	}

	b = build()
	b.BaseImages[1].Digest = "latest"
	_, err = New(b)
	assert.ErrorIs(t, err, ErrDigest)
	assert.ErrorContains(t, err, "debian:bookworm-slim")

	b = build()
	b.CI = nil
	_, err = New(b)
	assert.ErrorIs(t, err, ErrNoStages)
}

func TestImageURI(t *testing.T) {
	for ref, want := range map[string]string{
		"node:24-bookworm-slim":              "pkg:oci/node?repository_url=docker.io/library/node&tag=24-bookworm-slim",
		"ghcr.io/acme/base:1":                "pkg:oci/base?repository_url=ghcr.io/acme/base&tag=1",
		"localhost:5000/golang":              "pkg:oci/golang?repository_url=localhost:5000/golang",
		"postgres@sha256:" + imageDigest[7:]: "pkg:oci/postgres?repository_url=docker.io/library/postgres",
		"Not A Ref":                          "Not A Ref",
	} {
		assert.Equal(t, want, ImageURI(ref), ref)
	}
}

func TestSourceURI(t *testing.T) {
	assert.Equal(t, "git+https://github.com/acme/notes@main", SourceURI("https://github.com/acme/notes", "main"))
	assert.Equal(t, "git+ssh://git@github.com/acme/notes", SourceURI("ssh://git@github.com/acme/notes", ""))
	assert.Equal(t, "git@github.com:acme/notes@abc", SourceURI("git@github.com:acme/notes", "abc"))
	assert.Equal(t, "", SourceURI("", commit))
}

// TestOptions: the plan's options with defaults filled, without the source
// URL and revision (the source parameter has them).
func TestOptions(t *testing.T) {
	m, err := Options(plan.Options{
		BuildEnv: []string{"NEXT_PUBLIC_SITE=https://acme.example"},
		Release:  plan.Release{Version: "1.4.0", Revision: commit, URL: "https://github.com/acme/notes"},
	})
	require.NoError(t, err)
	assert.Equal(t, ".", m["appDir"])
	assert.Equal(t, plan.DefaultNodeImage, m["nodeImage"])
	assert.Equal(t, plan.DefaultRunnerImage, m["runnerImage"])
	assert.Equal(t, float64(plan.DefaultPort), m["port"])
	assert.Equal(t, plan.MigratorSlipway, m["migrator"])
	assert.Equal(t, []any{"NEXT_PUBLIC_SITE=https://acme.example"}, m["buildEnv"])
	assert.Equal(t, map[string]any{"version": "1.4.0"}, m["release"])

	m, err = Options(plan.Options{})
	require.NoError(t, err)
	assert.NotContains(t, m, "release", "an empty release is left out")

	_, err = Options(plan.Options{Port: 70000})
	assert.ErrorIs(t, err, plan.ErrBadOption)
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
