package changelog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const base = "../../testdata/base.json"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata", name))
	require.NoError(t, err)
	return b
}

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

// hostile is a name from a document that would break out of a code span and
// put HTML, a table, a heading and a mention into the pull request's body.
const hostile = "owner`) <script>alert(1)</script> | @octocat\n# Heading\u202e"

// outsideCodeSpans returns a Markdown line with its code spans removed.
func outsideCodeSpans(line string) string {
	parts := strings.Split(line, "`")
	var out []string
	for i := 0; i < len(parts); i += 2 {
		out = append(out, parts[i])
	}
	return strings.Join(out, "")
}

// Every name a document brings (a parameter, a path, a property, an enum
// value, the version) reaches the changelog as one code span that shows it
// escaped; outside code spans there is only the changelog's own text.
func TestNamesFromTheDocumentAreEscaped(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(readTestdata(t, "base.json"), &doc))
	paths := doc["paths"].(map[string]any)
	list := paths["/v0/candidates"].(map[string]any)["get"].(map[string]any)
	list["parameters"] = append(list["parameters"].([]any), map[string]any{
		"in": "query", "name": hostile, "required": true, "schema": map[string]any{"type": "string"},
	})
	sort := list["parameters"].([]any)[1].(map[string]any)["schema"].(map[string]any)
	sort["enum"] = append(sort["enum"].([]any), hostile)
	paths["/v0/users/"+hostile] = paths["/v0/users"]
	user := doc["components"].(map[string]any)["schemas"].(map[string]any)["User"].(map[string]any)
	user["properties"].(map[string]any)[hostile] = map[string]any{"type": "string"}
	delete(user["properties"].(map[string]any), "email")
	doc["info"].(map[string]any)["version"] = "v1 <img src=x onerror=alert(1)> @octocat"
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	revision := filepath.Join(t.TempDir(), "hostile.json")
	require.NoError(t, os.WriteFile(revision, data, 0o644))

	c, err := Compare(base, revision)
	require.NoError(t, err)
	md := c.Markdown()
	escaped := "owner\\x60) <script>alert(1)</script> | @octocat\\n# Heading\\u202e"
	assert.Contains(t, md, "request parameter `"+escaped+"`")
	assert.Contains(t, md, "## `GET /v0/users/"+escaped+"`")
	assert.Contains(t, md, "Document version `v0` → `v1 <img src=x onerror=alert(1)> @octocat`.")
	for i, line := range strings.Split(md, "\n") {
		assert.Zero(t, strings.Count(line, "`")%2, "line %d: an unbalanced code span: %s", i+1, line)
		outside := outsideCodeSpans(line)
		for _, bad := range []string{"<", ">", "@octocat", "|", "\u202e", "script"} {
			assert.NotContains(t, outside, bad, "line %d: %s", i+1, line)
		}
		assert.False(t, strings.HasPrefix(line, "# Heading"), "line %d starts a heading", i+1)
	}
	assert.Equal(t, 0, strings.Count(md, "\n# "), "one top-level heading, the changelog's first line:\n%s", md)
}

func TestCodeSpan(t *testing.T) {
	for in, want := range map[string]string{
		"owner_id":       "`owner_id`",
		"a`b":            "`a\\x60b`",
		"a\\x60":         "`a\\\\x60`",
		"x\r\n\ty":       "`x\\r\\n\\ty`",
		"a\u2028b\u00a0": "`a\\u2028b\\u00a0`",
		"bad\xff":        "`bad\\xff`",
		"<b>|@me":        "`<b>|@me`",
	} {
		assert.Equal(t, want, CodeSpan(in), "%q", in)
	}
}
