package inspect

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Package manager names.
const (
	NPM  = "npm"
	PNPM = "pnpm"
	Yarn = "yarn"
	Bun  = "bun"
)

// Where PackageManager.Source says the manager came from.
const (
	SourceLockfile       = "lockfile"
	SourcePackageManager = "packageManager field"
	SourceOverride       = "override"
	SourceDefault        = "default"
)

// PackageManager is the package manager that installs and runs the app.
type PackageManager struct {
	Name     string `json:"name"`               // npm | pnpm | yarn | bun
	Version  string `json:"version,omitempty"`  // from package.json "packageManager", without the hash
	Berry    bool   `json:"berry,omitempty"`    // yarn 2+
	Lockfile string `json:"lockfile,omitempty"` // path relative to the source root
	Source   string `json:"source"`             // "lockfile" | "packageManager field" | "override" | "default"
	// Range is the version range installed when Version is empty: the newest
	// release that reads the app's lockfile and configuration (e.g. "10" for
	// pnpm); "" means the one the Node image bundles (npm, yarn classic).
	Range string `json:"range,omitempty"`
	// Why says how the version was chosen, for inspect's report.
	Why string `json:"why,omitempty"`
	// LockfileVersion is the lockfile's own format version (e.g. "9.0").
	LockfileVersion string `json:"lockfileVersion,omitempty"`
}

// lockfiles maps lockfile names to managers, in the order used when several
// lockfiles exist and nothing decides between them.
var lockfiles = []struct{ file, pm string }{
	{"pnpm-lock.yaml", PNPM},
	{"yarn.lock", Yarn},
	{"bun.lock", Bun},
	{"bun.lockb", Bun},
	{"package-lock.json", NPM},
	{"npm-shrinkwrap.json", NPM},
}

// installInputs are files and dirs a frozen install reads besides the lockfile.
var installInputs = []string{
	"package.json", ".npmrc", ".yarnrc", ".yarnrc.yml", ".yarn", ".pnpmfile.cjs",
	"pnpm-workspace.yaml", "bunfig.toml", "patches",
}

var pmSpecRe = regexp.MustCompile(`^(npm|pnpm|yarn|bun)(?:@(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?))?(?:\+\S+)?$`)

