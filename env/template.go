package env

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrSpec is wrapped by every error about a bad Spec.
var ErrSpec = errors.New("invalid env spec")

// Spec describes the variables of a production stack.
type Spec struct {
	// Project names the stack in the file header.
	Project string
	// FileName is the env file operators copy the template to (default .env.production).
	FileName string
	// AppImage is the image reference APP_IMAGE starts at (required).
	AppImage string
	// AppPort is the port the app listens on; APP_PORT defaults to it (default 3000).
	AppPort int
	// DatabaseVars are the variables that hold the connection string, each
	// with what reads it (default DATABASE_URL, for run time and migrations).
	// Every one gets the same string; shadow variables are left out.
	DatabaseVars DatabaseVars
	// DBUser and DBName are POSTGRES_USER and POSTGRES_DB (default "app").
	DBUser, DBName string
	// PublishDBPort adds DB_PORT, the loopback port compose publishes Postgres on.
	PublishDBPort bool
	// AppVars are the app's own variables, from its .env.example.
	AppVars []Var
}

// WithDefaults returns a copy of s with every zero field set to its default.
func (s Spec) WithDefaults() Spec {
	if s.FileName == "" {
		s.FileName = DefaultFileName
	}
	if s.AppPort == 0 {
		s.AppPort = 3000
	}
	s.DatabaseVars = s.DatabaseVars.WithDefaults()
	if s.DBUser == "" {
		s.DBUser = "app"
	}
	if s.DBName == "" {
		s.DBName = "app"
	}
	return s
}

// Validate reports the first thing wrong with s and how to fix it.
func (s Spec) Validate() error {
	s = s.WithDefaults()
	if s.AppImage == "" {
		return fmt.Errorf("%w: app image is empty: set it to the image reference the stack runs", ErrSpec)
	}
	if strings.ContainsAny(s.AppImage, "$ \t\n'\"") {
		return fmt.Errorf("%w: app image %q has a space, quote or '$': give a plain image reference", ErrSpec, s.AppImage)
	}
	if s.AppPort < 1 || s.AppPort > 65535 {
		return fmt.Errorf("%w: app port %d is out of range: use 1-65535", ErrSpec, s.AppPort)
	}
	if s.FileName != filepath.Base(s.FileName) || !strings.HasPrefix(s.FileName, ".env") || strings.ContainsAny(s.FileName, " \t\n$'\"") {
		return fmt.Errorf("%w: env file name %q: use a plain name starting with .env (e.g. %s)", ErrSpec, s.FileName, DefaultFileName)
	}
	if err := s.DatabaseVars.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrSpec, err)
	}
	for _, nv := range [][2]string{{PostgresUser, s.DBUser}, {PostgresDB, s.DBName}} {
		if !keyPattern.MatchString(nv[1]) || strings.HasPrefix(nv[1], "pg_") {
			return fmt.Errorf("%w: %s %q: use letters, digits and '_', not starting with a digit or pg_ (e.g. app)", ErrSpec, nv[0], nv[1])
		}
	}
	for i, v := range s.AppVars {
		if !keyPattern.MatchString(v.Key) {
			return fmt.Errorf("%w: app variable %d %q is not a valid name: use letters, digits and '_', not starting with a digit", ErrSpec, i+1, v.Key)
		}
		if v.Kind < Auto || v.Kind > DatabaseURL {
			return fmt.Errorf("%w: app variable %s has unknown kind %d", ErrSpec, v.Key, int(v.Kind))
		}
	}
	return nil
}

// entry is one variable as the template writes it.
type entry struct {
	key     string
	value   string
	comment []string
	kind    Kind
	// optional entries have a default in the compose file.
	optional bool
}

type section struct {
	title   string
	entries []entry
}

