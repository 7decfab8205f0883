package gemtest_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// Lists keep flask-smorest's order however the store is built: by created_at, creation
// breaking ties, reversed for desc, whatever the clock did (here it jumps back and forth,
// so timestamps tie and go backwards) and after deletions; pages partition the list; the
// created_after/created_before window and the other filters pick the same candidates as a
// plain scan would. The model is a sort of what was created.
func TestListOrderMatchesModel(t *testing.T) {
	clock := gemtest.NewManualClock(epoch)
	srv := gemtest.NewServer(t, gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now), gemtest.WithResponseValidation(t))
	other := *srv.Fake.AddUser("Other", "other@example.com").ID
	rng := rand.New(rand.NewPCG(1, 2))
	type rec struct {
		id, by  string
		created int64
	}
	var model []rec
	for i := range 240 {
		clock.Advance(time.Duration(rng.IntN(11)-5) * time.Second)
		by := srv.UserID
		if i%3 == 0 {
			by = other
		}
		c, err := srv.Fake.AddCandidate(gen.CandidateCreate{CreatedBy: by})
		require.NoError(t, err)
		model = append(model, rec{*c.ID, by, int64(*c.CreatedAt)})
	}
	for i := 0; i < len(model); i += 7 {
		r := call(t, srv, http.MethodDelete, "/v0/candidates/"+model[i].id, object{"on_behalf_of_user_id": srv.UserID})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		model[i].id = ""
	}
	model = slices.DeleteFunc(model, func(r rec) bool { return r.id == "" })
	slices.SortStableFunc(model, func(a, b rec) int { return int(a.created - b.created) })

	lo, hi := model[0].created, model[len(model)-1].created
	for _, tc := range []struct {
		query string
		keep  func(rec) bool
	}{
		{"", func(rec) bool { return true }},
		{"&created_by=" + other, func(r rec) bool { return r.by == other }},
		{fmt.Sprintf("&created_after=%d", lo+3), func(r rec) bool { return r.created > lo+3 }},
		{fmt.Sprintf("&created_before=%d", hi-2), func(r rec) bool { return r.created < hi-2 }},
		{fmt.Sprintf("&created_after=%d&created_before=%d&created_by=%s", lo+1, hi-1, srv.UserID),
			func(r rec) bool { return r.created > lo+1 && r.created < hi-1 && r.by == srv.UserID }},
		{fmt.Sprintf("&created_after=%d&created_before=%d", hi, lo), func(rec) bool { return false }},
	} {
		var want []string
		for _, r := range model {
			if tc.keep(r) {
				want = append(want, r.id)
			}
		}
		for _, order := range []string{"asc", "desc"} {
			if order == "desc" {
				want = slices.Clone(want)
				slices.Reverse(want)
			}
			for _, size := range []int{1, 7, 100} {
				var got []string
				for pg := 1; ; pg++ {
					r := call(t, srv, http.MethodGet, "/v0/candidates?sort="+order+"&page_size="+itoa(size)+"&page="+itoa(pg)+tc.query, nil)
					require.Equal(t, http.StatusOK, r.status, "%s", r.body)
					var page []gen.Candidate
					r.json(t, &page)
					for _, c := range page {
						got = append(got, *c.ID)
					}
					if !hasNext(t, r.header.Get("X-Pagination")) {
						break
					}
				}
				assert.Equal(t, want, nonNilIDs(got), "sort=%s page_size=%d%s", order, size, tc.query)
			}
		}
	}
}

func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string(nil)
	}
	return ids
}

// The bytes allocated to serve a page of 100 do not grow with the store: a page at
// 10,000 stored candidates allocates what one at 1,000 does, unfiltered, in a
// created_after/created_before window and through candidate_ids. (Before the store kept
// its lists sorted, every GET copied and sorted the whole list: a page at 10,000 cost
// 4-5 times one at 1,000; see BenchmarkWalkCandidates.) Allocation is measured rather
// than time, so the test does not depend on the machine.
func TestPageCostDoesNotGrowWithTheStore(t *testing.T) {
	build := func(n int) (*gemtest.Fake, []string) {
		clock := gemtest.NewManualClock(epoch)
		f, err := gemtest.New(gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now))
		require.NoError(t, err)
		var ids []string
		for i := range n {
			if i%10 == 0 {
				clock.Advance(time.Second)
			}
			c, err := f.AddCandidate(gen.CandidateCreate{CreatedBy: f.DefaultUserID(), FirstName: ptr("Ada " + strconv.Itoa(i))})
			require.NoError(t, err)
			ids = append(ids, *c.ID)
		}
		return f, ids
	}
	bytesFor := func(f *gemtest.Fake, target string) uint64 {
		best := ^uint64(0)
		for range 5 {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("X-API-Key", f.APIKey())
			w := httptest.NewRecorder()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			f.ServeHTTP(w, req)
			runtime.ReadMemStats(&after)
			require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
			best = min(best, after.TotalAlloc-before.TotalAlloc)
		}
		return best
	}
	small, smallIDs := build(1_000)
	large, largeIDs := build(10_000)
	window := fmt.Sprintf("&created_after=%d&created_before=%d", epoch.Unix()+10, epoch.Unix()+40)
	for _, q := range []struct{ name, small, large string }{
		{"first page", "page=1", "page=1"},
		{"middle page", "page=5&sort=asc", "page=50&sort=asc"},
		{"window", "page=2" + window, "page=2" + window},
		{"candidate_ids", "candidate_ids=" + smallIDs[3] + "," + smallIDs[500], "candidate_ids=" + largeIDs[3] + "," + largeIDs[5000]},
	} {
		s := bytesFor(small, "/v0/candidates?page_size=100&"+q.small)
		l := bytesFor(large, "/v0/candidates?page_size=100&"+q.large)
		assert.Less(t, float64(l), 1.2*float64(s), "%s: %d bytes at 10,000 stored, %d at 1,000", q.name, l, s)
	}
}