// parsePMSpec parses "pnpm", "pnpm@9.15.0" or "pnpm@9.15.0+sha512.abc".
func parsePMSpec(spec string) (name, version string, ok bool) {
	m := pmSpecRe.FindStringSubmatch(strings.TrimSpace(spec))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// major returns the major of a version like "4.5.1", or -1.
func major(version string) int {
	v := strings.TrimPrefix(strings.TrimSpace(version), "v")
	head, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(head)
	if err != nil {
		return -1
	}
	return n
}

// detectPackageManager finds the lockfile in the app dir or the nearest
// ancestor, and reconciles it with the packageManager field.
func (in *inspector) detectPackageManager(pkg *packageJSON) error {
	a := in.app
	var found []string // lockfile paths in the nearest dir that has any
	for dir := a.Dir; ; dir = path.Dir(dir) {
		for _, lf := range lockfiles {
			ok, err := in.hasFile(dir, lf.file)
			if err != nil {
				return err
			}
			if ok {
				found = append(found, rel(dir, lf.file))
			}
		}
		if len(found) > 0 {
			a.Root = dir
			break
		}
		if dir == "." {
			break
		}
	}
	a.Lockfiles = found

	if a.Root != a.Dir {
		root, err := in.readPackageJSON(a.Root)
		if err != nil {
			return err
		}
		in.root = root
	}
	yarnrc, err := in.hasFile(a.Root, ".yarnrc.yml")
	if err != nil {
		return err
	}
	a.yarnrc = yarnrc

	// The packageManager field: the app's, else the workspace root's.
	field := pkg.PackageManager
	if field == "" && in.root != nil {
		field = in.root.PackageManager
	}
	fieldName, fieldVersion, fieldOK := parsePMSpec(field)
	if field != "" && !fieldOK {
		a.warn(CodePMFieldInvalid,
			fmt.Sprintf("package.json \"packageManager\": %q is not of the form name@version", field),
			"write it as e.g. \"pnpm@9.15.0\" (corepack reads this field)")
	}

	pm := PackageManager{Name: NPM, Source: SourceDefault}
	switch {
	case len(found) == 0 && fieldOK:
		pm = PackageManager{Name: fieldName, Version: fieldVersion, Source: SourcePackageManager}
	case len(found) == 1:
		pm = PackageManager{Name: managerOf(found[0]), Lockfile: found[0], Source: SourceLockfile}
	case len(found) > 1:
		pick := found[0]
		if fieldOK {
			for _, f := range found {
				if managerOf(f) == fieldName {
					pick = f
					break
				}
			}
		}
		pm = PackageManager{Name: managerOf(pick), Lockfile: pick, Source: SourceLockfile}
		if !fieldOK || managerOf(pick) != fieldName {
			a.warn(CodeSeveralLockfiles,
				fmt.Sprintf("several lockfiles in %s (%s); using %s", displayDir(a.Root), strings.Join(found, ", "), pick),
				fmt.Sprintf("delete the lockfiles you don't use, or set \"packageManager\": \"%s@<version>\" in package.json", pm.Name))
		}
	}
	if fieldOK && pm.Name == fieldName {
		pm.Version = fieldVersion
	} else if fieldOK {
		a.warn(CodePMMismatch,
			fmt.Sprintf("package.json says \"packageManager\": %q but the lockfile is %s; Slipway installs with %s", field, pm.Lockfile, pm.Name),
			fmt.Sprintf("regenerate the lockfile with %s and delete %s, or fix the packageManager field", fieldName, pm.Lockfile))
	}
	rootPkg := pkg
	if in.root != nil {
		rootPkg = in.root
	}
	if pm.Name == Yarn && pm.Version != "" {
		pm.Berry = major(pm.Version) >= 2
	}
	if err := in.choosePMVersion(&pm, rootPkg); err != nil {
		return err
	}
	// Every lockfile's manager, for an override that picks one of them.
	a.pmChoices = nil
	if len(found) > 1 {
		a.pmChoices = map[string]PackageManager{}
		if pm.Lockfile != "" && pm.Version == "" {
			a.pmChoices[pm.Name] = pm
		}
		for _, lf := range found {
			if name := managerOf(lf); name != pm.Name && a.pmChoices[name].Name == "" {
				other := PackageManager{Name: name, Lockfile: lf, Source: SourceLockfile}
				if err := in.choosePMVersion(&other, rootPkg); err != nil {
					return err
				}
				a.pmChoices[name] = other
			}
		}
	}
	a.PackageManager = pm
	if a.Workspace, err = in.isWorkspace(pkg); err != nil {
		return err
	}
	if err := in.collectInstallInputs(); err != nil {
		return err
	}
	a.pmWarnings()
	return nil
}

// isWorkspace reports whether Root declares workspaces.
func (in *inspector) isWorkspace(pkg *packageJSON) (bool, error) {
	a := in.app
	rootPkg := pkg
	if in.root != nil {
		rootPkg = in.root
	}
	if len(rootPkg.Workspaces) > 0 && string(rootPkg.Workspaces) != "null" {
		return true, nil
	}
	return in.hasFile(a.Root, "pnpm-workspace.yaml")
}

// collectInstallInputs lists the install inputs present in Root and Dir.
func (in *inspector) collectInstallInputs() error {
	a := in.app
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			a.InstallInputs = append(a.InstallInputs, p)
		}
	}
	dirs := []string{a.Root}
	if a.Dir != a.Root {
		dirs = append(dirs, a.Dir)
	}
	for _, dir := range dirs {
		for _, name := range installInputs {
			e, err := in.entry(dir, name)
			if err != nil {
				return err
			}
			if e != nil {
				add(rel(dir, name))
			}
		}
	}
	for _, lf := range a.Lockfiles {
		if managerOf(lf) == a.PackageManager.Name {
			add(lf)
		}
	}
	return nil
}

// pmWarnings adds the warnings that depend on the chosen manager.
func (a *App) pmWarnings() {
	pm := a.PackageManager
	if pm.Lockfile == "" {
		file := map[string]string{NPM: "package-lock.json", PNPM: "pnpm-lock.yaml", Yarn: "yarn.lock", Bun: "bun.lock"}[pm.Name]
		a.warn(CodeNoLockfile,
			fmt.Sprintf("no %s lockfile in %s, so a frozen, reproducible install is impossible", pm.Name, lockfilePlaces(a.Dir)),
			fmt.Sprintf("run `%s install` and commit %s", pm.Name, file))
	}
	// A yarn berry release committed under yarnPath pins itself.
	if pm.Version == "" && (pm.Name == PNPM || pm.Name == Bun || (pm.Name == Yarn && pm.Berry && pm.Range != "")) {
		a.warn(CodePMUnpinned, pm.unpinnedMessage(), pm.unpinnedFix())
	}
}

