package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/slipwayhq/slipway/bundle"
	"github.com/slipwayhq/slipway/compose"
	"github.com/slipwayhq/slipway/env"
)

// Sentinel errors of `slipway ci`.
var (
	// ErrNoDagger means the dagger CLI is not on PATH.
	ErrNoDagger = errors.New("dagger CLI not found")
	// ErrNoModule means no Slipway module was given or found.
	ErrNoModule = errors.New("no Slipway module")
)

// moduleName is the name in the Slipway module's dagger.json.
const moduleName = "slipway"

// CICmd is `slipway ci`.
type CICmd struct {
	Dir       string   `arg:"" optional:"" default:"." type:"path" help:"Source directory (the repo root for a monorepo)."`
	AppDir    string   `name:"app-dir" default:"." env:"SLIPWAY_APP_DIR" help:"Where the app is inside the source, for monorepos (e.g. apps/web)."`
	Paths     []string `help:"Paths the smoke test requests besides the health path, as PATH or PATH=STATUS (repeatable or comma-separated)."`
	Out       string   `short:"o" default:"app.tar" type:"path" help:"Where to write the tested image as a tarball (load it with docker load -i)."`
	BundleOut string   `default:"deploy" help:"Directory for the deploy bundle; pass --bundle-out='' to skip it."`
	Image     string   `env:"SLIPWAY_IMAGE" help:"Image reference the bundle's compose file runs (default: NAME:latest, NAME from package.json)."`
	Module    string   `env:"SLIPWAY_MODULE" help:"The Slipway module: a local checkout or a git ref (default: the checkout holding the working directory or DIR)."`
	StackFlags
	ModuleFlags `group:"Module options"`
}

// ciPlan is everything `slipway ci` passes to the dagger CLI.
type ciPlan struct {
	Module    string
	Source    string
	AppDir    string
	Paths     []string
	Out       string
	BundleOut string // "" skips the bundle
	Image     string
	Stack     StackFlags
	Options   ModuleFlags
}

// daggerCall is the start of every command: the module and its constructor.
func (p ciPlan) daggerCall() []string {
	argv := []string{"dagger", "call", "-m", p.Module, "--source=" + p.Source}
	if p.AppDir != "" && p.AppDir != "." {
		argv = append(argv, "--app-dir="+p.AppDir)
	}
	return append(argv, p.Options.args()...)
}

// ciArgv builds, tests, migrates and smoke-tests, then exports the image.
func (p ciPlan) ciArgv() []string {
	argv := append(p.daggerCall(), "ci")
	for _, path := range p.Paths {
		argv = append(argv, "--paths="+path)
	}
	return append(argv, "export", "--path="+p.Out)
}

// bundleArgv renders the deploy bundle and exports it. It never asks the
// module for the env file: the engine's progress output would show its
// secrets, so Run fills it in here from the exported template.
func (p ciPlan) bundleArgv() []string {
	argv := append(p.daggerCall(), "bundle", "--image="+p.Image)
	if p.Stack.MigrateService {
		argv = append(argv, "--migrate-service")
	}
	argv = append(argv, fmt.Sprintf("--read-only=%t", p.Stack.ReadOnly))
	if p.Stack.PublishDBPort {
		argv = append(argv, "--publish-db-port")
	}
	return append(argv, "export", "--path="+p.BundleOut)
}

// commands lists the dagger invocations in order.
func (p ciPlan) commands() [][]string {
	cmds := [][]string{p.ciArgv()}
	if p.BundleOut != "" {
		cmds = append(cmds, p.bundleArgv())
	}
	return cmds
}

// plan checks everything local before anything runs: the source, the module,
// the image name, and that the bundle won't replace a live env file.
func (c *CICmd) plan() (ciPlan, error) {
	app, err := loadApp(c.Dir, c.AppDir)
	if err != nil {
		return ciPlan{}, err
	}
	module := c.Module
	if module == "" {
		wd, err := os.Getwd()
		if err != nil {
			return ciPlan{}, fmt.Errorf("working directory: %w", err)
		}
		if module, err = findModule(wd, c.Dir); err != nil {
			return ciPlan{}, err
		}
	}
	p := ciPlan{
		Module: module, Source: c.Dir, AppDir: c.AppDir, Paths: c.Paths, Out: c.Out,
		Image: c.Image, Stack: c.StackFlags, Options: c.ModuleFlags,
	}
	if c.BundleOut != "" {
		if p.BundleOut, err = filepath.Abs(c.BundleOut); err != nil {
			return ciPlan{}, fmt.Errorf("--bundle-out: %w", err)
		}
		if p.Image == "" {
			p.Image = bundle.ProjectName(app.Name) + ":latest"
		}
		if c.GenerateEnv && !c.Force {
			if err := refuseEnvFile(p.BundleOut, env.DefaultFileName); err != nil {
				return ciPlan{}, err
			}
		}
	}
	return p, nil
}

