package compose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/slipwayhq/slipway/env"
	"go.yaml.in/yaml/v4"
)

var (
	// ErrInvalid is wrapped by every error that means the compose file and env
	// file do not load as a valid project.
	ErrInvalid = errors.New("invalid compose project")
	// ErrUnsetVariable means the compose file uses a variable with no default
	// that the env file does not set; it also wraps ErrInvalid.
	ErrUnsetVariable = errors.New("variable not set")
)

type validateConfig struct {
	envFile string
	name    string
}

// ValidateOption configures Validate.
type ValidateOption func(*validateConfig)

// WithEnvFileName names the env file as the compose file refers to it
// (default .env.production).
func WithEnvFileName(name string) ValidateOption {
	return func(c *validateConfig) { c.envFile = name }
}

// WithProjectName loads the project under this name instead of the one in the file.
func WithProjectName(name string) ValidateOption {
	return func(c *validateConfig) { c.name = name }
}

// Validate writes composeYAML and envFile to a temporary directory and loads
// them through compose-go, as `docker compose --env-file` would: interpolation
// from the env file only (never the process environment), schema validation,
// normalization and consistency checks. It also rejects variables that the
// compose file uses without a default and the env file does not set, which
// compose itself only warns about.
func Validate(ctx context.Context, composeYAML, envFile []byte, opts ...ValidateOption) (*types.Project, error) {
	cfg := validateConfig{envFile: DefaultEnvFile}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.envFile != filepath.Base(cfg.envFile) || cfg.envFile == "." || cfg.envFile == ".." {
		return nil, fmt.Errorf("%w: env file name %q must be a plain file name", ErrInvalid, cfg.envFile)
	}

	dir, err := os.MkdirTemp("", "slipway-compose-")
	if err != nil {
		return nil, fmt.Errorf("validate compose: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	composePath := filepath.Join(dir, FileName)
	envPath := filepath.Join(dir, cfg.envFile)
	if err := os.WriteFile(composePath, composeYAML, 0o600); err != nil {
		return nil, fmt.Errorf("validate compose: write %s: %w", FileName, err)
	}
	if err := os.WriteFile(envPath, envFile, 0o600); err != nil {
		return nil, fmt.Errorf("validate compose: write %s: %w", cfg.envFile, err)
	}

	if err := checkVariables(composeYAML, envFile, cfg.envFile); err != nil {
		return nil, err
	}

	popts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(envPath),
		cli.WithDotEnv,
	}
	if cfg.name != "" {
		popts = append(popts, cli.WithName(cfg.name))
	}
	po, err := cli.NewProjectOptions([]string{composePath}, popts...)
	if err != nil {
		return nil, &loadError{dir: dir, err: err}
	}
	p, err := po.LoadProject(ctx)
	if err != nil {
		return nil, &loadError{dir: dir, err: err}
	}
	return p, nil
}

// loadError is a compose-go error with the temporary directory taken out of
// its message. It unwraps to ErrInvalid and to compose-go's own error (so
// errdefs.IsInvalidError and friends still work).
type loadError struct {
	dir string
	err error
}

func (e *loadError) Error() string {
	msg := strings.ReplaceAll(e.err.Error(), e.dir+string(filepath.Separator), "")
	return ErrInvalid.Error() + ": " + strings.ReplaceAll(msg, e.dir, ".")
}

func (e *loadError) Unwrap() []error { return []error{ErrInvalid, e.err} }

// checkVariables fails when the compose file interpolates a variable that has
// no default and is not set in the env file.
func checkVariables(composeYAML, envFile []byte, envName string) error {
	var model map[string]any
	if err := yaml.Unmarshal(composeYAML, &model); err != nil {
		return fmt.Errorf("%w: %s is not valid YAML: %w", ErrInvalid, FileName, err)
	}
	vars, err := env.Parse(envFile)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, envName, err)
	}
	var unset []string
	for name, v := range template.ExtractVariables(model, nil) {
		if _, ok := vars[name]; ok || v.DefaultValue != "" || v.Required {
			continue
		}
		unset = append(unset, name)
	}
	if len(unset) > 0 {
		slices.Sort(unset)
		return fmt.Errorf("%w: %w: %s uses %q but %s does not set them: add them to %s or give them defaults (${NAME:-default})",
			ErrInvalid, ErrUnsetVariable, FileName, unset, envName, envName)
	}
	return nil
}
