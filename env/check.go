package env

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrCheck is wrapped by Problems.Err.
var ErrCheck = errors.New("env file has problems")

// ProblemKind classifies a Problem.
type ProblemKind int

const (
	// Missing: a variable the stack needs is absent or empty.
	Missing ProblemKind = iota + 1
	// Unreplaced: a change-me-... placeholder is still there.
	Unreplaced
	// Weak: a secret is short, repetitive or made of common words.
	Weak
	// Mismatch: a connection string disagrees with POSTGRES_*.
	Mismatch
	// Invalid: the file or a value is malformed.
	Invalid
)

func (k ProblemKind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Unreplaced:
		return "placeholder"
	case Weak:
		return "weak"
	case Mismatch:
		return "mismatch"
	case Invalid:
		return "invalid"
	default:
		return "unknown"
	}
}

// Problem is one thing wrong with an env file. Message says what is wrong
// and how to fix it, and never contains a secret.
type Problem struct {
	Var     string // empty for problems with the whole file
	Kind    ProblemKind
	Message string
}

func (p Problem) String() string {
	if p.Var == "" {
		return p.Message
	}
	return p.Var + ": " + p.Message
}

// Problems is the result of Check.
type Problems []Problem

// Err returns nil when there are no problems, or an error wrapping ErrCheck
// that lists them.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "  - " + p.String()
	}
	return fmt.Errorf("%w (%d):\n%s", ErrCheck, len(ps), strings.Join(lines, "\n"))
}

// MinSecretLength is the shortest secret Check accepts.
const MinSecretLength = 32

// commonWords make a secret guessable. Only words of six or more letters, so
// that a random secret almost never contains one by chance.
var commonWords = []string{"password", "passwd", "postgres", "changeme", "secret", "qwerty", "letmein", "123456", "welcome", "example", "default"}

