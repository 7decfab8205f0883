package gemclient_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// The reliability figures of the fake-server issue: the SDK against the fake with 20% of
// requests faulted (429 with and without Retry-After, 500, 502, 503, connections dropped
// before and after the handler ran). The fake's own rate limit is off and the client's
// limiter unbounded: these tests are about faults; waits are recorded, not slept.

const faultRate = 0.20

// faultyGem starts the fake with uniform faults and a client that retries generously.
// Keep-alives are off so that every dropped connection reaches the SDK instead of being
// resent by net/http's own stale-connection retry.
func faultyGem(t *testing.T, seed int64) (*gemtest.Server, *gemclient.Client) {
	t.Helper()
	srv := gemtest.NewServer(t, gemtest.WithoutRateLimit(), gemtest.WithFaults(gemtest.UniformFaults(seed, faultRate)))
	c, err := gemclient.New(srv.APIKey,
		gemclient.WithBaseURL(srv.URL),
		gemclient.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)),
		gemclient.WithMaxRetries(10))
	require.NoError(t, err)
	var rec sleeps
	gemclient.SetSleep(c, rec.sleep)
	return srv, c
}

// assertFaulted fails the test unless faults were really injected: at least half the
// configured share, and each family (429s, 5xx, dropped connections) at least once, so a
// green run cannot come from a fake that stopped injecting them. Kinds are drawn per
// request in arrival order, so with concurrent requests only these totals are stable.
func assertFaulted(t *testing.T, srv *gemtest.Server) gemtest.Stats {
	t.Helper()
	stats := srv.Fake.Stats()
	var faults int64
	for _, n := range stats.Faults {
		faults += n
	}
	f := stats.Faults
	assert.GreaterOrEqual(t, float64(faults), faultRate/2*float64(stats.Requests), "faulted share")
	assert.Positive(t, f[gemtest.FaultTooManyRequests]+f[gemtest.FaultTooManyRequestsRetryAfter], "no 429 injected")
	assert.Positive(t, f[gemtest.FaultInternalError]+f[gemtest.FaultBadGateway]+f[gemtest.FaultUnavailable], "no 5xx injected")
	assert.Positive(t, f[gemtest.FaultDropBefore]+f[gemtest.FaultDropAfter], "no connection dropped")
	t.Logf("%d requests, %d faulted (%.1f%%): %v", stats.Requests, faults, 100*float64(faults)/float64(stats.Requests), f)
	return stats
}

// Walking 5,000 candidates returns exactly the set: none lost, none repeated, in both the
// sequential and the concurrent walk. Pages of 25 make 200 pages, so the walk meets a
// few dozen faults.
func TestReliabilityWalkUnderFaults(t *testing.T) {
	const total = 5000
	for _, tc := range []struct {
		name string
		opts []gemclient.CallOption
	}{
		{"sequential", []gemclient.CallOption{gemclient.PageSize(25)}},
		{"8 workers", []gemclient.CallOption{gemclient.PageSize(25), gemclient.Workers(8)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := faultyGem(t, 5000)
			want := map[string]bool{}
			for i := range total {
				cand, err := srv.Fake.AddCandidate(gen.CandidateCreate{
					CreatedBy: srv.UserID, FirstName: gemclient.Ptr(fmt.Sprintf("Walk %d", i)),
				})
				require.NoError(t, err)
				want[*cand.ID] = true
			}
			require.Len(t, want, total, "seeded ids are distinct")
			require.Equal(t, total, srv.Fake.CandidateCount(), "the fake holds only the seeded candidates")

			seen := map[string]int{}
			for cand, err := range c.ListCandidatesAll(context.Background(), nil, tc.opts...) {
				require.NoError(t, err)
				seen[*cand.ID]++
			}
			for id, n := range seen {
				assert.Equal(t, 1, n, "candidate %s yielded %d times", id, n)
				assert.True(t, want[id], "candidate %s was never seeded", id)
			}
			assert.Len(t, seen, total, "every seeded candidate yielded")
			assertFaulted(t, srv)
		})
	}
}

// Creating 500 candidates with distinct LinkedIn handles leaves exactly 500, although a
// fifth of the requests fail, some after the candidate was written (drop-after):
// CreateOrGetCandidate retries a create that carries a handle, and Gem's duplicate check
// turns a retried create that had landed into the existing candidate.
func TestReliabilityCreate500UnderFaults(t *testing.T) {
	const total, workers = 500, 8
	srv, c := faultyGem(t, 500)
	before := srv.Fake.CandidateCount()

	ids := make([]string, total)
	var created atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, total)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				cand, isNew, err := c.CreateOrGetCandidate(context.Background(), gen.CandidateCreate{
					CreatedBy:      srv.UserID,
					LinkedInHandle: gemclient.Ptr(fmt.Sprintf("reliability-%04d", i)),
				})
				if err != nil {
					errs <- fmt.Errorf("candidate %d: %w", i, err)
					continue
				}
				ids[i] = *cand.ID
				if isNew {
					created.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	assert.Equal(t, before+total, srv.Fake.CandidateCount(), "exactly one candidate per handle")
	distinct := map[string]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	assert.Len(t, distinct, total, "each handle resolved to its own candidate")
	stats := assertFaulted(t, srv)
	// A create whose response was lost (drop-after) was retried and resolved as
	// "existing": that path ran, and only as often as responses were lost (drop-after
	// also hits the GETs that resolve duplicates, hence at most).
	found := int64(total) - created.Load()
	assert.Positive(t, found, "no create was lost and found again")
	assert.LessOrEqual(t, found, stats.Faults[gemtest.FaultDropAfter])
}

// A plain create (no handle, so nothing de-duplicates it) is never retried once it may
// have reached Gem: every candidate the fake holds is one the caller was told about or
// one whose response was lost on the way back, never a second copy from a retry.
func TestReliabilityPlainCreateIsNotDuplicated(t *testing.T) {
	const total = 300
	srv, c := faultyGem(t, 300)
	before := srv.Fake.CandidateCount()
	ok := 0
	for i := range total {
		_, err := c.CreateCandidate(context.Background(), gen.CandidateCreate{
			CreatedBy: srv.UserID, FirstName: gemclient.Ptr(fmt.Sprintf("Plain %d", i)),
		})
		if err == nil {
			ok++
		}
	}
	stats := assertFaulted(t, srv)
	assert.Less(t, ok, total, "some creates must fail: the SDK may not retry them")
	assert.Equal(t, int64(before+ok)+stats.Faults[gemtest.FaultDropAfter], int64(srv.Fake.CandidateCount()),
		"candidates = successes + creates whose response was dropped; no retry duplicates")
}
