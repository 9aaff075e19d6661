// Package migrator applies Prisma migrations (prisma/migrations/*/migration.sql)
// to PostgreSQL exactly as `prisma migrate deploy` does: same _prisma_migrations
// table and rows, same advisory lock, same refusal to continue past a failed
// migration, and `resolve` to settle one. A database it migrated is accepted by
// Prisma's own tooling, and the other way round.
//
// Loading, checksums, ordering and URL handling need no database; Open,
// Migrate, Status and Resolve talk to Postgres through pgx.
package migrator
