package bundle

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/names"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

const image = "registry.example.com/shop:1.4.2"

// shop has a migrate service, a published db port, a secret and a credential.
func shop() Spec {
	return Spec{
		Compose: compose.Spec{Name: "shop", App: compose.App{Image: image}, DB: compose.DB{PublishPort: true}},
		AppVars: []env.Var{
			{Key: "DATABASE_URL", Value: "postgresql://dev:dev@localhost:5432/shop"},
			{Key: "AUTH_SECRET", Value: "dev", Comment: "Signs Auth.js sessions."},
			{Key: "STRIPE_SECRET_KEY", Value: "sk_test_1", Comment: "Stripe API key."},
			{Key: "NEXT_PUBLIC_SITE_NAME", Value: "Shop"},
		},
	}
}

// blog migrates on start, runs read-only, and reads POSTGRES_PRISMA_URL.
func blog() Spec {
	return Spec{
		Compose: compose.Spec{Name: "blog", App: compose.App{
			Image: "registry.example.com/blog:2.0.0", ReadOnly: true, MigrateOnStart: true, HealthPath: "/healthz",
			DatabaseVars: env.DatabaseVars{{Name: "POSTGRES_PRISMA_URL", Runtime: true, Migrations: true}},
		}},
		DBUser:  "blog",
		DBName:  "blog",
		AppVars: []env.Var{{Key: "SESSION_SECRET", Value: "x"}},
	}
}

// notes is a Supabase/Neon app built from an inspected app: DATABASE_URL
// (pooled) at run time, DIRECT_URL for migrations, a shadow database, and a
// migrate service.
func notes() Spec {
	app := &inspect.App{
		Name: "notes",
		Prisma: &inspect.Prisma{URLEnv: "DIRECT_URL", DatabaseVars: []inspect.DatabaseVar{
			{Name: "DATABASE_URL", Runtime: true},
			{Name: "DIRECT_URL", Migrations: true},
			{Name: "SHADOW_DATABASE_URL", Shadow: true},
		}},
		EnvExample: []inspect.EnvVar{
			{Key: "DATABASE_URL", Value: "postgresql://postgres.ref:dev@pooler.example.com:6543/postgres?pgbouncer=true", Comment: "Supabase pooler"},
			{Key: "DIRECT_URL", Value: "postgresql://postgres.ref:dev@db.example.com:5432/postgres"},
			{Key: "SHADOW_DATABASE_URL", Value: "postgresql://dev:dev@localhost:5432/notes_shadow"},
			{Key: "AUTH_SECRET", Value: "dev"},
		},
	}
	return fromApp(app, false, Stack{Image: "registry.example.com/notes:3.1.0", ReadOnly: true})
}

// vercel reads POSTGRES_PRISMA_URL at run time and POSTGRES_URL_NON_POOLING
// for migrations, and migrates on start.
func vercel() Spec {
	app := &inspect.App{
		Name: "shop",
		Prisma: &inspect.Prisma{URLEnv: "POSTGRES_URL_NON_POOLING", DatabaseVars: []inspect.DatabaseVar{
			{Name: "POSTGRES_PRISMA_URL", Runtime: true},
			{Name: "POSTGRES_URL_NON_POOLING", Migrations: true},
		}},
	}
	return fromApp(app, true, Stack{Image: image})
}

