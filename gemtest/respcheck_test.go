package gemtest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/route"
)

// The response checker behind WithResponseValidation passes what Gem would send and
// catches what it would not.
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
