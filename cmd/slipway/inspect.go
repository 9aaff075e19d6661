package main

import (
	"fmt"

	"github.com/alecthomas/kong"
)

// InspectCmd is `slipway inspect`.
type InspectCmd struct {
	Dir    string `arg:"" optional:"" default:"." type:"path" help:"Source directory (the repo root for a monorepo)."`
	AppDir string `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside DIR, for monorepos (e.g. apps/web)."`
	JSON   bool   `name:"json" help:"Print the report as JSON, for tools."`
	Strict bool   `help:"Exit 1, listing the blockers and their fixes, when the app can't be built."`
}

// Run prints the inspection report.
func (c *InspectCmd) Run(k *kong.Context) error {
	app, err := loadApp(c.Dir, c.AppDir)
	if err != nil {
		return err
	}
	if c.JSON {
		b, err := app.JSON()
		if err != nil {
			return err
		}
		if _, err := k.Stdout.Write(b); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else if _, err := fmt.Fprint(k.Stdout, app.Report()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if c.Strict {
		return app.Err()
	}
	return nil
}
