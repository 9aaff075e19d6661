package compose

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

const image = "registry.example.com/shop:1.4.2"

// minimalEnv is what the compose file itself needs from the env file.
const minimalEnv = "POSTGRES_USER=shop\nPOSTGRES_PASSWORD=x\nPOSTGRES_DB=shop_prod\n"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./compose -update")
	assert.Equal(t, string(want), string(got), "output differs from %s: review, then go test ./compose -update", path)
}

// variants covers the switches: migrate service or not, read-only or not, db port.
var variants = map[string]Spec{
	"default":          {Name: "shop", App: App{Image: image}},
	"migrate-on-start": {Name: "shop", App: App{Image: image, MigrateOnStart: true}},
	"read-only":        {Name: "shop", App: App{Image: image, ReadOnly: true}, DB: DB{PublishPort: true}},
	"read-only-migrate-on-start": {Name: "shop", EnvFile: ".env.prod", App: App{
		Image: image, ReadOnly: true, MigrateOnStart: true, Port: 8080, HealthPath: "/healthz",
		Healthcheck:    []string{"CMD-SHELL", "wget -qO- http://127.0.0.1:${PORT:-8080}/healthz || exit 1"},
		MigrateCommand: []string{"node", "migrate.js"},
	}, DB: DB{Image: "postgres:16-alpine"}},
	"prisma-url-var": {Name: "shop", App: App{Image: image, DatabaseVars: env.DatabaseVars{{Name: "POSTGRES_PRISMA_URL", Runtime: true, Migrations: true}}}},
	// Supabase/Neon: a pooled URL for the app, a direct one for migrations.
	"pooled-direct": {Name: "shop", App: App{Image: image, DatabaseVars: pooledDirect}},
	// A config fallback chain (DIRECT_DATABASE_URL || DATABASE_URL) and a shadow database.
	"fallback-chain": {Name: "shop", App: App{Image: image, MigrateOnStart: true, DatabaseVars: env.DatabaseVars{
		{Name: "DIRECT_DATABASE_URL", Migrations: true},
		{Name: "DATABASE_URL", Runtime: true, Migrations: true},
		{Name: "SHADOW_DATABASE_URL", Shadow: true},
	}}},
}

var pooledDirect = env.DatabaseVars{
	{Name: "DIRECT_URL", Migrations: true},
	{Name: "DATABASE_URL", Runtime: true},
}

func TestRenderGolden(t *testing.T) {
	for name, s := range variants {
		t.Run(name, func(t *testing.T) {
			b, err := Render(s)
			require.NoError(t, err)
			golden(t, name+".yml", b)
			again, err := Render(s)
			require.NoError(t, err)
			assert.Equal(t, string(b), string(again), "rendering is stable")
		})
	}
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	require.NoError(t, err)
	return s
}

