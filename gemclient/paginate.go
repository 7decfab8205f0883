package gemclient

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"sync"

	"github.com/gem-go/gem-go/gen"
)

// PageInfo is the X-Pagination header of a list answer. Gem's lists return a bare JSON
// array and put the paging state in this header, in flask-smorest's format
// (docs/gem-api.md §2.0): previous_page is omitted on the first page and next_page on
// the last; an empty list sends only {"total":0,"total_pages":0}; a page beyond the last
// omits page, previous_page and next_page. Omitted keys are 0 here.
type PageInfo struct {
	Total        int // items in the whole list
	TotalPages   int // pages in the whole list
	FirstPage    int // 1, or 0 when the list is empty
	LastPage     int // the last page, or 0 when the list is empty
	Page         int // this page, or 0 when it is beyond the last
	PreviousPage int // 0 on the first page
	NextPage     int // 0 on the last page

	// HeaderMissing is true when the answer had no X-Pagination header; every other
	// field is then 0, and a short page is taken to be the last.
	HeaderMissing bool
}

// HasNext reports whether a page follows this one, according to the header: it names a
// next_page, and that page is not beyond the list's last page as the header states it
// (last_page, or total_pages). A server that names a next page past the end, whatever
// page is asked, would otherwise be walked without end.
func (p *PageInfo) HasNext() bool { return p.NextPage > 0 && p.NextPage <= p.lastPage() }

// lastPage is the list's last page as the header states it: last_page, or total_pages
// when it has none.
func (p *PageInfo) lastPage() int { return cmp.Or(p.LastPage, p.TotalPages) }

// PageInfoError is an X-Pagination header that is not flask-smorest's JSON.
type PageInfoError struct {
	Header string // the header, cut at 200 bytes
	Reason string
}

// Error says what is wrong with the header.
func (e *PageInfoError) Error() string {
	return fmt.Sprintf("gemclient: malformed X-Pagination header %q: %s", e.Header, e.Reason)
}

// ParsePageInfo decodes an X-Pagination header value into a PageInfo. It checks the
// header's own consistency, so that following next_page always moves forward.
func ParsePageInfo(header string) (*PageInfo, error) {
	bad := func(reason string) error {
		h := header
		if len(h) > 200 {
			h = h[:200]
		}
		return &PageInfoError{Header: h, Reason: reason}
	}
	var m gen.PaginationMetadata
	if err := json.Unmarshal([]byte(header), &m); err != nil {
		return nil, bad(err.Error())
	}
	if m.Total == nil || m.TotalPages == nil {
		return nil, bad("total and total_pages are required")
	}
	val := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	info := &PageInfo{
		Total: *m.Total, TotalPages: *m.TotalPages, FirstPage: val(m.FirstPage), LastPage: val(m.LastPage),
		Page: val(m.Page), PreviousPage: val(m.PreviousPage), NextPage: val(m.NextPage),
	}
	switch {
	case info.Total < 0 || info.TotalPages < 0 || info.FirstPage < 0 || info.LastPage < 0 || info.Page < 0 || info.PreviousPage < 0 || info.NextPage < 0:
		return nil, bad("negative number")
	case info.NextPage != 0 && info.NextPage <= info.Page:
		return nil, bad("next_page does not follow page")
	case info.NextPage != 0 && info.Page == 0:
		return nil, bad("next_page without page")
	case info.LastPage > info.TotalPages && info.TotalPages > 0:
		return nil, bad("last_page beyond total_pages")
	}
	return info, nil
}

// listPage builds the result of a generated one-page method from its 2xx answer. A
// malformed X-Pagination header does not lose the page: its items come back with the
// *PageInfoError.
func listPage[T any](resp *http.Response, err error) ([]T, *PageInfo, error) {
	if err == nil {
		recordPageDigest(resp)
	}
	items, err := decodeList[T](resp, err)
	if err != nil {
		return nil, nil, err
	}
	values := resp.Header.Values("X-Pagination")
	if len(values) == 0 {
		return items, &PageInfo{HeaderMissing: true}, nil
	}
	info, err := ParsePageInfo(values[0])
	return items, info, err
}

// DefaultPageSize is the page size the ...All iterators ask for: the largest Gem allows.
const DefaultPageSize = 100

