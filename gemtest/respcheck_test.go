package gemtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/route"
)

// The response checker behind WithResponseValidation passes what Gem would send and
// catches what it would not: a key missing, a list or a required key null, a wrong type,
// a pagination header off flask-smorest's (docs/gem-api.md §2.8, §2.0).
func TestResponseProblem(t *testing.T) {
	doc, err := document()
	require.NoError(t, err)
	rt := route.New(doc)
	check := func(method, target string, status int, header http.Header, body string) error {
		t.Helper()
		r := httptest.NewRequest(method, target, nil)
		matched, params, _ := rt.Find(r.Method, r.URL.EscapedPath())
		require.NotNil(t, matched, target)
		if header == nil {
			header = http.Header{}
		}
		header.Set("Content-Type", "application/json")
		return responseProblem(r, matched, params, status, header, []byte(body))
	}
	page := func(h string) http.Header { return http.Header{"X-Pagination": {h}} }
	user := `{"id":"dXNlcnM6MQ==","name":"Ann","email":"ann@example.com"}`

	assert.NoError(t, check("GET", "/v0/users", 200, page(`{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}`), "["+user+"]"))
	assert.NoError(t, check("GET", "/v0/users?page=2", 200, page(`{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1}`), "[]"))
	assert.NoError(t, check("GET", "/v0/users", 403, nil, `{"message":"Forbidden"}`))
	assert.NoError(t, check("PUT", "/v0/projects/p/candidates", 204, nil, ""))

	// Every declared key, nulls for unset scalars (project_id is not nullable in the
	// document, yet marshmallow dumps a team field's as null), [] for empty lists.
	field := `{"created_at":1,"id":"Q3VzdG9tRmllbGQ6MQ==","is_hidden":false,"name":"Source","options":[],"project_id":null,"scope":"team","value_type":"text"}`
	assert.NoError(t, check("GET", "/v0/custom_fields/f", 200, nil, field))
	candidate := `{"candidate_greenhouse_id":null,"company":null,"created_at":1,"created_by":"dXNlcnM6MQ==","custom_fields":[],"due_date":null,
		"education_info":[{"degree":null,"end_date":null,"field_of_study":null,"parsed_major_1":null,"parsed_major_2":null,"parsed_school":null,"parsed_university":null,"school":"MIT","start_date":null}],
		"emails":[{"email_address":"ada@example.com","is_primary":true}],"first_name":null,"gem_source":null,"id":"Y2FuZGlkYXRlczox","last_name":null,
		"last_updated_at":null,"linked_in_handle":null,"location":null,"nickname":null,"phone_number":null,"profiles":[],"project_ids":null,"school":null,
		"sourced_from":null,"title":null,"weblink":"https://www.gem.com/candidate/Y2FuZGlkYXRlczox","work_info":[]}`
	assert.NoError(t, check("GET", "/v0/candidates/c", 200, nil, candidate), "project_ids is nullable")
	wire := func(method, target, body string) string {
		t.Helper()
		err := check(method, target, 200, nil, body)
		require.Error(t, err, body)
		return err.Error()
	}
	assert.Contains(t, wire("GET", "/v0/custom_fields/f", strings.Replace(field, `"options":[],`, "", 1)), "options: missing")
	assert.Contains(t, wire("GET", "/v0/custom_fields/f", strings.Replace(field, `"options":[]`, `"options":null`, 1)), "options: a list sent as null")
	assert.Contains(t, wire("GET", "/v0/candidates/c", strings.Replace(candidate, `"school":"MIT",`, "", 1)), "education_info[0].school: missing")
	assert.Contains(t, wire("GET", "/v0/candidates/c", strings.Replace(candidate, `"work_info":[]`, `"work_info":null`, 1)), "work_info: a list sent as null")
	assert.Contains(t, wire("GET", "/v0/candidates/c", strings.Replace(candidate, `"ada@example.com"`, "null", 1)), "emails[0].email_address: required, sent as null")
	assert.Contains(t, wire("GET", "/v0/candidates/c", strings.Replace(candidate, `"created_at":1,`, `"created_at":"1",`, 1)), "created_at",
		"a wrong type is still kin-openapi's to find")

	for name, err := range map[string]error{
		"wrong type":        check("GET", "/v0/users", 200, page(`{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}`), `[{"id":1}]`),
		"bad email":         check("GET", "/v0/users", 200, page(`{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}`), `[{"email":"ann"}]`),
		"no X-Pagination":   check("GET", "/v0/users", 200, nil, "["+user+"]"),
		"null ends":         check("GET", "/v0/users", 200, page(`{"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1, "previous_page": null}`), "["+user+"]"),
		"compact JSON":      check("GET", "/v0/users", 200, page(`{"total":1,"total_pages":1,"first_page":1,"last_page":1,"page":1}`), "["+user+"]"),
		"count mismatch":    check("GET", "/v0/users", 200, page(`{"total": 2, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}`), "["+user+"]"),
		"not a list":        check("GET", "/v0/users", 200, page(`{"total": 0, "total_pages": 0}`), `{}`),
		"header on an item": check("GET", "/v0/notes/n", 200, page(`{"total": 0, "total_pages": 0}`), `{"id":"n"}`),
		"error not object":  check("GET", "/v0/notes/n", 404, nil, `"Not Found"`),
	} {
		assert.Error(t, err, name)
	}
}

// fieldErrors nest like marshmallow's and keep a message once.
func TestFieldErrors(t *testing.T) {
	fe := fieldErrors{}
	fe.add("A.", "emails", "0", "email_address")
	fe.add("A.", "emails", "0", "email_address")
	fe.add("B.", "emails")
	fe.add("C.")
	assert.Equal(t, fieldErrors{
		"emails":  fieldErrors{"0": fieldErrors{"email_address": []string{"A."}}, "_schema": []string{"B."}},
		"_schema": []string{"C."},
	}, fe)
}
