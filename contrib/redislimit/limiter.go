package redislimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Gem's limits per API key (docs/gem-api.md §2.6), the defaults of WithRate.
const (
	DefaultRatePerSecond = 20
	DefaultBurst         = 500
)

// DefaultKeyPrefix starts the name of every Redis key the Limiter uses.
const DefaultKeyPrefix = "gem-go:ratelimit:"

// DefaultDecisionTimeout bounds each Redis operation unless WithDecisionTimeout says
// otherwise.
const DefaultDecisionTimeout = 500 * time.Millisecond

// probeInterval is how long a Limiter in fallback uses its local bucket before it tries
// Redis again.
const probeInterval = time.Second

// hashLen is how many hex characters of the API key's SHA-256 name its Redis keys: 128
// bits, far from any collision between keys.
const hashLen = 32

// ErrUnavailable is what every *UnavailableError is (errors.Is).
var ErrUnavailable = errors.New("redislimit: Redis unavailable")

// UnavailableError says that Redis did not decide within the decision timeout or failed;
// Err is the cause. It never contains the API key.
type UnavailableError struct {
	// Op is what the Limiter asked Redis: "rate decision" or "pause".
	Op  string
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("redislimit: Redis unavailable (%s): %v", e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Is reports whether target is ErrUnavailable.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Option configures a Limiter in New.
type Option func(*settings) error

type settings struct {
	perSecond float64
	burst     int
	prefix    string
	timeout   time.Duration
	share     float64 // 0: no fallback
	logger    *slog.Logger
}

// WithRate sets the limit: perSecond requests a second with a burst of burst, default
// Gem's 20 and 500. Every replica sharing the key must use the same values.
func WithRate(perSecond float64, burst int) Option {
	return func(s *settings) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 0) || burst < 1 {
			return fmt.Errorf("redislimit: WithRate(%g, %d): need a finite positive rate and a burst of at least 1", perSecond, burst)
		}
		s.perSecond, s.burst = perSecond, burst
		return nil
	}
}

// WithKeyPrefix sets the start of the Redis keys' names, default "gem-go:ratelimit:".
func WithKeyPrefix(prefix string) Option {
	return func(s *settings) error {
		s.prefix = prefix
		return nil
	}
}

// WithDecisionTimeout bounds each Redis operation (a decision is two: the pause check
// and the GCRA script, bounded together), default 500ms. Beyond it Redis counts as
// unavailable.
func WithDecisionTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("redislimit: WithDecisionTimeout(%v): need a positive duration", d)
		}
		s.timeout = d
		return nil
	}
}

// WithFallback makes the Limiter fall back to a local token bucket at share × the rate
// and burst while Redis is unavailable, instead of failing. share is in (0, 1]; 1/N for
// N replicas keeps the fleet under the limit.
func WithFallback(share float64) Option {
	return func(s *settings) error {
		if !(share > 0 && share <= 1) {
			return fmt.Errorf("redislimit: WithFallback(%g): need a share in (0, 1]", share)
		}
		s.share = share
		return nil
	}
}

// WithLogger logs the fallback's transitions (Warn when falling back, Info when Redis
// answers again). The API key is never logged; the key's hash is. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// Limiter is a rate limiter shared through Redis by every replica that uses one Gem API
// key. It satisfies gemclient.Limiter and gemclient's optional Pauser. It is safe for
// concurrent use.
type Limiter struct {
	rdb      redis.UniversalClient
	gcra     *redis_rate.Limiter
	limit    redis_rate.Limit
	hash     string // hex SHA-256 of the API key, truncated to hashLen
	rateKey  string // the key given to redis_rate, which prefixes it with "rate:"
	pauseKey string
	timeout  time.Duration
	jitter   time.Duration // the largest jitter added to a sleep
	logger   *slog.Logger

	local      *rate.Limiter // the fallback, nil without one
	localShare float64
	downUntil  atomic.Int64 // unix ns until which the fallback serves; 0 while Redis answers
	mu         sync.Mutex   // serializes the fallback's transitions
	inFallback bool

	pausedUntil atomic.Int64 // unix ns: this replica's own latest Pause, kept without Redis
}

