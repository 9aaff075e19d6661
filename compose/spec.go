// Package compose builds the production compose file for a Slipway app (the app
// and PostgreSQL) as compose-go types, renders it to tidy YAML, and validates it
// by loading it back through compose-go with an env file.
package compose

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/distribution/reference"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/names"
)

// Defaults applied by Spec.WithDefaults.
const (
	// FileName is the name the bundle gives the compose file.
	FileName = "docker-compose.prod.yml"
	// DefaultEnvFile is the env file the services read.
	DefaultEnvFile = env.DefaultFileName
	// DefaultAppPort is the port the Next.js server listens on in the container.
	DefaultAppPort = 3000
	// DefaultHealthPath is the path the app answers health checks on.
	DefaultHealthPath = "/api/health"
	// DefaultPostgresImage is the database image.
	DefaultPostgresImage = "postgres:15"
)

// Service and volume names in the rendered project.
const (
	ServiceApp     = "app"
	ServiceDB      = "db"
	ServiceMigrate = "migrate"
	VolumeData     = "pgdata"
	// PostgresData is where the postgres image keeps its data.
	PostgresData = "/var/lib/postgresql/data"
)

// DefaultHealthcheck is the runner image's HEALTHCHECK command.
var DefaultHealthcheck = []string{"CMD", "node", names.HealthcheckScript}

// DefaultTmpfs are the folders a Next.js server writes at the app's root.
var DefaultTmpfs = []string{names.Workdir + "/.next/cache", "/tmp"}

// DefaultMigrateCommand is the command the one-shot migrate service runs.
var DefaultMigrateCommand = []string{"slipway-migrate"}

// ErrSpec is wrapped by every error about a bad Spec.
var ErrSpec = errors.New("invalid compose spec")

// Spec describes the production stack.
type Spec struct {
	// Name is the compose project name: lowercase letters, digits, '-' and '_'.
	Name string
	// EnvFile is the env file the services read (default .env.production).
	EnvFile string
	App     App
	DB      DB
}

// App describes the application service.
type App struct {
	// Image is the runner image reference (required).
	Image string
	// Port is the port the server listens on inside the container (default 3000).
	Port int
	// HealthPath is the HTTP path that answers health checks (default /api/health).
	HealthPath string
	// Healthcheck is the image's HEALTHCHECK test (default DefaultHealthcheck).
	Healthcheck []string
	// MigrateOnStart says the image migrates before serving; when false a
	// one-shot migrate service runs first.
	MigrateOnStart bool
	// MigrateCommand is the migrate service's command (default ["slipway-migrate"]).
	MigrateCommand []string
	// ReadOnly runs the app with a read-only root filesystem and tmpfs mounts
	// for what Next.js writes.
	ReadOnly bool
	// Tmpfs are the folders the server writes, mounted as tmpfs with
	// ReadOnly (default DefaultTmpfs): the image's own .next/cache.
	Tmpfs []string
	// DatabaseVars are the variables holding the connection string, each
	// with what reads it (default DATABASE_URL, for run time and migrations).
	// The ones migrations read, in order, are passed to slipway-migrate
	// unless that is DATABASE_URL alone; shadow variables are ignored.
	DatabaseVars env.DatabaseVars
}

// MigrationURLEnv is the value of SLIPWAY_DATABASE_URL_ENV: the variables
// migrations read, comma-separated (the first one set and non-empty wins).
func (a App) MigrationURLEnv() string {
	return strings.Join(a.DatabaseVars.MigrationNames(), ",")
}

// DB describes the PostgreSQL service.
type DB struct {
	// Image is the postgres image (default postgres:15).
	Image string
	// PublishPort publishes the database on 127.0.0.1:${DB_PORT:-5432}.
	PublishPort bool
}

