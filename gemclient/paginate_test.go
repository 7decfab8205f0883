package gemclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

func TestParsePageInfo(t *testing.T) {
	cases := []struct {
		name, header string
		want         gemclient.PageInfo
	}{
		{"first page", `{"total":250,"total_pages":3,"first_page":1,"last_page":3,"page":1,"next_page":2}`,
			gemclient.PageInfo{Total: 250, TotalPages: 3, FirstPage: 1, LastPage: 3, Page: 1, NextPage: 2}},
		{"middle page", `{"total":250,"total_pages":3,"first_page":1,"last_page":3,"page":2,"previous_page":1,"next_page":3}`,
			gemclient.PageInfo{Total: 250, TotalPages: 3, FirstPage: 1, LastPage: 3, Page: 2, PreviousPage: 1, NextPage: 3}},
		{"last page", `{"total":250,"total_pages":3,"first_page":1,"last_page":3,"page":3,"previous_page":2}`,
			gemclient.PageInfo{Total: 250, TotalPages: 3, FirstPage: 1, LastPage: 3, Page: 3, PreviousPage: 2}},
		{"only page", `{"total":5,"total_pages":1,"first_page":1,"last_page":1,"page":1}`,
			gemclient.PageInfo{Total: 5, TotalPages: 1, FirstPage: 1, LastPage: 1, Page: 1}},
		{"empty list", `{"total": 0, "total_pages": 0}`, gemclient.PageInfo{}},
		{"page beyond the last", `{"total":250,"total_pages":3,"first_page":1,"last_page":3}`,
			gemclient.PageInfo{Total: 250, TotalPages: 3, FirstPage: 1, LastPage: 3}},
	}
	for _, tc := range cases {
		got, err := gemclient.ParsePageInfo(tc.header)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, *got, tc.name)
		assert.Equal(t, tc.want.NextPage != 0, got.HasNext(), tc.name)
	}

	// A next_page beyond the header's own last page (a server echoing any page asked for)
	// parses, but no page follows it.
	for _, header := range []string{
		`{"total":100,"total_pages":1,"first_page":1,"last_page":1,"page":5,"next_page":6}`,
		`{"total":100,"total_pages":1,"page":1,"next_page":2}`,
		`{"total":0,"total_pages":0,"page":1,"next_page":2}`,
	} {
		got, err := gemclient.ParsePageInfo(header)
		require.NoError(t, err, header)
		assert.False(t, got.HasNext(), header)
	}

	for name, header := range map[string]string{
		"not JSON":               `total=3`,
		"simple style":           `total,250,total_pages,3`,
		"empty":                  ``,
		"array":                  `[1,2]`,
		"null":                   `null`,
		"missing total":          `{"total_pages":3}`,
		"string number":          `{"total":"250","total_pages":3}`,
		"negative":               `{"total":-1,"total_pages":0}`,
		"next before page":       `{"total":250,"total_pages":3,"page":2,"next_page":2}`,
		"next without page":      `{"total":250,"total_pages":3,"next_page":2}`,
		"last beyond total":      `{"total":250,"total_pages":3,"last_page":9}`,
		"truncated":              `{"total":250,"total_pa`,
		"float":                  `{"total":2.5,"total_pages":3}`,
		"huge header is cut off": `{"x":"` + string(make([]byte, 5000)) + `"`,
	} {
		got, err := gemclient.ParsePageInfo(header)
		assert.Nil(t, got, name)
		var perr *gemclient.PageInfoError
		if assert.ErrorAs(t, err, &perr, name) {
			assert.Contains(t, err.Error(), "malformed X-Pagination header", name)
			assert.LessOrEqual(t, len(perr.Header), 200, name)
		}
	}
}

// Whatever the header, ParsePageInfo does not panic, and what it accepts moves forward.
func FuzzParsePageInfo(f *testing.F) {
	f.Add(`{"total":250,"total_pages":3,"first_page":1,"last_page":3,"page":2,"previous_page":1,"next_page":3}`)
	f.Add(`{"total":0,"total_pages":0}`)
	f.Add(`{"total":1,"total_pages":1,"page":1,"next_page":1}`)
	f.Fuzz(func(t *testing.T, header string) {
		info, err := gemclient.ParsePageInfo(header)
		if err == nil && info.HasNext() && info.NextPage <= info.Page {
			t.Fatalf("next_page %d does not follow page %d", info.NextPage, info.Page)
		}
	})
}

