package shelltest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const prBranch = "spec-diff/gem-openapi"

// The labels are created (or updated) on every run that reaches the pull
// request: that is what needs issues: write.
var labelCalls = []string{
	"gh label create gem-api --color … --description … --force",
	"gh label create breaking --color … --description … --force",
}

const prList = "gh pr list --head spec-diff/gem-openapi --base main --state open --json number,isDraft,labels --jq .[] | \"\\(.number) \\(.isDraft) \\([.labels[].name] | index(\"breaking\") != null)\""

func TestUnchangedDocumentDoesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "base.json", env: []string{"SPEC_KEEPALIVE_WORKFLOW=spec-diff.yml"}})
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.summary, "Gem's document is the same as the one on `main`; nothing to do.")
	assert.Equal(t, []string{
		"gh api --method PUT repos/{owner}/{repo}/actions/workflows/spec-diff.yml/enable",
		prList,
	}, f.commands("gh"))
	assert.Empty(t, f.commands("make"))
	assert.Empty(t, f.remoteBranch(prBranch))
}

// Without actions: write the keepalive call fails: the run goes on, then fails.
func TestKeepaliveFailureFailsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "base.json", env: []string{"SPEC_KEEPALIVE_WORKFLOW=spec-diff.yml", "SHELLTEST_GH_API=fail"}})
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.output, "could not enable spec-diff.yml (does the workflow have actions: write?)")
	assert.Contains(t, r.summary, "nothing to do")
}

func TestAdditiveChangeOpensReadyPullRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"})
	require.Equal(t, 0, r.code, r.output)

	assert.Equal(t, []string{"generate", "test"}, argsOf(f.calls("make")))
	assert.Equal(t, append([]string{prList}, append(labelCalls,
		"gh pr create --base main --head spec-diff/gem-openapi --title … --body-file … --label gem-api")...),
		f.commands("gh"))

	pr := f.pr()
	require.NotNil(t, pr)
	assert.False(t, pr.Draft)
	assert.Equal(t, []string{"gem-api"}, pr.Labels)
	assert.Equal(t, "Gem API changed: update its OpenAPI document", pr.Title)
	assert.Contains(t, pr.Body, "# Changes in Gem's OpenAPI document")
	assert.Contains(t, pr.Body, "added the new optional `query` request parameter `owner_id`")
	assert.Contains(t, pr.Body, "\n## Overlay check\n\nEvery operation has an operationId") // one level down
	assert.Contains(t, pr.Body, "## Go API changes (apidiff)")
	assert.Contains(t, pr.Body, "compared with the release `v0.1.0`")
	assert.Contains(t, pr.Body, "**Version bump: minor** (v0.1.0 → v0.2.0): compatible additions")
	assert.Contains(t, pr.Body, "- `./gen.ListCandidatesParams: added`")
	assert.NotContains(t, pr.Body, "Not ready")
	assert.Equal(t, pr.Body, r.summary)

	// The branch: main, the document, the regenerated code; pushed without force.
	tip := f.remoteBranch(prBranch)
	require.NotEmpty(t, tip)
	assert.Equal(t, []string{"Regenerate from Gem's OpenAPI document", "api: Gem's OpenAPI document as published on " + today()},
		f.log("main.."+prBranch))
	assert.Equal(t, f.read("../../testdata/new-optional-param.json"), f.git(f.origin, "show", prBranch+":api/openapi.json")+"\n")
	assert.Equal(t, "github-actions[bot]", f.git(f.origin, "log", "-1", "--format=%an", prBranch))
}

func TestBreakingChangeIsLabelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed"})
	require.Equal(t, 0, r.code, r.output)
	pr := f.pr()
	require.NotNil(t, pr)
	assert.False(t, pr.Draft)
	assert.Equal(t, []string{"gem-api", "breaking"}, pr.Labels)
	assert.Equal(t, "Gem API changed (breaking): update its OpenAPI document", pr.Title)
	assert.Contains(t, pr.Body, "**BREAKING** (error): added the new required `query` request parameter `owner_id`")
	assert.Contains(t, pr.Body, "- `./gen.Candidate.Title: removed`")
	assert.Contains(t, pr.Body, "**Version bump: minor** (v0.1.0 → v0.2.0): incompatible changes to the Go API")
}

