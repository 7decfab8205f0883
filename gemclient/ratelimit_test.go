package gemclient_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
)

// One token per attempt, retries included, from one limiter shared by all goroutines.
func TestLimiterIsSharedAndWaitedPerAttempt(t *testing.T) {
	s := newServer(t, script([]int{429}, nil, `{"id":"c1"}`)) // the first request is retried
	limiter := &countingLimiter{}
	c, _ := retryClient(t, s, gemclient.WithLimiter(limiter))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				assert.NoError(t, getCandidate(c))
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 41, s.Count())
	assert.Equal(t, int64(41), limiter.waits.Load())
}

// WithRateLimit's bucket is shared: with burst 3 and a rate too slow to refill, three
// requests from any goroutines get through and the fourth fails fast on its deadline.
func TestWithRateLimitHoldsBackEveryGoroutine(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"c1"}`) })
	c := newClient(t, s, gemclient.WithRateLimit(0.0001, 3))
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, getCandidate(c))
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetCandidate(ctx, "c1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limiter")
	assert.Equal(t, 3, s.Count())
}

// A cancelled context ends a wait for the limiter.
func TestLimiterWaitHonoursContext(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	c := newClient(t, s, gemclient.WithLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
	require.NoError(t, getCandidate(c))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetCandidate(ctx, "c1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, s.Count())
}
