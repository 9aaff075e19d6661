package inspect

import (
	"fmt"
	"regexp"
	"strings"
)

// nextConfigs are the config file names Next.js reads, in its own order.
var nextConfigs = []string{"next.config.js", "next.config.mjs", "next.config.ts", "next.config.mts", "next.config.cjs"}

var outputShorthandRe = regexp.MustCompile(`[{,]\s*output\s*[,}]`)

// detectNext reads the next dependency and next.config.
func (in *inspector) detectNext(pkg *packageJSON) error {
	a := in.app
	a.Next.Version = pkg.dep("next")
	if a.Next.Version == "" && !a.HasWarning(CodeNoPackageJSON) {
		a.warn(CodeNoNext,
			"package.json does not depend on next, so this is not a Next.js app Slipway can build",
			fmt.Sprintf("add next to dependencies (`%s`), or point Slipway at the Next.js app's directory", strings.Join(addCmd(a.PackageManager.Name, "next"), " ")))
	}

	var configs []string
	for _, name := range nextConfigs {
		ok, err := in.hasFile(a.Dir, name)
		if err != nil {
			return err
		}
		if ok {
			configs = append(configs, name)
		}
	}
	if len(configs) == 0 {
		a.warn(CodeNoStandalone,
			"there is no next.config, so Next.js won't emit the standalone server the image runs",
			fmt.Sprintf("create %s with: export default { output: 'standalone' }", rel(a.Dir, "next.config.mjs")))
	} else {
		if len(configs) > 1 {
			a.warn(CodeSeveralNextConfigs,
				fmt.Sprintf("several Next.js configs (%s); Next.js reads %s only", strings.Join(configs, ", "), configs[0]),
				"delete the configs Next.js ignores")
		}
		a.Next.Config = rel(a.Dir, configs[0])
		data, _, err := in.read(a.Next.Config)
		if err != nil {
			return err
		}
		in.scanNextConfig(stripJS(string(data)))
	}
	return in.scanFonts()
}

// scanNextConfig sets Standalone and BasePath from the config source.
func (in *inspector) scanNextConfig(src string) {
	a := in.app
	var literals, dynamic []string
	for _, loc := range keyRe("output").FindAllStringIndex(src, -1) {
		raw, lit, isLit := jsValue(src, loc[1])
		switch {
		case isLit && lit == "standalone":
			a.Next.Standalone = true
		case isLit:
			literals = append(literals, lit)
		default:
			dynamic = append(dynamic, raw)
		}
	}
	if outputShorthandRe.MatchString(src) {
		dynamic = append(dynamic, "output")
	}
	if _, lit, isLit, found := findKey(src, "basePath"); found && isLit {
		a.Next.BasePath = lit
	}
	cfg := a.Next.Config
	switch {
	case a.Next.Standalone:
	case len(dynamic) > 0:
		a.warn(CodeStandaloneDynamic,
			fmt.Sprintf("%s sets output from an expression (%s), so Slipway can't tell whether the build emits a standalone server", cfg, shorten(dynamic[0], 60)),
			fmt.Sprintf("write output: 'standalone' in %s, or make sure the expression yields 'standalone' during the build", cfg))
	case len(literals) > 0:
		a.warn(CodeNoStandalone,
			fmt.Sprintf("%s sets output: '%s', but the image runs the standalone server", cfg, literals[0]),
			fmt.Sprintf("set output: 'standalone' in %s", cfg))
	default:
		a.warn(CodeNoStandalone,
			fmt.Sprintf("%s has no output: 'standalone', so Next.js won't emit the server the image runs", cfg),
			fmt.Sprintf("add output: 'standalone' to the config object in %s", cfg))
	}
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// addCmd is the command that adds a dependency.
func addCmd(pm, dep string) []string {
	if pm == NPM || pm == "" {
		return []string{"npm", "install", dep}
	}
	return []string{pm, "add", dep}
}

// Bounds of the next/font/google scan: it reads entry files (layouts, _app,
// font modules) a few levels deep, never the whole tree.
const (
	fontMaxDepth = 2
	fontMaxLists = 24
	fontMaxReads = 24
)

var (
	fontGoogleRe = regexp.MustCompile(`['"]@?next/font/google['"]`)
	fontFileRe   = regexp.MustCompile(`^(?:layout|template|_app|_document|fonts?)\.(?:tsx|ts|jsx|js|mjs)$`)
	sourceRoots  = []string{"app", "src/app", "pages", "src/pages"}
)

// scanFonts looks for next/font/google in the app's entry files.
func (in *inspector) scanFonts() error {
	a := in.app
	lists, reads := 0, 0
	type item struct {
		dir   string
		depth int
	}
	var queue []item
	for _, r := range sourceRoots {
		ok, err := in.isDir(rel(a.Dir, r))
		if err != nil {
			return err
		}
		if ok {
			queue = append(queue, item{rel(a.Dir, r), 0})
		}
	}
	for len(queue) > 0 && lists < fontMaxLists {
		it := queue[0]
		queue = queue[1:]
		ents, err := in.list(it.dir)
		if err != nil {
			return err
		}
		lists++
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() {
				if it.depth < fontMaxDepth && name != "api" && name != "node_modules" && !strings.HasPrefix(name, ".") {
					queue = append(queue, item{rel(it.dir, name), it.depth + 1})
				}
				continue
			}
			if !fontFileRe.MatchString(name) || reads >= fontMaxReads {
				continue
			}
			reads++
			p := rel(it.dir, name)
			data, _, err := in.read(p)
			if err != nil {
				return err
			}
			if fontGoogleRe.MatchString(stripJS(string(data))) {
				a.Next.FontGoogle = true
				a.warn(CodeFontGoogle,
					fmt.Sprintf("%s imports next/font/google, which downloads the fonts from Google during `next build`; the build fails without network access", p),
					"self-host the fonts with next/font/local, or build where the network is reachable")
				return nil
			}
		}
	}
	return nil
}
