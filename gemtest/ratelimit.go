package gemtest

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxKeyLength is the longest X-API-Key the gateway can know: AWS API Gateway key values
// are alphanumeric strings of 20 to 128 characters (Gem's are 40, docs/gem-api.md §2.1). A longer
// key cannot be valid, so the gateway's 403 answers it before any state is kept for it.
// Shorter keys than 20 stay accepted: tests use keys like "k1".
const maxKeyLength = 128

// maxBuckets bounds the limiter's state when any key is accepted (no WithAPIKeys): at most
// this many keys are tracked at once. Beyond it the least recently used key's bucket is
// dropped even if not full, so that key starts over with a full burst: more permissive
// than the gateway, which only ever has the finite set of keys it issued.
const maxBuckets = 10_000

// limiter is the gateway's per-key throttle: a token bucket per API key, rate tokens a
// second up to burst (docs/gem-api.md §2.6: AWS API Gateway usage plans; DataGrail calls it a leaky
// bucket, which admits the same requests). Each key's bucket is an x/time/rate Limiter
// asked at the fake's clock, so a ManualClock makes it deterministic.
//
// Its state is bounded. A bucket that has refilled to the burst behaves exactly as a new
// one, so it is dropped: buckets are kept in least-recently-used order and each call drops
// the full ones from the idle end, which keeps only keys used within about burst/rate
// (25 s at Gem's limits). maxBuckets caps the rest.
type limiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	now     func() time.Time
	max     int
	buckets map[string]*list.Element // key → element of lru holding a *bucket
	lru     list.List                // front: most recently used
}

type bucket struct {
	key string
	*rate.Limiter
}

func newLimiter(perSecond float64, burst int, now func() time.Time, maxKeys int) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: burst, now: now, max: maxKeys, buckets: map[string]*list.Element{}}
}

// allow takes a token for key. When none is left it reports false and how long until
// one is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.dropIdle(now)
	e := l.buckets[key]
	if e == nil {
		if len(l.buckets) >= l.max {
			l.remove(l.lru.Back())
		}
		e = l.lru.PushFront(&bucket{key: key, Limiter: rate.NewLimiter(l.rate, l.burst)})
		l.buckets[key] = e
	} else {
		l.lru.MoveToFront(e)
	}
	b := e.Value.(*bucket)
	if b.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - b.TokensAt(now)
	return false, time.Duration(missing / float64(l.rate) * float64(time.Second))
}

// dropIdle drops the buckets at the idle end of the list that are full again: the least
// recently used first, until one is not. Each bucket is dropped once, so this costs O(1)
// per call, amortized.
func (l *limiter) dropIdle(now time.Time) {
	for e := l.lru.Back(); e != nil && e.Value.(*bucket).TokensAt(now) >= float64(l.burst); e = l.lru.Back() {
		l.remove(e)
	}
}

func (l *limiter) remove(e *list.Element) {
	delete(l.buckets, e.Value.(*bucket).key)
	l.lru.Remove(e)
}
