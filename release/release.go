// Package release decides what `publish` pushes: the registry and
// repository of an address, the tags (the caller's, and sha-<short> for a
// known revision), and what a failed push means for the caller. Plain Go:
// the pipeline pushes, this package names.
package release

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/distribution/reference"
)

// ErrBadAddress is wrapped by Of when the address or a tag is not valid.
var ErrBadAddress = errors.New("bad address")

// DefaultTag is pushed when no tag is given and the revision is unknown.
const DefaultTag = "latest"

// Release is one image pushed under several tags.
type Release struct {
	Registry   string   `json:"registry"`   // host[:port]; docker.io when the address names none
	Repository string   `json:"repository"` // the address without its tag
	Tags       []string `json:"tags"`
}

// Refs are the references pushed, one per tag.
func (r Release) Refs() []string {
	out := make([]string, len(r.Tags))
	for i, t := range r.Tags {
		out[i] = r.Repository + ":" + t
	}
	return out
}

// The grammar of distribution's references: lower-case path components
// joined by separators, and tags of word characters, dots and dashes.
var (
	tagRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	hexRe = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
)

// ShortRevision is how many characters of the revision its tag keeps, as
// git's short hashes.
const ShortRevision = 7

// Of is the release of address (host/path/name, optionally :tag) under tags
// (each may be a comma list), plus sha-<short> when revision is a commit.
func Of(address string, tags []string, revision string) (Release, error) {
	addr := strings.TrimSpace(address)
	if strings.Contains(addr, "://") {
		return Release{}, fmt.Errorf("%w: %q: give a registry address without a scheme, e.g. registry.example.com/acme/notes", ErrBadAddress, address)
	}
	// distribution's own parser, as cosign's side (plan.DigestRef) reads references.
	named, err := reference.ParseNormalizedNamed(addr)
	if err != nil {
		return Release{}, fmt.Errorf("%w: %q: %v (lower-case letters and digits, e.g. registry.example.com/acme/notes)", ErrBadAddress, address, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return Release{}, fmt.Errorf("%w: %q names a digest: publish pushes tags; give the repository and --tags", ErrBadAddress, address)
	}
	tag := ""
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	r := Release{Registry: reference.Domain(named), Repository: reference.TrimNamed(named).String()}
	seen := map[string]bool{}
	add := func(t string) error {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			return nil
		}
		if !tagRe.MatchString(t) {
			return fmt.Errorf("%w: tag %q: use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", ErrBadAddress, t)
		}
		seen[t] = true
		r.Tags = append(r.Tags, t)
		return nil
	}
	if err := add(tag); err != nil {
		return Release{}, err
	}
	for _, list := range tags {
		for _, t := range strings.Split(list, ",") {
			if err := add(t); err != nil {
				return Release{}, err
			}
		}
	}
	if rev := strings.ToLower(strings.TrimSpace(revision)); hexRe.MatchString(rev) {
		if err := add("sha-" + rev[:ShortRevision]); err != nil {
			return Release{}, err
		}
	}
	if len(r.Tags) == 0 {
		r.Tags = []string{DefaultTag}
	}
	return r, nil
}

// PushError is a failed push, said for the caller: what the registry did
// and what to do. The engine's own words go in Detail.
type PushError struct {
	Registry string
	Ref      string
	Reason   string
	Fix      string
	Detail   string
}

func (e *PushError) Error() string {
	return fmt.Sprintf("push to %s failed: %s", e.Ref, e.Reason)
}

// Diagnose says why a push of ref to registry failed, from the engine's
// error text. It never sees a password: the engine's errors don't carry one.
func Diagnose(registry, ref, user, engineErr string) *PushError {
	e := &PushError{Registry: registry, Ref: ref, Detail: engineErr}
	low := strings.ToLower(engineErr)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(low, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("401", "unauthorized", "authentication required", "no basic auth credentials"):
		if user == "" {
			e.Reason = "registry " + registry + " asks for credentials, and none were given"
			e.Fix = "pass --username and --password=env://REGISTRY_PASSWORD (a token works as the password)"
		} else {
			e.Reason = "registry " + registry + " refused the credentials of user " + user
			e.Fix = "check --username and the secret given as --password; a token needs push (write) scope"
		}
	case has("403", "denied", "forbidden", "insufficient_scope"):
		e.Reason = "registry " + registry + " denied the push"
		e.Fix = "check that user " + orNone(user) + " may push to " + ref + " (the repository exists or may be created, the token has write scope)"
	case has("connection refused", "no such host", "i/o timeout", "network is unreachable", "dial tcp", "tls:", "server gave http response", "context deadline exceeded"):
		e.Reason = "registry " + registry + " is unreachable from the engine"
		e.Fix = "check the address, and that the Dagger engine's host can reach " + registry + " (a plain-HTTP registry must be named as insecure in the engine's configuration)"
	default:
		e.Reason = "registry " + registry + " did not take the image"
		e.Fix = "read the registry's answer below"
	}
	return e
}

func orNone(user string) string {
	if user == "" {
		return "(none)"
	}
	return user
}