// list serves total candidates (ids c0001...) at GET /v0/candidates the way flask-smorest
// does (docs/gem-api.md §2.0). Hooks let tests break it on purpose.
type list struct {
	mu       sync.Mutex
	total    int
	header   func(page int, meta map[string]int) string // replaces the header; "" omits it
	fail     map[int]int                                // page → status to answer instead
	onPage   func(page int)                             // runs before the answer
	requests []int                                      // pages asked for, in arrival order
	sizes    []int
	// ignorePage answers page 1's items whatever page is asked, as a server or a cache
	// that ignores the parameter does.
	ignorePage bool
}

func (l *list) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size := 1, 20
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	if v := q.Get("page_size"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	if l.onPage != nil {
		l.onPage(page)
	}
	l.mu.Lock()
	l.requests = append(l.requests, page)
	l.sizes = append(l.sizes, size)
	total, status := l.total, l.fail[page]
	l.mu.Unlock()
	if status != 0 {
		writeJSON(w, status, `{"code":`+strconv.Itoa(status)+`,"message":"scripted failure"}`)
		return
	}
	meta := flaskPagination(total, page, size)
	header, _ := json.Marshal(meta)
	h := string(header)
	if l.header != nil {
		h = l.header(page, meta)
	}
	if h != "" {
		w.Header().Set("X-Pagination", h)
	}
	if l.ignorePage {
		page = 1
	}
	items := []gen.Candidate{}
	for i := (page-1)*size + 1; i <= min(page*size, total) && i > 0; i++ {
		items = append(items, gen.Candidate{ID: gemclient.Ptr(fmt.Sprintf("c%04d", i))})
	}
	writeJSON(w, 200, items)
}

// flaskPagination is flask-smorest's _make_pagination_metadata.
func flaskPagination(total, page, size int) map[string]int {
	if total == 0 {
		return map[string]int{"total": 0, "total_pages": 0}
	}
	pages := (total + size - 1) / size
	meta := map[string]int{"total": total, "total_pages": pages, "first_page": 1, "last_page": pages}
	if page <= pages {
		meta["page"] = page
		if page > 1 {
			meta["previous_page"] = page - 1
		}
		if page < pages {
			meta["next_page"] = page + 1
		}
	}
	return meta
}

func (l *list) pages() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.requests...)
}

func listClient(t *testing.T, l *list) *gemclient.Client {
	s := newServer(t, l.ServeHTTP)
	c, _ := retryClient(t, s, gemclient.WithMaxRetries(0))
	return c
}

// collect ranges over seq, stopping after stopAfter items when positive, and returns the
// ids and the errors seen.
func collect(seq func(func(*gen.Candidate, error) bool), stopAfter int) (ids []string, errs []error) {
	for cand, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, *cand.ID)
		if stopAfter > 0 && len(ids) == stopAfter {
			break
		}
	}
	return ids, errs
}

func wantIDs(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, fmt.Sprintf("c%04d", i))
	}
	return ids
}

func TestIteratorWalksEveryPage(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			l := &list{total: 950}
			c := listClient(t, l)
			params := &gen.ListCandidatesParams{Sort: gemclient.Ptr(gen.SortOrderAsc)}
			ids, errs := collect(c.ListCandidatesAll(context.Background(), params, gemclient.Workers(workers)), 0)
			assert.Empty(t, errs)
			assert.Equal(t, wantIDs(1, 950), ids, "every item once, in order")
			assert.ElementsMatch(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, l.pages(), "each page once")
			assert.Equal(t, 1, l.pages()[0], "page 1 first")
			for _, size := range l.sizes {
				assert.Equal(t, 100, size)
			}
			assert.Nil(t, params.Page, "the caller's params are not written")
			assert.Nil(t, params.PageSize)
		})
	}
}

