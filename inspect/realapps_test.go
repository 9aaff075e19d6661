package inspect

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inspectTree runs Inspect on a tree in testdata/apps.
func inspectTree(t *testing.T, name, dir string) *App {
	t.Helper()
	app, err := Inspect(os.DirFS("testdata/apps/"+name), dir)
	require.NoError(t, err)
	return app
}

func TestPMVersionChoice(t *testing.T) {
	tests := []struct {
		tree          string
		name, rng     string
		berry         bool
		lockVersion   string
		why           []string // parts of Why
		spec          string
		installPM     []string
		unpinnedWarns bool
	}{
		{"pnpm9-build-keys", PNPM, "10", false, "9.0", []string{"pnpm-lock.yaml is lockfile 9.0", "pnpm-workspace.yaml sets onlyBuiltDependencies", "the newest pnpm 10"}, "pnpm@10", []string{"npm", "install", "-g", "pnpm@10"}, true},
		{"pnpm9-pkg-build-keys", PNPM, "10", false, "9.0", []string{`package.json "pnpm" sets neverBuiltDependencies`, "pnpm 10"}, "pnpm@10", []string{"npm", "install", "-g", "pnpm@10"}, true},
		{"pnpm9-plain", PNPM, "10", false, "9.0", []string{"no build setting", "the newest pnpm 10"}, "pnpm@10", []string{"npm", "install", "-g", "pnpm@10"}, true},
		{"pnpm9-allow-builds", PNPM, "11", false, "9.0", []string{"allowBuilds", "the newest pnpm 11"}, "pnpm@11", []string{"npm", "install", "-g", "pnpm@11"}, true},
		{"pnpm6", PNPM, "8", false, "6.0", []string{"lockfile 6.0", "pnpm 8"}, "pnpm@8", []string{"npm", "install", "-g", "pnpm@8"}, true},
		{"pnpm5", PNPM, "7", false, "5.4", []string{"lockfile 5.4", "pnpm 7"}, "pnpm@7", []string{"npm", "install", "-g", "pnpm@7"}, true},
		{"yarn-classic", Yarn, "", false, "1", []string{"yarn classic", "yarn 1.22 the Node image bundles"}, "", nil, false},
		{"yarn-berry", Yarn, "4", true, "8", []string{"lockfile version 8", "yarn 4"}, "yarn@4", []string{"sh", "-c", "corepack enable yarn && corepack prepare yarn@4 --activate"}, true},
		{"yarn-berry3", Yarn, "3", true, "6", []string{"lockfile version 6", "yarn 3"}, "yarn@3", []string{"sh", "-c", "corepack enable yarn && corepack prepare yarn@3 --activate"}, true},
		{"yarn-berry-path", Yarn, "", true, "8", []string{"yarnPath: .yarn/releases/yarn-4.9.2.cjs", "the app's own yarn release runs"}, "", nil, false},
		{"bun", Bun, "1", false, "1", []string{"bun.lock", "bun 1.2"}, "bun@1", []string{"npm", "install", "-g", "bun@1"}, true},
		{"bun-binary", Bun, "1", false, "", []string{"bun.lockb"}, "bun@1", []string{"npm", "install", "-g", "bun@1"}, true},
		{"heartbeat", NPM, "", false, "3", []string{"lockfileVersion 3", "the npm bundled with the chosen Node"}, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.tree, func(t *testing.T) {
			app := inspectTree(t, tt.tree, ".")
			pm := app.PackageManager
			assert.Equal(t, tt.name, pm.Name)
			assert.Empty(t, pm.Version)
			assert.Equal(t, tt.rng, pm.Range)
			assert.Equal(t, tt.berry, pm.Berry)
			assert.Equal(t, tt.lockVersion, pm.LockfileVersion)
			for _, w := range tt.why {
				assert.Contains(t, pm.Why, w)
			}
			assert.NotContains(t, pm.Why, "latest")
			assert.Equal(t, tt.spec, pm.Spec())
			assert.Equal(t, tt.installPM, pm.InstallPMCmd())
			if tt.installPM != nil {
				assert.Equal(t, tt.installPM, pm.SetupCmd(), "an unpinned manager is set up at its chosen range")
			}
			if tt.unpinnedWarns {
				w := warning(t, app, CodePMUnpinned)
				assert.Contains(t, w.Message, "Slipway chose "+tt.spec)
				assert.Contains(t, w.Fix, "\"packageManager\"")
				assert.Contains(t, app.Report(), "pm version:")
				assert.Contains(t, app.Report(), tt.spec+" (")
			} else {
				assert.NotContains(t, codes(app), CodePMUnpinned)
			}
			assert.Contains(t, app.Report(), pm.Why)
			js, err := app.JSON()
			require.NoError(t, err)
			assert.Contains(t, string(js), `"why": `)
			if tt.rng != "" {
				assert.Contains(t, string(js), `"range": "`+tt.rng+`"`)
			}
		})
	}
}

