package migrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// cancelGrace is how long a cancelled statement may take to stop before the
// connection is dropped.
const cancelGrace = 10 * time.Second

// DefaultWaitTimeout bounds the wait for the database to accept connections.
const DefaultWaitTimeout = 30 * time.Second

// DefaultLockTimeout bounds the wait for the migration lock, as Prisma's
// schema engine bounds it.
const DefaultLockTimeout = 10 * time.Second

// LockKey is the advisory lock key Prisma's schema engine takes on Postgres,
// so slipway-migrate and `prisma migrate` exclude each other too.
const LockKey int64 = 72707369

// Options tune Open.
type Options struct {
	// WaitTimeout bounds the wait for the database to accept connections
	// (0 means DefaultWaitTimeout), so a migrator started together with its
	// database does not crash-loop.
	WaitTimeout time.Duration
	// LockTimeout bounds the wait for the migration lock while another
	// migrator holds it (0 means DefaultLockTimeout).
	LockTimeout time.Duration
	// CreateDatabase creates the URL's database when it does not exist, as
	// `prisma migrate deploy` does.
	CreateDatabase bool
	// Logf receives progress lines (waiting, lock contention, each applied
	// migration). Nil discards them.
	Logf func(format string, args ...any)
}

// Session is one connection to the target database. Its methods are not safe
// for concurrent use; open one Session per goroutine.
type Session struct {
	conn   *pgx.Conn
	target *Target
	table  string // quoted, schema-qualified _prisma_migrations
	logf   func(format string, args ...any)
	// lockTimeout bounds the wait for the migration lock.
	lockTimeout time.Duration
}

// Open connects to t, waiting up to opts.WaitTimeout for the database to
// accept connections. Close the Session when done.
func Open(ctx context.Context, t *Target, opts Options) (*Session, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	timeout := opts.WaitTimeout
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	lockTimeout := opts.LockTimeout
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	conn, err := connect(ctx, t, timeout, opts.CreateDatabase, logf)
	if err != nil {
		return nil, err
	}
	return &Session{
		conn:        conn,
		target:      t,
		table:       pgx.Identifier{t.Schema, "_prisma_migrations"}.Sanitize(),
		logf:        logf,
		lockTimeout: lockTimeout,
	}, nil
}

// Close ends the session (and with it any advisory lock it still holds).
func (s *Session) Close(ctx context.Context) error {
	if err := s.conn.Close(ctx); err != nil {
		return fmt.Errorf("close connection to %s: %w", s.target, err)
	}
	return nil
}

