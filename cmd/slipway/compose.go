package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
	"go.yaml.in/yaml/v4"
)

// ErrNoEnvFile means compose validate found no env file to load the compose
// file with.
var ErrNoEnvFile = errors.New("no env file")

// ComposeCmd groups the compose file commands.
type ComposeCmd struct {
	Validate ComposeValidateCmd `cmd:"" help:"Load a compose file through compose-go with its env file, as docker compose would, and list its services."`
}

// ComposeValidateCmd is `slipway compose validate`.
type ComposeValidateCmd struct {
	File    string `arg:"" type:"path" help:"The compose file, e.g. deploy/docker-compose.prod.yml."`
	EnvFile string `name:"env-file" type:"path" help:"Env file to load it with (default: .env.production next to FILE, else the .env.production.example template)."`
}

// Run validates the file.
func (c *ComposeValidateCmd) Run(ctx context.Context, k *kong.Context) error {
	composeYAML, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("read compose file: %w", err)
	}
	envPath := c.EnvFile
	if envPath == "" {
		if envPath, err = findEnvFile(filepath.Dir(c.File)); err != nil {
			return err
		}
	}
	envFile, err := os.ReadFile(envPath)
	if err != nil {
		return fmt.Errorf("read env file: %w", err)
	}
	name, err := referencedEnvFile(composeYAML)
	if err != nil {
		return err
	}
	p, err := compose.Validate(ctx, composeYAML, envFile, compose.WithEnvFileName(name))
	if err != nil {
		return fmt.Errorf("%s with %s: %w", display(c.File), display(envPath), err)
	}

	fmt.Fprintf(k.Stdout, "%s is valid with %s (project %s); services:\n", display(c.File), display(envPath), p.Name)
	tw := tabwriter.NewWriter(k.Stdout, 0, 0, 2, ' ', 0)
	for _, n := range p.ServiceNames() {
		img := p.Services[n].Image
		if img == "" {
			img = "(built)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", n, img)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write services: %w", err)
	}
	return nil
}

// findEnvFile picks the env file next to the compose file: the real one if
// present, else the template.
func findEnvFile(dir string) (string, error) {
	for _, n := range []string{env.DefaultFileName, env.TemplateFileName} {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("look for %s: %w", n, err)
		}
	}
	return "", fmt.Errorf("%w: %s has neither %s nor %s: pass --env-file", ErrNoEnvFile, display(dir), env.DefaultFileName, env.TemplateFileName)
}

// referencedEnvFile is the one env file name the services read (env_file),
// so that the given file is loaded under the name the compose file expects.
func referencedEnvFile(composeYAML []byte) (string, error) {
	var doc struct {
		Services map[string]struct {
			EnvFile any `yaml:"env_file"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(composeYAML, &doc); err != nil {
		return "", fmt.Errorf("%w: %s", compose.ErrInvalid, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var names []string
	add := func(v any) {
		switch e := v.(type) {
		case string:
			names = append(names, filepath.Clean(e))
		case map[string]any:
			if p, ok := e["path"].(string); ok {
				names = append(names, filepath.Clean(p))
			}
		}
	}
	for _, s := range doc.Services {
		if list, ok := s.EnvFile.([]any); ok {
			for _, v := range list {
				add(v)
			}
		} else if s.EnvFile != nil {
			add(s.EnvFile)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	switch len(names) {
	case 0:
		return env.DefaultFileName, nil
	case 1:
		if names[0] != filepath.Base(names[0]) {
			return "", fmt.Errorf("%w: env_file %q is not next to the compose file: slipway validates bundles whose env file sits beside the compose file", compose.ErrInvalid, names[0])
		}
		return names[0], nil
	default:
		return "", fmt.Errorf("%w: services read several env files (%s): slipway validates with one; point them all at the same file", compose.ErrInvalid, strings.Join(names, ", "))
	}
}