func TestIteratorPageSizeAndStartPage(t *testing.T) {
	l := &list{total: 95}
	c := listClient(t, l)
	ids, errs := collect(c.ListCandidatesAll(context.Background(), &gen.ListCandidatesParams{Page: gemclient.Ptr(3), PageSize: gemclient.Ptr(30)}), 0)
	assert.Empty(t, errs)
	assert.Equal(t, wantIDs(61, 95), ids)
	assert.Equal(t, []int{3, 4}, l.pages())

	l = &list{total: 95}
	c = listClient(t, l)
	ids, _ = collect(c.ListCandidatesAll(context.Background(), &gen.ListCandidatesParams{PageSize: gemclient.Ptr(30)}, gemclient.PageSize(50)), 0)
	assert.Equal(t, wantIDs(1, 95), ids)
	assert.Equal(t, []int{50, 50}, l.sizes, "PageSize wins over the params")
}

func TestIteratorOnEmptyList(t *testing.T) {
	l := &list{total: 0}
	ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(4)), 0)
	assert.Empty(t, ids)
	assert.Empty(t, errs)
	assert.Equal(t, []int{1}, l.pages())
}

// Without X-Pagination a short page is the last; a full last page costs one empty page.
func TestIteratorWithoutHeader(t *testing.T) {
	noHeader := func(int, map[string]int) string { return "" }
	for total, pages := range map[int][]int{250: {1, 2, 3}, 200: {1, 2, 3}, 0: {1}} {
		for _, workers := range []int{1, 4} {
			l := &list{total: total, header: noHeader}
			ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(workers)), 0)
			assert.Empty(t, errs)
			assert.Len(t, ids, total)
			assert.Equal(t, pages, l.pages(), "total %d", total)
		}
	}
	l := &list{total: 30, header: noHeader}
	items, info, err := listClient(t, l).ListCandidates(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, items, 20)
	assert.True(t, info.HeaderMissing)
}

// A malformed header keeps the page's items and then stops with a *PageInfoError.
func TestIteratorWithMalformedHeader(t *testing.T) {
	l := &list{total: 250, header: func(page int, meta map[string]int) string {
		if page == 2 {
			return "total=250"
		}
		b, _ := json.Marshal(meta)
		return string(b)
	}}
	c := listClient(t, l)
	ids, errs := collect(c.ListCandidatesAll(context.Background(), nil, gemclient.Workers(1)), 0)
	assert.Equal(t, wantIDs(1, 200), ids)
	require.Len(t, errs, 1)
	var perr *gemclient.PageInfoError
	assert.ErrorAs(t, errs[0], &perr)
	assert.Equal(t, []int{1, 2}, l.pages())

	items, info, err := c.ListCandidates(context.Background(), &gen.ListCandidatesParams{Page: gemclient.Ptr(2)})
	assert.Len(t, items, 20, "the data is not lost")
	assert.Nil(t, info)
	assert.ErrorAs(t, err, &perr)
}

// An error mid-walk is yielded once, after the items received before it, in both modes.
func TestIteratorStopsAtTheFirstError(t *testing.T) {
	for _, workers := range []int{1, 3} {
		l := &list{total: 950, fail: map[int]int{5: http.StatusNotFound}}
		ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(workers)), 0)
		assert.Equal(t, wantIDs(1, 400), ids, "workers %d", workers)
		require.Len(t, errs, 1)
		assert.True(t, gemclient.IsNotFound(errs[0]))
	}
}

func TestIteratorStopsOnBreak(t *testing.T) {
	l := &list{total: 950}
	ids, _ := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(1)), 150)
	assert.Equal(t, wantIDs(1, 150), ids)
	assert.Equal(t, []int{1, 2}, l.pages())

	// Concurrently, a break stops the workers: once the loop is over no attempt starts
	// (the limiter is asked once per attempt), and at most the prefetch window was asked.
	const workers = 3
	l = &list{total: 5000}
	limiter := &countingLimiter{}
	s := newServer(t, l.ServeHTTP)
	ids, _ = collect(newClient(t, s, gemclient.WithLimiter(limiter)).ListCandidatesAll(context.Background(), nil, gemclient.Workers(workers)), 150)
	assert.Equal(t, wantIDs(1, 150), ids)
	after := limiter.waits.Load()
	assert.LessOrEqual(t, after, int64(2+2*workers))
	time.Sleep(10 * time.Millisecond)
	assert.Equal(t, after, limiter.waits.Load(), "nothing started after the loop ended")
}

