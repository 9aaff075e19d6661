package inspect

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectPackageManager(t *testing.T) {
	noLock := map[string]string{"package-lock.json": ""}
	tests := []struct {
		name    string
		dir     string
		changes map[string]string
		want    PackageManager
		root    string
		codes   []string // warnings that must be present
	}{
		{
			name: "npm package-lock",
			want: PackageManager{Name: NPM, Lockfile: "package-lock.json", Source: SourceLockfile},
		},
		{
			name:    "npm shrinkwrap",
			changes: with(noLock, map[string]string{"npm-shrinkwrap.json": "{}"}),
			want:    PackageManager{Name: NPM, Lockfile: "npm-shrinkwrap.json", Source: SourceLockfile},
		},
		{
			name:    "pnpm",
			changes: with(noLock, map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n"}),
			want:    PackageManager{Name: PNPM, Lockfile: "pnpm-lock.yaml", Source: SourceLockfile},
			codes:   []string{CodePMUnpinned},
		},
		{
			name:    "yarn classic",
			changes: with(noLock, map[string]string{"yarn.lock": "# yarn lockfile v1\n\nnext@15:\n  version \"15.1.0\"\n"}),
			want:    PackageManager{Name: Yarn, Lockfile: "yarn.lock", Source: SourceLockfile},
		},
		{
			name:    "yarn berry from .yarnrc.yml",
			changes: with(noLock, map[string]string{"yarn.lock": "# yarn\n", ".yarnrc.yml": "nodeLinker: node-modules\n"}),
			want:    PackageManager{Name: Yarn, Berry: true, Lockfile: "yarn.lock", Source: SourceLockfile},
			codes:   []string{CodePMUnpinned},
		},
		{
			name:    "yarn berry from __metadata",
			changes: with(noLock, map[string]string{"yarn.lock": "# generated\n\n__metadata:\n  version: 8\n"}),
			want:    PackageManager{Name: Yarn, Berry: true, Lockfile: "yarn.lock", Source: SourceLockfile},
		},
		{
			name: "yarn berry from packageManager field",
			changes: with(noLock, map[string]string{
				"yarn.lock":    "# yarn lockfile v1\n",
				"package.json": `{"name":"shop","packageManager":"yarn@4.5.3","dependencies":{"next":"15.1.0"}}`,
			}),
			want: PackageManager{Name: Yarn, Version: "4.5.3", Berry: true, Lockfile: "yarn.lock", Source: SourceLockfile},
		},
		{
			name:    "bun text lockfile",
			changes: with(noLock, map[string]string{"bun.lock": "{}"}),
			want:    PackageManager{Name: Bun, Lockfile: "bun.lock", Source: SourceLockfile},
		},
		{
			name:    "bun binary lockfile",
			changes: with(noLock, map[string]string{"bun.lockb": "\x00\x01"}),
			want:    PackageManager{Name: Bun, Lockfile: "bun.lockb", Source: SourceLockfile},
		},
		{
			name: "packageManager field version without hash",
			changes: with(noLock, map[string]string{
				"pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
				"package.json":   `{"packageManager":"pnpm@9.15.0+sha512.76e2379760a4328ec4415815bcd6628dee727af3779aaa4c914e3944156c4299921a89f976381ee107d41f12cfa4b66681ca9c718f0668fa0831ed4c6d8ba56c","dependencies":{"next":"15"}}`,
			}),
			want: PackageManager{Name: PNPM, Version: "9.15.0", Lockfile: "pnpm-lock.yaml", Source: SourceLockfile},
		},
		{
			name: "packageManager field without lockfile",
			changes: with(noLock, map[string]string{
				"package.json": `{"packageManager":"pnpm@10.2.1","dependencies":{"next":"15"}}`,
			}),
			want:  PackageManager{Name: PNPM, Version: "10.2.1", Source: SourcePackageManager},
			codes: []string{CodeNoLockfile},
		},
		{
			name:    "nothing: default npm",
			changes: noLock,
			want:    PackageManager{Name: NPM, Source: SourceDefault},
			codes:   []string{CodeNoLockfile},
		},
		{
			name: "several lockfiles, field decides",
			changes: map[string]string{
				"yarn.lock":      "# yarn lockfile v1\n",
				"pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
				"package.json":   `{"packageManager":"yarn@1.22.22","dependencies":{"next":"15"}}`,
			},
			want: PackageManager{Name: Yarn, Version: "1.22.22", Lockfile: "yarn.lock", Source: SourceLockfile},
		},
		{
			name:    "several lockfiles, nothing decides",
			changes: map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n"},
			want:    PackageManager{Name: PNPM, Lockfile: "pnpm-lock.yaml", Source: SourceLockfile},
			codes:   []string{CodeSeveralLockfiles},
		},
		{
			name:    "field disagrees with the only lockfile",
			changes: map[string]string{"package.json": `{"packageManager":"pnpm@9.1.0","dependencies":{"next":"15"}}`},
			want:    PackageManager{Name: NPM, Lockfile: "package-lock.json", Source: SourceLockfile},
			codes:   []string{CodePMMismatch},
		},
		{
			name:    "field is malformed",
			changes: map[string]string{"package.json": `{"packageManager":"pnpm-9","dependencies":{"next":"15"}}`},
			want:    PackageManager{Name: NPM, Lockfile: "package-lock.json", Source: SourceLockfile},
			codes:   []string{CodePMFieldInvalid},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := inspectAt(t, with(baseApp(), tt.changes), ".")
			assert.Equal(t, tt.want, core(app.PackageManager))
			assert.Equal(t, ".", app.Root)
			for _, c := range tt.codes {
				assert.Contains(t, codes(app), c)
			}
			if tt.want.Lockfile != "" {
				assert.NotContains(t, codes(app), CodeNoLockfile)
				assert.Contains(t, app.InstallInputs, tt.want.Lockfile)
			}
		})
	}
}