// The membership log (by project, by candidate, by both), a project's candidates and a
// candidate's notes keep the same order as the model, with the clock jumping back and
// forth and members removed and added again.
func TestPerProjectAndPerCandidateListsMatchModel(t *testing.T) {
	clock := gemtest.NewManualClock(epoch)
	srv := gemtest.NewServer(t, gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now), gemtest.WithResponseValidation(t))
	rng := rand.New(rand.NewPCG(3, 4))
	projects := []string{
		mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "A"}),
		mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "B"}),
	}
	var cands []string
	for range 12 {
		cands = append(cands, mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID}))
	}
	type entry struct {
		cand, proj, action string
		at                 int64
	}
	var log []entry
	type note struct {
		id string
		at int64
	}
	notes := map[string][]note{}
	in := map[[2]string]bool{}
	for range 150 {
		clock.Advance(time.Duration(rng.IntN(7)-3) * time.Second)
		c, p := cands[rng.IntN(len(cands))], projects[rng.IntN(2)]
		if rng.IntN(4) == 0 {
			id := mustCreate(t, srv, "/v0/notes", object{"candidate_id": c, "user_id": srv.UserID, "content": "n"})
			notes[c] = append(notes[c], note{id, clock.Now().Unix()})
			continue
		}
		method, action := http.MethodPut, "add"
		if in[[2]string{c, p}] {
			method, action = http.MethodDelete, "remove"
		}
		r := call(t, srv, method, "/v0/projects/"+p+"/candidates", object{"candidate_ids": []string{c}})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		in[[2]string{c, p}] = !in[[2]string{c, p}]
		log = append(log, entry{c, p, action, clock.Now().Unix()})
	}
	// A project's members, each with its last addition (in the order things happened).
	type member struct {
		cand string
		at   int64
		seq  int
	}
	members := map[string][]member{}
	for i, e := range log {
		if e.action == "add" && in[[2]string{e.cand, e.proj}] {
			members[e.proj] = slices.DeleteFunc(members[e.proj], func(m member) bool { return m.cand == e.cand })
			members[e.proj] = append(members[e.proj], member{e.cand, e.at, i})
		}
	}
	slices.SortStableFunc(log, func(a, b entry) int { return int(a.at - b.at) })
	walkAll := func(path string) []object {
		t.Helper()
		var all []object
		for pg := 1; ; pg++ {
			r := call(t, srv, http.MethodGet, path+"&page_size=9&page="+itoa(pg), nil)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var items []object
			r.json(t, &items)
			all = append(all, items...)
			if !hasNext(t, r.header.Get("X-Pagination")) {
				return all
			}
		}
	}
	for _, order := range []string{"asc", "desc"} {
		for _, q := range []struct {
			query string
			keep  func(entry) bool
		}{
			{"project_id=" + projects[0], func(e entry) bool { return e.proj == projects[0] }},
			{"candidate_id=" + cands[1], func(e entry) bool { return e.cand == cands[1] }},
			{"project_id=" + projects[1] + "&candidate_id=" + cands[2], func(e entry) bool { return e.proj == projects[1] && e.cand == cands[2] }},
		} {
			var want, got []string
			for _, e := range log {
				if q.keep(e) {
					want = append(want, e.cand+" "+e.proj+" "+e.action)
				}
			}
			if order == "desc" {
				slices.Reverse(want)
			}
			for _, o := range walkAll("/v0/project_candidate_membership_log?sort=" + order + "&" + q.query) {
				got = append(got, o["candidate_id"].(string)+" "+o["project_id"].(string)+" "+o["action"].(string))
			}
			assert.Equal(t, want, got, "sort=%s %s", order, q.query)
		}
		for _, p := range projects {
			ms := slices.Clone(members[p])
			slices.SortFunc(ms, func(a, b member) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
			var want, got []string
			for _, m := range ms {
				want = append(want, m.cand)
			}
			if order == "desc" {
				slices.Reverse(want)
			}
			for _, o := range walkAll("/v0/projects/" + p + "/candidates?sort=" + order) {
				got = append(got, o["candidate_id"].(string))
			}
			assert.Equal(t, want, got, "sort=%s project %s", order, p)
		}
		for c, ns := range notes {
			ns = slices.Clone(ns)
			slices.SortStableFunc(ns, func(a, b note) int { return int(a.at - b.at) })
			var want, got []string
			for _, n := range ns {
				want = append(want, n.id)
			}
			if order == "desc" {
				slices.Reverse(want)
			}
			for _, o := range walkAll("/v0/candidates/" + c + "/notes?sort=" + order) {
				got = append(got, o["id"].(string))
			}
			assert.Equal(t, want, got, "sort=%s notes of %s", order, c)
		}
	}
}
