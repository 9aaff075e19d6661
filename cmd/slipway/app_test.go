package main

import (
	"testing"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/stretchr/testify/require"
)

func mustApp(t *testing.T, dir string) *inspect.App {
	t.Helper()
	app, err := loadApp(dir, ".")
	require.NoError(t, err)
	return app
}
