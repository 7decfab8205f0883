package gemtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

func getProject(t *testing.T, srv *gemtest.Server, id string) gen.Project {
	t.Helper()
	return get[gen.Project](t, srv, "/v0/projects/"+id)
}

// projectFieldOptionIDs maps a project field's option values to their ids.
func projectFieldOptionIDs(t *testing.T, srv *gemtest.Server, id string) map[string]string {
	t.Helper()
	pf := get[gen.ProjectField](t, srv, "/v0/project_fields/"+id)
	ids := map[string]string{}
	for _, o := range pf.Options {
		ids[*o.Value] = *o.ID
	}
	return ids
}

// Project field values are set and cleared with POST /v0/projects/{id}/project_field_options
// as the reference describes per field type, and show on the project (visible fields and
// options only) and in its option associations.
func TestProjectFieldValues(t *testing.T) {
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Platform"})
	manager := mustCreate(t, srv, "/v0/project_fields", object{"name": "Hiring Manager", "field_type": "text"})
	level := mustCreate(t, srv, "/v0/project_fields", object{"name": "Level", "field_type": "single_select", "options": []string{"L4", "L5"}})
	places := mustCreate(t, srv, "/v0/project_fields", object{"name": "Locations", "field_type": "multi_select", "options": []string{"Berlin", "London", "Remote"}})
	lv, pl := projectFieldOptionIDs(t, srv, level), projectFieldOptionIDs(t, srv, places)
	path := "/v0/projects/" + project + "/project_field_options"
	change := func(body object) response {
		t.Helper()
		return call(t, srv, http.MethodPost, path, body)
	}

	for _, body := range []object{
		{"project_field_id": manager, "operation": "add", "text": "Priya"},
		{"project_field_id": level, "operation": "add", "options": []string{lv["L4"]}},
		{"project_field_id": level, "operation": "add", "options": []string{lv["L5"]}},
		{"project_field_id": places, "operation": "add", "options": []string{pl["Berlin"], pl["Remote"]}},
		{"project_field_id": places, "operation": "add", "options": []string{pl["London"]}},
		{"project_field_id": places, "operation": "remove", "options": []string{pl["Remote"]}},
	} {
		r := change(body)
		require.Equal(t, http.StatusNoContent, r.status, "%v: %s", body, r.body)
		assert.Empty(t, r.body)
	}
	p := getProject(t, srv, project)
	assert.Equal(t, "Hiring Manager: Priya; Level: L5; Locations: Berlin, London", *p.Context)
	values := map[string]any{}
	for _, v := range p.ProjectFields {
		values[*v.Name] = v.Value
	}
	assert.Equal(t, map[string]any{"Hiring Manager": "Priya", "Level": "L5", "Locations": []any{"Berlin", "London"}}, values)

	assoc := get[[]gen.ProjectFieldOptionAssociation](t, srv, path)
	require.Len(t, assoc, 4)
	assert.True(t, assoc[0].OptionID == nil)
	assert.Equal(t, "Priya", *assoc[0].Text)
	assert.Equal(t, lv["L5"], *assoc[1].OptionID)

	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPatch, "/v0/project_fields/"+manager, object{"is_hidden": true}).status)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPatch, "/v0/project_fields/"+places+"/options/"+pl["London"], object{"is_hidden": true}).status)
	p = getProject(t, srv, project)
	assert.Equal(t, "Level: L5; Locations: Berlin", *p.Context, "hidden fields and options are not returned")

	require.Equal(t, http.StatusNoContent, change(object{"project_field_id": level, "operation": "remove"}).status)
	require.Equal(t, http.StatusNoContent, change(object{"project_field_id": manager, "operation": "remove"}).status)
	assert.Equal(t, "Locations: Berlin", *getProject(t, srv, project).Context)
}

// The reference's per-type requirements are 422s on the missing field; options must be
// visible options of the field.
func TestProjectFieldValueErrors(t *testing.T) {
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Platform"})
	text := mustCreate(t, srv, "/v0/project_fields", object{"name": "Manager", "field_type": "text"})
	multi := mustCreate(t, srv, "/v0/project_fields", object{"name": "Locations", "field_type": "multi_select", "options": []string{"Berlin"}})
	path := "/v0/projects/" + project + "/project_field_options"
	for _, tc := range []struct {
		body   object
		status int
		errors string
	}{
		{object{"project_field_id": text, "operation": "add"}, 422, `{"json":{"text":["Missing data for required field."]}}`},
		{object{"project_field_id": multi, "operation": "add"}, 422, `{"json":{"options":["Missing data for required field."]}}`},
		{object{"project_field_id": multi, "operation": "remove"}, 422, `{"json":{"options":["Missing data for required field."]}}`},
		{object{"project_field_id": multi, "operation": "add", "options": []string{"UHJvamVjdEZpZWxkT3B0aW9uOjk5"}}, 400, `{"json":{"options":{"0":["Project field option not found."]}}}`},
		{object{"project_field_id": multi, "operation": "replace", "options": []string{"x"}}, 422, `{"json":{"operation":["Must be one of: add, remove."]}}`},
	} {
		r := call(t, srv, http.MethodPost, path, tc.body)
		assert.Equal(t, tc.status, r.status, "%v: %s", tc.body, r.body)
		assert.JSONEq(t, tc.errors, jsonField(t, r, "errors"), "%v", tc.body)
	}
}

