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

// Flags may follow the documents or sit between them; the flag package alone
// would stop at the first document and take "-fail-on-breaking" for a third.
func TestFlagsAnywhere(t *testing.T) {
	out := filepath.Join(t.TempDir(), "changelog.md")
	base, rev := testdata+"base.json", testdata+"new-required-param.json"
	for _, args := range [][]string{
		{base, rev, "-fail-on-breaking", "-o", out},
		{base, "-fail-on-breaking", rev, "-o=" + out},
		{"-o", out, base, rev, "--fail-on-breaking"},
		{"-fail-on-breaking", "-o", out, "--", base, rev},
	} {
		os.Remove(out)
		code, stdout, stderr := runSpecdiff(args...)
		assert.Equal(t, 1, code, "%v: %s", args, stderr)
		written, err := os.ReadFile(out)
		require.NoError(t, err, "%v", args)
		assert.Equal(t, stdout, string(written))
	}
}

func TestDoubleDash(t *testing.T) {
	base, err := filepath.Abs(testdata + "base.json")
	require.NoError(t, err)
	rev, err := filepath.Abs(testdata + "new-required-param.json")
	require.NoError(t, err)

	// After "--" an argument that looks like a flag is a document.
	code, _, stderr := runSpecdiff("--", base, "-fail-on-breaking")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "load revision document -fail-on-breaking")

	// As the value of -o, "--" is a file name, not the end of the flags.
	t.Chdir(t.TempDir())
	code, stdout, stderr := runSpecdiff("-o", "--", base, "-fail-on-breaking", rev)
	assert.Equal(t, 1, code, stderr)
	written, err := os.ReadFile("--")
	require.NoError(t, err)
	assert.Equal(t, stdout, string(written))
}

func TestRemovedSchemaFailsOnBreaking(t *testing.T) {
	code, stdout, _ := runSpecdiff(testdata+"base.json", testdata+"renamed-schema.json", "-fail-on-breaking")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "**BREAKING** (error): removed the schema `User`")
}
