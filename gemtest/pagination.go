package gemtest

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// Page parameters (reference, "Pagination"): page from 1, page_size 1..100, default 20.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// pageOf returns items' page (1-based) of size, and its X-Pagination header. The body of a
// page past the last is empty, never nil, so it encodes as [].
func pageOf[T any](items []T, page, size *int) ([]T, string) {
	p, n := pageParams(page, size)
	out := []T{}
	if start, end := pageBounds(p, n, len(items)); start < end {
		out = append(out, items[start:end]...)
	}
	return out, paginationHeader(p, n, len(items))
}

// pageBounds is the index range [start, end) of page p (1-based) of size n in a list of
// total items; empty (start == end) past the last page. It never overflows: page numbers
// go up to the largest int64 the query accepts, and (p-1)*n would wrap for large ones
// (page=4611686018427387905&page_size=2 did, and the slice panicked). flask-smorest computes
// (page - 1) * page_size with Python's unbounded integers, so any page past the last is
// simply empty.
func pageBounds(p, n, total int) (start, end int) {
	if p < 1 || n < 1 || total <= 0 || p-1 > (total-1)/n {
		return total, total
	}
	start = (p - 1) * n // <= total-1: no overflow
	return start, start + min(n, total-start)
}

// paginationHeader is flask-smorest's X-Pagination: its _make_pagination_metadata keys in
// its order (total, total_pages, first_page, last_page, page, previous_page, next_page),
// the ends omitted rather than null, only total and total_pages when empty, and no page
// keys past the last page; written by Python's json.dumps, hence ", " and ": "
// (docs/gem-api.md §2.0, FS pagination.py).
func paginationHeader(page, size, total int) string {
	type kv struct {
		k string
		v int
	}
	meta := []kv{{"total", total}}
	if total == 0 {
		meta = append(meta, kv{"total_pages", 0})
	} else {
		last := (total-1)/size + 1
		meta = append(meta, kv{"total_pages", last}, kv{"first_page", 1}, kv{"last_page", last})
		if page <= last {
			meta = append(meta, kv{"page", page})
			if page > 1 {
				meta = append(meta, kv{"previous_page", page - 1})
			}
			if page < last {
				meta = append(meta, kv{"next_page", page + 1})
			}
		}
	}
	parts := make([]string, len(meta))
	for i, m := range meta {
		parts[i] = strconv.Quote(m.k) + ": " + strconv.Itoa(m.v)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// listing is one list request's order and time window.
type listing struct {
	order         *gen.SortOrder
	after, before *gen.UnixTime
}

// within reports whether ts passes the *_after/*_before filters: strict by default,
// inclusive with WithInclusiveTimeFilters (docs/gem-api.md §2.3).
func (f *Fake) within(ts int64, l listing) bool {
	if l.after != nil {
		if a := int64(*l.after); ts < a || (ts == a && !f.cfg.inclusive) {
			return false
		}
	}
	if l.before != nil {
		if b := int64(*l.before); ts > b || (ts == b && !f.cfg.inclusive) {
			return false
		}
	}
	return true
}

// descending reports whether a list sorts newest first: as requested, else the default
// (WithDefaultSort).
func (f *Fake) descending(order *gen.SortOrder) bool {
	if order != nil {
		return *order == gen.SortOrderDesc
	}
	return f.cfg.defaultSort == gen.SortOrderDesc
}

// page serves one page of a sortable list: sorted holds the list's items in ascending
// (timestamp, creation) order (ordered.sorted), the order every such list sorts by, desc
// being its reverse. The *_after/*_before window is found by binary search; keep is the
// list's other filters. Without keep a page costs its own size; with keep, one pass over
// the window counts the matches (X-Pagination needs the total) and renders only the
// page's. Nothing is sorted per request.
func page[T record, R any](f *Fake, sorted []T, l listing, keep func(T) bool, pg, size *int, render func(T) R) ([]R, *string) {
	items := window(f, sorted, l)
	p, n := pageParams(pg, size)
	at := func(i int) T { return items[i] }
	if f.descending(l.order) {
		at = func(i int) T { return items[len(items)-1-i] }
	}
	var out []R
	total := 0
	if keep == nil {
		total = len(items)
		start, end := pageBounds(p, n, total)
		out = make([]R, 0, end-start)
		for i := start; i < end; i++ {
			out = append(out, render(at(i)))
		}
	} else {
		first := math.MaxInt // the page's first match, by position among the matches
		if p >= 1 && n >= 1 && p-1 <= math.MaxInt/n {
			first = (p - 1) * n
		}
		out = []R{}
		for i := range items {
			v := at(i)
			if !keep(v) {
				continue
			}
			if total >= first && total-first < n {
				out = append(out, render(v))
			}
			total++
		}
	}
	header := paginationHeader(p, n, total)
	return out, &header
}

// window is the part of sorted within the *_after/*_before filters: strict by default,
// inclusive with WithInclusiveTimeFilters (docs/gem-api.md §2.3).
func window[T record](f *Fake, sorted []T, l listing) []T {
	lo, hi := 0, len(sorted)
	if l.after != nil {
		a := int64(*l.after)
		lo = sort.Search(len(sorted), func(i int) bool {
			c := sorted[i].base().created
			return c > a || (f.cfg.inclusive && c == a)
		})
	}
	if l.before != nil {
		b := int64(*l.before)
		hi = sort.Search(len(sorted), func(i int) bool {
			c := sorted[i].base().created
			return c > b || (!f.cfg.inclusive && c == b)
		})
	}
	if lo >= hi {
		return nil
	}
	return sorted[lo:hi]
}

// pageParams are the page and page_size asked for, with flask-smorest's defaults.
func pageParams(page, size *int) (int, int) {
	p, n := 1, defaultPageSize
	if page != nil {
		p = *page
	}
	if size != nil {
		n = *size
	}
	return p, n
}

// pageInOrder pages items as they are and renders the page (lists without sort: users,
// options).
func pageInOrder[T, R any](items []T, pg, size *int, render func(T) R) ([]R, *string) {
	shown, header := pageOf(items, pg, size)
	return mapSlice(shown, render), &header
}

// mapSlice renders each item; never nil, so an empty result encodes as [].
func mapSlice[T, R any](items []T, render func(T) R) []R {
	out := make([]R, len(items))
	for i, v := range items {
		out[i] = render(v)
	}
	return out
}
