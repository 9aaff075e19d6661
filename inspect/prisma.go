package inspect

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Prisma generator providers that produce the client.
const (
	GeneratorJS     = "prisma-client-js"
	GeneratorClient = "prisma-client"
)

// DefaultURLEnv is the variable Prisma's templates read the database URL from.
const DefaultURLEnv = "DATABASE_URL"

var (
	prismaConfigs = []string{"prisma.config.ts", "prisma.config.mts", "prisma.config.cts", "prisma.config.js", "prisma.config.mjs", "prisma.config.cjs"}
	dotConfigs    = []string{"prisma.ts", "prisma.mts", "prisma.cts", "prisma.js", "prisma.mjs", "prisma.cjs"}
)

// Bounds of a multi-file schema read.
const (
	schemaMaxFiles = 64
	schemaMaxDepth = 4
)

// prismaConfig is what the tolerant scan of prisma.config.ts found.
type prismaConfig struct {
	schema, migrations string   // relative to the source root, "" if not set
	urlEnvs            []string // datasource.url's variables, its fallback chain in order
	directEnvs         []string // datasource.directUrl's
	shadowEnvs         []string // datasource.shadowDatabaseUrl's
	env                []string // every env("X")
	dynamic            []string // keys whose value is not a literal
}

// schemaFile is one .prisma file, comments stripped.
type schemaFile struct {
	path, src string
}

// block is a generator or datasource block.
type block struct {
	kind, name, file string
	fields           map[string]string // key -> raw value
}

var (
	blockRe      = regexp.MustCompile(`(?m)^[ \t]*(generator|datasource)[ \t]+(\w+)[ \t]*\{`)
	fieldRe      = regexp.MustCompile(`(?m)^[ \t]*(\w+)[ \t]*=[ \t]*(.*?)[ \t]*$`)
	stringRe     = regexp.MustCompile(`^"((?:[^"\\]|\\.)*)"$`)
	schemaEnvRe  = regexp.MustCompile(`^env\(\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\)$`)
	lockProvRe   = regexp.MustCompile(`(?m)^\s*provider\s*=\s*"(\w+)"`)
	migrateRunRe = regexp.MustCompile(`\bprisma\s+(?:migrate\s+(?:deploy|dev|reset)|db\s+(?:push|seed))\b`)
	generateRe   = regexp.MustCompile(`\bprisma\s+generate\b`)
)

