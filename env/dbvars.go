package env

import (
	"fmt"
	"slices"
	"strings"
)

// DatabaseVar is one variable that holds the database's connection string,
// and what reads it. With the compose stack every non-shadow variable holds
// the same string, built from POSTGRES_USER, POSTGRES_PASSWORD and
// POSTGRES_DB with host db.
type DatabaseVar struct {
	Name string `json:"name"`
	// Runtime: the app's Prisma Client reads it while serving (on hosted
	// Postgres often a pooled URL).
	Runtime bool `json:"runtime,omitempty"`
	// Migrations: prisma migrate and slipway-migrate read it (a direct URL).
	Migrations bool `json:"migrations,omitempty"`
	// Shadow: the shadow database of `prisma migrate dev`. Production never
	// runs that, so a shadow variable is left out of the env file.
	Shadow bool `json:"shadow,omitempty"`
}

// IsShadow reports whether v only names a shadow database: a variable that
// something also reads at run time or for migrations is not left out.
func (v DatabaseVar) IsShadow() bool {
	return v.Shadow && !v.Runtime && !v.Migrations
}

// DatabaseVars lists the database variables of an app; the ones migrations
// read come first by convention. Use WithDefaults before reading it.
type DatabaseVars []DatabaseVar

// DefaultDatabaseVars is what an app that names nothing else reads:
// DATABASE_URL, at run time and for migrations.
func DefaultDatabaseVars() DatabaseVars {
	return DatabaseVars{{Name: DefaultDatabaseURLVar, Runtime: true, Migrations: true}}
}

// WithDefaults returns vs, or DefaultDatabaseVars followed by vs' shadow
// variables when vs has no variable besides shadow ones.
func (vs DatabaseVars) WithDefaults() DatabaseVars {
	if slices.ContainsFunc(vs, func(v DatabaseVar) bool { return !v.IsShadow() }) {
		return vs
	}
	return append(DefaultDatabaseVars(), vs...)
}

// URLVars returns the variables the env file sets (every one but the shadow
// ones), in order.
func (vs DatabaseVars) URLVars() DatabaseVars {
	var out DatabaseVars
	for _, v := range vs.WithDefaults() {
		if !v.IsShadow() {
			out = append(out, v)
		}
	}
	return out
}

// Names returns the names of URLVars.
func (vs DatabaseVars) Names() []string {
	var out []string
	for _, v := range vs.URLVars() {
		out = append(out, v.Name)
	}
	return out
}

// MigrationNames returns, in order, the variables migrations read: the ones
// marked Migrations, or the first variable when none is marked.
func (vs DatabaseVars) MigrationNames() []string {
	urls := vs.URLVars()
	var out []string
	for _, v := range urls {
		if v.Migrations {
			out = append(out, v.Name)
		}
	}
	if len(out) == 0 {
		out = []string{urls[0].Name}
	}
	return out
}

// RuntimeNames returns, in order, the variables the app reads at run time.
func (vs DatabaseVars) RuntimeNames() []string {
	var out []string
	for _, v := range vs.URLVars() {
		if v.Runtime {
			out = append(out, v.Name)
		}
	}
	return out
}

// ShadowNames returns the shadow variables, which the env file leaves out.
func (vs DatabaseVars) ShadowNames() []string {
	var out []string
	for _, v := range vs {
		if v.IsShadow() {
			out = append(out, v.Name)
		}
	}
	return out
}

// Purpose says in a few words what reads v, e.g. "the app at run time".
func (v DatabaseVar) Purpose() string {
	switch {
	case v.IsShadow():
		return "the shadow database of prisma migrate dev (never production)"
	case v.Runtime && v.Migrations:
		return "the app at run time and migrations"
	case v.Runtime:
		return "the app at run time (pooled on hosted Postgres)"
	case v.Migrations:
		return "migrations (direct: never through a pooler)"
	default:
		return "the app's Prisma setup (same database)"
	}
}

// Validate reports the first thing wrong with vs: a bad or repeated name, or
// a name the stack itself uses.
func (vs DatabaseVars) Validate() error {
	seen := map[string]bool{}
	for _, v := range vs {
		if !keyPattern.MatchString(v.Name) {
			return fmt.Errorf("database URL variable %q is not a valid name: use letters, digits and '_' (e.g. DATABASE_URL)", v.Name)
		}
		if slices.Contains([]string{PostgresUser, PostgresPassword, PostgresDB, AppImage, AppPort, DBPort}, v.Name) {
			return fmt.Errorf("database URL variable %s clashes with a stack variable: use e.g. DATABASE_URL", v.Name)
		}
		if seen[v.Name] {
			return fmt.Errorf("database URL variable %s is listed twice: list it once with all its roles", v.Name)
		}
		seen[v.Name] = true
	}
	return nil
}

// JoinNames writes names as `A`, `B` and `C` (with quote around each).
func JoinNames(names []string, quote string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote + n + quote
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
