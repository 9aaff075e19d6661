// Command slipway is Slipway's command line. The engine-free commands inspect
// an app, write its deploy bundle, make secrets and check env and compose
// files on this machine; `slipway ci` runs the Slipway module through the
// dagger CLI, as a user would with `dagger call`.
//
// It must not import internal/dagger or pipeline: the generated client panics
// at start-up outside a Dagger session.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// CLI is the command tree.
type CLI struct {
	Inspect InspectCmd `cmd:"" help:"Report what Slipway detects in an app: package manager, Node, standalone output, Prisma, and warnings with fixes."`
	Plan    PlanCmd    `cmd:"" help:"Print every decision about the app's image (base, install, build, runner, healthcheck, migrator, runtime facts), as text or JSON."`
	Bundle  BundleCmd  `cmd:"" help:"Write the deploy bundle: compose file, env template, DEPLOY.md and, on request, an env file with fresh secrets."`
	Secret  SecretCmd  `cmd:"" help:"Print fresh secrets (256 bits from crypto/rand, URL-safe, never a '$')."`
	Env     EnvCmd     `cmd:"" help:"Work with production env files."`
	Compose ComposeCmd `cmd:"" help:"Work with production compose files."`
	CI      CICmd      `cmd:"" name:"ci" help:"Build, test, migrate and smoke-test the app with the Slipway module, then export the image and the deploy bundle (needs the dagger CLI and an engine)."`
	Publish PublishCmd `cmd:"" help:"Run ci on every platform, then push the image under each tag, signed with --sign-key (needs the dagger CLI and an engine)."`
}

const description = "Slipway takes a Next.js + Prisma + PostgreSQL app from source to a tested production image and a deploy bundle."

// options are the parser options shared by main and the tests.
func options(ctx context.Context) []kong.Option {
	return []kong.Option{
		kong.Name("slipway"),
		kong.Description(description),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.BindTo(ctx, (*context.Context)(nil)),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var cli CLI
	k := kong.Parse(&cli, options(ctx)...)
	err := k.Run()
	stop()
	k.FatalIfErrorf(err)
}