func TestGolden(t *testing.T) {
	for name, c := range map[string]struct {
		spec Spec
		opts []Option
	}{
		"shop":           {shop(), nil},
		"blog":           {blog(), nil},
		"shop-generated": {shop(), []Option{GenerateEnv()}},
		"notes-pooled":   {notes(), nil},
	} {
		t.Run(name, func(t *testing.T) {
			files, err := Render(c.spec, c.opts...)
			require.NoError(t, err)
			dir := filepath.Join("testdata", name)
			if *update {
				require.NoError(t, os.MkdirAll(dir, 0o755))
			}
			for _, f := range []string{ComposeFile, EnvTemplate, DeployGuide} {
				path := filepath.Join(dir, f)
				if *update {
					require.NoError(t, os.WriteFile(path, files[f], 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "missing golden file: run go test ./bundle -update")
				assert.Equal(t, string(want), string(files[f]), "%s differs: review, then go test ./bundle -update", path)
			}
		})
	}
}

// TestEveryBundleValidates renders every combination of the switches and
// loads each compose file through compose-go with the template and with the
// generated env file.
func TestEveryBundleValidates(t *testing.T) {
	ctx := context.Background()
	for _, migrateOnStart := range []bool{false, true} {
		for _, readOnly := range []bool{false, true} {
			for _, publish := range []bool{false, true} {
				name := fmt.Sprintf("migrateOnStart=%t,readOnly=%t,publishDB=%t", migrateOnStart, readOnly, publish)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					s := shop()
					s.Compose.App.MigrateOnStart = migrateOnStart
					s.Compose.App.ReadOnly = readOnly
					s.Compose.DB.PublishPort = publish
					files, err := Render(s, GenerateEnv())
					require.NoError(t, err)
					keys := slices.Sorted(func(yield func(string) bool) {
						for k := range files {
							if !yield(k) {
								return
							}
						}
					})
					assert.Equal(t, []string{".env.production", EnvTemplate, DeployGuide, ComposeFile}, keys)

					for _, envFile := range []string{EnvTemplate, ".env.production"} {
						p, err := compose.Validate(ctx, files[ComposeFile], files[envFile])
						require.NoError(t, err, "with %s", envFile)
						app, err := p.GetService(compose.ServiceApp)
						require.NoError(t, err)
						assert.Equal(t, image, app.Image)
						assert.Equal(t, readOnly, app.ReadOnly)
						_, err = p.GetService(compose.ServiceMigrate)
						assert.Equal(t, !migrateOnStart, err == nil, "migrate service iff the app does not migrate on start")
						db, err := p.GetService(compose.ServiceDB)
						require.NoError(t, err)
						assert.Equal(t, publish, len(db.Ports) == 1)
					}

					generated, err := env.Parse(files[".env.production"])
					require.NoError(t, err)
					assert.Equal(t, env.ConnectionString("app", generated[env.PostgresPassword], "app"), generated["DATABASE_URL"])
					problems := env.Check(files[".env.production"], s.EnvSpec())
					require.Len(t, problems, 1, "only the Stripe key is left for the operator: %v", problems)
					assert.Equal(t, "STRIPE_SECRET_KEY", problems[0].Var)

					guide := string(files[DeployGuide])
					assert.NotContains(t, guide, generated[env.PostgresPassword], "the guide never holds a secret")
					assert.NotContains(t, guide, generated["AUTH_SECRET"])
					assert.Equal(t, !migrateOnStart, strings.Contains(guide, "logs migrate"))
				})
			}
		}
	}
}

func TestGuideFollowsSpec(t *testing.T) {
	files, err := Render(blog())
	require.NoError(t, err)
	g := string(files[DeployGuide])
	dc := "docker compose -f docker-compose.prod.yml --env-file .env.production"
	for _, want := range []string{
		"`registry.example.com/blog:2.0.0`",
		dc + " up -d",
		dc + " ps",
		"curl -fsS http://localhost:3000/healthz",
		dc + " logs -f app",
		"pg_dump -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"",
		"pg_restore",
		"-v blog_pgdata:/data:ro",
		"docker volume rm blog_pgdata",
		"`APP_IMAGE=NEW_IMAGE`",
		"`POSTGRES_PRISMA_URL`",
		`sed -i "s|change-me-session-secret|$(` + env.GenerateCommand + `)|g" .env.production`,
		"applies the migrations when it starts",
	} {
		assert.Contains(t, g, want)
	}
	assert.NotContains(t, g, "migrate`", "no migrate service to talk about")
	assert.NotContains(t, g, "paste the values your providers issued", "blog has no credentials")
	assert.NotContains(t, g, "<no value>")
}

