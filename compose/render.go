package compose

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/names"
	"go.yaml.in/yaml/v4"
)

// Health check timings. Postgres gets a generous retry budget because the first
// start runs initdb; the app gets a start period long enough for a cold Next.js
// start (and for migrations when it runs them itself).
var (
	dbInterval     = 5 * time.Second
	dbTimeout      = 5 * time.Second
	dbRetries      = uint64(10)
	dbStartPeriod  = 30 * time.Second
	appInterval    = 15 * time.Second
	appTimeout     = 5 * time.Second
	appRetries     = uint64(3)
	appStartPeriod = 30 * time.Second
	// migrations run before the server answers, so allow them time.
	appStartPeriodMigrating = 90 * time.Second
)

// dbHealthcheck runs in the db container's shell. The variables are escaped
// ($$) so compose leaves them alone and the shell reads them from the
// container's environment, which env_file sets: the check works whether or not
// compose itself was given --env-file. -h 127.0.0.1 makes the check wait for
// the real server: during first-start initdb the image's temporary server
// listens on the Unix socket only.
const dbHealthcheck = `pg_isready -h 127.0.0.1 -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}"`

// Project builds the production project for s. It validates s first.
func Project(s Spec) (*types.Project, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.WithDefaults()

	envFiles := []types.EnvFile{{Path: s.EnvFile, Required: true}}
	logging := &types.LoggingConfig{
		// Rotate logs so a chatty app cannot fill the disk.
		Driver:  "json-file",
		Options: types.Options{"max-size": "10m", "max-file": "3"},
	}
	appImage := fmt.Sprintf("${%s:-%s}", env.AppImage, s.App.Image)

	db := types.ServiceConfig{
		Name:    ServiceDB,
		Restart: types.RestartPolicyUnlessStopped,
		ContainerSpec: types.ContainerSpec{
			Image:    s.DB.Image,
			EnvFiles: envFiles,
			Volumes: []types.ServiceVolumeConfig{{
				Type:   types.VolumeTypeVolume,
				Source: VolumeData,
				Target: PostgresData,
			}},
			Logging: logging,
		},
		WorkloadSpec: types.WorkloadSpec{
			HealthCheck: &types.HealthCheckConfig{
				Test:        types.HealthCheckTest{"CMD-SHELL", dbHealthcheck},
				Interval:    duration(dbInterval),
				Timeout:     duration(dbTimeout),
				Retries:     &dbRetries,
				StartPeriod: duration(dbStartPeriod),
			},
		},
	}
	if s.DB.PublishPort {
		// Loopback only: reach it through an SSH tunnel, never the internet.
		db.Ports = []types.ServicePortConfig{{
			HostIP:    "127.0.0.1",
			Target:    5432,
			Published: fmt.Sprintf("${%s:-5432}", env.DBPort),
			Protocol:  "tcp",
		}}
	}

	startPeriod := appStartPeriod
	if s.App.MigrateOnStart {
		startPeriod = appStartPeriodMigrating
	}
	app := types.ServiceConfig{
		Name:    ServiceApp,
		Restart: types.RestartPolicyUnlessStopped,
		ContainerSpec: types.ContainerSpec{
			Image:    appImage,
			Init:     ptr(true),
			EnvFiles: envFiles,
			Environment: types.MappingWithEquals{
				// Docker sets HOSTNAME to the container ID; Next.js would bind to it.
				"HOSTNAME": ptr("0.0.0.0"),
				"PORT":     ptr(strconv.Itoa(s.App.Port)),
			},
			SecurityOpt: []string{"no-new-privileges:true"},
			Logging:     logging,
		},
		WorkloadSpec: types.WorkloadSpec{
			Ports: []types.ServicePortConfig{{
				Target:    uint32(s.App.Port),
				Published: fmt.Sprintf("${%s:-%d}", env.AppPort, s.App.Port),
				Protocol:  "tcp",
			}},
			HealthCheck: &types.HealthCheckConfig{
				Test:        escapeAll(s.App.Healthcheck),
				Interval:    duration(appInterval),
				Timeout:     duration(appTimeout),
				Retries:     &appRetries,
				StartPeriod: duration(startPeriod),
			},
			DependsOn: types.DependsOnConfig{
				ServiceDB: {Condition: types.ServiceConditionHealthy, Required: true},
			},
		},
	}
	if s.App.ReadOnly {
		app.ReadOnly = true
		app.Tmpfs = types.StringList(s.App.Tmpfs)
	}
	// slipway-migrate reads DATABASE_URL unless told otherwise.
	urlEnv := s.App.MigrationURLEnv()
	if urlEnv != env.DefaultDatabaseURLVar {
		app.Environment[names.DatabaseURLEnvVar] = ptr(urlEnv)
	}

	services := types.Services{ServiceDB: db}
	if !s.App.MigrateOnStart {
		migrate := types.ServiceConfig{
			Name:    ServiceMigrate,
			Restart: types.RestartPolicyNo,
			ContainerSpec: types.ContainerSpec{
				Image:       appImage,
				Command:     types.ShellCommand(escapeAll(s.App.MigrateCommand)),
				Init:        ptr(true),
				EnvFiles:    envFiles,
				SecurityOpt: []string{"no-new-privileges:true"},
				Logging:     logging,
			},
			WorkloadSpec: types.WorkloadSpec{
				DependsOn: types.DependsOnConfig{
					ServiceDB: {Condition: types.ServiceConditionHealthy, Required: true},
				},
			},
		}
		if s.App.ReadOnly {
			migrate.ReadOnly = true
			migrate.Tmpfs = types.StringList{"/tmp"}
		}
		if urlEnv != env.DefaultDatabaseURLVar {
			migrate.Environment = types.MappingWithEquals{names.DatabaseURLEnvVar: ptr(urlEnv)}
		}
		services[ServiceMigrate] = migrate
		// The migrate service has done it: the entrypoint need not migrate again.
		app.Environment[names.MigrateOnStartVar] = ptr("false")
		app.DependsOn[ServiceMigrate] = types.ServiceDependency{
			Condition: types.ServiceConditionCompletedSuccessfully,
			Required:  true,
		}
	}
	services[ServiceApp] = app

	return &types.Project{
		Name:     s.Name,
		Services: services,
		Volumes:  types.Volumes{VolumeData: types.VolumeConfig{}},
	}, nil
}

