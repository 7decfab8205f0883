package gemclient_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// pausingLimiter admits every request and records the pauses asked of it.
type pausingLimiter struct {
	countingLimiter
	mu     sync.Mutex
	pauses []time.Duration
	err    error // returned by Pause
}

func (l *pausingLimiter) Pause(_ context.Context, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pauses = append(l.pauses, d)
	return l.err
}

func (l *pausingLimiter) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.pauses...)
}

var _ gemclient.Pauser = (*pausingLimiter)(nil)

// A 429 without Retry-After pauses the limiter for 100 ms the first time, doubling for
// the same request's later 429s up to the backoff's max; the retries wait in the limiter
// and never sleep besides.
func TestRateLimitedPausesTheLimiter(t *testing.T) {
	s := newServer(t, script([]int{429, 429, 429, 429}, nil, `{"id":"c1"}`))
	limiter := &pausingLimiter{}
	c, rec := retryClient(t, s, gemclient.WithLimiter(limiter), gemclient.WithBackoff(time.Second, 300*time.Millisecond+time.Second))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, 5, s.Count())
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}, limiter.all())
	assert.Empty(t, rec.all(), "the pause replaces the backoff sleep")
	assert.Equal(t, int64(5), limiter.waits.Load(), "each retry waits in the limiter, which holds it for the pause")

	s = newServer(t, script([]int{429, 429, 429}, nil, `{"id":"c1"}`))
	limiter = &pausingLimiter{}
	c, _ = retryClient(t, s, gemclient.WithLimiter(limiter), gemclient.WithBackoff(time.Millisecond, 300*time.Millisecond))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, limiter.all(), "capped at the backoff's max")
}

// Retry-After sets the pause; the first pause is never longer than the backoff's cap.
func TestRateLimitedPauseDurations(t *testing.T) {
	s := newServer(t, script([]int{429, 429}, map[int]http.Header{0: {"Retry-After": {"2"}}}, `{"id":"c1"}`))
	limiter := &pausingLimiter{}
	c, rec := retryClient(t, s, gemclient.WithLimiter(limiter), gemclient.WithBackoff(time.Millisecond, 5*time.Second))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, []time.Duration{2 * time.Second, 200 * time.Millisecond}, limiter.all())
	assert.Empty(t, rec.all())

	s = newServer(t, script([]int{429}, nil, `{"id":"c1"}`))
	limiter = &pausingLimiter{}
	c, _ = retryClient(t, s, gemclient.WithLimiter(limiter), gemclient.WithBackoff(time.Microsecond, time.Millisecond))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, []time.Duration{time.Millisecond}, limiter.all())
}

// Only 429s pause; other retried failures back off alone, and so does a 429 whose Pause
// failed, and a 429 with a Retry-After beyond the cap, which is not retried at all.
func TestOnlyRateLimitedPauses(t *testing.T) {
	s := newServer(t, script([]int{503, 500}, nil, `{"id":"c1"}`))
	limiter := &pausingLimiter{}
	c, rec := retryClient(t, s, gemclient.WithLimiter(limiter))
	require.NoError(t, getCandidate(c))
	assert.Empty(t, limiter.all())
	assert.Len(t, rec.all(), 2)

	s = newServer(t, script([]int{429}, nil, `{"id":"c1"}`))
	limiter = &pausingLimiter{err: errors.New("redis is down")}
	c, rec = retryClient(t, s, gemclient.WithLimiter(limiter))
	require.NoError(t, getCandidate(c))
	assert.Len(t, limiter.all(), 1)
	assert.Len(t, rec.all(), 1, "a failed pause falls back to the backoff sleep")

	s = newServer(t, script([]int{429}, map[int]http.Header{0: {"Retry-After": {"3600"}}}, `{}`))
	limiter = &pausingLimiter{}
	c, _ = retryClient(t, s, gemclient.WithLimiter(limiter))
	require.True(t, gemclient.IsRateLimited(getCandidate(c)))
	assert.Empty(t, limiter.all())
}

// The default limiter (WithRateLimit's too) holds every caller for the pause: a 429
// with Retry-After 30 ends a call whose context cannot wait that long, and the next
// call, from anywhere, fails fast on its deadline without sending anything.
func TestLocalLimiterPauseHoldsEveryCaller(t *testing.T) {
	s := newServer(t, script([]int{429}, map[int]http.Header{0: {"Retry-After": {"30"}}}, `{"id":"c1"}`))
	c, rec := retryClient(t, s, gemclient.WithRateLimit(1000, 1000), gemclient.WithBackoff(time.Millisecond, time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetCandidate(ctx, "c1")
	require.True(t, gemclient.IsRateLimited(err), "%v", err)
	assert.Contains(t, err.Error(), "not retried")

	var wg sync.WaitGroup
	var refused atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.GetCandidate(ctx, "c1")
			if err != nil && !gemclient.IsRateLimited(err) {
				assert.Contains(t, err.Error(), "paused")
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(4), refused.Load())
	assert.Equal(t, 1, s.Count(), "nothing is sent during the pause")
	assert.Empty(t, rec.all())
}

// The pause empties the bucket: the gateway's is empty, so tokens saved up locally would
// buy more 429s. With burst 3 and no refill to speak of, the retry after a 429 finds no
// token left although only one was spent.
func TestLocalLimiterPauseEmptiesTheBucket(t *testing.T) {
	s := newServer(t, script([]int{429}, map[int]http.Header{0: {"Retry-After": {"0"}}}, `{"id":"c1"}`))
	c, _ := retryClient(t, s, gemclient.WithRateLimit(0.0001, 3))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetCandidate(ctx, "c1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "waiting for the rate limiter")
	assert.Equal(t, 1, s.Count())

	// Without a 429 the same bucket admits three.
	s = newServer(t, script(nil, nil, `{"id":"c1"}`))
	c, _ = retryClient(t, s, gemclient.WithRateLimit(0.0001, 3))
	for range 3 {
		_, err := c.GetCandidate(ctx, "c1")
		require.NoError(t, err)
	}
}
