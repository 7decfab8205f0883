package redischeckpoint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/contrib/redischeckpoint"
	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// warehouse is what a fleet's replicas keep together: the copy of Gem's candidates and
// who delivered each change, in order.
type warehouse struct {
	mu         sync.Mutex
	candidates map[string]string // id → JSON
	log        []delivery
}

type delivery struct {
	replica int
	key     string
}

func canonical(c gen.Candidate) string {
	c.ProjectIDs = nil // they move with memberships, which this feed does not follow
	data, _ := json.Marshal(c)
	return string(data)
}

// handler is replica's Feed handler. A handler whose context ended does nothing: the
// replica is stopping.
func (w *warehouse) handler(replica int) func(context.Context, gemclient.Change) error {
	return func(ctx context.Context, ch gemclient.Change) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		w.log = append(w.log, delivery{replica, ch.Key()})
		switch ch.Kind {
		case gemclient.CandidateCreated, gemclient.CandidateUpdated:
			w.candidates[ch.ID] = canonical(*ch.Candidate)
		case gemclient.CandidateDeleted:
			delete(w.candidates, ch.ID)
		}
		return nil
	}
}

// same reports whether the warehouse holds exactly Gem's candidates.
func (w *warehouse) same(fake *gemtest.Fake) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	want := fake.Candidates()
	if len(want) != len(w.candidates) {
		return false
	}
	for _, c := range want {
		if w.candidates[*c.ID] != canonical(c) {
			return false
		}
	}
	return true
}

// A fleet of three replicas runs one feed through Redis: one polls at a time (every
// change comes from the lease holder), and when it dies (its Redis connection gone, no
// release) another takes over; Gem changes all along; the copy ends equal to Gem, and a
// change is delivered twice only when the dead replica delivered it in its last pass,
// which it could not save.
func TestFleetOneReplicaPollsAtATimeAndAnotherTakesOver(t *testing.T) {
	srv := startRedis(t)
	clock := gemtest.NewManualClock(time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC))
	fake := gemtest.NewServer(t, gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now),
		gemtest.WithChurn(gemtest.Churn{Seed: 4, Creates: 2, Updates: 3, Deletes: 1}))
	for i := range 300 {
		_, err := fake.Fake.AddCandidate(gen.CandidateCreate{CreatedBy: fake.UserID, FirstName: gemclient.Ptr(fmt.Sprint("Seed ", i))})
		require.NoError(t, err)
		clock.Advance(time.Second)
	}
	w := &warehouse{candidates: map[string]string{}}
	const replicas = 3
	cancels := make([]context.CancelFunc, replicas)
	conns := make([]interface{ Close() error }, replicas)
	var wg sync.WaitGroup
	for r := range replicas {
		rdb := client(t, srv.Addr)
		conns[r] = rdb
		store, err := redischeckpoint.New(rdb, "warehouse", redischeckpoint.WithLeaseTTL(2*time.Second), redischeckpoint.WithTimeout(500*time.Millisecond))
		require.NoError(t, err)
		c, err := gemclient.New(fake.APIKey, gemclient.WithBaseURL(fake.URL), gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)))
		require.NoError(t, err)
		feed, err := gemclient.NewFeed(c, store, gemclient.Follow(gemclient.CandidateCreated, gemclient.CandidateUpdated, gemclient.CandidateDeleted),
			gemclient.ReconcileEvery(3))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancels[r] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = feed.Run(ctx, 10*time.Millisecond, w.handler(r))
		}()
	}
	t.Cleanup(func() {
		for _, cancel := range cancels {
			cancel()
		}
		wg.Wait()
	})
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			require.True(t, time.Now().Before(deadline), "waiting for %s", what)
		}
	}
	change := func(rounds int) {
		for range rounds {
			fake.Fake.ChurnNow(5)
			clock.Advance(2 * time.Second)
			time.Sleep(15 * time.Millisecond) // a pass or so
		}
	}
	waitFor("the first copy", func() bool { return w.same(fake.Fake) })
	change(20)

	// The leader dies: its passes stop, and its lease is no longer extended. Cancelled under
	// the warehouse's lock, it delivers nothing after the deliveries counted here.
	w.mu.Lock()
	leader := w.log[0].replica
	cancels[leader]()
	before := len(w.log)
	w.mu.Unlock()
	require.NoError(t, conns[leader].Close())
	change(20)
	clock.Advance(2 * time.Minute)
	waitFor("the copy to catch up after the takeover", func() bool {
		w.mu.Lock()
		n := len(w.log)
		w.mu.Unlock()
		return n > before && w.same(fake.Fake)
	})

	w.mu.Lock()
	defer w.mu.Unlock()
	var after int = -1
	first := map[string]int{}
	for i, d := range w.log {
		if i < before {
			assert.Equal(t, leader, d.replica, "one replica polls while it lives")
		} else {
			if after < 0 {
				after = d.replica
			}
			assert.Equal(t, after, d.replica, "one replica polls after the takeover")
		}
		if prev, seen := first[d.key]; seen {
			// Only what the dead replica delivered after its last checkpoint comes again, from
			// the replica that took over.
			assert.Equal(t, leader, w.log[prev].replica, "%s delivered twice, first not by the dead replica", d.key)
			assert.GreaterOrEqual(t, i, before, "%s delivered twice by the replica that delivered it first", d.key)
		} else {
			first[d.key] = i
		}
	}
	assert.NotEqual(t, leader, after, "another replica took over")
	t.Logf("%d changes delivered by replica %d, then %d by replica %d; %d changes made", before, leader, len(w.log)-before, after, fake.Fake.ChurnStats().Total())
}
