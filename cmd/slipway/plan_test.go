package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slipwayhq/slipway/plan"
)

func TestPlanText(t *testing.T) {
	stdout, _, err := runCLI(t, "plan", fixture(t, "notes"))
	require.NoError(t, err)
	assert.Contains(t, stdout, "base: FROM node:24-bookworm-slim")
	assert.Contains(t, stdout, "run npm ci")
	assert.Contains(t, stdout, "entrypoint /usr/local/bin/slipway-migrate start --")
}

func TestPlanJSON(t *testing.T) {
	stdout, _, err := runCLI(t, "plan", "--json", "--node-image", "node:22-alpine", "--migrator", "prisma", "--app-dir", "apps/web", fixture(t, "turbo-monorepo"))
	require.NoError(t, err)
	var p plan.Plan
	require.NoError(t, json.Unmarshal([]byte(stdout), &p))
	assert.True(t, p.Base.Alpine)
	assert.Equal(t, "apps/web", p.Dir)
	require.NotNil(t, p.Runner.Migrations)
	assert.NotNil(t, p.Runner.Migrations.PrismaCLI)
	assert.Equal(t, p.Runner.Migrations.Command, p.Runtime.MigrateCommand)
}
