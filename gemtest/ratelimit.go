package gemtest

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is the gateway's per-key throttle: a token bucket per API key, rate tokens a
// second up to burst (notes §2.6: AWS API Gateway usage plans; DataGrail calls it a leaky
// bucket, which admits the same requests). Each key's bucket is an x/time/rate Limiter
// asked at the fake's clock, so a ManualClock makes it deterministic.
type limiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	now     func() time.Time
	buckets map[string]*rate.Limiter
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for key. When none is left it reports false and how long until
// one is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil {
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	now := l.now()
	if b.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.TokensAt(now)
	return false, time.Duration(missing / float64(l.rate) * float64(time.Second))
}
