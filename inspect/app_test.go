package inspect

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScripts(t *testing.T) {
	tests := []struct {
		name    string
		scripts string
		code    string
		in      string // part of the message
	}{
		{"postinstall migrates", `{"build":"next build","postinstall":"prisma generate && prisma migrate deploy"}`, CodePostinstallPrisma, "prisma migrate deploy"},
		{"postinstall pushes through another script", `{"build":"next build","postinstall":"npm run db:setup","db:setup":"prisma db push --accept-data-loss"}`, CodePostinstallPrisma, "prisma db push"},
		{"prepare seeds via pnpm", `{"build":"next build","prepare":"pnpm seed","seed":"prisma db seed"}`, CodePostinstallPrisma, `"prepare"`},
		{"postinstall generates", `{"build":"next build","postinstall":"prisma generate"}`, CodePostinstallGenerate, "prisma generate"},
		{"build migrates", `{"build":"prisma migrate deploy && next build"}`, CodeBuildMigrates, "prisma migrate deploy"},
		{"prebuild migrates via yarn run", `{"build":"next build","prebuild":"yarn run migrate","migrate":"prisma migrate deploy"}`, CodeBuildMigrates, `"prebuild"`},
		{"no build script", `{"start":"next start"}`, CodeNoBuildScript, "next build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg := `{"name":"shop","engines":{"node":"22"},"dependencies":{"next":"15"},"scripts":` + tt.scripts + `}`
			app := inspectAt(t, with(baseApp(), map[string]string{"package.json": pkg}), ".")
			w := warning(t, app, tt.code)
			assert.Contains(t, w.Message, tt.in)
			assert.NotEmpty(t, w.Fix)
			assert.False(t, w.Blocking)
		})
	}
	t.Run("self-referencing scripts terminate", func(t *testing.T) {
		pkg := `{"dependencies":{"next":"15"},"scripts":{"build":"next build","postinstall":"npm run a","a":"npm run b","b":"npm run a"}}`
		app := inspectAt(t, with(baseApp(), map[string]string{"package.json": pkg}), ".")
		assert.NotContains(t, codes(app), CodePostinstallPrisma)
	})
	t.Run("workspace root postinstall", func(t *testing.T) {
		tree := monorepo(map[string]string{"package-lock.json": "{}", "package.json": `{"workspaces":["apps/*"],"scripts":{"postinstall":"prisma migrate deploy"}}`})
		app := inspectAt(t, tree, "apps/web")
		assert.Contains(t, warning(t, app, CodePostinstallPrisma).Message, "in package.json")
	})
}

func TestEnvExample(t *testing.T) {
	src := "\ufeff# Postgres connection\n# (used by Prisma)\nDATABASE_URL=\"postgresql://shop:shop@localhost:5432/shop?schema=public\"\n" +
		"DIRECT_URL=${DATABASE_URL}\n\n" +
		"# detached comment\n\n" +
		"export AUTH_SECRET= # openssl rand -base64 32\n" +
		"GREETING='hello # not a comment'\n" +
		"PRIVATE_KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\n" +
		"NEXT_PUBLIC_SITE=https://shop.example.com # public\n" +
		"INHERITED\n" +
		"DATABASE_URL=postgresql://override\n"
	vars, err := ParseEnvExample([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, []EnvVar{
		{Key: "DATABASE_URL", Value: "postgresql://override", Comment: "Postgres connection\n(used by Prisma)"},
		{Key: "DIRECT_URL", Value: "${DATABASE_URL}"},
		{Key: "AUTH_SECRET", Value: "", Comment: "openssl rand -base64 32"},
		{Key: "GREETING", Value: "hello # not a comment"},
		{Key: "PRIVATE_KEY", Value: "-----BEGIN KEY-----\nabc\n-----END KEY-----"},
		{Key: "NEXT_PUBLIC_SITE", Value: "https://shop.example.com", Comment: "public"},
		{Key: "INHERITED", Value: ""},
	}, vars)
}

func TestEnvExampleInApp(t *testing.T) {
	app := inspectAt(t, with(baseApp(), map[string]string{".env.example": "# db\nDATABASE_URL=postgresql://x\n"}), ".")
	assert.Equal(t, []EnvVar{{Key: "DATABASE_URL", Value: "postgresql://x", Comment: "db"}}, app.EnvExample)

	app = inspectAt(t, with(baseApp(), map[string]string{".env.example": "GOOD=1\nBAD VALUE=2\nLATER=3\n"}), ".")
	w := warning(t, app, CodeEnvExampleInvalid)
	assert.Contains(t, w.Message, ".env.example")
	assert.Equal(t, []string{"GOOD", "LATER"}, envKeys(app.EnvExample), "keys are still listed")
}

func envKeys(vars []EnvVar) []string {
	var out []string
	for _, v := range vars {
		out = append(out, v.Key)
	}
	return out
}

func TestDotenvInSource(t *testing.T) {
	app := inspectAt(t, with(baseApp(), map[string]string{".env": "SECRET=1", ".env.local": "X=1", ".env.example": "X=", ".env.sample": "X="}), ".")
	w := warning(t, app, CodeDotenvInSource)
	assert.Contains(t, w.Message, ".env, .env.local")
	assert.NotContains(t, w.Message, ".env.example")

	app = inspectAt(t, with(baseApp(), map[string]string{".env.example": "X="}), ".")
	assert.NotContains(t, codes(app), CodeDotenvInSource)
}

func TestHealthPath(t *testing.T) {
	noRoute := map[string]string{"app/api/health/route.ts": ""}
	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"app router api", nil, "/api/health"},
		{"app router healthz at the top", with(noRoute, map[string]string{"app/healthz/route.js": "x"}), "/healthz"},
		{"src app router", with(noRoute, map[string]string{"src/app/api/ping/route.ts": "x"}), "/api/ping"},
		{"pages api file", with(noRoute, map[string]string{"pages/api/healthz.ts": "x"}), "/api/healthz"},
		{"pages api index", with(noRoute, map[string]string{"src/pages/api/health/index.js": "x"}), "/api/health"},
		{"basePath", map[string]string{"next.config.mjs": "export default { output: 'standalone', basePath: '/shop' }"}, "/shop/api/health"},
		{"a folder without route file", with(noRoute, map[string]string{"app/api/health/util.ts": "x"}), ""},
		{"none", noRoute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), tt.changes), ".")
			assert.Equal(t, tt.want, app.HealthPath)
			if tt.want == "" {
				assert.False(t, warning(t, app, CodeNoHealthRoute).Blocking)
			} else {
				assert.NotContains(t, codes(app), CodeNoHealthRoute)
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	tree := files(with(baseApp(), map[string]string{"apps/web/package.json": "{\n  \"name\": \"web\",\n}\n", "README.md": "x"}))
	tests := []struct {
		dir    string
		target error
		msg    string
	}{
		{"/abs", ErrBadDir, "relative path"},
		{"../outside", ErrBadDir, "relative path"},
		{"apps/missing", ErrBadDir, "does not exist"},
		{"README.md", ErrBadDir, "is a file"},
		{"apps/web", ErrBadPackageJSON, "apps/web/package.json: line 3, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			app, err := Inspect(tree, tt.dir)
			require.Error(t, err)
			assert.Nil(t, app)
			assert.ErrorIs(t, err, tt.target)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	t.Run("wrong type in package.json", func(t *testing.T) {
		_, err := Inspect(files(map[string]string{"package.json": `{"scripts":{"build":1}}`}), "")
		assert.ErrorIs(t, err, ErrBadPackageJSON)
		assert.Contains(t, err.Error(), "line 1")
	})
}

// failingFS fails every read of one path with a non-NotExist error.
type failingFS struct {
	fstest.MapFS
	bad string
}

func (f failingFS) ReadFile(name string) ([]byte, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("connection reset")}
	}
	return f.MapFS.ReadFile(name)
}

