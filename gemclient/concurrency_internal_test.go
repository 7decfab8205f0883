package gemclient

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"
)

type waitOnly struct{}

func (waitOnly) Wait(context.Context) error { return nil }

func TestLimiterRate(t *testing.T) {
	assert.Equal(t, 20.0, limiterRate(defaultLimiter()))
	assert.Equal(t, 200.0, limiterRate(newLocalLimiter(200, 50)))
	assert.Equal(t, 7.0, limiterRate(rate.NewLimiter(7, 1)))
	assert.Equal(t, float64(DefaultRatePerSecond), limiterRate(rate.NewLimiter(rate.Inf, 0)), "no limit: Gem's")
	assert.Equal(t, float64(DefaultRatePerSecond), limiterRate(waitOnly{}), "unknown: Gem's")
}

func TestWorkersFor(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		busy time.Duration
		want int
	}{
		{200, 20 * time.Millisecond, 6},   // 200 × 0.02 × 1.25 = 5 → 5 + 1
		{200, 200 * time.Millisecond, 51}, // 50 + 1
		{20, 300 * time.Millisecond, 9},   // 7.5 → 8 + 1
		{20, time.Millisecond, 2},
		{20, 0, 1},
		{1000, time.Second, MaxWorkers},
		{math.Inf(1), time.Second, MaxWorkers},
	} {
		assert.Equal(t, tc.want, workersFor(tc.rate, tc.busy), "%v/s at %v", tc.rate, tc.busy)
	}
}

// The gate lets through no more than its limit, and the limit follows what the requests
// under it record.
func TestGate(t *testing.T) {
	timing := new(requestTiming)
	g := newGate(timing)
	assert.Equal(t, initialGate, g.limit())
	recordAttempt(withRequestTiming(context.Background(), timing), newLocalLimiter(400, 10), 100*time.Millisecond)
	assert.Equal(t, 51, g.limit(), "400/s × 0.1 s × 1.25 + 1")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, g.do(ctx, func(context.Context) error { return nil }), context.Canceled)
}

// A walk's workers: Workers(n)'s n, else Little's law for the first page's attempt and the
// limiter's rate, Gem's 20/s for a limiter that does not say.
func TestWalkWorkers(t *testing.T) {
	timed := func(l Limiter, first time.Duration) *requestTiming {
		tm := new(requestTiming)
		ctx := withRequestTiming(context.Background(), tm)
		recordAttempt(ctx, l, first)
		recordAttempt(ctx, l, 10*first) // later pages do not count
		return tm
	}
	assert.Equal(t, 14, walkWorkers(0, timed(newLocalLimiter(250, 50), 40*time.Millisecond)))
	assert.Equal(t, 2, walkWorkers(0, timed(waitOnly{}, 40*time.Millisecond)), "20/s: 1 + 1")
	assert.Equal(t, 1, walkWorkers(1, timed(newLocalLimiter(250, 50), time.Second)))
	assert.Equal(t, 5, walkWorkers(5, timed(waitOnly{}, time.Second)))
	assert.Equal(t, 1, walkWorkers(0, new(requestTiming)), "nothing timed")
}
