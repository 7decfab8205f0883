package relnotes

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const changelog = `# Changelog

Intro text with a [link](https://example.com).

## Versioning policy

- not a release

## [Unreleased]

### Added

- Something not released yet.

## [0.2.0] - 2026-12-01

### Breaking

- ` + "`gen.Candidate.Title`" + ` removed: Gem dropped the field.

` + "```go" + `
## [9.9.9] inside a code block is not a heading
` + "```" + `

### Added

- ListProjects.

## [v0.1.1] - 2026-11-20

### Fixed

- A retry bug.

## [0.1.0] - 2026-11-01

## [0.0.1]

- The first cut.

[0.2.0]: https://github.com/gem-go/gem-go/compare/v0.1.1...v0.2.0
[0.0.1]: https://github.com/gem-go/gem-go/releases/tag/v0.0.1
`

func TestSection(t *testing.T) {
	got, err := Section([]byte(changelog), "v0.2.0")
	require.NoError(t, err)
	assert.Equal(t, "### Breaking\n\n- `gen.Candidate.Title` removed: Gem dropped the field.\n\n```go\n## [9.9.9] inside a code block is not a heading\n```\n\n### Added\n\n- ListProjects.\n", got)

	got, err = Section([]byte(changelog), "0.1.1")
	require.NoError(t, err, "a heading with a v matches too")
	assert.Equal(t, "### Fixed\n\n- A retry bug.\n", got)

	got, err = Section([]byte(changelog), "v0.0.1")
	require.NoError(t, err)
	assert.Equal(t, "- The first cut.\n", got, "the link definitions at the end are not notes")
}

func TestMissingOrEmptySection(t *testing.T) {
	_, err := Section([]byte(changelog), "v0.3.0")
	assert.EqualError(t, err, `CHANGELOG.md has no section "## [0.3.0]": write the release's notes there first`)
	_, err = Section([]byte(changelog), "v0.1.0")
	assert.EqualError(t, err, `CHANGELOG.md's section "## [0.1.0]" is empty`)
	_, err = Section([]byte(changelog), "v9.9.9")
	assert.Error(t, err, "a heading inside a code block is not a section")
	_, err = Section([]byte(changelog), "Unreleased")
	assert.NoError(t, err)
}

// The project's own CHANGELOG.md has the shape Section reads.
func TestProjectChangelog(t *testing.T) {
	data, err := os.ReadFile("../../../CHANGELOG.md")
	require.NoError(t, err)
	notes, err := Section(data, "Unreleased")
	require.NoError(t, err)
	assert.Contains(t, notes, "### Added")
	assert.NotContains(t, notes, "Versioning policy")
}
