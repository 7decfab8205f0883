package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runGoapidiff(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

func TestExitStatus(t *testing.T) {
	repo := t.TempDir()
	git := func(args ...string) {
		out, err := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false"}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git("init", "-q")
	write(t, repo, "go.mod", "module example.com/m\n\ngo 1.24\n")
	write(t, repo, "gen/gen.go", "package gen\n\nfunc Old() {}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "v0.2.0")
	git("tag", "v0.2.0")

	write(t, repo, "gen/gen.go", "package gen\n\nfunc New() {}\n")
	out := filepath.Join(t.TempDir(), "apidiff.md")
	code, stdout, stderr := runGoapidiff("-repo", repo, "-o", out, "-fail-on-incompatible", "./gen")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "- `./gen.Old: removed`")
	assert.Equal(t, "goapidiff: base v0.2.0, incompatible: 1, compatible: 1, bump: minor\n", stderr)
	written, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, stdout, string(written))

	code, _, _ = runGoapidiff("-repo", repo, "./gen")
	assert.Equal(t, 0, code, "without -fail-on-incompatible")

	write(t, repo, "gen/gen.go", "package gen\n\nfunc New() { undefined() }\n")
	code, _, stderr = runGoapidiff("-repo", repo, "./gen")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "goapidiff: in the work tree")
	assert.Contains(t, stderr, "undefined")

	code, _, stderr = runGoapidiff("-repo", repo, "-base", "v9.9.9", "./gen")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "git archive")
}
