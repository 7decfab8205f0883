package gemclient

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// How many requests a walk keeps in flight by default: enough to keep the Client's rate
// limiter busy, and no more.
//
// By Little's law the requests in flight L, the rate λ and the time W each one occupies a
// worker are related by L = λ·W: to sustain the limiter's rate λ while each page takes W
// (the round trip and reading the body, not the wait for a token), a walk needs λ·W pages
// in flight. It starts ceil(λ·W·headroom)+1 workers, the headroom absorbing the spread of
// the round trips and the decoding the measurement leaves out. W is measured on the walk's
// own first page, which is fetched alone before any worker starts; λ is the Limiter's
// (RateReporter). At Gem's 20 requests/s and a round trip of 300 ms that is 9 workers; for
// a local fake answering in a millisecond, 2. More workers would only queue in the limiter.

// RateReporter is implemented by a Limiter that can say how many requests a second it
// admits in the long run. The ...All iterators and the Feed size their concurrency from it
// (see Workers). The default limiter and WithRateLimit's implement it, and so does a
// *rate.Limiter (through its Limit method). For any other Limiter the Client assumes Gem's
// rate, DefaultRatePerSecond (20/s): more requests in flight than that rate needs could
// only meet Gem's gateway. A Limiter that does not limit (rate.Inf) is taken the same way.
type RateReporter interface {
	RatePerSecond() float64
}

// RatePerSecond is the token bucket's rate.
func (l *localLimiter) RatePerSecond() float64 { return float64(l.rl.Limit()) }

// concurrencyHeadroom is how many more requests than Little's law's λ·W are kept in flight.
const concurrencyHeadroom = 1.25

// limiterRate is the rate l admits, as RateReporter describes.
func limiterRate(l Limiter) float64 {
	var r float64
	switch l := l.(type) {
	case RateReporter:
		r = l.RatePerSecond()
	case interface{ Limit() rate.Limit }: // *rate.Limiter
		r = float64(l.Limit())
	}
	if r <= 0 || r >= float64(rate.Inf) || math.IsInf(r, 0) || math.IsNaN(r) {
		return DefaultRatePerSecond
	}
	return r
}

// workersFor is the number of requests to keep in flight to sustain perSecond when each
// occupies a worker for busy: ceil(perSecond·busy·headroom)+1, from 1 to MaxWorkers.
func workersFor(perSecond float64, busy time.Duration) int {
	if busy <= 0 {
		return 1
	}
	n := math.Ceil(perSecond*busy.Seconds()*concurrencyHeadroom) + 1
	return int(min(max(n, 1), MaxWorkers))
}

// requestTiming collects, for the requests made under a context (withRequestTiming), the
// Client's limiter and the duration of their successful attempts: from sending the
// request to having read the answer's body, without the wait for the limiter. The
// pipeline records into it; it is safe for concurrent use.
type requestTiming struct {
	mu      sync.Mutex
	limiter Limiter
	n       int           // successful attempts recorded
	first   time.Duration // the first one's duration
	ewma    time.Duration // their exponentially weighted moving average
}

type requestTimingKey struct{}

// withRequestTiming returns a context under which the pipeline records into t.
func withRequestTiming(ctx context.Context, t *requestTiming) context.Context {
	return context.WithValue(ctx, requestTimingKey{}, t)
}

// recordAttempt records a successful attempt that took d, made with limiter l, when ctx
// carries a requestTiming.
func recordAttempt(ctx context.Context, l Limiter, d time.Duration) {
	t, ok := ctx.Value(requestTimingKey{}).(*requestTiming)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.limiter = l
	if t.n == 0 {
		t.first, t.ewma = d, d
	} else {
		t.ewma += (d - t.ewma) / 8
	}
	t.n++
}

// workers is Little's law's worker count for what t recorded so far: from the first
// attempt (first) or the moving average; 0 when nothing was recorded.
func (t *requestTiming) workers(first bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		return 0
	}
	busy := t.ewma
	if first {
		busy = t.first
	}
	return workersFor(limiterRate(t.limiter), busy)
}

// walkWorkers is the number of workers a walk starts after its first page: Workers(n)'s
// n when given (1: one page at a time), else Little's law for the first page's attempt.
func walkWorkers(requested int, t *requestTiming) int {
	if requested > 0 {
		return requested
	}
	return max(1, t.workers(true))
}

// gate bounds the requests a Feed pass has in flight, across its lists, to what Little's
// law asks for the Client's limiter and the pass's own round trips (requestTiming's
// moving average); before any answer, to initialGate.
type gate struct {
	timing *requestTiming
	mu     sync.Mutex
	cond   *sync.Cond
	busy   int
}

// initialGate is how many requests a pass sends before it has timed one.
const initialGate = 4

func newGate(t *requestTiming) *gate {
	g := &gate{timing: t}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// limit is the current bound.
func (g *gate) limit() int {
	if n := g.timing.workers(false); n > 0 {
		return n
	}
	return initialGate
}

// do runs f once fewer than limit() requests are in flight, or returns ctx's error.
func (g *gate) do(ctx context.Context, f func(context.Context) error) error {
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	defer stop()
	g.mu.Lock()
	for g.busy >= g.limit() && ctx.Err() == nil {
		g.cond.Wait()
	}
	if err := ctx.Err(); err != nil {
		g.mu.Unlock()
		return err
	}
	g.busy++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.busy--
		g.cond.Broadcast() // the limit may have grown too
		g.mu.Unlock()
	}()
	return f(withRequestTiming(ctx, g.timing))
}
