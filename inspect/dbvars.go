package inspect

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Roles of a database variable, as bits while collecting.
const (
	roleRuntime = 1 << iota
	roleMigrations
	roleShadow
)

// dbVars collects database variables in the order they are found.
type dbVars struct {
	vars []DatabaseVar
}

// add records a role and a source for name; role 0 adds the source only.
func (d *dbVars) add(name string, role int, source string) {
	i := d.index(name)
	if i < 0 {
		d.vars = append(d.vars, DatabaseVar{Name: name})
		i = len(d.vars) - 1
	}
	v := &d.vars[i]
	v.Runtime = v.Runtime || role&roleRuntime != 0
	v.Migrations = v.Migrations || role&roleMigrations != 0
	v.Shadow = v.Shadow || role&roleShadow != 0
	if source != "" && !contains(v.Sources, source) {
		v.Sources = append(v.Sources, source)
	}
}

func (d *dbVars) index(name string) int {
	for i, v := range d.vars {
		if v.Name == name {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sorted returns the variables migrations' first (urlEnv first), then the
// runtime ones, then the shadow ones, each group in the order found.
func (d *dbVars) sorted(urlEnv string) []DatabaseVar {
	var out []DatabaseVar
	if i := d.index(urlEnv); i >= 0 {
		out = append(out, d.vars[i])
	}
	for _, pick := range []func(DatabaseVar) bool{
		func(v DatabaseVar) bool { return v.Migrations },
		func(v DatabaseVar) bool { return !v.Migrations && v.Runtime },
		func(v DatabaseVar) bool { return !v.Migrations && !v.Runtime },
	} {
		for _, v := range d.vars {
			if v.Name != urlEnv && pick(v) {
				out = append(out, v)
			}
		}
	}
	return out
}

var (
	chainEnvFnRe      = regexp.MustCompile(`^env\s*(?:<[^<>()]*>)?\s*\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)$`)
	chainProcessEnvRe = regexp.MustCompile(`^process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\])$`)
	tsSuffixRe        = regexp.MustCompile(`(?:!|\s+as\s+[\w.$<>\[\]| ]+)$`)
)

// envChain reads the variables of a URL expression: env("X"), env('X'),
// process.env.X or process.env["X"], alone or in a ?? / || fallback chain,
// in order. String literals, undefined and null in the chain are fallbacks
// and name no variable. ok is false when a part is anything else.
func envChain(raw string) (names []string, ok bool) {
	parts := splitTopLevel(strings.TrimSpace(raw), "??", "||")
	for _, part := range parts {
		part = trimExpr(part)
		if sub := splitTopLevel(part, "??", "||"); len(sub) > 1 {
			more, ok := envChain(part) // a parenthesized chain
			names = append(names, more...)
			if !ok {
				return names, false
			}
			continue
		}
		if m := chainEnvFnRe.FindStringSubmatch(part); m != nil {
			names = append(names, m[1])
			continue
		}
		if m := chainProcessEnvRe.FindStringSubmatch(part); m != nil {
			names = append(names, m[1]+m[2])
			continue
		}
		if _, lit := stringLiteral(part); lit || part == "undefined" || part == "null" {
			continue
		}
		return names, false
	}
	return names, len(names) > 0
}

// trimExpr strips enclosing parentheses, TypeScript's `!` and `as T`.
func trimExpr(s string) string {
	for {
		t := strings.TrimSpace(tsSuffixRe.ReplaceAllString(strings.TrimSpace(s), ""))
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
			if body, ok := parenBody(t, 0); ok && len(body) == len(t)-2 {
				t = body
			}
		}
		if t == s {
			return t
		}
		s = t
	}
}

// splitTopLevel splits s at the operators outside strings and brackets.
func splitTopLevel(s string, ops ...string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			i = skipString([]byte(s), i)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		default:
			if depth != 0 {
				continue
			}
			for _, op := range ops {
				if strings.HasPrefix(s[i:], op) {
					out = append(out, s[start:i])
					i += len(op) - 1
					start = i + 1
					break
				}
			}
		}
	}
	return append(out, s[start:])
}

// parenBody returns the text between the parenthesis at s[open] and its
// match.
func parenBody(s string, open int) (string, bool) {
	depth := 0
	for j := open; j < len(s); j++ {
		switch c := s[j]; c {
		case '\'', '"', '`':
			j = skipString([]byte(s), j)
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[open+1 : j], true
			}
		}
	}
	return "", false
}

// configVars records the config's datasource variables: every name in
// url's chain is read by migrations, and the first is URLEnv.
func (in *inspector) configVars(p *Prisma, cfg prismaConfig) {
	for _, n := range cfg.urlEnvs {
		in.dbVars.add(n, roleMigrations, p.Config+" (datasource.url)")
	}
	if len(cfg.urlEnvs) > 0 {
		p.URLEnv = cfg.urlEnvs[0]
	}
	for _, n := range cfg.shadowEnvs {
		in.dbVars.add(n, roleShadow, p.Config+" (datasource.shadowDatabaseUrl)")
	}
}