// detectPrisma finds the config, schema and migrations: in the app, else in
// the workspace package the app depends on that holds them.
func (in *inspector) detectPrisma(pkg *packageJSON) error {
	a := in.app
	home, err := in.prismaHome(pkg)
	if err != nil {
		return err
	}
	owner := pkg
	if home.pkg != nil {
		owner = home.pkg
		in.prismaPkg = home
	}
	p := &Prisma{
		Version:       owner.dep("prisma"),
		ClientVersion: owner.dep("@prisma/client"),
		Package:       home.name,
	}
	if p.Version == "" {
		p.Version = pkg.dep("prisma")
	}
	if p.ClientVersion == "" {
		p.ClientVersion = pkg.dep("@prisma/client")
	}
	if p.Version == "" && in.root != nil {
		p.Version = in.root.dep("prisma") // a workspace may hoist the CLI to the root
	}
	cfg, base, err := in.prismaConfig(p, home.dir)
	if err != nil {
		return err
	}
	p.Dir = base
	uses := p.Version != "" || p.ClientVersion != "" || p.Config != ""
	schema, explicit, err := in.findSchema(owner, cfg, home.dir)
	if err != nil {
		return err
	}
	if !uses && schema == "" {
		return nil // no dependency, config or schema: the app has no Prisma
	}
	a.Prisma = p
	adapters := map[string]bool{}
	for _, deps := range []map[string]string{pkg.Dependencies, owner.Dependencies} {
		for dep := range deps {
			if strings.HasPrefix(dep, "@prisma/adapter-") && !adapters[dep] {
				adapters[dep] = true
				p.Adapters = append(p.Adapters, dep)
			}
		}
	}
	sort.Strings(p.Adapters)
	p.URLEnv = DefaultURLEnv
	p.ConfigEnv = cfg.env
	p.URLRequiredAtBuild = len(cfg.env) > 0
	for _, key := range cfg.dynamic {
		a.warn(CodePrismaConfigDynamic,
			fmt.Sprintf("%s sets %s from an expression Slipway can't read, so it assumes Prisma's default", p.Config, key),
			fmt.Sprintf("write %s as a string literal, env(\"X\") or process.env.X (a ?? or || chain of them is fine) in %s", key, p.Config))
	}
	in.prismaVersions(p)
	in.configVars(p, cfg)

	if schema == "" {
		fix := fmt.Sprintf("create %s (`%s`)", rel(home.dir, "prisma/schema.prisma"), strings.Join(a.PackageManager.ExecCmd("prisma", "init"), " "))
		if explicit != "" {
			fix = fmt.Sprintf("fix the schema path in %s", explicit)
		} else if home.pkg == nil && a.Workspace {
			fix += ", or depend on the workspace package that holds it (e.g. \"@acme/db\": \"workspace:*\")"
		}
		a.warn(CodeNoSchema, "the app uses Prisma but Slipway found no schema, so `prisma generate` will fail", fix)
		return nil
	}
	p.Schema = schema
	files, err := in.readSchema(schema)
	if err != nil {
		return err
	}
	dsFile := in.parseSchema(p, files, cfg)

	mig := cfg.migrations
	if mig == "" {
		base := path.Dir(schema)
		if dsFile != "" {
			base = path.Dir(dsFile)
		}
		mig = rel(base, "migrations")
		// A schema folder whose migrations sit beside it (prisma/schema and
		// prisma/migrations) rather than beside the datasource file.
		isDir, err := in.isDir(schema)
		if err != nil {
			return err
		}
		if ok, err := in.isDir(mig); err != nil {
			return err
		} else if !ok && isDir {
			alt := rel(path.Dir(schema), "migrations")
			if ok, err := in.isDir(alt); err != nil {
				return err
			} else if ok {
				mig = alt
			}
		}
	}
	p.Migrations = mig
	return in.readMigrations(p)
}

// prismaVersions warns when the CLI and the client differ in major, or when
// Prisma 7 has no config file to take the URL from.
func (in *inspector) prismaVersions(p *Prisma) {
	a := in.app
	cli, client := major(cleanRange(p.Version)), major(cleanRange(p.ClientVersion))
	if cli >= 0 && client >= 0 && cli != client {
		a.warn(CodePrismaMismatch,
			fmt.Sprintf("prisma %s and @prisma/client %s have different majors; generate and run time will disagree", p.Version, p.ClientVersion),
			"use the same version of prisma and @prisma/client")
	}
	if p.Version == "" {
		a.warn(CodePrismaNoCLI,
			"the app uses Prisma but does not depend on the prisma CLI, so `prisma generate` and `prisma migrate deploy` can't run",
			fmt.Sprintf("add prisma to devDependencies (`%s`)", strings.Join(append(addCmd(a.PackageManager.Name, "prisma"), "-D"), " ")))
	}
	if max(cli, client) >= 7 && p.Config == "" {
		a.warn(CodePrismaNoConfig,
			"Prisma 7 reads the database URL from prisma.config.ts, and the app has none, so `prisma migrate deploy` has no database to talk to",
			fmt.Sprintf("create %s with datasource: { url: env(\"DATABASE_URL\") }", rel(p.Dir, "prisma.config.ts")))
	}
}

// cleanRange turns "^7.0.1" or "~6.2" into a bare version.
func cleanRange(v string) string {
	return strings.TrimLeft(strings.TrimSpace(v), "^~>=<v ")
}

