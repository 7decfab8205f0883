package shelltest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	Permissions any `yaml:"permissions"`
	Jobs        map[string]struct {
		Needs       any               `yaml:"needs"`
		If          string            `yaml:"if"`
		Permissions map[string]string `yaml:"permissions"`
		Env         map[string]string `yaml:"env"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]any    `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

const workflowsDir = "../../../.github/workflows"

func readWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(workflowsDir, name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w), name)
	return w, string(data)
}

// Every action of every workflow is pinned by a full commit id, with its
// version in a comment for people and Dependabot: a moved tag cannot change
// what runs.
func TestActionsArePinnedByCommit(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(workflowsDir, "*.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	pinned := regexp.MustCompile(`^\s*(- )?uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$`)
	count := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "uses:") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				count++
				assert.Regexp(t, pinned, line, "%s:%d", filepath.Base(file), i+1)
			}
		}
	}
	assert.Positive(t, count)
	dependabot, err := os.ReadFile("../../../.github/dependabot.yml")
	require.NoError(t, err)
	assert.Contains(t, string(dependabot), "package-ecosystem: github-actions", "Dependabot keeps the pins current")
}

// spec-diff's two jobs: the one that runs code made from the download holds
// nothing worth stealing; the one that can write runs only the base branch's
// script on the other's result.
func TestSpecDiffJobsAreSplit(t *testing.T) {
	t.Parallel()
	w, _ := readWorkflow(t, "spec-diff.yml")
	assert.Equal(t, map[string]any{}, w.Permissions, "nothing by default")

	prepare := w.Jobs["prepare"]
	assert.Equal(t, map[string]string{"contents": "read"}, prepare.Permissions)
	var prepareRuns []string
	for _, s := range prepare.Steps {
		for k, v := range s.Env {
			assert.NotContains(t, k+v, "token", "prepare's environment holds no token (%s)", k)
			assert.NotContains(t, k, "GH_", "prepare's environment holds no token (%s)", k)
		}
		switch {
		case strings.HasPrefix(s.Uses, "actions/checkout@"):
			assert.Equal(t, false, s.With["persist-credentials"], "no credentials left in .git/config")
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			assert.Equal(t, false, s.With["cache"], "no cache another workflow would restore")
		case s.Run != "":
			prepareRuns = append(prepareRuns, s.Run)
		}
	}
	// Besides the script, only the installation of the redis-server its make test needs.
	assert.Equal(t, []string{"sudo apt-get update -qq && sudo apt-get install -y -qq redis-server", "scripts/spec-update-pr prepare"}, prepareRuns)
	for k := range prepare.Env {
		assert.NotContains(t, k, "GH_")
	}

	publish := w.Jobs["publish"]
	assert.Equal(t, "prepare", publish.Needs)
	assert.Equal(t, "write", publish.Permissions["contents"])
	var publishRuns []string
	for _, s := range publish.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/checkout@"):
			assert.Equal(t, "${{ env.SPEC_BASE_BRANCH }}", s.With["ref"], "publish checks out the base branch")
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			t.Errorf("publish sets up Go: it must build nothing")
		case s.Run != "":
			publishRuns = append(publishRuns, s.Run)
		}
	}
	assert.Equal(t, []string{"scripts/spec-update-pr publish"}, publishRuns)
}
