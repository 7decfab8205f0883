package gemclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
)

// How the feed reads a list completely while others change it.
//
// Gem's lists are offset-paginated: page n holds the items at positions (n-1)·size to
// n·size-1 at the moment it is asked for. An item added before a walk's position only
// repeats an item (harmless: the feed de-duplicates), but an item removed before it, or
// moved (were the list ordered by something that changes), shifts the following items
// back and the walk skips the one at the page boundary. The feed relies neither on the
// sort order nor on the strictness of the time filters (docs/gem-api.md §2.3, §2.4), and
// detects the shift instead:
//
//   - One page is one snapshot: a list that fits in a page is complete as answered.
//   - A longer list is walked page by page (concurrently) and accepted when every page
//     reports the same total, the walk read exactly that many items, all distinct, and
//     nothing can have entered the list meanwhile: its time window ends in the past (a
//     window on creation time, or on the membership log's time, closed at Gem's Date
//     minus 2 s), or one more request finds nothing in it that changed since the walk
//     began (candidates updated since a time, whom an update can add anywhere). A list
//     whose size did not change and that nobody entered lost nobody, and a shifted walk
//     cannot read as many distinct items as the list holds.
//   - Otherwise the list is read again as bands: the time filter cut into windows that
//     each held at most 90 of the items the walk read, each read as one page, so each is
//     a snapshot of its own. A band that no longer fits in a page is split; a single
//     second that holds more than a page is walked by offset and accepted as above, or
//     when two walks in a row read the same items; after three attempts the list is
//     incomplete (ErrIncomplete): nothing of that second is delivered and the list's
//     checkpoint stays where it was.
//
// A band for the seconds a to b is asked as (a-1, b+1), exact for strict filters; once an
// answer shows them inclusive (an item at exactly the *_after or *_before time it was
// asked with), as (a, b). Items outside a band's own seconds (a neighbour's, under
// inclusive filters) are dropped, so bands never overlap.

// ErrIncomplete is wrapped by the error of a Feed pass that could not read some list
// completely: a single second of it held more than a page while others kept changing it.
// What was read completely was delivered; the list's checkpoint did not advance, so the
// next pass reads it again.
var ErrIncomplete = errors.New("gemclient: feed: a list could not be read completely while it changed")

// feedPageSize is the page size the feed asks for: Gem's largest.
const feedPageSize = 100

// bandItems is the most items read into one band when bands are cut: a page holds 100,
// the rest is room for items the walk missed.
const bandItems = 90

// denseAttempts is how many times a single second that holds more than a page is walked.
const denseAttempts = 3

// window is a range of a list's time filter (created_after and created_before, or the
// membership log's changed_after and changed_before) in unix seconds; 0 is no bound.
type window struct{ after, before int64 }

// listed is one page as the feed read it.
type listed[T any] struct {
	items []T
	total int   // X-Pagination's total; -1 without the header
	next  bool  // another page follows
	date  int64 // Gem's Date header in unix seconds; 0 without one
	at    time.Time
}

// source is one of Gem's lists as the feed reads it.
type source[T any] struct {
	name string
	// fetch reads one page of feedPageSize items of the list within w.
	fetch func(ctx context.Context, w window, page int, opts ...CallOption) ([]T, *PageInfo, error)
	// quiet reads how many of the list's items within w changed at or after since (one
	// page of one item: the total is what counts).
	quiet func(ctx context.Context, w window, since int64, opts ...CallOption) ([]T, *PageInfo, error)
	key   func(*T) int64  // the item's time in the window's filter
	id    func(*T) string // what tells items apart
	// stamp is the item's time in the list's own filter, when it is not key (candidates
	// updated since a time, windowed on creation: their last_updated_at).
	stamp func(*T) int64
	// closable: nothing can enter the list within a window that ends in the past.
	closable bool
}

// lister reads lists for one pass: every request goes through the pass's gate, and the
// answers tell it whether Gem's time filters are inclusive.
type lister struct {
	gate      *gate
	inclusive atomic.Bool
	stats     *readStats
}

// readStats counts how often lists had to be read again, over a Feed's life.
type readStats struct {
	bands   atomic.Int64 // lists read again as bands
	seconds atomic.Int64 // single seconds walked by offset
}

