package env

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ConnectionString returns postgresql://user:password@db:5432/dbname with user,
// password and database name percent-encoded (everything outside A-Z a-z 0-9
// - . _ ~), so any password survives the trip through the URL.
func ConnectionString(user, password, dbname string) string {
	return fmt.Sprintf("postgresql://%s:%s@%s:%d/%s",
		encode(user), encode(password), DBHost, DBContainerPort, encode(dbname))
}

// encode percent-encodes every byte outside the RFC 3986 unreserved set.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// dbURL is a parsed connection string.
type dbURL struct {
	user, password, host, dbname string
	port                         int
	hasPassword                  bool
}

func parseDBURL(v string) (dbURL, error) {
	u, err := url.Parse(v)
	if err != nil {
		// url.Parse errors quote the input, which holds the password.
		return dbURL{}, fmt.Errorf("not a valid URL")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return dbURL{}, fmt.Errorf("scheme is %q, want postgresql", u.Scheme)
	}
	d := dbURL{host: u.Hostname(), port: DBContainerPort, dbname: strings.TrimPrefix(u.Path, "/")}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return dbURL{}, fmt.Errorf("port %q is not a number", p)
		}
		d.port = n
	}
	if u.User != nil {
		d.user = u.User.Username()
		d.password, d.hasPassword = u.User.Password()
	}
	return d, nil
}
