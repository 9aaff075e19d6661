package migrator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// createTable is Prisma's _prisma_migrations, column for column.
const createTable = `CREATE TABLE IF NOT EXISTS %s (
    id                  VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum            VARCHAR(64) NOT NULL,
    finished_at         TIMESTAMPTZ,
    migration_name      VARCHAR(255) NOT NULL,
    logs                TEXT,
    rolled_back_at      TIMESTAMPTZ,
    started_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count INTEGER NOT NULL DEFAULT 0
)`

// Record is one row of _prisma_migrations.
type Record struct {
	ID           string
	Checksum     string
	Name         string
	Logs         string
	StartedAt    time.Time
	FinishedAt   *time.Time
	RolledBackAt *time.Time
	AppliedSteps int
}

func (r Record) failed() bool  { return r.FinishedAt == nil && r.RolledBackAt == nil }
func (r Record) applied() bool { return r.FinishedAt != nil && r.RolledBackAt == nil }

// State is where a migration stands on the database.
type State string

const (
	StatePending State = "pending" // in the folder, not applied (or rolled back)
	StateApplied State = "applied"
	StateFailed  State = "failed" // started, neither finished nor rolled back
	// StateMissing: applied to the database but not in the folder.
	StateMissing State = "missing"
)

// MigrationState is one line of a status report.
type MigrationState struct {
	Name  string
	State State
	// ChecksumChanged: applied, but migration.sql changed since.
	ChecksumChanged bool
	// Record is the deciding row (nil when pending and never started).
	Record *Record
}

// StatusReport lists the folder's migrations in order, then those recorded on
// the database only.
type StatusReport struct {
	Schema     string
	Migrations []MigrationState
}

// Count returns how many migrations are in state st.
func (r *StatusReport) Count(st State) int {
	n := 0
	for _, m := range r.Migrations {
		if m.State == st {
			n++
		}
	}
	return n
}

// UpToDate reports whether every migration is applied, none failed, and the
// database has none the folder lacks.
func (r *StatusReport) UpToDate() bool {
	return r.Count(StatePending)+r.Count(StateFailed)+r.Count(StateMissing) == 0
}

// Result is what Migrate did.
type Result struct {
	Applied  []string // applied by this run, in order
	Skipped  []string // already applied before this run
	Warnings []string // changed checksums, migrations missing from the folder
}

// assess decides each migration's state from the folder and the rows, the way
// Prisma's deploy does: a name counts as applied when a row for it is not
// rolled back; any failed row blocks.
func assess(ms []Migration, recs []Record) []MigrationState {
	byName := map[string][]Record{}
	for _, r := range recs {
		byName[r.Name] = append(byName[r.Name], r)
	}
	decide := func(rows []Record) (State, *Record) {
		for i := range rows {
			if rows[i].failed() {
				return StateFailed, &rows[i]
			}
		}
		for i := range rows {
			if rows[i].applied() {
				return StateApplied, &rows[i]
			}
		}
		return StatePending, nil
	}
	local := map[string]bool{}
	out := make([]MigrationState, 0, len(ms))
	for _, m := range ms {
		local[m.Name] = true
		st, rec := decide(byName[m.Name])
		out = append(out, MigrationState{
			Name:            m.Name,
			State:           st,
			ChecksumChanged: st == StateApplied && !m.MatchesChecksum(rec.Checksum),
			Record:          rec,
		})
	}
	seen := map[string]bool{}
	for _, r := range recs { // rows come in started_at order
		if local[r.Name] || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		st, rec := decide(byName[r.Name])
		if st == StatePending {
			continue // only rolled-back rows: nothing stands
		}
		if st == StateApplied {
			st = StateMissing
		}
		out = append(out, MigrationState{Name: r.Name, State: st, Record: rec})
	}
	return out
}

// failedError explains a recorded failure and how to get past it.
func failedError(states []MigrationState) error {
	var b strings.Builder
	for _, st := range states {
		if st.State != StateFailed {
			continue
		}
		fmt.Fprintf(&b, "\nmigration %s, started at %s, failed", st.Name, st.Record.StartedAt.UTC().Format(time.RFC3339))
		if logs := strings.TrimSpace(st.Record.Logs); logs != "" {
			fmt.Fprintf(&b, ":\n    %s", strings.ReplaceAll(logs, "\n", "\n    "))
		}
		fmt.Fprintf(&b, "\nNo new migrations are applied until it is resolved. Fix the database, then either"+
			"\n  slipway-migrate resolve --rolled-back %[1]s   (its changes are not in the database: deploy applies it again)"+
			"\n  slipway-migrate resolve --applied %[1]s       (you completed its changes by hand)"+
			"\n(`prisma migrate resolve` takes the same flags.)", st.Name)
	}
	return fmt.Errorf("%w:%s", ErrFailedMigration, b.String())
}