// Run runs the plan with the dagger CLI, streaming its output to stderr.
func (c *CICmd) Run(ctx context.Context, k *kong.Context) error {
	p, err := c.plan()
	if err != nil {
		return err
	}
	dagger, err := daggerPath()
	if err != nil {
		return err
	}
	start := time.Now()
	w := &tailWriter{w: k.Stderr}
	for _, argv := range p.commands() {
		if w.last != 0 && w.last != '\n' {
			fmt.Fprintln(w) // dagger prints its result without a newline
		}
		fmt.Fprintf(w, "slipway: %s\n", strings.Join(argv, " "))
		if err := runDagger(ctx, dagger, argv, w); err != nil {
			return err
		}
	}
	if w.last != 0 && w.last != '\n' {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(k.Stdout, "image:  %s (tested; load it with: docker load -i %s)\n", display(p.Out), display(p.Out))
	if p.BundleOut != "" {
		fmt.Fprintf(k.Stdout, "bundle: %s/ (runs %s; read %s)\n", display(p.BundleOut), p.Image,
			display(filepath.Join(p.BundleOut, bundle.DeployGuide)))
	}
	if p.BundleOut != "" && p.Stack.GenerateEnv {
		todo, err := fillEnv(ctx, p.BundleOut, p.Stack.Force)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.Stdout, "env:    %s (mode 0600, fresh secrets: keep it out of version control)\n",
			display(filepath.Join(p.BundleOut, env.DefaultFileName)))
		if len(todo) > 0 {
			fmt.Fprintf(k.Stdout, "still to fill in %s: %s\n", env.DefaultFileName, strings.Join(todo, ", "))
		}
	}
	fmt.Fprintf(k.Stdout, "took %s\n", time.Since(start).Round(time.Second))
	return nil
}

// tailWriter remembers the last byte written through it.
type tailWriter struct {
	w    io.Writer
	last byte
}

func (t *tailWriter) Write(b []byte) (int, error) {
	if len(b) > 0 {
		t.last = b[len(b)-1]
	}
	return t.w.Write(b)
}

// fillEnv writes dir/.env.production from the bundle's template with fresh
// secrets, after checking that the compose file loads with it. It returns the
// variables still holding placeholders (credentials issued elsewhere), never
// a value.
func fillEnv(ctx context.Context, dir string, force bool) ([]string, error) {
	tmpl, err := os.ReadFile(filepath.Join(dir, bundle.EnvTemplate))
	if err != nil {
		return nil, fmt.Errorf("fill env file: %w", err)
	}
	composeYAML, err := os.ReadFile(filepath.Join(dir, bundle.ComposeFile))
	if err != nil {
		return nil, fmt.Errorf("fill env file: %w", err)
	}
	filled, err := env.Fill(tmpl)
	if err != nil {
		return nil, fmt.Errorf("fill env file: %w", err)
	}
	if _, err := compose.Validate(ctx, composeYAML, filled); err != nil {
		return nil, fmt.Errorf("fill env file: %s does not load with it: %w", bundle.ComposeFile, err)
	}
	if err := writeSecretFile(dir, env.DefaultFileName, filled, force); err != nil {
		return nil, err
	}
	vals, err := env.Parse(filled)
	if err != nil {
		return nil, fmt.Errorf("fill env file: %w", err)
	}
	var todo []string
	for k, v := range vals {
		if env.IsPlaceholder(v) {
			todo = append(todo, k)
		}
	}
	slices.Sort(todo)
	return todo, nil
}

// findModule looks for the Slipway module's dagger.json in each start
// directory and its parents.
func findModule(starts ...string) (string, error) {
	for _, start := range starts {
		for dir := start; ; {
			ok, err := isSlipwayModule(dir)
			if err != nil {
				return "", err
			}
			if ok {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("%w: no dagger.json named %q in %s or their parents: pass --module (a checkout of Slipway or a git ref of it) or set SLIPWAY_MODULE",
		ErrNoModule, moduleName, strings.Join(displayAll(starts), ", "))
}

func isSlipwayModule(dir string) (bool, error) {
	p := filepath.Join(dir, "dagger.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", p, err)
	}
	var cfg struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return false, fmt.Errorf("%s is not valid JSON: %w", p, err)
	}
	return cfg.Name == moduleName, nil
}

func displayAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = display(p)
	}
	return out
}

// daggerPath finds the dagger CLI: on PATH, else where the SDKs are told it is.
func daggerPath() (string, error) {
	p, err := exec.LookPath("dagger")
	if err == nil {
		return p, nil
	}
	if bin := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN"); bin != "" {
		if p, err := exec.LookPath(bin); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w on PATH: run hack/dev-engine up, or install the Dagger CLI", ErrNoDagger)
}

// daggerError is a failed dagger CLI run; slipway exits with its code.
type daggerError struct {
	step string
	code int
}

func (e *daggerError) Error() string {
	return fmt.Sprintf("dagger call %s failed with exit code %d: its output is above", e.step, e.code)
}

// ExitCode makes kong exit with the dagger CLI's code.
func (e *daggerError) ExitCode() int { return e.code }

// runDagger runs argv (argv[0] replaced by the dagger binary) with its
// output on w. An interrupt reaches dagger as SIGINT so it can clean up.
func runDagger(ctx context.Context, dagger string, argv []string, w io.Writer) error {
	cmd := exec.CommandContext(ctx, dagger, argv[1:]...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Env = ownSessionEnv(os.Environ())
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	step := stepOf(argv)
	if ctx.Err() != nil {
		return &daggerError{step: step + " (interrupted)", code: 130}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		return &daggerError{step: step, code: ee.ExitCode()}
	}
	return fmt.Errorf("run dagger call %s: %w", step, err)
}

// stepOf names the module function an argv calls (the word after the
// constructor's flags).
func stepOf(argv []string) string {
	for i, a := range argv {
		if i > 3 && !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return "?"
}

// ownSessionEnv drops the variables of an enclosing `dagger run` session, so
// the child dagger CLI opens its own.
func ownSessionEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "DAGGER_SESSION_") {
			out = append(out, kv)
		}
	}
	return out
}
