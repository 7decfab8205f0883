package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
)

// Requests that break the document's (or the reference's prose) rules get webargs' 422
// with marshmallow's messages, keyed by location and field (docs/gem-api.md §2.0).
func TestValidationErrors(t *testing.T) {
	srv, _ := start(t)
	fx := makeFixtures(t, srv)
	ids21 := make([]string, 21)
	for i := range ids21 {
		ids21[i] = fx.member
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"page_size over 100", "GET", "/v0/candidates?page_size=101", nil,
			`{"query":{"page_size":["Must be greater than or equal to 1 and less than or equal to 100."]}}`},
		{"page 0", "GET", "/v0/users?page=0", nil,
			`{"query":{"page":["Must be greater than or equal to 1."]}}`},
		{"page not a number", "GET", "/v0/projects?page=two", nil,
			`{"query":{"page":["Not a valid integer."]}}`},
		{"empty integer", "GET", "/v0/candidates?created_after=", nil,
			`{"query":{"created_after":["Not a valid integer."]}}`},
		{"timestamp 0", "GET", "/v0/candidates?created_after=0", nil,
			`{"query":{"created_after":["Must be greater than or equal to 1."]}}`},
		{"bad sort", "GET", "/v0/candidates?sort=newest", nil,
			`{"query":{"sort":["Must be one of: asc, desc."]}}`},
		{"bad boolean", "GET", "/v0/projects?is_archived=maybe", nil,
			`{"query":{"is_archived":["Not a valid boolean."]}}`},
		{"bad email filter", "GET", "/v0/candidates?email=ann", nil,
			`{"query":{"email":["Not a valid email address."]}}`},
		{"21 candidate_ids", "GET", "/v0/candidates?candidate_ids=" + strings.Join(ids21, ","), nil,
			`{"query":{"candidate_ids":["Longer than maximum length 20."]}}`},
		{"membership log without a filter", "GET", "/v0/project_candidate_membership_log", nil,
			`{"query":{"_schema":["At least one filter (project_id or candidate_id) must be specified."]}}`},
		{"missing created_by", "POST", "/v0/candidates", object{"first_name": "Ann"},
			`{"json":{"created_by":["Missing data for required field."]}}`},
		{"unknown fields", "POST", "/v0/candidates", object{"created_by": fx.user, "headline": "x", "emails": []any{object{"email_address": "a@example.com", "label": "work"}}},
			`{"json":{"headline":["Unknown field."],"emails":{"0":{"label":["Unknown field."]}}}}`},
		{"wrong types", "POST", "/v0/candidates", object{"created_by": 7, "first_name": true, "emails": "a@example.com", "autofill": "no"},
			`{"json":{"created_by":["Not a valid string."],"first_name":["Not a valid string."],"emails":["Not a valid list."],"autofill":["Not a valid boolean."]}}`},
		{"too long", "PUT", "/v0/candidates/" + fx.member, object{"title": strings.Repeat("x", 256)},
			`{"json":{"title":["Longer than maximum length 255."]}}`},
		{"nested formats", "PUT", "/v0/candidates/" + fx.member, object{"emails": []any{object{"email_address": "not-an-email"}}, "profile_urls": []string{"github.com/ann"}, "due_date": object{"date": "2025-02-30", "user_id": fx.user}},
			`{"json":{"emails":{"0":{"email_address":["Not a valid email address."]}},"profile_urls":{"0":["Not a valid URL."]},"due_date":{"date":["Not a valid date."]}}}`},
		{"null where not nullable", "PUT", "/v0/candidates/" + fx.member, object{"emails": nil, "due_date": object{"date": "2025-04-01"}},
			`{"json":{"emails":["Field may not be null."],"due_date":{"user_id":["Missing data for required field."]}}}`},
		{"body not an object", "PUT", "/v0/candidates/" + fx.member, []string{"a"},
			`{"json":{"_schema":["Invalid input type."]}}`},
		{"note content over 10000", "POST", "/v0/notes", object{"candidate_id": fx.member, "user_id": fx.user, "content": strings.Repeat("n", 10001)},
			`{"json":{"content":["Longer than maximum length 10000."]}}`},
		{"bad enum in a body", "POST", "/v0/projects", object{"user_id": fx.user, "name": "P", "privacy_type": "public"},
			`{"json":{"privacy_type":["Must be one of: confidential, personal, shared."]}}`},
		{"nullable enum", "POST", "/v0/candidates", object{"created_by": fx.user, "sourced_from": "Indeed"},
			`{"json":{"sourced_from":["Must be one of: SeekOut, hireEZ, Starcircle, Censia, Consider."]}}`},
		{"both length bounds", "POST", "/v0/project_fields", object{"name": "", "field_type": "text"},
			`{"json":{"name":["Length must be between 1 and 255."]}}`},
		{"no candidate_ids", "PUT", "/v0/projects/" + fx.project + "/candidates", object{"candidate_ids": []string{}},
			`{"json":{"candidate_ids":["Length must be between 1 and 1000."]}}`},
		{"project custom field without project_id", "POST", "/v0/custom_fields", object{"name": "Loop", "value_type": "text", "scope": "project"},
			`{"json":{"project_id":["Missing data for required field."]}}`},
		{"select custom field without options", "POST", "/v0/custom_fields", object{"name": "Tier", "value_type": "multi_select", "scope": "team"},
			`{"json":{"option_values":["Missing data for required field."]}}`},
		{"too many option values", "POST", "/v0/custom_fields", object{"name": "Tier", "value_type": "single_select", "scope": "team", "option_values": strings.Split(strings.Repeat("v,", 50)+"v", ",")},
			`{"json":{"option_values":["Length must be between 1 and 50."]}}`},
		{"empty option value", "POST", "/v0/custom_fields", object{"name": "Tier", "value_type": "single_select", "scope": "team", "option_values": []string{"A", ""}},
			`{"json":{"option_values":{"1":["Length must be between 1 and 50."]}}}`},
		{"autofill without a handle", "POST", "/v0/candidates", object{"created_by": fx.user, "autofill": true},
			`{"json":{"autofill":["Requires linked_in_handle to be non-null."]}}`},
		{"several query errors", "GET", "/v0/users?page_size=0&page=x", nil,
			`{"query":{"page":["Not a valid integer."],"page_size":["Must be greater than or equal to 1 and less than or equal to 100."]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tc.method, tc.path, tc.body)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
			assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":`+tc.want+`}`, string(r.body))
		})
	}
}

