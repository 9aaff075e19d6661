package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/names"
)

// ErrNoSource means the source directory argument is missing or not a directory.
var ErrNoSource = errors.New("no source directory")

// loadApp inspects the app at appDir inside the source directory dir.
func loadApp(dir, appDir string) (*inspect.App, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist: pass the directory that holds the app (the repo root for a monorepo)", ErrNoSource, display(dir))
	case err != nil:
		return nil, fmt.Errorf("source directory: %w", err)
	case !info.IsDir():
		return nil, fmt.Errorf("%w: %s is a file: pass the directory that holds the app", ErrNoSource, display(dir))
	}
	app, err := inspect.Inspect(os.DirFS(dir), appDir)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", display(dir), err)
	}
	return app, nil
}

// stack is the part of a bundle spec that the CLI's flags set.
type stack struct {
	Image          string
	Name           string // compose project name; "" derives it from package.json
	HealthPath     string
	Port           int
	PostgresImage  string
	MigrateService bool
	ReadOnly       bool
	PublishDBPort  bool
}

// bundleSpec is the bundle for app, built as the module's bundle function
// builds it, with the runner image's healthcheck and migrator.
func bundleSpec(app *inspect.App, s stack) bundle.Spec {
	return bundle.FromApp(app, bundle.Stack{
		Image: s.Image, Name: s.Name, HealthPath: s.HealthPath, Port: s.Port,
		Healthcheck:    []string{"CMD", "node", names.HealthcheckScript},
		MigrateCommand: []string{names.Migrator, "deploy"},
		PostgresImage:  s.PostgresImage,
		MigrateOnStart: !s.MigrateService,
		ReadOnly:       s.ReadOnly,
		PublishDBPort:  s.PublishDBPort,
	})
}

// display shortens an absolute path to one relative to the working directory
// when it is inside it.
func display(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}
