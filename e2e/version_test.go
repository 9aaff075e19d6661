//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slipway as a Daggerverse user loads it: by git reference and semver tag,
// from a git server over smart HTTP, with the README's own commands, in an
// app's directory with no --source. The app must be the caller's, never
// Slipway's own repository.
func TestLoadByVersion(t *testing.T) {
	if engine := os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST"); !strings.HasPrefix(engine, "unix://") && !strings.HasPrefix(engine, "tcp://127.") {
		t.Skipf("the engine (%q) may not share this host's loopback, where the test's git server listens: run it on the dev engine (hack/dev-engine)", engine)
	}
	readme := readmeUsage(t)

	// This commit's tree tagged with the README's version; a later commit
	// with no module at all carries the next tag and the default branch, so
	// the load works only if the exact tag is honoured.
	root := t.TempDir()
	bare := filepath.Join(root, "slipway.git")
	gitIn(t, "", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	gitIn(t, bare, "fetch", "--quiet", "--no-tags", repoRoot(), "HEAD")
	gitIn(t, bare, "tag", readme.version, "FETCH_HEAD")
	empty := gitIn(t, bare, "mktree")
	later := gitIn(t, bare, "commit-tree", "-p", readme.version, "-m", "a later release without the module", empty)
	gitIn(t, bare, "update-ref", "refs/heads/main", later)
	gitIn(t, bare, "tag", nextMinor(t, readme.version), later)

	server, fetches := serveGit(t, root)
	mod := server + "/slipway.git@" + readme.version

	// A copy of the notes app under a name of its own: inspect and bundle
	// must name it, which neither Slipway's repository nor its fixtures can.
	app := filepath.Join(t.TempDir(), "shop")
	out, err := exec.Command("cp", "-r", filepath.Join(repoRoot(), "testdata", fixtureNotes), app).CombinedOutput()
	require.NoError(t, err, "%s", out)
	name := "notes-" + randomID()
	pkg := filepath.Join(app, "package.json")
	manifest, err := os.ReadFile(pkg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pkg, []byte(strings.Replace(string(manifest), `"name": "notes"`, `"name": "`+name+`"`, 1)), 0o644))

	runReadme := func(line string) string {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-c", line)
		cmd.Dir = app
		cmd.Env = append(ownSessionEnv(), "M="+mod)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		require.NoError(t, err, "M=%s; %s\n%s", mod, line, lastLines(stderr.String(), 40))
		t.Logf("%s: %.1fs", line, time.Since(start).Seconds())
		return stdout.String()
	}

	inspect := runReadme(readme.inspect)
	assert.Contains(t, inspect, "("+name+")", "inspect names the caller's app")
	assert.Contains(t, inspect, "package manager: npm")
	assert.Positive(t, fetches.Load(), "the module came from the git server")

	runReadme(readme.bundle)
	compose, err := os.ReadFile(filepath.Join(app, readme.bundleDir, "docker-compose.prod.yml"))
	require.NoError(t, err, "bundle exported the compose file where the README says")
	assert.Contains(t, string(compose), "name: "+name+"\n", "the compose project is the caller's app")
	assert.Contains(t, string(compose), readme.image, "the app service runs the image given")
	for _, f := range []string{".env.production.example", "DEPLOY.md"} {
		assert.FileExists(t, filepath.Join(app, readme.bundleDir, f))
	}

	// What Dagger lists the module by: the first line of its description,
	// which the Go SDK takes from the first comment in main.go.
	q := exec.Command("dagger", "query", "--progress=plain")
	q.Dir = app
	q.Env = ownSessionEnv()
	q.Stdin = strings.NewReader(fmt.Sprintf(`{ moduleSource(refString: %q) { asModule { description } } }`, mod))
	out, err = q.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = fmt.Errorf("%w\n%s", err, lastLines(string(exit.Stderr), 40))
	}
	require.NoError(t, err)
	var desc struct {
		ModuleSource struct{ AsModule struct{ Description string } }
	}
	require.NoError(t, json.Unmarshal(out, &desc), "%s", out)
	first, rest, _ := strings.Cut(desc.ModuleSource.AsModule.Description, "\n")
	assert.Regexp(t, `^Slipway [^.]+ Next\.js \+ Prisma \+ PostgreSQL [^.]+\.$`, first, "one line, one sentence, saying what Slipway is")
	assert.True(t, rest == "" || strings.HasPrefix(rest, "\n"), "the first line is a paragraph of its own: %q", rest)
}