// A 422 lists at most 100 field errors, and counts the rest in one "_schema" message:
// the unknown keys listed are the smallest by name (top-level first, then inside declared
// fields), so the answer is the same every time and far smaller than the request. Before,
// every unknown key was listed: a 9.5 MB body of them made a 22 MB answer
// (BenchmarkUnknownFieldsAnswer measures both).
func TestTooManyFieldErrorsAreCounted(t *testing.T) {
	srv, _ := start(t)
	body := []byte(`{"created_by":"` + srv.UserID + `","emails":[{"email_address":"a@example.com","zzz":1}]`)
	for i := 4999; i >= 0; i-- { // 5,000 unknown keys, the largest first
		body = fmt.Appendf(body, `,"x%04d":0`, i)
	}
	body = append(body, '}')
	r := callRaw(t, srv, http.MethodPost, "/v0/candidates", "application/json", body)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%.300s", r.body)
	var answer struct {
		Errors struct {
			JSON map[string][]string `json:"json"`
		} `json:"errors"`
	}
	r.json(t, &answer)
	got := answer.Errors.JSON
	want := map[string][]string{"_schema": {"Too many errors: 4,901 more not shown."}}
	for i := range 100 {
		want[fmt.Sprintf("x%04d", i)] = []string{"Unknown field."}
	}
	assert.Equal(t, want, got)
	assert.Less(t, len(r.body), 4<<10, "the answer to a body of %d bytes", len(body))
	t.Logf("%d unknown fields in %d bytes: an answer of %d bytes", 5001, len(body), len(r.body))
	again := callRaw(t, srv, http.MethodPost, "/v0/candidates", "application/json", body)
	assert.Equal(t, string(r.body), string(again.body), "the same request, the same answer")

	// The document's own rules count against the same list: 150 profile URLs that are not
	// strings.
	urls := make([]any, 150)
	for i := range urls {
		urls[i] = i
	}
	r = call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "profile_urls": urls})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%.300s", r.body)
	var typed struct {
		Errors struct {
			JSON map[string]json.RawMessage `json:"json"`
		} `json:"errors"`
	}
	r.json(t, &typed)
	var listed map[string][]string
	require.NoError(t, json.Unmarshal(typed.Errors.JSON["profile_urls"], &listed))
	assert.Len(t, listed, 100)
	assert.Equal(t, []string{"Not a valid string."}, listed["0"])
	assert.JSONEq(t, `["Too many errors: 50 more not shown."]`, string(typed.Errors.JSON["_schema"]))
}

