package changelog

import (
	"testing"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const base = "../../testdata/base.json"

func compare(t *testing.T, revision string) *Changelog {
	t.Helper()
	c, err := Compare(base, "../../testdata/"+revision)
	require.NoError(t, err)
	return c
}

func TestRemovedResponseFieldIsBreaking(t *testing.T) {
	c := compare(t, "removed-response-field.json")
	// Candidate is returned by four operations; each loses created_at.
	require.Len(t, c.Entries, 4)
	for _, e := range c.Entries {
		assert.True(t, e.Breaking())
		assert.Equal(t, checker.ERR, e.Level)
		assert.Equal(t, "response-required-property-removed", e.Rule)
		assert.Contains(t, e.Text, "created_at")
	}
	assert.Contains(t, c.Markdown(), "## `GET /v0/candidates/{candidate_id}`\n\n"+
		"- **BREAKING** (error): removed the required property `created_at` from the response with the `200` status (`response-required-property-removed`)\n")
}

// Gem's response schemas have no required lists, so this is the usual shape of
// a removed response field: optional for oasdiff, a vanished struct field in gen/.
func TestRemovedOptionalResponseFieldIsBreaking(t *testing.T) {
	c := compare(t, "removed-optional-response-field.json")
	require.Len(t, c.Entries, 4, "one per operation returning Candidate")
	for _, e := range c.Entries {
		assert.True(t, e.Breaking(), e.Text)
		assert.Equal(t, "response-optional-property-removed", e.Rule)
		assert.Contains(t, e.Text, "title")
	}
	assert.Len(t, c.Breaking(), 4)
}

func TestNewRequiredParameterIsBreaking(t *testing.T) {
	c := compare(t, "new-required-param.json")
	require.Len(t, c.Entries, 1)
	e := c.Entries[0]
	assert.Equal(t, Entry{
		Rule: "new-required-request-parameter", Level: checker.ERR, Method: "GET", Path: "/v0/candidates",
		Section: "paths", Text: "added the new required `query` request parameter `owner_id`",
	}, e)
	assert.Len(t, c.Breaking(), 1)
	assert.Contains(t, c.Markdown(), "1 change, 1 breaking change")
}

func TestNewOptionalParameterIsNotBreaking(t *testing.T) {
	c := compare(t, "new-optional-param.json")
	require.Len(t, c.Entries, 1)
	assert.Equal(t, "new-optional-request-parameter", c.Entries[0].Rule)
	assert.Equal(t, "GET", c.Entries[0].Method)
	assert.Empty(t, c.Breaking())
	md := c.Markdown()
	assert.Contains(t, md, "- added the new optional `query` request parameter `owner_id` (`new-optional-request-parameter`)\n")
	assert.NotContains(t, md, "BREAKING")
}

func TestNewEndpointIsNotBreaking(t *testing.T) {
	c := compare(t, "new-endpoint.json")
	require.Len(t, c.Entries, 1)
	e := c.Entries[0]
	assert.Equal(t, "endpoint-added", e.Rule)
	assert.Equal(t, "GET /v0/projects", e.Method+" "+e.Path)
	assert.False(t, e.Breaking())
	assert.Contains(t, c.Markdown(), "## `GET /v0/projects`\n\n- endpoint added (`endpoint-added`)\n")
}

func TestRemovedEndpointIsBreaking(t *testing.T) {
	c := compare(t, "removed-endpoint.json")
	require.Len(t, c.Breaking(), 1)
	assert.Equal(t, "GET /v0/users", c.Entries[0].Method+" "+c.Entries[0].Path)
}

func TestIdenticalDocuments(t *testing.T) {
	c := compare(t, "base.json")
	assert.True(t, c.Identical)
	assert.Empty(t, c.Entries)
	assert.Equal(t, "# Changes in Gem's OpenAPI document\n\nNo changes.\n", c.Markdown())
}

func TestEntriesSortedByOperation(t *testing.T) {
	c := compare(t, "removed-response-field.json")
	var ops []string
	for _, e := range c.Entries {
		ops = append(ops, e.Method+" "+e.Path)
	}
	assert.Equal(t, []string{
		"GET /v0/candidates", "POST /v0/candidates",
		"GET /v0/candidates/{candidate_id}", "PUT /v0/candidates/{candidate_id}",
	}, ops)
}

func TestCompareLoadError(t *testing.T) {
	_, err := Compare(base, "../../testdata/missing.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "load revision document ../../testdata/missing.json")
}

// A schema removed from components.schemas deletes a Go type in gen/ even when
// the JSON on the wire is unchanged: here Gem inlines User into GET /v0/users.
// oasdiff reports it as "info"; the SDK raises it to breaking.
func TestRemovedComponentSchemaIsBreaking(t *testing.T) {
	c := compare(t, "removed-schema.json")
	require.Len(t, c.Entries, 1)
	e := c.Entries[0]
	assert.Equal(t, Entry{
		Rule: "api-schema-removed", Level: checker.ERR, Section: "components",
		Text:    "removed the schema `User`",
		Comment: sdkComments["api-schema-removed"],
	}, e)
	assert.Len(t, c.Breaking(), 1)
	assert.Contains(t, c.Markdown(), "## Other changes: components\n\n"+
		"- **BREAKING** (error): removed the schema `User` (`api-schema-removed`)\n"+
		"  _Breaks the Go SDK: the generated Go type of this name is deleted")
}

// A renamed schema (User → Member, every $ref updated) is the same for HTTP
// clients and a removed type plus a new one for Go callers.
func TestRenamedComponentSchemaIsBreaking(t *testing.T) {
	c := compare(t, "renamed-schema.json")
	require.Len(t, c.Breaking(), 1)
	assert.Equal(t, "api-schema-removed", c.Breaking()[0].Rule)
	assert.Contains(t, c.Breaking()[0].Text, "`User`")
	assert.Contains(t, c.Markdown(), "1 change, 1 breaking change")
}

func TestRemovedOptionalResponseFieldSaysWhy(t *testing.T) {
	c := compare(t, "removed-optional-response-field.json")
	assert.Contains(t, c.Markdown(), "  _Breaks the Go SDK: the field of the generated struct is deleted._\n")
}
