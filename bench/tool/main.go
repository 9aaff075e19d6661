// Command tool is bench/run's helper.
//
//	tool table RAW OUT                 medians and targets from RAW into OUT.md and OUT.json; prints the Markdown
//	tool reference build APP DOCKERFILE         build DOCKERFILE on APP with the engine's Dockerfile builder
//	tool reference export APP DOCKERFILE TAR    the same, exported as an OCI tarball
//	tool reference floor APP DOCKERFILE RAW     time `next build` alone in the builder stage; append the floor to RAW
//
// The reference commands need a Dagger session: run them under `dagger run`.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/slipwayhq/slipway/bench/table"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench tool:", err)
		os.Exit(1)
	}
}

const usage = "usage: tool table RAW OUT | tool reference build|export|floor APP DOCKERFILE [TAR|RAW]"

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "table":
		return writeTable(args[1], args[2])
	case len(args) >= 4 && args[0] == "reference":
		return reference(args[1], args[2], args[3], args[4:])
	default:
		return fmt.Errorf("%s", usage)
	}
}

func writeTable(rawPath, out string) error {
	f, err := os.Open(rawPath)
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := table.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", rawPath, err)
	}
	res := table.Compute(in)
	md := res.Markdown()
	js, err := res.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".md", []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(out+".json", js, 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	return nil
}

// context is the app as Slipway's default source sees it.
var contextExcludes = []string{"**/node_modules", "**/.next", "**/.git", "**/.env", "**/.env.*", "!**/.env.example"}

func reference(cmd, app, dockerfile string, rest []string) error {
	if (cmd == "build" && len(rest) != 0) || (cmd != "build" && len(rest) != 1) {
		return fmt.Errorf("%s", usage)
	}
	ctx := context.Background()
	c, err := dagger.Connect(ctx)
	if err != nil {
		return fmt.Errorf("connect to the Dagger session (run under `dagger run`): %w", err)
	}
	defer c.Close()
	abs, err := filepath.Abs(app)
	if err != nil {
		return err
	}
	dfAbs, err := filepath.Abs(dockerfile)
	if err != nil {
		return err
	}
	src := c.Host().Directory(abs, dagger.HostDirectoryOpts{Exclude: contextExcludes}).
		WithFile("Dockerfile", c.Host().File(dfAbs))
	switch cmd {
	case "build":
		_, err = src.DockerBuild().Sync(ctx)
		return err
	case "export":
		_, err = src.DockerBuild().Export(ctx, rest[0])
		return err
	case "floor":
		return floor(ctx, src, rest[0])
	}
	return fmt.Errorf("%s", usage)
}

// floorScript runs in the reference's builder stage, which holds the app's
// dependencies, its generated client and one `next build`: the build again
// after a one-page change (its .next/cache warm), then from nothing, then
// the bytes the runner cannot do without.
const floorScript = `set -e
page=
for p in src/app/page.tsx app/page.tsx src/app/page.jsx app/page.jsx; do
	if [ -f "$p" ]; then page=$p; break; fi
done
[ -n "$page" ] || { echo "no app/page.tsx" >&2; exit 1; }
printf '\n// floor: one page changed\n' >>"$page"
a=$(date +%s.%N); npx next build >/tmp/warm.log 2>&1 || { tail -n 30 /tmp/warm.log >&2; exit 1; }; b=$(date +%s.%N)
rm -rf .next
c=$(date +%s.%N); npx next build >/tmp/cold.log 2>&1 || { tail -n 30 /tmp/cold.log >&2; exit 1; }; d=$(date +%s.%N)
echo "next-build-warm $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }')"
echo "next-build-cold $(awk -v a="$c" -v b="$d" 'BEGIN { printf "%.1f", b - a }')"
echo "node-bytes $(stat -L -c %s "$(command -v node)")"
echo "standalone-bytes $(du -sb .next/standalone | cut -f1)"
echo "static-bytes $(du -sb .next/static | cut -f1)"
echo "public-bytes $( [ -d public ] && du -sb public | cut -f1 || echo 0)"
`

func floor(ctx context.Context, src *dagger.Directory, rawPath string) error {
	out, err := src.DockerBuild(dagger.DirectoryDockerBuildOpts{Target: "builder"}).
		WithEnvVariable("BENCH_FLOOR_RUN", strconv.FormatInt(time.Now().UnixNano(), 10)).
		WithExec([]string{"sh", "-c", floorScript}).
		Stdout(ctx)
	if err != nil {
		return err
	}
	var lines []string
	var total float64
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			return fmt.Errorf("floor: unexpected line %q", l)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return fmt.Errorf("floor: %q: %w", l, err)
		}
		if f[0] != "static-bytes" && f[0] != "public-bytes" && strings.HasSuffix(f[0], "-bytes") {
			total += v
		}
		lines = append(lines, "floor "+l)
	}
	lines = append(lines, fmt.Sprintf("floor node-plus-standalone-bytes %.0f", total))
	f, err := os.OpenFile(rawPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, strings.Join(lines, "\n"))
	return err
}