// core drops what the version choice fills, for tests of detection alone.
func core(pm PackageManager) PackageManager {
	pm.Range, pm.Why, pm.LockfileVersion = "", "", ""
	return pm
}

// monorepo moves baseApp to apps/web under a workspace root.
func monorepo(rootFiles map[string]string) map[string]string {
	tree := map[string]string{}
	for p, c := range baseApp() {
		if p == "package-lock.json" {
			continue
		}
		tree["apps/web/"+p] = c
	}
	tree["apps/api/package.json"] = `{"name":"api"}`
	for p, c := range rootFiles {
		tree[p] = c
	}
	return tree
}

func TestMonorepo(t *testing.T) {
	t.Run("lockfile at the root", func(t *testing.T) {
		tree := monorepo(map[string]string{
			"package.json":        `{"name":"mono","private":true,"packageManager":"pnpm@9.15.0","engines":{"node":">=24"}}`,
			"pnpm-lock.yaml":      "lockfileVersion: '9.0'\n",
			"pnpm-workspace.yaml": "packages:\n  - apps/*\n",
			".npmrc":              "auto-install-peers=true\n",
		})
		app := inspectAt(t, tree, "apps/web")
		assert.Equal(t, "apps/web", app.Dir)
		assert.Equal(t, ".", app.Root)
		assert.True(t, app.Workspace)
		assert.Equal(t, PackageManager{Name: PNPM, Version: "9.15.0", Lockfile: "pnpm-lock.yaml", Source: SourceLockfile}, core(app.PackageManager))
		assert.Equal(t, []string{"package.json", ".npmrc", "pnpm-workspace.yaml", "apps/web/package.json", "pnpm-lock.yaml"}, app.InstallInputs)
		// The app's own engines.node wins over the root's.
		assert.Equal(t, Node{Version: "22", Major: 22, Source: SourceEngines}, app.Node)
	})
	t.Run("lockfile in the app dir", func(t *testing.T) {
		tree := monorepo(map[string]string{"apps/web/yarn.lock": "# yarn lockfile v1\n", "package.json": `{"workspaces":["apps/*"]}`})
		app := inspectAt(t, tree, "apps/web/")
		assert.Equal(t, "apps/web", app.Root)
		assert.Equal(t, "apps/web/yarn.lock", app.PackageManager.Lockfile)
		assert.False(t, app.Workspace, "the workspace root is above the lockfile's dir")
	})
	t.Run("root engines and .nvmrc fill in", func(t *testing.T) {
		tree := monorepo(map[string]string{"package-lock.json": "{}", "package.json": `{"workspaces":{"packages":["apps/*"]}}`, ".nvmrc": "v24.1.0\n"})
		tree["apps/web/package.json"] = `{"name":"web","dependencies":{"next":"15"}}`
		app := inspectAt(t, tree, "./apps/web")
		assert.True(t, app.Workspace)
		assert.Equal(t, Node{Version: "v24.1.0", Major: 24, Source: SourceNvmrc}, app.Node)
	})
	t.Run("yarn berry at the root with .yarnrc.yml", func(t *testing.T) {
		tree := monorepo(map[string]string{"yarn.lock": "x", ".yarnrc.yml": "nodeLinker: node-modules\n", ".yarn/releases/yarn-4.5.3.cjs": "//", "package.json": `{"packageManager":"yarn@4.5.3","workspaces":["apps/*"]}`})
		rec := &recordingFS{fsys: files(tree)}
		app, err := Inspect(rec, "apps/web")
		require.NoError(t, err)
		assert.Equal(t, PackageManager{Name: Yarn, Version: "4.5.3", Berry: true, Lockfile: "yarn.lock", Source: SourceLockfile}, core(app.PackageManager))
		assert.Contains(t, app.InstallInputs, ".yarn")
		assert.Contains(t, app.InstallInputs, ".yarnrc.yml")
		assert.Empty(t, rec.touched("yarn.lock"), "the version already says berry: the lockfile need not be read")
	})
}

