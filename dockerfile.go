package main

import (
	"context"

	"github.com/slipwayhq/slipway/internal/dagger"
)

// Dockerfile is the multi-stage Dockerfile that builds the same image as `image`, for building without Dagger: `dagger call dockerfile export --path=Dockerfile`.
func (m *Slipway) Dockerfile(ctx context.Context) (*dagger.File, error) {
	return m.pipeline().Dockerfile(ctx)
}
