package gemtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

func getCustomField(t *testing.T, srv *gemtest.Server, id string) gen.CustomField {
	t.Helper()
	return get[gen.CustomField](t, srv, "/v0/custom_fields/"+id)
}

// optionIDs maps a field's option values to their ids.
func optionIDs(cf gen.CustomField) map[string]string {
	ids := map[string]string{}
	for _, o := range cf.Options {
		ids[*o.Value] = *o.ID
	}
	return ids
}

// A name is unique within its scope, after trimming: a taken one is the documented 400
// with the existing field, options included, in the keys of the reference's example
// (docs/gem-api.md §2.5); the same name in another scope is fine.
func TestCustomFieldNamesAreUniquePerScope(t *testing.T) {
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})
	id := mustCreate(t, srv, "/v0/custom_fields", object{"name": " Stage ", "value_type": "multi_select", "scope": "project", "project_id": project, "option_values": []string{"Screen"}})
	cf := getCustomField(t, srv, id)
	assert.Equal(t, "Stage", *cf.Name)

	r := call(t, srv, http.MethodPost, "/v0/custom_fields", object{"name": "Stage", "value_type": "text", "scope": "project", "project_id": project})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"A custom field with the name already existed",
		"errors":{"json":{"custom_field":{"id":"`+id+`","is_hidden":false,"name":"Stage","options":[{"id":"`+*cf.Options[0].ID+`","is_hidden":false,"value":"Screen"}],
		"project_id":"`+project+`","scope":"project","value_type":"multi_select"}}}}`, string(r.body), "the keys of the reference's example, no created_at")

	team := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Stage", "value_type": "text", "scope": "team"})
	r = call(t, srv, http.MethodPost, "/v0/custom_fields", object{"name": "Stage ", "value_type": "date", "scope": "team"})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"A custom field with the name already existed",
		"errors":{"json":{"custom_field":{"id":"`+team+`","is_hidden":false,"name":"Stage","options":[],"project_id":null,"scope":"team","value_type":"text"}}}}`,
		string(r.body), "a team field's project_id is null, its options []")
	r = call(t, srv, http.MethodPatch, "/v0/custom_fields/"+team, object{"name": "Notes"})
	assert.Equal(t, http.StatusOK, r.status, "renaming within the team scope: %s", r.body)
	other := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Stage", "value_type": "text", "scope": "team"})
	r = call(t, srv, http.MethodPatch, "/v0/custom_fields/"+other, object{"name": "Notes"})
	assert.Equal(t, http.StatusBadRequest, r.status, "renaming onto a taken name: %s", r.body)

	assert.Equal(t, []string{id}, listIDs(t, srv, "/v0/custom_fields?scope=project&project_id="+project))
	assert.Equal(t, []string{other}, listIDs(t, srv, "/v0/custom_fields?name=%20Stage%20&scope=team"))
}

// Adding option values that exist is the documented 400 listing them, and adds nothing.
func TestCustomFieldOptionsAreUnique(t *testing.T) {
	srv, _ := start(t)
	id := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Source", "value_type": "single_select", "scope": "team", "option_values": []string{"Referral", "Inbound"}})
	referral := optionIDs(getCustomField(t, srv, id))["Referral"]

	r := call(t, srv, http.MethodPost, "/v0/custom_fields/"+id+"/options", object{"option_values": []string{"Agency", " Referral "}})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"Custom field options with the values already existed.",
		"errors":{"json":{"options":[{"id":"`+referral+`","is_hidden":false,"value":"Referral"}]}}}`, string(r.body))
	assert.Len(t, getCustomField(t, srv, id).Options, 2)

	r = call(t, srv, http.MethodPost, "/v0/custom_fields/"+id+"/options", object{"option_values": []string{"Agency", "Agency"}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var made []gen.CustomFieldOption
	r.json(t, &made)
	require.Len(t, made, 1)
	assert.Equal(t, "Agency", *made[0].Value)

	text := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Notes", "value_type": "text", "scope": "team"})
	r = call(t, srv, http.MethodPost, "/v0/custom_fields/"+text+"/options", object{"option_values": []string{"A"}})
	assert.Equal(t, http.StatusBadRequest, r.status, "a text field has no options: %s", r.body)
}

// Values by type: text and date strings, a single option, a list of options; null clears
// any, [] clears a multi_select; only the fields listed change. Select values come back as
// option values with their ids in value_option_ids.
func TestCustomFieldValuesByType(t *testing.T) {
	srv, _ := start(t)
	text := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Notes", "value_type": "text", "scope": "team"})
	date := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Start", "value_type": "date", "scope": "team"})
	single := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Source", "value_type": "single_select", "scope": "team", "option_values": []string{"Referral", "Inbound"}})
	multi := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Skills", "value_type": "multi_select", "scope": "team", "option_values": []string{"Go", "SQL", "Rust"}})
	opts := optionIDs(getCustomField(t, srv, multi))
	source := optionIDs(getCustomField(t, srv, single))
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "custom_fields": []any{
		object{"custom_field_id": text, "value": "Strong"},
		object{"custom_field_id": date, "value": "2025-05-01"},
		object{"custom_field_id": single, "value": "Referral"},
		object{"custom_field_id": multi, "value": []string{"Go", opts["Rust"]}},
	}})
	assert.Equal(t, map[string]any{text: "Strong", date: "2025-05-01", single: "Referral", multi: []any{"Go", "Rust"}}, customValues(t, srv, id))
	c := getCandidate(t, srv, id)
	for _, v := range c.CustomFields {
		switch v.ID {
		case single:
			assert.Equal(t, []string{source["Referral"]}, v.ValueOptionIDs)
		case multi:
			assert.Equal(t, []string{opts["Go"], opts["Rust"]}, v.ValueOptionIDs)
			assert.Equal(t, "Skills", *v.CustomFieldCategory, "the deprecated copy of name")
		}
	}

	r := call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{"custom_fields": []any{
		object{"custom_field_id": text, "value": nil},
		object{"custom_field_id": multi, "value": []string{}},
		object{"custom_field_id": single, "value": source["Inbound"]},
	}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, map[string]any{date: "2025-05-01", single: "Inbound"}, customValues(t, srv, id))

	r = call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{"custom_fields": []any{
		object{"custom_field_id": date, "value": "May 1st"},
		object{"custom_field_id": single, "value": "Agency"},
		object{"custom_field_id": multi, "value": "Go"},
		object{"custom_field_id": "Q3VzdG9tRmllbGQ6OTk=", "value": "x"},
	}})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"Invalid custom field values.","errors":{"json":{"custom_fields":{
		"0":{"value":["Not a valid date."]},
		"1":{"value":["Must be one of: Referral, Inbound."]},
		"2":{"value":["Not a valid list."]},
		"3":{"custom_field_id":["Custom field not found."]}}}}}`, string(r.body))
	assert.Equal(t, map[string]any{date: "2025-05-01", single: "Inbound"}, customValues(t, srv, id), "an invalid update changes nothing")
}

