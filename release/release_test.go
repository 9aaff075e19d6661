package release

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOf(t *testing.T) {
	r, err := Of("registry.example.com:5000/acme/notes", []string{"1.4.0", "1.4,latest", "1.4"}, "0123456789abcdef0123456789abcdef01234567")
	require.NoError(t, err)
	assert.Equal(t, "registry.example.com:5000", r.Registry)
	assert.Equal(t, "registry.example.com:5000/acme/notes", r.Repository)
	assert.Equal(t, []string{"1.4.0", "1.4", "latest", "sha-0123456"}, r.Tags, "in order, once each, then the revision")
	assert.Equal(t, "registry.example.com:5000/acme/notes:sha-0123456", r.Refs()[3])

	r, err = Of("acme/notes:edge", nil, "")
	require.NoError(t, err)
	assert.Equal(t, "docker.io", r.Registry, "no host: Docker Hub, as docker push")
	assert.Equal(t, []string{"edge"}, r.Tags, "the address's own tag")

	r, err = Of("localhost/notes", nil, "not-a-commit")
	require.NoError(t, err)
	assert.Equal(t, "localhost", r.Registry)
	assert.Equal(t, []string{DefaultTag}, r.Tags, "a revision that is no commit gives no tag")
}

func TestOfRejects(t *testing.T) {
	for _, tc := range []struct {
		addr string
		tags []string
	}{
		{"https://registry.example.com/acme/notes", nil},
		{"registry.example.com/Acme/notes", nil},
		{"registry.example.com/acme/notes@sha256:abc", nil},
		{"", nil},
		{"acme/notes", []string{"-bad"}},
		{"acme/notes", []string{"has space"}},
	} {
		_, err := Of(tc.addr, tc.tags, "")
		assert.ErrorIs(t, err, ErrBadAddress, "%q %q", tc.addr, tc.tags)
	}
}

func TestDiagnose(t *testing.T) {
	reg, ref := "10.0.0.1:5001", "10.0.0.1:5001/acme/notes:1.0"
	cases := map[string]string{
		"failed to push: unexpected status from HEAD request: 401 Unauthorized":                                          "refused the credentials of user ci",
		"push access denied, repository does not exist or may require authorization: server message: insufficient_scope": "denied the push",
		"failed to do request: Head \"http://10.0.0.1:5001/v2/\": dial tcp 10.0.0.1:5001: connect: connection refused":   "unreachable from the engine",
		"manifest invalid": "did not take the image",
	}
	for text, want := range cases {
		e := Diagnose(reg, ref, "ci", text)
		assert.Contains(t, e.Error(), want, text)
		assert.Contains(t, e.Error(), ref)
		assert.NotEmpty(t, e.Fix)
		assert.Equal(t, text, e.Detail, "nothing the engine said is lost")
	}
	assert.Contains(t, Diagnose(reg, ref, "", "401 Unauthorized").Fix, "--username")
}