func TestIteratorStopsOnCancel(t *testing.T) {
	for _, workers := range []int{1, 4} {
		l := &list{total: 950}
		c := listClient(t, l)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var ids []string
		var errs []error
		for cand, err := range c.ListCandidatesAll(ctx, nil, gemclient.Workers(workers)) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = append(ids, *cand.ID)
			if len(ids) == 120 {
				cancel()
			}
		}
		assert.Equal(t, wantIDs(1, 200), ids, "the page in hand is finished")
		require.Len(t, errs, 1)
		assert.True(t, errors.Is(errs[0], context.Canceled), errs[0])
	}
}

// Workers really fetch in parallel: pages 2 to 5 are answered only once all four are in
// flight at the same time, which a one-at-a-time walk never reaches.
func TestWorkersFetchConcurrently(t *testing.T) {
	const workers = 4
	var arrived sync.WaitGroup
	arrived.Add(workers)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	l := &list{total: 1000}
	l.onPage = func(page int) {
		if page >= 2 && page <= 1+workers {
			arrived.Done()
			select {
			case <-all:
			case <-time.After(20 * time.Second):
				t.Errorf("page %d: the other workers' requests never arrived", page)
			}
		}
	}
	ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(workers)), 0)
	assert.Empty(t, errs)
	assert.Equal(t, wantIDs(1, 1000), ids)
}

// Buffering is bounded: a slow consumer never has more than 2·workers pages fetched
// ahead of the one it is reading.
func TestWorkersBufferIsBounded(t *testing.T) {
	const workers = 2
	l := &list{total: 3000}
	c := listClient(t, l)
	n := 0
	for _, err := range c.ListCandidatesAll(context.Background(), nil, gemclient.Workers(workers)) {
		require.NoError(t, err)
		n++
		if n%100 == 1 { // first item of page n/100+1
			current := n/100 + 1
			assert.LessOrEqual(t, len(l.pages()), current+2*workers, "page %d", current)
		}
	}
	assert.Equal(t, 3000, n)
}

// The list changes during a concurrent walk: the walk follows each page's own header.
func TestWorkersFollowAChangingTotal(t *testing.T) {
	// Grows: page 3 reports a fourth page, which the first header did not announce.
	l := &list{total: 250}
	l.onPage = func(page int) {
		if page == 3 {
			l.mu.Lock()
			l.total = 350
			l.mu.Unlock()
		}
	}
	ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(4)), 0)
	assert.Empty(t, errs)
	assert.Equal(t, wantIDs(1, 350), ids)

	// Shrinks: page 2 is now the last; prefetched pages beyond it are dropped.
	l = &list{total: 1000}
	l.onPage = func(page int) {
		if page == 2 {
			l.mu.Lock()
			l.total = 200
			l.mu.Unlock()
		}
	}
	ids, errs = collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.Workers(4)), 0)
	assert.Empty(t, errs)
	assert.Equal(t, wantIDs(1, 200), ids)
}

// One page through the generated single-page method, with the header's page info.
func TestSinglePage(t *testing.T) {
	l := &list{total: 250}
	items, info, err := listClient(t, l).ListCandidates(context.Background(), &gen.ListCandidatesParams{Page: gemclient.Ptr(2), PageSize: gemclient.Ptr(100)})
	require.NoError(t, err)
	assert.Len(t, items, 100)
	assert.Equal(t, gemclient.PageInfo{Total: 250, TotalPages: 3, FirstPage: 1, LastPage: 3, Page: 2, PreviousPage: 1, NextPage: 3}, *info)
}

// The error is yielded with a nil item, never a zero value that reads as data: a loop that
// ranges with one variable and so drops the error meets nil (and gemvet reports the loop).
func TestIteratorErrorYieldsNoItem(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 404, `{"code":404}`) })
	c := newClient(t, s)
	n := 0
	for cand, err := range c.ListCandidatesAll(context.Background(), nil) {
		n++
		require.Error(t, err)
		assert.Nil(t, cand)
	}
	assert.Equal(t, 1, n)
}
