// Package inspect reads a Next.js + Prisma application through an fs.FS and
// reports what Slipway must know to build it: the package manager and its
// lockfile, the Node version, whether Next.js emits standalone output, where
// the Prisma schema and migrations live, and what will go wrong.
//
// The fs.FS may be backed by remote calls, so Inspect reads only the few files
// it needs (fs.ReadFile, fs.ReadDir and fs.Stat) and never walks the tree;
// Patterns lists every file it may read.
package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Sentinel errors, for callers that need to branch.
var (
	// ErrNotBuildable is wrapped by App.Err when a blocking warning exists.
	ErrNotBuildable = errors.New("app is not buildable")
	// ErrBadDir is returned by Inspect when dir is not a directory inside fsys.
	ErrBadDir = errors.New("bad app directory")
	// ErrBadPackageJSON is returned by Inspect when package.json can't be parsed.
	ErrBadPackageJSON = errors.New("bad package.json")
	// ErrBadOverride is returned when a package manager override can't be parsed.
	ErrBadOverride = errors.New("bad package manager override")
)

// App is what Slipway must know to build an app.
type App struct {
	Dir            string            `json:"dir"`  // app dir relative to the source root
	Root           string            `json:"root"` // dir holding the lockfile (workspace root)
	Name           string            `json:"name"` // package.json name
	PackageManager PackageManager    `json:"packageManager"`
	Node           Node              `json:"node"`
	Next           Next              `json:"next"`
	Prisma         *Prisma           `json:"prisma,omitempty"` // nil when the app has no Prisma
	Scripts        map[string]string `json:"scripts,omitempty"`
	// Lockfiles lists every lockfile found in Root, relative to the source root.
	Lockfiles []string `json:"lockfiles,omitempty"`
	// InstallInputs lists the files and dirs, relative to the source root, that a
	// frozen install needs besides the sources (package.json, lockfile, .npmrc,
	// .yarnrc.yml, .yarn, pnpm-workspace.yaml, patches...). Found in the app dir
	// and Root only: a workspace's other packages are not listed.
	InstallInputs []string `json:"installInputs,omitempty"`
	// Workspace is true when Root declares workspaces (package.json workspaces
	// or pnpm-workspace.yaml).
	Workspace bool `json:"workspace,omitempty"`
	// HealthPath is the URL path of a health route found in the app ("" if none).
	HealthPath string    `json:"healthPath,omitempty"`
	EnvExample []EnvVar  `json:"envExample,omitempty"` // from .env.example (keys, values, comments)
	Warnings   []Warning `json:"warnings,omitempty"`

	yarnrc bool // Root has .yarnrc.yml (yarn berry)
	// pmChoices holds the version choice for the managers of the other
	// lockfiles found, for an override that picks one of them.
	pmChoices map[string]PackageManager
}

// Node is the Node.js version the app asks for.
type Node struct {
	Version string `json:"version,omitempty"` // as written: ">=20.9", "22", "v20.11.1", "lts/*"
	Major   int    `json:"major,omitempty"`   // best major that satisfies it (0 = unknown)
	Source  string `json:"source,omitempty"`  // "engines.node" | ".nvmrc" | ".node-version"
}

// Next describes the Next.js side of the app.
type Next struct {
	Version    string `json:"version,omitempty"`    // from dependencies
	Config     string `json:"config,omitempty"`     // next.config.{js,mjs,cjs,ts,mts} path, "" if none
	Standalone bool   `json:"standalone"`           // output: 'standalone'
	BasePath   string `json:"basePath,omitempty"`   // basePath when written as a literal
	FontGoogle bool   `json:"fontGoogle,omitempty"` // next/font/google used (needs network at build)
}

// Prisma describes the Prisma side of the app.
type Prisma struct {
	Version            string   `json:"version,omitempty"`       // prisma CLI from devDependencies/dependencies
	ClientVersion      string   `json:"clientVersion,omitempty"` // @prisma/client
	Config             string   `json:"config,omitempty"`        // prisma.config.{ts,mts,js,mjs...} path if any
	Schema             string   `json:"schema"`                  // schema file or folder path (multi-file schema)
	Generator          string   `json:"generator"`               // prisma-client-js | prisma-client
	Output             string   `json:"output,omitempty"`        // generator output, relative to the schema dir, as written
	OutputDir          string   `json:"outputDir,omitempty"`     // Output resolved against the generator's file, relative to the source root
	Provider           string   `json:"provider"`                // datasource provider (postgresql...)
	URLEnv             string   `json:"urlEnv"`                  // variable holding the DB URL
	URLRequiredAtBuild bool     `json:"urlRequiredAtBuild,omitempty"`
	ConfigEnv          []string `json:"configEnv,omitempty"`      // every env("X") the config calls: each needs a value at generate time
	Migrations         string   `json:"migrations,omitempty"`     // migrations dir
	MigrationNames     []string `json:"migrationNames,omitempty"` // folder names holding migration.sql, sorted
	Adapters           []string `json:"adapters,omitempty"`       // @prisma/adapter-* deps
	// Dir is where Prisma commands run: the folder of the Prisma config, or
	// of the workspace package that owns the schema (e.g. packages/db).
	Dir string `json:"dir,omitempty"`
	// Package is the workspace package that owns the schema when it is not
	// the app itself (e.g. @acme/db), found through the app's dependencies.
	Package string `json:"package,omitempty"`
	// DatabaseVars is every variable that holds the database URL, and what
	// each is for. URLEnv is the one migrations read.
	DatabaseVars []DatabaseVar `json:"databaseVars,omitempty"`
}

