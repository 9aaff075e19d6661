// Package ci checks Slipway's CI recipes: the GitHub workflow with
// actionlint, the GitLab file against what GitLab requires of a job, and the
// shell recipe with bash -n. It is a module of its own, so that actionlint
// never enters the Slipway module's dependencies.
package ci

import (
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestGitHubWorkflowLints(t *testing.T) {
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	require.NoError(t, err)
	errs, err := linter.LintFile("github/slipway.yml", nil)
	require.NoError(t, err)
	for _, e := range errs {
		t.Errorf("actionlint: %s", e.Error())
	}
	src, err := os.ReadFile("github/slipway.yml")
	require.NoError(t, err)
	assert.Contains(t, string(src), "dagger/dagger-for-github@")
	assert.Contains(t, string(src), " ci ", "ci on every push")
	assert.Contains(t, string(src), "refs/tags/v", "publish on a tag")
}

// gitlabKeywords are top-level keys that are not jobs.
var gitlabKeywords = []string{"stages", "variables", "default", "include", "workflow", "image", "services", "before_script", "after_script", "cache"}

func TestGitLabJobsHaveWhatGitLabRequires(t *testing.T) {
	src, err := os.ReadFile("gitlab/.gitlab-ci.yml")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(src, &doc))
	stages := strings.Fields(strings.Trim(strings.ReplaceAll(toString(doc["stages"]), ",", " "), "[]"))
	require.NotEmpty(t, stages, "stages")
	jobs := 0
	for name, v := range doc {
		if slices.Contains(gitlabKeywords, name) || strings.HasPrefix(name, ".") {
			continue
		}
		jobs++
		job := resolve(t, doc, v.(map[string]any))
		assert.Contains(t, stages, toString(job["stage"]), "job %s: stage must be one of %v", name, stages)
		_, image := job["image"]
		_, services := job["services"]
		assert.True(t, image || services || doc["image"] != nil, "job %s: image or services", name)
		script, _ := job["script"].([]any)
		assert.NotEmpty(t, script, "job %s: script", name)
	}
	assert.Equal(t, 2, jobs, "ci and publish")
	assert.Contains(t, string(src), "$CI_COMMIT_TAG", "publish on a tag")
}

// resolve merges a job with what it extends, as GitLab does (one level).
func resolve(t *testing.T, doc map[string]any, job map[string]any) map[string]any {
	out := map[string]any{}
	if base, ok := job["extends"].(string); ok {
		b, ok := doc[base].(map[string]any)
		require.True(t, ok, "extends %s", base)
		for k, v := range b {
			out[k] = v
		}
	}
	for k, v := range job {
		out[k] = v
	}
	return out
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, toString(e))
		}
		return strings.Join(s, " ")
	default:
		return ""
	}
}

func TestShellRecipeParses(t *testing.T) {
	out, err := exec.Command("bash", "-n", "slipway-ci.sh").CombinedOutput()
	require.NoError(t, err, "%s", out)
}