func TestPMVersionPinned(t *testing.T) {
	tree := with(baseApp(), map[string]string{
		"package-lock.json":   "",
		"pnpm-lock.yaml":      "lockfileVersion: '9.0'\n",
		"pnpm-workspace.yaml": "allowBuilds:\n  sharp: true\n",
		"package.json":        `{"packageManager":"pnpm@10.2.1","dependencies":{"next":"15"}}`,
	})
	rec := &recordingFS{fsys: files(tree)}
	app, err := Inspect(rec, ".")
	require.NoError(t, err)
	pm := app.PackageManager
	assert.Equal(t, "10.2.1", pm.Version)
	assert.Empty(t, pm.Range, "a pinned version has no range")
	assert.Equal(t, "pinned by the packageManager field", pm.Why)
	assert.Equal(t, "pnpm@10.2.1", pm.Spec())
	assert.Nil(t, pm.InstallPMCmd(), "SetupCmd prepares a pinned version")
	assert.Empty(t, rec.touched("pnpm-lock.yaml"), "a pinned version needs no lockfile read")

	require.NoError(t, app.OverridePackageManager("pnpm@9.15.0"))
	assert.Equal(t, "pinned by the override (--package-manager)", app.PackageManager.Why)
	assert.Equal(t, "pnpm@9.15.0", app.PackageManager.Spec())
	assert.Empty(t, app.PackageManager.Range)
}

func TestPMVersionOverride(t *testing.T) {
	// Two lockfiles: the override without a version chooses as Inspect would.
	tree := with(baseApp(), map[string]string{"pnpm-lock.yaml": "lockfileVersion: '6.0'\n"})
	app := inspectAt(t, tree, ".")
	require.Equal(t, PNPM, app.PackageManager.Name)
	require.NoError(t, app.OverridePackageManager("npm"))
	assert.Equal(t, "", app.PackageManager.Range)
	assert.Equal(t, "3", app.PackageManager.LockfileVersion)
	require.NoError(t, app.OverridePackageManager("pnpm"))
	assert.Equal(t, "8", app.PackageManager.Range)
	assert.Equal(t, "6.0", app.PackageManager.LockfileVersion)
	assert.Equal(t, "pnpm@8", app.PackageManager.Spec())
	assert.Contains(t, warning(t, app, CodePMUnpinned).Message, "pnpm@8")

	// Another manager with no lockfile here: its default range.
	require.NoError(t, app.OverridePackageManager("bun"))
	assert.Equal(t, "1", app.PackageManager.Range)
	assert.Equal(t, []string{"npm", "install", "-g", "bun@1"}, app.PackageManager.InstallPMCmd())
}

func TestSpecAndInstallPMCmd(t *testing.T) {
	assert.Equal(t, "", PackageManager{Name: NPM}.Spec())
	assert.Nil(t, PackageManager{Name: NPM}.InstallPMCmd())
	assert.Equal(t, "pnpm@10.2.1", PackageManager{Name: PNPM, Version: "10.2.1", Range: "10"}.Spec(), "a pinned version wins")
	assert.Nil(t, PackageManager{Name: Yarn, Range: "4"}.InstallPMCmd(), "the npm package yarn is classic: never for classic")
	assert.Equal(t, "pnpm 10 (unpinned)", PackageManager{Name: PNPM, Range: "10"}.String())
	assert.Equal(t, "yarn 4 (unpinned, berry)", PackageManager{Name: Yarn, Range: "4", Berry: true}.String())
}

func TestDatabaseVarsPooledDirect(t *testing.T) {
	app := inspectTree(t, "pooled-direct", ".")
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, "DIRECT_URL", p.URLEnv)
	assert.Equal(t, ".", p.Dir)
	assert.Equal(t, []DatabaseVar{
		{Name: "DIRECT_URL", Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)", ".env.example"}},
		{Name: "DATABASE_URL", Runtime: true, Sources: []string{"src/lib/db.ts", ".env.example"}},
	}, p.DatabaseVars)
	assert.Equal(t, []string{"DIRECT_URL", "DATABASE_URL"}, p.DatabaseVarNames())
	assert.Empty(t, app.Warnings)
	report := app.Report()
	assert.Contains(t, report, "DIRECT_URL: migrations (prisma.config.ts (datasource.url); .env.example)")
	assert.Contains(t, report, "DATABASE_URL: runtime (src/lib/db.ts; .env.example)")
}

