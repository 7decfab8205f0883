package goapi

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtureRepo makes a git repository holding a tiny module with the packages
// gen and gemclient (testdata/base), commits it and tags the commit with each
// of tags. It returns the repository's root.
func fixtureRepo(t *testing.T, tags ...string) string {
	t.Helper()
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fixture\n\ngo 1.24\n"), 0o644))
	overlay(t, dir, "base")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	for _, tag := range tags {
		gitIn(t, dir, "tag", tag)
	}
	return dir
}

// overlay copies testdata/<variant> over the work tree of dir.
// A fixture's go.mod is stored as go.mod.in: under testdata a go.mod would make a module
// of its own, which `go vet` and anything else that looks for modules in the tree would
// try to build outside the fixture, where its replace points at nothing.
func overlay(t *testing.T, dir, variant string) {
	t.Helper()
	src := filepath.Join("testdata", variant)
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if filepath.Base(rel) == "go.mod.in" {
			rel = filepath.Join(filepath.Dir(rel), "go.mod")
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	}))
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "tag.gpgSign=false", "-c", "commit.gpgSign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func compare(t *testing.T, o Options) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := Compare(ctx, o)
	require.NoError(t, err)
	return r
}

func TestRemovedFieldIsIncompatible(t *testing.T) {
	repo := fixtureRepo(t, "v0.3.1")
	overlay(t, repo, "removed")
	r := compare(t, Options{Repo: repo})
	assert.Equal(t, "v0.3.1", r.Base)
	assert.Equal(t, []string{"./gen.Candidate.Title: removed"}, r.Incompatible)
	assert.Equal(t, []string{"./gen.ListProjects: added", "./gen.Project: added"}, r.Compatible)
	assert.Equal(t, "minor", r.Bump)
	assert.Equal(t, "v0.4.0", r.Next)

	md := r.Markdown()
	assert.Contains(t, md, "compared with the release `v0.3.1`")
	assert.Contains(t, md, "**Version bump: minor** (v0.3.1 → v0.4.0): incompatible changes to the Go API, which bump the minor while the SDK is v0")
	assert.Contains(t, md, "### Incompatible: break Go callers (1)\n\n- `./gen.Candidate.Title: removed`\n")
	assert.Contains(t, md, "### Compatible (2)\n")
}

func TestAdditionsAreCompatible(t *testing.T) {
	repo := fixtureRepo(t, "v0.3.1")
	overlay(t, repo, "added")
	r := compare(t, Options{Repo: repo})
	assert.Empty(t, r.Incompatible)
	assert.Equal(t, []string{"./gen.Candidate.Email: added", "./gen.ListProjects: added", "./gen.Project: added"}, r.Compatible)
	assert.Equal(t, "minor", r.Bump)
	assert.Equal(t, "v0.4.0", r.Next)
}

func TestUnchangedIsPatch(t *testing.T) {
	repo := fixtureRepo(t, "v0.3.1")
	overlay(t, repo, "internalonly") // internal packages do not count
	r := compare(t, Options{Repo: repo})
	assert.Empty(t, r.Incompatible)
	assert.Empty(t, r.Compatible)
	assert.Equal(t, "patch", r.Bump)
	assert.Equal(t, "v0.3.2", r.Next)
	assert.Contains(t, r.Markdown(), "No exported identifier changed.")

	// oasdiff's breaking change with the Go API unchanged: minor, by the policy.
	r = compare(t, Options{Repo: repo, SpecBreaking: true})
	assert.Equal(t, "minor", r.Bump)
	assert.Contains(t, r.Why, "Gem changed behaviour")
}

func TestAfterV1IncompatibleIsMajor(t *testing.T) {
	repo := fixtureRepo(t, "v1.2.0")
	overlay(t, repo, "removed")
	r := compare(t, Options{Repo: repo})
	assert.Equal(t, "major", r.Bump)
	assert.Equal(t, "v2.0.0", r.Next)
}

