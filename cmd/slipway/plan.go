package main

import (
	"fmt"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/plan"
)

// PlanCmd is `slipway plan`.
type PlanCmd struct {
	Dir            string   `arg:"" optional:"" default:"." type:"path" help:"Source directory (the repo root for a monorepo)."`
	AppDir         string   `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside DIR, for monorepos (e.g. apps/web)."`
	JSON           bool     `name:"json" help:"Print the plan as JSON, for tools."`
	NodeImage      string   `help:"Node.js image for the build stages (default node:24-bookworm-slim, or the app's Node major); an Alpine image works too."`
	NodeVersion    string   `help:"Node.js major to build with (e.g. 22)."`
	HealthPath     string   `help:"Path the health check requests (default: the health route found in the app, else /api/health)."`
	Port           int      `default:"3000" help:"Port the server listens on."`
	BuildEnv       []string `help:"Visible build-time variables, KEY=VALUE (repeatable)."`
	BuildCommand   string   `help:"Command that builds the app, run by sh in the app dir."`
	Migrator       string   `default:"slipway" enum:"slipway,prisma" help:"How the runner migrates: slipway or prisma."`
	MigrateOnStart bool     `default:"true" negatable:"" help:"Apply migrations when the container starts, before the server."`
}

// Run prints the plan of the app's image.
func (c *PlanCmd) Run(k *kong.Context) error {
	app, err := loadApp(c.Dir, c.AppDir)
	if err != nil {
		return err
	}
	p, err := plan.New(app, plan.Options{
		AppDir: c.AppDir, NodeImage: c.NodeImage, NodeVersion: c.NodeVersion, HealthPath: c.HealthPath, Port: c.Port,
		BuildEnv: c.BuildEnv, BuildCommand: c.BuildCommand, Migrator: c.Migrator, MigrateOnStart: c.MigrateOnStart,
	})
	if err != nil {
		return err
	}
	out := p.Text()
	if c.JSON {
		b, err := p.JSON()
		if err != nil {
			return err
		}
		out = string(b)
	}
	if _, err := fmt.Fprint(k.Stdout, out); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}
