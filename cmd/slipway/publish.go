package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
)

// PublishCmd is `slipway publish`: the module's publish, with the module's
// options and publish's own arguments under the same names.
type PublishCmd struct {
	Dir          string   `arg:"" optional:"" default:"." type:"path" help:"Source directory (the repo root for a monorepo)."`
	AppDir       string   `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside the source, for monorepos (e.g. apps/web)."`
	Module       string   `env:"SLIPWAY_MODULE" help:"The Slipway module: a local checkout or a git ref (default: the checkout holding the working directory or DIR)."`
	Address      string   `required:"" env:"SLIPWAY_ADDRESS" help:"Repository to push to, e.g. ghcr.io/acme/notes (a :tag here is one more tag)."`
	Tags         []string `env:"SLIPWAY_TAGS" help:"Tags to push, e.g. 1.4.0,1.4,latest; sha-<short> is added when --revision is a commit. Default: latest."`
	Username     string   `env:"SLIPWAY_USERNAME" help:"Registry user; with --password."`
	Password     string   `env:"SLIPWAY_PASSWORD" help:"Registry password or token (--password=env://REGISTRY_TOKEN); never printed."`
	SignKey      string   "name:\"sign-key\" env:\"SLIPWAY_SIGN_KEY\" help:\"A cosign private key (cosign.key of `cosign generate-key-pair`, --sign-key=env://COSIGN_KEY): signs the pushed digest and attests its provenance and SBOM, offline (no transparency log).\""
	SignPassword string   `name:"sign-password" env:"SLIPWAY_SIGN_PASSWORD" help:"The signing key's password (--sign-password=env://COSIGN_PASSWORD); none: an empty one."`
	PlainHTTP    bool     `name:"plain-http" env:"SLIPWAY_PLAIN_HTTP" help:"The registry speaks plain HTTP, not HTTPS (a local registry only); the engine must also list it as insecure."`
	Paths        []string `help:"Paths the smoke test requests besides the health path, as PATH or PATH=STATUS."`
	ModuleFlags  `group:"Module options"`
}

// argv is the dagger CLI command line. Secrets stay as the URIs given
// (env://, file://): the dagger CLI reads them.
func (c *PublishCmd) argv(module string) ([]string, error) {
	for name, v := range map[string]string{"password": c.Password, "sign-key": c.SignKey, "sign-password": c.SignPassword} {
		if v != "" && !strings.Contains(v, "://") {
			return nil, fmt.Errorf("--%s takes a secret's URI, e.g. env://VAR or file://PATH, never the value itself", name)
		}
	}
	p := ciPlan{Module: module, Source: c.Dir, AppDir: c.AppDir, Options: c.ModuleFlags}
	argv := append(p.daggerCall(), "publish", "--address="+c.Address)
	add := func(name, v string) {
		if v != "" {
			argv = append(argv, "--"+name+"="+v)
		}
	}
	for _, t := range c.Tags {
		add("tags", t)
	}
	add("username", c.Username)
	add("password", c.Password)
	add("sign-key", c.SignKey)
	add("sign-password", c.SignPassword)
	if c.PlainHTTP {
		add("plain-http", strconv.FormatBool(true))
	}
	for _, path := range c.Paths {
		add("paths", path)
	}
	return argv, nil
}

// Run checks the app, then runs the module's publish; the pushed references
// are dagger's output.
func (c *PublishCmd) Run(ctx context.Context, k *kong.Context) error {
	if _, err := loadApp(c.Dir, c.AppDir); err != nil {
		return err
	}
	module := c.Module
	if module == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
		if module, err = findModule(wd, c.Dir); err != nil {
			return err
		}
	}
	argv, err := c.argv(module)
	if err != nil {
		return err
	}
	dagger, err := daggerPath()
	if err != nil {
		return err
	}
	fmt.Fprintf(k.Stderr, "slipway: %s\n", strings.Join(argv, " "))
	return runDagger(ctx, dagger, argv, &tailWriter{w: k.Stdout})
}
