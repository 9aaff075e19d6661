package inspect

import (
	"path"
	"regexp"
	"strings"
)

// Tolerant scanners for JS/TS config files and Prisma schemas. They do not
// parse the language; they strip comments and look for literal values, which
// is what config files hold in practice. Anything else counts as dynamic.

// stripComments blanks // and /* */ comments outside string literals,
// keeping newlines so that offsets and line numbers survive. quotes lists the
// string delimiters of the language.
func stripComments(src, quotes string) string {
	b := []byte(src)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case strings.IndexByte(quotes, c) >= 0:
			i = skipString(b, i)
		case c == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			j := i
			for ; j < len(b) && !(b[j] == '*' && j+1 < len(b) && b[j+1] == '/'); j++ {
				if b[j] != '\n' {
					b[j] = ' '
				}
			}
			for k := j; k < len(b) && k < j+2; k++ {
				b[k] = ' '
			}
			i = j + 1
		}
	}
	return string(b)
}

// skipString returns the index of the closing quote of the string that
// opens at b[i] (or the last index when it never closes).
func skipString(b []byte, i int) int {
	q := b[i]
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case q:
			return j
		case '\n':
			if q != '`' {
				return j // unterminated: stop at the end of the line
			}
		}
	}
	return len(b) - 1
}

func stripJS(src string) string { return stripComments(src, "'\"`") }

// keyRe matches `key:` or `"key":` as an object key.
func keyRe(key string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\w$.])["']?` + regexp.QuoteMeta(key) + `["']?\s*:\s*`)
}

// jsValue reads the expression after a key at src[i:], up to the next , } or
// ; at depth 0. lit is the string value when the expression is a single string
// literal (optionally followed by `as const` or a TS non-null `!`).
func jsValue(src string, i int) (raw, lit string, isLit bool) {
	depth := 0
	j := i
loop:
	for ; j < len(src); j++ {
		switch c := src[j]; c {
		case '\'', '"', '`':
			j = skipString([]byte(src), j)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				break loop
			}
			depth--
		case ',', ';':
			if depth == 0 {
				break loop
			}
		}
	}
	raw = strings.TrimSpace(src[i:j])
	lit, isLit = stringLiteral(raw)
	return raw, lit, isLit
}

var literalRe = regexp.MustCompile("^(?:'([^'\\\\\\n]*)'|\"([^\"\\\\\\n]*)\"|`([^`\\\\$]*)`)(?:\\s+as\\s+const|!)?$")

// stringLiteral returns the value of a lone string literal.
func stringLiteral(raw string) (string, bool) {
	m := literalRe.FindStringSubmatch(strings.TrimSpace(raw))
	if m == nil {
		return "", false
	}
	return m[1] + m[2] + m[3], true
}

// findKey returns the literal or raw value of the first `key:` in src.
func findKey(src, key string) (raw, lit string, isLit, found bool) {
	loc := keyRe(key).FindStringIndex(src)
	if loc == nil {
		return "", "", false, false
	}
	raw, lit, isLit = jsValue(src, loc[1])
	return raw, lit, isLit, true
}

// findBlock returns the body of the first `key: { ... }` object in src.
func findBlock(src, key string) (string, bool) {
	re := regexp.MustCompile(`(?:^|[^\w$.])["']?` + regexp.QuoteMeta(key) + `["']?\s*:\s*\{`)
	loc := re.FindStringIndex(src)
	if loc == nil {
		return "", false
	}
	return braceBody(src, loc[1]-1, "'\"`")
}

// braceBody returns the text between the brace at src[open] and its match.
func braceBody(src string, open int, quotes string) (string, bool) {
	b := []byte(src)
	depth := 0
	for j := open; j < len(b); j++ {
		switch c := b[j]; {
		case strings.IndexByte(quotes, c) >= 0:
			j = skipString(b, j)
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return src[open+1 : j], true
			}
		}
	}
	return "", false
}

var (
	pathJoinRe = regexp.MustCompile(`^(?:path\.)?(?:join|resolve)\s*\(([^()]*)\)$`)
	baseDirRe  = regexp.MustCompile(`^(?:__dirname|import\.meta\.dirname|process\.cwd\(\s*\))$`)
)

// jsPath evaluates a path expression: a string literal, or path.join /
// path.resolve of string literals and __dirname. ok is false otherwise.
func jsPath(raw string) (string, bool) {
	if lit, ok := stringLiteral(raw); ok {
		return lit, true
	}
	m := pathJoinRe.FindStringSubmatch(strings.TrimSpace(raw))
	if m == nil {
		// process.cwd() inside the argument list breaks the simple regexp.
		raw = strings.ReplaceAll(strings.TrimSpace(raw), "process.cwd()", "__dirname")
		if m = pathJoinRe.FindStringSubmatch(raw); m == nil {
			return "", false
		}
	}
	var parts []string
	for _, arg := range strings.Split(m[1], ",") {
		arg = strings.TrimSpace(arg)
		if arg == "" || baseDirRe.MatchString(arg) {
			continue
		}
		lit, ok := stringLiteral(arg)
		if !ok {
			return "", false
		}
		parts = append(parts, lit)
	}
	if len(parts) == 0 {
		return "", false
	}
	return path.Join(parts...), true
}

var (
	envCallRe    = regexp.MustCompile(`(?:^|[^\w$.])env\s*(?:<[^<>()]*>)?\s*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)`)
	envFnRe      = regexp.MustCompile(`^env\s*(?:<[^<>()]*>)?\s*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)`)
	processEnvRe = regexp.MustCompile(`^process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\])`)
)

// envRef reads the variable an expression takes its value from:
// env("X") (Prisma's, which throws when X is unset) or process.env.X.
func envRef(raw string) (name string, viaEnvFn bool) {
	raw = strings.TrimSpace(raw)
	if m := envFnRe.FindStringSubmatch(raw); m != nil {
		return m[1], true
	}
	if m := processEnvRe.FindStringSubmatch(raw); m != nil {
		return m[1] + m[2], false
	}
	return "", false
}
