package plan

import (
	"slices"

	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
)

// databaseVars turns what inspect found into the deploy's database
// variables: the one migrations read (URLEnv) first, then the others in the
// order inspect lists them, each once with every role it was found in. URLEnv
// is always a migrations variable; when nothing is known to be read at run
// time, the first variable is (as with a lone DATABASE_URL). A shadow
// variable stays a shadow only if nothing else reads it. With nothing found,
// the result is empty: DATABASE_URL by default.
func databaseVars(p *inspect.Prisma) env.DatabaseVars {
	roles := map[string]inspect.DatabaseVar{}
	for _, v := range p.DatabaseVars {
		r := roles[v.Name]
		r.Runtime = r.Runtime || v.Runtime
		r.Migrations = r.Migrations || v.Migrations
		r.Shadow = r.Shadow || v.Shadow
		roles[v.Name] = r
	}
	var out env.DatabaseVars
	for _, name := range p.DatabaseVarNames() {
		if name == "" || slices.ContainsFunc(out, func(v env.DatabaseVar) bool { return v.Name == name }) {
			continue
		}
		r := roles[name]
		v := env.DatabaseVar{Name: name, Runtime: r.Runtime, Migrations: r.Migrations || name == p.URLEnv, Shadow: r.Shadow}
		if v.Runtime || v.Migrations {
			v.Shadow = false
		}
		out = append(out, v)
	}
	if !slices.ContainsFunc(out, func(v env.DatabaseVar) bool { return v.Runtime }) {
		if i := slices.IndexFunc(out, func(v env.DatabaseVar) bool { return !v.IsShadow() }); i >= 0 {
			out[i].Runtime = true
		}
	}
	return out
}