// New returns a Limiter for apiKey on rdb. It does not contact Redis: an unreachable
// Redis shows at the first Wait. The Limiter keeps only a hash of apiKey.
func New(rdb redis.UniversalClient, apiKey string, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redislimit: New: nil Redis client")
	}
	if apiKey == "" {
		return nil, errors.New("redislimit: New: empty API key")
	}
	s := settings{perSecond: DefaultRatePerSecond, burst: DefaultBurst, prefix: DefaultKeyPrefix, timeout: DefaultDecisionTimeout}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256([]byte(apiKey))
	hash := hex.EncodeToString(sum[:])[:hashLen]
	interval := time.Duration(float64(time.Second) / s.perSecond)
	l := &Limiter{
		rdb:      rdb,
		gcra:     redis_rate.NewLimiter(rdb),
		limit:    limitFor(s.perSecond, s.burst),
		hash:     hash,
		rateKey:  s.prefix + hash,
		pauseKey: s.prefix + hash + ":pause",
		timeout:  s.timeout,
		jitter:   min(interval/16, 10*time.Millisecond),
		logger:   s.logger,
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	if s.share > 0 {
		l.local = rate.NewLimiter(rate.Limit(s.share*s.perSecond), max(1, int(s.share*float64(s.burst))))
		l.localShare = s.share
	}
	return l, nil
}

// String describes the Limiter by its key's hash and limit. Like GoString, it keeps fmt
// away from the Redis client inside, whose options may hold a password.
func (l *Limiter) String() string {
	return fmt.Sprintf("redislimit.Limiter{key %s, %v}", l.hash, l.limit)
}

// GoString is String.
func (l *Limiter) GoString() string { return l.String() }

// limitFor expresses perSecond as redis_rate's integer Rate per Period. GCRA uses only
// their ratio, the emission interval Period/Rate = 1/perSecond, and Burst as given. The
// Period is the smallest whole number of seconds k up to 1000 that makes perSecond·k a
// whole number (20/s is 20 per 1s, 2.5/s is 5 per 2s, 1/3 per second is 1 per 3s); for
// any other rate it is one request per 1/perSecond, exact to the nanosecond.
func limitFor(perSecond float64, burst int) redis_rate.Limit {
	for k := 1; k <= 1000; k++ {
		r := perSecond * float64(k)
		if n := math.Round(r); n >= 1 && n <= math.MaxInt32 && math.Abs(r-n) <= 1e-9*n {
			return redis_rate.Limit{Rate: int(n), Burst: burst, Period: time.Duration(k) * time.Second}
		}
	}
	return redis_rate.Limit{Rate: 1, Burst: burst, Period: time.Duration(math.Round(float64(time.Second) / perSecond))}
}

// Wait blocks until one request may be sent, or returns an error: the context's when it
// ends first (or would end before a wait is over), an *UnavailableError when Redis does
// not decide within the decision timeout and there is no fallback. It never waits on
// Redis longer than the decision timeout per round trip.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d := time.Until(time.Unix(0, l.pausedUntil.Load())); d > 0 {
			if err := l.sleep(ctx, d+l.randJitter()); err != nil {
				return err
			}
			continue
		}
		if l.local != nil && time.Now().UnixNano() < l.downUntil.Load() {
			return l.local.Wait(ctx)
		}
		wait, err := l.decide(ctx)
		if err != nil {
			if err := l.unavailable(ctx, err); err != nil {
				return err
			}
			continue // honours a pause set meanwhile, then the local bucket
		}
		l.recovered()
		if wait <= 0 {
			return nil
		}
		if err := l.sleep(ctx, wait+l.randJitter()); err != nil {
			return err
		}
	}
}

// decide makes one decision: 0 when a token was taken, else how long to wait (a pause
// set through Redis, or the GCRA's RetryAfter).
func (l *Limiter) decide(ctx context.Context) (time.Duration, error) {
	var wait time.Duration
	err := l.bounded(ctx, "rate decision", func(ctx context.Context) error {
		pttl, err := l.rdb.PTTL(ctx, l.pauseKey).Result()
		if err != nil {
			return err
		}
		if pttl > 0 { // -2: no pause; -1 (no expiry) is not one this package set
			wait = pttl
			return nil
		}
		res, err := l.gcra.Allow(ctx, l.rateKey, l.limit)
		if err != nil {
			return err
		}
		if res.Allowed == 0 {
			wait = max(res.RetryAfter, time.Millisecond)
		}
		return nil
	})
	return wait, err
}

