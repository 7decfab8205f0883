package gemclient

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memItem is an item of memList.
type memItem struct {
	id  string
	key int64
}

// memList is a list served by offset pages like Gem's, ordered by (key, id), filtered by
// a time window (strict, or inclusive), with a hook that may change it before each page.
type memList struct {
	mu        sync.Mutex
	items     []memItem
	inclusive bool
	now       int64 // the Date it answers with
	fetches   int
	before    func(l *memList, w window, page int) // called with mu held, before answering
	updated   map[string]int64                     // for quiet: id → when it changed
}

func (l *memList) add(id string, key int64) { l.items = append(l.items, memItem{id, key}) }

func (l *memList) remove(id string) {
	l.items = slices.DeleteFunc(l.items, func(it memItem) bool { return it.id == id })
}

func (l *memList) in(w window, k int64) bool {
	if w.after > 0 && (k < w.after || (k == w.after && !l.inclusive)) {
		return false
	}
	if w.before > 0 && (k > w.before || (k == w.before && !l.inclusive)) {
		return false
	}
	return true
}

func (l *memList) page(w window, page, size int, h *http.Header, keep func(memItem) bool) ([]memItem, *PageInfo) {
	l.fetches++
	if l.before != nil {
		l.before(l, w, page)
	}
	var all []memItem
	for _, it := range l.items {
		if l.in(w, it.key) && (keep == nil || keep(it)) {
			all = append(all, it)
		}
	}
	slices.SortFunc(all, func(a, b memItem) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	start, end := min((page-1)*size, len(all)), min(page*size, len(all))
	info := &PageInfo{Total: len(all), TotalPages: (len(all) + size - 1) / size, Page: page}
	info.LastPage = info.TotalPages
	if page < info.TotalPages {
		info.NextPage = page + 1
	}
	*h = http.Header{"Date": {time.Unix(l.now, 0).UTC().Format(http.TimeFormat)}}
	return slices.Clone(all[start:end]), info
}

// source reads l; open lists answer quiet from l.updated.
func (l *memList) source(closable bool) *source[memItem] {
	header := func(opts []CallOption) *http.Header {
		cs, _ := applyCallOptions(opts)
		if cs.responseHeader == nil {
			return new(http.Header)
		}
		return cs.responseHeader
	}
	return &source[memItem]{
		name: "memory",
		fetch: func(_ context.Context, w window, page int, opts ...CallOption) ([]memItem, *PageInfo, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			items, info := l.page(w, page, feedPageSize, header(opts), nil)
			return items, info, nil
		},
		quiet: func(_ context.Context, w window, since int64, opts ...CallOption) ([]memItem, *PageInfo, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			items, info := l.page(w, 1, 1, header(opts), func(it memItem) bool { return l.updated[it.id] >= since })
			return items, info, nil
		},
		key:      func(it *memItem) int64 { return it.key },
		id:       func(it *memItem) string { return it.id },
		closable: closable,
	}
}

// recording is a sink that keeps what it is given and counts the restarts.
type recording struct {
	collected[memItem]
	restarts int
	all      []memItem // everything added, restarts or not
}

func (r *recording) add(items []memItem, at time.Time) error {
	r.all = append(r.all, items...)
	return r.collected.add(items, at)
}

func (r *recording) restart() { r.restarts++; r.collected.restart() }

func testLister() *lister { return &lister{gate: newGate(new(requestTiming)), stats: new(readStats)} }

// seeded is a list of n items, one a second from 1000, answering at Date 5000.
func seeded(n int) *memList {
	l := &memList{now: 5000, updated: map[string]int64{}}
	for i := range n {
		l.add(fmt.Sprintf("i%04d", i), int64(1000+i))
	}
	return l
}

func ids(items []memItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.id
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// A walk nobody disturbs is accepted as it is: every item once, no second read.
func TestReadListQuiet(t *testing.T) {
	l := seeded(350)
	var got recording
	res, err := readList(context.Background(), testLister(), l.source(true), window{}, &got)
	require.NoError(t, err)
	assert.True(t, res.complete)
	assert.Equal(t, int64(5000), res.date)
	assert.Len(t, got.items, 350)
	assert.Zero(t, got.restarts)
	assert.Equal(t, 5, l.fetches, "the open first page, then the closed window's 4")
}

// A delete while the pages are read shifts them: the walk skips an item, which its check
// detects (the totals differ), and the bands read everything that is left.
func TestReadListDetectsAShift(t *testing.T) {
	for _, inclusive := range []bool{false, true} {
		l := seeded(350)
		l.inclusive = inclusive
		l.before = func(l *memList, _ window, page int) {
			if page == 3 && l.fetches < 8 { // the walk's page 3, not the bands'
				l.remove("i0010")
			}
		}
		var got recording
		lister := testLister()
		res, err := readList(context.Background(), lister, l.source(true), window{}, &got)
		require.NoError(t, err)
		assert.True(t, res.complete)
		want := ids(l.items)
		assert.Less(t, len(ids(got.all[:len(got.all)-len(got.items)])), 350, "the walk alone missed an item (inclusive %v)", inclusive)
		assert.Equal(t, want, ids(got.items), "the bands have every item left")
		assert.Equal(t, 1, got.restarts)
		assert.Equal(t, int64(1), lister.stats.bands.Load())
		assert.Equal(t, inclusive, lister.inclusive.Load(), "inclusive filters learned from the answers")
	}
}

// A list items can enter anywhere (candidates updated since a time): a walk whose size did
// not change may still have lost one, when one entered as another left. The quiet check
// sees the entry and the bands read it again.
func TestReadListOpenNeedsQuiet(t *testing.T) {
	l := seeded(350)
	l.before = func(l *memList, _ window, page int) {
		if page == 3 && l.fetches < 5 {
			l.remove("i0010")     // shifts the walk back
			l.add("z-late", 1200) // and keeps the total
			l.updated["z-late"] = 5000
		}
	}
	var got recording
	res, err := readList(context.Background(), testLister(), l.source(false), window{}, &got)
	require.NoError(t, err)
	assert.True(t, res.complete)
	assert.Equal(t, ids(l.items), ids(got.items))
	assert.Equal(t, 1, got.restarts, "the totals agreed; the quiet check did not")
}

// A single second holding more than a page is walked by offset; a delete during the first
// walk makes a second one, which is accepted. Changed at every read, it stays incomplete
// and delivers nothing of that second.
func TestReadSecond(t *testing.T) {
	dense := func() *memList {
		l := seeded(50)
		for i := range 250 {
			l.add(fmt.Sprintf("d%04d", i), 1100)
		}
		return l
	}
	l := dense()
	deletes := 0
	l.before = func(l *memList, w window, page int) {
		if w.after == 1099 && page == 2 && deletes == 0 { // the first walk of the second
			l.remove("d0003")
			deletes++
		}
	}
	lister := testLister()
	got := &recording{}
	complete, err := readBands(context.Background(), lister, l.source(true), window{}, keysOf(l.items), 5000, got)
	require.NoError(t, err)
	assert.True(t, complete)
	assert.Equal(t, ids(l.items), ids(got.items))
	assert.Equal(t, int64(1), lister.stats.seconds.Load())

	l = dense()
	n := 0
	l.before = func(l *memList, w window, page int) {
		if w.after == 1099 && page == 2 {
			l.remove(fmt.Sprintf("d%04d", n)) // at every walk of the second
			n++
		}
	}
	got = &recording{}
	complete, err = readBands(context.Background(), testLister(), l.source(true), window{}, keysOf(l.items), 5000, got)
	require.NoError(t, err)
	assert.False(t, complete)
	assert.Equal(t, denseAttempts, n)
	for _, it := range got.items {
		assert.NotEqual(t, int64(1100), it.key, "nothing of the unread second")
	}
	assert.Len(t, got.items, 50)
}

// Identical entries (the same candidate added twice within a second) repeat an id: two
// walks that read the same are accepted.
func TestReadSecondAcceptsRepeatsReadTwiceAlike(t *testing.T) {
	l := seeded(0)
	for i := range 150 {
		l.add(fmt.Sprintf("e%04d", i%140), 2000) // ten ids twice
	}
	got := &recording{}
	complete, err := readBands(context.Background(), testLister(), l.source(true), window{}, keysOf(l.items), 5000, got)
	require.NoError(t, err)
	assert.True(t, complete)
	assert.Len(t, got.items, 150)
}

func keysOf(items []memItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.key
	}
	return out
}

func TestCutBands(t *testing.T) {
	keys := []int64{}
	for i := range 200 {
		keys = append(keys, 100+int64(i)) // one a second
	}
	bands := cutBands(keys, 1, 400)
	require.Len(t, bands, 3)
	// Keys 100, 101, ...: each band holds bandItems seconds of them.
	assert.Equal(t, band{lo: 1, hi: 100 + bandItems - 1, openBelow: true}, bands[0])
	assert.Equal(t, band{lo: 100 + bandItems, hi: 100 + 2*bandItems - 1}, bands[1])
	assert.Equal(t, band{lo: 100 + 2*bandItems, hi: 400, openAbove: true}, bands[2])

	// A second is never split, however many items it holds.
	dense := slices.Repeat([]int64{50}, 300)
	assert.Equal(t, []band{{lo: 1, hi: 400, openBelow: true, openAbove: true}}, cutBands(dense, 1, 400))
	assert.Equal(t, window{after: 189, before: 280}, bands[1].window(window{}, false))
	assert.Equal(t, window{after: 190, before: 279}, bands[1].window(window{}, true))
	assert.Equal(t, window{after: 7, before: 190}, bands[0].window(window{after: 7}, false), "an open end keeps the window's bound")
}
