package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/plan"
)

// ErrEnvFileExists means a bundle would replace an env file that may hold
// live secrets.
var ErrEnvFileExists = errors.New("env file exists")

// StackFlags are the deploy stack's switches, shared by bundle and ci.
type StackFlags struct {
	MigrateService bool `help:"Add a one-shot migrate service that the app waits for, instead of migrating on start."`
	ReadOnly       bool `default:"true" negatable:"" help:"Run the app with a read-only root filesystem and tmpfs mounts for what Next.js writes."`
	PublishDBPort  bool `name:"publish-db-port" help:"Publish Postgres on 127.0.0.1 for local tools."`
	GenerateEnv    bool `help:"Also write .env.production with fresh secrets (mode 0600, never printed; keep it out of git)."`
	Force          bool `help:"Replace an existing .env.production (with --generate-env)."`
}

// BundleCmd is `slipway bundle`.
type BundleCmd struct {
	Dir           string `arg:"" optional:"" default:"." type:"path" help:"Source directory (the repo root for a monorepo)."`
	AppDir        string `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside DIR, for monorepos (e.g. apps/web)."`
	Image         string `required:"" env:"SLIPWAY_IMAGE" help:"Image reference the compose file runs, e.g. ghcr.io/acme/notes:1.2.3."`
	Out           string `short:"o" default:"deploy" type:"path" help:"Directory to write the bundle to."`
	Name          string `help:"Compose project name (default: from package.json's name)."`
	HealthPath    string `default:"/api/health" help:"Path the app answers health checks on."`
	Port          int    `default:"3000" help:"Port the server listens on inside the container."`
	Migrator      string `default:"slipway" enum:"slipway,prisma" help:"How the image migrates, as it was built: slipway or prisma."`
	PostgresImage string `default:"postgres:15" help:"Postgres image for the db service; pick your major version."`
	StackFlags
}

// Run writes the bundle.
func (c *BundleCmd) Run(k *kong.Context) error {
	app, err := loadApp(c.Dir, c.AppDir)
	if err != nil {
		return err
	}
	spec, err := bundleSpec(app, plan.Options{HealthPath: c.HealthPath, Port: c.Port, Migrator: c.Migrator}, bundle.Stack{
		Image: c.Image, Name: c.Name, PostgresImage: c.PostgresImage,
		MigrateService: c.MigrateService, ReadOnly: c.ReadOnly, PublishDBPort: c.PublishDBPort,
	})
	if err != nil {
		return err
	}
	envName := spec.Compose.WithDefaults().EnvFile
	if c.GenerateEnv && !c.Force {
		if err := refuseEnvFile(c.Out, envName); err != nil {
			return err
		}
	}
	var opts []bundle.Option
	if c.GenerateEnv {
		opts = append(opts, bundle.GenerateEnv())
	}
	files, err := bundle.Render(spec, opts...)
	if err != nil {
		return err
	}
	names, err := writeBundle(c.Out, files, envName, c.Force)
	if err != nil {
		return err
	}

	w := k.Stdout
	fmt.Fprintf(w, "wrote %s/ for image %s:\n", display(c.Out), c.Image)
	for _, n := range names {
		note := ""
		if n == envName {
			note = "  (mode 0600, fresh secrets: keep it out of version control)"
		}
		fmt.Fprintf(w, "  %s%s\n", n, note)
	}
	if c.GenerateEnv {
		if todo := unfilled(files[envName], spec.EnvSpec()); len(todo) > 0 {
			fmt.Fprintf(w, "still to fill in %s: %s\n", envName, strings.Join(todo, ", "))
		}
	}
	fmt.Fprintf(w, "next: read %s\n", display(filepath.Join(c.Out, bundle.DeployGuide)))
	return nil
}

// refuseEnvFile fails when out already holds the env file.
func refuseEnvFile(out, envName string) error {
	p := filepath.Join(out, envName)
	if _, err := os.Lstat(p); err == nil {
		return fmt.Errorf("%w: %s may hold the live secrets: pass --force to replace it, or move it away first", ErrEnvFileExists, display(p))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", display(p), err)
	}
	return nil
}

// writeBundle writes files into out and returns their names in writing
// order. The env file is written last, mode 0600, and replaces an existing
// one only with force (atomically, so a failure leaves the old one whole).
func writeBundle(out string, files map[string][]byte, envName string, force bool) ([]string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create bundle directory: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		if n != envName {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(out, n), files[n], 0o644); err != nil {
			return nil, fmt.Errorf("write bundle: %w", err)
		}
	}
	secret, ok := files[envName]
	if !ok {
		return names, nil
	}
	if err := writeSecretFile(out, envName, secret, force); err != nil {
		return nil, err
	}
	return append(names, envName), nil
}

// writeSecretFile writes a mode 0600 file that never exists with wider
// permissions, not even for a moment.
func writeSecretFile(dir, name string, data []byte, force bool) error {
	dst := filepath.Join(dir, name)
	if !force {
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s may hold the live secrets: pass --force to replace it, or move it away first", ErrEnvFileExists, display(dst))
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(dst)
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		return nil
	}
	f, err := os.CreateTemp(dir, name+".*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", name, err)
	}
	return nil
}

// unfilled lists the variables of a generated env file that still hold their
// placeholder (credentials issued by third parties).
func unfilled(b []byte, s env.Spec) []string {
	var out []string
	for _, p := range env.Check(b, s) {
		if p.Kind == env.Unreplaced && p.Var != "" {
			out = append(out, p.Var)
		}
	}
	return out
}