// Workers sets how many workers an iterator fetches pages with: after the first page tells
// how many there are, n workers fetch the following ones under the Client's rate limiter,
// at most 2·n pages ahead of the consumer, and items are still yielded in page order, each
// once. Workers(1) walks one page at a time, and so does a list whose first answer has no
// X-Pagination header. By default (and for n <= 0) n is what keeps the Client's rate
// limiter busy: Little's law for the limiter's rate (RateReporter) and the first page's
// round trip, ceil(rate·round trip·1.25)+1, so a walk runs at the limiter's rate whatever
// the latency, with no more requests in flight than that needs (2 for a local server, 9
// at Gem's 20/s and 300 ms). At most MaxWorkers (64) workers start, and no more than the
// first header announces pages left.
//
// The walk follows each page's own header, up to the last page that header states
// (last_page, or total_pages): a next_page beyond it is not asked for. If the list grows
// during the walk and a page reports a later last page, the walk extends to it; if it
// shrinks, the walk ends at the first page that has no next_page (or no items) and
// discards pages fetched beyond it. Offset pagination cannot do better than that while
// the list changes: items may shift across page boundaries, in either mode. An item
// shifted onto the next page (its id already yielded) is not yielded again. For a
// stable snapshot, filter on creation time (created_before) and sort ascending.
//
// In either mode a page that does not move the walk forward ends it with a
// *PaginationError instead of yielding the same items again: the header names another
// page than the one asked for, the body repeats an earlier page's byte for byte, or its
// items repeat earlier ones other than as a shifted list would (see PaginationError), as
// from a server or cache that ignores the page parameter. Other methods ignore Workers.
func Workers(n int) CallOption {
	return func(cs *callSettings) error {
		cs.workers = n
		return nil
	}
}

// pageResult is one fetched page.
type pageResult[T any] struct {
	items  []T
	info   *PageInfo
	err    error
	digest uint64      // of the body; 0 when unknown
	header http.Header // for ResponseHeader; nil unless asked for
}

// walk implements every generated ...All iterator. fetch gets one page with the given
// params; fields points at the params' Page and PageSize. The caller's params are copied,
// never written.
//
// The call options apply to every page's request; PageSize and Workers configure the walk,
// and ResponseHeader receives each page's headers as its items are yielded.
func walk[P, T any](ctx context.Context, params *P, opts []CallOption,
	fetch func(context.Context, *P, ...CallOption) ([]T, *PageInfo, error),
	fields func(*P) (page, size **int),
) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		cfg, err := applyCallOptions(opts)
		if err != nil {
			yield(nil, err)
			return
		}
		var base P
		if params != nil {
			base = *params
		}
		pagePtr, sizePtr := fields(&base)
		start := 1
		if *pagePtr != nil && **pagePtr > 0 {
			start = **pagePtr
		}
		size := DefaultPageSize
		if cfg.pageSize > 0 {
			size = cfg.pageSize
		} else if *sizePtr != nil {
			size = **sizePtr
		}
		get := func(ctx context.Context, page int) pageResult[T] {
			p := base // each request has its own copy: workers run concurrently
			pp, sp := fields(&p)
			*pp, *sp = &page, &size
			var r pageResult[T]
			pageOpts := opts
			if cfg.responseHeader != nil {
				// Each page's own: workers fetch concurrently, and the caller's header
				// is set when the page's items are yielded.
				pageOpts = append(opts[:len(opts):len(opts)], ResponseHeader(&r.header))
			}
			r.items, r.info, r.err = fetch(withPageDigest(ctx, &r.digest), &p, pageOpts...)
			return r
		}
		var seen progress

		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		timing := new(requestTiming) // the first page's round trip sizes the workers
		ctx = withRequestTiming(ctx, timing)
		var ahead *prefetcher[T]
		defer func() { ahead.stop() }() // ahead is set later: evaluate it on return
		for page := start; ; {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			var r pageResult[T]
			if ahead != nil {
				r = ahead.get(ctx, page)
			} else {
				r = get(ctx, page)
			}
			if err := seen.check(page, r.info, r.digest); err != nil {
				yield(nil, err)
				return
			}
			items, err := newItems(&seen, page, r.items)
			if err != nil {
				yield(nil, err)
				return
			}
			if cfg.responseHeader != nil {
				*cfg.responseHeader = r.header
			}
			for i := range items {
				if !yield(&items[i], nil) {
					return
				}
			}
			if r.err != nil {
				yield(nil, r.err)
				return
			}
			next, more := nextPage(page, size, len(r.items), r.info)
			if !more {
				return
			}
			last := r.info.lastPage()
			switch {
			case ahead != nil:
				ahead.extend(last)
			case !r.info.HeaderMissing:
				if n := walkWorkers(cfg.workers, timing); n > 1 {
					ahead = startPrefetch(ctx, get, clampWorkers(n, next, last), next, last)
				}
			}
			page = next
		}
	}
}