func TestInspectPropagatesReadErrors(t *testing.T) {
	_, err := Inspect(failingFS{files(baseApp()), "next.config.mjs"}, ".")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read next.config.mjs")
	assert.Contains(t, err.Error(), "connection reset")
}

func TestNoPackageJSON(t *testing.T) {
	app := inspectAt(t, map[string]string{"apps/web/README.md": "x", "package-lock.json": "{}"}, "apps/web")
	w := warning(t, app, CodeNoPackageJSON)
	assert.True(t, w.Blocking)
	assert.NotContains(t, codes(app), CodeNoNext, "one blocking reason is enough")
	err := app.Err()
	require.ErrorIs(t, err, ErrNotBuildable)
	assert.Contains(t, err.Error(), "apps/web has no package.json")
	assert.Contains(t, err.Error(), "fix: point Slipway at the directory")
}

func TestErr(t *testing.T) {
	assert.NoError(t, inspectAt(t, baseApp(), ".").Err())

	app := inspectAt(t, with(baseApp(), map[string]string{"package-lock.json": "", "next.config.mjs": "export default {}", "app/layout.tsx": "import 'next/font/google'"}), ".")
	err := app.Err()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrNotBuildable))
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "app is not buildable (the source root):"), msg)
	assert.Contains(t, msg, "[no-lockfile]")
	assert.Contains(t, msg, "fix: run `npm install` and commit package-lock.json")
	assert.Contains(t, msg, "[no-standalone]")
	assert.Contains(t, msg, "fix: add output: 'standalone' to the config object in next.config.mjs")
	assert.NotContains(t, msg, "font-google", "only blocking warnings stop the build")
	assert.Len(t, app.Blocking(), 2)
}

// TestReadsStayBounded checks that Inspect reads only what it needs: no
// dependency, build or VCS folders, and a handful of calls for a typical app.
func TestReadsStayBounded(t *testing.T) {
	tree := prismaApp(map[string]string{
		".env.example":                     "DATABASE_URL=postgresql://x\n",
		"app/layout.tsx":                   "export default function L() {}\n",
		"node_modules/next/package.json":   `{"name":"next"}`,
		"node_modules/.prisma/client/x.js": "x",
		".next/cache/x":                    "x",
		".git/HEAD":                        "ref: refs/heads/main\n",
		"components/layout.tsx":            "import 'next/font/google'",
	})
	rec := &recordingFS{fsys: files(tree)}
	app, err := Inspect(rec, ".")
	require.NoError(t, err)
	require.NotNil(t, app.Prisma)
	for _, dir := range []string{"node_modules", ".next", ".git", "components"} {
		assert.Empty(t, rec.touched(dir), "must not touch %s", dir)
	}
	for _, op := range rec.ops {
		assert.False(t, strings.HasPrefix(op, "open "), "only ReadFile, ReadDir and Stat: %s", op)
	}
	assert.LessOrEqual(t, len(rec.ops), 25, "calls: %v", rec.ops)
	t.Logf("%d calls for a Prisma app: %v", len(rec.ops), rec.ops)
}