// Migrate applies the pending migrations in order, as `prisma migrate deploy`
// does, holding Prisma's advisory lock throughout (waiting for it at most
// Options.LockTimeout, then ErrLockTimeout). It refuses to start while a
// failed migration is recorded. On a failing script it records Postgres's
// error in the row's logs and returns a *ScriptError (with Interrupted set
// when ctx ended mid-script); the Result then holds what was applied before it.
func (s *Session) Migrate(ctx context.Context, ms []Migration) (*Result, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.ensureTable(ctx); err != nil {
		return nil, err
	}
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	states := assess(ms, recs)
	res := &Result{}
	var pending []Migration
	for i, st := range states {
		switch {
		case st.State == StateFailed:
			return nil, failedError(states)
		case st.State == StateMissing:
			res.Warnings = append(res.Warnings, fmt.Sprintf("migration %s is applied to the database but missing from the migrations folder", st.Name))
		case st.State == StatePending:
			pending = append(pending, ms[i])
		case st.ChecksumChanged:
			res.Warnings = append(res.Warnings, fmt.Sprintf("migration %s was modified after it was applied (checksum %s on the database, %s in the folder): the change is not applied; write a new migration instead", st.Name, st.Record.Checksum, ms[i].Checksum))
			res.Skipped = append(res.Skipped, st.Name)
		default:
			res.Skipped = append(res.Skipped, st.Name)
		}
	}
	for _, m := range pending {
		if ctx.Err() != nil {
			// Between two migrations: nothing is started, so nothing is failed.
			return res, fmt.Errorf("%s before migration %s started (nothing of it ran; deploy again to apply the rest): %w", interruption(ctx), m.Name, ctx.Err())
		}
		start := time.Now()
		if err := s.apply(ctx, m); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, m.Name)
		s.logf("applied %s (%s)", m.Name, time.Since(start).Round(time.Millisecond))
	}
	return res, nil
}

// apply runs one migration with Prisma's bookkeeping: a started row, the
// script in one simple-protocol round trip (one implicit transaction), then
// finished_at and applied_steps_count = 1, or the error in logs. An
// interruption (SIGTERM, a cancelled ctx) cancels the script on the server
// and is recorded as a failure too, so the next deploy stops at it.
func (s *Session) apply(ctx context.Context, m Migration) error {
	id := newUUID()
	if _, err := s.conn.Exec(ctx, "INSERT INTO "+s.table+
		" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)",
		id, m.Checksum, m.Name); err != nil {
		return fmt.Errorf("record the start of migration %s: %w", m.Name, err)
	}
	_, err := s.conn.PgConn().Exec(ctx, string(m.SQL)).ReadAll()
	if err == nil && s.conn.PgConn().TxStatus() != 'I' {
		err = errors.New("the script left a transaction open (BEGIN without COMMIT); it was rolled back")
	}
	// The bookkeeping below must happen even when ctx is cancelled: the script
	// has either committed or failed, and the row must say which.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err != nil {
		se := newScriptError(m, err)
		if ctx.Err() != nil {
			se.Interrupted = interruption(ctx)
		}
		if s.conn.PgConn().TxStatus() != 'I' {
			_, _ = s.conn.Exec(rctx, "ROLLBACK")
		}
		if uerr := s.recordFailure(rctx, id, se.Log()); uerr != nil {
			return errors.Join(se, fmt.Errorf("record the failure of migration %s in %s: %w", m.Name, s.table, uerr))
		}
		return se
	}
	if _, err := s.conn.Exec(rctx, "UPDATE "+s.table+
		" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1", id); err != nil {
		return fmt.Errorf("migration %s ran, but recording it as finished failed (mark it with `slipway-migrate resolve --applied %s`): %w", m.Name, m.Name, err)
	}
	return nil
}

// recordFailure writes the failure's log into the migration's row. It tries
// twice: a cancel request sent for the script can land on the first UPDATE
// instead (Postgres's SQLSTATE 57014).
func (s *Session) recordFailure(ctx context.Context, id, logs string) error {
	var err error
	for range 2 {
		if _, err = s.conn.Exec(ctx, "UPDATE "+s.table+" SET logs = $1 WHERE id = $2", logs, id); sqlState(err) != "57014" {
			return err
		}
	}
	return err
}

// interruption says why ctx ended, for logs and messages: its cause when it
// has one ("interrupted by SIGTERM"), else "interrupted (context canceled)".
func interruption(ctx context.Context) string {
	cause := context.Cause(ctx)
	if cause == nil {
		return ""
	}
	msg := cause.Error()
	if !strings.HasPrefix(msg, "interrupted") {
		msg = "interrupted (" + msg + ")"
	}
	return msg
}

