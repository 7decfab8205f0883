package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
)

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Load()
	require.NoError(t, err)
	return doc
}

func TestDocumentValidates(t *testing.T) {
	require.NoError(t, load(t).Validate(context.Background()))
}

// The committed file is in the normalised form scripts/update-spec writes (keys sorted,
// two-space indent, no HTML escaping), so a re-download of the same document diffs to nothing.
func TestDocumentIsNormalised(t *testing.T) {
	var v any
	require.NoError(t, json.Unmarshal(api.OpenAPIJSON, &v))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	assert.True(t, bytes.Equal(buf.Bytes(), api.OpenAPIJSON), "api/openapi.json is not normalised")
}

var wantTags = []string{
	"Users", "Candidates", "Candidate Events", "Candidate Notes", "Candidate Uploaded Resumes",
	"Custom Fields", "Custom Field Options", "Data Export", "Notes", "Projects",
	"Project and Candidates Membership", "Project Fields", "Project Field Options Associations",
	"Project Field Options", "Sequences",
}

func TestDocumentShape(t *testing.T) {
	doc := load(t)
	assert.Equal(t, "https://api.gem.com", doc.Servers[0].URL)
	assert.True(t, strings.HasPrefix(doc.OpenAPI, "3.0."), doc.OpenAPI)
	for _, section := range []string{"# Introduction", "# Authentication", "# Rate Limits", "# Pagination", "X-Pagination"} {
		assert.Contains(t, doc.Info.Description, section)
	}

	scheme := doc.Components.SecuritySchemes["apiKey"].Value
	require.NotNil(t, scheme)
	assert.Equal(t, "apiKey", scheme.Type)
	assert.Equal(t, "header", scheme.In)
	assert.Equal(t, "X-API-Key", scheme.Name)

	var tags []string
	for _, tag := range doc.Tags {
		tags = append(tags, tag.Name)
		assert.NotEmpty(t, tag.Description, tag.Name)
	}
	assert.Equal(t, wantTags, tags)

	var deprecated []string
	ops := 0
	for path, item := range doc.Paths.Map() {
		assert.True(t, strings.HasPrefix(path, "/v0/"), path)
		for method, op := range item.Operations() {
			ops++
			name := method + " " + path
			// Gem's quirks are kept as published; the overlay fixes them for the SDK.
			assert.Empty(t, op.OperationID, "%s: the published document has no operationIds", name)
			require.Len(t, op.Tags, 1, name)
			assert.Contains(t, wantTags, op.Tags[0], name)
			assert.NotEmpty(t, op.Summary, name)
			assert.NotEmpty(t, op.Description, name)
			assert.Nil(t, op.Security, "%s: no operation requires the apiKey scheme (no Authorizations line in the reference)", name)
			if op.Deprecated {
				deprecated = append(deprecated, name)
			}
			assert.NotNil(t, op.Responses.Default(), "%s has a default response", name)
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value.In == openapi3.ParameterInPath {
					assert.True(t, p.Value.Required, "%s: path parameter %s", name, p.Value.Name)
					assert.Equal(t, uint64(1), p.Value.Schema.Value.MinLength, "%s: %s is non-empty", name, p.Value.Name)
				}
			}
			if op.Parameters.GetByInAndName("query", "page") != nil {
				ok := op.Responses.Status(http.StatusOK)
				require.NotNil(t, ok, name)
				assert.Contains(t, ok.Value.Headers, "X-Pagination", "%s: paginated 200 documents X-Pagination", name)
			}
		}
	}
	// No count is pinned here: a download that adds an operation must pass this test (the
	// overlay check and the fake's compile failure are the alarms for a new operation).
	assert.Positive(t, ops)
	// As flask-smorest 0.40-0.44 with apispec 6.0-6.4 emits it (the reference's rendering):
	// the event lists say "(DEPRECATED)" in their summaries but carry no deprecated flag, no
	// global security requirement (the scheme alone), no null among enum values, and
	// Redoc's logo (the reference opens with its alt text). The overlay adds what the SDK
	// needs (gen's tests).
	assert.Empty(t, deprecated, "no deprecation badge in the reference")
	assert.Empty(t, doc.Security, "no global security requirement")
	assert.Equal(t, "Gem logo", doc.Info.Extensions["x-logo"].(map[string]any)["altText"])
	for _, prop := range []string{"sourced_from", "gem_source"} {
		assert.NotContains(t, schemaOf(doc, "Candidate").Properties[prop].Value.Enum, nil, prop)
	}

	// The reference is silent about this operation's success response; so is the document.
	pfo := doc.Paths.Find("/v0/projects/{project_id}/project_field_options").Post
	for code := range pfo.Responses.Map() {
		assert.False(t, strings.HasPrefix(code, "2"), "undocumented success response %s invented", code)
	}

	// Untyped enums ("any" in the reference) stay untyped here.
	sortParam := doc.Paths.Find("/v0/candidates").Get.Parameters.GetByInAndName("query", "sort")
	assert.Nil(t, sortParam.Schema.Value.Type)
	assert.Equal(t, []any{"asc", "desc"}, sortParam.Schema.Value.Enum)
}