// TestConfigureStepWorks runs step 1 of DEPLOY.md as written, in a shell, on
// the template, and checks the env file it leaves behind.
func TestConfigureStepWorks(t *testing.T) {
	for _, tool := range []string{"sh", "sed", "openssl", "tr"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	for name, s := range map[string]Spec{"blog": blog(), "notes-pooled": notes(), "vercel": vercel()} {
		t.Run(name, func(t *testing.T) { configureStepWorks(t, s) })
	}
}

func configureStepWorks(t *testing.T, s Spec) {
	files, err := Render(s)
	require.NoError(t, err)
	script := firstBlockAfter(t, string(files[DeployGuide]), "## 1. Configure")
	require.Contains(t, script, "cp "+EnvTemplate)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, EnvTemplate), files[EnvTemplate], 0o644))
	cmd := exec.Command("sh", "-eu", "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "step 1 failed: %s", out)

	ready, err := os.ReadFile(filepath.Join(dir, ".env.production"))
	require.NoError(t, err)
	assert.Empty(t, env.Check(ready, s.EnvSpec()), "after step 1 the env file is ready")
	vals, err := env.Parse(ready)
	require.NoError(t, err)
	es := s.EnvSpec().WithDefaults()
	for _, n := range es.DatabaseVars.Names() {
		assert.Equal(t, env.ConnectionString(es.DBUser, vals[env.PostgresPassword], es.DBName), vals[n], "step 1 sets %s too", n)
	}
	info, err := os.Stat(filepath.Join(dir, ".env.production"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	p, err := compose.Validate(context.Background(), files[ComposeFile], ready)
	require.NoError(t, err)
	db, err := p.GetService(compose.ServiceDB)
	require.NoError(t, err)
	assert.Equal(t, es.DBUser, *db.Environment[env.PostgresUser])
}

// firstBlockAfter returns the first ```sh block after heading.
func firstBlockAfter(t *testing.T, doc, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, heading)
	require.True(t, ok, "no %q in the guide", heading)
	_, rest, ok = strings.Cut(rest, "```sh\n")
	require.True(t, ok, "no shell block after %q", heading)
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	return block
}

func TestGeneratedEnvIsFresh(t *testing.T) {
	a, err := Render(blog(), GenerateEnv())
	require.NoError(t, err)
	b, err := Render(blog(), GenerateEnv())
	require.NoError(t, err)
	assert.Equal(t, a[ComposeFile], b[ComposeFile])
	assert.Equal(t, a[EnvTemplate], b[EnvTemplate])
	assert.Equal(t, a[DeployGuide], b[DeployGuide])
	assert.NotEqual(t, a[".env.production"], b[".env.production"], "each bundle gets its own secrets")

	c, err := Render(blog())
	require.NoError(t, err)
	assert.NotContains(t, c, ".env.production", "no secrets unless asked")
}

func TestCustomEnvFileName(t *testing.T) {
	s := blog()
	s.Compose.EnvFile = ".env.prod"
	files, err := Render(s, GenerateEnv())
	require.NoError(t, err)
	assert.Contains(t, files, ".env.prod")
	assert.Contains(t, string(files[ComposeFile]), "path: .env.prod")
	assert.Contains(t, string(files[DeployGuide]), "--env-file .env.prod up -d")
	assert.Contains(t, string(files[EnvTemplate]), "cp .env.production.example .env.prod")
	p, err := compose.Validate(context.Background(), files[ComposeFile], files[".env.prod"], compose.WithEnvFileName(".env.prod"))
	require.NoError(t, err)
	assert.Equal(t, types.RestartPolicyUnlessStopped, p.Services[compose.ServiceApp].Restart)
}

func TestBadSpec(t *testing.T) {
	s := shop()
	s.Compose.App.Image = ""
	_, err := Render(s)
	require.ErrorIs(t, err, compose.ErrSpec)
	assert.Contains(t, err.Error(), "app image is empty")

	s = shop()
	s.DBUser = "my user"
	_, err = Render(s)
	require.ErrorIs(t, err, env.ErrSpec)
	assert.Contains(t, err.Error(), `POSTGRES_USER "my user"`)

	s = shop()
	s.AppVars = append(s.AppVars, env.Var{Key: "BAD-KEY"})
	_, err = Render(s)
	require.ErrorIs(t, err, env.ErrSpec)
}

// TestPooledAndDirect: a pooled and a direct variable get one connection
// string, with one generated password; the shadow database is left out;
// slipway-migrate reads the direct one; DEPLOY.md says which is which.
func TestPooledAndDirect(t *testing.T) {
	s := notes()
	files, err := Render(s, GenerateEnv())
	require.NoError(t, err)

	generated, err := env.Parse(files[".env.production"])
	require.NoError(t, err)
	pw := generated[env.PostgresPassword]
	require.Len(t, pw, env.SecretLength)
	want := env.ConnectionString("app", pw, "app")
	assert.Equal(t, want, generated["DATABASE_URL"])
	assert.Equal(t, want, generated["DIRECT_URL"])
	assert.NotContains(t, generated, "SHADOW_DATABASE_URL", "no shadow database in production")
	assert.Empty(t, env.Check(files[".env.production"], s.EnvSpec()))

	tmpl, err := env.Parse(files[EnvTemplate])
	require.NoError(t, err)
	assert.Equal(t, tmpl["DATABASE_URL"], tmpl["DIRECT_URL"])
	assert.NotContains(t, tmpl, "SHADOW_DATABASE_URL")
	assert.Equal(t, 3, strings.Count(string(files[EnvTemplate]), env.Placeholder(env.PostgresPassword)), "one password placeholder")

	p, err := compose.Validate(context.Background(), files[ComposeFile], files[".env.production"])
	require.NoError(t, err)
	for _, svc := range []string{compose.ServiceApp, compose.ServiceMigrate} {
		got, err := p.GetService(svc)
		require.NoError(t, err)
		if assert.NotNil(t, got.Environment[names.DatabaseURLEnvVar], svc) {
			assert.Equal(t, "DIRECT_URL", *got.Environment[names.DatabaseURLEnvVar], "%s: migrations read the direct URL", svc)
		}
		assert.Equal(t, want, *got.Environment["DIRECT_URL"], "%s gets the connection string from the env file", svc)
	}

	guide := string(files[DeployGuide])
	for _, line := range []string{
		"and `DIRECT_URL` and `DATABASE_URL` agree with it",
		"### Database variables",
		"| `DIRECT_URL` | migrations (direct: never through a pooler) |",
		"| `DATABASE_URL` | the app at run time (pooled on hosted Postgres) |",
		"point `DATABASE_URL` at it\nand keep `DIRECT_URL` pointing at `db`",
		"`SLIPWAY_DATABASE_URL_ENV=DIRECT_URL`",
		"`SHADOW_DATABASE_URL` is left out on purpose",
	} {
		assert.Contains(t, guide, line)
	}
	assert.NotContains(t, guide, pw, "the guide never holds a secret")
}

func TestVercelThreeVariables(t *testing.T) {
	s := vercel()
	s.Compose.App.DatabaseVars = append(s.Compose.App.DatabaseVars, env.DatabaseVar{Name: "POSTGRES_SHADOW_URL", Shadow: true})
	files, err := Render(s, GenerateEnv())
	require.NoError(t, err)
	generated, err := env.Parse(files[".env.production"])
	require.NoError(t, err)
	want := env.ConnectionString("app", generated[env.PostgresPassword], "app")
	assert.Equal(t, want, generated["POSTGRES_PRISMA_URL"])
	assert.Equal(t, want, generated["POSTGRES_URL_NON_POOLING"])
	assert.NotContains(t, generated, "POSTGRES_SHADOW_URL")
	assert.NotContains(t, generated, "DATABASE_URL", "the app names its own variables")

	p, err := compose.Validate(context.Background(), files[ComposeFile], files[".env.production"])
	require.NoError(t, err)
	app, err := p.GetService(compose.ServiceApp)
	require.NoError(t, err)
	assert.Equal(t, "POSTGRES_URL_NON_POOLING", *app.Environment[names.DatabaseURLEnvVar], "the image migrates on start from the direct URL")

	guide := string(files[DeployGuide])
	assert.Contains(t, guide, "| `POSTGRES_PRISMA_URL` | the app at run time (pooled on hosted Postgres) |")
	assert.Contains(t, guide, "| `POSTGRES_URL_NON_POOLING` | migrations (direct: never through a pooler) |")
	assert.Contains(t, guide, "`POSTGRES_SHADOW_URL` is left out on purpose")
}

// TestFallbackChain: a config that reads DIRECT_DATABASE_URL ||
// DATABASE_URL gives slipway-migrate both names, in order.
func TestFallbackChain(t *testing.T) {
	app := &inspect.App{Name: "notes", Prisma: &inspect.Prisma{URLEnv: "DIRECT_DATABASE_URL", DatabaseVars: []inspect.DatabaseVar{
		{Name: "DIRECT_DATABASE_URL", Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)"}},
		{Name: "DATABASE_URL", Runtime: true, Migrations: true, Sources: []string{"prisma.config.ts (datasource.url)", "src/db.ts"}},
	}}}
	s := fromApp(app, false, Stack{Image: image})
	files, err := Render(s, GenerateEnv())
	require.NoError(t, err)
	p, err := compose.Validate(context.Background(), files[ComposeFile], files[".env.production"])
	require.NoError(t, err)
	migrate, err := p.GetService(compose.ServiceMigrate)
	require.NoError(t, err)
	assert.Equal(t, "DIRECT_DATABASE_URL,DATABASE_URL", *migrate.Environment[names.DatabaseURLEnvVar])

	guide := string(files[DeployGuide])
	assert.Contains(t, guide, "so migrations read the first\nof `DIRECT_DATABASE_URL` and `DATABASE_URL` that is set.")
	assert.Contains(t, guide, "Keep them pointing at `db` even if you add a pooler", "both are read by migrations: neither may be pooled")
	assert.NotContains(t, guide, "left out on purpose", "no shadow database")
}