// sections lays out every variable of s in template order, with template values.
func (s Spec) sections() []section {
	placeholderURL := ConnectionString(s.DBUser, Placeholder(PostgresPassword), s.DBName)
	genLines := []string{"Secret. Generate one with:", "  " + GenerateCommand}

	db := section{title: "Database (db service)", entries: []entry{
		{key: PostgresUser, value: s.DBUser, kind: Plain, comment: []string{
			"Role the app connects as; the db service creates it on its first start.",
		}},
		{key: PostgresPassword, value: Placeholder(PostgresPassword), kind: Secret, comment: append(s.passwordComment(), genLines...)},
		{key: PostgresDB, value: s.DBName, kind: Plain, comment: []string{
			"Database the db service creates on its first start.",
		}},
	}}
	if s.PublishDBPort {
		db.entries = append(db.entries, entry{key: DBPort, value: strconv.Itoa(DBContainerPort), kind: Plain, optional: true, comment: []string{
			"Host port for PostgreSQL, bound to 127.0.0.1 only (reach it over SSH).",
		}})
	}

	app := section{title: "App (app service)", entries: s.databaseEntries(placeholderURL)}
	app.entries = append(app.entries, []entry{
		{key: AppImage, value: s.AppImage, kind: Plain, optional: true, comment: []string{
			"Image the app runs. Set it to a new tag to upgrade, or back to roll back.",
		}},
		{key: AppPort, value: strconv.Itoa(s.AppPort), kind: Plain, optional: true, comment: []string{
			fmt.Sprintf("Host port the app is published on (it listens on %d inside).", s.AppPort),
		}},
	}...)

	own := section{title: "From the app's .env.example"}
	seen := map[string]bool{}
	// A shadow database is for prisma migrate dev only: never production.
	for _, n := range s.DatabaseVars.ShadowNames() {
		seen[n] = true
	}
	for _, sec := range []section{db, app} {
		for _, e := range sec.entries {
			seen[e.key] = true
		}
	}
	for _, v := range s.AppVars {
		if seen[v.Key] {
			continue
		}
		seen[v.Key] = true
		own.entries = append(own.entries, s.appEntry(v, placeholderURL, genLines))
	}

	out := []section{db, app}
	if len(own.entries) > 0 {
		out = append(out, own)
	}
	return out
}

// appEntry turns one of the app's variables into a template entry.
func (s Spec) appEntry(v Var, placeholderURL string, genLines []string) entry {
	kind := v.Kind
	if kind == Auto {
		kind = Classify(v.Key, v.Value)
	}
	var comment []string
	for _, l := range strings.Split(strings.TrimSpace(v.Comment), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")); l != "" {
			comment = append(comment, l)
		}
	}
	e := entry{key: v.Key, value: v.Value, kind: kind}
	switch kind {
	case Secret:
		e.value = Placeholder(v.Key)
		comment = append(comment, genLines...)
	case Credential:
		if v.Value != "" {
			e.value = Placeholder(v.Key)
		}
		comment = append(comment, "Credential issued by its provider: paste the value it gave you.")
	case DatabaseURL:
		e.value = placeholderURL
		comment = append(comment, "Connection string: kept equal to "+s.DatabaseVars.Names()[0]+".")
	}
	if len(comment) == 0 {
		comment = []string{"From the app's .env.example (no description there)."}
	}
	if kind == Plain && (strings.Contains(e.value, "localhost") || strings.Contains(e.value, "127.0.0.1")) {
		comment = append(comment, "The example points at this machine: set the production value.")
	}
	e.comment = comment
	return e
}

// Variable is one variable of the template, as Variables lists it.
type Variable struct {
	Key  string
	Kind Kind
	// Optional variables have a default in the compose file.
	Optional bool
}

// Variables lists every variable Template writes for s, in order, with its
// resolved kind (Auto replaced by Classify's answer).
func (s Spec) Variables() []Variable {
	s = s.WithDefaults()
	var out []Variable
	for _, sec := range s.sections() {
		for _, e := range sec.entries {
			out = append(out, Variable{Key: e.key, Kind: e.kind, Optional: e.optional})
		}
	}
	return out
}

// Template returns the documented .env.production.example for s: every
// variable the stack needs, each with a comment, each secret with the command
// that makes one and a change-me-... placeholder.
func Template(s Spec) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.WithDefaults()

	var b strings.Builder
	name := s.Project
	if name == "" {
		name = "the app"
	}
	fmt.Fprintf(&b, "# Production environment for %s. Generated by Slipway.\n", name)
	b.WriteString("#\n")
	fmt.Fprintf(&b, "# 1. Copy it:  cp %s %s && chmod 600 %s\n", TemplateFileName, s.FileName, s.FileName)
	b.WriteString("# 2. Replace every change-me-... value. Make each secret with:\n")
	fmt.Fprintf(&b, "#      %s\n", GenerateCommand)
	b.WriteString("#    (43 characters of A-Z a-z 0-9 - _: URL-safe and never a '$').\n")
	fmt.Fprintf(&b, "# 3. Keep %s out of version control: it holds the secrets.\n", s.FileName)
	b.WriteString("#\n")
	b.WriteString("# docker compose reads this file: in a value that is not single-quoted,\n")
	b.WriteString("# '$' starts a variable, so single-quote any value that contains one.\n")

	for _, sec := range s.sections() {
		fmt.Fprintf(&b, "\n# --- %s %s\n", sec.title, strings.Repeat("-", max(3, 72-len(sec.title))))
		for _, e := range sec.entries {
			b.WriteString("\n")
			for _, l := range e.comment {
				b.WriteString(strings.TrimRight("# "+l, " ") + "\n")
			}
			fmt.Fprintf(&b, "%s=%s\n", e.key, Format(e.value))
		}
	}
	return []byte(b.String()), nil
}

