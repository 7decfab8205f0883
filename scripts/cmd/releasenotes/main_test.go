package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	cl := filepath.Join(t.TempDir(), "CHANGELOG.md")
	require.NoError(t, os.WriteFile(cl, []byte("# Changelog\n\n## [0.2.0] - 2026-12-01\n\n### Added\n\n- X.\n\n## [0.1.0]\n\n- Y.\n"), 0o644))
	var o, e bytes.Buffer
	assert.Equal(t, 0, run([]string{"-changelog", cl, "v0.2.0"}, &o, &e), e.String())
	assert.Equal(t, "### Added\n\n- X.\n", o.String())

	o.Reset()
	assert.Equal(t, 1, run([]string{"-changelog", cl, "v0.3.0"}, &o, &e))
	assert.Empty(t, o.String())
	assert.Contains(t, e.String(), `no section "## [0.3.0]"`)

	assert.Equal(t, 2, run([]string{"-changelog", cl}, &o, &e))
	assert.Equal(t, 2, run([]string{"-changelog", cl + ".missing", "v0.2.0"}, &o, &e))
}