// Gem renames a schema: nothing changes on the wire, oasdiff says "info",
// the SDK would lose a Go type: breaking, by the SDK's override. overlaycheck,
// given the document the download replaces, finds the rename and suggests the
// overlay entry that keeps the Go name; until it is pasted the check fails, so
// the pull request is a draft that carries the suggestion.
func TestRenamedSchemaIsLabelledBreaking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "renamed-schema.json"})
	require.Equal(t, 1, r.code, r.output)
	pr := f.pr()
	require.NotNil(t, pr)
	assert.True(t, pr.Draft)
	assert.Contains(t, pr.Labels, "breaking")
	assert.Contains(t, pr.Body, "**BREAKING** (error): removed the schema `User`")
	assert.Contains(t, pr.Body, `target: "$.components.schemas.Member"`)
	assert.Contains(t, pr.Body, "x-go-name: User")
}

func TestDownloadFailuresFailTheRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, says string }{
		{"missing.json", "got HTTP 404 Not Found"},
		{"garbage.json", "garbage.json: not JSON: invalid character '<'"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			r := f.specUpdate(runOpts{doc: tc.doc})
			assert.Equal(t, 1, r.code, r.output)
			assert.Contains(t, r.output, tc.says)
			assert.Contains(t, r.summary, "## spec-diff: `download` failed")
			assert.Contains(t, r.summary, tc.says)
			assert.Equal(t, []string{prList}, f.commands("gh"), "no pull request")
			assert.Empty(t, f.commands("make"))
			assert.Empty(t, f.remoteBranch(prBranch))
		})
	}
}

// A failing run with a ready pull request open turns it into a draft and
// says why on it, even when the failure leaves no new body to write.
func TestDownloadFailureDraftsOpenPullRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json"}).code)
	require.False(t, f.pr().Draft)
	f.resetCalls()

	r := f.specUpdate(runOpts{doc: "missing.json"})
	assert.Equal(t, 1, r.code, r.output)
	assert.Equal(t, []string{prList, "gh pr comment 7 --body-file …", "gh pr ready 7 --undo"}, f.commands("gh"))
	comment := f.calls("gh")[1].Body
	assert.Contains(t, comment, "The spec-diff run (https://github.example/gem-go/gem-go/actions/runs/42) failed at `download`")
	assert.Contains(t, comment, "got HTTP 404 Not Found")
	assert.Contains(t, comment, "This pull request is a draft again until a run passes.")
	assert.True(t, f.pr().Draft)
}

// make generate fails (the overlay no longer matches): the branch gets the
// document, the pull request is a draft that says why, and the run fails.
// Before, the failure was hidden by a pipe into tee and the pull request
// came out ready.
func TestGenerateFailureOpensDraft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "new-endpoint.json", generate: "fail"})
	assert.Equal(t, 1, r.code, r.output)
	assert.Equal(t, []string{"generate"}, argsOf(f.calls("make")), "no make test after a failed generation")

	pr := f.pr()
	require.NotNil(t, pr)
	assert.True(t, pr.Draft)
	assert.Equal(t, []string{"gem-api"}, pr.Labels, "an added endpoint is not breaking")
	assert.Contains(t, pr.Body, "## Not ready: fix on this branch")
	assert.Contains(t, pr.Body, "- `overlay-check` failed: the overlay check above lists what to fix.")
	assert.Contains(t, pr.Body, "operationId: ListProjects")
	assert.Contains(t, pr.Body, "<details><summary><code>generate</code> failed (last lines)</summary>")
	assert.Contains(t, pr.Body, "action target $.paths['/v0/users'].get matched nothing")
	assert.Contains(t, pr.Body, "Not computed: `make generate` failed")
	assert.Contains(t, r.output, "::error title=spec-diff failed::Failed: overlay-check generate.")

	assert.Equal(t, []string{"api: Gem's OpenAPI document as published on " + today()}, f.log("main.."+prBranch),
		"only the document: nothing half-generated")
}