// pauseScript stores a pause deadline in KEYS[1] for ARGV[1] milliseconds unless the
// stored one is later, and returns 1 when it extended the pause; Redis's expiry is the
// clock, so the replicas' clocks do not matter. ARGV[2], the deadline in Unix milliseconds
// by the caller's clock, is only for a person reading the key.
var pauseScript = redis.NewScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ms)
  return 1
end
return 0
`)

// Pause holds every caller of the key, in every replica, for d: Waits started before the
// pause ends sleep until then. A shorter pause never shortens a longer one; one that
// extends the pause also empties the shared bucket, since the gateway's is evidently
// empty, so the fleet resumes at the rate rather than with a fresh burst (gemclient's local
// limiter does the same). Pause returns at once. It implements gemclient's optional Pauser interface, which gemclient calls
// when Gem answers 429 although the limiter allowed the call.
//
// This replica honours the pause even when Redis cannot store it; then Pause returns an
// *UnavailableError without a fallback, and nil with one.
func (l *Limiter) Pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	until := time.Now().Add(d)
	for {
		cur := l.pausedUntil.Load()
		if cur >= until.UnixNano() || l.pausedUntil.CompareAndSwap(cur, until.UnixNano()) {
			break
		}
	}
	if l.local != nil && time.Now().UnixNano() < l.downUntil.Load() {
		return nil
	}
	ms := (d + time.Millisecond - 1).Milliseconds()
	err := l.bounded(ctx, "pause", func(ctx context.Context) error {
		extended, err := pauseScript.Run(ctx, l.rdb, []string{l.pauseKey}, ms, until.UnixMilli()).Int()
		if err != nil || extended == 0 {
			return err
		}
		// The gateway's bucket is evidently empty: empty the shared one too (redis_rate
		// takes what is left of the burst), so that after the pause both hold what the
		// rate refilled, as gemclient's local limiter does.
		_, err = l.gcra.AllowAtMost(ctx, l.rateKey, l.limit, l.limit.Burst)
		return err
	})
	if err != nil {
		return l.unavailable(ctx, err)
	}
	return nil
}

// unavailable handles a Redis round trip that failed with err: ctx's error when ctx
// ended, err itself without a fallback, else nil once the fallback serves.
func (l *Limiter) unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if l.local == nil {
		return err
	}
	l.fallBack(err)
	return nil
}

// bounded runs fn under the decision timeout and returns when it does or when the
// timeout or ctx ends, whichever is first: the Redis client honours context deadlines
// only with ContextTimeoutEnabled, so fn runs in its own goroutine, which finishes by the
// client's own timeouts. An error is ctx's, or an *UnavailableError.
func (l *Limiter) bounded(ctx context.Context, op string, fn func(context.Context) error) error {
	octx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() { // an answer redis_rate does not expect (a proxy's, say) is an error, not a crash
			if r := recover(); r != nil {
				done <- fmt.Errorf("unexpected answer: %v", r)
			}
		}()
		done <- fn(octx)
	}()
	var err error
	select {
	case err = <-done:
		if err == nil {
			return nil
		}
	case <-octx.Done():
		err = fmt.Errorf("no answer within %v: %w", l.timeout, context.DeadlineExceeded)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &UnavailableError{Op: op, Err: err}
}

// fallBack switches to the local bucket for probeInterval, logging the first switch.
func (l *Limiter) fallBack(cause error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.downUntil.Store(time.Now().Add(probeInterval).UnixNano())
	if !l.inFallback {
		l.inFallback = true
		l.logger.Warn("redislimit: Redis unavailable, falling back to a local limiter",
			"key_hash", l.hash, "share", l.localShare, "error", cause.Error())
	}
}

// recovered leaves the fallback after Redis answered.
func (l *Limiter) recovered() {
	if l.local == nil || l.downUntil.Load() == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.downUntil.Store(0)
	if l.inFallback {
		l.inFallback = false
		l.logger.Info("redislimit: Redis answers again, back on the shared limiter", "key_hash", l.hash)
	}
}

func (l *Limiter) randJitter() time.Duration {
	if l.jitter <= 0 {
		return 0
	}
	return rand.N(l.jitter)
}

// sleep waits d, or returns early with an error when ctx ends or would end first.
func (l *Limiter) sleep(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return fmt.Errorf("redislimit: a wait of %v would outlast the context: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
