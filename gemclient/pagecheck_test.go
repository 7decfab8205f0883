package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// Lists that never move forward stop with a *PaginationError, in both modes, after the
// items of the pages that were new: none is yielded twice. Without the check each of
// them yields the same items without end (10,000 items over 5,000 requests for a
// 4-item list); the walks here stop after 1,000 items at the latest.
func TestIteratorStopsWhenPagesDoNotAdvance(t *testing.T) {
	fixed := func(page int, meta map[string]int) string { // a cache or server ignoring page
		b, _ := json.Marshal(flaskPagination(40, 1, 20))
		return string(b)
	}
	backwards := func(page int, meta map[string]int) string { // names page 1, next_page 2
		if page == 1 {
			b, _ := json.Marshal(meta)
			return string(b)
		}
		return `{"total":60,"total_pages":3,"first_page":1,"last_page":3,"page":1,"next_page":2}`
	}
	cases := []struct {
		name   string
		list   func() *list
		reason string
	}{
		{"server ignores page", func() *list { return &list{total: 40, header: fixed, ignorePage: true} }, "answered page 1"},
		{"header names another page", func() *list { return &list{total: 60, header: backwards} }, "answered page 1"},
		{"no header, same full page", func() *list {
			return &list{total: 40, header: func(int, map[string]int) string { return "" }, ignorePage: true}
		}, "identical to page 1"},
	}
	for _, tc := range cases {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(t *testing.T) {
				l := tc.list()
				c := listClient(t, l)
				ids, errs := collect(c.ListCandidatesAll(context.Background(), nil, gemclient.PageSize(20), gemclient.Workers(workers)), 1000)
				assert.Equal(t, wantIDs(1, 20), ids, "page 1 once")
				require.Len(t, errs, 1)
				var perr *gemclient.PaginationError
				require.ErrorAs(t, errs[0], &perr)
				assert.Equal(t, 2, perr.Page)
				assert.Contains(t, errs[0].Error(), tc.reason)
				assert.LessOrEqual(t, len(l.pages()), 2+2*workers)
			})
		}
	}
}

// A list that really changes still walks: ids may shift between pages, but no page is
// byte for byte an earlier one, and each header names the page asked for.
func TestIteratorPaginationCheckKeepsRealLists(t *testing.T) {
	for _, workers := range []int{1, 4} {
		l := &list{total: 500}
		ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.PageSize(50), gemclient.Workers(workers)), 0)
		assert.Empty(t, errs)
		assert.Equal(t, wantIDs(1, 500), ids)
	}
}

// shuffler serves a list of total candidates while ignoring the page asked for: every
// answer is the first size items of the whole list in another order (seeded by the page
// asked for, so that the test is deterministic in both modes), as a server that ignores
// `page` and sorts by nothing would.
// Its X-Pagination header is one of:
//
//   - "none": no header;
//   - "echo": the page asked for, with the list's true total and last page, and always
//     a next page;
//   - "growing": the page asked for, and a list that has one more page than that.
//
// After maxRequests it answers an empty page, which ends any walk: the test's bound, not
// the SDK's.
type shuffler struct {
	total, size, maxRequests int
	header                   string
	mu                       sync.Mutex
	requests                 int
}

func (s *shuffler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	order := rand.New(rand.NewPCG(uint64(page), 14)).Perm(s.total)
	var meta map[string]int
	switch s.header {
	case "echo":
		pages := (s.total + s.size - 1) / s.size
		meta = map[string]int{"total": s.total, "total_pages": pages, "first_page": 1, "last_page": pages, "page": page, "next_page": page + 1}
	case "growing":
		meta = map[string]int{"total": (page + 1) * s.size, "total_pages": page + 1, "first_page": 1, "last_page": page + 1, "page": page, "next_page": page + 1}
	}
	if meta != nil {
		h, _ := json.Marshal(meta)
		w.Header().Set("X-Pagination", string(h))
	}
	items := []gen.Candidate{}
	for _, i := range order[:s.size] {
		if n > s.maxRequests {
			break
		}
		items = append(items, gen.Candidate{ID: gemclient.Ptr(fmt.Sprintf("c%04d", i+1))})
	}
	writeJSON(w, http.StatusOK, items)
}

