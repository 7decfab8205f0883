package gemclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

func TestCreateOrGetCandidate(t *testing.T) {
	existing := `{"id":"Y2FuZGlkYXRlczox","first_name":"Omer"}`
	cases := []struct {
		name    string
		create  []string // answers to POST, in order: "status body"
		created bool
		posts   int
	}{
		{"created", []string{`201 {"id":"new"}`}, true, 1},
		{"duplicate, documented shape", []string{`400 {"errors":{"duplicate_candidate":{"id":"Y2FuZGlkYXRlczox","linked_in_handle":"omer"}}}`}, false, 1},
		{"duplicate, observed shape", []string{`400 {"code":400,"errors":{"duplicate_candidate":{"id":"Y2FuZGlkYXRlczox","li_handle":"omer"}},"message":"Candidate with LinkedIn handle \"omer\" already exists."}`}, false, 1},
		// With a handle the create may be repeated: a lost answer, then the duplicate.
		{"503 then duplicate", []string{`503 {}`, `400 {"errors":{"duplicate_candidate":{"id":"Y2FuZGlkYXRlczox","li_handle":"omer"}}}`}, false, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			posts := 0
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					assert.Equal(t, "/v0/candidates/Y2FuZGlkYXRlczox", r.URL.Path)
					writeJSON(w, 200, existing)
					return
				}
				mu.Lock()
				answer := tc.create[posts]
				posts++
				mu.Unlock()
				var status int
				var body string
				_, _ = fmt.Sscanf(answer, "%d", &status)
				body = answer[strings.Index(answer, " ")+1:]
				writeJSON(w, status, body)
			})
			c, _ := retryClient(t, s)
			cand, created, err := c.CreateOrGetCandidate(context.Background(), gen.CandidateCreate{
				CreatedBy: "u1", LinkedInHandle: gemclient.Ptr("omer"),
			})
			require.NoError(t, err)
			assert.Equal(t, tc.created, created)
			assert.Equal(t, tc.posts, posts)
			if !created {
				assert.Equal(t, "Omer", *cand.FirstName)
			}
		})
	}

	// Without a handle Gem cannot de-duplicate: an ambiguous failure is not repeated.
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	c, _ := retryClient(t, s)
	_, _, err := c.CreateOrGetCandidate(context.Background(), gen.CandidateCreate{CreatedBy: "u1"})
	require.Error(t, err)
	assert.Equal(t, 1, s.Count())
}

// membership is a project that answers PUT and DELETE /v0/projects/p1/candidates the
// way Gem does: all or nothing, naming the conflicting ids (docs/gem-api.md §2.5, §2.7).
type membership struct {
	mu      sync.Mutex
	members map[string]bool
	batches [][]string
	user    []*string
}

func (m *membership) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body gen.ProjectCandidatesUpdate
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.URL.Path != "/v0/projects/p1/candidates" {
		http.Error(w, "bad request", http.StatusTeapot)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.batches = append(m.batches, body.CandidateIDs)
	m.user = append(m.user, body.UserID)
	adding := r.Method == http.MethodPut
	var conflicting []string
	for _, id := range body.CandidateIDs {
		if m.members[id] == adding {
			conflicting = append(conflicting, id)
		}
	}
	if len(conflicting) > 0 {
		msg := "Candidates with the ids are already in the project"
		if !adding {
			msg = "Candidates with the ids are not in the project"
		}
		writeJSON(w, 400, map[string]any{"code": 400, "status": "Bad Request", "message": msg,
			"errors": map[string]any{"json": map[string]any{"candidate_ids": conflicting}}})
		return
	}
	for _, id := range body.CandidateIDs {
		m.members[id] = adding
	}
	w.WriteHeader(http.StatusNoContent)
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

func TestAddToProject(t *testing.T) {
	m := &membership{members: map[string]bool{"c0005": true, "c1500": true, "c2400": true}}
	c := newClient(t, newServer(t, m.ServeHTTP))
	want := ids("c", 2500)
	input := append(append([]string{}, want...), "c0001", "c0002") // repeats are dropped
	change, err := c.AddToProject(context.Background(), "p1", input, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"c0005", "c1500", "c2400"}, change.Unchanged)
	assert.Len(t, change.Changed, 2497)
	assert.ElementsMatch(t, want, append(slices.Clone(change.Changed), change.Unchanged...))
	for _, id := range want {
		assert.True(t, m.members[id], id)
	}
	// Batches of at most 1000; a batch with conflicts is resent without them.
	sizes := []int{}
	for _, b := range m.batches {
		sizes = append(sizes, len(b))
	}
	assert.Equal(t, []int{1000, 999, 1000, 999, 500, 499}, sizes)
	assert.Nil(t, m.user[0], "no user_id unless given")

	_, err = c.AddToProject(context.Background(), "p1", []string{"new"}, "u1")
	require.NoError(t, err)
	assert.Equal(t, "u1", *m.user[len(m.user)-1])

	change, err = c.AddToProject(context.Background(), "p1", nil, "")
	require.NoError(t, err)
	assert.Empty(t, change.Changed)
}

