package shelltest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The branch prepare left holds booby-trapped generated code (an init
// function and a go:generate line that create a file). publish pushes it as
// data and opens the pull request; nothing of it runs (the harness checks the
// trap file and that publish ran no make or go after every run).
func TestPublishRunsNoCodeFromTheBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-trap"})
	require.Equal(t, 0, r.code, r.output)
	tip := f.remoteBranch(prBranch)
	require.NotEmpty(t, tip)
	assert.Contains(t, f.git(f.origin, "show", tip+":gen/trap.gen.go"), "func init()", "pushed, as data")
	assert.NotNil(t, f.pr())
	assert.NoFileExists(t, f.trap())
}

// commitOnTip makes what a compromised preparing job could: a commit on top
// of its tip (in a clone of its work tree) that changes files the run never
// changes, bundled, with the outcome's tip moved to it.
func commitOnTip(f *fixture, work, artifact string, files map[string]string) {
	tamper := filepath.Join(f.dir, "tamper")
	f.git(f.dir, "clone", "-q", "--branch", prBranch, work, tamper)
	for name, content := range files {
		f.write(tamper, name, content)
	}
	f.git(tamper, "add", "-A")
	f.git(tamper, "commit", "-q", "-m", "looks like a regeneration")
	tip := f.git(tamper, "rev-parse", "HEAD")
	require.NoError(f.t, os.Remove(filepath.Join(artifact, "branch.bundle")))
	f.git(tamper, "bundle", "create", "-q", filepath.Join(artifact, "branch.bundle"), "refs/heads/"+prBranch, "^"+outcomeValue(f.t, artifact, "base"))
	editOutcome(f.t, artifact, func(key, value string) string {
		if key == "tip" {
			return tip
		}
		return value
	})
}

// outcomeValue reads one value of prepare's outcome.
func outcomeValue(t *testing.T, artifact, key string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(artifact, "outcome"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, _ := strings.Cut(line, "="); k == key {
			return v
		}
	}
	t.Fatalf("no %s in the outcome", key)
	return ""
}

// editOutcome rewrites the outcome's values through edit.
func editOutcome(t *testing.T, artifact string, edit func(key, value string) string) {
	t.Helper()
	path := filepath.Join(artifact, "outcome")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var lines []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		key, value, _ := strings.Cut(line, "=")
		lines = append(lines, key+"="+edit(key, value))
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// A result publish must not act on: nothing is pushed, the run fails, and an
// open pull request says why and becomes a draft. Whatever the artifact holds
// is never run or evaluated.
func TestPublishRefusesATamperedResult(t *testing.T) {
	t.Parallel()
	// One ready pull request, and a prepared update of it that each case
	// tampers with in a copy.
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)
	before := f.remoteBranch(prBranch)
	p := f.prepare(runOpts{doc: "new-required-param.json", genSrc: "gen-removed"})
	require.Equal(t, 0, p.code, p.output)
	work := filepath.Join(f.dir, fmt.Sprintf("run%d", f.runs))

	trapCmd := func(f *fixture) string { return "$(touch " + f.trap() + ")" }
	for name, tc := range map[string]struct {
		tamper func(f *fixture, work, artifact string)
		says   string
	}{
		"a change to the Makefile and a workflow": {func(f *fixture, work, artifact string) {
			commitOnTip(f, work, artifact, map[string]string{
				"Makefile":                  "generate:\n\ttouch " + f.trap() + "\n",
				".github/workflows/pwn.yml": "on: push\n",
			})
		}, "its commits change files other than api/openapi.json and generated code"},
		"a command in a value": {func(f *fixture, _, artifact string) {
			editOutcome(f.t, artifact, func(key, value string) string {
				if key == "failed" {
					return trapCmd(f)
				}
				return value
			})
		}, "its outcome's failed is not one of the values prepare writes"},
		"an unknown key": {func(f *fixture, _, artifact string) {
			data, _ := os.ReadFile(filepath.Join(artifact, "outcome"))
			require.NoError(f.t, os.WriteFile(filepath.Join(artifact, "outcome"), append(data, "path=/tmp\n"...), 0o644))
		}, "its outcome has an unknown key"},
		"a tip the bundle lacks": {func(f *fixture, _, artifact string) {
			editOutcome(f.t, artifact, func(key, value string) string {
				if key == "tip" {
					return strings.Repeat("a", 40)
				}
				return value
			})
		}, "branch.bundle does not hold exactly spec-diff/gem-openapi at the outcome's tip"},
		"a base that is not main's": {func(f *fixture, _, artifact string) {
			c := f.clone("elsewhere")
			f.git(c, "checkout", "-q", "-b", "elsewhere")
			f.git(c, "commit", "-q", "--allow-empty", "-m", "not on main")
			other := f.git(c, "rev-parse", "HEAD")
			f.git(c, "push", "-q", "origin", "elsewhere")
			editOutcome(f.t, artifact, func(key, value string) string {
				if key == "base" {
					return other
				}
				return value
			})
		}, "its base commit is not on main"},
		"no outcome": {func(f *fixture, _, artifact string) {
			require.NoError(f.t, os.Remove(filepath.Join(artifact, "outcome")))
		}, "it holds no outcome"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := f.fork(t)
			g.runs = f.runs
			artifact := filepath.Join(g.dir, "artifact")
			require.NoError(t, copyTree(p.reports, artifact))
			tc.tamper(g, work, artifact)

			r := g.publish(artifact)
			assert.Equal(t, 1, r.code, r.output)
			assert.Contains(t, r.summary, "## spec-diff: `publish` failed")
			assert.Contains(t, r.summary, tc.says)
			assert.Equal(t, before, g.remoteBranch(prBranch), "nothing pushed")
			assert.Equal(t, []string{prList, "gh pr comment 7 --body-file …", "gh pr ready 7 --undo"}, g.commands("gh"))
			assert.Contains(t, g.calls("gh")[1].Body, "failed at `publish`: the preparing job's result was refused: "+tc.says)
			assert.True(t, g.pr().Draft)
			assert.NoFileExists(t, g.trap())
		})
	}
}

