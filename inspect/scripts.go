package inspect

import (
	"fmt"
	"regexp"
	"strings"
)

// installScripts run during an install of the root package.
var installScripts = []string{"preinstall", "install", "postinstall", "prepare"}

// buildScripts run around `run build`.
var buildScripts = []string{"prebuild", "build", "postbuild"}

// scriptRefRe matches a script calling another script: npm run x, pnpm x, yarn run x...
var scriptRefRe = regexp.MustCompile(`\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)`)

// maxScriptDepth bounds how far script references are followed.
const maxScriptDepth = 4

// expandScript returns the script and the scripts it calls, joined.
func expandScript(scripts map[string]string, name string) string {
	var b strings.Builder
	seen := map[string]bool{}
	var walk func(string, int)
	walk = func(n string, depth int) {
		body, ok := scripts[n]
		if !ok || seen[n] || depth > maxScriptDepth {
			return
		}
		seen[n] = true
		b.WriteString(body)
		b.WriteString("\n")
		for _, m := range scriptRefRe.FindAllStringSubmatch(body, -1) {
			walk(m[1], depth+1)
		}
	}
	walk(name, 0)
	return b.String()
}

// checkScripts warns about install scripts that need a database or the
// schema, and build scripts that migrate.
func (in *inspector) checkScripts(pkg *packageJSON) error {
	a := in.app
	type owner struct {
		file string
		pkg  *packageJSON
	}
	owners := []owner{{rel(a.Dir, "package.json"), pkg}}
	if in.root != nil {
		owners = append(owners, owner{rel(a.Root, "package.json"), in.root})
	}
	if wp := in.prismaPkg; wp.pkg != nil {
		owners = append(owners, owner{rel(wp.dir, "package.json"), wp.pkg})
	}
	// Slipway never runs these scripts: it strips them from the manifests
	// the install sees and restores them for the build, and runs `prisma
	// generate` itself. The warnings say what is skipped.
	for _, o := range owners {
		for _, s := range installScripts {
			body := expandScript(o.pkg.Scripts, s)
			switch {
			case migrateRunRe.MatchString(body):
				a.warn(CodePostinstallPrisma,
					fmt.Sprintf("the %q script in %s runs %q; Slipway does not run install scripts (installs must not need a database), so it is skipped, and Slipway applies the migrations when the container starts", s, o.file, migrateRunRe.FindString(body)),
					fmt.Sprintf("nothing to do for the migrations; if %q does anything else the build needs, move that step into the build script", s))
			case generateRe.MatchString(body):
				a.warn(CodePostinstallGenerate,
					fmt.Sprintf("the %q script in %s runs `prisma generate`; Slipway does not run install scripts, so it is skipped, and Slipway runs `prisma generate` itself before the build", s, o.file),
					fmt.Sprintf("nothing to do for the client; if %q does anything else the build needs, move that step into the build script", s))
			}
		}
	}
	if a.HasWarning(CodeNoPackageJSON) || a.Next.Version == "" {
		return nil
	}
	if _, ok := pkg.Scripts["build"]; !ok {
		a.warn(CodeNoBuildScript,
			"package.json has no build script, so Slipway runs `next build` directly",
			"add \"build\": \"next build\" to scripts if the build needs more steps")
	}
	for _, s := range buildScripts {
		body := expandScript(pkg.Scripts, s)
		if m := migrateRunRe.FindString(body); m != "" {
			a.warn(CodeBuildMigrates,
				fmt.Sprintf("the %q script runs %q, which needs a database during the image build", s, m),
				fmt.Sprintf("remove %q from the %q script; Slipway applies migrations when the container starts", m, s))
		}
	}
	return nil
}
