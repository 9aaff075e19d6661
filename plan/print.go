package plan

import (
	"encoding/json"
	"fmt"
	"strings"
)

// JSON is the plan as indented JSON, for tools.
func (p *Plan) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return append(b, '\n'), nil
}

// Text is the plan as a report, stage by stage.
func (p *Plan) Text() string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	cmd := func(args []string) string { return strings.Join(args, " ") }
	envs := func(what string, vars []EnvVar) {
		for _, v := range vars {
			line("  %s %s=%s", what, v.Name, v.Value)
		}
	}
	line("plan for %s (app dir %s, workspace root %s)", orDefault(p.App, "app"), p.Dir, p.Root)
	line("base: FROM %s, workdir %s", p.Base.Image, p.Base.Workdir)
	for _, c := range p.Base.Setup {
		line("  run %s", c)
	}
	in := p.Install
	line("install: %s in %s", in.PackageManager, in.Workdir)
	envs("env", in.Env)
	if in.Setup != nil {
		line("  setup %s", cmd(in.Setup))
	}
	envs("env", in.CacheEnv)
	line("  cache %s at %s", in.Cache.Volume, in.Cache.Path)
	line("  inputs %s", strings.Join(in.Inputs, ", "))
	if in.Manifests {
		line("  inputs every package.json of the workspace")
	}
	line("  run node %s (strip the lifecycle scripts)", in.StripScripts)
	line("  run %s (deps: %s)", cmd(in.Command), cmd(in.ProductionCommand))
	bd := p.Build
	line("build: the whole source, in %s", bd.Workdir)
	envs("env", bd.Env)
	line("  secret %s at %s (optional)", bd.Secret.ID, bd.Secret.Path)
	if g := bd.Generate; g != nil {
		line("  run %s (in %s)", cmd(g.Command), g.Workdir)
	}
	line("  run %s", cmd(bd.Command))
	line("  cache %s at %s", bd.Cache.Volume, bd.Cache.Path)
	r := p.Runner
	if r.Alpine {
		line("runner: FROM %s", r.Image)
		for _, c := range r.Cleanup {
			line("  run %s", c)
		}
	} else {
		line("runner: a root filesystem assembled in %s from %s: %s", r.Rootfs.Image, r.Rootfs.Node, r.Rootfs.Libraries)
		line("  packages: %s", r.Rootfs.Packages)
		envs("env", r.Rootfs.Env)
	}
	for _, c := range r.Copies {
		what := "copy " + c.From + " " + c.Src
		if c.Empty {
			what = "empty folder"
		}
		extra := ""
		if c.Owner != "" {
			extra += " owned by " + c.Owner
		}
		if len(c.Exclude) > 0 {
			extra += " without " + strings.Join(c.Exclude, " ")
		}
		if c.Optional {
			extra += " if it exists"
		}
		line("  %s -> %s%s", what, c.Dst, extra)
	}
	if m := r.Migrations; m != nil {
		line("  migrations %s -> %s, migrator %s, URL from %s", m.Source, m.Dir, m.Migrator, strings.Join(m.URLVars, ","))
		if m.Build != nil {
			line("  migrator built in %s: %s %s", m.Build.Image, cmd(m.Build.Command), m.Build.Package)
		}
		if c := m.PrismaCLI; c != nil {
			line("  prisma CLI in %s: %s", c.Dir, cmd(c.Command))
		}
	}
	envs("env", r.Env)
	hc := r.Healthcheck
	line("  expose %d, user %s, workdir %s", r.Port, r.User, r.Workdir)
	line("  healthcheck %s every %s (timeout %s, start period %s at %s, %d retries)", cmd(hc.Command), hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval, hc.Retries)
	if r.Entrypoint != nil {
		line("  entrypoint %s", cmd(r.Entrypoint))
	}
	line("  command %s", cmd(r.Command))
	for _, l := range r.Labels {
		line("  label %s=%s", l.Name, l.Value)
	}
	var plats []string
	for _, pf := range p.Platforms {
		plats = append(plats, pf.Name)
	}
	line("platforms: %s", strings.Join(plats, ", "))
	if len(p.Platforms) > 1 {
		line("  others than the engine's: %s, then node %s (%s)", p.Retarget.Install, p.Retarget.Script, p.Retarget.Rule)
	}
	rt := p.Runtime
	line("runtime: port %d, health path %s, migrate on start %t", rt.Port, rt.HealthPath, rt.MigrateOnStart)
	line("  migrate command %s", cmd(rt.MigrateCommand))
	line("  tmpfs %s", strings.Join(rt.Tmpfs, " "))
	line("  database URL in %s", strings.Join(rt.URLVars, ", "))
	if sb := p.Sbom; sb != nil {
		line("sbom: syft %s, built in %s, scans the image's OCI archive as %s (%s)", SyftVersion, sb.Build.Image, sb.Name, strings.Join(SbomFormats, " or "))
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
