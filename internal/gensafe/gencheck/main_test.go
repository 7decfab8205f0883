package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// 0: fine; 1: refused, each problem named; 2: cannot read, or wrong arguments.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	hostile := filepath.Join(dir, "openapi.json")
	require.NoError(t, os.WriteFile(hostile, []byte(`{"openapi":"3.0.3","paths":{"/v0/a`+"`"+`b":{}}}`), 0o644))
	withInit := filepath.Join(dir, "x.gen.go")
	require.NoError(t, os.WriteFile(withInit, []byte("package x\n\nfunc init() {}\n"), 0o644))
	plain := filepath.Join(dir, "y.gen.go")
	require.NoError(t, os.WriteFile(plain, []byte("package x\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n"), 0o644))

	for _, tc := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"-document", "../../../api/openapi.json"}, 0, ""},
		{[]string{"-document", hostile}, 1, `the key "/v0/a\x60b" is not a path`},
		{[]string{"-document", filepath.Join(dir, "missing.json")}, 2, "no such file"},
		{[]string{"-package", "x", "-imports", "fmt", plain}, 0, ""},
		{[]string{"-package", "x", "-imports", "fmt", plain, withInit}, 1, "x.gen.go:3:1: declares func init"},
		{[]string{"-package", "x"}, 2, "usage"},
		{[]string{plain}, 2, "usage"},
	} {
		var stderr bytes.Buffer
		assert.Equal(t, tc.status, run(tc.args, &stderr), "%v: %s", tc.args, stderr.String())
		assert.Contains(t, stderr.String(), tc.says, "%v", tc.args)
	}
}
