// Tests runs Slipway's checks that need only a Dagger engine, through the module's own API.
//
// `dagger call -m tests all` runs every check at once; each is also its own
// function (`dagger call -m tests build-check`) and a `dagger check`. They
// build the fixture apps the e2e suite builds, from the same files, so the
// two share the engine's cache. What a module cannot do (export to the host,
// drive the dev engine or the CLI, time a run) stays in the Go e2e suite.
// Checks are never cached: one asked for runs, though the builds under it
// come from the cache.
package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"dagger/tests/internal/dagger"
)

// parallel is how many checks run at once: the engine parallelises their
// work, and a 2-core machine runs the tests.
const parallel = 4

// Tests holds the fixture apps the checks build.
type Tests struct {
	// +private
	Notes *dagger.Directory
	// +private
	NotesPnpm *dagger.Directory
}

func New(
	// The npm fixture app (testdata/fixtures/notes).
	// +defaultPath="/testdata/fixtures/notes"
	// +ignore=["**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example", "**/src/generated"]
	notes *dagger.Directory,
	// The pnpm fixture app (testdata/fixtures/notes-pnpm).
	// +defaultPath="/testdata/fixtures/notes-pnpm"
	// +ignore=["**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example", "**/src/generated"]
	notesPnpm *dagger.Directory,
) *Tests {
	return &Tests{Notes: notes, NotesPnpm: notesPnpm}
}

// All runs every check in parallel and reports each failure, not only the first.
// +cache="never"
func (m *Tests) All(ctx context.Context) error {
	checks := map[string]func(context.Context) error{
		"build":      m.BuildCheck,
		"build-pnpm": m.BuildPnpmCheck,
		"image":      m.ImageCheck,
		"migrate":    m.MigrateCheck,
		"smoke":      m.SmokeCheck,
		"ci":         m.CiCheck,
		"bad-inputs": m.BadInputsCheck,
		"bundle":     m.BundleCheck,
		"dockerfile": m.DockerfileCheck,
	}
	names := make([]string, 0, len(checks))
	for name := range checks {
		names = append(names, name)
	}
	sort.Strings(names)

	var (
		mu     sync.Mutex
		failed []error
	)
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for _, name := range names {
		g.Go(func() error {
			start := time.Now()
			err := checks[name](ctx)
			took := time.Since(start).Round(100 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fmt.Printf("FAIL %s (%s)\n", name, took)
				failed = append(failed, fmt.Errorf("%s: %w", name, err))
			} else {
				fmt.Printf("ok   %s (%s)\n", name, took)
			}
			return nil
		})
	}
	_ = g.Wait()
	fmt.Printf("tests: %d passed, %d failed\n", len(names)-len(failed), len(failed))
	return errors.Join(failed...)
}