// connect retries until the server accepts a connection or the timeout
// passes. Errors the server answers with (bad password, no such role) fail at
// once, except "starting up" and "too many connections".
func connect(ctx context.Context, t *Target, timeout time.Duration, createDB bool, logf func(string, ...any)) (*pgx.Conn, error) {
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := 100 * time.Millisecond
	var last error // the last informative error, for the timeout message
	cfg := t.Config.Copy()
	// A cancelled context (SIGTERM) asks the server to cancel the running
	// statement instead of dropping the connection: the script is rolled back
	// at once, not whenever the server notices, and the session stays usable
	// to record the interruption. The deadline is the fallback for a server
	// that does not answer.
	cfg.BuildContextWatcherHandler = func(pgConn *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pgConn, DeadlineDelay: cancelGrace}
	}
	for {
		conn, err := pgx.ConnectConfig(waitCtx, cfg.Copy())
		if err == nil {
			if last != nil {
				logf("database %s is up", t)
			}
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to %s: %w", t, ctx.Err())
		}
		if createDB && sqlState(err) == "3D000" {
			if err := createDatabase(waitCtx, t, logf); err != nil {
				return nil, err
			}
			createDB = false // once; a second 3D000 is a real error
			continue
		}
		if !retryable(err) {
			return nil, fmt.Errorf("connect to %s: %w", t, flatError{err})
		}
		if last == nil {
			logf("waiting up to %s for the database at %s (%s)", timeout, t, oneLine(err))
		}
		if last == nil || waitCtx.Err() == nil {
			last = err // not the attempt the deadline cut short
		}
		select {
		case <-waitCtx.Done():
			return nil, fmt.Errorf("%w: %s did not accept connections within %s (last error: %s): check that it is running and reachable, or raise SLIPWAY_MIGRATE_TIMEOUT", ErrDatabaseUnavailable, t, timeout, oneLine(last))
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// retryable reports whether a failed connection attempt may succeed later.
func retryable(err error) bool {
	switch sqlState(err) {
	case "":
		return true // no answer from Postgres: not up, not resolvable yet, reset
	case "57P03", "53300", "57P01": // starting up, too many connections, shutting down
		return true
	}
	return false
}

// flatError shows an error on one line and keeps it reachable.
type flatError struct{ err error }

func (e flatError) Error() string { return oneLine(e.err) }
func (e flatError) Unwrap() error { return e.err }

// oneLine folds pgx's multi-line connect errors (one line per address and
// TLS attempt, often the same) into one line without repeats.
func oneLine(err error) string {
	var b strings.Builder
	var seen []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || slices.Contains(seen, line) {
			continue
		}
		if len(seen) > 0 {
			if strings.HasSuffix(seen[len(seen)-1], ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		seen = append(seen, line)
		b.WriteString(line)
	}
	return b.String()
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// createDatabase creates t's database through a maintenance database.
func createDatabase(ctx context.Context, t *Target, logf func(string, ...any)) error {
	name := t.Config.Database
	var lastErr error
	for _, maintenance := range []string{"postgres", "template1"} {
		cfg := t.Config.Copy()
		cfg.Database = maintenance
		delete(cfg.RuntimeParams, "search_path")
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			lastErr = err
			continue
		}
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		_ = conn.Close(ctx)
		switch {
		case err == nil:
			logf("created database %q", name)
			return nil
		case sqlState(err) == "42P04": // created by a concurrent migrator
			return nil
		default:
			lastErr = err
		}
	}
	return fmt.Errorf("database %q does not exist at %s and could not be created (%v): create it, or fix the database name in the URL", name, t, lastErr)
}

// lock takes Prisma's advisory lock for the session, waiting up to
// s.lockTimeout while another migrator holds it, as Prisma does. It polls
// with pg_try_advisory_lock, so that neither the timeout nor a cancelled
// context costs the connection. The returned func releases the lock.
func (s *Session) lock(ctx context.Context) (func(), error) {
	deadline := time.Now().Add(s.lockTimeout)
	delay := 50 * time.Millisecond
	for waited := false; ; waited = true {
		var got bool
		if err := s.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("take the migration lock: %w", context.Cause(ctx))
			}
			return nil, fmt.Errorf("take the migration lock: %w", err)
		}
		if got {
			break
		}
		if !waited {
			s.logf("another migrator holds the migration lock (pg_advisory_lock(%d)); waiting up to %s for it", LockKey, s.lockTimeout)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, s.lockTimeoutError()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the migration lock: %w", context.Cause(ctx))
		case <-time.After(min(delay, left)):
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
	return func() {
		// Best effort: closing the connection releases it anyway.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, _ = s.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", LockKey)
	}, nil
}

// lockTimeoutError says who holds the lock, when Postgres tells, and the ways
// out.
func (s *Session) lockTimeoutError() error {
	holder := ""
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A bigint advisory key is split into classid (high half) and objid (low
	// half); objsubid 1 marks the bigint form.
	var pid int
	var app, addr string
	err := s.conn.QueryRow(ctx, `SELECT l.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket')
		FROM pg_locks l LEFT JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		LIMIT 1`, LockKey).Scan(&pid, &app, &addr)
	if err == nil {
		holder = fmt.Sprintf(" (backend pid %d, application %q, from %s)", pid, app, addr)
	}
	return fmt.Errorf("%w: another migration holds the lock (pg_advisory_lock(%d))%s and did not release it after %s; "+
		"wait for it to finish and run again, raise the limit with SLIPWAY_MIGRATE_LOCK_TIMEOUT (or --lock-timeout), "+
		"or, if that migrator is stuck, end its session with SELECT pg_terminate_backend(pid)",
		ErrLockTimeout, LockKey, holder, s.lockTimeout)
}