// A maintainer's run: both halves in one clone, with gh logged in.
func TestWholeRunInOneClone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	work := f.clone("maintainer")
	summary := filepath.Join(f.dir, "summary.md")
	env := f.specEnv(f.stubs, "", summary, []string{
		"SHELLTEST_GEN_SRC=" + mustAbs(t, "testdata/gen-added"),
		"SPEC_TOOLS_BIN=" + built(t, toolsBuild),
		"GEM_SPEC_URL=" + f.srv.URL + "/new-optional-param.json",
	})
	r := f.runScript(work, env, summary, "", mustAbs(t, filepath.Join(scriptsDir, "spec-update-pr")))
	require.Equal(t, 0, r.code, r.output)
	assert.Equal(t, []string{"Regenerate from Gem's OpenAPI document", "api: Gem's OpenAPI document as published on " + today()},
		f.log("main.."+prBranch))
	pr := f.pr()
	require.NotNil(t, pr)
	assert.False(t, pr.Draft)
	assert.Contains(t, pr.Body, "added the new optional `query` request parameter `owner_id`")
}

func TestUsageOfTheHalves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.runScript(f.clone("usage"), gitEnv(), filepath.Join(f.dir, "none"), "", mustAbs(t, filepath.Join(scriptsDir, "spec-update-pr")), "publsh")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.output, "usage: scripts/spec-update-pr [prepare|publish]")
}

// A maintainer pushes to the branch while the run prepares: publish's push is
// refused (it never forces over work it did not see), the run fails, and the
// open pull request says so and becomes a draft; the maintainer's commit stays.
func TestPushRaceFailsAndDrafts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)
	f.resetCalls()

	var pushed string
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed", tamper: func(_, _ string) {
		m := f.clone("maintainer")
		f.git(m, "checkout", "-q", prBranch)
		f.write(m, "api/overlay.yaml", f.read(m+"/api/overlay.yaml")+"# pushed during the run\n")
		f.git(m, "commit", "-q", "-am", "overlay: pushed during the run")
		f.git(m, "push", "-q", "origin", prBranch)
		pushed = f.remoteBranch(prBranch)
	}})
	assert.Equal(t, 0, r.prepare, r.output)
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.summary, "## spec-diff: `push` failed")
	assert.Equal(t, pushed, f.remoteBranch(prBranch), "the maintainer's commit is the branch's tip")
	assert.Equal(t, []string{prList, "gh pr comment 7 --body-file …", "gh pr ready 7 --undo"}, f.commands("gh"))
	comment := f.calls("gh")[1].Body
	assert.Contains(t, comment, "failed at `push`: could not push spec-diff/gem-openapi (did someone push to it during the run?)")
	assert.Contains(t, comment, "rejected", "the push's log")
	assert.True(t, f.pr().Draft)
}
