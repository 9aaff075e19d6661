package env

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Fill returns a ready .env.production made from an env template: every
// secret still at its placeholder (or empty) gets a fresh GenerateSecret, and
// every connection string pointing at the stack's database (host db) is
// rebuilt from POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB, keeping its
// query. A variable is a secret when Classify says so or when its comment
// gives GenerateCommand. Comments, order and values already set are kept;
// credentials stay at their placeholders for the operator (Check lists them).
func Fill(template []byte) ([]byte, error) {
	vals, err := Parse(template)
	if err != nil {
		return nil, fmt.Errorf("fill env: %w", err)
	}
	src := string(template)
	assigns := scan(src)

	next := make(map[string]string, len(vals))
	for k, v := range vals {
		next[k] = v
	}
	changed := map[string]bool{}
	for _, a := range assigns {
		v, ok := vals[a.key]
		if !ok || changed[a.key] || (v != "" && !IsPlaceholder(v)) {
			continue
		}
		if Classify(a.key, v) != Secret && !slices.ContainsFunc(a.comment, func(l string) bool {
			return strings.Contains(l, GenerateCommand)
		}) {
			continue
		}
		secret, err := GenerateSecret()
		if err != nil {
			return nil, fmt.Errorf("fill env: %s: %w", a.key, err)
		}
		next[a.key] = secret
		changed[a.key] = true
	}

	user, password, dbname := next[PostgresUser], next[PostgresPassword], next[PostgresDB]
	if user != "" && password != "" && dbname != "" {
		for _, a := range assigns {
			v := next[a.key]
			if !IsPostgresURL(v) {
				continue
			}
			u, err := url.Parse(v)
			if err != nil || u.Hostname() != DBHost {
				continue
			}
			conn := ConnectionString(user, password, dbname)
			if u.RawQuery != "" {
				conn += "?" + u.RawQuery
			}
			if conn != v {
				next[a.key] = conn
				changed[a.key] = true
			}
		}
	}

	var b strings.Builder
	last := 0
	for _, a := range assigns {
		if !changed[a.key] {
			continue
		}
		b.WriteString(src[last:a.valueStart])
		b.WriteString(Format(next[a.key]))
		last = a.valueEnd
	}
	b.WriteString(src[last:])
	out := []byte(b.String())

	// The result must read back as exactly what was meant.
	got, err := Parse(out)
	if err != nil {
		return nil, fmt.Errorf("fill env: result does not parse: %w", err)
	}
	for k := range changed {
		if got[k] != next[k] {
			return nil, fmt.Errorf("fill env: %s does not read back as written: check the template's quoting on that line", k)
		}
	}
	return out, nil
}
