package env

import (
	"regexp"
	"strings"
)

// assignment is one NAME=value statement found in an env file.
type assignment struct {
	key string
	// valueStart and valueEnd bound the value as written, quotes included
	// (an inline " # comment" after an unquoted value is outside).
	valueStart, valueEnd int
	quote                byte     // '\'', '"' or 0
	comment              []string // the comment lines right above, without '#'
}

var assignPattern = regexp.MustCompile(`^[ \t]*(?:export[ \t]+)?([A-Za-z0-9_.\-\[\]]+)[ \t]*[=:][ \t]*`)

// scan finds the assignments of an env file in order, following quoted
// values across lines as compose-go's parser does. Lines it does not
// understand are skipped: Parse is the authority on values, scan only
// locates them.
func scan(src string) []assignment {
	var out []assignment
	var comment []string
	pos := 0
	for pos < len(src) {
		end := strings.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += pos
		}
		line := src[pos:end]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			comment = nil
		case strings.HasPrefix(trimmed, "#"):
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(trimmed, "#")))
		default:
			m := assignPattern.FindStringSubmatchIndex(line)
			if m == nil {
				comment = nil
				break
			}
			a := assignment{key: line[m[2]:m[3]], valueStart: pos + m[1], comment: comment}
			comment = nil
			if m[1] < len(line) && (line[m[1]] == '\'' || line[m[1]] == '"') {
				if closing := closingQuote(src, a.valueStart); closing >= 0 {
					a.quote = line[m[1]]
					a.valueEnd = closing + 1
					out = append(out, a)
					// Continue after the line holding the closing quote.
					if nl := strings.IndexByte(src[closing:], '\n'); nl >= 0 {
						pos = closing + nl + 1
					} else {
						pos = len(src)
					}
					continue
				}
			}
			v := src[a.valueStart:end]
			if i := strings.Index(v, " #"); i >= 0 {
				v = v[:i]
			}
			a.valueEnd = a.valueStart + len(strings.TrimRight(v, " \t\r"))
			out = append(out, a)
		}
		pos = end + 1
	}
	return out
}

// closingQuote returns the index of the quote that closes the quoted value
// starting at src[start], or -1.
func closingQuote(src string, start int) int {
	q := src[start]
	escaped := false
	for i := start + 1; i < len(src); i++ {
		switch {
		case escaped:
			escaped = false
		case src[i] == '\\':
			escaped = true
		case src[i] == q:
			return i
		}
	}
	return -1
}
