package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/internal/genserver"
)

// api implements the generated strict server interface: one method per operation of the
// document, so an operation added to the document does not compile until it is served
// here. Handlers return *apiError as their error for every error response.
type api struct{ *Fake }

var _ genserver.StrictServerInterface = api{}

// now is the fake's clock in unix seconds, Gem's timestamp unit (docs/gem-api.md §2.3).
func (f *Fake) now() int64 { return f.cfg.clock().Unix() }

// lock takes the store's lock; every handler holds it while it reads or writes.
func (f *Fake) lock() *store {
	f.store.mu.Lock()
	return f.store
}

func (f *Fake) unlock() { f.store.mu.Unlock() }

// requestBase is where this request reached the fake (Fake.baseURL), for download URLs.
func requestBase(ctx context.Context) string {
	base, _ := ctx.Value(baseURLKey{}).(string)
	return base
}