// schemaVars records the schema datasource's variables (Prisma 5 and 6):
// url is what migrations read unless directUrl is set (or the config sets
// the URL), and what the client reads at run time unless a driver adapter
// takes the connection; shadowDatabaseUrl is the shadow database.
func (in *inspector) schemaVars(p *Prisma, ds *block, cfg prismaConfig) {
	envOf := func(key string) string {
		if m := schemaEnvRe.FindStringSubmatch(strings.TrimSpace(ds.fields[key])); m != nil {
			return m[1]
		}
		return ""
	}
	url, direct, shadow := envOf("url"), envOf("directUrl"), envOf("shadowDatabaseUrl")
	configURL := len(cfg.urlEnvs) > 0
	if direct != "" {
		in.dbVars.add(direct, roleMigrations, ds.file+" (datasource.directUrl)")
		if !configURL {
			p.URLEnv = direct
		}
	}
	if url != "" {
		role := 0
		if direct == "" && !configURL {
			role |= roleMigrations
			p.URLEnv = url
		}
		if len(p.Adapters) == 0 || direct != "" {
			role |= roleRuntime
		}
		in.dbVars.add(url, role, ds.file+" (datasource.url)")
	}
	if shadow != "" {
		in.dbVars.add(shadow, roleShadow, ds.file+" (datasource.shadowDatabaseUrl)")
	}
}

// detectDatabaseVars finishes Prisma.DatabaseVars: the variables that the
// app's driver-adapter code reads, those .env.example gives a postgres URL,
// then the order.
func (in *inspector) detectDatabaseVars(*packageJSON) error {
	a := in.app
	p := a.Prisma
	if p == nil {
		return nil
	}
	if err := in.scanAdapterCode(p); err != nil {
		return err
	}
	examples := []struct {
		file string
		vars []EnvVar
	}{{rel(a.Dir, EnvExampleFile), a.EnvExample}}
	if p.Dir != "" && p.Dir != a.Dir {
		f := rel(p.Dir, EnvExampleFile)
		data, ok, err := in.readIfFile(f)
		if err != nil {
			return err
		}
		if ok {
			vars, _ := ParseEnvExample(data) // the keys are enough; values as far as they parse
			examples = append(examples, struct {
				file string
				vars []EnvVar
			}{f, vars})
		}
	}
	for _, ex := range examples {
		for _, v := range ex.vars {
			if !postgresURLRe.MatchString(v.Value) {
				continue
			}
			role := exampleRole(v.Key)
			if in.dbVars.index(v.Key) >= 0 {
				role = 0 // known already: the code and config say what it is for
			}
			in.dbVars.add(v.Key, role, ex.file)
		}
	}
	// URLEnv is what migrations read, whether or not anything names it.
	if i := in.dbVars.index(p.URLEnv); i >= 0 {
		in.dbVars.vars[i].Migrations = true
	} else if p.Provider != "" || p.Config != "" {
		in.dbVars.add(p.URLEnv, roleMigrations, "Prisma's default")
	}
	p.DatabaseVars = in.dbVars.sorted(p.URLEnv)
	return nil
}

var postgresURLRe = regexp.MustCompile(`(?i)^\s*postgres(?:ql)?://`)

// exampleRole guesses a variable's role from its name.
func exampleRole(name string) int {
	n := strings.ToUpper(name)
	switch {
	case strings.Contains(n, "SHADOW"):
		return roleShadow
	case strings.Contains(n, "DIRECT"), strings.Contains(n, "NON_POOLING"), strings.Contains(n, "UNPOOLED"):
		return roleMigrations
	default:
		return roleRuntime
	}
}

// readIfFile reads p when it exists, listing only its parent.
func (in *inspector) readIfFile(p string) ([]byte, bool, error) {
	ok, err := in.hasFile(path.Dir(p), path.Base(p))
	if err != nil || !ok {
		return nil, false, err
	}
	return in.read(p)
}

// roles renders a variable's roles: "migrations, runtime".
func (v DatabaseVar) roles() string {
	var r []string
	if v.Migrations {
		r = append(r, "migrations")
	}
	if v.Runtime {
		r = append(r, "runtime")
	}
	if v.Shadow {
		r = append(r, "shadow")
	}
	if len(r) == 0 {
		return "unknown use"
	}
	return strings.Join(r, ", ")
}

// String is "DATABASE_URL: runtime (src/lib/db.ts, .env.example)".
func (v DatabaseVar) String() string {
	s := v.Name + ": " + v.roles()
	if len(v.Sources) > 0 {
		s += fmt.Sprintf(" (%s)", strings.Join(v.Sources, "; "))
	}
	return s
}