// jsonField returns one field of a JSON object body, as JSON.
func jsonField(t *testing.T, r response, name string) string {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return mustJSON(t, m[name])
}

// WithProjectFieldOptionsStatus answers 200 instead of 204.
func TestProjectFieldOptionsStatusOption(t *testing.T) {
	srv, _ := start(t, gemtest.WithProjectFieldOptionsStatus(http.StatusOK))
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Platform"})
	text := mustCreate(t, srv, "/v0/project_fields", object{"name": "Manager", "field_type": "text"})
	r := call(t, srv, http.MethodPost, "/v0/projects/"+project+"/project_field_options", object{"project_field_id": text, "operation": "add", "text": "Priya"})
	assert.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Empty(t, r.body)
}

// Project field names are unique across the team; options are unique per field; filters.
func TestProjectFields(t *testing.T) {
	srv, _ := start(t)
	level := mustCreate(t, srv, "/v0/project_fields", object{"name": "Level", "field_type": "single_select", "options": []string{"L4"}, "is_required": true})
	r := call(t, srv, http.MethodPost, "/v0/project_fields", object{"name": "Level", "field_type": "text"})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, jsonField(t, r, "errors"), level)

	r = call(t, srv, http.MethodPost, "/v0/project_fields/"+level+"/options", object{"options": []string{"L5", "L4"}})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = call(t, srv, http.MethodPost, "/v0/project_fields/"+level+"/options", object{"options": []string{"L5"}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

	text := mustCreate(t, srv, "/v0/project_fields", object{"name": "Manager", "field_type": "text"})
	r = call(t, srv, http.MethodPatch, "/v0/project_fields/"+level, object{"name": " Manager "})
	require.Equal(t, http.StatusBadRequest, r.status, "renaming onto a taken name, after trimming")
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"A project field with the name already existed",
		"errors":{"json":{"project_field":{"field_type":"text","id":"`+text+`","is_hidden":false,"is_required":false,"name":"Manager","options":[],"user_id":"`+srv.UserID+`"}}}}`,
		string(r.body), "the existing field with every key, options [] for a text field")
	assert.Equal(t, []string{level}, listIDs(t, srv, "/v0/project_fields?is_required=true"))
	assert.Equal(t, []string{text}, listIDs(t, srv, "/v0/project_fields?field_type=text"))
	assert.Equal(t, []string{text}, listIDs(t, srv, "/v0/project_fields?name=Manager"))
	assert.Len(t, listIDs(t, srv, "/v0/project_fields/"+level+"/options"), 2)
	assert.Len(t, listIDs(t, srv, "/v0/project_fields/"+level+"/options?value=L5"), 1)
}

// A custom or project field name of only spaces is refused on create and on rename, as
// the name's Length(1, max) refuses an empty one: 422 on name, nothing stored or changed
// (docs/gem-api.md §4).
func TestFieldNamesOfOnlySpaces(t *testing.T) {
	srv, _ := start(t)
	cf := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Source", "value_type": "text", "scope": "team"})
	pf := mustCreate(t, srv, "/v0/project_fields", object{"name": "Level", "field_type": "text"})
	for _, tc := range []struct {
		method, path string
		body         object
		want         string
	}{
		{http.MethodPost, "/v0/custom_fields", object{"name": "   ", "value_type": "text", "scope": "team"}, "Length must be between 1 and 50."},
		{http.MethodPatch, "/v0/custom_fields/" + cf, object{"name": " \t "}, "Length must be between 1 and 50."},
		{http.MethodPost, "/v0/project_fields", object{"name": "   ", "field_type": "text"}, "Length must be between 1 and 255."},
		{http.MethodPatch, "/v0/project_fields/" + pf, object{"name": "  "}, "Length must be between 1 and 255."},
	} {
		r := call(t, srv, tc.method, tc.path, tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s %s: %s", tc.method, tc.path, r.body)
		assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":{"json":{"name":["`+tc.want+`"]}}}`, string(r.body))
	}
	assert.Equal(t, []string{cf}, listIDs(t, srv, "/v0/custom_fields"))
	assert.Equal(t, []string{pf}, listIDs(t, srv, "/v0/project_fields"))
	assert.Equal(t, "Source", *getCustomField(t, srv, cf).Name)
	assert.Equal(t, "Level", *get[gen.ProjectField](t, srv, "/v0/project_fields/"+pf).Name)
}