func TestRemoveFromProject(t *testing.T) {
	m := &membership{members: map[string]bool{"a": true, "b": true}}
	c := newClient(t, newServer(t, m.ServeHTTP))
	change, err := c.RemoveFromProject(context.Background(), "p1", []string{"a", "x", "b", "y"}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, change.Changed)
	assert.Equal(t, []string{"x", "y"}, change.Unchanged)
	assert.False(t, m.members["a"] || m.members["b"])

	change, err = c.RemoveFromProject(context.Background(), "p1", []string{"x"}, "")
	require.NoError(t, err, "every id already out: nothing to do, nothing wrong")
	assert.Equal(t, []string{"x"}, change.Unchanged)
}

// Other errors are returned, with what was done so far; a 400 naming none of the batch
// is not resent forever.
func TestProjectHelpersReturnOtherErrors(t *testing.T) {
	for _, answer := range []string{
		`{"code":404,"message":"Project not found"}`,
		`{"code":400,"errors":{"json":{"candidate_ids":["someone-else"]}}}`,
		`{"code":400,"message":"User does not have the permission to perform the action."}`,
	} {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			var e struct{ Code int }
			_ = json.Unmarshal([]byte(answer), &e)
			writeJSON(w, e.Code, answer)
		})
		change, err := newClient(t, s).AddToProject(context.Background(), "p1", []string{"a", "b"}, "u1")
		require.Error(t, err, answer)
		assert.Empty(t, change.Changed)
		assert.Equal(t, 1, s.Count(), answer)
	}
}

