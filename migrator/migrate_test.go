package migrator

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPosition(t *testing.T) {
	script := "CREATE TABLE a (id int);\r\n-- é comment\nSELEC 1;\n"
	cases := []struct {
		pos, line, col int
		text           string
	}{
		{pos: 0},
		{pos: 1, line: 1, col: 1, text: "CREATE TABLE a (id int);"},
		{pos: 8, line: 1, col: 8, text: "CREATE TABLE a (id int);"},
		// Postgres counts characters, not bytes: "é" is one.
		{pos: 27, line: 2, col: 1, text: "-- é comment"},
		{pos: 40, line: 3, col: 1, text: "SELEC 1;"},
		{pos: 42, line: 3, col: 3, text: "SELEC 1;"},
		{pos: 1000},
	}
	for _, tc := range cases {
		line, col, text := position(script, tc.pos)
		assert.Equal(t, tc.line, line, "line of position %d", tc.pos)
		assert.Equal(t, tc.col, col, "column of position %d", tc.pos)
		assert.Equal(t, tc.text, text, "text of position %d", tc.pos)
	}
}

func TestScriptErrorFromPostgres(t *testing.T) {
	m := Migration{Name: "20240103000000_broken", SQL: []byte("CREATE TABLE ok (id int);\nCREAT TABLE nope (id int);\n")}
	pgErr := &pgconn.PgError{Severity: "ERROR", Code: "42601", Message: `syntax error at or near "CREAT"`, Position: 27, Hint: "check the spelling"}
	se := newScriptError(m, pgErr)

	assert.Equal(t, `migration 20240103000000_broken failed: ERROR: syntax error at or near "CREAT" (SQLSTATE 42601) at line 2, column 1: CREAT TABLE nope (id int);`, se.Error())
	assert.ErrorIs(t, se, error(pgErr), "the Postgres error stays reachable")
	assert.Equal(t, "Migration name: 20240103000000_broken\n\n"+
		"Database error code: 42601\n\n"+
		"Database error:\nERROR: syntax error at or near \"CREAT\"\n"+
		"HINT: check the spelling\n\n"+
		"Position: line 2, column 1\n    2 CREAT TABLE nope (id int);\n", se.Log())
}

func TestScriptErrorNotFromPostgres(t *testing.T) {
	se := newScriptError(Migration{Name: "1_a"}, errors.New("conn closed"))
	assert.Equal(t, "migration 1_a failed: conn closed", se.Error())
	assert.Contains(t, se.Log(), "Database error code: none")
}

func TestNewUUIDIsVersion4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := newUUID(), newUUID()
	assert.Regexp(t, re, a)
	assert.Regexp(t, re, b)
	assert.NotEqual(t, a, b)
}

func TestAssess(t *testing.T) {
	at := func(min int) *time.Time { v := time.Date(2024, 1, 1, 0, min, 0, 0, time.UTC); return &v }
	ms := []Migration{
		{Name: "1_applied", Checksum: "c1"},
		{Name: "2_changed", Checksum: "c2-new"},
		{Name: "3_rolled_back", Checksum: "c3"},
		{Name: "4_new", Checksum: "c4"},
		{Name: "5_reapplied", Checksum: "c5"},
	}
	recs := []Record{
		{Name: "1_applied", Checksum: "c1", FinishedAt: at(1)},
		{Name: "2_changed", Checksum: "c2-old", FinishedAt: at(2)},
		{Name: "0_gone", Checksum: "c0", FinishedAt: at(3)},
		{Name: "3_rolled_back", Checksum: "c3", RolledBackAt: at(4)},
		{Name: "5_reapplied", Checksum: "c5", RolledBackAt: at(5)},
		{Name: "5_reapplied", Checksum: "c5", FinishedAt: at(6)},
		{Name: "9_gone_rolled_back", Checksum: "c9", RolledBackAt: at(7)},
	}
	got := map[string]MigrationState{}
	var order []string
	for _, st := range assess(ms, recs) {
		got[st.Name] = st
		order = append(order, st.Name)
	}
	assert.Equal(t, []string{"1_applied", "2_changed", "3_rolled_back", "4_new", "5_reapplied", "0_gone"}, order,
		"folder order first, then rows the folder lacks; rolled-back-only rows stand for nothing")
	assert.Equal(t, StateApplied, got["1_applied"].State)
	assert.False(t, got["1_applied"].ChecksumChanged)
	assert.Equal(t, StateApplied, got["2_changed"].State)
	assert.True(t, got["2_changed"].ChecksumChanged)
	assert.Equal(t, StatePending, got["3_rolled_back"].State, "a rolled-back migration is applied again")
	assert.Equal(t, StatePending, got["4_new"].State)
	assert.Nil(t, got["4_new"].Record)
	assert.Equal(t, StateApplied, got["5_reapplied"].State)
	assert.Equal(t, StateMissing, got["0_gone"].State)

	report := &StatusReport{Migrations: assess(ms, recs)}
	assert.Equal(t, 2, report.Count(StatePending))
	assert.False(t, report.UpToDate())
}

func TestAssessFailedBlocksEvenWhenNotInFolder(t *testing.T) {
	recs := []Record{
		{Name: "1_a", Checksum: "c1", FinishedAt: new(time.Now())},
		{Name: "x_other_branch", Checksum: "cx", Logs: "boom", StartedAt: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
	}
	states := assess([]Migration{{Name: "1_a", Checksum: "c1"}}, recs)
	require.Len(t, states, 2)
	assert.Equal(t, StateFailed, states[1].State)

	err := failedError(states)
	require.ErrorIs(t, err, ErrFailedMigration)
	msg := err.Error()
	assert.Contains(t, msg, "migration x_other_branch, started at 2024-05-06T07:08:09Z, failed:\n    boom")
	assert.Contains(t, msg, "slipway-migrate resolve --rolled-back x_other_branch")
	assert.Contains(t, msg, "slipway-migrate resolve --applied x_other_branch")
}

func TestOneLine(t *testing.T) {
	err := errors.New("failed to connect to `user=u database=x`:\n\th:5432: tls error: refused TLS\n\th:5432: dial error: refused\n\th:5432: dial error: refused\n")
	assert.Equal(t, "failed to connect to `user=u database=x`: h:5432: tls error: refused TLS; h:5432: dial error: refused", oneLine(err))
}