// Render returns the compose file for s: a short header comment and the
// project as YAML with keys in a fixed, readable order.
func Render(s Spec) ([]byte, error) {
	p, err := Project(s)
	if err != nil {
		return nil, err
	}
	raw, err := p.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("marshal compose project %q: %w", p.Name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("re-read compose project %q: %w", p.Name, err)
	}
	tidy(&doc)

	var buf bytes.Buffer
	buf.WriteString(header(s.WithDefaults()))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode compose project %q: %w", p.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode compose project %q: %w", p.Name, err)
	}
	return buf.Bytes(), nil
}

func header(s Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Production stack for %s: the app and PostgreSQL. Generated by Slipway.\n", s.Name)
	fmt.Fprintf(&b, "# Settings and secrets live in %s (see DEPLOY.md). Start it with:\n", s.EnvFile)
	fmt.Fprintf(&b, "#   docker compose -f %s --env-file %s up -d\n", FileName, s.EnvFile)
	fmt.Fprintf(&b, "# Health: GET %s on host port %s (default %d).\n", s.App.HealthPath, env.AppPort, s.App.Port)
	return b.String()
}

// keyOrder ranks mapping keys; keys not listed keep their place after them.
var keyOrder = []string{
	// top level: name, services, then volumes (ranked with the service keys)
	"name", "services",
	// service
	"image", "command", "restart", "init", "depends_on", "env_file", "environment",
	"ports", "volumes", "read_only", "tmpfs", "security_opt", "healthcheck", "logging",
	// healthcheck
	"test", "interval", "timeout", "retries", "start_period",
	// depends_on entry
	"condition", "required",
	// volume mount and port
	"type", "source", "host_ip", "target", "published", "protocol",
}

// tidy sorts the keys of every mapping by keyOrder, then by name.
func tidy(n *yaml.Node) {
	for _, c := range n.Content {
		tidy(c)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	rank := func(k string) int {
		if i := slices.Index(keyOrder, k); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		if ra, rb := rank(a.k.Value), rank(b.k.Value); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.k.Value, b.k.Value)
	})
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}

// escapeAll doubles every '$' so compose passes the arguments through as written.
func escapeAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "$", "$$")
	}
	return out
}

func duration(d time.Duration) *types.Duration {
	v := types.Duration(d)
	return &v
}

func ptr[T any](v T) *T { return &v }
