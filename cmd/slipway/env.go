package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/plan"
)

// EnvCmd groups the env file commands.
type EnvCmd struct {
	Check EnvCheckCmd `cmd:"" help:"Check a production env file against what the app needs; lists the problems, never the values."`
}

// EnvCheckCmd is `slipway env check`.
type EnvCheckCmd struct {
	File   string `arg:"" type:"path" help:"The env file to check, e.g. deploy/.env.production."`
	Dir    string `arg:"" optional:"" default:"." type:"path" help:"The app's source directory: its Prisma config and .env.example say what the file must set."`
	AppDir string `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside DIR, for monorepos (e.g. apps/web)."`
}

// Run checks the file.
func (c *EnvCheckCmd) Run(k *kong.Context) error {
	b, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("read env file: %w", err)
	}
	app, err := loadApp(c.Dir, c.AppDir)
	if err != nil {
		return err
	}
	// The image is irrelevant to the check: APP_IMAGE has a default in the
	// compose file.
	bs, err := bundleSpec(app, plan.Options{}, bundle.Stack{})
	if err != nil {
		return err
	}
	spec := bs.EnvSpec()
	if err := env.Check(b, spec).Err(); err != nil {
		return fmt.Errorf("%s: %w", display(c.File), err)
	}
	fmt.Fprintf(k.Stdout, "%s: ok (%d variables checked)\n", display(c.File), len(spec.Variables()))
	return nil
}
