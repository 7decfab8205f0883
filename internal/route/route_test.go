package route_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/internal/route"
)

func TestFind(t *testing.T) {
	doc, err := api.Load()
	require.NoError(t, err)
	table := route.New(doc)
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	require.Len(t, table.Routes(), n, "one route per operation of the document")

	for _, tc := range []struct {
		method, path string
		status       int
		want         string // the route's path template
		params       map[string]string
	}{
		{"GET", "/v0/candidates/events", 200, "/v0/candidates/events", nil},
		{"GET", "/v0/candidates/abc", 200, "/v0/candidates/{candidate_id}", map[string]string{"candidate_id": "abc"}},
		{"PUT", "/v0/candidates/events", 200, "/v0/candidates/{candidate_id}", map[string]string{"candidate_id": "events"}},
		{"GET", "/v0/candidates/a%2Fb%3D%3D/notes", 200, "/v0/candidates/{candidate_id}/notes", map[string]string{"candidate_id": "a/b=="}},
		{"POST", "/v0/candidates/c1/uploaded_resumes/u1", 200, "/v0/candidates/{candidate_id}/uploaded_resumes/{user_id}",
			map[string]string{"candidate_id": "c1", "user_id": "u1"}},
		{"PATCH", "/v0/candidates/abc", 405, "", nil},
		{"GET", "/v0/candidates//notes", 404, "", nil},
		{"GET", "/v0/users/", 404, "", nil},
		{"GET", "/v0/nothing", 404, "", nil},
		{"GET", "/v0/candidates/%zz", 404, "", nil},
	} {
		r, params, status := table.Find(tc.method, tc.path)
		assert.Equal(t, tc.status, status, "%s %s", tc.method, tc.path)
		if tc.status != http.StatusOK {
			assert.Nil(t, r)
			continue
		}
		require.NotNil(t, r, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.want, r.Path, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.method, r.Method)
		assert.Equal(t, tc.params, params, "%s %s", tc.method, tc.path)
	}
}