// findConfig returns the path of prisma.config.* (or .config/prisma.*) in
// dir, or "".
func (in *inspector) findConfig(dir string) (string, error) {
	for _, n := range prismaConfigs {
		ok, err := in.hasFile(dir, n)
		if err != nil || ok {
			return rel(dir, n), err
		}
	}
	has, err := in.hasDir(dir, ".config")
	if err != nil || !has {
		return "", err
	}
	for _, n := range dotConfigs {
		ok, err := in.hasFile(rel(dir, ".config"), n)
		if err != nil || ok {
			return rel(dir, ".config/"+n), err
		}
	}
	return "", nil
}

// prismaConfig finds and scans prisma.config.* (or .config/prisma.*) in dir.
// base is where Prisma commands run: the config's project folder, else dir.
func (in *inspector) prismaConfig(p *Prisma, dir string) (cfg prismaConfig, base string, err error) {
	p.Config, err = in.findConfig(dir)
	if err != nil || p.Config == "" {
		return cfg, dir, err
	}
	data, _, err := in.read(p.Config)
	if err != nil {
		return cfg, dir, err
	}
	src := stripJS(string(data))
	base = path.Dir(p.Config)
	if path.Base(base) == ".config" {
		base = path.Dir(base) // paths in .config/prisma.ts are relative to the project
	}
	resolve := func(key, raw string) string {
		v, ok := jsPath(raw)
		if !ok {
			cfg.dynamic = append(cfg.dynamic, key)
			return ""
		}
		return path.Join(base, v)
	}
	if raw, _, _, found := findKey(src, "schema"); found {
		cfg.schema = resolve("schema", raw)
	}
	if body, ok := findBlock(src, "migrations"); ok {
		if raw, _, _, found := findKey(body, "path"); found {
			cfg.migrations = resolve("migrations.path", raw)
		}
	}
	if body, ok := findBlock(src, "datasource"); ok {
		for _, k := range []struct {
			key  string
			dest *[]string
		}{{"url", &cfg.urlEnvs}, {"directUrl", &cfg.directEnvs}, {"shadowDatabaseUrl", &cfg.shadowEnvs}} {
			raw, _, _, found := findKey(body, k.key)
			if !found {
				continue
			}
			names, ok := envChain(raw)
			if !ok {
				cfg.dynamic = append(cfg.dynamic, "datasource."+k.key)
			}
			*k.dest = names
		}
	}
	seen := map[string]bool{}
	for _, m := range envCallRe.FindAllStringSubmatch(src, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			cfg.env = append(cfg.env, m[1])
		}
	}
	return cfg, base, nil
}

// findSchema resolves the schema path: prisma.config, package.json
// "prisma.schema", then Prisma's default locations. explicit names the
// setting that chose a schema path which does not exist.
func (in *inspector) findSchema(pkg *packageJSON, cfg prismaConfig, dir string) (schema, explicit string, err error) {
	var setting, want string
	switch {
	case cfg.schema != "":
		setting, want = "prisma.config (schema)", cfg.schema
	case pkg.Prisma.Schema != "":
		setting, want = "package.json (prisma.schema)", path.Join(dir, pkg.Prisma.Schema)
	}
	if want != "" {
		e, err := in.stat(want)
		if err != nil {
			return "", "", err
		}
		if e == nil {
			return "", setting, nil
		}
		return want, setting, nil
	}
	for _, c := range []string{"prisma/schema.prisma", "prisma/schema", "schema.prisma"} {
		e, err := in.stat(rel(dir, c))
		if err != nil {
			return "", "", err
		}
		if e != nil && (e.IsDir() == (c == "prisma/schema")) {
			return rel(dir, c), "", nil
		}
	}
	return "", "", nil
}