func TestDatabaseVarsVercel(t *testing.T) {
	app := inspectTree(t, "vercel", ".")
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, "POSTGRES_URL_NON_POOLING", p.URLEnv)
	assert.NotContains(t, codes(app), CodePrismaConfigDynamic, "a ?? '' fallback is readable")
	require.Len(t, p.DatabaseVars, 3)
	assert.Equal(t, DatabaseVar{Name: "POSTGRES_URL_NON_POOLING", Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)", ".env.example"}}, p.DatabaseVars[0])
	assert.Equal(t, DatabaseVar{Name: "POSTGRES_PRISMA_URL", Runtime: true, Sources: []string{"lib/prisma.ts", ".env.example"}}, p.DatabaseVars[1])
	assert.Equal(t, DatabaseVar{Name: "POSTGRES_URL", Runtime: true, Sources: []string{".env.example"}}, p.DatabaseVars[2])
	assert.Equal(t, "/api/healthz", app.HealthPath)
}

func TestDatabaseVarsPrisma6Schema(t *testing.T) {
	app := inspectTree(t, "prisma6-direct", ".")
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, "DIRECT_URL", p.URLEnv)
	assert.Equal(t, []DatabaseVar{
		{Name: "DIRECT_URL", Migrations: true, Sources: []string{"prisma/schema.prisma (datasource.directUrl)"}},
		{Name: "DATABASE_URL", Runtime: true, Sources: []string{"prisma/schema.prisma (datasource.url)"}},
		{Name: "SHADOW_DATABASE_URL", Shadow: true, Sources: []string{"prisma/schema.prisma (datasource.shadowDatabaseUrl)"}},
	}, p.DatabaseVars)
	assert.Contains(t, app.Report(), "SHADOW_DATABASE_URL: shadow")
}

func TestDatabaseVarsSchemaURLOnly(t *testing.T) {
	schema := "generator client {\n provider = \"prisma-client-js\"\n}\ndatasource db {\n provider = \"postgresql\"\n url = env(\"PG_URL\")\n}\n"
	app := inspectAt(t, prismaApp(map[string]string{"prisma/schema.prisma": schema}), ".")
	require.NotNil(t, app.Prisma)
	assert.Equal(t, "PG_URL", app.Prisma.URLEnv)
	assert.Equal(t, []DatabaseVar{{Name: "PG_URL", Runtime: true, Migrations: true, Sources: []string{"prisma/schema.prisma (datasource.url)"}}}, app.Prisma.DatabaseVars)
}

func TestConfigURLChains(t *testing.T) {
	tests := []struct {
		url     string
		want    []string
		dynamic bool
	}{
		{`env("A")`, []string{"A"}, false},
		{`env('A')`, []string{"A"}, false},
		{`process.env.A`, []string{"A"}, false},
		{`process.env["A"]`, []string{"A"}, false},
		{`process.env.A!`, []string{"A"}, false},
		{`process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL`, []string{"DIRECT_DATABASE_URL", "DATABASE_URL"}, false},
		{`process.env.A ?? process.env['B'] ?? ""`, []string{"A", "B"}, false},
		{`(process.env.A ?? env("B")) as string`, []string{"A", "B"}, false},
		{`buildUrl()`, nil, true},
		{`process.env.A ?? makeUrl()`, []string{"A"}, true},
		{`''`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			names, ok := envChain(tt.url)
			assert.Equal(t, !tt.dynamic, ok)
			if !tt.dynamic {
				assert.Equal(t, tt.want, names)
			}
		})
	}
	// In an app: every name in the chain is read by migrations; the first is URLEnv.
	config := "export default { datasource: { url: process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL, shadowDatabaseUrl: env('SHADOW_URL') } }\n"
	app := inspectAt(t, prismaApp(map[string]string{"package.json": pkgPrisma7, "prisma/schema.prisma": schemaClient, "prisma.config.ts": config}), ".")
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, "DIRECT_DATABASE_URL", p.URLEnv)
	assert.NotContains(t, codes(app), CodePrismaConfigDynamic)
	assert.Equal(t, []DatabaseVar{
		{Name: "DIRECT_DATABASE_URL", Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)"}},
		{Name: "DATABASE_URL", Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)"}},
		{Name: "SHADOW_URL", Shadow: true, Sources: []string{"prisma.config.ts (datasource.shadowDatabaseUrl)"}},
	}, p.DatabaseVars)
	assert.Equal(t, []string{"SHADOW_URL"}, p.ConfigEnv)

	// An expression it can't read still warns.
	app = inspectAt(t, prismaApp(map[string]string{"package.json": pkgPrisma7, "prisma/schema.prisma": schemaClient, "prisma.config.ts": "export default { datasource: { url: getUrl() } }"}), ".")
	assert.Contains(t, warning(t, app, CodePrismaConfigDynamic).Message, "datasource.url")
}

