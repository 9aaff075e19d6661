package inspect

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextConfig(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		src        string
		standalone bool
		code       string // the standalone warning expected, "" for none
		basePath   string
	}{
		{"mjs single quotes", "next.config.mjs", "export default { output: 'standalone' }", true, "", ""},
		{"js module.exports double quotes", "next.config.js", "/** @type {import('next').NextConfig} */\nmodule.exports = {\n  reactStrictMode: true,\n  output: \"standalone\",\n}\n", true, "", ""},
		{"cjs quoted key", "next.config.cjs", `module.exports = { "output": "standalone" }`, true, "", ""},
		{"ts as const", "next.config.ts", "import type { NextConfig } from 'next'\nconst config: NextConfig = {\n  output: 'standalone' as const,\n  basePath: '/shop',\n}\nexport default config\n", true, "", "/shop"},
		{"mts template literal", "next.config.mts", "export default { output:`standalone` }", true, "", ""},
		{"wrapped in a plugin", "next.config.mjs", "import bundle from '@next/bundle-analyzer'\nexport default bundle({ enabled: false })({ output : 'standalone' , images: { unoptimized: true } })", true, "", ""},
		{"commented out", "next.config.mjs", "export default {\n  // output: 'standalone',\n  /* output: \"standalone\" */\n}\n", false, CodeNoStandalone, ""},
		{"url with // in a string is not a comment", "next.config.mjs", "export default { images: { domains: ['https://cdn.example.com'] }, output: 'standalone' }", true, "", ""},
		{"no output", "next.config.js", "module.exports = { reactStrictMode: true }", false, CodeNoStandalone, ""},
		{"static export", "next.config.mjs", "export default { output: 'export' }", false, CodeNoStandalone, ""},
		{"from the environment", "next.config.mjs", "export default { output: process.env.NEXT_OUTPUT }", false, CodeStandaloneDynamic, ""},
		{"ternary", "next.config.mjs", "const docker = !!process.env.DOCKER\nexport default {\n  output: docker\n    ? 'standalone'\n    : undefined,\n}\n", false, CodeStandaloneDynamic, ""},
		{"shorthand property", "next.config.mjs", "const output = 'standalone'\nexport default { output }", false, CodeStandaloneDynamic, ""},
		{"webpack output is not next output", "next.config.js", "module.exports = { webpack(config) { config.output.publicPath = '/x'; return config } }", false, CodeNoStandalone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), map[string]string{"next.config.mjs": "", tt.file: tt.src}), ".")
			assert.Equal(t, tt.file, app.Next.Config)
			assert.Equal(t, tt.standalone, app.Next.Standalone)
			assert.Equal(t, tt.basePath, app.Next.BasePath)
			for _, c := range []string{CodeNoStandalone, CodeStandaloneDynamic} {
				if c == tt.code {
					w := warning(t, app, c)
					assert.Contains(t, w.Fix, tt.file)
					assert.Equal(t, c == CodeNoStandalone, w.Blocking)
				} else {
					assert.NotContains(t, codes(app), c)
				}
			}
		})
	}
}

func TestNextMissing(t *testing.T) {
	t.Run("no next.config", func(t *testing.T) {
		app := inspectAt(t, with(baseApp(), map[string]string{"next.config.mjs": ""}), ".")
		assert.Empty(t, app.Next.Config)
		w := warning(t, app, CodeNoStandalone)
		assert.True(t, w.Blocking)
		assert.Contains(t, w.Fix, "next.config.mjs")
		assert.Contains(t, w.Fix, "output: 'standalone'")
	})
	t.Run("several configs: Next.js order", func(t *testing.T) {
		app := inspectAt(t, with(baseApp(), map[string]string{"next.config.ts": "export default {}"}), ".")
		assert.Equal(t, "next.config.mjs", app.Next.Config)
		assert.True(t, app.Next.Standalone)
		assert.Contains(t, codes(app), CodeSeveralNextConfigs)
	})
	t.Run("no next dependency", func(t *testing.T) {
		app := inspectAt(t, with(baseApp(), map[string]string{"package.json": `{"name":"api","dependencies":{"express":"5"}}`}), ".")
		assert.Empty(t, app.Next.Version)
		w := warning(t, app, CodeNoNext)
		assert.True(t, w.Blocking)
		assert.Contains(t, w.Fix, "npm install next")
		assert.Empty(t, app.HealthPath)
		assert.NotContains(t, codes(app), CodeNoBuildScript, "not a Next app: no Next-specific advice")
	})
	t.Run("next in devDependencies", func(t *testing.T) {
		app := inspectAt(t, with(baseApp(), map[string]string{"package.json": `{"devDependencies":{"next":"^15.2.0"}}`}), ".")
		assert.Equal(t, "^15.2.0", app.Next.Version)
		assert.NotContains(t, codes(app), CodeNoNext)
	})
}

func TestFontGoogle(t *testing.T) {
	const google = "import { Inter } from 'next/font/google'\nconst inter = Inter({ subsets: ['latin'] })\n"
	tests := []struct {
		name string
		tree map[string]string
		want bool
	}{
		{"app layout", map[string]string{"app/layout.tsx": google}, true},
		{"src app layout", map[string]string{"src/app/layout.tsx": google}, true},
		{"pages _app", map[string]string{"pages/_app.tsx": google}, true},
		{"src pages _document", map[string]string{"src/pages/_document.jsx": `const { Roboto } = require("next/font/google")`}, true},
		{"route group layout", map[string]string{"app/(marketing)/layout.tsx": google}, true},
		{"fonts module", map[string]string{"app/fonts.ts": google}, true},
		{"old @next/font", map[string]string{"app/layout.js": `import { Inter } from "@next/font/google"`}, true},
		{"local fonts", map[string]string{"app/layout.tsx": "import localFont from 'next/font/local'\n"}, false},
		{"commented out", map[string]string{"app/layout.tsx": "// import { Inter } from 'next/font/google'\n"}, false},
		{"too deep", map[string]string{"app/a/b/c/layout.tsx": google}, false},
		{"not an entry file", map[string]string{"app/components/hero.tsx": google}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), tt.tree), ".")
			assert.Equal(t, tt.want, app.Next.FontGoogle)
			if tt.want {
				w := warning(t, app, CodeFontGoogle)
				assert.Contains(t, w.Fix, "next/font/local")
				assert.False(t, w.Blocking)
			} else {
				assert.NotContains(t, codes(app), CodeFontGoogle)
			}
		})
	}
}

func TestFontScanIsBounded(t *testing.T) {
	tree := baseApp()
	for i := 0; i < 40; i++ {
		tree["app/r"+strings.Repeat("x", i)+"/layout.tsx"] = "export default function L() {}\n"
		tree["app/r"+strings.Repeat("x", i)+"/sub/layout.tsx"] = "export default function L() {}\n"
	}
	rec := &recordingFS{fsys: files(tree)}
	_, err := Inspect(rec, ".")
	require.NoError(t, err)
	lists, reads := 0, 0
	for _, op := range rec.ops {
		switch {
		case strings.HasPrefix(op, "list app"):
			lists++
		case strings.HasPrefix(op, "read app"):
			reads++
		}
	}
	assert.LessOrEqual(t, lists, fontMaxLists+2, "app/ listings (the health probe adds a couple)")
	assert.LessOrEqual(t, reads, fontMaxReads)
}
