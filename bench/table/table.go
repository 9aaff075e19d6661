// Package table turns the raw timings of bench/run into the side-by-side
// table of Slipway against the reference Dockerfile: medians per step and
// runner, the ratio Slipway / reference, each target met or missed, the
// floor, rendered as Markdown and JSON.
package table

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Runners.
const (
	Reference = "reference"
	Slipway   = "slipway"
)

// Steps, in the order bench/run takes them.
const (
	StepCold     = "cold"
	StepPage     = "page"
	StepLockfile = "lockfile"
	StepNoChange = "nochange"
	StepExport   = "export"
	StepCI       = "ci"
)

// Steps is every timed step, in order.
var Steps = []string{StepCold, StepPage, StepLockfile, StepNoChange, StepExport, StepCI}

var stepLabels = map[string]string{
	StepCold:     "cold (install onward misses)",
	StepPage:     "one page changed",
	StepLockfile: "lockfile changed (one dependency added)",
	StepNoChange: "no change",
	StepExport:   "export (image as a tarball)",
	StepCI:       "warm `ci` after a one-page change",
}

// Sample is one timed run of one step.
type Sample struct {
	Step    string  `json:"step"`
	Runner  string  `json:"runner"`
	Seconds float64 `json:"seconds"`
}

// Input is what bench/run measured.
type Input struct {
	Meta    map[string]string  // date, machine, app, note...
	Samples []Sample           // every timed run
	Sizes   map[string]int64   // runner -> image bytes, uncompressed
	Floor   map[string]float64 // next-build-warm, next-build-cold (s); node-bytes, standalone-bytes... (bytes)
}

// Parse reads bench/run's raw file, one fact a line:
//
//	meta KEY VALUE...
//	sample STEP RUNNER SECONDS
//	size RUNNER BYTES
//	floor KEY NUMBER
//
// Blank lines and lines starting with # are skipped.
func Parse(r io.Reader) (Input, error) {
	in := Input{Meta: map[string]string{}, Sizes: map[string]int64{}, Floor: map[string]float64{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		bad := func(why string) error { return fmt.Errorf("line %d: %q: %s", n, line, why) }
		switch f[0] {
		case "meta":
			if len(f) < 3 {
				return in, bad("want: meta KEY VALUE")
			}
			in.Meta[f[1]] = strings.Join(f[2:], " ")
		case "sample":
			if len(f) != 4 {
				return in, bad("want: sample STEP RUNNER SECONDS")
			}
			s, err := strconv.ParseFloat(f[3], 64)
			if err != nil || s < 0 {
				return in, bad("seconds is not a non-negative number")
			}
			if f[2] != Reference && f[2] != Slipway {
				return in, bad("runner is neither " + Reference + " nor " + Slipway)
			}
			in.Samples = append(in.Samples, Sample{Step: f[1], Runner: f[2], Seconds: s})
		case "size":
			if len(f) != 3 {
				return in, bad("want: size RUNNER BYTES")
			}
			b, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || b < 0 {
				return in, bad("bytes is not a non-negative integer")
			}
			in.Sizes[f[1]] = b
		case "floor":
			if len(f) != 3 {
				return in, bad("want: floor KEY NUMBER")
			}
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return in, bad("not a number")
			}
			in.Floor[f[1]] = v
		default:
			return in, bad("unknown kind " + f[0])
		}
	}
	return in, sc.Err()
}

// Median of xs; NaN when xs is empty.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Row is one line of the table. Nil numbers were not measured.
type Row struct {
	Step      string   `json:"step"`
	Label     string   `json:"label"`
	Unit      string   `json:"unit"` // "s" or "MB"
	Reference *float64 `json:"reference"`
	Slipway   *float64 `json:"slipway"`
	Ratio     *float64 `json:"ratio"` // Slipway / reference
	Runs      int      `json:"runs"`  // samples behind each median (the fewest of the two)
	Target    string   `json:"target,omitempty"`
	Met       *bool    `json:"met,omitempty"`
}

// Result is the table, with what it was measured on and the floor.
type Result struct {
	Meta  map[string]string  `json:"meta"`
	Rows  []Row              `json:"rows"`
	Floor map[string]float64 `json:"floor,omitempty"`
}

// Targets of issue #11.
const (
	TargetPage     = 0.5  // page change, Slipway / reference
	TargetCold     = 0.8  // cold, Slipway / reference
	TargetLockfile = 0.7  // lockfile change, Slipway / reference
	TargetNoChange = 3.0  // seconds, Slipway through dagger call
	TargetCI       = 1.3  // warm ci / Slipway's page-change image build
	TargetSize     = 0.40 // image bytes, Slipway / reference
)

