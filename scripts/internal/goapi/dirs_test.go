package goapi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleDir writes the fixture module with testdata/base, then each variant over it,
// into a new directory (no git).
func moduleDir(t *testing.T, variants ...string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fixture\n\ngo 1.24\n"), 0o644))
	for _, v := range append([]string{"base"}, variants...) {
		overlay(t, dir, v)
	}
	return dir
}

func TestCompareDirs(t *testing.T) {
	base := moduleDir(t)
	incompatible, compatible, err := CompareDirs(t.Context(), base, moduleDir(t), []string{"./gen", "./gemclient"})
	require.NoError(t, err)
	assert.Empty(t, incompatible)
	assert.Empty(t, compatible)

	incompatible, compatible, err = CompareDirs(t.Context(), base, moduleDir(t, "removed"), []string{"./gen"})
	require.NoError(t, err)
	assert.Equal(t, []string{"./gen.Candidate.Title: removed"}, incompatible)
	assert.Equal(t, []string{"./gen.ListProjects: added", "./gen.Project: added"}, compatible)

	incompatible, compatible, err = CompareDirs(t.Context(), base, moduleDir(t, "added"), []string{"./gen"})
	require.NoError(t, err)
	assert.Empty(t, incompatible)
	assert.Equal(t, []string{"./gen.Candidate.Email: added", "./gen.ListProjects: added", "./gen.Project: added"}, compatible)

	_, _, err = CompareDirs(t.Context(), base, moduleDir(t, "broken"), []string{"./gen"})
	assert.ErrorContains(t, err, "in "+os.TempDir())
}
