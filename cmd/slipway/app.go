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
	"github.com/slipwayhq/slipway/plan"
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

// bundleSpec is the bundle for app, built from its plan as the module's
// bundle function builds it. The image migrates on start unless s asks for
// a migrate service.
func bundleSpec(app *inspect.App, opts plan.Options, s bundle.Stack) (bundle.Spec, error) {
	opts.MigrateOnStart = true
	pl, err := plan.New(app, opts)
	if err != nil {
		return bundle.Spec{}, err
	}
	return bundle.FromPlan(app, pl, s), nil
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
