package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testdata = "../../testdata/"

func runCheck(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitStatus(t *testing.T) {
	overlay := "-overlay=" + testdata + "overlay.yaml"
	for _, tc := range []struct {
		spec  string
		extra []string
		want  int
		says  string
	}{
		{"base.json", nil, 0, "Every operation has an operationId"},
		{"new-endpoint.json", nil, 1, "operationId: ListProjects"},
		{"new-endpoint.json", []string{"-allow-unnamed"}, 0, "operationId: ListProjects"},
		{"removed-endpoint.json", []string{"-allow-unnamed"}, 1, "Overlay actions that match nothing (1)"},
	} {
		args := append([]string{"-spec=" + testdata + tc.spec, overlay}, tc.extra...)
		code, stdout, _ := runCheck(args...)
		assert.Equal(t, tc.want, code, "%v", args)
		assert.Contains(t, stdout, tc.says)
	}
}

func TestLoadError(t *testing.T) {
	code, _, stderr := runCheck("-spec="+testdata+"base.json", "-overlay="+testdata+"nope.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "overlaycheck: failed to parse overlay")
}

func TestRenamesAreSuggestedAndApplied(t *testing.T) {
	fixed := filepath.Join(t.TempDir(), "overlay.yaml")
	args := []string{"-spec=" + testdata + "renamed-schema.json", "-overlay=" + testdata + "overlay.yaml",
		"-base=" + testdata + "base.json", "-config=../../../oapi-codegen.yaml"}
	code, stdout, stderr := runCheck(append(args, "-apply="+fixed)...)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "  - target: \"$.components.schemas.Member\"\n    update: {x-go-name: User}\n")
	assert.Contains(t, stderr, "overlaycheck: wrote "+fixed)

	args[1] = "-overlay=" + fixed
	code, stdout, stderr = runCheck(args...)
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Contains(t, stdout, "The overlay keeps every Go type name.")
}

func TestBaseFromGit(t *testing.T) {
	// The committed fixture, named as git names it from the repository's root.
	code, stdout, stderr := runCheck("-spec="+testdata+"renamed-schema.json", "-overlay="+testdata+"overlay.yaml",
		"-base=HEAD:scripts/testdata/base.json", "-config=../../../oapi-codegen.yaml")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "Compared with `HEAD:scripts/testdata/base.json`")

	code, _, stderr = runCheck("-spec="+testdata+"base.json", "-overlay="+testdata+"overlay.yaml", "-base=HEAD:scripts/testdata/nope.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "base document HEAD:scripts/testdata/nope.json: git show")

	code, _, stderr = runCheck("-spec="+testdata+"base.json", "-overlay="+testdata+"overlay.yaml", "-base=nope.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "base document: open nope.json")
}

func TestDefaultBaseIsTheCommittedSpec(t *testing.T) {
	// A tracked file compared with itself at HEAD: no renames.
	code, stdout, _ := runCheck("-spec="+testdata+"base.json", "-overlay="+testdata+"overlay.yaml")
	assert.Equal(t, 0, code)
	assert.NotContains(t, stdout, "Renamed components")

	// An untracked file has no committed version: renames are not checked.
	data, err := os.ReadFile(testdata + "renamed-schema.json")
	require.NoError(t, err)
	spec := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(spec, data, 0o644))
	code, stdout, _ = runCheck("-spec="+spec, "-overlay="+testdata+"overlay.yaml")
	assert.Equal(t, 0, code)
	assert.NotContains(t, stdout, "Renamed components")
}
