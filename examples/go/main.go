// Examples of Slipway from Go: the calls a pipeline of your own makes, shown on Slipway's Daggerverse page.
//
// Each function is one use. Here they build the notes fixture of Slipway's
// own tests; in your module, point source at your app (`+defaultPath="/"`).
package main

import (
	"context"

	"dagger/examples/internal/dagger"
)

type Examples struct{}

// Slipway_Ci builds the app, runs its tests, migrates a fresh Postgres and requests its pages; the image comes back only if all of that passed.
func (m *Examples) Slipway_Ci(
	// The Next.js + Prisma app.
	// +defaultPath="/testdata/fixtures/notes"
	// +ignore=["**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example"]
	source *dagger.Directory,
) *dagger.Container {
	return dag.Slipway(dagger.SlipwayOpts{Source: source}).
		Ci(dagger.SlipwayCiOpts{Paths: []string{"/", "/api/notes"}})
}

// Slipway_Bundle writes what a server needs to run a published image: docker-compose.prod.yml, an env template and DEPLOY.md.
func (m *Examples) Slipway_Bundle(
	// The Next.js + Prisma app.
	// +defaultPath="/testdata/fixtures/notes"
	// +ignore=["**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example"]
	source *dagger.Directory,
	// The image the compose file runs.
	// +default="ghcr.io/acme/notes:1.0.0"
	image string,
) *dagger.Directory {
	return dag.Slipway(dagger.SlipwayOpts{Source: source}).
		Bundle(image, dagger.SlipwayBundleOpts{MigrateService: true})
}

// Slipway_Publish runs ci, then pushes the image under each tag and returns the references pinned to its digest.
// +cache="never"
func (m *Examples) Slipway_Publish(
	ctx context.Context,
	// The Next.js + Prisma app.
	// +defaultPath="/testdata/fixtures/notes"
	// +ignore=["**/node_modules", "**/.next", "**/.env", "**/.env.*", "!**/.env.example"]
	source *dagger.Directory,
	// The repository to push to.
	// +default="ghcr.io/acme/notes"
	address string,
	// The tags to push.
	// +default=["1.0.0", "latest"]
	tags []string,
	// The registry user.
	username string,
	// The registry password or token, e.g. --password=env://REGISTRY_TOKEN.
	password *dagger.Secret,
) (string, error) {
	return dag.Slipway(dagger.SlipwayOpts{Source: source}).
		Publish(ctx, address, dagger.SlipwayPublishOpts{Tags: tags, Username: username, Password: password})
}