func lockfilePlaces(dir string) string {
	if dir == "." {
		return "the source root"
	}
	return dir + " or the folders above it"
}

// managerOf returns the manager that owns a lockfile path.
func managerOf(lockfile string) string {
	base := path.Base(lockfile)
	for _, lf := range lockfiles {
		if lf.file == base {
			return lf.pm
		}
	}
	return ""
}

// WithOverride applies the user's --package-manager override ("pnpm",
// "pnpm@9.1.0"). The lockfile is kept only when the manager stays the same;
// App.OverridePackageManager also finds the new manager's lockfile.
func (p PackageManager) WithOverride(spec string) (PackageManager, error) {
	name, version, ok := parsePMSpec(spec)
	if !ok {
		return p, fmt.Errorf("%w: %q: want npm, pnpm, yarn or bun, optionally with @version (e.g. pnpm@9.15.0)", ErrBadOverride, spec)
	}
	out := PackageManager{Name: name, Version: version, Source: SourceOverride}
	if name == p.Name {
		out.Lockfile = p.Lockfile
		out.LockfileVersion = p.LockfileVersion
		if version == "" {
			out.Version = p.Version
			out.Range, out.Why = p.Range, p.Why
		}
		out.Berry = p.Berry
	}
	if name == Yarn {
		if m := major(out.Version); m >= 0 {
			out.Berry = m >= 2
		}
	}
	switch {
	case version != "":
		out.Range, out.Why = "", pinnedWhy(SourceOverride)
	case out.Version != "":
		out.Why = pinnedWhy(p.Source) // the override named the manager only
	case name != p.Name:
		out.Range, out.Why = defaultRange(out)
	}
	return out, nil
}

// OverridePackageManager applies the user's --package-manager override to the
// app: it picks that manager's lockfile among the ones found and refreshes
// the package manager warnings.
func (a *App) OverridePackageManager(spec string) error {
	pm, err := a.PackageManager.WithOverride(spec)
	if err != nil {
		return err
	}
	if pm.Lockfile == "" {
		for _, lf := range a.Lockfiles {
			if managerOf(lf) == pm.Name {
				pm.Lockfile = lf
				break
			}
		}
	}
	if pm.Name != a.PackageManager.Name && pm.Version == "" {
		// The override names another manager without a version: choose as
		// Inspect would have, from that manager's lockfile when there is one.
		if c, ok := a.pmChoices[pm.Name]; ok {
			pm.Lockfile, pm.LockfileVersion, pm.Berry, pm.Range, pm.Why = c.Lockfile, c.LockfileVersion, c.Berry, c.Range, c.Why
		} else if pm.Name == Yarn && a.yarnrc {
			pm.Berry = true
			pm.Range, pm.Why = defaultRange(pm)
		}
	}
	a.PackageManager = pm
	a.dropWarnings(CodeNoLockfile, CodePMUnpinned, CodePMMismatch, CodeSeveralLockfiles)
	a.pmWarnings()
	return nil
}

// InstallCmd is the frozen install: it fails instead of changing the lockfile.
// production installs only what the server needs at run time.
func (p PackageManager) InstallCmd(production bool) []string {
	switch p.Name {
	case PNPM:
		if production {
			return []string{"pnpm", "install", "--frozen-lockfile", "--prod"}
		}
		return []string{"pnpm", "install", "--frozen-lockfile"}
	case Yarn:
		if p.Berry {
			if production {
				// `workspaces focus` comes from the workspace-tools plugin on
				// yarn 3 (`yarn plugin import workspace-tools`) and is built in on 4.
				return []string{"yarn", "workspaces", "focus", "--all", "--production"}
			}
			return []string{"yarn", "install", "--immutable"}
		}
		if production {
			return []string{"yarn", "install", "--frozen-lockfile", "--production"}
		}
		return []string{"yarn", "install", "--frozen-lockfile"}
	case Bun:
		if production {
			return []string{"bun", "install", "--frozen-lockfile", "--production"}
		}
		return []string{"bun", "install", "--frozen-lockfile"}
	default:
		if production {
			return []string{"npm", "ci", "--omit=dev"}
		}
		return []string{"npm", "ci"}
	}
}

// Cache dirs in a container that runs as root. They hold downloads only,
// never node_modules, so a cache volume there is safe to share.
const (
	npmCache       = "/root/.npm"
	pnpmStore      = "/root/.local/share/pnpm/store"
	yarnCache      = "/root/.cache/yarn"
	yarnBerryDir   = "/root/.yarn/berry"
	bunInstallDir  = "/root/.bun/install/cache"
	yarnBerryCache = yarnBerryDir + "/cache"
)

