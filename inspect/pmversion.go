package inspect

import (
	"fmt"
	"path"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// How the package manager's version is chosen when the app pins none: the
// newest release that reads the app's own lockfile and configuration, never
// "latest" (a new major may rewrite the lockfile, which a frozen install
// refuses, or drop a setting the app relies on).
//
// pnpm 9 to 12 all write lockfile 9.0, so for pnpm the build settings decide:
// pnpm 10 reads onlyBuiltDependencies, ignoredBuiltDependencies and
// neverBuiltDependencies (from pnpm-workspace.yaml since 10.5, or package.json
// "pnpm"); pnpm 11 replaced them with allowBuilds (and no longer reads the old
// keys), and fails installs whose dependencies' builds were never approved, so
// an app without any build key stays on 10 too.

// pnpmBuildKeys are pnpm 10's settings for dependencies' build scripts.
var pnpmBuildKeys = []string{"onlyBuiltDependencies", "ignoredBuiltDependencies", "neverBuiltDependencies", "onlyBuiltDependenciesFile"}

// pnpmAllowBuilds is the pnpm 11+ setting that replaces them.
const pnpmAllowBuilds = "allowBuilds"

var (
	pnpmLockVersionRe  = regexp.MustCompile(`(?m)^lockfileVersion:\s*['"]?([0-9][0-9.]*)`)
	npmLockVersionRe   = regexp.MustCompile(`"lockfileVersion"\s*:\s*([0-9]+)`)
	yarnMetaVersionRe  = regexp.MustCompile(`(?m)^__metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+version:\s*['"]?([0-9]+)`)
	yarnClassicRe      = regexp.MustCompile(`(?m)^#\s*yarn lockfile v([0-9]+)`)
	yarnMetadataLineRe = regexp.MustCompile(`(?m)^__metadata:`)
)

// pmFacts is what the lockfile and the configuration say about a manager.
type pmFacts struct {
	lockfileVersion string
	berry           *bool  // yarn: from the lockfile format; nil when it can't tell
	buildKeys       string // pnpm: where a pnpm 10 build key was found, e.g. "pnpm-workspace.yaml sets onlyBuiltDependencies"
	allowBuilds     string // pnpm: where allowBuilds was found
	yarnPath        string // yarn: .yarnrc.yml yarnPath
}

// lockfileFacts reads the lockfile's format version (and yarn's format).
func (in *inspector) lockfileFacts(lockfile string) (pmFacts, error) {
	var f pmFacts
	if lockfile == "" || path.Base(lockfile) == "bun.lockb" {
		return f, nil // bun.lockb is binary
	}
	data, ok, err := in.read(lockfile)
	if err != nil || !ok {
		return f, err
	}
	head := string(data[:min(len(data), 4096)])
	switch path.Base(lockfile) {
	case "pnpm-lock.yaml":
		if m := pnpmLockVersionRe.FindStringSubmatch(head); m != nil {
			f.lockfileVersion = m[1]
		}
	case "package-lock.json", "npm-shrinkwrap.json", "bun.lock":
		if m := npmLockVersionRe.FindStringSubmatch(head); m != nil {
			f.lockfileVersion = m[1]
		}
	case "yarn.lock":
		src := string(data)
		berry, classic := false, false
		if yarnMetadataLineRe.MatchString(src) {
			berry = true
			if m := yarnMetaVersionRe.FindStringSubmatch(src); m != nil {
				f.lockfileVersion = m[1]
			}
		} else if m := yarnClassicRe.FindStringSubmatch(head); m != nil {
			classic = true
			f.lockfileVersion = m[1]
		}
		if berry || classic {
			f.berry = &berry
		}
	}
	return f, nil
}

// pnpmSettings looks for the build keys in pnpm-workspace.yaml and in the
// root package.json's "pnpm" field.
func (in *inspector) pnpmSettings(f *pmFacts, rootPkg *packageJSON) error {
	a := in.app
	ws, err := in.readYAML(rel(a.Root, "pnpm-workspace.yaml"))
	if err != nil {
		return err
	}
	if _, ok := ws[pnpmAllowBuilds]; ok {
		f.allowBuilds = "pnpm-workspace.yaml sets " + pnpmAllowBuilds
	}
	for _, k := range pnpmBuildKeys {
		if _, ok := ws[k]; ok && f.buildKeys == "" {
			f.buildKeys = "pnpm-workspace.yaml sets " + k
		}
	}
	if rootPkg != nil {
		for _, k := range pnpmBuildKeys {
			if _, ok := rootPkg.Pnpm[k]; ok && f.buildKeys == "" {
				f.buildKeys = fmt.Sprintf("package.json \"pnpm\" sets %s", k)
			}
		}
		if _, ok := rootPkg.Pnpm[pnpmAllowBuilds]; ok && f.allowBuilds == "" {
			f.allowBuilds = fmt.Sprintf("package.json \"pnpm\" sets %s", pnpmAllowBuilds)
		}
	}
	return nil
}

// readYAML reads a YAML mapping; nil when the file is missing or is not a
// mapping.
func (in *inspector) readYAML(p string) (map[string]any, error) {
	ok, err := in.isFile(p)
	if err != nil || !ok {
		return nil, err
	}
	data, _, err := in.read(p)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if yaml.Unmarshal(data, &m) != nil {
		return nil, nil
	}
	return m, nil
}

// choosePMVersion fills Range, Why and LockfileVersion. A pinned manager
// (packageManager field or override) keeps its version and reads nothing.
func (in *inspector) choosePMVersion(pm *PackageManager, rootPkg *packageJSON) error {
	if pm.Version != "" {
		pm.Why = pinnedWhy(pm.Source)
		return nil
	}
	f, err := in.lockfileFacts(pm.Lockfile)
	if err != nil {
		return err
	}
	switch pm.Name {
	case PNPM:
		if err := in.pnpmSettings(&f, rootPkg); err != nil {
			return err
		}
	case Yarn:
		// The lockfile's format decides; without a known header,
		// .yarnrc.yml means berry.
		pm.Berry = in.app.yarnrc
		if f.berry != nil {
			pm.Berry = *f.berry
		}
		if in.app.yarnrc {
			rc, err := in.readYAML(rel(in.app.Root, ".yarnrc.yml"))
			if err != nil {
				return err
			}
			if s, ok := rc["yarnPath"].(string); ok {
				f.yarnPath = s
			}
		}
	}
	pm.LockfileVersion = f.lockfileVersion
	pm.Range, pm.Why = chooseRange(*pm, f)
	return nil
}

// pinnedWhy is Why for a manager whose version is pinned.
func pinnedWhy(source string) string {
	if source == SourceOverride {
		return "pinned by the override (--package-manager)"
	}
	return "pinned by the packageManager field"
}

// chooseRange applies the rules above to what the app's files say.
func chooseRange(pm PackageManager, f pmFacts) (rng, why string) {
	lock := path.Base(pm.Lockfile)
	switch pm.Name {
	case PNPM:
		v := f.lockfileVersion
		lockMajor := major(v)
		switch {
		case pm.Lockfile == "":
			return "10", "there is no pnpm-lock.yaml: the newest pnpm 10"
		case lockMajor == 9 && f.allowBuilds != "":
			return "11", fmt.Sprintf("%s is lockfile %s and %s, pnpm 11's build setting: the newest pnpm 11", lock, v, f.allowBuilds)
		case lockMajor == 9 && f.buildKeys != "":
			return "10", fmt.Sprintf("%s is lockfile %s and %s: the newest pnpm 10", lock, v, f.buildKeys)
		case lockMajor == 9:
			return "10", fmt.Sprintf("%s is lockfile %s and no build setting is present: the newest pnpm 10, since pnpm 11 fails installs whose dependency builds nobody approved", lock, v)
		case lockMajor == 6:
			return "8", fmt.Sprintf("%s is lockfile %s, which pnpm 8 writes: the newest pnpm 8", lock, v)
		case lockMajor == 5:
			return "7", fmt.Sprintf("%s is lockfile %s, which pnpm 7 writes: the newest pnpm 7", lock, v)
		case v == "":
			return "10", fmt.Sprintf("%s has no readable lockfileVersion: the newest pnpm 10, which writes lockfile 9.0", lock)
		default:
			return "10", fmt.Sprintf("%s is lockfile %s, which Slipway does not know: the newest pnpm 10, which writes lockfile 9.0", lock, v)
		}
	case Yarn:
		if f.yarnPath != "" {
			return "", fmt.Sprintf(".yarnrc.yml sets yarnPath: %s, so the app's own yarn release runs", f.yarnPath)
		}
		if !pm.Berry {
			if pm.Lockfile == "" {
				return "", "the yarn 1.22 the Node image bundles (yarn classic)"
			}
			return "", fmt.Sprintf("%s is a yarn classic lockfile (v1): the yarn 1.22 the Node image bundles", lock)
		}
		n, err := strconv.Atoi(f.lockfileVersion)
		switch {
		case err != nil:
			return "4", fmt.Sprintf("%s gives no __metadata version: the newest yarn 4", lock)
		case n >= 7:
			return "4", fmt.Sprintf("%s is yarn berry lockfile version %d, which yarn 4 writes: the newest yarn 4", lock, n)
		case n == 6:
			return "3", fmt.Sprintf("%s is yarn berry lockfile version 6, which yarn 3 writes: the newest yarn 3", lock)
		default:
			return "2", fmt.Sprintf("%s is yarn berry lockfile version %d, which yarn 2 writes: the newest yarn 2", lock, n)
		}
	case Bun:
		switch lock {
		case "bun.lock":
			return "1", "bun.lock is bun's text lockfile, which bun 1.2 and later write: the newest bun 1"
		case "bun.lockb":
			return "1", "bun.lockb is bun's binary lockfile, which every bun 1 reads: the newest bun 1"
		default:
			return "1", "there is no bun lockfile: the newest bun 1"
		}
	default:
		if f.lockfileVersion != "" {
			return "", fmt.Sprintf("%s is lockfileVersion %s: the npm bundled with the chosen Node reads it", lock, f.lockfileVersion)
		}
		return "", "the npm bundled with the chosen Node"
	}
}

// Spec is what to install: "pnpm@10.2.1" when pinned, "pnpm@10" when a range
// was chosen, "" when the Node image's bundled manager is used.
func (p PackageManager) Spec() string {
	switch {
	case p.Version != "":
		return p.Name + "@" + p.Version
	case p.Range != "":
		return p.Name + "@" + p.Range
	default:
		return ""
	}
}

// InstallPMCmd installs the manager chosen by Range when the app pins none;
// nil when nothing is needed (a pinned version, which SetupCmd prepares, or
// the manager the Node image bundles).
//
// yarn berry goes through corepack, because the npm package "yarn" is yarn
// classic: `corepack prepare yarn@4 --activate` accepts a bare major (it
// resolves the newest 4.x and makes it corepack's default yarn, which runs
// in a project without a packageManager field). yarn 2 is not published as
// @yarnpkg/cli-dist on the npm registry, so yarn@2 needs corepack's default
// source for yarn, not COREPACK_NPM_REGISTRY.
func (p PackageManager) InstallPMCmd() []string {
	if p.Version != "" || p.Range == "" {
		return nil
	}
	switch p.Name {
	case PNPM, Bun:
		return []string{"npm", "install", "-g", p.Name + "@" + p.Range}
	case Yarn:
		if !p.Berry {
			return nil
		}
		return []string{"sh", "-c", fmt.Sprintf("corepack enable yarn && corepack prepare yarn@%s --activate", p.Range)}
	default:
		return nil
	}
}

// defaultRange is the range for a manager chosen without reading its files
// (an override naming another manager that has no lockfile here).
func defaultRange(pm PackageManager) (rng, why string) {
	return chooseRange(pm, pmFacts{})
}

// unpinnedMessage says which version Slipway chose and why.
func (p PackageManager) unpinnedMessage() string {
	chosen := p.Spec()
	if chosen == "" {
		chosen = p.Name + " as bundled"
	}
	return fmt.Sprintf("the %s version is not pinned, so Slipway chose %s (%s); a new release within that range can still change the install", p.Name, chosen, p.Why)
}

func (p PackageManager) unpinnedFix() string {
	want := p.Spec()
	if want == "" {
		want = p.Name
	}
	if p.Name == Bun { // corepack does not manage bun
		return "pin the version you use: add \"packageManager\": \"bun@<version>\" to package.json (`bun --version` prints it), or pass --package-manager bun@<version>"
	}
	return fmt.Sprintf("pin the version you use: `corepack use %s` writes \"packageManager\": \"%s@<version>\" to package.json (or add it by hand; `%s --version` prints it), or pass --package-manager %s@<version>",
		want, p.Name, p.Name, p.Name)
}
