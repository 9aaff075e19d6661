package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/slipwayhq/slipway/env"
	"github.com/slipwayhq/slipway/internal/dagger"
)

const (
	dbAlias = "db"
	dbPort  = 5432
)

// DB is a Postgres service and what a client needs to reach it.
type DB struct {
	Service  *dagger.Service
	User     string
	Name     string
	Password *dagger.Secret
	password string
}

// URL is the database URL for a container bound to the service as "db", as
// a secret.
func (d *DB) URL(dag *dagger.Client) *dagger.Secret {
	u := url.URL{
		Scheme: "postgresql",
		User:   url.UserPassword(d.User, d.password),
		Host:   fmt.Sprintf("%s:%d", dbAlias, dbPort),
		Path:   "/" + d.Name,
	}
	return dag.SetSecret("slipway-database-url-"+runID(), u.String())
}

// Database is a Postgres service from --postgres-image that is ready only
// when pg_isready says so. A nil password gets a generated one.
func (p *Pipeline) Database(ctx context.Context, user, name string, password *dagger.Secret) (*DB, error) {
	var plain string
	if password == nil {
		var err error
		if plain, err = env.GenerateSecret(); err != nil {
			return nil, fmt.Errorf("database: generate a password: %w", err)
		}
		password = p.dag.SetSecret("slipway-postgres-password-"+runID(), plain)
	} else {
		var err error
		if plain, err = password.Plaintext(ctx); err != nil {
			return nil, fmt.Errorf("database: read the password: %w", err)
		}
	}
	svc := p.dag.Container().From(p.cfg.PostgresImage).
		WithEnvVariable("POSTGRES_USER", user).
		WithEnvVariable("POSTGRES_DB", name).
		WithSecretVariable("POSTGRES_PASSWORD", password).
		WithExposedPort(dbPort).
		WithDockerHealthcheck([]string{"pg_isready", "-h", "127.0.0.1", "-U", user, "-d", name}, dagger.ContainerWithDockerHealthcheckOpts{
			Interval: "5s", Timeout: "3s", StartPeriod: "60s", StartInterval: "500ms", Retries: 5,
		}).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
	return &DB{Service: svc, User: user, Name: name, Password: password, password: plain}, nil
}

// runID is a random id for what must differ on every run: a fresh
// database's secrets, and the checks that prove the image each time.
func runID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}