func TestRenderedFilesLoadAsIntended(t *testing.T) {
	ctx := context.Background()
	for name, s := range variants {
		t.Run(name, func(t *testing.T) {
			b, err := Render(s)
			require.NoError(t, err)
			s = s.WithDefaults()
			p, err := Validate(ctx, b, []byte(minimalEnv), WithEnvFileName(s.EnvFile))
			require.NoError(t, err)
			assert.Equal(t, "shop", p.Name)

			db := service(t, p, ServiceDB)
			assert.Equal(t, s.DB.Image, db.Image)
			assert.Equal(t, types.RestartPolicyUnlessStopped, db.Restart)
			assert.Equal(t, types.HealthCheckTest{"CMD-SHELL", `pg_isready -h 127.0.0.1 -U "${POSTGRES_USER}" -d "${POSTGRES_DB}"`}, db.HealthCheck.Test,
				"compose must leave the variables for the container's shell")
			require.Len(t, db.Volumes, 1)
			assert.Equal(t, types.ServiceVolumeConfig{Type: "volume", Source: VolumeData, Target: PostgresData}, db.Volumes[0])
			assert.Contains(t, p.Volumes, VolumeData)
			assert.Equal(t, "shop_prod", *db.Environment["POSTGRES_DB"], "env_file reaches the container")
			if s.DB.PublishPort {
				require.Len(t, db.Ports, 1)
				assert.Equal(t, types.ServicePortConfig{Mode: "ingress", HostIP: "127.0.0.1", Target: 5432, Published: "5432", Protocol: "tcp"}, db.Ports[0])
			} else {
				assert.Empty(t, db.Ports, "the database is not published unless asked")
			}

			app := service(t, p, ServiceApp)
			assert.Equal(t, image, app.Image)
			assert.Equal(t, types.HealthCheckTest(s.App.Healthcheck), app.HealthCheck.Test, "the app's check equals the image's")
			assert.Equal(t, types.ServiceDependency{Condition: types.ServiceConditionHealthy, Required: true}, app.DependsOn[ServiceDB])
			require.Len(t, app.Ports, 1)
			assert.Equal(t, uint32(s.App.Port), app.Ports[0].Target)
			assert.Equal(t, []string{"no-new-privileges:true"}, app.SecurityOpt)
			assert.Equal(t, types.RestartPolicyUnlessStopped, app.Restart)
			assert.Equal(t, s.App.ReadOnly, app.ReadOnly)
			if s.App.ReadOnly {
				assert.Equal(t, types.StringList{"/app/.next/cache", "/tmp"}, app.Tmpfs)
			} else {
				assert.Empty(t, app.Tmpfs)
			}

			urlEnv := s.App.MigrationURLEnv()
			if urlEnv != "DATABASE_URL" {
				assert.Equal(t, urlEnv, *app.Environment[names.DatabaseURLEnvVar], "slipway-migrate learns the variable's name")
				assert.NotContains(t, urlEnv, "SHADOW", "never the shadow database")
			} else {
				assert.NotContains(t, app.Environment, names.DatabaseURLEnvVar)
			}

			migrate, err := p.GetService(ServiceMigrate)
			if s.App.MigrateOnStart {
				require.Error(t, err, "no migrate service when the app migrates on start")
				assert.NotContains(t, app.DependsOn, ServiceMigrate)
				assert.NotContains(t, app.Environment, names.MigrateOnStartVar)
				return
			}
			assert.Equal(t, "false", *app.Environment[names.MigrateOnStartVar], "the app must not migrate again")
			require.NoError(t, err)
			if urlEnv != "DATABASE_URL" {
				assert.Equal(t, urlEnv, *migrate.Environment[names.DatabaseURLEnvVar])
			} else {
				assert.NotContains(t, migrate.Environment, names.DatabaseURLEnvVar)
			}
			assert.Equal(t, image, migrate.Image)
			assert.Equal(t, types.ShellCommand(s.App.MigrateCommand), migrate.Command)
			assert.Equal(t, types.RestartPolicyNo, migrate.Restart)
			assert.Equal(t, types.ServiceDependency{Condition: types.ServiceConditionHealthy, Required: true}, migrate.DependsOn[ServiceDB])
			assert.Equal(t, types.ServiceDependency{Condition: types.ServiceConditionCompletedSuccessfully, Required: true}, app.DependsOn[ServiceMigrate])
			assert.Equal(t, s.App.ReadOnly, migrate.ReadOnly)
		})
	}
}

func TestMigrationURLEnv(t *testing.T) {
	for name, c := range map[string]struct {
		vars env.DatabaseVars
		want string
	}{
		"default":        {nil, "DATABASE_URL"},
		"one other":      {env.DatabaseVars{{Name: "POSTGRES_PRISMA_URL", Runtime: true, Migrations: true}}, "POSTGRES_PRISMA_URL"},
		"pooled+direct":  {pooledDirect, "DIRECT_URL"},
		"vercel":         {env.DatabaseVars{{Name: "POSTGRES_URL_NON_POOLING", Migrations: true}, {Name: "POSTGRES_PRISMA_URL", Runtime: true}, {Name: "SHADOW_DATABASE_URL", Shadow: true}}, "POSTGRES_URL_NON_POOLING"},
		"fallback chain": {env.DatabaseVars{{Name: "DIRECT_DATABASE_URL", Migrations: true}, {Name: "DATABASE_URL", Runtime: true, Migrations: true}}, "DIRECT_DATABASE_URL,DATABASE_URL"},
		"roles unknown":  {env.DatabaseVars{{Name: "A_URL"}, {Name: "B_URL"}}, "A_URL"},
		"only a shadow":  {env.DatabaseVars{{Name: "SHADOW_DATABASE_URL", Shadow: true}}, "DATABASE_URL"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, c.want, App{DatabaseVars: c.vars}.MigrationURLEnv())
			b, err := Render(Spec{Name: "shop", App: App{Image: image, DatabaseVars: c.vars}})
			require.NoError(t, err)
			p, err := Validate(context.Background(), b, []byte(minimalEnv))
			require.NoError(t, err)
			for _, svc := range []string{ServiceApp, ServiceMigrate} {
				got := service(t, p, svc).Environment[names.DatabaseURLEnvVar]
				if c.want == "DATABASE_URL" {
					assert.Nil(t, got, "%s: DATABASE_URL is slipway-migrate's default", svc)
				} else if assert.NotNil(t, got, svc) {
					assert.Equal(t, c.want, *got, svc)
				}
			}
		})
	}
}

