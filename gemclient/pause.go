package gemclient

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pauser is implemented by a Limiter that can learn from the gateway. A 429 that arrives
// although the limiter admitted the call means the limiter and Gem's gateway are out of
// phase: clock skew, another process using the key, a gateway that counts differently.
// The Client then calls Pause, and retries the request through Wait, instead of letting
// that one request back off alone while every other caller keeps sending.
//
// Pause should hold every caller of the key (every Wait that has not returned, and every
// later one) for d from now; a pause already in force that ends later is kept. It should
// return quickly: the Client calls it from the goroutine that got the 429. An error is
// logged at Debug and the request backs off on its own as if the limiter had no Pause.
//
// The default limiter and WithRateLimit's implement it; so does contrib/redislimit's,
// for every replica sharing the key. A Limiter without Pause (*rate.Limiter, for
// instance) keeps the per-request exponential backoff.
type Pauser interface {
	Pause(ctx context.Context, d time.Duration) error
}

// firstPause is how long the first 429 of a request holds the limiter when Gem sends no
// Retry-After (its gateway sends none, docs/gem-api.md §2.6). A 429 the limiter
// admitted means the gateway's bucket was empty when the request arrived and ours was
// not: at Gem's 20 requests/s the gateway has a token again within 50 ms. A short pause
// costs a walk almost nothing: the limiter's bucket refills while it holds (up to its
// burst) and the tokens are spent right after, so a concurrent walk resumes at full
// rate. A long one (the old 500 ms backoff ceiling, let alone its 1 s and 2 s sequels)
// stalls the ordered window of a concurrent walk, and with a pause every caller. Later
// 429s of the same request mean the disagreement lasts (another process spending the
// key): the pause doubles each time, 200 ms, 400 ms, ..., up to the backoff's max.
const firstPause = 100 * time.Millisecond

// pauseLimiter handles a retryable failure of attempt n: when it is a 429 and the
// limiter is a Pauser, it pauses the limiter, for the Retry-After if Gem sent one, else
// as firstPause describes, and reports paused, so the retry waits for the pause in
// limiter.Wait instead of sleeping. hold is then the pause, else wait unchanged.
func (p *pipeline) pauseLimiter(ctx context.Context, resp *http.Response, n int, wait time.Duration) (hold time.Duration, paused bool) {
	pauser, ok := p.limiter.(Pauser)
	if !ok || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return wait, false
	}
	d, found := p.retry.retryAfter(resp.Header) // within max: classify retries no longer
	if !found {
		// firstPause, doubling with each 429 of this request, at most the backoff's max.
		d = retryPolicy{base: min(firstPause, p.retry.max), max: p.retry.max}.ceiling(n - 1)
	}
	if err := pauser.Pause(ctx, d); err != nil {
		p.logger.DebugContext(ctx, "gem rate limiter pause failed; backing off alone", "error", err.Error())
		return wait, false
	}
	return d, true
}

// localLimiter is the default Limiter: a token bucket (x/time/rate) that a 429 can pause.
type localLimiter struct {
	rl *rate.Limiter

	mu    sync.Mutex
	until time.Time // every Wait holds until then
}

func newLocalLimiter(perSecond float64, burst int) *localLimiter {
	return &localLimiter{rl: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// Wait waits for a token and for any pause, the one in force when it is called and one
// that begins while it waits for its token. Like rate.Limiter.Wait it fails at once when
// ctx's deadline would pass first.
func (l *localLimiter) Wait(ctx context.Context) error {
	if err := l.held(ctx); err != nil {
		return err
	}
	if err := l.rl.Wait(ctx); err != nil {
		return err
	}
	return l.held(ctx)
}

// held waits until no pause is in force.
func (l *localLimiter) held(ctx context.Context) error {
	for {
		l.mu.Lock()
		until := l.until
		l.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return ctx.Err()
		}
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(until) {
			return fmt.Errorf("paused for %v after a 429, which would exceed the context's deadline", d.Round(time.Millisecond))
		}
		if err := sleepCtx(ctx, d); err != nil {
			return err
		}
	}
}

// Pause holds every caller for d, and empties the bucket: the gateway's is empty (it
// answered 429), so tokens saved up here would only buy more 429s. The bucket refills
// during the pause as usual, so afterwards it sends as much as the gateway refilled. A
// pause that ends no later than the one in force changes nothing: it is old news (a 429
// to a request that left before that pause began), and emptying the bucket then would
// throw away what it saves up for the end of the pause.
func (l *localLimiter) Pause(_ context.Context, d time.Duration) error {
	now := time.Now()
	l.mu.Lock()
	until := now.Add(d)
	later := until.After(l.until)
	if later {
		l.until = until
	}
	l.mu.Unlock()
	if !later {
		return nil
	}
	if n := int(l.rl.TokensAt(now)); n > 0 {
		l.rl.AllowN(now, n) // fails harmlessly if other callers took tokens meanwhile
	}
	return nil
}
