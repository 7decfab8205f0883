package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	var stderr bytes.Buffer
	fs := FlagSet("tool", &stderr)
	n := fs.Int("n", 0, "a number")
	status, done := Parse(fs, []string{"-n", "3", "arg"})
	assert.Equal(t, OK, status)
	assert.False(t, done)
	assert.Equal(t, 3, *n)
	assert.Equal(t, []string{"arg"}, fs.Args())

	status, done = Parse(FlagSet("tool", &stderr), []string{"-h"})
	assert.True(t, done)
	assert.Equal(t, OK, status, "help is not a failure")
	assert.Contains(t, stderr.String(), "Usage of tool")

	status, done = Parse(FlagSet("tool", &stderr), []string{"-nope"})
	assert.True(t, done)
	assert.Equal(t, Failure, status)
}

func TestReport(t *testing.T) {
	var stdout, stderr bytes.Buffer
	file := filepath.Join(t.TempDir(), "report.md")
	assert.True(t, Report("tool", "# Report\n", file, &stdout, &stderr))
	assert.Equal(t, "# Report\n", stdout.String())
	data, err := os.ReadFile(file)
	assert.NoError(t, err)
	assert.Equal(t, "# Report\n", string(data))

	stdout.Reset()
	assert.False(t, Report("tool", "x", filepath.Join(t.TempDir(), "missing", "r.md"), &stdout, &stderr))
	assert.Contains(t, stderr.String(), "tool: ")
	assert.True(t, Report("tool", "y", "", &stdout, &stderr), "no file: print only")
}
