package env

import "strings"

// Where a variable of a smoke run gets its value.
const (
	FromDatabase  = "database"  // the test database's URL
	FromCaller    = "caller"    // --env or --env-file
	FromAppURL    = "app-url"   // the app's own URL in the smoke run
	FromGenerated = "generated" // a fresh random value (crypto/rand)
	FromExample   = "example"   // the value .env.example gives
)

// RuntimeVar is one variable of the app's environment in a smoke run, and
// where its value comes from. Value is set only for FromExample and
// FromAppURL; the others are secrets the caller fills in.
type RuntimeVar struct {
	Key    string
	Source string
	Value  string
}

// secretSuffixes mark a name whose example value is no value to run with.
var secretSuffixes = []string{"_SECRET", "_KEY", "_TOKEN", "_PASSWORD"}

// SmokeVars decides the app's environment in a smoke run. Every database
// variable gets the test database, even when the caller set it (a URL from
// the caller's own env file points at no database the run can reach). Each
// variable the caller set is the caller's. Each other variable of the app's
// .env.example gets, by the first rule that matches: the test database when
// its example is a postgres URL; the app's own URL when its name ends in _URL
// or _URI; a generated value when its name ends in _SECRET, _KEY, _TOKEN or
// _PASSWORD (or is SECRET); else its example value. The order is the
// database variables, then the caller's, then the example's.
func SmokeVars(dbVars, callerKeys []string, example []Var, appURL string) []RuntimeVar {
	seen := map[string]bool{}
	var out []RuntimeVar
	add := func(v RuntimeVar) {
		if v.Key != "" && !seen[v.Key] {
			seen[v.Key] = true
			out = append(out, v)
		}
	}
	for _, k := range dbVars {
		add(RuntimeVar{Key: k, Source: FromDatabase})
	}
	for _, k := range callerKeys {
		add(RuntimeVar{Key: k, Source: FromCaller})
	}
	for _, v := range example {
		add(exampleVar(v, appURL))
	}
	return out
}

func exampleVar(v Var, appURL string) RuntimeVar {
	k := strings.ToUpper(v.Key)
	switch {
	case IsPostgresURL(v.Value):
		return RuntimeVar{Key: v.Key, Source: FromDatabase}
	case strings.HasSuffix(k, "_URL") || strings.HasSuffix(k, "_URI"):
		return RuntimeVar{Key: v.Key, Source: FromAppURL, Value: appURL}
	case k == "SECRET" || hasAnySuffix(k, secretSuffixes):
		return RuntimeVar{Key: v.Key, Source: FromGenerated}
	default:
		return RuntimeVar{Key: v.Key, Source: FromExample, Value: v.Value}
	}
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}
