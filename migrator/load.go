package migrator

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ScriptName is the file Prisma writes in every migration folder.
const ScriptName = "migration.sql"

// LockFileName records the provider the migrations were generated for.
const LockFileName = "migration_lock.toml"

// Migration is one folder of a Prisma migrations directory.
type Migration struct {
	// Name is the folder name, e.g. "20240101120000_init"; it is the
	// migration_name Prisma records.
	Name string
	// Path is the script's path inside the fs.FS it was loaded from.
	Path string
	// Checksum is the lowercase hex sha256 of SQL, as Prisma records it.
	Checksum string
	// SQL is the script, byte for byte.
	SQL []byte
}

// Checksum returns the checksum Prisma records for a migration script: the
// lowercase hex sha256 of its bytes.
func Checksum(script []byte) string {
	sum := sha256.Sum256(script)
	return hex.EncodeToString(sum[:])
}

// MatchesChecksum reports whether checksum, as recorded on the database,
// stands for this script. Like Prisma it accepts the checksum of the file and
// that of the file with CRLF line endings turned into LF, so a migration
// applied from an LF checkout is accepted from a CRLF one (git's autocrlf on
// Windows). It also accepts the file with every line ending turned into CRLF,
// so a migration applied from a CRLF checkout is accepted from an LF one.
// Like Prisma, it reads a recorded checksum that is not 64 characters long as
// written by old Prisma versions, without zero padding.
func (m Migration) MatchesChecksum(checksum string) bool {
	if checksum == m.Checksum {
		return true
	}
	lf := bytes.ReplaceAll(m.SQL, []byte("\r\n"), []byte("\n"))
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	for _, script := range [][]byte{m.SQL, lf, crlf} {
		sum := sha256.Sum256(script)
		if len(checksum) != 2*sha256.Size && checksum != "" {
			if oldChecksum(sum[:]) == checksum {
				return true
			}
		} else if hex.EncodeToString(sum[:]) == checksum {
			return true
		}
	}
	return false
}

// oldChecksum renders a sha256 as Prisma's early versions did: each byte in
// hex without a leading zero.
func oldChecksum(sum []byte) string {
	var b strings.Builder
	for _, c := range sum {
		b.WriteString(strconv.FormatUint(uint64(c), 16))
	}
	return b.String()
}

// Load reads the migrations under dir in fsys: every sub-folder is one, in
// byte order of the folder names, as Prisma orders them. A sub-folder without
// migration.sql is an error, as in Prisma (P3015): skipping it would apply the
// migrations after it without it. It refuses a migration_lock.toml whose
// provider is not PostgreSQL. A directory with no sub-folders yields an empty
// slice and no error.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist: point SLIPWAY_MIGRATIONS_DIR (or --dir) at the app's prisma/migrations folder", ErrInvalidMigrations, dir)
		}
		return nil, fmt.Errorf("%w: read %s: %v", ErrInvalidMigrations, dir, err)
	}
	if err := checkLockFile(fsys, dir); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // byte order, whatever the fs.FS returned
	var out []Migration
	for _, name := range names {
		p := path.Join(dir, name, ScriptName)
		script, err := fs.ReadFile(fsys, p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has no %s (Prisma's P3015: every folder in the migrations directory is a migration): restore %s, or delete the folder if it is not a migration",
				ErrInvalidMigrations, path.Join(dir, name), ScriptName, p)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrInvalidMigrations, p, err)
		}
		if !utf8.Valid(script) {
			return nil, fmt.Errorf("%w: %s is not valid UTF-8: save it as UTF-8, as Prisma writes it", ErrInvalidMigrations, p)
		}
		out = append(out, Migration{Name: name, Path: p, Checksum: Checksum(script), SQL: script})
	}
	return out, nil
}

// checkLockFile refuses migrations generated for another database. A missing
// lock file is accepted, as Prisma accepts it.
func checkLockFile(fsys fs.FS, dir string) error {
	p := path.Join(dir, LockFileName)
	data, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: read %s: %v", ErrInvalidMigrations, p, err)
	}
	provider, err := lockProvider(data)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidMigrations, p, err)
	}
	switch provider {
	case "postgresql", "postgres":
		return nil
	case "":
		return fmt.Errorf("%w: %s has no provider: it should say provider = \"postgresql\"", ErrInvalidMigrations, p)
	default:
		return fmt.Errorf("%w: %s says provider = %q, but slipway-migrate applies PostgreSQL migrations only: regenerate the migrations for provider \"postgresql\"", ErrInvalidMigrations, p, provider)
	}
}

// lockProvider reads the top-level provider key of a migration_lock.toml.
// Prisma writes a single `provider = "..."` line plus comments, so a full
// TOML parser is not needed.
func lockProvider(data []byte) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			break // a table: the top-level keys are over
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(key) != "provider" {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) < 2 || value[0] != '"' {
			return "", fmt.Errorf("line %d: provider must be a quoted string, got %s", n, value)
		}
		end := strings.IndexByte(value[1:], '"')
		if end < 0 {
			return "", fmt.Errorf("line %d: unterminated string %s", n, value)
		}
		return value[1 : end+1], nil
	}
	return "", sc.Err()
}
