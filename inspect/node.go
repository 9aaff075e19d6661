package inspect

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// NodeMajors are the Node.js majors Slipway builds on, newest first: the
// active LTS, then the maintenance LTS (Node 20 reached its end of life in
// April 2026).
var NodeMajors = []int{24, 22}

// Node version sources.
const (
	SourceEngines     = "engines.node"
	SourceNvmrc       = ".nvmrc"
	SourceNodeVersion = ".node-version"
)

// ltsNames maps nvm's lts/<codename> aliases to majors.
var ltsNames = map[string]int{
	"argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
	"gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24,
}

// detectNode reads engines.node, .nvmrc and .node-version, in the app dir and
// then in Root.
func (in *inspector) detectNode(pkg *packageJSON) error {
	a := in.app
	type place struct {
		dir string
		pkg *packageJSON
	}
	places := []place{{a.Dir, pkg}}
	if a.Root != a.Dir {
		places = append(places, place{a.Root, in.root})
	}
	for _, pl := range places {
		if pl.pkg != nil {
			if v := pl.pkg.engineNode(); v != "" {
				a.Node = Node{Version: v, Source: SourceEngines}
				break
			}
		}
		v, src, err := in.nodeFile(pl.dir)
		if err != nil {
			return err
		}
		if v != "" {
			a.Node = Node{Version: v, Source: src}
			break
		}
	}
	if a.Node.Version == "" {
		a.warn(CodeNoNodeVersion,
			"the app does not say which Node.js version it needs, so Slipway uses its default base image",
			"add \"engines\": {\"node\": \">=22\"} to package.json, or a .nvmrc holding 22")
		return nil
	}
	m, parsed := NodeMajor(a.Node.Version)
	a.Node.Major = m
	switch {
	case !parsed:
		a.warn(CodeNodeUnknown,
			fmt.Sprintf("can't tell which Node.js major %q (%s) means, so Slipway uses its default base image", a.Node.Version, a.Node.Source),
			fmt.Sprintf("write a concrete version or range in %s, e.g. 22 or >=20.9", a.Node.Source))
	case m == 0:
		a.warn(CodeNodeUnsupported,
			fmt.Sprintf("%s asks for Node.js %q, which none of Node %s satisfies", a.Node.Source, a.Node.Version, joinInts(NodeMajors, ", ")),
			fmt.Sprintf("allow one of Node %s in %s (Next.js needs 18.18 or later anyway)", joinInts(NodeMajors, ", "), a.Node.Source))
	}
	return nil
}

// nodeFile reads .nvmrc, else .node-version, in dir.
func (in *inspector) nodeFile(dir string) (version, source string, err error) {
	for _, name := range []string{SourceNvmrc, SourceNodeVersion} {
		ok, err := in.hasFile(dir, name)
		if err != nil {
			return "", "", err
		}
		if !ok {
			continue
		}
		data, _, err := in.read(rel(dir, name))
		if err != nil {
			return "", "", err
		}
		if v := firstValueLine(string(data)); v != "" {
			return v, name, nil
		}
	}
	return "", "", nil
}

// firstValueLine returns the first line that is not blank or a comment.
func firstValueLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

func joinInts(ns []int, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}

// NodeMajor returns the newest of NodeMajors that satisfies spec, a Node
// version or simple semver range (>=, >, <, <=, ^, ~, x, ||, hyphen ranges,
// exact versions, lts/<codename>). parsed is false when spec can't be read
// ("lts/*", "node"); major is 0 when nothing satisfies it or it can't be read.
func NodeMajor(spec string) (major int, parsed bool) {
	sets, ok := parseNodeSpec(spec)
	if !ok {
		return 0, false
	}
	for _, m := range NodeMajors {
		if majorIn(sets, m) {
			return m, true
		}
	}
	return 0, true
}

// NodeSatisfies reports whether some release of Node major satisfies spec.
// An unreadable spec is satisfied by any major.
func NodeSatisfies(spec string, major int) bool {
	sets, ok := parseNodeSpec(spec)
	return !ok || majorIn(sets, major)
}

func parseNodeSpec(spec string) ([]interval, bool) {
	s := strings.ToLower(strings.TrimSpace(spec))
	if name, ok := strings.CutPrefix(s, "lts/"); ok {
		m, known := ltsNames[name]
		if !known {
			return nil, false
		}
		s = strconv.Itoa(m)
	}
	return parseRange(s)
}

