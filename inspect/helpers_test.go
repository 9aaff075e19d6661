package inspect

import (
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// files builds a MapFS from path -> content.
func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, c := range m {
		fsys[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return fsys
}

// baseApp is a minimal buildable app at the root: npm, Next standalone, a
// health route, no Prisma.
func baseApp() map[string]string {
	return map[string]string{
		"package.json":            `{"name":"shop","engines":{"node":"22"},"scripts":{"build":"next build"},"dependencies":{"next":"15.1.0"}}`,
		"package-lock.json":       `{"lockfileVersion":3}`,
		"next.config.mjs":         "export default { output: 'standalone' }\n",
		"app/page.tsx":            "export default function Page() { return null }\n",
		"app/api/health/route.ts": "export function GET() { return new Response('ok') }\n",
	}
}

// with returns base with the changes applied; an empty value deletes a file.
func with(base map[string]string, changes map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		if v == "" {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// inspectAt runs Inspect on a tree and fails the test on error.
func inspectAt(t *testing.T, tree map[string]string, dir string) *App {
	t.Helper()
	app, err := Inspect(files(tree), dir)
	require.NoError(t, err)
	return app
}

func codes(a *App) []string {
	var out []string
	for _, w := range a.Warnings {
		out = append(out, w.Code)
	}
	return out
}

func warning(t *testing.T, a *App, code string) Warning {
	t.Helper()
	for _, w := range a.Warnings {
		if w.Code == code {
			return w
		}
	}
	require.Failf(t, "warning missing", "want warning %q, got %v", code, codes(a))
	return Warning{}
}

// recordingFS records every path Inspect touches.
type recordingFS struct {
	fsys fs.FS
	mu   sync.Mutex
	ops  []string
}

func (r *recordingFS) log(op, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op+" "+name)
}

func (r *recordingFS) Open(name string) (fs.File, error) {
	r.log("open", name)
	return r.fsys.Open(name)
}

func (r *recordingFS) ReadFile(name string) ([]byte, error) {
	r.log("read", name)
	return fs.ReadFile(r.fsys, name)
}

func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	r.log("list", name)
	return fs.ReadDir(r.fsys, name)
}

func (r *recordingFS) Stat(name string) (fs.FileInfo, error) {
	r.log("stat", name)
	return fs.Stat(r.fsys, name)
}

func (r *recordingFS) touched(prefix string) []string {
	var out []string
	for _, op := range r.ops {
		_, p, _ := strings.Cut(op, " ")
		if p == prefix || strings.HasPrefix(p, prefix+"/") || strings.Contains(p, "/"+prefix+"/") || strings.HasSuffix(p, "/"+prefix) {
			out = append(out, op)
		}
	}
	return out
}
