package inspect

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// healthNames are route names taken for a health check, best first: the
// explicit health names, then heartbeat, then readiness before liveness (a
// ready route usually checks the database, which proves more), then status,
// and ping last (it rarely checks anything). Routes under api/ come first.
var healthNames = []string{"health", "healthz", "healthcheck", "heartbeat", "ready", "readiness", "live", "liveness", "status", "ping"}

var (
	routeFileRe = regexp.MustCompile(`^route\.(?:ts|js|mjs|tsx|jsx)$`)
	pageAPIRe   = regexp.MustCompile(`^(.+)\.(?:ts|js|mjs|tsx|jsx)$`)
)

// detectHealth looks for a health route handler in app/ and pages/api,
// reading only the api folders and the candidate route folders.
func (in *inspector) detectHealth(*packageJSON) error {
	a := in.app
	if a.Next.Version == "" {
		return nil
	}
	found := map[string]bool{} // URL path -> present
	for _, r := range sourceRoots {
		root := rel(a.Dir, r)
		ok, err := in.isDir(root)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if strings.HasSuffix(r, "pages") {
			if err := in.pagesHealth(root, found); err != nil {
				return err
			}
			continue
		}
		for _, prefix := range []string{"api", ""} {
			for _, name := range healthNames {
				dir := path.Join(root, prefix, name)
				ents, err := in.listIfDir(dir)
				if err != nil {
					return err
				}
				for _, e := range ents {
					if !e.IsDir() && routeFileRe.MatchString(e.Name()) {
						found[path.Join("/", prefix, name)] = true
					}
				}
			}
		}
	}
	for _, prefix := range []string{"/api", ""} {
		for _, name := range healthNames {
			if p := path.Join(prefix, "/"+name); found[p] {
				a.HealthPath = path.Join("/", a.Next.BasePath, p)
				return nil
			}
		}
	}
	a.warn(CodeNoHealthRoute,
		fmt.Sprintf("no health route found (app/api/health/route.ts, pages/api/health.ts, or %s under api/ or at the top), so Slipway probes its default path, which may not exist", strings.Join(healthNames[1:], ", ")),
		"add app/api/health/route.ts that answers 200 (ideally after a database query), or pass --health-path with a path the app answers with 200 (e.g. --health-path /)")
	return nil
}

// listIfDir lists p when it is a directory, without listing missing dirs.
func (in *inspector) listIfDir(p string) ([]fs.DirEntry, error) {
	ok, err := in.isDir(p)
	if err != nil || !ok {
		return nil, err
	}
	return in.list(p)
}

// pagesHealth finds pages/api/health.ts, pages/api/health/index.ts and the
// same names at the top of pages.
func (in *inspector) pagesHealth(root string, found map[string]bool) error {
	for _, prefix := range []string{"api", ""} {
		dir := path.Join(root, prefix)
		ents, err := in.listIfDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			for _, name := range healthNames {
				url := path.Join("/", prefix, name)
				if m := pageAPIRe.FindStringSubmatch(e.Name()); !e.IsDir() && m != nil && m[1] == name {
					found[url] = true
				}
				if e.IsDir() && e.Name() == name {
					sub, err := in.list(rel(dir, name))
					if err != nil {
						return err
					}
					for _, s := range sub {
						if m := pageAPIRe.FindStringSubmatch(s.Name()); m != nil && m[1] == "index" {
							found[url] = true
						}
					}
				}
			}
		}
	}
	return nil
}
