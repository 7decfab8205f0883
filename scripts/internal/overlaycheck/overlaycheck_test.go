package overlaycheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/speakeasy-api/openapi/overlay/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testdata       = "../../testdata/"
	fixtureOverlay = testdata + "overlay.yaml"
)

// overlayWith writes the fixture overlay plus extra actions to a temp file.
func overlayWith(t *testing.T, extra string) string {
	t.Helper()
	base, err := os.ReadFile(fixtureOverlay)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "overlay.yaml")
	require.NoError(t, os.WriteFile(path, append(base, extra...), 0o644))
	return path
}

func check(t *testing.T, spec, overlayPath string) *Report {
	t.Helper()
	r, err := Check(spec, overlayPath)
	require.NoError(t, err)
	return r
}

// generatorFails applies the whole overlay as oapi-codegen does (strict) and
// reports whether it errors, to show that Check agrees with the generator.
func generatorFails(t *testing.T, spec, overlayPath string) bool {
	t.Helper()
	root, err := loadAsYAML(spec)
	require.NoError(t, err)
	ov, err := loader.LoadOverlay(overlayPath)
	require.NoError(t, err)
	_, err = ov.ApplyToStrict(root)
	return err != nil
}

func TestBaseIsClean(t *testing.T) {
	r := check(t, testdata+"base.json", fixtureOverlay)
	assert.True(t, r.Clean(), r.Markdown())
	assert.False(t, generatorFails(t, testdata+"base.json", fixtureOverlay))
	assert.Contains(t, r.Markdown(), "Every operation has an operationId")
}

func TestNewEndpointWithoutNameIsReported(t *testing.T) {
	spec := testdata + "new-endpoint.json"
	r := check(t, spec, fixtureOverlay)
	assert.Empty(t, r.Unmatched)
	assert.Empty(t, r.Problems)
	require.Equal(t, []Operation{{Method: "get", Path: "/v0/projects", Suggested: "ListProjects"}}, r.Unnamed)

	entry := "  - target: \"$.paths['/v0/projects'].get\"\n" +
		"    update:\n" +
		"      operationId: ListProjects\n"
	assert.Equal(t, entry, r.Unnamed[0].Action())
	assert.Contains(t, r.Markdown(), "```yaml\n"+entry+"```\n")

	// Pasting the suggested entry into the overlay settles it.
	fixed := overlayWith(t, entry)
	assert.True(t, check(t, spec, fixed).Clean())
	assert.False(t, generatorFails(t, spec, fixed))
}

func TestVanishedTargetIsReported(t *testing.T) {
	spec := testdata + "removed-endpoint.json"
	r := check(t, spec, fixtureOverlay)
	assert.Empty(t, r.Unnamed)
	assert.Empty(t, r.Problems)
	assert.Equal(t, []Action{{Number: 5, Target: "$.paths['/v0/users'].get"}}, r.Unmatched)
	assert.Contains(t, r.Markdown(), "- action 5: `target: \"$.paths['/v0/users'].get\"`\n")
	assert.True(t, generatorFails(t, spec, fixtureOverlay), "the generator aborts on the same overlay")
}

func TestVanishedFilterTargetIsReported(t *testing.T) {
	// Nothing in the fixtures is deprecated, so this filter matches nothing,
	// as the enum fix would once Gem gives its enums a type.
	ov := overlayWith(t, "  - target: \"$..[?@.deprecated == true]\"\n    description: gone\n    update:\n      deprecated: false\n")
	r := check(t, testdata+"base.json", ov)
	assert.Equal(t, []Action{{Number: 7, Target: "$..[?@.deprecated == true]", Description: "gone"}}, r.Unmatched)
	assert.Contains(t, r.Markdown(), "- action 7: `target: \"$..[?@.deprecated == true]\"` (gone)\n")
}

func TestUnparsableTargetIsAProblem(t *testing.T) {
	// RFC 9535 shorthand names cannot contain "-".
	ov := overlayWith(t, "  - target: \"$..[?@.x-rate-limit]\"\n    update:\n      type: string\n")
	r := check(t, testdata+"base.json", ov)
	require.Len(t, r.Problems, 1)
	assert.Contains(t, r.Problems[0], `action 7: target "$..[?@.x-rate-limit]" does not parse`)
	assert.True(t, generatorFails(t, testdata+"base.json", ov))
}

func TestOddPathTargetMatches(t *testing.T) {
	doc := `{"openapi":"3.0.3","info":{"title":"x","version":"v0"},"paths":{"/v0/it's/{a\\b}":{"delete":{"responses":{"204":{"description":"gone"}}}}}}`
	spec := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(spec, []byte(doc), 0o644))
	ov := filepath.Join(t.TempDir(), "overlay.yaml")
	header := "overlay: 1.1.0\ninfo:\n  title: t\n  version: v\nactions:\n"
	require.NoError(t, os.WriteFile(ov, []byte(header+"  - target: $.info\n    update:\n      title: y\n"), 0o644))

	r := check(t, spec, ov)
	require.Len(t, r.Unnamed, 1)
	assert.Equal(t, "DeleteIt", r.Unnamed[0].Suggested)
	assert.Equal(t, `$.paths['/v0/it\'s/{a\\b}'].delete`, Target("delete", "/v0/it's/{a\\b}"))

	require.NoError(t, os.WriteFile(ov, []byte(header+r.Unnamed[0].Action()), 0o644))
	assert.True(t, check(t, spec, ov).Clean(), "the suggested target selects the operation")
}

