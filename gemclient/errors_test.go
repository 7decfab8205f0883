package gemclient_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// apiErrorFor returns the *APIError a GetCandidate call gets for one answer.
func apiErrorFor(t *testing.T, status int, contentType, body string) *gemclient.APIError {
	t.Helper()
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	_, err := newClient(t, s, gemclient.WithMaxRetries(0)).GetCandidate(context.Background(), "abc")
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr
}

// The body shapes of docs/gem-api.md §2.5 all decode into the same fields.
func TestAPIErrorDecodesEveryBodyShape(t *testing.T) {
	cases := []struct {
		name          string
		status        int
		ctype, body   string
		code          int
		statusText    string
		message       string
		errors        string
		errorContains []string
	}{
		{
			name: "Gem envelope (422, webargs)", status: 422, ctype: "application/json",
			body: `{"code":422,"status":"Unprocessable Entity","errors":{"json":{"created_by":["Missing data for required field."]}}}`,
			code: 422, statusText: "Unprocessable Entity", errors: `{"json":{"created_by":["Missing data for required field."]}}`,
			errorContains: []string{"GetCandidate (GET /v0/candidates/abc): 422 Unprocessable Entity", "created_by: Missing data for required field."},
		},
		{
			name: "Gem envelope (400 with message)", status: 400, ctype: "application/json",
			body: `{"code":400,"errors":{"duplicate_candidate":{"id":"Y2FuZGlkYXRlczoxODQ5NzA3Nw==","li_handle":"omer"}},"message":"Candidate with LinkedIn handle \"omer\" already exists."}`,
			code: 400, statusText: "Bad Request", message: `Candidate with LinkedIn handle "omer" already exists.`,
			errors:        `{"duplicate_candidate":{"id":"Y2FuZGlkYXRlczoxODQ5NzA3Nw==","li_handle":"omer"}}`,
			errorContains: []string{"400 Bad Request: Candidate with LinkedIn handle"},
		},
		{
			name: "gateway message (403)", status: 403, ctype: "application/json", body: `{"message":"Forbidden"}`,
			code: 403, statusText: "Forbidden", message: "Forbidden",
			errorContains: []string{"403 Forbidden: Forbidden", "check the API key"},
		},
		{
			name: "AWS capitalised Message", status: 403, ctype: "application/json", body: `{"Message":"User is not authorized"}`,
			code: 403, statusText: "Forbidden", message: "User is not authorized",
		},
		{
			name: "empty body", status: 404, code: 404, statusText: "Not Found",
			errorContains: []string{"GetCandidate (GET /v0/candidates/abc): 404 Not Found"},
		},
		{
			name: "HTML from a proxy", status: 418, ctype: "text/html", body: "<html><body>I'm a teapot</body></html>",
			code: 418, statusText: "I'm a teapot", errorContains: []string{"non-JSON body, 38 bytes"},
		},
		{
			name: "JSON that is not an object", status: 409, ctype: "application/json", body: `["conflict"]`,
			code: 409, statusText: "Conflict",
		},
		{
			name: "odd field types", status: 400, ctype: "application/json", body: `{"code":"x","status":7,"message":{"a":1},"errors":null}`,
			code: 400, statusText: "7", message: `{"a":1}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := apiErrorFor(t, tc.status, tc.ctype, tc.body)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.statusText, e.Status)
			assert.Equal(t, tc.message, e.Message)
			if tc.errors == "" {
				assert.Nil(t, e.Errors)
			} else {
				assert.JSONEq(t, tc.errors, string(e.Errors))
			}
			assert.Equal(t, tc.body, string(e.Body))
			assert.Equal(t, http.MethodGet, e.Method)
			assert.Equal(t, "/v0/candidates/abc", e.Path)
			assert.Equal(t, "GetCandidate", e.Operation)
			assert.Equal(t, 1, e.Attempts)
			for _, want := range tc.errorContains {
				assert.Contains(t, e.Error(), want)
			}
		})
	}
}

func TestErrorBodiesAreCappedAt1MiB(t *testing.T) {
	e := apiErrorFor(t, 400, "text/plain", strings.Repeat("x", 3<<20))
	assert.Len(t, e.Body, 1<<20)
	assert.Equal(t, 400, e.StatusCode)
}

func TestStatusHelpers(t *testing.T) {
	helpers := map[string]func(error) bool{
		"IsNotFound": gemclient.IsNotFound, "IsRateLimited": gemclient.IsRateLimited, "IsForbidden": gemclient.IsForbidden,
		"IsValidation": gemclient.IsValidation, "IsBadRequest": gemclient.IsBadRequest,
	}
	want := map[int]string{404: "IsNotFound", 429: "IsRateLimited", 403: "IsForbidden", 422: "IsValidation", 400: "IsBadRequest"}
	for status, helper := range want {
		err := error(apiErrorFor(t, status, "", ""))
		for name, is := range helpers {
			assert.Equal(t, name == helper, is(err), "%s on %d", name, status)
		}
	}
	for _, is := range helpers {
		assert.False(t, is(nil))
		assert.False(t, is(context.Canceled))
	}
}

func TestFieldErrorsFlattenGemsLocations(t *testing.T) {
	e := apiErrorFor(t, 422, "application/json", `{"code":422,"errors":{
		"json":{"created_by":["Missing data for required field."],"emails":{"0":{"email_address":["Not a valid email address."]}}},
		"query":{"page_size":["Must be greater than or equal to 1 and less than or equal to 100."]}}}`)
	assert.Equal(t, map[string][]string{
		"created_by":             {"Missing data for required field."},
		"emails.0.email_address": {"Not a valid email address."},
		"page_size":              {"Must be greater than or equal to 1 and less than or equal to 100."},
	}, gemclient.FieldErrors(e))
	assert.Nil(t, gemclient.FieldErrors(apiErrorFor(t, 404, "", "")))
	assert.Nil(t, gemclient.FieldErrors(context.Canceled))
}

// DuplicateCandidateID reads the id whichever handle key Gem uses, with or without the
// json level (docs/gem-api.md §2.5).
func TestDuplicateCandidateID(t *testing.T) {
	for body, want := range map[string]string{
		`{"errors":{"duplicate_candidate":{"id":"c1","linked_in_handle":"ann"}}}`:                          "c1",
		`{"code":400,"errors":{"duplicate_candidate":{"id":"c2","li_handle":"ann"}},"message":"exists"}`:   "c2",
		`{"code":400,"errors":{"json":{"duplicate_candidate":{"id":"c3","li_handle":"ann"}}}}`:             "c3",
		`{"code":400,"errors":{"json":{"candidate_ids":["a"]}},"message":"already in the project"}`:        "",
		`{"code":400,"errors":{"duplicate_candidate":"weird"}}`:                                            "",
		`{"code":400,"errors":{"json":["weird"],"duplicate_candidate":{"id":"c4"}}}`:                       "c4",
		`{"code":400,"message":"no errors object"}`:                                                        "",
		`{"code":400,"errors":{"json":{"duplicate_candidate":{"id":""}},"duplicate_candidate":{"id":""}}}`: "",
	} {
		id, ok := gemclient.DuplicateCandidateID(apiErrorFor(t, 400, "application/json", body))
		assert.Equal(t, want, id, body)
		assert.Equal(t, want != "", ok, body)
	}
	_, ok := gemclient.DuplicateCandidateID(context.Canceled)
	assert.False(t, ok)
}

func TestConflictingCandidateIDs(t *testing.T) {
	e := apiErrorFor(t, 400, "application/json",
		`{"code":400,"errors":{"json":{"candidate_ids":["a","b"]}},"message":"Candidates with the ids are already in the project","status":"Bad Request"}`)
	assert.Equal(t, []string{"a", "b"}, gemclient.ConflictingCandidateIDs(e))
	assert.Nil(t, gemclient.ConflictingCandidateIDs(apiErrorFor(t, 400, "application/json", `{"errors":{"json":{"candidate_ids":"x"}}}`)))
	assert.Nil(t, gemclient.ConflictingCandidateIDs(nil))
}

// The deprecated event listings answer 403 "Events are deprecated" (docs/gem-api.md
// §2.5); the error says that Gem deprecated them rather than blaming the key.
func TestDeprecatedEventsErrorSaysSo(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"code":403,"status":"Forbidden","message":"Events are deprecated"}`)
	})
	c := newClient(t, s)
	_, _, err := c.ListCandidateEvents(context.Background(), "c1", nil)
	require.True(t, gemclient.IsForbidden(err))
	assert.Contains(t, err.Error(), "Events are deprecated")
	assert.Contains(t, err.Error(), "Gem has deprecated this endpoint")
	assert.NotContains(t, err.Error(), "check the API key")
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.Deprecated)

	for _, err := range c.ListEventsAll(context.Background(), &gen.ListEventsParams{}) {
		assert.Contains(t, err.Error(), "Gem has deprecated this endpoint")
	}
}