// WithDefaults returns a copy of s with every zero field set to its default.
func (s Spec) WithDefaults() Spec {
	if s.EnvFile == "" {
		s.EnvFile = DefaultEnvFile
	}
	if s.App.Port == 0 {
		s.App.Port = DefaultAppPort
	}
	if s.App.HealthPath == "" {
		s.App.HealthPath = DefaultHealthPath
	}
	if len(s.App.Healthcheck) == 0 {
		s.App.Healthcheck = append([]string(nil), DefaultHealthcheck...)
	}
	if len(s.App.Tmpfs) == 0 {
		s.App.Tmpfs = append([]string(nil), DefaultTmpfs...)
	}
	if len(s.App.MigrateCommand) == 0 {
		s.App.MigrateCommand = append([]string(nil), DefaultMigrateCommand...)
	}
	if s.DB.Image == "" {
		s.DB.Image = DefaultPostgresImage
	}
	s.App.DatabaseVars = s.App.DatabaseVars.WithDefaults()
	return s
}

// Validate reports the first thing wrong with s (after defaults) and how to fix it.
func (s Spec) Validate() error {
	s = s.WithDefaults()
	if s.Name == "" {
		return fmt.Errorf("%w: project name is empty: set it to lowercase letters, digits, '-' or '_' (e.g. \"shop\")", ErrSpec)
	}
	if loader.NormalizeProjectName(s.Name) != s.Name {
		return fmt.Errorf("%w: project name %q is not valid: use only lowercase letters, digits, '-' and '_', starting with a letter or digit (e.g. %q)",
			ErrSpec, s.Name, suggestName(s.Name))
	}
	if err := checkImage("app image", s.App.Image); err != nil {
		return err
	}
	if err := checkImage("postgres image", s.DB.Image); err != nil {
		return err
	}
	if s.App.Port < 1 || s.App.Port > 65535 {
		return fmt.Errorf("%w: app port %d is out of range: use 1-65535 (Next.js listens on 3000 by default)", ErrSpec, s.App.Port)
	}
	if !strings.HasPrefix(s.App.HealthPath, "/") || strings.ContainsAny(s.App.HealthPath, " \t\n'\"$`") {
		return fmt.Errorf("%w: health path %q must start with '/' and contain no spaces, quotes or '$' (e.g. /api/health)", ErrSpec, s.App.HealthPath)
	}
	if err := checkHealthcheck(s.App.Healthcheck); err != nil {
		return err
	}
	if err := s.App.DatabaseVars.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrSpec, err)
	}
	for _, a := range s.App.MigrateCommand {
		if strings.TrimSpace(a) == "" {
			return fmt.Errorf("%w: migrate command %q has an empty argument: remove it", ErrSpec, s.App.MigrateCommand)
		}
	}
	if s.EnvFile != filepath.Base(s.EnvFile) || strings.HasPrefix(s.EnvFile, "..") || strings.ContainsAny(s.EnvFile, "$ \t\n") {
		return fmt.Errorf("%w: env file %q must be a plain file name next to the compose file (e.g. %s)", ErrSpec, s.EnvFile, DefaultEnvFile)
	}
	return nil
}

func checkImage(what, ref string) error {
	if ref == "" {
		return fmt.Errorf("%w: %s is empty: set it to an image reference such as registry.example.com/shop:1.4.2", ErrSpec, what)
	}
	if strings.Contains(ref, "$") {
		return fmt.Errorf("%w: %s %q contains '$': give a literal reference, not a variable", ErrSpec, what, ref)
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return fmt.Errorf("%w: %s %q is not a valid image reference (%v): use name[:tag][@digest] in lowercase", ErrSpec, what, ref, err)
	}
	return nil
}

func checkHealthcheck(test []string) error {
	switch test[0] {
	case "CMD":
		if len(test) < 2 {
			return fmt.Errorf("%w: healthcheck %q has no command after CMD: copy the image's HEALTHCHECK, e.g. %q", ErrSpec, test, DefaultHealthcheck)
		}
	case "CMD-SHELL":
		if len(test) != 2 {
			return fmt.Errorf("%w: healthcheck %q: CMD-SHELL takes exactly one shell string", ErrSpec, test)
		}
	default:
		return fmt.Errorf("%w: healthcheck %q must start with CMD or CMD-SHELL, as in the image's HEALTHCHECK (e.g. %q)", ErrSpec, test, DefaultHealthcheck)
	}
	return nil
}

// suggestName turns any string into a valid project name, for error messages.
func suggestName(s string) string {
	n := loader.NormalizeProjectName(strings.ReplaceAll(strings.ToLower(s), " ", "-"))
	if n == "" {
		return "app"
	}
	return n
}