// DatabaseVar is one variable that holds the database URL.
type DatabaseVar struct {
	Name string `json:"name"`
	// Runtime: the app's own client reads it at run time (often pooled).
	Runtime bool `json:"runtime,omitempty"`
	// Migrations: prisma migrate reads it (schema url or directUrl, the
	// config's datasource url, or a fallback in its chain).
	Migrations bool `json:"migrations,omitempty"`
	// Shadow: the shadow database of `prisma migrate dev`; never production.
	Shadow bool `json:"shadow,omitempty"`
	// Sources says where it was found, e.g. "prisma.config.ts (datasource.url)".
	Sources []string `json:"sources,omitempty"`
}

// DatabaseVarNames returns the names of every database variable, migrations'
// first; with none detected, URLEnv alone.
func (p *Prisma) DatabaseVarNames() []string {
	names := []string{}
	if p.URLEnv != "" {
		names = append(names, p.URLEnv)
	}
	for _, v := range p.DatabaseVars {
		if v.Name != p.URLEnv {
			names = append(names, v.Name)
		}
	}
	return names
}

// EnvVar is one entry of .env.example.
type EnvVar struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"` // the comment lines right above the key, without '#'
}

// Warning is something that will break or surprise.
type Warning struct {
	Code     string `json:"code"`    // stable identifier, e.g. no-lockfile
	Message  string `json:"message"` // what will break
	Fix      string `json:"fix"`     // how to fix it
	Blocking bool   `json:"blocking,omitempty"`
}

// Warning codes. The blocking ones make App.Err fail.
const (
	CodeNoPackageJSON       = "no-package-json"
	CodeNoLockfile          = "no-lockfile"
	CodeNoNext              = "no-next"
	CodeNoStandalone        = "no-standalone"
	CodeStandaloneDynamic   = "standalone-dynamic"
	CodeSeveralNextConfigs  = "several-next-configs"
	CodeSeveralLockfiles    = "several-lockfiles"
	CodePMMismatch          = "package-manager-mismatch"
	CodePMUnpinned          = "package-manager-unpinned"
	CodePMFieldInvalid      = "package-manager-field-invalid"
	CodeFontGoogle          = "font-google"
	CodeNoNodeVersion       = "no-node-version"
	CodeNodeUnknown         = "node-version-unknown"
	CodeNodeUnsupported     = "node-version-unsupported"
	CodeNoSchema            = "no-prisma-schema"
	CodeNotPostgres         = "prisma-not-postgres"
	CodeNoMigrations        = "no-migrations"
	CodeMigrationNoSQL      = "migration-without-sql"
	CodeMigrationLock       = "migration-lock-provider"
	CodePrismaConfigDynamic = "prisma-config-dynamic"
	CodePrismaMismatch      = "prisma-version-mismatch"
	CodePrismaNoOutput      = "prisma-client-no-output"
	CodePrismaURLLiteral    = "prisma-url-literal"
	CodeExtraGenerator      = "extra-generator"
	CodeNoGenerator         = "no-prisma-generator"
	CodePrismaNoCLI         = "prisma-cli-missing"
	CodePrismaNoConfig      = "prisma-no-config"
	CodePrismaSchemaURL     = "prisma-schema-url"
	CodePostinstallPrisma   = "postinstall-prisma"
	CodePostinstallGenerate = "postinstall-generate"
	CodeBuildMigrates       = "build-migrates"
	CodeNoBuildScript       = "no-build-script"
	CodeEnvExampleInvalid   = "env-example-invalid"
	CodeDotenvInSource      = "dotenv-in-source"
	CodeNoHealthRoute       = "no-health-route"
)

var blockingCodes = map[string]bool{
	CodeNoPackageJSON: true,
	CodeNoLockfile:    true,
	CodeNoNext:        true,
	CodeNoStandalone:  true,
}

