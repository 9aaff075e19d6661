package inspect

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// EnvExampleFile is the environment template Slipway reads in the app dir.
const EnvExampleFile = ".env.example"

var (
	envKeyRe  = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:[=:](.*))?$`)
	envFileRe = regexp.MustCompile(`^\.env(?:\..+)?$`)
	// templates are env files meant to be committed.
	envTemplates = map[string]bool{".env.example": true, ".env.sample": true, ".env.template": true, ".env.dist": true}
)

// detectEnvExample parses .env.example and warns about real .env files.
func (in *inspector) detectEnvExample(*packageJSON) error {
	a := in.app
	if err := in.checkDotenvFiles(); err != nil {
		return err
	}
	ok, err := in.hasFile(a.Dir, EnvExampleFile)
	if err != nil || !ok {
		return err
	}
	p := rel(a.Dir, EnvExampleFile)
	data, _, err := in.read(p)
	if err != nil {
		return err
	}
	vars, err := ParseEnvExample(data)
	if err != nil {
		a.warn(CodeEnvExampleInvalid,
			fmt.Sprintf("%s: %v; Slipway lists its keys but can't trust the values", p, err),
			fmt.Sprintf("fix that line of %s (quote values that hold spaces or #)", p))
	}
	a.EnvExample = vars
	return nil
}

// checkDotenvFiles warns about .env files in the source, which next build
// reads and may bake into the image.
func (in *inspector) checkDotenvFiles() error {
	a := in.app
	var found []string
	dirs := []string{a.Dir}
	if a.Root != a.Dir {
		dirs = append(dirs, a.Root)
	}
	for _, d := range dirs {
		ents, err := in.list(d)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if !e.IsDir() && envFileRe.MatchString(e.Name()) && !envTemplates[e.Name()] {
				found = append(found, rel(d, e.Name()))
			}
		}
	}
	if len(found) > 0 {
		sort.Strings(found)
		a.warn(CodeDotenvInSource,
			fmt.Sprintf("the source holds %s; next build reads them, so their values (secrets included) can end up in the image", strings.Join(found, ", ")),
			"keep them out of the source Slipway sees (e.g. ignore .env*) and pass the values at run time")
	}
	return nil
}

// ParseEnvExample reads an env template: keys in file order, values as
// written (quotes removed, ${VAR} references kept), and the comment lines right
// above each key. Values come from compose-go's dotenv parser; when it rejects
// the file, the keys are still returned with raw values, and so is the error.
func ParseEnvExample(data []byte) ([]EnvVar, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	vars := scanEnvLines(string(data))
	// Resolving every reference to itself keeps ${VAR} in template values.
	values, err := dotenv.ParseWithLookup(bytes.NewReader(data), func(k string) (string, bool) {
		return "${" + k + "}", true
	})
	if err == nil {
		for i, v := range vars {
			if val, ok := values[v.Key]; ok && !v.bare && !v.commentOnly {
				vars[i].Value = val
			}
		}
	}
	out := make([]EnvVar, len(vars))
	for i, v := range vars {
		out[i] = v.EnvVar
	}
	if err != nil {
		return out, fmt.Errorf("parse env file: %w", err)
	}
	return out, nil
}

type envLine struct {
	EnvVar
	bare        bool // KEY alone on its line: inherited, no value
	commentOnly bool // KEY= # comment: empty value
}

// scanEnvLines finds keys, raw values and comments line by line.
func scanEnvLines(src string) []envLine {
	var out []envLine
	index := map[string]int{}
	var comment []string
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			comment = nil
			continue
		case strings.HasPrefix(line, "#"):
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			continue
		}
		m := envKeyRe.FindStringSubmatch(lines[i])
		if m == nil {
			comment = nil
			continue
		}
		v := envLine{EnvVar: EnvVar{Key: m[1], Comment: strings.Join(comment, "\n")}, bare: !strings.ContainsAny(lines[i], "=:")}
		raw := strings.TrimSpace(m[2])
		// A quoted value may span lines: consume them.
		if q := quoteOf(raw); q != 0 && !closes(raw[1:], q) {
			for i+1 < len(lines) {
				i++
				raw += "\n" + lines[i]
				if closes(lines[i], q) {
					break
				}
			}
		}
		var inline string
		v.Value, inline = rawValue(raw)
		if inline != "" {
			comment = append(comment, inline)
		}
		v.Comment = strings.Join(comment, "\n")
		v.commentOnly = strings.HasPrefix(raw, "#")
		comment = nil
		if j, dup := index[v.Key]; dup {
			out[j].Value = v.Value
			continue
		}
		index[v.Key] = len(out)
		out = append(out, v)
	}
	return out
}

func quoteOf(s string) byte {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		return s[0]
	}
	return 0
}

// closes reports whether s holds an unescaped q.
func closes(s string, q byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == q {
			return true
		}
	}
	return false
}

// rawValue strips quotes or an inline comment from a raw value, and returns
// the inline comment.
func rawValue(raw string) (value, comment string) {
	if q := quoteOf(raw); q != 0 {
		end := strings.LastIndexByte(raw, q)
		if end <= 0 {
			return raw[1:], ""
		}
		rest := strings.TrimSpace(raw[end+1:])
		return raw[1:end], strings.TrimSpace(strings.TrimPrefix(rest, "#"))
	}
	if c, ok := strings.CutPrefix(raw, "#"); ok {
		return "", strings.TrimSpace(c)
	}
	v, c, _ := strings.Cut(raw, " #")
	return strings.TrimSpace(v), strings.TrimSpace(c)
}
