package env

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// ErrSyntax is wrapped by errors about env files that do not parse.
var ErrSyntax = errors.New("env file syntax error")

// Parse reads an env file the way docker compose does (compose-go's dotenv:
// quotes, escapes, ${VAR} expansion from earlier lines, never from the process
// environment). Errors give the line number but never the line, which may hold
// a secret.
func Parse(b []byte) (map[string]string, error) {
	// A variable the file never sets expands to "", as in compose; answering
	// for it here also keeps compose-go from logging a warning about it.
	set := map[string]bool{}
	for _, a := range scan(string(b)) {
		set[a.key] = true
	}
	m, err := dotenv.ParseWithLookup(bytes.NewReader(b), func(k string) (string, bool) { return "", !set[k] })
	if err != nil {
		return nil, sanitize(err)
	}
	return m, nil
}

var lineNumber = regexp.MustCompile(`^line (\d+): `)

// sanitize keeps the line number and the kind of mistake of a dotenv error and
// drops the text it quotes.
func sanitize(err error) error {
	msg := err.Error()
	where := "env file"
	if m := lineNumber.FindStringSubmatch(msg); m != nil {
		where = "line " + m[1]
	}
	var what string
	switch {
	case strings.Contains(msg, "unterminated quoted value"):
		what = "a quoted value is never closed: add the closing quote"
	case strings.Contains(msg, "unexpected character"):
		what = "a variable name has a character other than letters, digits and '_': rename it, or start the line with '#' to make it a comment"
	case strings.Contains(msg, "key cannot contain a space"):
		what = "a variable name contains a space: write NAME=value"
	default:
		what = "not a NAME=value line: fix it or start it with '#'"
	}
	return fmt.Errorf("%w: %s: %s", ErrSyntax, where, what)
}

// bareValue matches values that need no quotes in an env file.
var bareValue = regexp.MustCompile(`^[A-Za-z0-9_\-.,/:@%+=~?&]*$`)

// Format returns v written for an env file so that Parse reads back exactly v:
// bare when safe, else single-quoted (literal, no '$' expansion), else
// double-quoted with escapes.
func Format(v string) string {
	if bareValue.MatchString(v) {
		return v
	}
	if !strings.ContainsAny(v, "'\n\r") && !strings.HasSuffix(v, `\`) {
		return "'" + v + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(v) + `"`
}
