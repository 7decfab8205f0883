package gemtest

import (
	"cmp"
	"slices"
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
	p, n := 1, defaultPageSize
	if page != nil {
		p = *page
	}
	if size != nil {
		n = *size
	}
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
// (notes §2.0, FS pagination.py).
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
// inclusive with WithInclusiveTimeFilters (notes §2.3).
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

// page filters, sorts and pages items and renders the page: the body and X-Pagination of
// every sortable list. The time window applies to key, the sort key; creation order
// breaks ties; keep is the list's other filters.
func page[T record, R any](f *Fake, items []T, l listing, key func(T) int64, keep func(T) bool, pg, size *int, render func(T) R) ([]R, *string) {
	var kept []T
	for _, v := range items {
		if f.within(key(v), l) && (keep == nil || keep(v)) {
			kept = append(kept, v)
		}
	}
	desc := f.descending(l.order)
	slices.SortStableFunc(kept, func(a, b T) int {
		c := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.base().seq, b.base().seq))
		if desc {
			return -c
		}
		return c
	})
	return pageInOrder(kept, pg, size, render)
}

// pageInOrder pages items as they are and renders the page (lists without sort: users,
// options).
func pageInOrder[T, R any](items []T, pg, size *int, render func(T) R) ([]R, *string) {
	shown, header := pageOf(items, pg, size)
	return mapSlice(shown, render), &header
}

// byCreated is the sort key of most lists: creation time.
func byCreated[T record](v T) int64 { return v.base().created }

// mapSlice renders each item; never nil, so an empty result encodes as [].
func mapSlice[T, R any](items []T, render func(T) R) []R {
	out := make([]R, len(items))
	for i, v := range items {
		out[i] = render(v)
	}
	return out
}
