package shelltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture's root module (newFixture's go.mod).
const fixtureModule = "example.com/gemfixture"

// contribGoMod is a contrib module's go.mod requiring the fixture's root at
// version, with the replace local development uses.
func contribGoMod(name, version string) string {
	return "module " + fixtureModule + "/contrib/" + name + "\n\ngo 1.24\n\nrequire " + fixtureModule + " " + version +
		"\n\nreplace " + fixtureModule + " => ../..\n"
}

// multiModuleRepo is releaseRepo's repository with contrib modules requiring
// the root at the versions given, pushed to origin (scripts/release tag
// releases only what origin has).
func multiModuleRepo(t *testing.T, requires map[string]string) (*fixture, string) {
	f, repo := releaseRepo(t)
	f.write(repo, "CHANGELOG.md", releaseChangelog+"\n## [0.0.9] - 2026-11-01\n\n- Before the first tag.\n")
	for name, version := range requires {
		f.write(repo, "contrib/"+name+"/go.mod", contribGoMod(name, version))
		f.write(repo, "contrib/"+name+"/"+name+".go", "package "+name+"\n\nimport _ \""+fixtureModule+"/gemclient\"\n")
	}
	f.git(repo, "add", "-A")
	f.git(repo, "commit", "-q", "-m", "contrib modules")
	f.git(repo, "push", "-q", "origin", "main")
	return f, repo
}

// releaseEnv is the environment a maintainer's run has: gh and make stubbed,
// and an identity for the release commit.
func (f *fixture) releaseEnv(dist string) []string {
	return append(gitEnv(),
		"PATH="+f.stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SHELLTEST_STATE="+f.state,
		"RELEASE_DIST="+dist,
		"RELEASE_TARGETS=linux/amd64",
		"GOFLAGS=-buildvcs=false",
		"GOTOOLCHAIN=local",
		"GIT_AUTHOR_NAME=Maintainer", "GIT_AUTHOR_EMAIL=maintainer@example.com",
		"GIT_COMMITTER_NAME=Maintainer", "GIT_COMMITTER_EMAIL=maintainer@example.com",
	)
}

func (f *fixture) releaseScript(repo string, args ...string) runResult {
	f.t.Helper()
	return f.runScript(repo, f.releaseEnv(filepath.Join(f.dir, "dist")), filepath.Join(f.dir, "release-summary"), "",
		mustAbs(f.t, "../../release"), args...)
}

// originTags returns origin's tags, each with the commit it points to.
func (f *fixture) originTags() map[string]string {
	f.t.Helper()
	out := f.git(f.origin, "for-each-ref", "--format=%(refname:strip=2) %(*objectname)%(objectname)", "refs/tags")
	tags := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if name, objs, ok := strings.Cut(line, " "); ok {
			// Annotated tags print the commit then the tag object; lightweight ones the commit.
			tags[name] = objs[:40]
		}
	}
	return tags
}

// scripts/release tag: one release commit in which every contrib module
// requires the root at the version released, and the tags of every module on
// it, pushed atomically; the workflow's publish step then accepts it.
func TestReleaseTagTagsEveryModule(t *testing.T) {
	f, repo := multiModuleRepo(t, map[string]string{"redis": "v0.1.0", "otel": "v0.2.0"})
	before := f.remoteBranch("main")

	r := f.releaseScript(repo, "tag", "v0.2.0", "--push")
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.output, "contrib/redis now requires example.com/gemfixture v0.2.0 (was v0.1.0)")

	head := f.remoteBranch("main")
	assert.Equal(t, []string{"Release v0.2.0: contrib modules require example.com/gemfixture v0.2.0"}, f.log(before+".."+head))
	assert.Equal(t, contribGoMod("redis", "v0.2.0"), f.git(f.origin, "show", head+":contrib/redis/go.mod")+"\n",
		"the requirement moves, the replace stays")
	assert.Equal(t, contribGoMod("otel", "v0.2.0"), f.git(f.origin, "show", head+":contrib/otel/go.mod")+"\n")
	assert.Equal(t, "contrib/redis/go.mod", f.git(f.origin, "diff", "--name-only", before, head), "nothing else changes")

	tags := f.originTags()
	for _, name := range []string{"v0.2.0", "contrib/otel/v0.2.0", "contrib/redis/v0.2.0"} {
		assert.Equal(t, head, tags[name], name)
		assert.Equal(t, "tag", f.git(f.origin, "cat-file", "-t", "refs/tags/"+name), "%s is annotated", name)
	}
	assert.Equal(t, "example.com/gemfixture/contrib/redis v0.2.0", f.git(f.origin, "tag", "-l", "--format=%(contents:subject)", "contrib/redis/v0.2.0"))

	// The release workflow, on the tag's commit.
	work := f.clone("workflow")
	f.git(work, "checkout", "-q", "v0.2.0")
	r = f.releaseScript(work, "v0.2.0")
	require.Equal(t, 0, r.code, r.output)
	assert.Equal(t, []string{"gh release create v0.2.0 --verify-tag --title … --notes-file … -- gemfake_0.2.0_linux_amd64 SHA256SUMS"},
		f.commands("gh"))
}