func TestNoReleaseComparesWithFallback(t *testing.T) {
	repo := fixtureRepo(t)
	overlay(t, repo, "removed")
	_, err := Compare(context.Background(), Options{Repo: repo})
	require.ErrorContains(t, err, "no release tag")

	head := gitIn(t, repo, "rev-parse", "--short", "HEAD")
	r := compare(t, Options{Repo: repo, Fallback: head})
	assert.True(t, r.NoRelease)
	assert.Equal(t, head, r.Base)
	assert.Len(t, r.Incompatible, 1)
	assert.Empty(t, r.Bump)
	md := r.Markdown()
	assert.Contains(t, md, "There is no release tag (`v*`) yet, so the exported API of `./gen`, `./gemclient` on this branch is compared with `"+head+"`, the commit this run started from")
	assert.Contains(t, md, "**Version bump: none computed**: no release yet")
}

// A package the release did not have is an addition, not a load error.
func TestPackageMissingAtBase(t *testing.T) {
	repo := fixtureRepo(t, "v0.1.0")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "gemtest"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "gemtest", "fake.go"), []byte("package gemtest\n\nfunc NewServer() {}\n"), 0o644))
	r := compare(t, Options{Repo: repo, Packages: []string{"./gen", "./gemclient", "./gemtest"}})
	assert.Equal(t, []string{"package example.com/fixture/gemtest: added"}, r.Compatible)
	assert.Equal(t, "minor", r.Bump)
}

func TestBrokenWorkTreeIsAnError(t *testing.T) {
	repo := fixtureRepo(t, "v0.1.0")
	overlay(t, repo, "broken")
	_, err := Compare(context.Background(), Options{Repo: repo})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in the work tree")
	assert.Contains(t, err.Error(), "Title")
}