func TestAdapterCodeScan(t *testing.T) {
	base := prismaApp(map[string]string{"package.json": pkgPrisma7, "prisma/schema.prisma": schemaClient,
		"prisma.config.ts": "export default { datasource: { url: env('DIRECT_URL') } }"})
	tests := []struct {
		name  string
		files map[string]string
		want  []string // runtime vars, in order
	}{
		{"pg pool in lib", map[string]string{"lib/db.ts": "import { Pool } from 'pg'\nexport const pool = new Pool({ connectionString: process.env.POOLED_URL })\n"}, []string{"POOLED_URL"}},
		{"neon in src/db", map[string]string{"src/db/index.mjs": "import { neon } from '@neondatabase/serverless'\nexport const sql = neon(process.env.NEON_DATABASE_URL)\n"}, []string{"NEON_DATABASE_URL"}},
		{"PrismaClient datasourceUrl in server", map[string]string{"server/prisma.ts": "export const p = new PrismaClient({ datasourceUrl: process.env.APP_DB })\n"}, []string{"APP_DB"}},
		{"constant first, NODE_ENV and other urls ignored", map[string]string{"src/lib/prisma.ts": "const url = process.env.DATABASE_URL\nconst r = process.env.REDIS_URL\nexport const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) })\nif (process.env.NODE_ENV !== 'production') {}\n"}, []string{"DATABASE_URL"}},
		{"db.ts at the root", map[string]string{"db.ts": "export const pool = new Pool({ connectionString: process.env[\"DB_URL\"] })\n"}, []string{"DB_URL"}},
		{"a file without a connection", map[string]string{"lib/env.ts": "export const url = process.env.DATABASE_URL\n"}, nil},
		{"components are not read", map[string]string{"lib/Db.tsx": "new Pool({ connectionString: process.env.DATABASE_URL })"}, nil},
		{"generated and dependency folders are not read", map[string]string{
			"lib/generated/client.ts":        "new PrismaClient({ datasourceUrl: process.env.GEN_URL })",
			"lib/node_modules/x/index.js":    "new Pool({ connectionString: process.env.NM_URL })",
			"src/components/db/connect.ts":   "new Pool({ connectionString: process.env.DEEP_URL })",
			"utils/db/pool/deeper/nested.ts": "new Pool({ connectionString: process.env.TOO_DEEP_URL })",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(base, tt.files), ".")
			require.NotNil(t, app.Prisma)
			var got []string
			for _, v := range app.Prisma.DatabaseVars {
				if v.Runtime {
					got = append(got, v.Name)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEnvExampleDatabaseVars(t *testing.T) {
	example := "DATABASE_URL=postgresql://a@localhost/x\nDATABASE_URL_UNPOOLED=postgres://a@localhost/x\nPOSTGRES_URL_NON_POOLING=\"postgres://a@h/x\"\nSHADOW_DB=postgresql://a@h/shadow\nREDIS_URL=redis://localhost\nDIRECT_URL=${DATABASE_URL}\n"
	app := inspectAt(t, prismaApp(map[string]string{"package.json": pkgPrisma7, "prisma/schema.prisma": schemaClient, ".env.example": example}), ".")
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, []DatabaseVar{
		{Name: "DATABASE_URL", Runtime: true, Migrations: true, Sources: []string{".env.example"}},
		{Name: "DATABASE_URL_UNPOOLED", Migrations: true, Sources: []string{".env.example"}},
		{Name: "POSTGRES_URL_NON_POOLING", Migrations: true, Sources: []string{".env.example"}},
		{Name: "SHADOW_DB", Shadow: true, Sources: []string{".env.example"}},
	}, p.DatabaseVars, "URLEnv (Prisma's default) comes first and is what migrations read")
}

func TestTurborepo(t *testing.T) {
	rec := &recordingFS{fsys: os.DirFS("testdata/apps/turborepo")}
	app, err := Inspect(rec, "apps/web")
	require.NoError(t, err)
	p := app.Prisma
	require.NotNil(t, p)
	assert.Equal(t, "packages/db", p.Dir)
	assert.Equal(t, "@acme/db", p.Package)
	assert.Equal(t, "packages/db/prisma.config.ts", p.Config)
	assert.Equal(t, "packages/db/prisma/schema", p.Schema)
	assert.Equal(t, "packages/db/prisma/migrations", p.Migrations)
	assert.Equal(t, []string{"20250401000000_init", "20250402000000_posts"}, p.MigrationNames)
	assert.Equal(t, "packages/db/src/generated/prisma", p.OutputDir)
	assert.Equal(t, "7.0.1", p.Version)
	assert.Equal(t, []string{"@prisma/adapter-pg"}, p.Adapters)
	assert.Equal(t, "DIRECT_DATABASE_URL", p.URLEnv)
	assert.Equal(t, []string{"DIRECT_DATABASE_URL", "DATABASE_URL"}, p.DatabaseVarNames())
	assert.Equal(t, DatabaseVar{Name: "DATABASE_URL", Migrations: true, Runtime: true,
		Sources: []string{"packages/db/prisma.config.ts (datasource.url)", "packages/db/src/index.ts", "packages/db/.env.example"}}, p.DatabaseVars[1])
	assert.NotContains(t, codes(app), CodeNoSchema)
	assert.NotContains(t, codes(app), CodePrismaConfigDynamic)
	assert.Contains(t, warning(t, app, CodePostinstallGenerate).Message, "packages/db/package.json")
	assert.Contains(t, app.Report(), "prisma package:  @acme/db in packages/db")
	assert.ElementsMatch(t, []string{"list apps/docs", "read apps/docs/package.json"}, rec.touched("apps/docs"), "packages the app does not depend on are not read beyond their manifest")
	assert.Empty(t, rec.touched("node_modules"))
}

func TestWorkspacePackageDiscovery(t *testing.T) {
	dbPkg := map[string]string{
		"libs/database/package.json":                        `{"name":"database","dependencies":{"@prisma/client":"6.5.0"},"devDependencies":{"prisma":"6.5.0"}}`,
		"libs/database/prisma/schema.prisma":                schemaJS,
		"libs/database/prisma/migrations/1_a/migration.sql": migration,
	}
	t.Run("package.json workspaces object, name without workspace:", func(t *testing.T) {
		tree := with(monorepo(map[string]string{"package-lock.json": "{}", "package.json": `{"workspaces":{"packages":["apps/*","libs/**"]}}`}), dbPkg)
		tree["apps/web/package.json"] = `{"name":"web","dependencies":{"next":"15","database":"*"}}`
		app := inspectAt(t, tree, "apps/web")
		require.NotNil(t, app.Prisma)
		assert.Equal(t, "libs/database", app.Prisma.Dir)
		assert.Equal(t, "database", app.Prisma.Package)
		assert.Equal(t, "libs/database/prisma/schema.prisma", app.Prisma.Schema)
		assert.Equal(t, "6.5.0", app.Prisma.Version)
	})
	t.Run("through another workspace package", func(t *testing.T) {
		tree := with(monorepo(map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - libs/*\n", "package.json": `{}`}), dbPkg)
		tree["libs/api/package.json"] = `{"name":"api","dependencies":{"database":"workspace:^"}}`
		tree["apps/web/package.json"] = `{"name":"web","dependencies":{"next":"15","api":"workspace:*"}}`
		app := inspectAt(t, tree, "apps/web")
		require.NotNil(t, app.Prisma)
		assert.Equal(t, "database", app.Prisma.Package)
	})
	t.Run("a package outside the workspace globs is not followed", func(t *testing.T) {
		tree := with(monorepo(map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": "packages:\n  - apps/*\n", "package.json": `{}`}), dbPkg)
		tree["apps/web/package.json"] = `{"name":"web","dependencies":{"next":"15","database":"workspace:*"}}`
		app := inspectAt(t, tree, "apps/web")
		assert.Nil(t, app.Prisma)
	})
	t.Run("the app's own schema wins", func(t *testing.T) {
		tree := with(monorepo(map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - libs/*\n", "package.json": `{}`}), dbPkg)
		tree["apps/web/package.json"] = `{"name":"web","dependencies":{"next":"15","database":"workspace:*","@prisma/client":"6.5.0"}}`
		tree["apps/web/prisma/schema.prisma"] = schemaJS
		app := inspectAt(t, tree, "apps/web")
		require.NotNil(t, app.Prisma)
		assert.Equal(t, "apps/web", app.Prisma.Dir)
		assert.Empty(t, app.Prisma.Package)
		assert.Equal(t, "apps/web/prisma/schema.prisma", app.Prisma.Schema)
	})
}

func TestHealthPathNames(t *testing.T) {
	noRoute := map[string]string{"app/api/health/route.ts": ""}
	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"only heartbeat", with(noRoute, map[string]string{"app/api/heartbeat/route.ts": "x"}), "/api/heartbeat"},
		{"api before the top", with(noRoute, map[string]string{"app/healthz/route.ts": "x", "app/api/status/route.ts": "x"}), "/api/status"},
		{"order: ready before live before status before ping", with(noRoute, map[string]string{"app/api/ping/route.ts": "x", "app/api/status/route.ts": "x", "app/api/live/route.ts": "x", "app/api/ready/route.ts": "x"}), "/api/ready"},
		{"readiness at the top in src/app", with(noRoute, map[string]string{"src/app/readiness/route.ts": "x"}), "/readiness"},
		{"liveness in pages api", with(noRoute, map[string]string{"pages/api/liveness.ts": "x"}), "/api/liveness"},
		{"pages at the top", with(noRoute, map[string]string{"src/pages/status/index.tsx": "x"}), "/status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), tt.changes), ".")
			assert.Equal(t, tt.want, app.HealthPath)
			assert.Contains(t, app.Report(), "health path:     "+tt.want)
		})
	}
	app := inspectTree(t, "heartbeat", ".")
	assert.Equal(t, "/api/heartbeat", app.HealthPath)
	app = inspectAt(t, with(baseApp(), noRoute), ".")
	assert.Contains(t, warning(t, app, CodeNoHealthRoute).Fix, "--health-path")
}

func TestInstallScriptWarningsSayTheyAreSkipped(t *testing.T) {
	pkg := `{"dependencies":{"next":"15"},"scripts":{"build":"next build","postinstall":"prisma generate","prepare":"prisma migrate deploy"}}`
	app := inspectAt(t, with(baseApp(), map[string]string{"package.json": pkg}), ".")
	for _, code := range []string{CodePostinstallGenerate, CodePostinstallPrisma} {
		w := warning(t, app, code)
		assert.Contains(t, w.Message, "Slipway does not run install scripts")
		assert.Contains(t, w.Fix, "build script")
		assert.False(t, w.Blocking)
	}
}

// globRe turns a doublestar pattern into a regexp.
func globRe(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pat); i++ {
		switch {
		case strings.HasPrefix(pat[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(pat[i:], "/**"):
			b.WriteString("(?:/.*)?")
			i += 2
		case pat[i] == '*':
			b.WriteString("[^/]*")
		case pat[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// TestPatternsCoverReads checks that every file Inspect reads matches one of
// Patterns, so that an export of exactly those files inspects the same.
func TestPatternsCoverReads(t *testing.T) {
	var res []*regexp.Regexp
	for _, p := range Patterns {
		res = append(res, globRe(p))
	}
	matches := func(p string) bool {
		for _, re := range res {
			if re.MatchString(p) {
				return true
			}
		}
		return false
	}
	ents, err := os.ReadDir("testdata/apps")
	require.NoError(t, err)
	dirs := map[string]string{"monorepo": "apps/web", "turborepo": "apps/web"}
	for _, e := range ents {
		dir := dirs[e.Name()]
		if dir == "" {
			dir = "."
		}
		rec := &recordingFS{fsys: os.DirFS("testdata/apps/" + e.Name())}
		_, err := Inspect(rec, dir)
		require.NoError(t, err, e.Name())
		for _, op := range rec.ops {
			if p, ok := strings.CutPrefix(op, "read "); ok {
				assert.True(t, matches(p), "%s: %s matches none of Patterns", e.Name(), p)
			}
		}
	}
	assert.True(t, matches("packages/db/src/index.ts"))
	assert.True(t, matches("src/lib/db.ts"))
	assert.False(t, matches("src/components/Button.tsx"))
	assert.Contains(t, ExcludePatterns, "**/node_modules")
}