// MaxWorkers is the most workers an iterator starts, whatever Workers asks for: beyond
// it, Gem's rate limit (20 requests/s) is the bottleneck, not the number in flight.
const MaxWorkers = 64

// clampWorkers bounds Workers(n) by MaxWorkers and by the pages left to fetch, next to
// last, as the first header announces them (at least 1; a list that grows during the
// walk keeps the workers it started with).
func clampWorkers(n, next, last int) int {
	return max(1, min(n, MaxWorkers, last-next+1))
}

// nextPage decides, from one page alone, whether another follows: the header's next_page
// up to the list's end as the same header states it (last_page, or total_pages), or
// without a header, a full page. An empty page always ends the walk.
func nextPage(page, size, n int, info *PageInfo) (int, bool) {
	switch {
	case n == 0:
		return 0, false
	case info.HeaderMissing:
		return page + 1, n >= size
	default:
		return info.NextPage, info.HasNext()
	}
}

// prefetcher fetches pages [next, last] with a pool of workers, launching a page only
// while fewer than window pages are outstanding, so memory stays bounded when the
// consumer is slow. It belongs to the iterator's goroutine; only the workers run apart.
type prefetcher[T any] struct {
	fetch   func(context.Context, int) pageResult[T]
	jobs    chan prefetchJob[T]
	pending map[int]chan pageResult[T]
	next    int // next page to launch
	last    int // last page to launch
	window  int
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type prefetchJob[T any] struct {
	page int
	out  chan pageResult[T]
}

func startPrefetch[T any](ctx context.Context, get func(context.Context, int) pageResult[T], workers, next, last int) *prefetcher[T] {
	ctx, cancel := context.WithCancel(ctx)
	pf := &prefetcher[T]{
		fetch: get, next: next, last: last, window: 2 * workers, cancel: cancel,
		jobs: make(chan prefetchJob[T], 2*workers), pending: map[int]chan pageResult[T]{},
	}
	for range workers {
		pf.wg.Add(1)
		go func() {
			defer pf.wg.Done()
			for job := range pf.jobs {
				job.out <- get(ctx, job.page) // buffered: never blocks
			}
		}()
	}
	return pf
}

// get returns page, waiting for its prefetch, or fetching it directly if it was not
// launched (a next_page the first header did not predict).
func (pf *prefetcher[T]) get(ctx context.Context, page int) pageResult[T] {
	for p := range pf.pending {
		if p < page { // skipped over: its result will never be read
			delete(pf.pending, p)
		}
	}
	pf.fill(page)
	out, ok := pf.pending[page]
	if !ok {
		return pf.fetch(ctx, page)
	}
	delete(pf.pending, page)
	select {
	case r := <-out:
		return r
	case <-ctx.Done():
		return pageResult[T]{err: ctx.Err()}
	}
}

// fill launches pages from page on while the window has room. The job queue holds window
// jobs; if skipped pages' jobs still fill it, launching waits for the next call.
func (pf *prefetcher[T]) fill(page int) {
	if pf.next < page {
		pf.next = page
	}
	for pf.next <= pf.last && len(pf.pending) < pf.window {
		out := make(chan pageResult[T], 1)
		select {
		case pf.jobs <- prefetchJob[T]{pf.next, out}:
			pf.pending[pf.next] = out
			pf.next++
		default:
			return
		}
	}
}

// extend follows a list that grew during the walk.
func (pf *prefetcher[T]) extend(last int) {
	pf.last = max(pf.last, last)
}

// stop cancels outstanding fetches and waits for the workers; nil-safe.
func (pf *prefetcher[T]) stop() {
	if pf == nil {
		return
	}
	pf.cancel()
	close(pf.jobs)
	pf.wg.Wait()
}
