package pipeline

import (
	"errors"
	"fmt"
	"strings"

	"github.com/slipwayhq/slipway/internal/dagger"
)

// tailLines is how much of a failed command's output an error keeps.
const tailLines = 25

// StageError is a failed stage: the command, its exit code, the last lines
// of its output, and what to do about it.
type StageError struct {
	Stage    string
	Cmd      []string
	ExitCode int
	Tail     string
	Fix      string
	Err      error
}

func (e *StageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed", e.Stage)
	if len(e.Cmd) > 0 {
		fmt.Fprintf(&b, ": `%s` exited with code %d", strings.Join(e.Cmd, " "), e.ExitCode)
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Tail != "" {
		b.WriteString("\n  | " + strings.ReplaceAll(e.Tail, "\n", "\n  | "))
	}
	if e.Fix != "" {
		b.WriteString("\nfix: " + e.Fix)
	}
	return b.String()
}

// StageError has no Unwrap on purpose: a module function's error crosses
// to the caller through Dagger's generated code, which reports the innermost
// GraphQL error of a chain instead of the whole message ("exit code: 3"
// rather than the stage, the output and the fix).

// stageError wraps err with its stage and fix, and, for a failed command,
// the command, exit code and output tail that Dagger's error carries.
func stageError(stage, fix string, err error) error {
	if err == nil {
		return nil
	}
	se := &StageError{Stage: stage, Fix: fix, Err: err}
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		se.Cmd, se.ExitCode = ee.Cmd, ee.ExitCode
		se.Tail = tail(ee.Stderr, tailLines)
		if out := tail(ee.Stdout, tailLines); out != "" {
			if se.Tail != "" {
				se.Tail = out + "\n" + se.Tail
			} else {
				se.Tail = out
			}
		}
		se.Tail = tail(se.Tail, tailLines)
	}
	return se
}

// tail is the last n non-empty-trailing lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