func TestLatestRelease(t *testing.T) {
	repo := fixtureRepo(t, "v0.2.0", "v0.10.0", "v0.9.1", "v1.0.0-rc.1", "vfoo", "v0.11", "release-1")
	got, err := LatestRelease(context.Background(), repo)
	require.NoError(t, err)
	assert.Equal(t, "v0.10.0", got, "semantic order, pre-releases and non-versions skipped")

	got, err = LatestRelease(context.Background(), fixtureRepo(t))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestComputeBump(t *testing.T) {
	for _, tc := range []struct {
		release                          string
		incompatible, compatible, oasdif bool
		bump, next                       string
	}{
		{"v0.4.2", true, true, true, "minor", "v0.5.0"},
		{"v0.4.2", false, true, false, "minor", "v0.5.0"},
		{"v0.4.2", false, false, true, "minor", "v0.5.0"},
		{"v0.4.2", false, false, false, "patch", "v0.4.3"},
		{"v1.4.2", true, false, false, "major", "v2.0.0"},
		{"v1.4.2", false, true, false, "minor", "v1.5.0"},
		{"", true, false, false, "", ""},
	} {
		bump, next, why := ComputeBump(tc.release, tc.incompatible, tc.compatible, tc.oasdif)
		assert.Equal(t, tc.bump, bump, "%+v", tc)
		assert.Equal(t, tc.next, next, "%+v", tc)
		assert.NotEmpty(t, why)
	}
}

func TestMarkdownBoundsLists(t *testing.T) {
	r := &Result{Packages: DefaultPackages, Base: "v0.1.0", Release: "v0.1.0", Bump: "minor", Next: "v0.2.0", Why: "x"}
	for range MaxListed + 5 {
		r.Compatible = append(r.Compatible, "./gen.X: added")
	}
	md := r.Markdown()
	assert.Equal(t, MaxListed, strings.Count(md, "- `./gen.X: added`"))
	assert.Contains(t, md, "- … and 5 more\n")
}

// commitAll commits the work tree of repo and tags the commit with each of tags.
func commitAll(t *testing.T, repo, msg string, tags ...string) {
	t.Helper()
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", msg)
	for _, tag := range tags {
		gitIn(t, repo, "tag", tag)
	}
}

// gemtest and the contrib modules are compared too, each contrib module with
// its own last release tag: here contrib/limit/v0.1.0, older than the root's
// v0.1.1, so Pause (added after it) is listed although v0.1.1 had it.
func TestGemtestAndContribModules(t *testing.T) {
	repo := fixtureRepo(t)
	overlay(t, repo, "modules")
	commitAll(t, repo, "modules", "v0.1.0", "contrib/limit/v0.1.0")
	overlay(t, repo, "modules-mid")
	commitAll(t, repo, "root release only", "v0.1.1")
	overlay(t, repo, "modules-changed")

	r := compare(t, Options{Repo: repo})
	assert.Equal(t, []ModuleBase{
		{Dir: ".", Path: "example.com/fixture", Base: "v0.1.1", Patterns: []string{"./gen", "./gemclient", "./gemtest"}},
		{Dir: "contrib/limit", Path: "example.com/fixture/contrib/limit", Base: "contrib/limit/v0.1.0", Patterns: []string{"./..."}},
	}, r.Modules)
	assert.Equal(t, []string{"./gen", "./gemclient", "./gemtest", "./contrib/limit/..."}, r.Packages)
	assert.Equal(t, []string{
		"./contrib/limit.New: changed from func(*example.com/fixture/gemclient.Client) *Limiter to func(*example.com/fixture/gemclient.Client, int) *Limiter",
		"./gemtest.NewUnstartedServer: removed",
	}, r.Incompatible)
	assert.Equal(t, []string{"./contrib/limit.(*Limiter).Pause: added"}, r.Compatible)
	assert.Equal(t, "minor", r.Bump)
	assert.Equal(t, "v0.2.0", r.Next)

	md := r.Markdown()
	assert.Contains(t, md, "The exported API of `./gen`, `./gemclient`, `./gemtest`, `./contrib/limit/...` on this branch, compared with the release `v0.1.1`")
	assert.Contains(t, md, "The module `example.com/fixture/contrib/limit` is compared with its own release `contrib/limit/v0.1.0`.")
	assert.Contains(t, md, "- `./gemtest.NewUnstartedServer: removed`\n")

	// -base applies to every module.
	r = compare(t, Options{Repo: repo, Base: "v0.1.1"})
	assert.Equal(t, "v0.1.1", r.Modules[1].Base)
	assert.Empty(t, r.Compatible)
}

// A contrib module without a release of its own is compared with the root's
// base: new there, each of its packages is an addition.
func TestNewContribModule(t *testing.T) {
	repo := fixtureRepo(t, "v0.1.0")
	overlay(t, repo, "modules")
	r := compare(t, Options{Repo: repo})
	assert.Empty(t, r.Incompatible)
	assert.Equal(t, []string{"package example.com/fixture/contrib/limit: added", "package example.com/fixture/gemtest: added"}, r.Compatible)
	assert.Equal(t, "contrib/limit", r.Modules[1].Dir)
	assert.Equal(t, "v0.1.0", r.Modules[1].Base)
	assert.Contains(t, r.Markdown(), "The module `example.com/fixture/contrib/limit` has no release of its own yet, so it is compared with `v0.1.0` too")

	// Named explicitly, a pattern inside the module is loaded in it.
	r = compare(t, Options{Repo: repo, Packages: []string{"./contrib/limit"}})
	assert.Equal(t, []string{"./contrib/limit"}, r.Packages)
	assert.Equal(t, []string{"package example.com/fixture/contrib/limit: added"}, r.Compatible)

	_, err := Compare(context.Background(), Options{Repo: repo, Packages: []string{"../elsewhere"}})
	assert.ErrorContains(t, err, "outside the repository")
}

func TestDefaultPatterns(t *testing.T) {
	repo := fixtureRepo(t)
	overlay(t, repo, "modules")
	got, err := DefaultPatterns(repo)
	require.NoError(t, err)
	assert.Equal(t, []string{"./gen", "./gemclient", "./gemtest", "./contrib/limit/..."}, got)
}