// readSchema reads a schema file, or every .prisma file under a schema folder.
func (in *inspector) readSchema(schema string) ([]schemaFile, error) {
	dir, err := in.isDir(schema)
	if err != nil {
		return nil, err
	}
	if !dir {
		data, _, err := in.read(schema)
		if err != nil {
			return nil, err
		}
		return []schemaFile{{schema, stripComments(string(data), `"`)}}, nil
	}
	var files []schemaFile
	var walk func(d string, depth int) error
	walk = func(d string, depth int) error {
		ents, err := in.list(d)
		if err != nil {
			return err
		}
		for _, e := range ents {
			p := rel(d, e.Name())
			switch {
			case e.IsDir() && depth < schemaMaxDepth && e.Name() != "migrations":
				if err := walk(p, depth+1); err != nil {
					return err
				}
			case !e.IsDir() && strings.HasSuffix(e.Name(), ".prisma") && len(files) < schemaMaxFiles:
				data, _, err := in.read(p)
				if err != nil {
					return err
				}
				files = append(files, schemaFile{p, stripComments(string(data), `"`)})
			}
		}
		return nil
	}
	return files, walk(schema, 0)
}

// parseSchema reads the generator and datasource blocks. It returns the file
// holding the datasource block.
func (in *inspector) parseSchema(p *Prisma, files []schemaFile, cfg prismaConfig) string {
	a := in.app
	var blocks []block
	for _, f := range files {
		for _, loc := range blockRe.FindAllStringSubmatchIndex(f.src, -1) {
			body, ok := braceBody(f.src, loc[1]-1, `"`)
			if !ok {
				continue
			}
			b := block{kind: f.src[loc[2]:loc[3]], name: f.src[loc[4]:loc[5]], file: f.path, fields: map[string]string{}}
			for _, m := range fieldRe.FindAllStringSubmatch(body, -1) {
				b.fields[m[1]] = m[2]
			}
			blocks = append(blocks, b)
		}
	}
	var extra []string
	var ds *block
	for i, b := range blocks {
		if b.kind == "datasource" {
			if ds == nil {
				ds = &blocks[i]
			}
			continue
		}
		prov := unquote(b.fields["provider"])
		if (prov == GeneratorJS || prov == GeneratorClient) && p.Generator == "" {
			p.Generator = prov
			p.Output = unquote(b.fields["output"])
			if p.Output != "" {
				p.OutputDir = path.Join(path.Dir(b.file), p.Output)
			}
			continue
		}
		extra = append(extra, fmt.Sprintf("%s (%s)", b.name, prov))
	}
	switch {
	case p.Generator == "":
		a.warn(CodeNoGenerator,
			fmt.Sprintf("%s has no generator block with provider %q or %q, so there is no Prisma Client to build", p.Schema, GeneratorClient, GeneratorJS),
			fmt.Sprintf("add: generator client { provider = %q output = \"../src/generated/prisma\" }", GeneratorClient))
	case p.Generator == GeneratorClient && p.Output == "":
		a.warn(CodePrismaNoOutput,
			fmt.Sprintf("generator %q needs an output path, and `prisma generate` fails without one", GeneratorClient),
			"add output = \"../src/generated/prisma\" to the generator block")
	}
	if len(extra) > 0 {
		a.warn(CodeExtraGenerator,
			fmt.Sprintf("other generators also run during `prisma generate`: %s; some need tools or network the build doesn't have", strings.Join(extra, ", ")),
			"make sure they run offline in a plain Node image, or move them out of the schema used for builds")
	}

	if ds == nil {
		a.warn(CodeNotPostgres,
			fmt.Sprintf("%s has no datasource block, so Prisma doesn't know the database", p.Schema),
			"add: datasource db { provider = \"postgresql\" }")
		return ""
	}
	p.Provider = unquote(ds.fields["provider"])
	if p.Provider != "postgresql" && p.Provider != "postgres" {
		a.warn(CodeNotPostgres,
			fmt.Sprintf("the datasource provider is %q, but Slipway deploys and tests against PostgreSQL", p.Provider),
			fmt.Sprintf("set provider = \"postgresql\" in %s and regenerate the migrations", ds.file))
	}
	in.schemaVars(p, ds, cfg)
	if url, ok := ds.fields["url"]; ok {
		if !schemaEnvRe.MatchString(url) {
			a.warn(CodePrismaURLLiteral,
				fmt.Sprintf("%s hard-codes the database URL, so the deployed app can't be pointed at its database (and a password may be in the source)", ds.file),
				"use url = env(\"DATABASE_URL\") (or, on Prisma 7, datasource.url in prisma.config.ts)")
		}
		if max(major(cleanRange(p.Version)), major(cleanRange(p.ClientVersion))) >= 7 {
			a.warn(CodePrismaSchemaURL,
				fmt.Sprintf("Prisma 7 rejects url in the schema's datasource block (%s)", ds.file),
				"move the URL to prisma.config.ts: datasource: { url: env(\"DATABASE_URL\") }")
		}
	}
	return ds.file
}