// customValues maps a candidate's custom field ids to their values.
func customValues(t *testing.T, srv *gemtest.Server, id string) map[string]any {
	t.Helper()
	values := map[string]any{}
	for _, v := range getCandidate(t, srv, id).CustomFields {
		values[v.ID] = v.Value
	}
	return values
}

// WithSelectValues narrows what a select value may name.
func TestSelectValuesOption(t *testing.T) {
	for _, tc := range []struct {
		mode          gemtest.SelectValues
		byValue, byID bool
	}{
		{gemtest.SelectByValueOrID, true, true},
		{gemtest.SelectByValue, true, false},
		{gemtest.SelectByID, false, true},
	} {
		srv, _ := start(t, gemtest.WithSelectValues(tc.mode))
		field := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Source", "value_type": "single_select", "scope": "team", "option_values": []string{"Referral"}})
		option := optionIDs(getCustomField(t, srv, field))["Referral"]
		for value, want := range map[string]bool{"Referral": tc.byValue, option: tc.byID} {
			r := call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "custom_fields": []any{object{"custom_field_id": field, "value": value}}})
			assert.Equal(t, want, r.status == http.StatusCreated, "mode %d, value %s: %s", tc.mode, value, r.body)
		}
	}
}

// Hidden fields, and hidden options, are not returned on candidates, and hidden options
// cannot be selected; they are hidden, not deleted, and come back when shown again.
func TestHiddenCustomFieldsAndOptions(t *testing.T) {
	srv, _ := start(t)
	skills := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Skills", "value_type": "multi_select", "scope": "team", "option_values": []string{"Go", "SQL"}})
	notes := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Notes", "value_type": "text", "scope": "team"})
	opts := optionIDs(getCustomField(t, srv, skills))
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "custom_fields": []any{
		object{"custom_field_id": skills, "value": []string{"Go", "SQL"}}, object{"custom_field_id": notes, "value": "Keep"},
	}})
	hide := func(path string, hidden bool) {
		t.Helper()
		require.Equal(t, http.StatusOK, call(t, srv, http.MethodPatch, path, object{"is_hidden": hidden}).status)
	}

	hide("/v0/custom_fields/"+skills+"/options/"+opts["SQL"], true)
	hide("/v0/custom_fields/"+notes, true)
	assert.Equal(t, map[string]any{skills: []any{"Go"}}, customValues(t, srv, id))
	r := call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{"custom_fields": []any{object{"custom_field_id": skills, "value": []string{"SQL"}}}})
	assert.Equal(t, http.StatusBadRequest, r.status, "a hidden option cannot be selected: %s", r.body)
	assert.Equal(t, []string{opts["SQL"]}, listIDs(t, srv, "/v0/custom_fields/"+skills+"/options?is_hidden=true"))

	hide("/v0/custom_fields/"+skills+"/options/"+opts["Go"], true)
	assert.Empty(t, customValues(t, srv, id), "a value with only hidden options is left out")

	hide("/v0/custom_fields/"+skills+"/options/"+opts["SQL"], false)
	hide("/v0/custom_fields/"+notes, false)
	assert.Equal(t, map[string]any{skills: []any{"SQL"}, notes: "Keep"}, customValues(t, srv, id))
}

// A project-scoped field applies to candidates in its project only.
func TestProjectScopedCustomFieldValues(t *testing.T) {
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})
	loop := mustCreate(t, srv, "/v0/custom_fields", object{"name": "Loop", "value_type": "text", "scope": "project", "project_id": project})
	values := []any{object{"custom_field_id": loop, "value": "Onsite"}}
	r := call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "custom_fields": values})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "custom_fields": values, "project_ids": []string{project}})
	c := getCandidate(t, srv, id)
	require.Len(t, c.CustomFields, 1)
	assert.Equal(t, project, *(c.CustomFields)[0].ProjectID)
}