// Spot checks of bounds the reference states, one per kind, each easy to get wrong.
func TestDocumentBounds(t *testing.T) {
	doc := load(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	query := func(path, name string) *openapi3.Schema {
		return doc.Paths.Find(path).Get.Parameters.GetByInAndName("query", name).Schema.Value
	}

	pageSize := query("/v0/users", "page_size")
	assert.Equal(t, 1.0, *pageSize.Min)
	assert.Equal(t, 100.0, *pageSize.Max)
	assert.Equal(t, 20.0, pageSize.Default)

	ids := doc.Paths.Find("/v0/candidates").Get.Parameters.GetByInAndName("query", "candidate_ids")
	assert.Equal(t, "form", ids.Style)
	require.NotNil(t, ids.Explode)
	assert.False(t, *ids.Explode, "candidate_ids is one comma-separated value")

	create := schema("CandidateCreate")
	assert.Equal(t, []string{"created_by"}, create.Required)
	assert.Equal(t, uint64(20), *create.Properties["emails"].Value.MaxItems)
	assert.Equal(t, uint64(20), *create.Properties["project_ids"].Value.MaxItems)
	assert.True(t, create.Properties["first_name"].Value.Nullable)
	assert.Equal(t, uint64(255), *create.Properties["first_name"].Value.MaxLength)

	update := schema("CandidateUpdate")
	assert.True(t, update.Properties["due_date"].Value.Nullable)
	assert.NotContains(t, update.Properties, "linked_in_handle")

	opts := schema("CustomFieldCreate").Properties["option_values"].Value
	assert.Equal(t, uint64(1), opts.MinItems)
	assert.Equal(t, uint64(50), *opts.MaxItems)
	assert.Equal(t, uint64(50), *opts.Items.Value.MaxLength)
	assert.Equal(t, uint64(1), opts.Items.Value.MinLength)

	members := schema("ProjectCandidatesUpdate").Properties["candidate_ids"].Value
	assert.Equal(t, uint64(1), members.MinItems)
	assert.Equal(t, uint64(1000), *members.MaxItems)

	assert.Equal(t, uint64(10000), *schema("NoteCreate").Properties["content"].Value.MaxLength)
	assert.Equal(t, uint64(2000), *schema("DueDate").Properties["note"].Value.MaxLength)

	upload := doc.Paths.Find("/v0/candidates/{candidate_id}/uploaded_resumes/{user_id}").Post.RequestBody.Value
	require.Contains(t, upload.Content, "multipart/form-data")
}

func schemaOf(doc *openapi3.T, name string) *openapi3.Schema {
	return doc.Components.Schemas[name].Value
}