// walkShuffler walks a shuffler and returns the requests it made, the items yielded, how
// many of them repeat an earlier one, and the error that ended the walk.
func walkShuffler(t *testing.T, total int, header string, workers int) (requests, items, repeats int, err error) {
	s := &shuffler{total: total, size: 100, maxRequests: 2000, header: header}
	c, _ := retryClient(t, newServer(t, s.ServeHTTP), gemclient.WithMaxRetries(0))
	seen := map[string]bool{}
	for cand, e := range c.ListCandidatesAll(context.Background(), nil, gemclient.PageSize(100), gemclient.Workers(workers)) {
		if e != nil {
			err = e
			break
		}
		items++
		if seen[cand.GetID()] {
			repeats++
		}
		seen[cand.GetID()] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, items, repeats, err
}

// A server that ignores `page` and shuffles its rows: the digest check cannot see it (no
// two answers are alike), and before the walk stopped at the list's end and tracked ids
// it made 2,000 requests and yielded 199,900 repeated items (the shuffler's bound, in
// every mode). Now no item is yielded twice, and the walk ends within a few requests: at
// the last page the header states, or at the first page of repeated items with a
// *PaginationError.
func TestWalkOverShufflingServer(t *testing.T) {
	for _, tc := range []struct {
		header     string
		total      int
		pagination bool // ends with a *PaginationError (else cleanly, at the last page)
		items      int
	}{
		{"none", 100, true, 100},
		{"echo", 100, false, 100},
		{"growing", 100, true, 100},
		{"none", 1000, true, 100},
		{"echo", 1000, true, 100},
		{"growing", 1000, true, 100},
	} {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d/workers=%d", tc.header, tc.total, workers), func(t *testing.T) {
				requests, items, repeats, err := walkShuffler(t, tc.total, tc.header, workers)
				t.Logf("%d requests, %d items, %d repeated: %v", requests, items, repeats, err)
				assert.Zero(t, repeats)
				assert.Equal(t, tc.items, items)
				assert.LessOrEqual(t, requests, 2+2*workers)
				if tc.pagination {
					var perr *gemclient.PaginationError
					require.ErrorAs(t, err, &perr)
					assert.Equal(t, 2, perr.Page)
				} else {
					assert.NoError(t, err)
				}
			})
		}
	}
}

// A list that changes during the walk is still walked: Gem's list newest first, three
// candidates created while page 1 is read. Every later page begins with the end of the
// one before (the items shifted by three), which the walk skips: each of the original
// items once, no error, in both modes. (The three new items are on page 1, which the
// walk had; the walk's end follows the header's grown last page.)
func TestWalkOverShiftingList(t *testing.T) {
	for _, workers := range []int{1, 4} {
		var mu sync.Mutex
		ids := []string{} // newest first
		for i := 250; i >= 1; i-- {
			ids = append(ids, fmt.Sprintf("c%04d", i))
		}
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			mu.Lock()
			current := append([]string(nil), ids...)
			if page == 1 {
				ids = append([]string{"c0253", "c0252", "c0251"}, ids...)
			}
			mu.Unlock()
			meta, _ := json.Marshal(flaskPagination(len(current), page, 100))
			w.Header().Set("X-Pagination", string(meta))
			items := []gen.Candidate{}
			for _, id := range current[min((page-1)*100, len(current)):min(page*100, len(current))] {
				items = append(items, gen.Candidate{ID: gemclient.Ptr(id)})
			}
			writeJSON(w, http.StatusOK, items)
		})
		c := newClient(t, s)
		got, errs := collect(c.ListCandidatesAll(context.Background(), nil, gemclient.PageSize(100), gemclient.Workers(workers)), 0)
		assert.Empty(t, errs, "workers %d", workers)
		assert.ElementsMatch(t, wantIDs(1, 250), got, "workers %d: each original item once", workers)
	}
}