func TestTestFailureOpensDraft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added", test: "fail"})
	assert.Equal(t, 1, r.code, r.output)
	pr := f.pr()
	require.NotNil(t, pr)
	assert.True(t, pr.Draft)
	assert.Contains(t, pr.Body, "<code>test</code> failed")
	assert.Contains(t, pr.Body, "--- FAIL: TestEveryOperationHasAMethod")
	assert.Contains(t, pr.Body, "**Version bump: minor**", "the Go API diff is still computed")
}

// The weekly loop: a ready pull request; a later run fails (draft again);
// the maintainer's fix lands on the branch; the next run passes (ready again).
func TestLaterRunsMoveThePullRequestBetweenReadyAndDraft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)
	require.False(t, f.pr().Draft)

	f.resetCalls()
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed", test: "fail"})
	assert.Equal(t, 1, r.code, r.output)
	assert.Equal(t, append(append([]string{prList}, labelCalls...),
		"gh pr edit 7 --title … --body-file … --add-label gem-api --add-label breaking",
		"gh pr ready 7 --undo"), f.commands("gh"))
	pr := f.pr()
	assert.True(t, pr.Draft)
	assert.Equal(t, []string{"gem-api", "breaking"}, pr.Labels)
	assert.Contains(t, pr.Body, "<code>test</code> failed")

	f.resetCalls()
	r = f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"})
	require.Equal(t, 0, r.code, r.output)
	assert.Equal(t, append(append([]string{prList}, labelCalls...),
		"gh pr edit 7 --title … --body-file … --add-label gem-api --remove-label breaking",
		"gh pr ready 7"), f.commands("gh"))
	pr = f.pr()
	assert.False(t, pr.Draft)
	assert.Equal(t, []string{"gem-api"}, pr.Labels)
	assert.NotContains(t, pr.Body, "Not ready")
}

// A maintainer's fix pushed to the branch survives the next run, and so does
// what was merged to main meanwhile: the run merges, it never force-pushes.
func TestMaintainerCommitsAreKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 1, f.specUpdate(runOpts{doc: "new-endpoint.json", generate: "fail"}).code)
	first := f.remoteBranch(prBranch)

	m := f.clone("maintainer")
	f.git(m, "checkout", "-q", prBranch)
	f.write(m, "api/overlay.yaml", f.read(m+"/api/overlay.yaml")+"  # ListProjects named by a maintainer\n")
	f.git(m, "commit", "-q", "-am", "overlay: name ListProjects")
	f.git(m, "push", "-q", "origin", prBranch)
	fix := f.remoteBranch(prBranch)

	other := f.clone("other")
	f.write(other, "CONTRIBUTING.md", "meanwhile on main\n")
	f.git(other, "add", "-A")
	f.git(other, "commit", "-q", "-m", "main moves on")
	f.git(other, "push", "-q", "origin", "main")

	f.resetCalls()
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed"})
	require.Equal(t, 0, r.code, r.output)
	tip := f.remoteBranch(prBranch)
	assert.True(t, f.isAncestor(first, tip))
	assert.True(t, f.isAncestor(fix, tip), "the maintainer's commit is on the branch")
	assert.True(t, f.isAncestor(f.remoteBranch("main"), tip), "main is merged in")
	assert.Contains(t, f.git(f.origin, "show", tip+":api/overlay.yaml"), "named by a maintainer")
	assert.Equal(t, f.read("../../testdata/new-required-param.json"), f.git(f.origin, "show", tip+":api/openapi.json")+"\n")
	assert.True(t, f.pr().Draft == false, "the run passed: ready")
}

// After the pull request was merged (here squashed, so the branch's commits
// are not in main's history), the next change starts the branch again from
// main: nothing on it is lost, and merging would only conflict.
func TestMergedBranchStartsAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)
	old := f.remoteBranch(prBranch)

	m := f.clone("merger")
	f.git(m, "merge", "-q", "--squash", "origin/"+prBranch)
	f.git(m, "commit", "-q", "-m", "Gem API changed (#7)")
	f.git(m, "push", "-q", "origin", "main")
	require.NoError(t, removeFile(f.state+"/pr.json")) // merged: no open pull request

	f.resetCalls()
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed"})
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.output, "holds nothing main lacks: restarting it from main")
	tip := f.remoteBranch(prBranch)
	assert.False(t, f.isAncestor(old, tip))
	assert.True(t, f.isAncestor(f.remoteBranch("main"), tip))
	assert.Len(t, f.log("main.."+prBranch), 2)
	assert.NotNil(t, f.pr())
}