// Without --push it tags locally and prints the push; with every module
// already requiring the version there is no release commit.
func TestReleaseTagWithoutPush(t *testing.T) {
	f, repo := multiModuleRepo(t, map[string]string{"otel": "v0.2.0"})
	before := f.remoteBranch("main")
	r := f.releaseScript(repo, "tag", "v0.2.0")
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.output, "git push --atomic origin HEAD:refs/heads/main refs/tags/v0.2.0 refs/tags/contrib/otel/v0.2.0")
	assert.Equal(t, before, f.git(repo, "rev-parse", "HEAD"), "no release commit")
	assert.Equal(t, before, f.git(repo, "rev-parse", "contrib/otel/v0.2.0^{commit}"))
	assert.NotContains(t, f.originTags(), "v0.2.0", "nothing pushed")
}

// Each refusal leaves origin as it was: no commit, no tag.
func TestReleaseTagRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		requires map[string]string
		prepare  func(f *fixture, repo string)
		tag      string
		says     string
	}{
		{
			name:     "a contrib module requires an unreleased root",
			requires: map[string]string{"redis": "v0.3.0"},
			tag:      "v0.2.0",
			says:     "contrib/redis requires example.com/gemfixture v0.3.0, newer than v0.2.0: it would be released requiring an unreleased root",
		},
		{
			name: "not above the last release",
			tag:  "v0.0.9",
			says: "v0.0.9 is not above the last release v0.1.0",
		},
		{
			name:     "a module's tag exists",
			requires: map[string]string{"redis": "v0.1.0"},
			prepare: func(f *fixture, repo string) {
				f.git(repo, "tag", "contrib/redis/v0.2.0")
				f.git(repo, "push", "-q", "origin", "contrib/redis/v0.2.0")
				f.git(repo, "tag", "-d", "contrib/redis/v0.2.0")
			},
			tag:  "v0.2.0",
			says: "the tag contrib/redis/v0.2.0 exists already",
		},
		{
			name:    "uncommitted changes",
			prepare: func(f *fixture, repo string) { f.write(repo, "gemclient/client.go", "package gemclient\n") },
			tag:     "v0.2.0",
			says:    "the work tree has uncommitted changes",
		},
		{
			name: "behind origin",
			prepare: func(f *fixture, repo string) {
				other := f.clone("other")
				f.write(other, "NEWS", "x\n")
				f.git(other, "add", "NEWS")
				f.git(other, "commit", "-q", "-m", "elsewhere")
				f.git(other, "push", "-q", "origin", "main")
			},
			tag:  "v0.2.0",
			says: "main is not what origin has",
		},
		{
			name: "no notes",
			tag:  "v0.4.0",
			says: `CHANGELOG.md has no section "## [0.4.0]"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, repo := multiModuleRepo(t, tc.requires)
			if tc.prepare != nil {
				tc.prepare(f, repo)
			}
			main, tags := f.remoteBranch("main"), f.originTags()
			r := f.releaseScript(repo, "tag", tc.tag, "--push")
			assert.NotEqual(t, 0, r.code, r.output)
			assert.Contains(t, r.output, tc.says)
			assert.Equal(t, main, f.remoteBranch("main"))
			assert.Equal(t, tags, f.originTags())
			assert.Empty(t, f.git(repo, "tag", "-l", tc.tag, "contrib/*/"+tc.tag), "no local tag")
		})
	}
}

// The publish step refuses a root tag pushed by hand: its contrib modules
// would require another root, or have no tag of their own.
func TestReleasePublishNeedsEveryModule(t *testing.T) {
	f, repo := multiModuleRepo(t, map[string]string{"redis": "v0.1.0"})
	f.git(repo, "tag", "v0.2.0")
	r := f.releaseScript(repo, "v0.2.0")
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.output, "contrib/redis requires example.com/gemfixture v0.1.0, not v0.2.0")

	f.write(repo, "contrib/redis/go.mod", contribGoMod("redis", "v0.2.0"))
	f.git(repo, "commit", "-q", "-am", "bump by hand")
	r = f.releaseScript(repo, "v0.2.0")
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.output, "the tag contrib/redis/v0.2.0 is missing or not on this commit")

	// A tag on another commit is no better than none.
	f.git(repo, "tag", "contrib/redis/v0.2.0", "HEAD~1")
	r = f.releaseScript(repo, "v0.2.0")
	assert.Equal(t, 1, r.code, r.output)
	assert.Contains(t, r.output, "the tag contrib/redis/v0.2.0 is missing or not on this commit")

	entries, _ := os.ReadDir(filepath.Join(f.dir, "dist"))
	assert.Empty(t, entries, "nothing built")
	assert.Empty(t, f.calls("gh"))
}
