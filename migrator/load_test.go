package migrator

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadTestdata(t *testing.T) {
	ms, err := Load(os.DirFS("testdata"), "migrations")
	require.NoError(t, err)
	require.Len(t, ms, 2, "README.md and migration_lock.toml are files: not migrations")

	assert.Equal(t, "20240101000000_init", ms[0].Name)
	assert.Equal(t, "migrations/20240101000000_init/migration.sql", ms[0].Path)
	// Values from `sha256sum testdata/migrations/*/migration.sql`.
	assert.Equal(t, "74321ef4af21dd277012df04272490dac49483b673162e05f491e8db020c4494", ms[0].Checksum)
	assert.Contains(t, string(ms[0].SQL), `CREATE TABLE "User"`)

	assert.Equal(t, "20240102000000_posts", ms[1].Name)
	// CRLF line endings are hashed as they are, as Prisma does.
	assert.Equal(t, "b240002563615dac45188fa34f7939e21f58525fa93b877611a93dc8bef2ad9c", ms[1].Checksum)
	assert.Contains(t, string(ms[1].SQL), "\r\n")
}

func TestChecksumKnownValues(t *testing.T) {
	// printf '' | sha256sum ; printf 'SELECT 1;\n' | sha256sum
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Checksum(nil))
	assert.Equal(t, "b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd", Checksum([]byte("SELECT 1;\n")))
}

func TestLoadOrdersByFolderNameBytes(t *testing.T) {
	fsys := fstest.MapFS{
		"m/20240102_b/migration.sql":     {Data: []byte("SELECT 2;")},
		"m/20240101_a/migration.sql":     {Data: []byte("SELECT 1;")},
		"m/20240101_Z/migration.sql":     {Data: []byte("SELECT 0;")}, // 'Z' < 'a' in byte order
		"m/2024010_short/migration.sql":  {Data: []byte("SELECT 3;")}, // '_' (0x5f) > '1' (0x31)
		"m/20240103_empty/migration.sql": {Data: []byte{}},
	}
	ms, err := Load(fsys, "m")
	require.NoError(t, err)
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{"20240101_Z", "20240101_a", "20240102_b", "20240103_empty", "2024010_short"}, names)
}

func TestLoadEmptyDirIsNoMigrations(t *testing.T) {
	ms, err := Load(fstest.MapFS{"m/migration_lock.toml": {Data: []byte(`provider = "postgresql"`)}}, "m")
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func TestLoadMissingDir(t *testing.T) {
	_, err := Load(fstest.MapFS{}, "prisma/migrations")
	require.ErrorIs(t, err, ErrInvalidMigrations)
	assert.Contains(t, err.Error(), "prisma/migrations does not exist")
	assert.Contains(t, err.Error(), "SLIPWAY_MIGRATIONS_DIR")
}

// Prisma treats every folder of the migrations directory as a migration and
// stops at one without migration.sql (P3015); skipping it would apply the
// later migrations without it.
func TestLoadFolderWithoutScriptFails(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"misnamed script": {
			"m/1_a/migration.sql":  {Data: []byte("SELECT 1;")},
			"m/2_b/migrations.sql": {Data: []byte("SELECT 2;")},
			"m/3_c/migration.sql":  {Data: []byte("SELECT 3;")},
		},
		"notes folder": {
			"m/1_a/migration.sql": {Data: []byte("SELECT 1;")},
			"m/2_b/README.md":     {Data: []byte("Ideas for later migrations.")},
		},
		"empty folder": {
			"m/1_a/migration.sql": {Data: []byte("SELECT 1;")},
			"m/2_b":               {Mode: fs.ModeDir | 0o755},
		},
	}
	for name, fsys := range cases {
		t.Run(name, func(t *testing.T) {
			ms, err := Load(fsys, "m")
			require.ErrorIs(t, err, ErrInvalidMigrations)
			assert.Nil(t, ms, "no migration is returned, so none is applied")
			assert.Contains(t, err.Error(), "m/2_b has no migration.sql")
			assert.Contains(t, err.Error(), "restore m/2_b/migration.sql, or delete the folder")
		})
	}
}