func TestInstallAndRunCommands(t *testing.T) {
	tests := []struct {
		pm                PackageManager
		install, prodInst []string
		run, exec, setup  []string
		cacheDir          string
		cacheEnv          map[string]string
	}{
		{
			pm:      PackageManager{Name: NPM},
			install: []string{"npm", "ci"}, prodInst: []string{"npm", "ci", "--omit=dev"},
			run:      []string{"npm", "run", "build", "--", "--debug"},
			exec:     []string{"npx", "--no-install", "prisma", "generate"},
			cacheDir: "/root/.npm", cacheEnv: map[string]string{"npm_config_cache": "/root/.npm"},
		},
		{
			pm:      PackageManager{Name: PNPM, Version: "9.15.0"},
			install: []string{"pnpm", "install", "--frozen-lockfile"}, prodInst: []string{"pnpm", "install", "--frozen-lockfile", "--prod"},
			run:      []string{"pnpm", "run", "build", "--debug"},
			exec:     []string{"pnpm", "exec", "prisma", "generate"},
			setup:    []string{"sh", "-c", "corepack enable pnpm && corepack prepare pnpm@9.15.0 --activate"},
			cacheDir: "/root/.local/share/pnpm/store", cacheEnv: map[string]string{"npm_config_store_dir": "/root/.local/share/pnpm/store"},
		},
		{
			pm:      PackageManager{Name: Yarn},
			install: []string{"yarn", "install", "--frozen-lockfile"}, prodInst: []string{"yarn", "install", "--frozen-lockfile", "--production"},
			run:      []string{"yarn", "run", "build", "--debug"},
			exec:     []string{"yarn", "run", "prisma", "generate"},
			setup:    []string{"corepack", "enable", "yarn"},
			cacheDir: "/root/.cache/yarn", cacheEnv: map[string]string{"YARN_CACHE_FOLDER": "/root/.cache/yarn"},
		},
		{
			pm:      PackageManager{Name: Yarn, Version: "4.5.3", Berry: true},
			install: []string{"yarn", "install", "--immutable"}, prodInst: []string{"yarn", "workspaces", "focus", "--all", "--production"},
			run:      []string{"yarn", "run", "build", "--debug"},
			exec:     []string{"yarn", "run", "prisma", "generate"},
			setup:    []string{"sh", "-c", "corepack enable yarn && corepack prepare yarn@4.5.3 --activate"},
			cacheDir: "/root/.yarn/berry", cacheEnv: map[string]string{"YARN_GLOBAL_FOLDER": "/root/.yarn/berry", "YARN_CACHE_FOLDER": "/root/.yarn/berry/cache"},
		},
		{
			pm:      PackageManager{Name: Bun, Version: "1.2.2"},
			install: []string{"bun", "install", "--frozen-lockfile"}, prodInst: []string{"bun", "install", "--frozen-lockfile", "--production"},
			run:      []string{"bun", "run", "build", "--debug"},
			exec:     []string{"bunx", "prisma", "generate"},
			setup:    []string{"npm", "install", "-g", "bun@1.2.2"},
			cacheDir: "/root/.bun/install/cache", cacheEnv: map[string]string{"BUN_INSTALL_CACHE_DIR": "/root/.bun/install/cache"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.pm.String(), func(t *testing.T) {
			assert.Equal(t, tt.install, tt.pm.InstallCmd(false))
			assert.Equal(t, tt.prodInst, tt.pm.InstallCmd(true))
			assert.Equal(t, tt.run, tt.pm.RunCmd("build", "--debug"))
			assert.Equal(t, tt.exec, tt.pm.ExecCmd("prisma", "generate"))
			assert.Equal(t, tt.setup, tt.pm.SetupCmd())
			assert.Equal(t, tt.cacheDir, tt.pm.CacheDir())
			assert.Equal(t, tt.cacheEnv, tt.pm.CacheEnv())
			assert.NotContains(t, tt.pm.CacheDir(), "node_modules")
		})
	}
	assert.Equal(t, []string{"npm", "run", "build"}, PackageManager{Name: NPM}.RunCmd("build"), "no -- without args")
	assert.Equal(t, []string{"corepack", "enable", "pnpm"}, PackageManager{Name: PNPM}.SetupCmd())
	assert.Equal(t, []string{"npm", "install", "-g", "bun"}, PackageManager{Name: Bun}.SetupCmd())
	assert.Equal(t, map[string]string{"COREPACK_ENABLE_DOWNLOAD_PROMPT": "0"}, PackageManager{Name: PNPM}.SetupEnv())
	assert.Nil(t, PackageManager{Name: NPM}.SetupEnv())
}

func TestWithOverride(t *testing.T) {
	pnpm := PackageManager{Name: PNPM, Version: "9.15.0", Lockfile: "pnpm-lock.yaml", Source: SourceLockfile}
	tests := []struct {
		spec string
		want PackageManager
	}{
		{"pnpm", PackageManager{Name: PNPM, Version: "9.15.0", Lockfile: "pnpm-lock.yaml", Source: SourceOverride}},
		{"pnpm@10.1.0", PackageManager{Name: PNPM, Version: "10.1.0", Lockfile: "pnpm-lock.yaml", Source: SourceOverride}},
		{"pnpm@9.15.0+sha512.abcdef", PackageManager{Name: PNPM, Version: "9.15.0", Lockfile: "pnpm-lock.yaml", Source: SourceOverride}},
		{"npm", PackageManager{Name: NPM, Source: SourceOverride}},
		{"yarn@4.1.0", PackageManager{Name: Yarn, Version: "4.1.0", Berry: true, Source: SourceOverride}},
		{"yarn@1.22.22", PackageManager{Name: Yarn, Version: "1.22.22", Source: SourceOverride}},
		{" bun@1.2 ", PackageManager{Name: Bun, Version: "1.2", Source: SourceOverride}},
	}
	for _, tt := range tests {
		got, err := pnpm.WithOverride(tt.spec)
		require.NoError(t, err, tt.spec)
		assert.Equal(t, tt.want, core(got), tt.spec)
		if _, v, _ := parsePMSpec(tt.spec); v != "" {
			assert.Equal(t, "pinned by the override (--package-manager)", got.Why, tt.spec)
		}
	}
	for _, bad := range []string{"", "deno", "pnpm@", "pnpm@latest", "PNPM", "pnpm 9", "npm@9;rm -rf /"} {
		_, err := pnpm.WithOverride(bad)
		require.Error(t, err, bad)
		assert.True(t, errors.Is(err, ErrBadOverride), bad)
		assert.Contains(t, err.Error(), "npm, pnpm, yarn or bun")
	}
}

func TestOverridePackageManager(t *testing.T) {
	tree := with(baseApp(), map[string]string{"pnpm-lock.yaml": "lockfileVersion: '9.0'\n"})
	app := inspectAt(t, tree, ".")
	require.Equal(t, PNPM, app.PackageManager.Name)
	require.Contains(t, codes(app), CodeSeveralLockfiles)

	require.NoError(t, app.OverridePackageManager("npm@10.9.0"))
	assert.Equal(t, PackageManager{Name: NPM, Version: "10.9.0", Lockfile: "package-lock.json", Source: SourceOverride}, core(app.PackageManager))
	assert.NotContains(t, codes(app), CodeSeveralLockfiles, "the override settles which lockfile counts")
	assert.NoError(t, app.Err())

	require.NoError(t, app.OverridePackageManager("bun"))
	assert.Empty(t, app.PackageManager.Lockfile)
	assert.Contains(t, codes(app), CodeNoLockfile)
	assert.ErrorIs(t, app.Err(), ErrNotBuildable)

	assert.ErrorIs(t, app.OverridePackageManager("pip"), ErrBadOverride)
	assert.Equal(t, Bun, app.PackageManager.Name, "a bad override changes nothing")
}

func TestOverrideYarnKeepsBerryFromYarnrc(t *testing.T) {
	tree := with(baseApp(), map[string]string{"yarn.lock": "__metadata:\n", ".yarnrc.yml": "x: y\n"})
	app := inspectAt(t, tree, ".")
	require.NoError(t, app.OverridePackageManager("npm"))
	require.NoError(t, app.OverridePackageManager("yarn"))
	assert.True(t, app.PackageManager.Berry)
	assert.Equal(t, "yarn.lock", app.PackageManager.Lockfile)
}

func TestRebuildCmd(t *testing.T) {
	assert.Equal(t, []string{"npm", "rebuild"}, PackageManager{Name: NPM}.RebuildCmd())
	assert.Equal(t, []string{"pnpm", "rebuild"}, PackageManager{Name: PNPM}.RebuildCmd())
	assert.Nil(t, PackageManager{Name: Yarn, Berry: true}.RebuildCmd(), "yarn has no rebuild")
}

func TestCacheName(t *testing.T) {
	assert.Equal(t, "notes", (&App{Name: "notes", Dir: "."}).CacheName())
	assert.Equal(t, "acme-web-apps-web", (&App{Name: "@acme/web", Dir: "apps/web"}).CacheName())
	assert.Equal(t, "app", (&App{Dir: "."}).CacheName())
}