// unquote returns the value of a Prisma string literal, or raw as is.
func unquote(raw string) string {
	if m := stringRe.FindStringSubmatch(strings.TrimSpace(raw)); m != nil {
		return m[1]
	}
	return strings.TrimSpace(raw)
}

// readMigrations lists the migration folders and checks migration_lock.toml.
func (in *inspector) readMigrations(p *Prisma) error {
	a := in.app
	noMigrations := func(why string) {
		a.warn(CodeNoMigrations,
			fmt.Sprintf("%s, so the database would stay empty and the app's queries would fail", why),
			fmt.Sprintf("create the first migration with `%s` and commit %s", strings.Join(a.PackageManager.ExecCmd("prisma", "migrate", "dev", "--name", "init"), " "), p.Migrations))
	}
	ok, err := in.isDir(p.Migrations)
	if err != nil {
		return err
	}
	if !ok {
		noMigrations(fmt.Sprintf("there is no migrations folder at %s", p.Migrations))
		return nil
	}
	ents, err := in.list(p.Migrations)
	if err != nil {
		return err
	}
	var empty []string
	var lock string
	for _, e := range ents {
		if !e.IsDir() {
			if e.Name() == "migration_lock.toml" {
				lock = rel(p.Migrations, e.Name())
			}
			continue
		}
		in.dirs[rel(p.Migrations, e.Name())] = true
		has, err := in.hasFile(rel(p.Migrations, e.Name()), "migration.sql")
		if err != nil {
			return err
		}
		if has {
			p.MigrationNames = append(p.MigrationNames, e.Name())
		} else {
			empty = append(empty, e.Name())
		}
	}
	sort.Strings(p.MigrationNames)
	if len(p.MigrationNames) == 0 {
		noMigrations(fmt.Sprintf("%s holds no migrations", p.Migrations))
	}
	if len(empty) > 0 {
		a.warn(CodeMigrationNoSQL,
			fmt.Sprintf("migration folders without migration.sql: %s; `prisma migrate deploy` fails on them", strings.Join(empty, ", ")),
			"delete those folders or restore their migration.sql")
	}
	if lock != "" && p.Provider != "" {
		data, _, err := in.read(lock)
		if err != nil {
			return err
		}
		if m := lockProvRe.FindStringSubmatch(string(data)); m != nil && normProvider(m[1]) != normProvider(p.Provider) {
			a.warn(CodeMigrationLock,
				fmt.Sprintf("%s says the migrations were made for %q, but the schema's provider is %q; `prisma migrate deploy` refuses them", lock, m[1], p.Provider),
				"regenerate the migrations for the schema's provider (delete the folder and run prisma migrate dev)")
		}
	}
	return nil
}

func normProvider(p string) string {
	if p == "postgres" {
		return "postgresql"
	}
	return p
}