// fetchPage reads one page through the gate.
func fetchPage[T any](ctx context.Context, l *lister, src *source[T], w window, page int) (listed[T], error) {
	var r listed[T]
	err := l.gate.do(ctx, func(ctx context.Context) error {
		var h http.Header
		items, info, err := src.fetch(ctx, w, page, ResponseHeader(&h))
		if err != nil {
			return fmt.Errorf("gemclient: feed: reading %s: %w", src.name, err)
		}
		r = listed[T]{items: items, total: -1, at: time.Now(), date: dateOf(h)}
		if info.HeaderMissing {
			r.next = len(items) >= feedPageSize
		} else {
			r.total, r.next = info.Total, info.HasNext() && len(items) > 0
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	for i := range r.items {
		if k := src.key(&r.items[i]); (w.after > 0 && k == w.after) || (w.before > 0 && k == w.before) {
			l.inclusive.Store(true)
		}
	}
	return r, nil
}

// dateOf is the Date header in unix seconds, 0 when absent or malformed.
func dateOf(h http.Header) int64 {
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0
	}
	return t.Unix()
}

// sink receives what a list read delivers, in order: add a page or a band's items (at:
// when they were read); restart drops what the walk had added before its check failed.
type sink[T any] interface {
	add(items []T, at time.Time) error
	restart()
}

// listResult is a list read's outcome: Gem's Date at its first answer (0 without one),
// the latest time read (source.time), and whether the read is complete.
type listResult struct {
	date, newest int64
	complete     bool
}

// readList reads src within w into s, as the comment at the top of this file describes.
func readList[T any](ctx context.Context, l *lister, src *source[T], w window, s sink[T]) (listResult, error) {
	first, err := fetchPage(ctx, l, src, w, 1)
	if err != nil {
		return listResult{}, err
	}
	res := listResult{date: first.date}
	if !first.next {
		res.newest, res.complete = newestKey(src, first.items), true
		return res, s.add(first.items, first.at)
	}
	ww, from, closed := w, &first, false
	if src.closable && first.date > 0 {
		// Closed two seconds before Gem's Date: what is created or logged from now on is
		// later (strict or inclusive); the next pass reads from before this bound.
		if end := min0(w.before, first.date-2); end > w.after+1 {
			ww.before, from, closed = end, nil, true
		}
	}
	read, err := walkPages(ctx, l, src, ww, from, s)
	if err != nil {
		return res, err
	}
	res.newest = read.newest
	if read.accepted() {
		quiet := closed
		if !quiet {
			if quiet, err = isQuiet(ctx, l, src, ww, res.date); err != nil {
				return res, err
			}
		}
		if quiet {
			res.complete = true
			return res, nil
		}
	}
	s.restart()
	l.stats.bands.Add(1)
	res.complete, err = readBands(ctx, l, src, ww, read.keys, res.date, s)
	return res, err
}

// min0 is the smaller of two bounds where 0 means none.
func min0(a, b int64) int64 {
	if a == 0 {
		return b
	}
	return min(a, b)
}

// newestKey is the latest time (stamp, else key) of items; 0 for none.
func newestKey[T any](src *source[T], items []T) int64 {
	var n int64
	for i := range items {
		n = max(n, src.time(&items[i]))
	}
	return n
}

// time is the item's time in the list's own filter.
func (src *source[T]) time(item *T) int64 {
	if src.stamp != nil {
		return src.stamp(item)
	}
	return src.key(item)
}

// isQuiet reports whether nothing of src within w changed since two seconds before date
// (Gem's Date when the walk began): one request. Without a Date it cannot tell: false.
func isQuiet[T any](ctx context.Context, l *lister, src *source[T], w window, date int64) (bool, error) {
	if date <= 2 {
		return false, nil
	}
	total := -1
	err := l.gate.do(ctx, func(ctx context.Context) error {
		_, info, err := src.quiet(ctx, w, date-2)
		if err != nil {
			return fmt.Errorf("gemclient: feed: reading %s: %w", src.name, err)
		}
		if !info.HeaderMissing {
			total = info.Total
		}
		return nil
	})
	return total == 0, err
}

// pagesRead is what an offset walk read, for its check.
type pagesRead struct {
	date   int64 // Gem's Date at the first page
	totals []int
	ids    map[string]int // id → times read
	keys   []int64
	count  int   // items read
	newest int64 // the latest time read (source.time)
}

// accepted reports whether the walk read the whole list as it was: every page agreed on
// the total, and the walk read that many items, all distinct.
func (p *pagesRead) accepted() bool {
	if len(p.totals) == 0 || p.totals[0] < 0 {
		return false
	}
	for _, t := range p.totals {
		if t != p.totals[0] {
			return false
		}
	}
	return len(p.ids) == p.totals[0] && p.count == p.totals[0]
}

// walkPages reads every page of src within w by offset, concurrently, into s; first is
// page 1 when it was read already.
func walkPages[T any](ctx context.Context, l *lister, src *source[T], w window, first *listed[T], s sink[T]) (*pagesRead, error) {
	read := &pagesRead{ids: map[string]int{}}
	note := func(r *listed[T]) error {
		read.totals = append(read.totals, r.total)
		for i := range r.items {
			read.ids[src.id(&r.items[i])]++
			read.keys = append(read.keys, src.key(&r.items[i]))
			read.newest = max(read.newest, src.time(&r.items[i]))
		}
		read.count += len(r.items)
		return s.add(r.items, r.at)
	}
	if first == nil {
		r, err := fetchPage(ctx, l, src, w, 1)
		if err != nil {
			return nil, err
		}
		first = &r
	}
	read.date = first.date
	if err := note(first); err != nil || !first.next {
		return read, err
	}
	last := max(2, pagesOf(first.total))
	get := func(ctx context.Context, page int) pageResult[listed[T]] {
		r, err := fetchPage(ctx, l, src, w, page)
		return pageResult[listed[T]]{items: []listed[T]{r}, err: err}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := startPrefetch(ctx, get, max(1, min(l.gate.limit(), last-1)), 2, last)
	defer ahead.stop()
	for page := 2; ; page++ {
		r := ahead.get(ctx, page)
		if r.err != nil {
			return nil, r.err
		}
		p := r.items[0]
		if err := note(&p); err != nil || !p.next {
			return read, err
		}
		ahead.extend(max(page+1, pagesOf(p.total)))
	}
}

// pagesOf is the number of pages of feedPageSize that total items fill.
func pagesOf(total int) int { return (total + feedPageSize - 1) / feedPageSize }

// band is a range of seconds [lo, hi] of a list's time filter; open says the band
// reaches w's end, which may be unbounded (0).
type band struct {
	lo, hi    int64
	openBelow bool
	openAbove bool
}

// window is the band's query within w: (lo-1, hi+1), or (lo, hi) once the filters are
// known to be inclusive, and w's own bound at an open end.
func (b band) window(w window, inclusive bool) window {
	q := window{after: b.lo - 1, before: b.hi + 1}
	if inclusive {
		q = window{after: b.lo, before: b.hi}
	}
	if b.openBelow {
		q.after = w.after
	}
	if b.openAbove {
		q.before = w.before
	}
	q.after = max(q.after, 0)
	return q
}

// cutBands cuts the seconds [lo, hi] into bands of at most bandItems of keys (sorted),
// never splitting a second; the first band is open below and the last open above.
func cutBands(keys []int64, lo, hi int64) []band {
	var out []band
	start, n := lo, 0
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		if n > 0 && n+(j-i) > bandItems && keys[i] > start {
			out = append(out, band{lo: start, hi: keys[i] - 1})
			start, n = keys[i], 0
		}
		n += j - i
		i = j
	}
	out = append(out, band{lo: start, hi: hi})
	out[0].openBelow, out[len(out)-1].openAbove = true, true
	return out
}

// readBands reads src within w as bands cut from the keys the walk read (see the top of
// this file), in order, into s. It reports whether every band was read completely.
func readBands[T any](ctx context.Context, l *lister, src *source[T], w window, keys []int64, date int64, s sink[T]) (bool, error) {
	slices.Sort(keys)
	lo, hi := w.after+1, w.before-1
	if w.after <= 0 {
		lo = 1
		if len(keys) > 0 {
			lo = min(keys[0], max(date, 1)) // only the first band reaches below
		}
	}
	if w.before <= 0 {
		hi = max(date, lo) + 1
		if len(keys) > 0 {
			hi = max(hi, keys[len(keys)-1]+1) // only the last band reaches above
		}
	}
	bands := cutBands(keys, lo, hi)
	get := func(ctx context.Context, i int) pageResult[bandRead[T]] {
		r, err := readBand(ctx, l, src, w, bands[i], date)
		return pageResult[bandRead[T]]{items: []bandRead[T]{r}, err: err}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := startPrefetch(ctx, get, max(1, min(l.gate.limit(), len(bands))), 0, len(bands)-1)
	defer ahead.stop()
	complete := true
	for i := range bands {
		r := ahead.get(ctx, i)
		if r.err != nil {
			return false, r.err
		}
		for _, part := range r.items[0].parts {
			if err := s.add(part.items, part.at); err != nil {
				return false, err
			}
		}
		complete = complete && r.items[0].complete
	}
	return complete, nil
}

// bandRead is a band as read: its parts in order (the band itself, or the bands it was
// split into), and whether every part is complete.
type bandRead[T any] struct {
	parts    []bandPart[T]
	complete bool
}

type bandPart[T any] struct {
	items []T
	at    time.Time
}

// readBand reads band b of src within w: one page, or, when it holds more, its halves,
// down to single seconds, which are walked by offset (readSecond).
func readBand[T any](ctx context.Context, l *lister, src *source[T], w window, b band, date int64) (bandRead[T], error) {
	q := b.window(w, l.inclusive.Load())
	r, err := fetchPage(ctx, l, src, q, 1)
	if err != nil {
		return bandRead[T]{}, err
	}
	if !r.next {
		return bandRead[T]{parts: []bandPart[T]{{items: within(src, r.items, b), at: r.at}}, complete: true}, nil
	}
	if b.lo < b.hi {
		mid := b.lo + (b.hi-b.lo)/2
		left, right := b, b
		left.hi, left.openAbove = mid, false
		right.lo, right.openBelow = mid+1, false
		out := bandRead[T]{complete: true}
		for _, half := range []band{left, right} {
			h, err := readBand(ctx, l, src, w, half, date)
			if err != nil {
				return bandRead[T]{}, err
			}
			out.parts = append(out.parts, h.parts...)
			out.complete = out.complete && h.complete
		}
		return out, nil
	}
	return readSecond(ctx, l, src, w, b)
}

// within keeps the items whose key lies in b's seconds (an open end keeps everything
// beyond it): under inclusive filters a band's answer also holds its neighbours' edges.
func within[T any](src *source[T], items []T, b band) []T {
	return slices.DeleteFunc(items, func(v T) bool {
		k := src.key(&v)
		return (k < b.lo && !b.openBelow) || (k > b.hi && !b.openAbove)
	})
}

// collected is a sink that keeps what it is given.
type collected[T any] struct {
	items []T
	at    time.Time
}

func (c *collected[T]) add(items []T, at time.Time) error {
	c.items = append(c.items, items...)
	if c.at.IsZero() {
		c.at = at
	}
	return nil
}

func (c *collected[T]) restart() { c.items, c.at = nil, time.Time{} }

// readSecond walks band b, a single second that holds more than a page, by offset, and
// accepts the walk as readList does, or when two walks in a row read the same items.
func readSecond[T any](ctx context.Context, l *lister, src *source[T], w window, b band) (bandRead[T], error) {
	var previous map[string]int
	l.stats.seconds.Add(1)
	for range denseAttempts {
		q := b.window(w, l.inclusive.Load())
		var got collected[T]
		read, err := walkPages(ctx, l, src, q, nil, &got)
		if err != nil {
			return bandRead[T]{}, err
		}
		ok := read.accepted()
		if ok {
			// A past second of a closable list cannot gain members; otherwise ask.
			if ok = src.closable && read.date > b.hi+2; !ok {
				if ok, err = isQuiet(ctx, l, src, q, read.date); err != nil {
					return bandRead[T]{}, err
				}
			}
		}
		if ok || (previous != nil && maps.Equal(previous, read.ids) && read.count == read.totals[len(read.totals)-1]) {
			return bandRead[T]{parts: []bandPart[T]{{items: within(src, got.items, b), at: got.at}}, complete: true}, nil
		}
		previous = read.ids
	}
	return bandRead[T]{}, nil
}
