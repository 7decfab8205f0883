package gemtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// Lists are bare JSON arrays; X-Pagination is flask-smorest's header, byte for byte: its
// key order, Python's separators, the ends omitted, only totals when empty, no page keys
// past the last page, and sent without page parameters too (docs/gem-api.md §2.0).
func TestPaginationHeader(t *testing.T) {
	srv, _ := start(t)
	for i := 2; i <= 45; i++ {
		srv.Fake.AddUser(fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.com", i))
	}
	for _, tc := range []struct {
		query, header string
		items         int
	}{
		{"", `{"total": 45, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1, "next_page": 2}`, 20},
		{"?page=2", `{"total": 45, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 2, "previous_page": 1, "next_page": 3}`, 20},
		{"?page=3", `{"total": 45, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 3, "previous_page": 2}`, 5},
		{"?page=4", `{"total": 45, "total_pages": 3, "first_page": 1, "last_page": 3}`, 0},
		{"?page_size=100", `{"total": 45, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}`, 45},
		{"?page=9&page_size=5", `{"total": 45, "total_pages": 9, "first_page": 1, "last_page": 9, "page": 9, "previous_page": 8}`, 5},
		{"?email=nobody@example.com", `{"total": 0, "total_pages": 0}`, 0},
		{"?email=nobody@example.com&page=3", `{"total": 0, "total_pages": 0}`, 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := call(t, srv, http.MethodGet, "/v0/users"+tc.query, nil)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			assert.Equal(t, tc.header, r.header.Get("X-Pagination"))
			var users []gen.User
			r.json(t, &users)
			assert.Len(t, users, tc.items)
			assert.NotEqual(t, "null", string(r.body[:4]), "an empty page is [], not null")
		})
	}
}

// Walking every page in order visits each user once: the pages partition the list.
func TestPagesPartitionTheList(t *testing.T) {
	srv, _ := start(t)
	for i := 2; i <= 23; i++ {
		srv.Fake.AddUser(fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.com", i))
	}
	c := client(t, srv)
	seen := map[string]int{}
	for pg := 1; ; pg++ {
		var header http.Header
		users, _, err := c.ListUsers(t.Context(), &gen.ListUsersParams{Page: &pg, PageSize: ptr(7)}, gemclient.ResponseHeader(&header))
		require.NoError(t, err)
		for _, u := range users {
			seen[*u.ID]++
		}
		if !hasNext(t, header.Get("X-Pagination")) {
			break
		}
	}
	assert.Len(t, seen, 23)
	for id, n := range seen {
		assert.Equal(t, 1, n, id)
	}
}

// Any page number the query accepts (up to the largest int64) is served as flask-smorest
// serves it, with Python's unbounded integers: past the last page the body is [] and
// X-Pagination keeps only the totals and the ends. (page-1)*page_size used to wrap for
// page=4611686018427387905&page_size=2 and the slice panicked out of Fake.ServeHTTP.
// Larger numbers are not integers to the query parser: a 422.
func TestHugePageNumbers(t *testing.T) {
	f, err := gemtest.New(gemtest.WithSeed("demo"), gemtest.WithoutRateLimit(), gemtest.WithResponseValidation(t))
	require.NoError(t, err)
	serve := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-API-Key", f.APIKey())
		w := httptest.NewRecorder()
		f.ServeHTTP(w, req) // no http.Server in between to recover a panic
		return w
	}
	cand := *f.Candidates()[0].ID
	proj := *f.Projects()[0].ID
	lists := []string{
		"/v0/users", "/v0/candidates", "/v0/projects", "/v0/custom_fields", "/v0/project_fields",
		"/v0/sequences", "/v0/candidates/" + cand + "/notes", "/v0/candidates/" + cand + "/uploaded_resumes",
		"/v0/projects/" + proj + "/candidates", "/v0/project_candidate_membership_log?project_id=" + proj,
	}
	for _, list := range lists {
		sep := "?"
		if strings.Contains(list, "?") {
			sep = "&"
		}
		for _, q := range []string{"page=4611686018427387905&page_size=2", "page=9223372036854775807", "page=9223372036854775807&page_size=100", "page=92233720368547759&page_size=100"} {
			w := serve(list + sep + q)
			require.Equal(t, http.StatusOK, w.Code, "%s%s%s: %s", list, sep, q, w.Body)
			assert.JSONEq(t, `[]`, w.Body.String(), "%s%s%s", list, sep, q)
			var meta map[string]int
			require.NoError(t, json.Unmarshal([]byte(w.Header().Get("X-Pagination")), &meta))
			assert.NotContains(t, meta, "page", "%s%s%s: past the last page", list, sep, q)
			assert.NotContains(t, meta, "next_page")
		}
		w := serve(list + sep + "page=9223372036854775808")
		assert.Equal(t, http.StatusUnprocessableEntity, w.Code, "%s: %s", list, w.Body)
	}
}
