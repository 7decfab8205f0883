package shelltest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const releaseChangelog = `# Changelog

## [Unreleased]

## [0.3.0-rc.1] - 2026-12-08

- A candidate.

## [0.2.0] - 2026-12-01

### Added

- ListProjects.

## [0.1.0]
`

// releaseRepo is a module with a tiny cmd/gemfake and a CHANGELOG.md.
func releaseRepo(t *testing.T) (*fixture, string) {
	f := newFixture(t)
	repo := f.clone("release")
	f.write(repo, "CHANGELOG.md", releaseChangelog)
	// Importing only os keeps the standard library the cross-compilation builds small.
	f.write(repo, "cmd/gemfake/main.go", "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"gemfake\\n\") }\n")
	f.git(repo, "add", "-A")
	f.git(repo, "commit", "-q", "-m", "release fixture")
	return f, repo
}

// releaseMu keeps the release tests' cross-compilations apart: run at once,
// both would compile the same standard library for the same targets.
var releaseMu sync.Mutex

func (f *fixture) release(repo, dist, tag string) runResult {
	f.t.Helper()
	releaseMu.Lock()
	defer releaseMu.Unlock()
	env := append(gitEnv(),
		"PATH="+f.stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SHELLTEST_STATE="+f.state,
		"RELEASE_DIST="+dist,
		// One cross target (the workflow builds six): each target is a build of the
		// standard library of its own, about 20 s of CPU with an empty build cache.
		"RELEASE_TARGETS=windows/arm64",
		"GOFLAGS=-buildvcs=false",
		"GOTOOLCHAIN=local",
	)
	return f.runScript(repo, env, filepath.Join(f.dir, "release-summary"), "", mustAbs(f.t, "../../release"), tag)
}

func TestRelease(t *testing.T) {
	t.Parallel()
	f, repo := releaseRepo(t)
	dist := filepath.Join(f.dir, "dist")
	r := f.release(repo, dist, "v0.2.0")
	require.Equal(t, 0, r.code, r.output)

	assets := []string{"gemfake_0.2.0_windows_arm64.exe"}
	var sums strings.Builder
	for _, a := range assets {
		data, err := os.ReadFile(filepath.Join(dist, a))
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), a)
	}
	assert.Equal(t, sums.String(), f.read(filepath.Join(dist, "SHA256SUMS")))
	pe, _ := os.ReadFile(filepath.Join(dist, assets[0]))
	assert.Equal(t, "MZ", string(pe[:2]), "a Windows executable")

	calls := f.calls("gh")
	require.Len(t, calls, 1)
	assert.Equal(t, "gh release create v0.2.0 --verify-tag --title … --notes-file … -- "+strings.Join(assets, " ")+" SHA256SUMS",
		f.commands("gh")[0])
	assert.Equal(t, "### Added\n\n- ListProjects.\n", calls[0].Body)
}

func TestReleasePrerelease(t *testing.T) {
	t.Parallel()
	f, repo := releaseRepo(t)
	r := f.release(repo, filepath.Join(f.dir, "dist"), "v0.3.0-rc.1")
	require.Equal(t, 0, r.code, r.output)
	assert.Contains(t, f.commands("gh")[0], "--prerelease")
	assert.Equal(t, "- A candidate.\n", f.calls("gh")[0].Body)
}

// No notes, no release: the run stops before building anything.
func TestReleaseNeedsItsChangelogSection(t *testing.T) {
	t.Parallel()
	f, repo := releaseRepo(t)
	dist := filepath.Join(f.dir, "dist")
	for tag, says := range map[string]string{
		"v0.4.0": `CHANGELOG.md has no section "## [0.4.0]"`,
		"v0.1.0": `CHANGELOG.md's section "## [0.1.0]" is empty`,
		"0.2.0":  "usage: scripts/release vMAJOR.MINOR.PATCH",
	} {
		r := f.release(repo, dist, tag)
		assert.NotEqual(t, 0, r.code, tag)
		assert.Contains(t, r.output, says)
		entries, _ := os.ReadDir(dist)
		assert.Empty(t, entries, "nothing built for %s", tag)
	}
	assert.Empty(t, f.calls("gh"))
}