// CacheDir is where the manager keeps its download store, for a cache volume.
func (p PackageManager) CacheDir() string {
	switch p.Name {
	case PNPM:
		return pnpmStore
	case Yarn:
		if p.Berry {
			return yarnBerryDir
		}
		return yarnCache
	case Bun:
		return bunInstallDir
	default:
		return npmCache
	}
}

// CacheEnv is the environment that points the manager at CacheDir.
func (p PackageManager) CacheEnv() map[string]string {
	switch p.Name {
	case PNPM:
		return map[string]string{"npm_config_store_dir": pnpmStore}
	case Yarn:
		if p.Berry {
			// Yarn 4 ignores the cache folder while its global cache is on
			// (the default), so point the global folder there too.
			return map[string]string{"YARN_GLOBAL_FOLDER": yarnBerryDir, "YARN_CACHE_FOLDER": yarnBerryCache}
		}
		return map[string]string{"YARN_CACHE_FOLDER": yarnCache}
	case Bun:
		return map[string]string{"BUN_INSTALL_CACHE_DIR": bunInstallDir}
	default:
		return map[string]string{"npm_config_cache": npmCache}
	}
}

// RunCmd runs a package.json script with extra arguments.
func (p PackageManager) RunCmd(script string, args ...string) []string {
	var cmd []string
	switch p.Name {
	case PNPM, Yarn, Bun:
		cmd = []string{p.Name, "run", script}
	default:
		cmd = []string{"npm", "run", script}
		if len(args) > 0 {
			cmd = append(cmd, "--") // npm passes only what follows -- to the script
		}
	}
	return append(cmd, args...)
}

// ExecCmd runs a binary installed in node_modules/.bin, never downloading it.
func (p PackageManager) ExecCmd(bin string, args ...string) []string {
	var cmd []string
	switch p.Name {
	case PNPM:
		cmd = []string{"pnpm", "exec", bin}
	case Yarn:
		// `yarn run <bin>` finds binaries on classic and berry alike, and can't
		// clash with a built-in command the way `yarn <bin>` can.
		cmd = []string{"yarn", "run", bin}
	case Bun:
		cmd = []string{"bunx", bin}
	default:
		cmd = []string{"npx", "--no-install", bin}
	}
	return append(cmd, args...)
}

// SetupCmd makes the manager available in a Node image that has npm and
// corepack; nil when nothing is needed (npm). An unpinned manager with a
// chosen Range is installed by InstallPMCmd, so that it never resolves to
// whatever is newest.
func (p PackageManager) SetupCmd() []string {
	if cmd := p.InstallPMCmd(); cmd != nil {
		return cmd
	}
	switch p.Name {
	case PNPM, Yarn:
		if p.Version == "" {
			return []string{"corepack", "enable", p.Name}
		}
		// enable installs the shim, prepare pins the version it runs.
		return []string{"sh", "-c", fmt.Sprintf("corepack enable %s && corepack prepare %s@%s --activate", p.Name, p.Name, p.Version)}
	case Bun:
		if p.Version == "" {
			return []string{"npm", "install", "-g", "bun"}
		}
		return []string{"npm", "install", "-g", "bun@" + p.Version}
	default:
		return nil
	}
}

// SetupEnv is the environment SetupCmd and the manager need to run
// unattended.
func (p PackageManager) SetupEnv() map[string]string {
	switch p.Name {
	case PNPM, Yarn:
		return map[string]string{"COREPACK_ENABLE_DOWNLOAD_PROMPT": "0"}
	default:
		return nil
	}
}

// String is "pnpm 9.15.0", "pnpm 10 (unpinned)", "yarn (berry)" or
// "yarn 4 (unpinned, berry)".
func (p PackageManager) String() string {
	s := p.Name
	var notes []string
	switch {
	case p.Version != "":
		s += " " + p.Version
	case p.Range != "":
		s += " " + p.Range
		notes = append(notes, "unpinned")
	}
	if p.Berry {
		notes = append(notes, "berry")
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// RebuildCmd runs the install scripts of dependencies (native addons) that an
// install with --ignore-scripts skipped, without running the app's own root
// scripts; nil where the manager has no such command (yarn, bun).
func (p PackageManager) RebuildCmd() []string {
	switch p.Name {
	case NPM:
		return []string{"npm", "rebuild"}
	case PNPM:
		return []string{"pnpm", "rebuild"}
	default:
		return nil
	}
}
