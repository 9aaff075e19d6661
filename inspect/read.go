package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// inspector holds the file system and the dir listings already fetched, so
// that each directory is listed at most once.
type inspector struct {
	fsys  fs.FS
	lists map[string][]fs.DirEntry // nil entry: dir does not exist
	dirs  map[string]bool          // dirs known to exist
	app   *App
	root  *packageJSON // Root's package.json when Root != Dir
	// prismaPkg is the workspace package that holds the app's Prisma, when
	// it is not the app.
	prismaPkg wsPackage
	dbVars    dbVars // database variables found so far
}

// requireDir fails unless dir is an existing directory.
func (in *inspector) requireDir(dir string) error {
	fi, err := fs.Stat(in.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q does not exist in the source; pass the app's directory relative to the source root", ErrBadDir, dir)
	}
	if err != nil {
		return fmt.Errorf("stat app dir %q: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %q is a file, not a directory; pass the directory holding package.json", ErrBadDir, dir)
	}
	return nil
}

// list returns the entries of dir, or nil when dir does not exist.
func (in *inspector) list(dir string) ([]fs.DirEntry, error) {
	if ents, ok := in.lists[dir]; ok {
		return ents, nil
	}
	ents, err := fs.ReadDir(in.fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	if err != nil {
		ents = nil
	}
	in.lists[dir] = ents
	if ents != nil {
		in.dirs[dir] = true
	}
	return ents, nil
}

// entry looks name up in the listing of dir.
func (in *inspector) entry(dir, name string) (fs.DirEntry, error) {
	ents, err := in.list(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.Name() == name {
			return e, nil
		}
	}
	return nil, nil
}

// stat looks p up through its parent's listing, listing only dirs known to
// exist. It returns nil when p does not exist.
func (in *inspector) stat(p string) (fs.DirEntry, error) {
	parent, base := path.Dir(p), path.Base(p)
	if p == "." || parent == p {
		return nil, nil
	}
	if parent != "." && !in.dirs[parent] {
		e, err := in.stat(parent)
		if err != nil || e == nil || !e.IsDir() {
			return nil, err
		}
		in.dirs[parent] = true
	}
	return in.entry(parent, base)
}

// isDir reports whether p is an existing directory.
func (in *inspector) isDir(p string) (bool, error) {
	if in.dirs[p] || p == "." {
		return true, nil
	}
	e, err := in.stat(p)
	return e != nil && e.IsDir(), err
}

// isFile reports whether p is an existing file.
func (in *inspector) isFile(p string) (bool, error) {
	e, err := in.stat(p)
	return e != nil && !e.IsDir(), err
}

// hasFile reports whether dir holds a regular file (or symlink) called name.
func (in *inspector) hasFile(dir, name string) (bool, error) {
	e, err := in.entry(dir, name)
	return e != nil && !e.IsDir(), err
}

// hasDir reports whether dir holds a directory called name.
func (in *inspector) hasDir(dir, name string) (bool, error) {
	e, err := in.entry(dir, name)
	return e != nil && e.IsDir(), err
}

// read reads a file; ok is false when it does not exist.
func (in *inspector) read(p string) (data []byte, ok bool, err error) {
	data, err = fs.ReadFile(in.fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	return data, true, nil
}

// packageJSON holds the package.json fields Slipway reads.
type packageJSON struct {
	Name            string            `json:"name"`
	PackageManager  string            `json:"packageManager"`
	Engines         map[string]any    `json:"engines"`
	Scripts         map[string]string `json:"scripts"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Workspaces      json.RawMessage   `json:"workspaces"`
	// Pnpm is the "pnpm" settings field (build keys, overrides...).
	Pnpm   map[string]json.RawMessage `json:"pnpm"`
	Prisma struct {
		Schema string `json:"schema"`
	} `json:"prisma"`
}

// dep returns the version range of a dependency from dependencies or
// devDependencies.
func (p *packageJSON) dep(name string) string {
	if v, ok := p.Dependencies[name]; ok {
		return v
	}
	return p.DevDependencies[name]
}

func (p *packageJSON) hasDep(name string) bool {
	_, a := p.Dependencies[name]
	_, b := p.DevDependencies[name]
	return a || b
}

func (p *packageJSON) engineNode() string {
	if s, ok := p.Engines["node"].(string); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

// readPackageJSON reads dir/package.json; nil when there is none.
func (in *inspector) readPackageJSON(dir string) (*packageJSON, error) {
	ok, err := in.hasFile(dir, "package.json")
	if err != nil || !ok {
		return nil, err
	}
	p := rel(dir, "package.json")
	data, ok, err := in.read(p)
	if err != nil || !ok {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var pkg packageJSON
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("%w: %s: %s; fix the JSON (a trailing comma or a comment is the usual cause)", ErrBadPackageJSON, p, jsonErrorAt(data, err))
	}
	return &pkg, nil
}

// jsonErrorAt adds a line:column to JSON syntax and type errors.
func jsonErrorAt(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // Offset is just past the bad byte
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