// Inspect reads the app at dir (relative to the root of fsys; "." for the
// root; a monorepo app can be at e.g. "apps/web" with the lockfile at the root
// or in the app dir) and reports what Slipway must know to build it.
//
// Problems with the app are reported as warnings (see App.Err); Inspect itself
// fails only when dir is not a directory, package.json is not valid JSON, or
// the file system fails.
func Inspect(fsys fs.FS, dir string) (*App, error) {
	dir, err := cleanDir(dir)
	if err != nil {
		return nil, err
	}
	in := &inspector{fsys: fsys, lists: map[string][]fs.DirEntry{}, dirs: map[string]bool{}}
	if err := in.requireDir(dir); err != nil {
		return nil, err
	}
	in.dirs[dir] = true
	app := &App{Dir: dir, Root: dir}
	in.app = app

	pkg, err := in.readPackageJSON(dir)
	if err != nil {
		return nil, err
	}
	if pkg == nil {
		app.warn(CodeNoPackageJSON,
			fmt.Sprintf("%s has no package.json, so there is nothing to install or build", displayDir(dir)),
			"point Slipway at the directory that holds the app's package.json (e.g. --app-dir apps/web)")
		pkg = &packageJSON{}
	}
	app.Name = pkg.Name
	if len(pkg.Scripts) > 0 {
		app.Scripts = pkg.Scripts
	}

	steps := []func(*packageJSON) error{
		in.detectPackageManager,
		in.detectNode,
		in.detectNext,
		in.detectPrisma,
		in.checkScripts,
		in.detectEnvExample,
		in.detectDatabaseVars,
		in.detectHealth,
	}
	for _, step := range steps {
		if err := step(pkg); err != nil {
			return nil, err
		}
	}
	return app, nil
}

// cleanDir validates and cleans the app dir argument.
func cleanDir(dir string) (string, error) {
	d := strings.TrimSpace(dir)
	d = strings.TrimPrefix(strings.ReplaceAll(d, `\`, "/"), "./")
	if d == "" {
		d = "."
	}
	d = path.Clean(d)
	if !fs.ValidPath(d) {
		return "", fmt.Errorf("%w: %q must be a relative path inside the source (e.g. \".\" or \"apps/web\")", ErrBadDir, dir)
	}
	return d, nil
}

func displayDir(dir string) string {
	if dir == "." {
		return "the source root"
	}
	return dir
}

// rel joins dir and name into a path relative to the source root.
func rel(dir, name string) string {
	return path.Join(dir, name)
}

func (a *App) warn(code, message, fix string) {
	a.Warnings = append(a.Warnings, Warning{Code: code, Message: message, Fix: fix, Blocking: blockingCodes[code]})
}

// HasWarning reports whether a warning with code is present.
func (a *App) HasWarning(code string) bool {
	for _, w := range a.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func (a *App) dropWarnings(codes ...string) {
	kept := a.Warnings[:0]
	for _, w := range a.Warnings {
		drop := false
		for _, c := range codes {
			if w.Code == c {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, w)
		}
	}
	a.Warnings = kept
}

// Blocking returns the warnings that stop a build.
func (a *App) Blocking() []Warning {
	var out []Warning
	for _, w := range a.Warnings {
		if w.Blocking {
			out = append(out, w)
		}
	}
	return out
}

// Err returns a non-nil error wrapping ErrNotBuildable that lists the blocking
// warnings and their fixes, or nil when the app can be built.
func (a *App) Err() error {
	bl := a.Blocking()
	if len(bl) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s):", ErrNotBuildable.Error(), displayDir(a.Dir))
	for _, w := range bl {
		fmt.Fprintf(&b, "\n  - %s [%s]\n    fix: %s", w.Message, w.Code, w.Fix)
	}
	return &notBuildableError{msg: b.String()}
}

type notBuildableError struct{ msg string }

func (e *notBuildableError) Error() string { return e.msg }
func (e *notBuildableError) Unwrap() error { return ErrNotBuildable }

// JSON returns the app as indented JSON, the form of `inspect --json`.
func (a *App) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep ">=20.9" readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(a); err != nil {
		return nil, fmt.Errorf("encode app report: %w", err)
	}
	return b.Bytes(), nil
}

// CacheName names the app's own caches (such as .next/cache), so that two
// apps never share one: the package name, plus the app dir in a monorepo.
func (a *App) CacheName() string {
	name := strings.NewReplacer("@", "", "/", "-").Replace(a.Name)
	if name == "" {
		name = "app"
	}
	if a.Dir != "." && a.Dir != "" {
		name += "-" + strings.ReplaceAll(a.Dir, "/", "-")
	}
	return name
}
