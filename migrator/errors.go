package migrator

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors, for callers that branch (the binary maps the first four to
// its usage/config exit code).
var (
	// ErrInvalidURL: the database URL is missing, malformed or unsupported.
	ErrInvalidURL = errors.New("invalid database URL")
	// ErrInvalidMigrations: the migrations directory is missing or unusable.
	ErrInvalidMigrations = errors.New("invalid migrations directory")
	// ErrUnknownMigration: resolve named a migration that is not in the
	// folder (--applied) or was never started on the database (--rolled-back).
	ErrUnknownMigration = errors.New("unknown migration")
	// ErrNothingToResolve: resolve named a migration that is not failed.
	ErrNothingToResolve = errors.New("nothing to resolve")
	// ErrFailedMigration: a failed migration is recorded, so deploy stops
	// until it is resolved (Prisma's P3009).
	ErrFailedMigration = errors.New("a failed migration is recorded in the database")
	// ErrDatabaseUnavailable: the database did not accept connections in time.
	ErrDatabaseUnavailable = errors.New("database unavailable")
	// ErrLockTimeout: another migrator held the migration lock for longer
	// than Options.LockTimeout (Prisma's P1002 on the advisory lock).
	ErrLockTimeout = errors.New("timed out waiting for the migration lock")
)

// ScriptError reports a migration script that failed to apply (Prisma's
// P3018). Its Log text is what lands in _prisma_migrations.logs.
type ScriptError struct {
	Migration string
	// Code is Postgres's SQLSTATE, or "" when the failure was not Postgres's
	// (a lost connection, say).
	Code    string
	Message string // Postgres's message, with its severity
	Detail  string
	Hint    string
	// Line and Column locate the error in migration.sql (1-based); 0 when
	// Postgres gave no position.
	Line, Column int
	// LineText is the text of that line.
	LineText string
	// Interrupted says why the run stopped the script ("interrupted by
	// SIGTERM"); "" when the script failed on its own.
	Interrupted string
	Err         error
}

func newScriptError(m Migration, err error) *ScriptError {
	se := &ScriptError{Migration: m.Name, Message: err.Error(), Err: err}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		se.Code = pgErr.Code
		se.Message = pgErr.Severity + ": " + pgErr.Message
		se.Detail = pgErr.Detail
		se.Hint = pgErr.Hint
		se.Line, se.Column, se.LineText = position(string(m.SQL), int(pgErr.Position))
	}
	return se
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	if e.Interrupted != "" {
		fmt.Fprintf(&b, "migration %s was %s before it finished, and is recorded as failed: %s", e.Migration, e.Interrupted, e.Message)
		if e.Code != "" {
			fmt.Fprintf(&b, " (SQLSTATE %s)", e.Code)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "migration %s failed: %s", e.Migration, e.Message)
	if e.Code != "" {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Code)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d, column %d: %s", e.Line, e.Column, strings.TrimSpace(e.LineText))
	}
	return b.String()
}

func (e *ScriptError) Unwrap() error { return e.Err }

// Log renders the failure the way Prisma's logs column reads.
func (e *ScriptError) Log() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Migration name: %s\n\n", e.Migration)
	if e.Interrupted != "" {
		fmt.Fprintf(&b, "The migration was %s before it finished.\n\n", e.Interrupted)
	}
	code := e.Code
	if code == "" {
		code = "none"
	}
	fmt.Fprintf(&b, "Database error code: %s\n\nDatabase error:\n%s\n", code, e.Message)
	if e.Detail != "" {
		fmt.Fprintf(&b, "DETAIL: %s\n", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "HINT: %s\n", e.Hint)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "\nPosition: line %d, column %d\n%5d %s\n", e.Line, e.Column, e.Line, e.LineText)
	}
	return b.String()
}

// position converts Postgres's 1-based character offset into the script to a
// 1-based line and column, plus the line's text. pos <= 0 means unknown.
func position(script string, pos int) (line, col int, text string) {
	if pos <= 0 {
		return 0, 0, ""
	}
	line, col = 1, 1
	start := 0
	n := 0
	for i, r := range script {
		n++
		if n == pos {
			end := strings.IndexByte(script[start:], '\n')
			if end < 0 {
				end = len(script) - start
			}
			return line, col, strings.TrimRight(script[start:start+end], "\r")
		}
		if r == '\n' {
			line++
			col = 1
			start = i + 1
		} else {
			col++
		}
	}
	return 0, 0, "" // past the end: not a position in this script
}
