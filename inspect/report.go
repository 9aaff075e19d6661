package inspect

import (
	"fmt"
	"strings"
)

// Report renders the human-readable inspection: aligned "key: value" lines,
// then the warnings, blocking ones first and marked with "!".
func (a *App) Report() string {
	var rows [][2]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, [2]string{k, v})
		}
	}
	name := a.Name
	if name == "" {
		name = "(unnamed)"
	}
	add("app", fmt.Sprintf("%s (%s)", a.Dir, name))
	if a.Root != a.Dir {
		root := a.Root
		if a.Workspace {
			root += " (workspace)"
		}
		add("root", root)
	}

	pm := a.PackageManager
	pmLine := pm.String()
	if pm.Lockfile != "" {
		pmLine += ", lockfile " + pm.Lockfile
	}
	add("package manager", fmt.Sprintf("%s (from %s)", pmLine, pm.Source))
	switch spec := pm.Spec(); {
	case spec != "" && pm.Why != "":
		add("pm version", spec+" ("+pm.Why+")")
	case spec != "":
		add("pm version", spec)
	default:
		add("pm version", pm.Why)
	}
	if setup := pm.SetupCmd(); len(setup) == 3 && setup[0] == "sh" && setup[1] == "-c" {
		add("pm setup", setup[2])
	} else if setup != nil {
		add("pm setup", strings.Join(setup, " "))
	}
	add("install", strings.Join(pm.InstallCmd(false), " "))

	switch {
	case a.Node.Version == "":
		add("node", "not pinned")
	case a.Node.Major == 0:
		add("node", fmt.Sprintf("%s (%s), no supported major", a.Node.Version, a.Node.Source))
	default:
		add("node", fmt.Sprintf("%s -> %d (%s)", a.Node.Version, a.Node.Major, a.Node.Source))
	}

	next := orNone(a.Next.Version)
	if a.Next.Config != "" {
		next += ", " + a.Next.Config
	}
	if a.Next.Standalone {
		next += ", standalone"
	} else {
		next += ", not standalone"
	}
	if a.Next.BasePath != "" {
		next += ", basePath " + a.Next.BasePath
	}
	if a.Next.FontGoogle {
		next += ", next/font/google"
	}
	add("next", next)
	if a.HealthPath != "" {
		add("health path", a.HealthPath+" (a route the app defines)")
	} else if a.Next.Version != "" {
		add("health path", "none found (pass --health-path)")
	}

	if p := a.Prisma; p != nil {
		pr := orNone(p.Version)
		if p.ClientVersion != "" {
			pr += ", client " + p.ClientVersion
		}
		if p.Config != "" {
			pr += ", config " + p.Config
		}
		add("prisma", pr)
		if p.Package != "" {
			add("prisma package", fmt.Sprintf("%s in %s (a workspace dependency of the app; Prisma commands run there)", p.Package, p.Dir))
		} else if p.Dir != "" && p.Dir != a.Dir {
			add("prisma dir", p.Dir)
		}
		schema := orNone(p.Schema)
		if p.Generator != "" {
			schema += ", generator " + p.Generator
		}
		if p.Output != "" {
			schema += " -> " + p.Output
		}
		add("schema", schema)
		db := orNone(p.Provider) + ", migrations read " + p.URLEnv
		if p.URLRequiredAtBuild {
			db += fmt.Sprintf(" (config needs %s at generate time)", strings.Join(p.ConfigEnv, ", "))
		}
		add("database", db)
		for _, v := range p.DatabaseVars {
			add("database var", v.String())
		}
		if p.Migrations != "" {
			add("migrations", fmt.Sprintf("%s (%d)", p.Migrations, len(p.MigrationNames)))
		}
		add("adapters", strings.Join(p.Adapters, ", "))
	}
	if len(a.EnvExample) > 0 {
		keys := make([]string, len(a.EnvExample))
		for i, v := range a.EnvExample {
			keys[i] = v.Key
		}
		add("env example", strings.Join(keys, ", "))
	}

	width := 0
	for _, r := range rows {
		width = max(width, len(r[0])+1)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s %s\n", width, r[0]+":", r[1])
	}

	bl := a.Blocking()
	switch {
	case len(a.Warnings) == 0:
		b.WriteString("\nno warnings\n")
	default:
		fmt.Fprintf(&b, "\nwarnings (%d, %d blocking):\n", len(a.Warnings), len(bl))
		for _, blocking := range []bool{true, false} {
			for _, w := range a.Warnings {
				if w.Blocking != blocking {
					continue
				}
				mark := "-"
				if w.Blocking {
					mark = "!"
				}
				fmt.Fprintf(&b, "  %s %s: %s\n      fix: %s\n", mark, w.Code, w.Message, w.Fix)
			}
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
