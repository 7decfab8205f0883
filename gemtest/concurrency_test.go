package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// send is call for goroutines: it reports a failed round trip as an error instead of
// stopping the test.
func send(srv *gemtest.Server, method, path string, body any) (int, []byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-API-Key", srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// 32 goroutines create, update, add to and remove from a shared project, write notes
// and read lists, all at once; afterwards no write is lost and membership, log and
// counts agree. Run it with -race.
func TestConcurrentWritesAreNotLost(t *testing.T) {
	const workers, rounds = 32, 15
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Shared", "privacy_type": "shared"})
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	kept := make([][]string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if err := worker(srv, project, w, i, &kept[w]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	assert.Equal(t, workers*rounds, srv.Fake.CandidateCount())
	var want []string
	for _, ids := range kept {
		want = append(want, ids...)
	}
	assert.ElementsMatch(t, want, srv.Fake.ProjectCandidateIDs(project))
	adds, removes := 0, 0
	for _, e := range srv.Fake.MembershipLog() {
		switch *e.Action {
		case "add":
			adds++
		case "remove":
			removes++
		}
	}
	assert.Equal(t, workers*rounds, adds)
	assert.Equal(t, workers*rounds-len(want), removes)
	for _, c := range srv.Fake.Candidates() {
		assert.Equal(t, "Engineer "+*c.FirstName, *c.Title, "update of %s lost", *c.ID)
		assert.Equal(t, len(c.ProjectIDs) == 1, contains(want, *c.ID))
	}
}

// worker does one round of goroutine w: create, update, add to the project, note, read,
// and every third round take the candidate out again. It records the candidates it left
// in the project.
func worker(srv *gemtest.Server, project string, w, i int, kept *[]string) error {
	name := fmt.Sprintf("w%d-%d", w, i)
	status, body, err := send(srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "first_name": name, "linked_in_handle": name})
	if err != nil || status != http.StatusCreated {
		return fmt.Errorf("create %s: %d %s %v", name, status, body, err)
	}
	var c gen.Candidate
	if err := json.Unmarshal(body, &c); err != nil {
		return err
	}
	id := *c.ID
	steps := []struct {
		method, path string
		body         any
		want         int
	}{
		{http.MethodPut, "/v0/candidates/" + id, object{"title": "Engineer " + name}, http.StatusOK},
		{http.MethodPut, "/v0/projects/" + project + "/candidates", object{"candidate_ids": []string{id}}, http.StatusNoContent},
		{http.MethodPost, "/v0/notes", object{"candidate_id": id, "user_id": srv.UserID, "content": "hi"}, http.StatusCreated},
		{http.MethodGet, "/v0/candidates", nil, http.StatusOK},
		{http.MethodGet, "/v0/projects/" + project + "/candidates", nil, http.StatusOK},
	}
	if i%3 == 0 {
		steps = append(steps, struct {
			method, path string
			body         any
			want         int
		}{http.MethodDelete, "/v0/projects/" + project + "/candidates", object{"candidate_ids": []string{id}}, http.StatusNoContent})
	} else {
		*kept = append(*kept, id)
	}
	for _, s := range steps {
		status, body, err := send(srv, s.method, s.path, s.body)
		if err != nil || status != s.want {
			return fmt.Errorf("%s %s: %d %s %v", s.method, s.path, status, body, err)
		}
	}
	return nil
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Racing creates of one LinkedIn handle make exactly one candidate; the others get the
// duplicate 400 naming it.
func TestConcurrentDuplicates(t *testing.T) {
	srv, _ := start(t)
	var wg sync.WaitGroup
	statuses := make([]int, 32)
	bodies := make([][]byte, 32)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], bodies[i], _ = send(srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "linked_in_handle": "same-person"})
		}()
	}
	wg.Wait()
	require.Equal(t, 1, srv.Fake.CandidateCount())
	id := *srv.Fake.Candidates()[0].ID
	created := 0
	for i, s := range statuses {
		if s == http.StatusCreated {
			created++
			continue
		}
		assert.Equal(t, http.StatusBadRequest, s)
		assert.Contains(t, string(bodies[i]), id)
	}
	assert.Equal(t, 1, created)
}
