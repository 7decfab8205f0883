package gemclient

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/http"
)

// PaginationError stops an ...All iterator whose list does not move forward: the server
// answered another page than the one asked for, or a page identical to one the walk
// already had. A server or cache that ignores the page parameter does that, and would
// otherwise make the walk yield the same items without end. The items yielded before the
// error came from distinct pages; the offending page's items are not yielded. (A
// next_page that does not follow its page is a *PageInfoError from ParsePageInfo, which
// ends the walk too.)
type PaginationError struct {
	Page   int    // the page asked for
	Reason string // what did not move forward
}

// Error names the page and the reason.
func (e *PaginationError) Error() string {
	return fmt.Sprintf("gemclient: pagination does not move forward at page %d: %s", e.Page, e.Reason)
}

// pageDigestKey carries, in the context of a page request made by an iterator, where
// listPage records a digest of the page's body.
type pageDigestKey struct{}

// digestSeed is the process's seed for page digests; they are compared only within one
// walk.
var digestSeed = maphash.MakeSeed()

// withPageDigest returns a context under which listPage stores the digest of the page's
// body in *d (0 when the body is not in memory).
func withPageDigest(ctx context.Context, d *uint64) context.Context {
	return context.WithValue(ctx, pageDigestKey{}, d)
}

// recordPageDigest stores the digest of a 2xx list body read by the pipeline, when the
// request came from an iterator.
func recordPageDigest(resp *http.Response) {
	if resp.Request == nil {
		return
	}
	d, ok := resp.Request.Context().Value(pageDigestKey{}).(*uint64)
	if !ok {
		return
	}
	if b, ok := resp.Body.(*bufferedBody); ok && b.buf != nil {
		*d = maphash.Bytes(digestSeed, b.buf.Bytes()) | 1 // never 0, which means unknown
	}
}

// progress is what a walk checks each page against: the digests of the pages it had.
type progress struct {
	seen map[uint64]int // digest → page
}

// check refuses a page that is not the one asked for: the header names another page, or
// the body is byte for byte one the walk already had (with or without a header). Its
// items are then not yielded.
func (p *progress) check(page int, info *PageInfo, digest uint64) error {
	if info != nil && !info.HeaderMissing && info.Page != 0 && info.Page != page {
		return &PaginationError{Page: page, Reason: fmt.Sprintf("the server answered page %d (does it or a cache ignore the page parameter?)", info.Page)}
	}
	if digest == 0 {
		return nil
	}
	if earlier, ok := p.seen[digest]; ok {
		return &PaginationError{Page: page, Reason: fmt.Sprintf("the answer is identical to page %d's (does the server or a cache ignore the page parameter?)", earlier)}
	}
	if p.seen == nil {
		p.seen = map[uint64]int{}
	}
	p.seen[digest] = page
	return nil
}
