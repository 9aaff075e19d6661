package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// constructorArgs reads the module's New from main.go: each argument's name
// and its doc comment without the pragma lines, as `dagger functions` shows.
func constructorArgs(t *testing.T) map[string]string {
	t.Helper()
	return moduleArgs(t, "New")
}

// moduleArgs reads function name of main.go (New, or a method of the
// module's type) as constructorArgs does.
func moduleArgs(t *testing.T, name string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../../main.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name && (fd.Recv == nil) == (name == "New") {
			fn = fd
		}
	}
	require.NotNil(t, fn, "main.go has the module's %s", name)
	args := map[string]string{}
	for _, field := range fn.Type.Params.List {
		// The doc comment is the block of comments that ends on the line
		// above the argument.
		line := fset.Position(field.Pos()).Line
		var doc []string
		for _, cg := range f.Comments {
			if fset.Position(cg.End()).Line == line-1 {
				for _, c := range cg.List {
					text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
					if !strings.HasPrefix(text, "+") {
						doc = append(doc, text)
					}
				}
			}
		}
		for _, n := range field.Names {
			if n.Name != "ctx" {
				args[n.Name] = strings.Join(doc, " ")
			}
		}
	}
	return args
}

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The CLI's flags are the module's constructor arguments, name for name and
// help for help, so the two cannot drift apart.
func TestModuleFlagsMatchTheConstructor(t *testing.T) {
	args := constructorArgs(t)
	require.Contains(t, args, "nodeImage")
	flags := map[string]reflect.StructField{}
	typ := reflect.TypeOf(ModuleFlags{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		flags[f.Tag.Get("name")] = f
	}
	for name, help := range args {
		if name == "source" || name == "appDir" {
			continue // the commands' own DIR argument and --app-dir
		}
		f, ok := flags[kebab(name)]
		if !assert.True(t, ok, "the module's --%s has no CLI flag", kebab(name)) {
			continue
		}
		assert.Equal(t, help, f.Tag.Get("help"), "--%s help", kebab(name))
		assert.Equal(t, "SLIPWAY_"+strings.ToUpper(strings.ReplaceAll(kebab(name), "-", "_")), f.Tag.Get("env"), "--%s env", kebab(name))
		delete(flags, kebab(name))
	}
	assert.Empty(t, flags, "CLI flags the module does not have")
}

func TestModuleFlagsArgs(t *testing.T) {
	assert.Empty(t, ModuleFlags{}.args(), "unset flags leave the module's defaults")
	off := false
	got := ModuleFlags{
		NodeImage: "node:22-bookworm-slim", Port: 8080, BuildEnv: []string{"A=1", "B=2"},
		BuildSecret: "file://.env.build", Env: []string{"APP_NAME=x"}, EnvFile: "env://TEST_ENV",
		BuildCommand: "pnpm run build:docker", MigrateOnStart: &off, SourceURL: "https://example.com/app",
	}.args()
	assert.Equal(t, []string{
		"--node-image=node:22-bookworm-slim", "--port=8080", "--build-env=A=1", "--build-env=B=2",
		"--build-secret=file://.env.build", "--build-command=pnpm run build:docker", "--env=APP_NAME=x",
		"--env-file=env://TEST_ENV", "--migrate-on-start=false", "--source-url=https://example.com/app",
	}, got)
}

// kong reads the flags and their SLIPWAY_* variables into what args passes on.
func TestModuleFlagsParse(t *testing.T) {
	t.Setenv("SLIPWAY_NODE_IMAGE", "node:22-bookworm-slim")
	var cli struct {
		ModuleFlags
	}
	parser, err := kong.New(&cli)
	require.NoError(t, err)
	_, err = parser.Parse([]string{"--no-migrate-on-start", "--env=A=1", "--env=B=2", "--build-command=make web"})
	require.NoError(t, err)
	assert.Equal(t, []string{"--node-image=node:22-bookworm-slim", "--build-command=make web", "--env=A=1", "--env=B=2", "--migrate-on-start=false"}, cli.args())
}

// slipway publish takes publish's own arguments as the module names them.
func TestPublishFlagsMatchTheFunction(t *testing.T) {
	args := moduleArgs(t, "Publish")
	require.Contains(t, args, "signKey")
	typ := reflect.TypeOf(PublishCmd{})
	flags := map[string]reflect.StructField{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if n := f.Tag.Get("name"); n != "" {
			flags[n] = f
		} else if !f.Anonymous {
			flags[kebab(f.Name)] = f
		}
	}
	for name, help := range args {
		f, ok := flags[kebab(name)]
		if !assert.True(t, ok, "publish's --%s has no CLI flag", kebab(name)) {
			continue
		}
		assert.Equal(t, help, f.Tag.Get("help"), "--%s help", kebab(name))
	}
}

func TestPublishArgv(t *testing.T) {
	c := PublishCmd{Dir: "/app", AppDir: ".", Address: "registry.example.com/acme/notes", Tags: []string{"1.4.0", "1.4"},
		Username: "ci", Password: "env://TOKEN", SignKey: "env://COSIGN_KEY", PlainHTTP: true,
		ModuleFlags: ModuleFlags{Platforms: []string{"linux/amd64,linux/arm64"}, Revision: "abc1234"}}
	argv, err := c.argv("/src/slipway")
	require.NoError(t, err)
	assert.Equal(t, []string{"dagger", "call", "-m", "/src/slipway", "--source=/app", "--platforms=linux/amd64,linux/arm64", "--revision=abc1234",
		"publish", "--address=registry.example.com/acme/notes", "--tags=1.4.0", "--tags=1.4", "--username=ci", "--password=env://TOKEN",
		"--sign-key=env://COSIGN_KEY", "--plain-http=true"}, argv)

	c.Password = "hunter2"
	_, err = c.argv("/src/slipway")
	assert.ErrorContains(t, err, "never the value itself")
}