// passwordComment documents POSTGRES_PASSWORD.
func (s Spec) passwordComment() []string {
	names := s.DatabaseVars.Names()
	if len(names) == 1 {
		return []string{
			"Password for POSTGRES_USER. Used only when the data volume is first",
			"created: to change it later, run ALTER ROLE in psql and update both",
			"this and " + names[0] + ".",
		}
	}
	return wrap("Password for POSTGRES_USER. Used only when the data volume is first " +
		"created: to change it later, run ALTER ROLE in psql and update this, " + JoinNames(names, "") + ".")
}

// databaseEntries are the connection-string variables: one for most apps,
// or e.g. a pooled one the app reads at run time and a direct one for
// migrations. All hold the same string: this stack has one Postgres and no
// pooler.
func (s Spec) databaseEntries(placeholderURL string) []entry {
	urls := s.DatabaseVars.URLVars()
	agree := []string{
		"It must agree with the three POSTGRES_*",
		fmt.Sprintf("values: postgresql://USER:PASSWORD@%s:%d/DB, PASSWORD URL-encoded.", DBHost, DBContainerPort),
		"It holds the same placeholder as POSTGRES_PASSWORD, so replacing that",
		"placeholder everywhere sets both (generated secrets need no encoding).",
	}
	shadow := s.DatabaseVars.ShadowNames()
	shadowNote := ""
	if len(shadow) > 0 {
		verb := "is"
		if len(shadow) > 1 {
			verb = "are"
		}
		shadowNote = " " + JoinNames(shadow, "") + " (the shadow database of prisma migrate dev) " + verb +
			" left out on purpose: production never runs migrate dev (see DEPLOY.md)."
	}
	if len(urls) == 1 {
		comment := append([]string{"Connection string for Prisma. " + agree[0]}, agree[1:]...)
		if shadowNote != "" {
			comment = append(comment, wrap(strings.TrimSpace(shadowNote))...)
		}
		return []entry{{key: urls[0].Name, value: placeholderURL, kind: DatabaseURL, comment: comment}}
	}

	names := s.DatabaseVars.Names()
	migrations := s.DatabaseVars.MigrationNames()
	var out []entry
	for i, v := range urls {
		var paras []string
		switch {
		case v.Runtime && v.Migrations:
			paras = append(paras, "Connection string the app reads at run time (Prisma Client) and migrations read too.")
		case v.Runtime:
			paras = append(paras, "Connection string the app reads at run time (Prisma Client): on hosted Postgres, the pooled URL.")
		case v.Migrations:
			paras = append(paras, "Connection string migrations read (prisma migrate, slipway-migrate): on hosted Postgres, "+
				"the direct URL, never a pooled one (migrations hold a session lock).")
		default:
			paras = append(paras, "Connection string the app's Prisma setup also reads.")
		}
		others := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == v.Name })
		same := "With this compose stack it points at the same Postgres as " + JoinNames(others, "") +
			" (the db service, no pooler in between), with the same value."
		if v.Runtime && !v.Migrations {
			direct := slices.DeleteFunc(slices.Clone(migrations), func(n string) bool { return n == v.Name })
			if len(direct) > 0 {
				same += " If you add a pooler such as PgBouncer, point " + v.Name + " at it and keep " +
					JoinNames(direct, "") + " direct."
			}
		}
		paras = append(paras, same)
		if i == 0 {
			paras = append(paras, "It must agree with the three POSTGRES_* values: "+
				fmt.Sprintf("postgresql://USER:PASSWORD@%s:%d/DB, PASSWORD URL-encoded.", DBHost, DBContainerPort)+
				" It holds the same placeholder as POSTGRES_PASSWORD, so replacing that placeholder everywhere "+
				"sets them all (generated secrets need no encoding).")
		} else {
			paras = append(paras, "Like "+urls[0].Name+", it agrees with POSTGRES_* and holds the same placeholder.")
		}
		if i == len(urls)-1 && shadowNote != "" {
			paras = append(paras, strings.TrimSpace(shadowNote))
		}
		var comment []string
		for _, p := range paras {
			comment = append(comment, wrap(p)...)
		}
		out = append(out, entry{key: v.Name, value: placeholderURL, kind: DatabaseURL, comment: comment})
	}
	return out
}

// wrap breaks text into comment lines of at most 72 characters.
func wrap(text string) []string {
	const width = 72
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