// Only Gem's "already in the project" (or "not in the project") answer means unchanged. A
// 400 that names candidate_ids for another reason (ids Gem does not know) is an error
// naming every id not written: a sync job never reads a lost write as done.
func TestProjectHelpersTellUnchangedFromRefused(t *testing.T) {
	// The second batch holds ids Gem does not know; the first was written.
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var body gen.ProjectCandidatesUpdate
		_ = json.NewDecoder(r.Body).Decode(&body)
		if slices.Contains(body.CandidateIDs, "ghost") {
			writeJSON(w, 400, `{"code":400,"status":"Bad Request","message":"Candidates with the ids do not exist","errors":{"json":{"candidate_ids":["ghost"]}}}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	ids := append(ids("c", 1000), "d1", "ghost", "d2")
	change, err := newClient(t, s).AddToProject(context.Background(), "p1", ids, "")
	var merr *gemclient.MembershipError
	require.ErrorAs(t, err, &merr)
	assert.Equal(t, gemclient.OpAddCandidatesToProject, merr.Operation)
	assert.Equal(t, []string{"d1", "ghost", "d2"}, merr.IDs, "the refused batch: nothing of it was written")
	assert.Len(t, change.Changed, 1000)
	assert.Empty(t, change.Unchanged, "not 'already in the project'")
	assert.True(t, gemclient.IsBadRequest(err), "the APIError is in the chain")
	assert.Contains(t, err.Error(), "3 candidates not written (d1, ghost, d2)")
	assert.Equal(t, 2, s.Count(), "not resent without the named id: the rest was not refused for being there")

	// Removing: "not in the project" is unchanged, the same 400 with another message is not.
	for msg, refused := range map[string]bool{"Candidates with the ids are not in the project": false, "Candidates with the ids are locked": true} {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			var body gen.ProjectCandidatesUpdate
			_ = json.NewDecoder(r.Body).Decode(&body)
			if slices.Contains(body.CandidateIDs, "x") {
				writeJSON(w, 400, map[string]any{"code": 400, "message": msg, "errors": map[string]any{"json": map[string]any{"candidate_ids": []string{"x"}}}})
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		change, err := newClient(t, s).RemoveFromProject(context.Background(), "p1", []string{"a", "x"}, "")
		if refused {
			require.ErrorAs(t, err, &merr, msg)
			assert.Equal(t, []string{"a", "x"}, merr.IDs)
			continue
		}
		require.NoError(t, err, msg)
		assert.Equal(t, []string{"a"}, change.Changed)
		assert.Equal(t, []string{"x"}, change.Unchanged)
	}
}

func TestGetCandidatesByIDs(t *testing.T) {
	known := map[string]bool{}
	for _, id := range ids("c", 45) {
		known[id] = true
	}
	delete(known, "c0007")
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Pagination", `{"total":1,"total_pages":1,"first_page":1,"last_page":1,"page":1}`)
		var out []gen.Candidate
		requested := strings.Split(r.URL.Query().Get("candidate_ids"), ",")
		slices.Reverse(requested) // Gem's order is its own
		for _, id := range requested {
			if known[id] {
				out = append(out, gen.Candidate{ID: gemclient.Ptr(id)})
			}
		}
		writeJSON(w, 200, out)
	})
	c := newClient(t, s)
	input := append(ids("c", 45), "c0003", "unknown")
	got, err := c.GetCandidatesByIDs(context.Background(), input)
	require.NoError(t, err)
	var gotIDs []string
	for _, cand := range got {
		gotIDs = append(gotIDs, *cand.ID)
	}
	want := slices.DeleteFunc(ids("c", 45), func(id string) bool { return id == "c0007" })
	assert.Equal(t, want, gotIDs, "the order of the input, each once, unknown ids left out")
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	for i, n := range []int{20, 20, 6} {
		q := reqs[i].Query
		assert.Contains(t, q, "candidate_ids=", q)
		values := strings.Split(strings.Split(strings.Split(q, "candidate_ids=")[1], "&")[0], ",")
		assert.Len(t, values, n, "comma-separated, at most 20 (style form, explode false)")
	}
}

func TestUploadResumeFile(t *testing.T) {
	pdf := []byte("%PDF-1.7 fake resume")
	s := newServer(t, script([]int{429}, nil, `{"id":"r1","filename":"cv.pdf"}`))
	c, _ := retryClient(t, s)
	res, err := c.UploadResumeFile(context.Background(), "c1", "u1", "dir/Ann \"A\" CV.PDF", bytes.NewReader(pdf))
	require.NoError(t, err)
	assert.Equal(t, "r1", *res.ID)
	reqs := s.Requests()
	require.Len(t, reqs, 2, "the 429 was retried")
	assert.Equal(t, reqs[0].Body, reqs[1].Body, "with the same bytes")
	assert.Equal(t, "/v0/candidates/c1/uploaded_resumes/u1", reqs[1].Path)
	mt, params, err := mime.ParseMediaType(reqs[1].Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "multipart/form-data", mt)
	part, err := multipart.NewReader(bytes.NewReader(reqs[1].Body), params["boundary"]).NextPart()
	require.NoError(t, err)
	assert.Equal(t, "resume_file", part.FormName())
	assert.Equal(t, `Ann "A" CV.PDF`, part.FileName())
	assert.Equal(t, "application/pdf", part.Header.Get("Content-Type"))
	content, _ := io.ReadAll(part)
	assert.Equal(t, pdf, content)
}

// What Gem would refuse is refused before anything is sent or a token spent.
func TestUploadResumeFileRefusals(t *testing.T) {
	cases := map[string]struct {
		name string
		size int
		rule string
		text string
	}{
		"type":  {"cv.txt", 10, "fileType", "resume_file: must be a .pdf, .doc or .docx file"},
		"none":  {"cv", 10, "fileType", "resume_file: must be a .pdf, .doc or .docx file"},
		"size":  {"cv.docx", gemclient.MaxResumeSize + 1, "maxSize", "resume_file: larger than the maximum size of 10 MB"},
		"empty": {"cv.doc", 0, "minSize", "resume_file: empty file"},
	}
	for name, tc := range cases {
		verr := invalid(t, func(ctx context.Context, c *gemclient.Client) error {
			_, err := c.UploadResumeFile(ctx, "c1", "u1", tc.name, bytes.NewReader(make([]byte, tc.size)))
			return err
		})
		require.Len(t, verr.Violations, 1, name)
		assert.Equal(t, tc.rule, verr.Violations[0].Rule, name)
		assert.Equal(t, "/resume_file", verr.Violations[0].Field, name)
		assert.Contains(t, verr.Error(), tc.text, name)
		assert.Equal(t, "UploadResume", verr.Operation)
	}
	verr := invalid(t, func(ctx context.Context, c *gemclient.Client) error {
		_, err := c.UploadResumeFile(ctx, "c1", "u1", "cv.pdf", bytes.NewReader(make([]byte, gemclient.MaxResumeSize+1)))
		return err
	})
	assert.Equal(t, "10485760", verr.Violations[0].Limit)
}