func TestSuggestionAlreadyTaken(t *testing.T) {
	// Name GET /v0/users ListProjects, then add /v0/projects.
	ov := overlayWith(t, "  - target: \"$.paths['/v0/users'].get\"\n    update:\n      operationId: ListProjects\n")
	r := check(t, testdata+"new-endpoint.json", ov)
	require.Len(t, r.Unnamed, 1)
	assert.Equal(t, "GET /v0/users", r.Unnamed[0].TakenBy)
	assert.Contains(t, r.Markdown(), "  # ListProjects is already the name of GET /v0/users: pick another one.\n")
}

func TestDuplicateOperationIDIsAProblem(t *testing.T) {
	ov := overlayWith(t, "  - target: \"$.paths['/v0/users'].get\"\n    update:\n      operationId: ListCandidates\n")
	r := check(t, testdata+"base.json", ov)
	assert.Equal(t, []string{"operationId ListCandidates is used by both GET /v0/candidates and GET /v0/users"}, r.Problems)
}

func TestFailingActionIsAProblem(t *testing.T) {
	ov := overlayWith(t, "  - target: \"$.info.title\"\n    update:\n      nested: value\n")
	r := check(t, testdata+"base.json", ov)
	require.Len(t, r.Problems, 1)
	assert.Contains(t, r.Problems[0], `action 7 (target "$.info.title") does not apply`)
	assert.True(t, generatorFails(t, testdata+"base.json", ov))
}

func TestInvalidInputs(t *testing.T) {
	_, err := Check(testdata+"missing.json", fixtureOverlay)
	assert.ErrorContains(t, err, "load OpenAPI document")

	bad := filepath.Join(t.TempDir(), "overlay.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("overlay: 1.1.0\nactions:\n  - target: $.info\n    remove: true\n"), 0o644))
	_, err = Check(testdata+"base.json", bad)
	assert.ErrorContains(t, err, "overlay info title must be defined")
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"get", "/v0/candidates", "ListCandidates"},
		{"post", "/v0/candidates", "CreateCandidate"},
		{"get", "/v0/candidates/{candidate_id}", "GetCandidate"},
		{"put", "/v0/candidates/{candidate_id}", "UpdateCandidate"},
		{"patch", "/v0/candidates/{candidate_id}", "UpdateCandidate"},
		{"delete", "/v0/candidates/{candidate_id}", "DeleteCandidate"},
		{"get", "/v0/candidates/{candidate_id}/notes", "ListCandidateNotes"},
		{"post", "/v0/candidates/{candidate_id}/uploaded_resumes/{user_id}", "CreateCandidateUploadedResume"},
		{"delete", "/v0/projects/{project_id}/candidates", "DeleteProjectCandidates"},
		{"get", "/v0/custom_fields/{custom_field_id}/options", "ListCustomFieldOptions"},
		{"get", "/v0/project-memberships", "ListProjectMemberships"},
		{"get", "/v0/projects/{project_id}/project_field_options", "ListProjectFieldOptions"},
		{"post", "/v0/batches", "CreateBatch"},
		{"post", "/v0/addresses", "CreateAddress"},
		{"get", "/v0/companies/{id}", "GetCompany"},
		{"get", "/v0/users/me", "ListUserMe"},
		{"get", "/v0/status", "ListStatus"},
		{"head", "/v0", "HeadRoot"},
	} {
		assert.Equal(t, tc.want, Suggest(tc.method, tc.path), "%s %s", tc.method, tc.path)
	}
}

// The SDK's own overlay names enums without restating their values. A download that
// changes an enum at one of the places sharing a name is a problem the check names, as it
// stops generation; the document as committed has none.
func TestNamedEnumThatDiffersIsReported(t *testing.T) {
	const spec, ov = "../../../api/openapi.json", "../../../api/overlay.yaml"
	r := check(t, spec, ov)
	assert.True(t, r.Clean(), r.Markdown())

	data, err := os.ReadFile(spec)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	props := doc["components"].(map[string]any)["schemas"].(map[string]any)["ProjectCreate"].(map[string]any)["properties"].(map[string]any)
	props["privacy_type"].(map[string]any)["enum"] = []any{"confidential", "personal"}
	changed := filepath.Join(t.TempDir(), "openapi.json")
	data, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(changed, data, 0o644))

	r = check(t, changed, ov)
	require.Len(t, r.Problems, 1, r.Markdown())
	assert.Contains(t, r.Problems[0], "PrivacyType: /components/schemas/Project/properties/privacy_type has [confidential personal shared], /components/schemas/ProjectCreate/properties/privacy_type has [confidential personal]")
	assert.False(t, r.Clean())
}
