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

func runSpecdiff(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		revision string
		fail     bool
		want     int
	}{
		{"new-required-param.json", true, 1},
		{"removed-response-field.json", true, 1},
		{"new-required-param.json", false, 0},
		{"new-optional-param.json", true, 0},
		{"new-endpoint.json", true, 0},
	} {
		args := []string{testdata + "base.json", testdata + tc.revision}
		if tc.fail {
			args = append([]string{"-fail-on-breaking"}, args...)
		}
		code, stdout, _ := runSpecdiff(args...)
		assert.Equal(t, tc.want, code, "%v", args)
		assert.Contains(t, stdout, "# Changes in Gem's OpenAPI document")
	}
}

func TestWritesFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "changelog.md")
	code, stdout, stderr := runSpecdiff("-o", out, testdata+"base.json", testdata+"new-required-param.json")
	require.Equal(t, 0, code)
	written, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, stdout, string(written))
	assert.Contains(t, stdout, "**BREAKING** (error): added the new required `query` request parameter `owner_id`")
	assert.Equal(t, "specdiff: changes: 1, breaking: 1\n", stderr)
}

func TestErrors(t *testing.T) {
	code, _, stderr := runSpecdiff(testdata + "base.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "usage: specdiff")

	code, _, stderr = runSpecdiff(testdata+"base.json", testdata+"nope.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "specdiff: load revision document")
}