func ptr[T any](v T) *T { return &v }

// Compute takes the medians and checks the targets.
func Compute(in Input) Result {
	res := Result{Meta: in.Meta, Floor: in.Floor}
	med := map[string]map[string]*float64{}
	runs := map[string]int{}
	for _, step := range Steps {
		med[step] = map[string]*float64{}
		least := -1
		for _, runner := range []string{Reference, Slipway} {
			var xs []float64
			for _, s := range in.Samples {
				if s.Step == step && s.Runner == runner {
					xs = append(xs, s.Seconds)
				}
			}
			if len(xs) > 0 {
				med[step][runner] = ptr(Median(xs))
				if least < 0 || len(xs) < least {
					least = len(xs)
				}
			}
		}
		if least > 0 {
			runs[step] = least
		}
	}
	for _, step := range Steps {
		r := Row{Step: step, Label: stepLabels[step], Unit: "s", Reference: med[step][Reference], Slipway: med[step][Slipway], Runs: runs[step]}
		if r.Reference != nil && r.Slipway != nil && *r.Reference > 0 {
			r.Ratio = ptr(*r.Slipway / *r.Reference)
		}
		ratioTarget := func(max float64) {
			r.Target = fmt.Sprintf("≤ %.2g× reference", max)
			if r.Ratio != nil {
				r.Met = ptr(*r.Ratio <= max)
			}
		}
		switch step {
		case StepCold:
			ratioTarget(TargetCold)
		case StepPage:
			ratioTarget(TargetPage)
		case StepLockfile:
			ratioTarget(TargetLockfile)
		case StepNoChange:
			r.Target = fmt.Sprintf("Slipway ≤ %g s", TargetNoChange)
			if r.Slipway != nil {
				r.Met = ptr(*r.Slipway <= TargetNoChange)
			}
		case StepCI:
			r.Target = fmt.Sprintf("≤ %g× Slipway's page-change `image`", TargetCI)
			if page := med[StepPage][Slipway]; r.Slipway != nil && page != nil {
				r.Met = ptr(*r.Slipway <= TargetCI**page)
			}
		}
		if r.Reference == nil && r.Slipway == nil {
			continue
		}
		res.Rows = append(res.Rows, r)
	}
	if len(in.Sizes) > 0 {
		r := Row{Step: "size", Label: "image size, uncompressed", Unit: "MB", Target: fmt.Sprintf("≤ %.2g× reference", TargetSize)}
		if b, ok := in.Sizes[Reference]; ok {
			r.Reference = ptr(float64(b) / 1e6)
		}
		if b, ok := in.Sizes[Slipway]; ok {
			r.Slipway = ptr(float64(b) / 1e6)
		}
		if r.Reference != nil && r.Slipway != nil && *r.Reference > 0 {
			r.Ratio = ptr(*r.Slipway / *r.Reference)
			r.Met = ptr(*r.Ratio <= TargetSize)
		}
		res.Rows = append(res.Rows, r)
	}
	return res
}

// JSON is the result, indented.
func (r Result) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func num(v *float64, unit string) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f %s", *v, unit)
}

// Markdown is the table, then the floor.
func (r Result) Markdown() string {
	var b strings.Builder
	var meta []string
	for _, k := range []string{"date", "machine", "app", "repeats", "note"} {
		if v := r.Meta[k]; v != "" {
			meta = append(meta, k+": "+v)
		}
	}
	if len(meta) > 0 {
		b.WriteString(strings.Join(meta, "; ") + "\n\n")
	}
	b.WriteString("| step | reference | Slipway | Slipway / reference | runs | target | |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, row := range r.Rows {
		ratio := "–"
		if row.Ratio != nil {
			ratio = fmt.Sprintf("%.2f×", *row.Ratio)
		}
		met := ""
		if row.Met != nil {
			met = map[bool]string{true: "met", false: "missed"}[*row.Met]
		}
		runs := ""
		if row.Runs > 0 {
			runs = strconv.Itoa(row.Runs)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n",
			row.Label, num(row.Reference, row.Unit), num(row.Slipway, row.Unit), ratio, runs, row.Target, met)
	}
	if len(r.Floor) > 0 {
		b.WriteString("\nFloor (in the reference's builder: Node of the image, dependencies installed):\n\n")
		keys := make([]string, 0, len(r.Floor))
		for k := range r.Floor {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := r.Floor[k]
			switch {
			case strings.HasSuffix(k, "-bytes"):
				fmt.Fprintf(&b, "- %s: %.1f MB\n", strings.TrimSuffix(k, "-bytes"), v/1e6)
			default:
				fmt.Fprintf(&b, "- %s: %.1f s\n", k, v)
			}
		}
	}
	return b.String()
}