func TestEnvFileDrivesImageAndPorts(t *testing.T) {
	t.Setenv("APP_PORT", "9999") // the process environment must not leak in
	b, err := Render(Spec{Name: "shop", App: App{Image: image}, DB: DB{PublishPort: true}})
	require.NoError(t, err)
	p, err := Validate(context.Background(), b, []byte(minimalEnv+"APP_IMAGE=registry.example.com/shop:1.5.0\nAPP_PORT=8081\nDB_PORT=15432\n"))
	require.NoError(t, err)
	app := service(t, p, ServiceApp)
	assert.Equal(t, "registry.example.com/shop:1.5.0", app.Image)
	assert.Equal(t, "8081", app.Ports[0].Published)
	assert.Equal(t, "registry.example.com/shop:1.5.0", service(t, p, ServiceMigrate).Image, "migrate runs the same image")
	assert.Equal(t, "15432", service(t, p, ServiceDB).Ports[0].Published)

	p, err = Validate(context.Background(), b, []byte(minimalEnv))
	require.NoError(t, err)
	assert.Equal(t, "3000", service(t, p, ServiceApp).Ports[0].Published, "defaults apply, not the process environment")
}

func TestDollarsInImageCommandsAreKept(t *testing.T) {
	hc := []string{"CMD", "sh", "-c", `wget -qO- "http://127.0.0.1:$PORT/api/health"`}
	mig := []string{"sh", "-c", "exec slipway-migrate --url \"$DATABASE_URL\""}
	b, err := Render(Spec{Name: "shop", App: App{Image: image, Healthcheck: hc, MigrateCommand: mig}})
	require.NoError(t, err)
	assert.Contains(t, string(b), "$$PORT")
	p, err := Validate(context.Background(), b, []byte(minimalEnv))
	require.NoError(t, err)
	assert.Equal(t, types.HealthCheckTest(hc), service(t, p, ServiceApp).HealthCheck.Test)
	assert.Equal(t, types.ShellCommand(mig), service(t, p, ServiceMigrate).Command)
}

