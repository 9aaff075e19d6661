package pipeline

import (
	"context"
	"fmt"

	"github.com/slipwayhq/slipway/inspect"
	"github.com/slipwayhq/slipway/internal/dagger"
	"github.com/slipwayhq/slipway/names"
	"github.com/slipwayhq/slipway/plan"
)

// The fresh database every migrate and smoke run gets.
const (
	testDBUser = "slipway"
	testDBName = "app"
)

// Migrate applies every migration of the app, with the image's own
// migrator, to a fresh database, and reports what was applied.
func (p *Pipeline) Migrate(ctx context.Context, image *dagger.Container) (string, error) {
	app, pl, err := p.planned(ctx)
	if err != nil {
		return "", err
	}
	if _, err := p.migratable(app); err != nil {
		return "", err
	}
	if err := syncImage(ctx, image); err != nil {
		return "", err
	}
	db, err := p.freshDatabase(ctx)
	if err != nil {
		return "", err
	}
	return p.migrate(ctx, image, pl, db)
}

// freshDatabase is a new Postgres service with a generated password.
func (p *Pipeline) freshDatabase(ctx context.Context) (*DB, error) {
	return p.Database(ctx, testDBUser, testDBName, nil)
}

func (p *Pipeline) migratable(app *inspect.App) (*inspect.Prisma, error) {
	pr := app.Prisma
	switch {
	case pr == nil:
		return nil, &StageError{Stage: "migrate", Err: fmt.Errorf("the app has no Prisma schema"), Fix: "add Prisma, or skip migrate"}
	case pr.Migrations == "" || len(pr.MigrationNames) == 0:
		return nil, &StageError{Stage: "migrate", Err: fmt.Errorf("schema %s has no migrations folder", pr.Schema),
			Fix: "create the first migration with `npx prisma migrate dev --name init` and commit prisma/migrations"}
	}
	return pr, nil
}

// migrate runs the image's migrator against db, with every database
// variable of the app pointing at it, as a deploy's migrate job would.
func (p *Pipeline) migrate(ctx context.Context, image *dagger.Container, pl *plan.Plan, db *DB) (string, error) {
	ctr := image.WithServiceBinding(dbAlias, db.Service)
	url := db.URL(p.dag)
	for _, v := range pl.Runtime.URLVars {
		ctr = ctr.WithSecretVariable(v, url)
	}
	out, err := ctr.
		WithEnvVariable(names.RunVar, runID()). // prove it on every run
		WithExec(pl.Runtime.MigrateCommand).
		Stdout(ctx)
	if err != nil {
		return "", stageError("migrate", "fix the migration named above; the database error is Postgres's own", err)
	}
	return out, nil
}
