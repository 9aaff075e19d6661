package inspect

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// The driver-adapter scan reads the app's database code, never the whole
// tree: scripts in the usual database folders (lib, db, server, prisma,
// utils, under the package or its src), files named db.*, prisma.* or
// client.* at the package's root or in src, and, for the workspace package
// that holds Prisma, every script directly in its src (its entry point).
// It lists at most adapterMaxLists folders and reads at most adapterMaxReads
// files, adapterMaxDepth folders deep.
const (
	adapterMaxDepth = 2
	adapterMaxLists = 32
	adapterMaxReads = 48
)

var (
	// adapterDirs are the folders, relative to a package, that hold database code.
	adapterDirs = []string{"lib", "src/lib", "db", "src/db", "server", "src/server", "prisma", "src/prisma", "utils", "src/utils"}
	// adapterNames are file names (without extension) that hold database code.
	adapterNames = []string{"db", "prisma", "client"}
	// adapterExts are the script extensions read; .tsx and .jsx are components.
	adapterExts = []string{".ts", ".js", ".mjs", ".cjs", ".mts"}
	// adapterSkipDirs are never entered: dependencies, builds, migrations,
	// generated clients.
	adapterSkipDirs = map[string]bool{"node_modules": true, "generated": true, "migrations": true, "dist": true, "build": true, "__tests__": true, "__mocks__": true}

	// dbCallRe finds the calls that open a database connection.
	dbCallRe = regexp.MustCompile(`\bnew\s+(?:PrismaPg|PrismaNeon|PrismaNeonHTTP|PrismaNeonHttp|PrismaPostgresAdapter|PrismaClient|(?:pg\.)?Pool|(?:pg\.)?Client)\s*(?:<[^<>()]*>)?\s*\(|\bneon\s*\(|\bpostgres\s*\(|\bcreatePool\s*\(`)
	// processEnvAnyRe finds process.env.X and process.env["X"].
	processEnvAnyRe = regexp.MustCompile(`\bprocess\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\])`)
	// urlishRe tells a URL variable by its name.
	urlishRe = regexp.MustCompile(`(?i)(URL|URI|DSN|CONNECTION)`)
	// dbWords tell a database variable by a word of its name.
	dbWords = []string{"DATABASE", "POSTGRES", "POSTGRESQL", "PG", "DB", "NEON", "SUPABASE", "DIRECT", "POOL", "POOLED", "POOLER", "UNPOOLED", "POOLING", "PRISMA"}
)

// dbish reports whether a variable name speaks of a database:
// DATABASE_URL, POSTGRES_PRISMA_URL, NEON_DB_URL, DIRECT_URL.
func dbish(name string) bool {
	n := strings.ToUpper(name)
	if strings.Contains(n, "DATABASE") || strings.Contains(n, "POSTGRES") {
		return true
	}
	for _, w := range strings.Split(n, "_") {
		if contains(dbWords, w) {
			return true
		}
	}
	return false
}

// Patterns lists, as doublestar globs relative to the source root, every file
// Inspect may read (and so every file whose presence it looks for): export
// exactly these before calling Inspect on a copy of the source. Use them with
// ExcludePatterns.
var Patterns = buildPatterns()

// ExcludePatterns are folders Inspect never reads: leave them out of the
// export even when the source holds them.
var ExcludePatterns = []string{"**/node_modules", "**/.next", "**/.git"}

func buildPatterns() []string {
	pats := []string{
		// manifests, lockfiles and install inputs
		"**/package.json", "**/package-lock.json", "**/npm-shrinkwrap.json",
		"**/pnpm-lock.yaml", "**/pnpm-workspace.yaml", "**/yarn.lock", "**/.yarnrc.yml", "**/.yarnrc",
		"**/bun.lock", "**/bun.lockb", "**/bunfig.toml", "**/.npmrc", "**/.pnpmfile.cjs", "**/patches/*",
		"**/.yarn/releases/**", "**/.yarn/plugins/**", "**/.yarn/patches/**",
		// Node
		"**/.nvmrc", "**/.node-version",
		// Next.js: config, health routes, font entry files
		"**/next.config.*", "**/app/**/route.*", "**/pages/**",
		"**/app/**/layout.*", "**/app/**/template.*", "**/app/**/font.*", "**/app/**/fonts.*",
		// Prisma
		"**/prisma.config.*", "**/.config/prisma.*", "**/*.prisma", "**/migration_lock.toml",
		"**/migrations/*/migration.sql",
		// environment template
		"**/.env.example",
	}
	for _, ext := range adapterExts {
		for _, d := range []string{"lib", "db", "server", "prisma", "utils"} {
			pats = append(pats, "**/"+d+"/**/*"+ext)
		}
		for _, n := range adapterNames {
			pats = append(pats, "**/"+n+ext)
		}
		pats = append(pats, "**/src/*"+ext)
	}
	return pats
}

