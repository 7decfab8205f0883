package gemclient_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
)

// By default a walk keeps as many pages in flight as Little's law asks for the limiter's
// rate and the first page's round trip: at 250 requests/s and a first page that takes at
// least 40 ms, ceil(250 × 0.04 × 1.25) + 1 = 14. Pages 2 to 14 are answered only once all
// thirteen are in flight at once, which fewer workers never reach (a slower machine only
// makes the first round trip longer, and the workers more).
func TestDefaultWorkersFollowLittlesLaw(t *testing.T) {
	for _, lim := range []struct {
		name string
		opt  gemclient.Option
	}{
		{"WithRateLimit", gemclient.WithRateLimit(250, 50)},
		{"rate.Limiter", gemclient.WithLimiter(rate.NewLimiter(250, 50))},
		{"a RateReporter", gemclient.WithLimiter(reporting{rate.NewLimiter(rate.Inf, 0), 250})},
	} {
		t.Run(lim.name, func(t *testing.T) {
			const want = 13 // pages 2 to 14
			var arrived sync.WaitGroup
			arrived.Add(want)
			all := make(chan struct{})
			go func() { arrived.Wait(); close(all) }()
			l := &list{total: 3000}
			l.onPage = func(page int) {
				switch {
				case page == 1:
					time.Sleep(40 * time.Millisecond)
				case page <= 1+want:
					arrived.Done()
					select {
					case <-all:
					case <-time.After(20 * time.Second):
						t.Errorf("page %d: fewer than %d pages were ever in flight", page, want)
					}
				}
			}
			c := newClient(t, newServer(t, l.ServeHTTP), lim.opt)
			ids, errs := collect(c.ListCandidatesAll(context.Background(), nil), 0)
			assert.Empty(t, errs)
			assert.Equal(t, wantIDs(1, 3000), ids)
		})
	}
}

// reporting is a Limiter that says its rate.
type reporting struct {
	*rate.Limiter
	perSecond float64
}

func (r reporting) RatePerSecond() float64 { return r.perSecond }