// A migration folder is read with its own name relative to ".", as the
// binary loads it.
func TestLoadFolderWithoutScriptFailsAtRoot(t *testing.T) {
	_, err := Load(fstest.MapFS{"drafts/README.md": {Data: []byte("x")}}, ".")
	require.ErrorIs(t, err, ErrInvalidMigrations)
	assert.Contains(t, err.Error(), "drafts has no migration.sql")
}

func TestMatchesChecksum(t *testing.T) {
	lf := "CREATE TABLE a (id int);\n-- note\nSELECT 1;\n"
	crlf := "CREATE TABLE a (id int);\r\n-- note\r\nSELECT 1;\r\n"
	fromLF := Migration{SQL: []byte(lf), Checksum: Checksum([]byte(lf))}
	fromCRLF := Migration{SQL: []byte(crlf), Checksum: Checksum([]byte(crlf))}

	assert.True(t, fromLF.MatchesChecksum(Checksum([]byte(lf))))
	assert.True(t, fromCRLF.MatchesChecksum(Checksum([]byte(lf))), "applied from an LF checkout, read from a CRLF one (Prisma accepts it)")
	assert.True(t, fromLF.MatchesChecksum(Checksum([]byte(crlf))), "applied from a CRLF checkout, read from an LF one")
	assert.False(t, fromLF.MatchesChecksum(Checksum([]byte(lf+"-- edited\n"))), "a real change still counts")
	assert.False(t, fromCRLF.MatchesChecksum(Checksum([]byte("CREATE TABLE a (id int);\r\n-- note\nSELECT 1;\r\n"))),
		"mixed line endings are a change: no checkout writes them")
	assert.False(t, fromLF.MatchesChecksum(""))

	// New rows keep the checksum of the file as it is.
	assert.Equal(t, Checksum([]byte(crlf)), fromCRLF.Checksum)
	assert.NotEqual(t, fromLF.Checksum, fromCRLF.Checksum)

	// Old Prisma versions wrote each byte without zero padding.
	sum := sha256.Sum256([]byte(lf))
	var old strings.Builder
	for _, c := range sum {
		fmt.Fprintf(&old, "%x", c)
	}
	require.NotEqual(t, 64, old.Len(), "this script's sum has a byte below 0x10")
	assert.True(t, fromLF.MatchesChecksum(old.String()))
	assert.True(t, fromCRLF.MatchesChecksum(old.String()))
}

func TestLoadRefusesInvalidUTF8(t *testing.T) {
	_, err := Load(fstest.MapFS{"m/1_a/migration.sql": {Data: []byte{0xff, 0xfe, 'x'}}}, "m")
	require.ErrorIs(t, err, ErrInvalidMigrations)
	assert.Contains(t, err.Error(), "m/1_a/migration.sql is not valid UTF-8")
}

func TestLoadLockFileProvider(t *testing.T) {
	cases := []struct {
		name, lock, wantErr string
	}{
		{name: "postgresql", lock: "# comment\nprovider = \"postgresql\"\n"},
		{name: "postgres alias", lock: `provider="postgres"`},
		{name: "no lock file"},
		{name: "mysql", lock: `provider = "mysql"`, wantErr: `provider = "mysql", but slipway-migrate applies PostgreSQL migrations only`},
		{name: "cockroachdb", lock: `provider = "cockroachdb"`, wantErr: `provider = "cockroachdb"`},
		{name: "empty", lock: "# nothing\n", wantErr: "has no provider"},
		{name: "unquoted", lock: "provider = postgresql", wantErr: "line 1: provider must be a quoted string"},
		{name: "unterminated", lock: `provider = "postgresql`, wantErr: "unterminated string"},
		{name: "key in a table is not top level", lock: "[other]\nprovider = \"postgresql\"\n", wantErr: "has no provider"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"m/1_a/migration.sql": {Data: []byte("SELECT 1;")}}
			if tc.lock != "" {
				fsys["m/migration_lock.toml"] = &fstest.MapFile{Data: []byte(tc.lock)}
			}
			ms, err := Load(fsys, "m")
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, ms, 1)
				return
			}
			require.ErrorIs(t, err, ErrInvalidMigrations)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), "m/migration_lock.toml")
		})
	}
}