// Status reports where each migration stands. It changes nothing: a missing
// schema or table means every migration is pending.
func (s *Session) Status(ctx context.Context, ms []Migration) (*StatusReport, error) {
	exists, err := s.tableExists(ctx)
	if err != nil {
		return nil, err
	}
	var recs []Record
	if exists {
		if recs, err = s.records(ctx); err != nil {
			return nil, err
		}
	}
	return &StatusReport{Schema: s.target.Schema, Migrations: assess(ms, recs)}, nil
}

// Resolution is what `resolve` records.
type Resolution int

const (
	// ResolveApplied records the migration as applied (its changes were made
	// by hand), closing any failed row, as `prisma migrate resolve --applied`.
	ResolveApplied Resolution = iota + 1
	// ResolveRolledBack marks its failed row rolled back, so deploy applies it
	// again, as `prisma migrate resolve --rolled-back`.
	ResolveRolledBack
)

// Resolve settles a migration by name, mirroring `prisma migrate resolve`.
// ms is the folder's migrations (ResolveApplied needs the script's checksum).
func (s *Session) Resolve(ctx context.Context, ms []Migration, name string, how Resolution) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.ensureTable(ctx); err != nil {
		return err
	}
	recs, err := s.records(ctx)
	if err != nil {
		return err
	}
	var rows []Record
	for _, r := range recs {
		if r.Name == name {
			rows = append(rows, r)
		}
	}
	failed := 0
	for _, r := range rows {
		if r.applied() && how == ResolveApplied {
			return fmt.Errorf("%w: migration %s is already recorded as applied", ErrNothingToResolve, name)
		}
		if r.failed() {
			failed++
		}
	}
	const rollBack = " SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL"
	switch how {
	case ResolveRolledBack:
		if len(rows) == 0 {
			return fmt.Errorf("%w: migration %s was never applied to this database: check the name (full folder name, e.g. 20240101120000_init); `slipway-migrate status` lists them", ErrUnknownMigration, name)
		}
		if failed == 0 {
			return fmt.Errorf("%w: migration %s is not in a failed state, so there is nothing to roll back", ErrNothingToResolve, name)
		}
		if _, err := s.conn.Exec(ctx, "UPDATE "+s.table+rollBack, name); err != nil {
			return fmt.Errorf("mark migration %s rolled back: %w", name, err)
		}
		return nil
	case ResolveApplied:
		var m *Migration
		for i := range ms {
			if ms[i].Name == name {
				m = &ms[i]
			}
		}
		if m == nil {
			return fmt.Errorf("%w: migration %s is not in the migrations folder: check the name (full folder name, e.g. 20240101120000_init); `slipway-migrate status` lists them", ErrUnknownMigration, name)
		}
		// Prisma closes the failed rows and adds a finished row with zero steps.
		err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE "+s.table+rollBack, name); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+s.table+
				" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), now(), 0)",
				newUUID(), m.Checksum, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("mark migration %s applied: %w", name, err)
		}
		return nil
	default:
		return fmt.Errorf("resolve %s: unknown resolution %d", name, how)
	}
}

// ensureTable creates the schema (when missing) and _prisma_migrations.
// Callers hold the lock, so concurrent migrators do not race on the DDL.
func (s *Session) ensureTable(ctx context.Context) error {
	var exists bool
	if err := s.conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s.target.Schema).Scan(&exists); err != nil {
		return fmt.Errorf("look up schema %q: %w", s.target.Schema, err)
	}
	if !exists {
		// Checked first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the
		// database even when the schema is there.
		if _, err := s.conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.target.Schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema %q (from the URL's ?schema=): %w: create it, or grant the role CREATE on the database", s.target.Schema, err)
		}
	}
	if _, err := s.conn.Exec(ctx, fmt.Sprintf(createTable, s.table)); err != nil {
		return fmt.Errorf("create %s: %w", s.table, err)
	}
	return nil
}

func (s *Session) tableExists(ctx context.Context) (bool, error) {
	var exists bool
	err := s.conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = '_prisma_migrations')", s.target.Schema).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", s.table, err)
	}
	return exists, nil
}

// records reads _prisma_migrations in started_at order, as Prisma does.
func (s *Session) records(ctx context.Context) ([]Record, error) {
	rows, err := s.conn.Query(ctx, "SELECT id, checksum, migration_name, coalesce(logs, ''), started_at, finished_at, rolled_back_at, applied_steps_count FROM "+s.table+" ORDER BY started_at, migration_name")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.table, err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var r Record
		err := row.Scan(&r.ID, &r.Checksum, &r.Name, &r.Logs, &r.StartedAt, &r.FinishedAt, &r.RolledBackAt, &r.AppliedSteps)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.table, err)
	}
	return recs, nil
}

// newUUID returns a random (version 4) UUID, as Prisma's ids are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
