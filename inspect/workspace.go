package inspect

import (
	"encoding/json"
	"path"
	"sort"
	"strings"
)

// Bounds of the workspace scan: how many package folders are listed and how
// deep a "**" glob goes, and how far dependencies are followed.
const (
	workspaceMaxPackages = 200
	workspaceMaxDepth    = 3
	workspaceDepDepth    = 2
)

// wsPackage is a package of the workspace.
type wsPackage struct {
	dir  string // relative to the source root
	name string // package.json name
	pkg  *packageJSON
}

// prismaHome says where the app's Prisma lives: the app dir itself when it
// holds a Prisma config or schema, else the first workspace package it
// depends on (directly, or through another workspace package) that does.
// A zero pkg means the app.
func (in *inspector) prismaHome(pkg *packageJSON) (wsPackage, error) {
	a := in.app
	here := wsPackage{dir: a.Dir}
	has, err := in.holdsPrisma(a.Dir, pkg)
	if err != nil || has || !a.Workspace {
		return here, err
	}
	pkgs, err := in.workspacePackages()
	if err != nil || len(pkgs) == 0 {
		return here, err
	}
	byName := map[string]wsPackage{}
	for _, wp := range pkgs {
		if wp.name != "" && wp.dir != a.Dir {
			byName[wp.name] = wp
		}
	}
	seen := map[string]bool{}
	level := []*packageJSON{pkg}
	for depth := 0; depth < workspaceDepDepth && len(level) > 0; depth++ {
		var next []*packageJSON
		for _, from := range level {
			for _, name := range workspaceDeps(from, byName) {
				if seen[name] {
					continue
				}
				seen[name] = true
				wp := byName[name]
				has, err := in.holdsPrisma(wp.dir, wp.pkg)
				if err != nil {
					return here, err
				}
				if has {
					return wp, nil
				}
				next = append(next, wp.pkg)
			}
		}
		level = next
	}
	return here, nil
}

// workspaceDeps lists, sorted, the dependencies of pkg that are workspace
// packages: a "workspace:" version, or the name of a package of the
// workspace.
func workspaceDeps(pkg *packageJSON, byName map[string]wsPackage) []string {
	var out []string
	for _, deps := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
		for name := range deps {
			// A "workspace:" version names a package of the workspace too,
			// so the name alone finds both.
			if _, ok := byName[name]; ok {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// holdsPrisma reports whether dir holds a Prisma config or a schema.
func (in *inspector) holdsPrisma(dir string, pkg *packageJSON) (bool, error) {
	cfg, err := in.findConfig(dir)
	if err != nil || cfg != "" {
		return cfg != "", err
	}
	if pkg == nil {
		pkg = &packageJSON{}
	}
	schema, explicit, err := in.findSchema(pkg, prismaConfig{}, dir)
	return schema != "" || explicit != "", err
}

// workspacePackages lists the packages of the workspace at Root, from
// pnpm-workspace.yaml "packages" or package.json "workspaces" (an array, or
// an object with "packages"). Negated globs ("!x") are ignored.
func (in *inspector) workspacePackages() ([]wsPackage, error) {
	a := in.app
	var globs []string
	ws, err := in.readYAML(rel(a.Root, "pnpm-workspace.yaml"))
	if err != nil {
		return nil, err
	}
	if list, ok := ws["packages"].([]any); ok {
		for _, g := range list {
			if s, ok := g.(string); ok {
				globs = append(globs, s)
			}
		}
	}
	rootPkg := in.root
	if rootPkg == nil && a.Root == a.Dir {
		rootPkg, err = in.readPackageJSON(a.Root)
		if err != nil {
			return nil, err
		}
	}
	if rootPkg != nil && len(globs) == 0 {
		globs = workspaceGlobs(rootPkg.Workspaces)
	}
	var out []wsPackage
	seen := map[string]bool{}
	for _, g := range globs {
		g = strings.TrimPrefix(strings.TrimSpace(g), "./")
		if g == "" || strings.HasPrefix(g, "!") {
			continue
		}
		dirs, err := in.expandGlob(a.Root, strings.Split(strings.TrimSuffix(g, "/"), "/"), 0)
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			if seen[d] || len(out) >= workspaceMaxPackages {
				continue
			}
			seen[d] = true
			pkg, err := in.readPackageJSON(d)
			if err != nil {
				return nil, err
			}
			if pkg != nil {
				out = append(out, wsPackage{dir: d, name: pkg.Name, pkg: pkg})
			}
		}
	}
	return out, nil
}

// workspaceGlobs reads package.json "workspaces": ["apps/*"] or
// {"packages": ["apps/*"]}.
func workspaceGlobs(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Packages
	}
	return nil
}

// expandGlob returns the dirs under dir that match the glob segments: a
// literal, a path.Match pattern ("*", "app-*") or "**" (any depth, bounded).
func (in *inspector) expandGlob(dir string, segs []string, depth int) ([]string, error) {
	if len(segs) == 0 {
		return []string{dir}, nil
	}
	seg := segs[0]
	if seg == "**" {
		// "**" matches zero or more folders.
		out, err := in.expandGlob(dir, segs[1:], depth)
		if err != nil || depth >= workspaceMaxDepth {
			return out, err
		}
		subs, err := in.subdirs(dir)
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			more, err := in.expandGlob(s, segs, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		return out, nil
	}
	if !strings.ContainsAny(seg, "*?[") {
		ok, err := in.hasDir(dir, seg)
		if err != nil || !ok {
			return nil, err
		}
		return in.expandGlob(rel(dir, seg), segs[1:], depth+1)
	}
	subs, err := in.subdirs(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range subs {
		if ok, _ := path.Match(seg, path.Base(s)); !ok {
			continue
		}
		more, err := in.expandGlob(s, segs[1:], depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// subdirs lists the folders in dir that can hold workspace packages (never
// node_modules or hidden folders).
func (in *inspector) subdirs(dir string) ([]string, error) {
	ents, err := in.list(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && e.Name() != "node_modules" && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, rel(dir, e.Name()))
		}
	}
	return out, nil
}