// Unknown query parameters are ignored, as webargs' EXCLUDE does for the query location.
func TestUnknownQueryParametersAreIgnored(t *testing.T) {
	srv, _ := start(t)
	r := call(t, srv, "GET", "/v0/users?per_page=100&limit=1&created_after%3E=5", nil)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.body)
}

// A body that is not JSON is webargs' 400 "Invalid JSON body."; a body sent as another
// content type is not read at all, so required fields are missing; an oversized body is
// the gateway's 413 (TestRequestBodyLimit).
func TestBodiesThatAreNotJSON(t *testing.T) {
	srv, _ := start(t)
	post := func(contentType string, body []byte) response {
		t.Helper()
		return callRaw(t, srv, http.MethodPost, "/v0/candidates", contentType, body)
	}

	r := post("application/json", []byte(`{"created_by":`))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","errors":{"json":["Invalid JSON body."]}}`, string(r.body))

	r = post("text/plain", []byte(`{"created_by":"`+srv.UserID+`"}`))
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":{"json":{"created_by":["Missing data for required field."]}}}`, string(r.body))

	r = post("application/json", bytes.Repeat([]byte(" "), 12<<20))
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.JSONEq(t, `{"message":"Request Too Long"}`, string(r.body))

	r = post("application/vnd.api+json", []byte(`{"created_by":"`+srv.UserID+`"}`))
	assert.Equal(t, http.StatusCreated, r.status, "%s", r.body)
}

// callRaw sends body as is with contentType and srv's key.
func callRaw(t *testing.T, srv *gemtest.Server, method, path, contentType string, body []byte) response {
	t.Helper()
	return callWith(t, srv, method, path, rawBody(body), http.Header{"X-API-Key": {srv.APIKey}, "Content-Type": {contentType}})
}

// A boolean query value is what marshmallow's Boolean loads: true, on, yes, y, t and 1,
// false, off, no, n, f and 0, each in lower case, capitalised or upper case (the letters in
// either case); any other spelling is "Not a valid boolean." (docs/gem-api.md §2.0).
func TestBooleanQueryValues(t *testing.T) {
	srv, _ := start(t)
	archived := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Old"})
	current := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "New"})
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPatch, "/v0/projects/"+archived, object{"is_archived": true}).status)
	for want, spellings := range map[string][]string{
		archived: {"true", "True", "TRUE", "t", "T", "on", "On", "ON", "yes", "Yes", "YES", "y", "Y", "1"},
		current:  {"false", "False", "FALSE", "f", "F", "off", "Off", "OFF", "no", "No", "NO", "n", "N", "0"},
	} {
		for _, v := range spellings {
			assert.Equal(t, []string{want}, listIDs(t, srv, "/v0/projects?is_archived="+v), "is_archived=%s", v)
		}
	}
	for _, v := range []string{"tRuE", "yES", "oN", "2", "", "maybe", "%20true"} {
		r := call(t, srv, http.MethodGet, "/v0/projects?is_archived="+v, nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "is_archived=%s: %s", v, r.body)
		assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":{"query":{"is_archived":["Not a valid boolean."]}}}`, string(r.body), "is_archived=%s", v)
	}
}
