package gemtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// walk reads every page of a list and returns its items' ids.
func walk(t *testing.T, srv *gemtest.Server, path string) []string {
	t.Helper()
	var ids []string
	for pg := 1; ; pg++ {
		r := call(t, srv, http.MethodGet, path+"?page_size=25&page="+itoa(pg), nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var items []struct {
			ID string `json:"id"`
		}
		r.json(t, &items)
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if !hasNext(t, r.header.Get("X-Pagination")) {
			return ids
		}
	}
}

// The demo data set is realistic and every bit of it renders as Gem's document says
// (response validation is on for every read here).
func TestDemoData(t *testing.T) {
	srv, _ := start(t, gemtest.WithSeed("demo"), gemtest.WithEventLists())
	assert.Len(t, walk(t, srv, "/v0/users"), 5)
	assert.Equal(t, "Priya Raman", *srv.Fake.Users()[0].Name)
	assert.Equal(t, *srv.Fake.Users()[0].ID, srv.UserID)
	assert.Len(t, walk(t, srv, "/v0/sequences"), 3)
	assert.Len(t, walk(t, srv, "/v0/project_fields"), 3)
	assert.Len(t, walk(t, srv, "/v0/custom_fields"), 5)
	assert.NotEmpty(t, walk(t, srv, "/v0/candidates/events"))
	projects := walk(t, srv, "/v0/projects")
	assert.Len(t, projects, 5)
	candidates := walk(t, srv, "/v0/candidates")
	assert.Len(t, candidates, 60)

	members := 0
	for _, p := range projects {
		members += len(walk(t, srv, "/v0/projects/"+p+"/candidates"))
		assert.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/v0/projects/"+p+"/project_field_options", nil).status)
	}
	assert.Positive(t, members)
	withFields := 0
	for _, id := range candidates {
		c := getCandidate(t, srv, id)
		for _, v := range c.CustomFields {
			assert.NotEqual(t, "Legacy ATS ID", v.Name, "a hidden field")
		}
		if len(c.CustomFields) > 1 {
			withFields++
		}
		walk(t, srv, "/v0/candidates/"+id+"/notes")
		walk(t, srv, "/v0/candidates/"+id+"/uploaded_resumes")
	}
	assert.Positive(t, withFields)

	export := get[gen.DataExport](t, srv, "/v0/data_export")
	require.NotEmpty(t, export.Files)
	resp, err := srv.Client().Get(*(export.Files)[0].DownloadURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	r := call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "linked_in_handle": *srv.Fake.Candidates()[0].LinkedInHandle})
	assert.Equal(t, http.StatusBadRequest, r.status, "demo handles are taken: %s", r.body)
	_, err = gemtest.New(gemtest.WithSeed("nope"))
	assert.ErrorContains(t, err, `unknown seed "nope" (known: [demo])`)
}