// scanAdapterCode finds the variables the app's own database code reads at
// run time, in the app and in the workspace package that holds Prisma.
func (in *inspector) scanAdapterCode(p *Prisma) error {
	a := in.app
	s := adapterScan{in: in, skip: map[string]bool{}}
	if p.OutputDir != "" {
		s.skip[p.OutputDir] = true
	}
	bases := []string{a.Dir}
	if p.Dir != "" && p.Dir != a.Dir {
		bases = append(bases, p.Dir)
	}
	for _, base := range bases {
		pkgSrc := base != a.Dir // a workspace package: its src is its code
		for _, d := range []string{".", "src"} {
			dir := rel(base, d)
			ents, err := s.listDir(dir)
			if err != nil {
				return err
			}
			for _, e := range ents {
				if e.IsDir() || !isScript(e.Name()) {
					continue
				}
				if (pkgSrc && d == "src") || contains(adapterNames, scriptStem(e.Name())) {
					if err := s.scanFile(rel(dir, e.Name())); err != nil {
						return err
					}
				}
			}
		}
		for _, d := range adapterDirs {
			if err := s.walk(rel(base, d), 0); err != nil {
				return err
			}
		}
	}
	return nil
}

type adapterScan struct {
	in           *inspector
	lists, reads int
	skip         map[string]bool // folders never entered
	done         map[string]bool // files already read
}

// listDir lists dir when it exists, within the listing budget.
func (s *adapterScan) listDir(dir string) ([]fs.DirEntry, error) {
	if s.lists >= adapterMaxLists {
		return nil, nil
	}
	ok, err := s.in.isDir(dir)
	if err != nil || !ok {
		return nil, err
	}
	s.lists++
	return s.in.list(dir)
}

func (s *adapterScan) walk(dir string, depth int) error {
	if s.skip[dir] {
		return nil
	}
	ents, err := s.listDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.IsDir():
			if depth < adapterMaxDepth && !adapterSkipDirs[name] && !strings.HasPrefix(name, ".") {
				if err := s.walk(rel(dir, name), depth+1); err != nil {
					return err
				}
			}
		case isScript(name):
			if err := s.scanFile(rel(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanFile reads a script and records the database URL variables it passes
// to a connection: any process.env.X inside the call's arguments, and the
// URL-like database variables elsewhere in the file (read into a constant
// first, as in `const connectionString = process.env.DATABASE_URL`).
func (s *adapterScan) scanFile(p string) error {
	if s.done == nil {
		s.done = map[string]bool{}
	}
	if s.done[p] || s.reads >= adapterMaxReads {
		return nil
	}
	s.done[p] = true
	s.reads++
	data, _, err := s.in.read(p)
	if err != nil {
		return err
	}
	src := stripJS(string(data))
	calls := dbCallRe.FindAllStringIndex(src, -1)
	if len(calls) == 0 {
		return nil
	}
	inArgs := map[string]bool{}
	for _, c := range calls {
		if args, ok := parenBody(src, c[1]-1); ok {
			for _, m := range processEnvAnyRe.FindAllStringSubmatch(args, -1) {
				inArgs[m[1]+m[2]] = true
			}
		}
	}
	for _, m := range processEnvAnyRe.FindAllStringSubmatch(src, -1) {
		name := m[1] + m[2]
		if name == "NODE_ENV" || strings.HasPrefix(name, "NEXT_PUBLIC_") {
			continue
		}
		if inArgs[name] || (urlishRe.MatchString(name) && dbish(name)) {
			s.in.dbVars.add(name, roleRuntime, p)
		}
	}
	return nil
}

// isScript reports whether name is a script the scan reads: .ts, .js, .mjs,
// .cjs or .mts, not a declaration file or a test.
func isScript(name string) bool {
	if strings.HasSuffix(name, ".d.ts") || strings.HasSuffix(name, ".d.mts") || strings.Contains(name, ".test.") || strings.Contains(name, ".spec.") {
		return false
	}
	return contains(adapterExts, path.Ext(name))
}

// scriptStem is the name without its extension: "db" for db.ts.
func scriptStem(name string) string {
	return strings.TrimSuffix(name, path.Ext(name))
}