// Check reports what is wrong with an env file for the stack s: variables
// missing or empty, placeholders left in, weak or reused secrets, a
// connection string that disagrees with POSTGRES_*, bad ports, and values
// set twice. Every database variable of s (but the shadow ones) must agree
// with POSTGRES_*, and so must any other connection string to host db. An
// empty result means the file is ready.
func Check(b []byte, s Spec) Problems {
	vals, err := Parse(b)
	if err != nil {
		return Problems{{Kind: Invalid, Message: err.Error() + "."}}
	}
	s = s.WithDefaults()
	var ps Problems
	add := func(key string, kind ProblemKind, format string, args ...any) {
		ps = append(ps, Problem{Var: key, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}

	assigns := scan(string(b))
	counts := map[string]int{}
	for _, a := range assigns {
		counts[a.key]++
	}

	expected := map[string]bool{}
	var secrets []string
	for _, sec := range s.sections() {
		for _, e := range sec.entries {
			expected[e.key] = true
			v, ok := vals[e.key]
			if !ok {
				if !e.optional {
					add(e.key, Missing, "not set: add it as in %s", TemplateFileName)
				}
				continue
			}
			if counts[e.key] > 1 {
				add(e.key, Invalid, "set %d times and compose uses the last: keep one", counts[e.key])
			}
			if IsPlaceholder(v) {
				add(e.key, Unreplaced, "still holds its placeholder: %s", fixFor(e.kind, s))
				continue
			}
			if v == "" {
				if e.kind == Secret || e.kind == DatabaseURL || e.key == PostgresUser || e.key == PostgresDB {
					add(e.key, Missing, "empty: %s", fixFor(e.kind, s))
				}
				continue
			}
			switch {
			case e.kind == Secret:
				secrets = append(secrets, e.key)
				checkSecret(e.key, v, rawHasDollar(b, assigns, e.key), add)
			case e.kind == DatabaseURL:
				checkURL(e.key, v, vals, add)
			case e.key == AppPort || e.key == DBPort:
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
					add(e.key, Invalid, "%q is not a port: use a number from 1 to 65535", v)
				}
			}
		}
	}

	// A secret reused for two purposes leaks both when one leaks.
	for i, a := range secrets {
		for _, c := range secrets[i+1:] {
			if vals[a] == vals[c] {
				add(c, Weak, "has the same value as %s: give each secret its own (%s)", a, GenerateCommand)
			}
		}
	}

	// Variables the spec does not know about: placeholders, and connection
	// strings to the stack's database.
	var others []string
	for k := range vals {
		if !expected[k] {
			others = append(others, k)
		}
	}
	slices.Sort(others)
	shadow := s.DatabaseVars.ShadowNames()
	for _, k := range others {
		v := vals[k]
		switch {
		case IsPlaceholder(v):
			add(k, Unreplaced, "still holds its placeholder: set a real value or remove the line")
		case slices.Contains(shadow, k):
			// prisma migrate dev drops and recreates the shadow database.
			if u, err := parseDBURL(v); err == nil && u.host == DBHost {
				add(k, Invalid, "is the shadow database of prisma migrate dev, which wipes it, yet points at the stack's database: remove the line (production never runs migrate dev)")
			}
		case IsPostgresURL(v):
			if u, err := parseDBURL(v); err == nil && u.host == DBHost {
				checkURL(k, v, vals, add)
			}
		}
	}
	return ps
}

// fixFor says how to set a variable of the given kind.
func fixFor(kind Kind, s Spec) string {
	switch kind {
	case Secret:
		return "replace it with the output of " + GenerateCommand
	case Credential:
		return "paste the value its provider issued, or leave it empty if the app does not use it"
	case DatabaseURL:
		return fmt.Sprintf("set it to postgresql://USER:PASSWORD@%s:%d/DB with the POSTGRES_* values, PASSWORD URL-encoded", DBHost, DBContainerPort)
	default:
		return "set a real value (see " + TemplateFileName + ")"
	}
}

func checkSecret(key, v string, dollar bool, add func(string, ProblemKind, string, ...any)) {
	fix := "replace it with the output of " + GenerateCommand
	if dollar {
		add(key, Invalid, "contains '$', which compose expands as a variable, so the stored value is not what was written: %s, or single-quote it", fix)
	}
	if len(v) < MinSecretLength {
		add(key, Weak, "too short (%d characters, want at least %d): %s", len(v), MinSecretLength, fix)
	}
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	if len(distinct) < 10 {
		add(key, Weak, "too little variety (%d distinct characters): %s", len(distinct), fix)
	}
	lower := strings.ToLower(v)
	if slices.ContainsFunc(commonWords, func(w string) bool { return strings.Contains(lower, w) }) {
		add(key, Weak, "contains a common word such as password, postgres or changeme: %s", fix)
	}
}

// rawHasDollar reports whether key's value, as written, has a '$' that compose
// would expand (anything but a single-quoted value).
func rawHasDollar(b []byte, assigns []assignment, key string) bool {
	for _, a := range assigns {
		if a.key == key && a.quote != '\'' && strings.Contains(string(b[a.valueStart:a.valueEnd]), "$") {
			return true
		}
	}
	return false
}

func checkURL(key, v string, vals map[string]string, add func(string, ProblemKind, string, ...any)) {
	u, err := parseDBURL(v)
	if err != nil {
		add(key, Invalid, "%v: set it to postgresql://USER:PASSWORD@%s:%d/DB", err, DBHost, DBContainerPort)
		return
	}
	if want := vals[PostgresUser]; u.user != want {
		add(key, Mismatch, "connects as user %q but %s is %q: use the same user", u.user, PostgresUser, want)
	}
	if want := vals[PostgresPassword]; !u.hasPassword || u.password != want {
		add(key, Mismatch, "its password does not match %s: put that password in it, URL-encoded", PostgresPassword)
	}
	if u.host != DBHost || u.port != DBContainerPort {
		add(key, Mismatch, "points at %s:%d but the database is %s:%d inside the compose network: use host %s, port %d",
			u.host, u.port, DBHost, DBContainerPort, DBHost, DBContainerPort)
	}
	if want := vals[PostgresDB]; u.dbname != want {
		add(key, Mismatch, "names database %q but %s is %q: use the same database", u.dbname, PostgresDB, want)
	}
}