// A conflict outside generated code cannot be settled by the run: it fails,
// and says so on the open pull request, which becomes a draft.
func TestMergeConflictFailsAndDrafts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)

	m := f.clone("maintainer")
	f.git(m, "checkout", "-q", prBranch)
	f.write(m, "README.md", "# fixture\n\nThe branch's version of the line.\n")
	f.git(m, "commit", "-q", "-am", "README on the branch")
	f.git(m, "push", "-q", "origin", prBranch)
	f.git(m, "checkout", "-q", "main")
	f.write(m, "README.md", "# fixture\n\nMain's version of the line.\n")
	f.git(m, "commit", "-q", "-am", "README on main")
	f.git(m, "push", "-q", "origin", "main")
	before := f.remoteBranch(prBranch)

	f.resetCalls()
	r := f.specUpdate(runOpts{doc: "new-required-param.json"})
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.summary, "## spec-diff: `branch` failed")
	assert.Contains(t, r.summary, "merging main into spec-diff/gem-openapi conflicts in: README.md")
	assert.Equal(t, []string{prList, "gh pr comment 7 --body-file …", "gh pr ready 7 --undo"}, f.commands("gh"))
	assert.True(t, f.pr().Draft)
	assert.Equal(t, before, f.remoteBranch(prBranch), "nothing pushed")
}

// Conflicts in generated files only are settled by taking main's and
// regenerating.
func TestGeneratedConflictsAreRegenerated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.Equal(t, 0, f.specUpdate(runOpts{doc: "new-optional-param.json", genSrc: "gen-added"}).code)

	m := f.clone("maintainer")
	f.write(m, "gen/models.gen.go", "package gen\n\n// Regenerated on main.\nconst Main = 1\n")
	f.git(m, "add", "-A")
	f.git(m, "commit", "-q", "-m", "main regenerates")
	f.git(m, "push", "-q", "origin", "main")
	f.git(m, "checkout", "-q", prBranch)
	f.write(m, "gen/models.gen.go", "package gen\n\n// Regenerated on the branch.\nconst Branch = 1\n")
	f.git(m, "add", "-A")
	f.git(m, "commit", "-q", "-m", "branch regenerates")
	f.git(m, "push", "-q", "origin", prBranch)

	f.resetCalls()
	r := f.specUpdate(runOpts{doc: "new-required-param.json", genSrc: "gen-removed"})
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.output, "merge conflicts only in generated files")
	tip := f.remoteBranch(prBranch)
	assert.True(t, f.isAncestor(f.remoteBranch("main"), tip))
	assert.Contains(t, f.git(f.origin, "show", tip+":gen/models.gen.go"), "Regenerated on main.")
}

// specdiff's "cannot load" (exit 2) must not pass for "breaking" (exit 1),
// which is what `go run` made of it.
func TestDiffFailureIsNotBreaking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := f.clone("breaker")
	f.write(m, "api/openapi.json", "{\"openapi\": \"3.0.3\", \"paths\": 5}\n")
	f.git(m, "commit", "-q", "-am", "a document specdiff cannot load")
	f.git(m, "push", "-q", "origin", "main")

	r := f.specUpdate(runOpts{doc: "base.json"})
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.summary, "## spec-diff: `diff` failed")
	assert.Contains(t, r.summary, "specdiff could not compare the documents (exit status 2)")
	assert.Equal(t, []string{prList}, f.commands("gh"), "no pull request, no breaking label")
	assert.Empty(t, f.remoteBranch(prBranch))
}

func TestRefusesADirtyWorkTree(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	work := f.clone("dirty")
	f.write(work, "README.md", "local edit\n")
	script := "../../spec-update-pr"
	r := f.runScript(work, append(gitEnv(), "PATH="+f.stubs+":"+getenv("PATH"), "SHELLTEST_STATE="+f.state), f.dir+"/none", "", mustAbs(t, script))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.output, "the work tree has uncommitted changes")
	assert.Empty(t, f.calls("gh"))
}

func argsOf(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, strings.Join(c.Args, " "))
	}
	return out
}
