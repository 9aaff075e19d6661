// Slipway takes a Next.js + Prisma + PostgreSQL app from source to a small production image and a deploy bundle.
package main

import (
	"context"

	"github.com/slipwayhq/slipway/internal/dagger"
)

// Slipway builds, migrates and smoke-tests a Next.js + Prisma app.
type Slipway struct {
	// +private
	Source *dagger.Directory
}

func New(
	// The app's source directory.
	// +defaultPath="/"
	source *dagger.Directory,
) *Slipway {
	return &Slipway{Source: source}
}

// Hello returns a greeting; a placeholder until the pipeline lands.
func (m *Slipway) Hello(ctx context.Context) (string, error) {
	return dag.Container().From("node:22-bookworm-slim").WithExec([]string{"node", "--version"}).Stdout(ctx)
}