// The module's load-by-version usage as the README gives it: the version
// that `M=` pins, and the inspect and bundle lines of "Use it on your app".
type readmeUsageLines struct {
	version, inspect, bundle, image, bundleDir string
}

func readmeUsage(t *testing.T) readmeUsageLines {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n## Use it on your app\n")
	require.True(t, ok, "README has a 'Use it on your app' section")
	_, block, ok := strings.Cut(section, "```sh\n")
	require.True(t, ok, "its first shell block")
	block, _, _ = strings.Cut(block, "```")

	var u readmeUsageLines
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(line, "M="):
			m := regexp.MustCompile(`^M=github\.com/slipwayhq/slipway@(v\d+\.\d+\.\d+)\s`).FindStringSubmatch(line + " ")
			require.NotNil(t, m, "the README pins a release: %q", line)
			u.version = m[1]
		case strings.HasPrefix(line, "dagger call -m $M inspect"):
			u.inspect = line
		case strings.HasPrefix(line, "dagger call -m $M bundle "):
			u.bundle = line
			img := regexp.MustCompile(`--image=(\S+)`).FindStringSubmatch(line)
			dir := regexp.MustCompile(`export --path=(\S+)`).FindStringSubmatch(line)
			require.True(t, img != nil && dir != nil, "bundle takes --image and exports: %q", line)
			u.image, u.bundleDir = img[1], dir[1]
		}
	}
	require.NotEmpty(t, u.version, "an M= line")
	require.NotEmpty(t, u.inspect, "an inspect line")
	require.NotEmpty(t, u.bundle, "a bundle line")
	return u
}

func nextMinor(t *testing.T, v string) string {
	var major, minor, patch int
	_, err := fmt.Sscanf(v, "v%d.%d.%d", &major, &minor, &patch)
	require.NoError(t, err, v)
	return fmt.Sprintf("v%d.%d.0", major, minor+1)
}

// gitIn runs git in dir (a bare repository here), with an identity for the
// commits it makes, and returns its trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if dir != "" {
		args = append([]string{"--git-dir", dir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=slipway-test", "GIT_AUTHOR_EMAIL=test@slipway.invalid",
		"GIT_COMMITTER_NAME=slipway-test", "GIT_COMMITTER_EMAIL=test@slipway.invalid")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// serveGit serves the repositories under root over git's smart HTTP
// protocol (git http-backend as CGI) until the test ends, and returns the
// server's base URL and a count of the fetches it answered. It listens on
// port 80 of a random loopback address: Dagger v0.21.8 drops the port from
// an http:// module reference, and another test run may hold 127.0.0.1:80.
// The engine runs on this host, so it reaches the address.
func serveGit(t *testing.T, root string) (string, *atomic.Int64) {
	t.Helper()
	git, err := exec.LookPath("git")
	require.NoError(t, err)
	backend := &cgi.Handler{
		Path: git,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	fetches := new(atomic.Int64)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("service") == "git-upload-pack" || strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			fetches.Add(1)
		}
		backend.ServeHTTP(w, r)
	})
	var ln net.Listener
	for range 20 {
		addr := fmt.Sprintf("127.%d.%d.%d:80", 1+mrand.IntN(254), mrand.IntN(256), 1+mrand.IntN(254))
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
	}
	require.NoError(t, err, "listen on port 80 of a loopback address (needs root)")
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().(*net.TCPAddr).IP.String(), fetches
}