func TestSpecErrors(t *testing.T) {
	ok := Spec{Name: "shop", App: App{Image: image}}
	require.NoError(t, ok.Validate())
	for name, c := range map[string]struct {
		mut  func(*Spec)
		want string
	}{
		"no name":         {func(s *Spec) { s.Name = "" }, "project name is empty"},
		"bad name":        {func(s *Spec) { s.Name = "My Shop" }, `"My Shop" is not valid`},
		"name suggestion": {func(s *Spec) { s.Name = "My Shop" }, `"my-shop"`},
		"no image":        {func(s *Spec) { s.App.Image = "" }, "app image is empty"},
		"bad image":       {func(s *Spec) { s.App.Image = "Shop:Latest" }, `app image "Shop:Latest" is not a valid image reference`},
		"image variable":  {func(s *Spec) { s.App.Image = "${IMAGE}" }, "contains '$'"},
		"bad db image":    {func(s *Spec) { s.DB.Image = "postgres::15" }, "postgres image"},
		"port":            {func(s *Spec) { s.App.Port = -1 }, "app port -1 is out of range"},
		"health path":     {func(s *Spec) { s.App.HealthPath = "api/health" }, "must start with '/'"},
		"healthcheck":     {func(s *Spec) { s.App.Healthcheck = []string{"node", "healthcheck.js"} }, "must start with CMD or CMD-SHELL"},
		"bare CMD":        {func(s *Spec) { s.App.Healthcheck = []string{"CMD"} }, "no command after CMD"},
		"shell args":      {func(s *Spec) { s.App.Healthcheck = []string{"CMD-SHELL", "a", "b"} }, "exactly one shell string"},
		"migrate arg":     {func(s *Spec) { s.App.MigrateCommand = []string{"slipway-migrate", " "} }, "empty argument"},
		"env file path":   {func(s *Spec) { s.EnvFile = "../secrets/.env" }, "plain file name"},
		"url var":         {func(s *Spec) { s.App.DatabaseVars = env.DatabaseVars{{Name: "DB-URL"}} }, `"DB-URL" is not a valid name`},
		"url var twice": {func(s *Spec) {
			s.App.DatabaseVars = env.DatabaseVars{{Name: "DIRECT_URL", Migrations: true}, {Name: "DIRECT_URL", Runtime: true}}
		}, "DIRECT_URL is listed twice"},
		"url var clash": {func(s *Spec) { s.App.DatabaseVars = env.DatabaseVars{{Name: "APP_PORT"}} }, "clashes"},
	} {
		t.Run(name, func(t *testing.T) {
			s := ok
			c.mut(&s)
			_, err := Render(s)
			require.ErrorIs(t, err, ErrSpec)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestValidateErrors(t *testing.T) {
	ctx := context.Background()
	good, err := Render(Spec{Name: "shop", App: App{Image: image}})
	require.NoError(t, err)

	t.Run("schema", func(t *testing.T) {
		bad := strings.Replace(string(good), "restart: unless-stopped", "restart: unless-stopped\n    restrat: always", 1)
		_, err := Validate(ctx, []byte(bad), []byte(minimalEnv))
		require.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), "restrat")
		assert.NotContains(t, err.Error(), os.TempDir(), "no temporary paths in messages")
	})
	t.Run("consistency", func(t *testing.T) {
		bad := strings.Replace(string(good), "source: pgdata", "source: nodata", 1)
		_, err := Validate(ctx, []byte(bad), []byte(minimalEnv))
		require.ErrorIs(t, err, ErrInvalid)
		assert.True(t, errdefs.IsInvalidError(err), "compose-go's own sentinel is kept: %v", err)
		assert.Contains(t, err.Error(), "undefined volume nodata")
	})
	t.Run("yaml", func(t *testing.T) {
		_, err := Validate(ctx, []byte("services: [\n"), []byte(minimalEnv))
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("unset variable", func(t *testing.T) {
		bad := strings.Replace(string(good), "image: postgres:15", "image: postgres:${PG_TAG}", 1)
		_, err := Validate(ctx, []byte(bad), []byte(minimalEnv))
		require.ErrorIs(t, err, ErrUnsetVariable)
		require.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), `"PG_TAG"`)
		_, err = Validate(ctx, []byte(bad), []byte(minimalEnv+"PG_TAG=16\n"))
		require.NoError(t, err)
	})
	t.Run("env file name", func(t *testing.T) {
		_, err := Validate(ctx, good, []byte(minimalEnv), WithEnvFileName(".env.other"))
		require.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), ".env.production", "the compose file's env_file is missing")
		_, err = Validate(ctx, good, nil, WithEnvFileName("../.env"))
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("env syntax hides values", func(t *testing.T) {
		_, err := Validate(ctx, good, []byte("POSTGRES_PASSWORD='s3cr3t\n"))
		require.ErrorIs(t, err, ErrInvalid)
		assert.NotContains(t, err.Error(), "s3cr3t")
	})
	t.Run("project name", func(t *testing.T) {
		p, err := Validate(ctx, good, []byte(minimalEnv), WithProjectName("shop-staging"))
		require.NoError(t, err)
		assert.Equal(t, "shop-staging", p.Name)
		_, err = Validate(ctx, good, []byte(minimalEnv), WithProjectName("Shop Staging"))
		require.ErrorIs(t, err, ErrInvalid)
	})
}

// TestDefaultHealthcheckIsTheImages (drift c): with no healthcheck given, the
// app's check runs the script the runner image holds, the plan's HEALTHCHECK.
func TestDefaultHealthcheckIsTheImages(t *testing.T) {
	p, err := Project(Spec{Name: "shop", App: App{Image: "x/shop:1"}})
	require.NoError(t, err)
	app, err := p.GetService(ServiceApp)
	require.NoError(t, err)
	assert.Equal(t, types.HealthCheckTest(append([]string{"CMD"}, plan.HealthcheckCommand...)), app.HealthCheck.Test)
}
