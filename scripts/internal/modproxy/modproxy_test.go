package modproxy

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com",
		"-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false"}, args...)...).CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

// zipNames lists the files of a module zip.
func zipNames(t *testing.T, path string) []string {
	t.Helper()
	r, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer r.Close()
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

// A repository shaped like gem-go's: a root module, a nested maintainer module
// (scripts) that is no part of it, and a contrib module requiring the root.
func TestWriteLaysOutAReleaseProxy(t *testing.T) {
	repo := t.TempDir()
	gitIn(t, repo, "init", "-q")
	writeFile(t, repo, "go.mod", "module example.com/root\n\ngo 1.25.0\n")
	writeFile(t, repo, "gemclient/client.go", "package gemclient\n")
	writeFile(t, repo, "scripts/go.mod", "module example.com/root/scripts\n\ngo 1.26.0\n")
	writeFile(t, repo, "scripts/tool.go", "package scripts\n")
	writeFile(t, repo, "contrib/limit/go.mod",
		"module example.com/root/contrib/limit\n\ngo 1.25.0\n\nrequire example.com/root v0.1.0\n\nreplace example.com/root => ../..\n")
	writeFile(t, repo, "contrib/limit/limit.go", "package limit\n")
	writeFile(t, repo, "contrib/limit/gone.go", "package limit\n")
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	gitIn(t, repo, "tag", "v0.1.0")
	// What a release of the work tree holds: edits to tracked files, not
	// untracked files, not files deleted since.
	writeFile(t, repo, "gemclient/client.go", "package gemclient\n\nfunc New() {}\n")
	writeFile(t, repo, "gemclient/scratch.go", "package gemclient\n")
	require.NoError(t, os.Remove(filepath.Join(repo, "contrib/limit/gone.go")))

	ctx := context.Background()
	next, err := NextVersion(ctx, repo)
	require.NoError(t, err)
	assert.Equal(t, "v0.1.1", next)

	proxy := t.TempDir()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	mods, err := Write(ctx, repo, proxy, next, at)
	require.NoError(t, err)
	assert.Equal(t, []Module{{".", "example.com/root"}, {"contrib/limit", "example.com/root/contrib/limit"}}, mods)

	root := filepath.Join(proxy, "example.com/root/@v")
	assert.Equal(t, []string{"example.com/root@v0.1.1/gemclient/client.go", "example.com/root@v0.1.1/go.mod"},
		zipNames(t, filepath.Join(root, "v0.1.1.zip")), "no nested module, no untracked file")
	r, err := zip.OpenReader(filepath.Join(root, "v0.1.1.zip"))
	require.NoError(t, err)
	defer r.Close()
	f, err := r.Open("example.com/root@v0.1.1/gemclient/client.go")
	require.NoError(t, err)
	content, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Contains(t, string(content), "func New()", "the work tree's content")

	contrib := filepath.Join(proxy, "example.com/root/contrib/limit/@v")
	assert.Equal(t, []string{"example.com/root/contrib/limit@v0.1.1/go.mod", "example.com/root/contrib/limit@v0.1.1/limit.go"},
		zipNames(t, filepath.Join(contrib, "v0.1.1.zip")))
	mod, err := os.ReadFile(filepath.Join(contrib, "v0.1.1.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), "require example.com/root v0.1.1\n", "the requirement a release sets")
	assert.Contains(t, string(mod), "replace example.com/root => ../..", "kept: users' builds ignore it")
	info, err := os.ReadFile(filepath.Join(contrib, "v0.1.1.info"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"v0.1.1","Time":"2026-12-01T09:00:00Z"}`, string(info))

	// A second version is added to the list.
	_, err = Write(ctx, repo, proxy, "v0.2.0", at)
	require.NoError(t, err)
	list, err := os.ReadFile(filepath.Join(root, "list"))
	require.NoError(t, err)
	assert.Equal(t, "v0.1.1\nv0.2.0\n", string(list))

	_, err = Write(ctx, repo, proxy, "0.2.0", at)
	assert.ErrorContains(t, err, `"0.2.0" is not a module version`)
}

func TestNextVersionWithoutRelease(t *testing.T) {
	repo := t.TempDir()
	gitIn(t, repo, "init", "-q")
	got, err := NextVersion(context.Background(), repo)
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", got)
}

func TestRequireRoot(t *testing.T) {
	in := []byte("module example.com/root/contrib/x\n\ngo 1.25.0\n\nrequire (\n\texample.com/root v0.1.0\n\texample.com/other v1.0.0\n)\n")
	out, err := RequireRoot(in, "example.com/root", "v0.3.0")
	require.NoError(t, err)
	assert.Equal(t, strings.Replace(string(in), "root v0.1.0", "root v0.3.0", 1), string(out))

	none := []byte("module example.com/root/contrib/y\n\ngo 1.25.0\n")
	out, err = RequireRoot(none, "example.com/root", "v0.3.0")
	require.NoError(t, err)
	assert.Equal(t, string(none), string(out), "no requirement is added")
}
