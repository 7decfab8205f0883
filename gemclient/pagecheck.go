package gemclient

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/http"
)

// PaginationError stops an ...All iterator whose list does not move forward: the server
// answered another page than the one asked for, a page identical to one the walk
// already had, or items the walk already yielded. A server or cache that ignores the
// page parameter does that, and would otherwise make the walk yield the same items
// without end, shuffled or not.
//
// Items are told apart by their id (every model with an ID field; the others, such as
// project memberships, only by the checks on pages). A list that changes during a walk
// shifts its items across page boundaries: an insertion before the walk's position makes
// the next page begin with the end of the previous one. So a page may begin with items
// already yielded, which are skipped; a page holding nothing new, or an item already
// yielded after a new one, ends the walk with this error. The items yielded before the
// error are distinct; the offending page's items are not yielded. (A next_page that does
// not follow its page is a *PageInfoError from ParsePageInfo, which ends the walk too.)
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

// progress is what a walk checks each page against: the digests of the pages it had,
// and a hash of the id of every item it yielded (8 bytes each, about 20 with the map's
// overhead: 1 MB for a walk of 50,000 items).
type progress struct {
	seen map[uint64]int      // digest → page
	ids  map[uint64]struct{} // maphash of each id yielded
}

// hashID is an id's key in progress.ids; never 0, which means no id.
func hashID(id string) uint64 { return maphash.String(digestSeed, id) | 1 }

// identified is a model with an id (the generated GetID of gen's models).
type identified interface{ GetID() string }

// newItems returns the items of page the walk has not yielded, and records them. Items
// without an id are always new. Items already yielded may only open the page (a list
// that shifted forward); anything else is a *PaginationError.
func newItems[T any](p *progress, page int, items []T) ([]T, error) {
	if _, ok := any((*T)(nil)).(identified); !ok || len(items) == 0 {
		return items, nil
	}
	hashes := make([]uint64, len(items))
	skip, fresh := 0, false
	for i := range items {
		id := any(&items[i]).(identified).GetID()
		if id == "" {
			fresh = true
			continue
		}
		hashes[i] = hashID(id)
		if _, repeated := p.ids[hashes[i]]; !repeated {
			fresh = true
			continue
		}
		if fresh {
			return nil, &PaginationError{Page: page, Reason: fmt.Sprintf("item %d repeats an item of an earlier page after new ones (does the server or a cache ignore the page parameter, or does the list's order change between requests?)", i+1)}
		}
		skip = i + 1
	}
	if !fresh {
		return nil, &PaginationError{Page: page, Reason: "every item repeats an earlier page's (does the server or a cache ignore the page parameter?)"}
	}
	if p.ids == nil {
		p.ids = map[uint64]struct{}{}
	}
	for i, h := range hashes[skip:] {
		if h != 0 {
			if _, dup := p.ids[h]; dup {
				return nil, &PaginationError{Page: page, Reason: fmt.Sprintf("item %d repeats an item of the same page", skip+i+1)}
			}
			p.ids[h] = struct{}{}
		}
	}
	return items[skip:], nil
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