func majorIn(sets []interval, m int) bool {
	lo, hi := ver{m, 0, 0}, ver{m + 1, 0, 0}
	for _, set := range sets {
		if set.lo.max(lo).less(set.hi.min(hi)) {
			return true
		}
	}
	return false
}

type ver [3]int

func (v ver) less(w ver) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

func (v ver) max(w ver) ver {
	if v.less(w) {
		return w
	}
	return v
}

func (v ver) min(w ver) ver {
	if w.less(v) {
		return w
	}
	return v
}

// bump increments part i and zeroes the parts after it.
func (v ver) bump(i int) ver {
	v[i]++
	for j := i + 1; j < len(v); j++ {
		v[j] = 0
	}
	return v
}

// interval is [lo, hi): every bound is turned into an inclusive low and an
// exclusive high, which integer version parts make exact.
type interval struct{ lo, hi ver }

var (
	anyVersion = interval{ver{0, 0, 0}, ver{1 << 30, 0, 0}}
	opSpaceRe  = regexp.MustCompile(`(>=|<=|>|<|=|\^|~>|~)\s+`)
	hyphenRe   = regexp.MustCompile(`^(\S+)\s+-\s+(\S+)$`)
	compRe     = regexp.MustCompile(`^(>=|<=|>|<|=|\^|~>|~)?v?(\*|x|\d+)(?:\.(\*|x|\d+))?(?:\.(\*|x|\d+))?(?:[-+][0-9a-z.+-]*)?$`)
)

// parseRange parses a semver range into the intervals of its || alternatives.
func parseRange(s string) ([]interval, bool) {
	if s == "" {
		return nil, false
	}
	var sets []interval
	for _, alt := range strings.Split(s, "||") {
		alt = strings.TrimSpace(alt)
		if alt == "" {
			sets = append(sets, anyVersion)
			continue
		}
		if m := hyphenRe.FindStringSubmatch(alt); m != nil {
			lo, ok1 := comparator(">=" + m[1])
			hi, ok2 := comparator("<=" + m[2])
			if !ok1 || !ok2 {
				return nil, false
			}
			sets = append(sets, interval{lo.lo, hi.hi})
			continue
		}
		iv := anyVersion
		for _, c := range strings.Fields(opSpaceRe.ReplaceAllString(alt, "$1")) {
			ci, ok := comparator(c)
			if !ok {
				return nil, false
			}
			iv = interval{iv.lo.max(ci.lo), iv.hi.min(ci.hi)}
		}
		sets = append(sets, iv)
	}
	return sets, true
}

// comparator turns one comparator ("^20.9", ">=22", "20.x") into an interval.
func comparator(c string) (interval, bool) {
	m := compRe.FindStringSubmatch(c)
	if m == nil {
		return interval{}, false
	}
	op := m[1]
	var v ver
	n := 0 // how many parts are given
	for i, p := range m[2:5] {
		if p == "" || p == "*" || p == "x" {
			break
		}
		v[i], _ = strconv.Atoi(p)
		n = i + 1
	}
	iv := anyVersion
	none := interval{ver{0, 0, 0}, ver{0, 0, 0}}
	upper := func() ver { // first version above the partial v
		if n == 0 {
			return anyVersion.hi
		}
		return v.bump(n - 1)
	}
	switch op {
	case "", "=":
		if n > 0 {
			iv = interval{v, upper()}
		}
	case ">=":
		iv.lo = v
	case ">":
		if n == 0 {
			return none, true
		}
		iv.lo = upper()
	case "<":
		if n == 0 {
			return none, true
		}
		iv.hi = v
	case "<=":
		iv.hi = upper()
	case "~", "~>":
		switch {
		case n == 0:
		case n == 1:
			iv = interval{v, v.bump(0)}
		default:
			iv = interval{v, v.bump(1)}
		}
	case "^":
		switch {
		case n == 0:
		case v[0] > 0 || n == 1:
			iv = interval{v, v.bump(0)}
		case v[1] > 0 || n == 2:
			iv = interval{v, v.bump(1)}
		default:
			iv = interval{v, v.bump(2)}
		}
	}
	return iv, true
}
