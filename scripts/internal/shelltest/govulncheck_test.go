package shelltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripts/govulncheck scans every module git knows (testdata excepted) and
// fails when one calls vulnerable code. The database is a local one in
// testdata/vulndb: one made-up standard library vulnerability in fmt.Println.
func TestGovulncheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo := f.clone("vuln")
	// A second module, pinning a tool the way tools/ does.
	f.write(repo, "tools/go.mod", "module example.com/gemfixture/tools\n\ngo 1.24\n")
	f.write(repo, "tools/tools.go", "//go:build tools\n\npackage tools\n\nimport _ \"example.com/gemfixture/tools/cmd/pinned\"\n")
	f.write(repo, "tools/cmd/pinned/main.go", "package main\n\nfunc main() {}\n")
	// A module under testdata is not scanned.
	f.write(repo, "scripts/testdata/mod/go.mod", "module example.com/ignored\n\ngo 1.24\n")
	f.git(repo, "add", "-A")
	f.git(repo, "commit", "-q", "-m", "modules")

	db := "file://" + mustAbs(t, "testdata/vulndb")
	run := func() runResult {
		env := append(gitEnv(), "GOVULNCHECK_DB="+db, "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
		return f.runScript(repo, env, filepath.Join(f.dir, "none"), "", mustAbs(t, "../../govulncheck"))
	}

	r := run()
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, r.output, "== govulncheck: . (./...)\n")
	assert.Contains(t, r.output, "== govulncheck: tools (example.com/gemfixture/tools/cmd/pinned)\n")
	assert.Equal(t, 2, strings.Count(r.output, "Your code is affected by 0 vulnerabilities."), r.output)
	assert.NotContains(t, r.output, "ignored")

	// The SDK's module starts calling the vulnerable function: exit 3, named.
	f.write(repo, "gemclient/log.go", "package gemclient\n\nimport \"fmt\"\n\nfunc Log() { fmt.Println(\"x\") }\n")
	r = run()
	assert.Equal(t, 3, r.code, r.output)
	assert.Contains(t, r.output, "Vulnerability #1: GO-2099-0001")
	assert.Contains(t, r.output, "== govulncheck: tools", "the other modules are still scanned")
	require.NoError(t, os.Remove(filepath.Join(repo, "gemclient/log.go")))
}
