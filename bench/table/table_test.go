package table

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, Median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, Median([]float64{4, 1, 3, 2}))
	assert.Equal(t, 7.0, Median([]float64{7}))
	assert.True(t, math.IsNaN(Median(nil)))
	xs := []float64{3, 1, 2}
	Median(xs)
	assert.Equal(t, []float64{3, 1, 2}, xs, "Median leaves its input in place")
}

const raw = `# bench/run raw timings
meta date 2026-12-01
meta machine 2 cores
sample cold reference 100
sample cold slipway 70
sample cold reference 120
sample cold slipway 90
sample cold reference 110
sample cold slipway 200
sample page reference 60
sample page slipway 40
sample lockfile reference 100
sample lockfile slipway 60
sample nochange reference 2
sample nochange slipway 4.5
sample export reference 10
sample export slipway 5
sample ci slipway 50
size reference 500000000
size slipway 176000000
floor next-build-warm 20.5
floor node-bytes 120000000
`

func TestParse(t *testing.T) {
	in, err := Parse(strings.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, "2 cores", in.Meta["machine"])
	assert.Len(t, in.Samples, 15)
	assert.Equal(t, Sample{Step: "cold", Runner: Slipway, Seconds: 70}, in.Samples[1])
	assert.Equal(t, int64(176000000), in.Sizes[Slipway])
	assert.Equal(t, 20.5, in.Floor["next-build-warm"])

	for _, bad := range []string{"sample cold docker 1", "sample cold slipway x", "size slipway -1", "bogus x", "meta date", "sample cold slipway -2"} {
		_, err := Parse(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

func row(t *testing.T, r Result, step string) Row {
	t.Helper()
	for _, row := range r.Rows {
		if row.Step == step {
			return row
		}
	}
	t.Fatalf("no row %q", step)
	return Row{}
}

func TestCompute(t *testing.T) {
	in, err := Parse(strings.NewReader(raw))
	require.NoError(t, err)
	res := Compute(in)

	cold := row(t, res, StepCold)
	assert.Equal(t, 110.0, *cold.Reference, "median of 100, 120, 110")
	assert.Equal(t, 90.0, *cold.Slipway, "median of 70, 90, 200")
	assert.InDelta(t, 90.0/110, *cold.Ratio, 1e-9)
	assert.Equal(t, 3, cold.Runs)
	assert.False(t, *cold.Met, "0.82× misses ≤ 0.8×")

	page := row(t, res, StepPage)
	assert.InDelta(t, 0.667, *page.Ratio, 0.001)
	assert.False(t, *page.Met, "page must be ≤ 0.5×")

	lock := row(t, res, StepLockfile)
	assert.True(t, *lock.Met, "0.6× ≤ 0.7×")

	nc := row(t, res, StepNoChange)
	assert.False(t, *nc.Met, "4.5 s is over 3 s, whatever the reference took")

	ci := row(t, res, StepCI)
	assert.Nil(t, ci.Reference, "ci is Slipway's alone")
	assert.Nil(t, ci.Ratio)
	assert.True(t, *ci.Met, "50 s ≤ 1.3 × 40 s")

	exp := row(t, res, StepExport)
	assert.Nil(t, exp.Met, "export has no target")

	size := row(t, res, "size")
	assert.Equal(t, "MB", size.Unit)
	assert.InDelta(t, 0.352, *size.Ratio, 1e-9)
	assert.True(t, *size.Met)

	var steps []string
	for _, r := range res.Rows {
		steps = append(steps, r.Step)
	}
	assert.Equal(t, []string{"cold", "page", "lockfile", "nochange", "export", "ci", "size"}, steps)
}

func TestComputeLeavesOutWhatWasNotMeasured(t *testing.T) {
	res := Compute(Input{Samples: []Sample{{Step: StepPage, Runner: Slipway, Seconds: 3}}})
	require.Len(t, res.Rows, 1)
	assert.Nil(t, res.Rows[0].Ratio)
	assert.Nil(t, res.Rows[0].Met, "no ratio, no verdict")
}

func TestMarkdownAndJSON(t *testing.T) {
	in, err := Parse(strings.NewReader(raw))
	require.NoError(t, err)
	res := Compute(in)
	md := res.Markdown()
	assert.Contains(t, md, "date: 2026-12-01; machine: 2 cores")
	assert.Contains(t, md, "| cold (install onward misses) | 110.0 s | 90.0 s | 0.82× | 3 | ≤ 0.8× reference | missed |")
	assert.Contains(t, md, "| warm `ci` after a one-page change | – | 50.0 s | – | 1 | ≤ 1.3× Slipway's page-change `image` | met |")
	assert.Contains(t, md, "| image size, uncompressed | 500.0 MB | 176.0 MB | 0.35× |  | ≤ 0.4× reference | met |")
	assert.Contains(t, md, "- next-build-warm: 20.5 s")
	assert.Contains(t, md, "- node: 120.0 MB")

	b, err := res.JSON()
	require.NoError(t, err)
	var back Result
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, res.Rows, back.Rows)
	assert.Equal(t, "2 cores", back.Meta["machine"])
}
