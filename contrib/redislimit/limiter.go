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

// ProbeInterval is how often a Limiter in fallback asks Redis whether it answers again
// (a PTTL of the pause key, in a goroutine of its own, bounded by the decision timeout).
const ProbeInterval = 250 * time.Millisecond

// RecoverAfter is how many good answers in a row, ProbeInterval apart, a Limiter in
// fallback needs before it goes back to Redis: a Redis that answers now and then does not
// make it flap between Redis and its local bucket.
const RecoverAfter = 3

// DefaultMaxPause is the longest pause a Limiter honours, from Pause or read from Redis,
// unless WithMaxPause says otherwise.
const DefaultMaxPause = time.Minute

// The limits WithRate accepts, beyond a positive rate and a burst of at least 1.
const (
	// MaxRatePerSecond is the highest rate: an emission interval of 10µs. redis_rate's
	// GCRA keeps its state in float64 seconds since 2017 read from Redis's TIME
	// (microseconds); below 10µs the rounding of that state would exceed 1% of an
	// interval.
	MaxRatePerSecond = 1e5
	// MaxRefill is the longest time an emptied bucket may take to fill again, burst /
	// rate (so also the longest emission interval: a rate of at least one a year). It
	// bounds the life of the Redis key, redis_rate's durations and the float64 state's
	// rounding.
	MaxRefill = 365 * 24 * time.Hour
)

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

// RateError is WithRate's error for a limit the Limiter cannot represent: a rate that is
// not a number in (0, MaxRatePerSecond], a burst below 1, or a burst that takes longer
// than MaxRefill to refill at the rate.
type RateError struct {
	PerSecond float64
	Burst     int
	// Reason names the bound that is broken and its value.
	Reason string
}

func (e *RateError) Error() string {
	return fmt.Sprintf("redislimit: WithRate(%g, %d): %s", e.PerSecond, e.Burst, e.Reason)
}

// Option configures a Limiter in New.
type Option func(*settings) error

type settings struct {
	perSecond float64
	burst     int
	prefix    string
	timeout   time.Duration
	share     float64 // 0: no fallback
	maxPause  time.Duration
	logger    *slog.Logger
}

// WithRate sets the limit: perSecond requests a second with a burst of burst, default
// Gem's 20 and 500. Every replica sharing the key must use the same values. A limit the
// Limiter cannot represent is a *RateError: perSecond must be in (0, MaxRatePerSecond],
// burst at least 1, and burst/perSecond at most MaxRefill.
func WithRate(perSecond float64, burst int) Option {
	return func(s *settings) error {
		if _, err := limitFor(perSecond, burst); err != nil {
			return err
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

// WithMaxPause sets the longest pause the Limiter honours, default DefaultMaxPause (a
// minute): a longer Pause holds the fleet for d, and a longer pause found in Redis (set by
// another program, or a replica with a longer maximum) is shortened there to d, so that
// no Wait is held longer by a value it cannot check. Every replica sharing the key should
// use the same value.
func WithMaxPause(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("redislimit: WithMaxPause(%v): need a positive duration", d)
		}
		s.maxPause = d
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

	maxPause time.Duration

	// Time is measured on the monotonic clock, as time since epoch (which has a monotonic
	// reading): a step of the wall clock neither extends nor shortens a pause.
	epoch time.Time

	// The fallback; localShare is 0 without one.
	localShare float64
	localRate  rate.Limit
	localBurst int
	local      atomic.Pointer[rate.Limiter] // the bucket of the current (or last) fallback
	inFallback atomic.Bool
	lastWait   atomic.Int64 // since epoch: the last time a Wait used the fallback
	probing    atomic.Bool  // the probe goroutine runs
	mu         sync.Mutex   // serializes entering and leaving the fallback

	pausedUntil atomic.Int64 // since epoch: this replica's own latest pause, kept without Redis
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
	s := settings{perSecond: DefaultRatePerSecond, burst: DefaultBurst, prefix: DefaultKeyPrefix,
		timeout: DefaultDecisionTimeout, maxPause: DefaultMaxPause}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, err
		}
	}
	limit, err := limitFor(s.perSecond, s.burst)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(apiKey))
	hash := hex.EncodeToString(sum[:])[:hashLen]
	interval := time.Duration(float64(time.Second) / s.perSecond)
	l := &Limiter{
		rdb:      rdb,
		gcra:     redis_rate.NewLimiter(rdb),
		limit:    limit,
		hash:     hash,
		rateKey:  s.prefix + hash,
		pauseKey: s.prefix + hash + ":pause",
		timeout:  s.timeout,
		jitter:   min(interval/16, 10*time.Millisecond),
		logger:   s.logger,
		maxPause: s.maxPause,
		epoch:    time.Now(),
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	if s.share > 0 {
		l.localShare = s.share
		l.localRate = rate.Limit(s.share * s.perSecond)
		l.localBurst = max(1, int(s.share*float64(s.burst)))
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

// limitFor expresses perSecond as redis_rate's integer Rate per Period, or refuses a limit
// the Limiter cannot represent with a *RateError (see MaxRatePerSecond and MaxRefill).
// GCRA uses only the ratio, the emission interval Period/Rate = 1/perSecond, and Burst as
// given. The Period is the smallest whole number of seconds k up to 1000 that makes
// perSecond·k a whole number (20/s is 20 per 1s, 2.5/s is 5 per 2s, 1/3 per second is 1
// per 3s); for any other rate it is one request per 1/perSecond, exact to the nanosecond.
// Before the bounds, WithRate(1e-10, 1) made that Period overflow time.Duration into a
// negative one, and 550 of 1,000 Waits were granted in a second.
func limitFor(perSecond float64, burst int) (redis_rate.Limit, error) {
	refuse := func(format string, args ...any) (redis_rate.Limit, error) {
		return redis_rate.Limit{}, &RateError{PerSecond: perSecond, Burst: burst, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case !(perSecond > 0 && perSecond <= MaxRatePerSecond): // NaN and ±Inf included
		return refuse("the rate must be in (0, %g] requests per second (MaxRatePerSecond)", float64(MaxRatePerSecond))
	case burst < 1:
		return refuse("the burst must be at least 1")
	case float64(burst)/perSecond > MaxRefill.Seconds():
		return refuse("burst/rate, the time an emptied bucket takes to refill, is %.4gs; it must be at most %v (%gs, MaxRefill)",
			float64(burst)/perSecond, MaxRefill, MaxRefill.Seconds())
	}
	for k := 1; k <= 1000; k++ {
		r := perSecond * float64(k)
		if n := math.Round(r); n >= 1 && math.Abs(r-n) <= 1e-9*n {
			return redis_rate.Limit{Rate: int(n), Burst: burst, Period: time.Duration(k) * time.Second}, nil
		}
	}
	return redis_rate.Limit{Rate: 1, Burst: burst, Period: time.Duration(math.Round(float64(time.Second) / perSecond))}, nil
}

// Wait blocks until one request may be sent, or returns an error: the context's when it
// ends first (or would end before a wait is over), an *UnavailableError when Redis does
// not decide within the decision timeout and there is no fallback. It never waits on
// Redis longer than the decision timeout per round trip, and in fallback not at all.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d := l.pausedFor(); d > 0 {
			if err := l.sleep(ctx, d+l.randJitter()); err != nil {
				return err
			}
			continue
		}
		if l.inFallback.Load() {
			l.lastWait.Store(int64(l.since()))
			if l.probing.CompareAndSwap(false, true) {
				go l.probe()
			}
			d, ok := l.takeLocal()
			if ok {
				return nil
			}
			if err := outlasts(ctx, d); err != nil {
				return err
			}
			// Wake at least every ProbeInterval, to go back to Redis once the fallback ends.
			if err := l.sleep(ctx, min(d, ProbeInterval)+l.randJitter()); err != nil {
				return err
			}
			continue
		}
		wait, err := l.decide(ctx)
		if err != nil {
			if err := l.unavailable(ctx, err); err != nil {
				return err
			}
			continue // honours a pause set meanwhile, then the local bucket
		}
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
	return bounded(ctx, l.timeout, "rate decision", func(ctx context.Context) (time.Duration, error) {
		pause, err := l.readPause(ctx)
		if err != nil || pause > 0 {
			return pause, err
		}
		res, err := l.gcra.Allow(ctx, l.rateKey, l.limit)
		if err != nil {
			return 0, err
		}
		if res.Allowed == 0 {
			return max(res.RetryAfter, time.Millisecond), nil
		}
		return 0, nil
	})
}

// readPause returns what is left of the pause stored in Redis, 0 for none. A pause longer
// than the maximum (WithMaxPause) is not one this Limiter would set: it is shortened in
// Redis to the maximum, so that the whole fleet resumes then, and counts as the maximum.
// A key without expiry (PTTL -1) is not one this package sets either, and is ignored.
func (l *Limiter) readPause(ctx context.Context) (time.Duration, error) {
	pttl, err := l.rdb.PTTL(ctx, l.pauseKey).Result()
	if err != nil || pttl <= 0 { // -2ns: no key; -1ns: no expiry
		return 0, err
	}
	if pttl > l.maxPause {
		if err := clampScript.Run(ctx, l.rdb, []string{l.pauseKey}, l.maxPause.Milliseconds()).Err(); err != nil {
			return 0, err
		}
		pttl = l.maxPause
	}
	return pttl, nil
}

// clampScript shortens the pause in KEYS[1] to ARGV[1] milliseconds when it is longer.
var clampScript = redis.NewScript(`
if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[1]) then
  return redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
`)

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

// Pause holds every caller of the key, in every replica, for d (at most the maximum,
// WithMaxPause): Waits started before the pause ends sleep until then. A shorter pause
// never shortens a longer one; one that extends the pause also empties the shared bucket,
// since the gateway's is evidently empty, so the fleet resumes at the rate rather than
// with a fresh burst (gemclient's local limiter does the same). Pause returns at once. It
// implements gemclient's optional Pauser interface, which gemclient calls when Gem
// answers 429 although the limiter allowed the call.
//
// This replica honours the pause even when Redis cannot store it; then Pause returns an
// *UnavailableError without a fallback, and nil with one.
func (l *Limiter) Pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	d = min(d, l.maxPause)
	l.extendPause(d)
	if l.inFallback.Load() {
		return nil
	}
	ms := (d + time.Millisecond - 1).Milliseconds()
	_, err := bounded(ctx, l.timeout, "pause", func(ctx context.Context) (struct{}, error) {
		extended, err := pauseScript.Run(ctx, l.rdb, []string{l.pauseKey}, ms, time.Now().Add(d).UnixMilli()).Int()
		if err != nil || extended == 0 {
			return struct{}{}, err
		}
		// The gateway's bucket is evidently empty: empty the shared one too (redis_rate
		// takes what is left of the burst), so that after the pause both hold what the
		// rate refilled, as gemclient's local limiter does.
		return struct{}{}, l.emptyBucket(ctx)
	})
	if err != nil {
		return l.unavailable(ctx, err)
	}
	return nil
}

// emptyBucket takes what is left of the shared bucket's burst.
func (l *Limiter) emptyBucket(ctx context.Context) error {
	_, err := l.gcra.AllowAtMost(ctx, l.rateKey, l.limit, l.limit.Burst)
	return err
}

// since is the time since the Limiter was made, on the monotonic clock.
func (l *Limiter) since() time.Duration { return time.Since(l.epoch) }

// extendPause makes this replica's own pause last at least d from now.
func (l *Limiter) extendPause(d time.Duration) {
	until := int64(l.since() + d)
	for {
		cur := l.pausedUntil.Load()
		if cur >= until || l.pausedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// pausedFor is what is left of this replica's own pause.
func (l *Limiter) pausedFor() time.Duration {
	return time.Duration(l.pausedUntil.Load()) - l.since()
}

// unavailable handles a Redis round trip that failed with err: ctx's error when ctx
// ended, err itself without a fallback, else nil once the fallback serves.
func (l *Limiter) unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if l.localShare == 0 {
		return err
	}
	l.fallBack(err)
	return nil
}

// bounded runs fn under timeout and returns what it returns, or an error when the
// timeout or ctx ends first: the Redis client honours context deadlines only with
// ContextTimeoutEnabled, so fn runs in its own goroutine, which finishes by the client's
// own timeouts and hands its result over the channel (never through a variable the caller
// reads). An error is ctx's, or an *UnavailableError.
func bounded[T any](ctx context.Context, timeout time.Duration, op string, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		defer func() { // an answer redis_rate does not expect (a proxy's, say) is an error, not a crash
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("unexpected answer: %v", r)}
			}
		}()
		v, err := fn(octx)
		done <- result{v, err}
	}()
	var zero T
	var err error
	select {
	case r := <-done:
		if r.err == nil {
			return r.v, nil
		}
		err = r.err
	case <-octx.Done():
		err = fmt.Errorf("no answer within %v: %w", timeout, context.DeadlineExceeded)
	}
	if ctx.Err() != nil {
		return zero, ctx.Err()
	}
	return zero, &UnavailableError{Op: op, Err: err}
}

// fallBack switches to a local bucket that starts empty, logging the switch. A bucket
// made at New would have filled while unused and handed each replica a fresh burst on
// every outage (TestFallbackGrantsWithinTheBound).
func (l *Limiter) fallBack(cause error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFallback.Load() {
		return
	}
	b := rate.NewLimiter(l.localRate, l.localBurst)
	b.AllowN(time.Now(), l.localBurst) // empty: it fills at the share of the rate from now
	l.local.Store(b)
	l.inFallback.Store(true)
	l.logger.Warn("redislimit: Redis unavailable, falling back to a local limiter",
		"key_hash", l.hash, "share", l.localShare, "error", cause.Error())
}

// takeLocal takes a token from the fallback's bucket, or says how long until one is there
// (at most MaxRefill).
func (l *Limiter) takeLocal() (time.Duration, bool) {
	b := l.local.Load()
	now := time.Now()
	if b.AllowN(now, 1) {
		return 0, true
	}
	secs := (1 - b.TokensAt(now)) / float64(b.Limit())
	return time.Duration(min(secs, MaxRefill.Seconds()) * float64(time.Second)), false
}

// probe runs while the Limiter is in fallback: every ProbeInterval it asks Redis (the
// pause key's PTTL, bounded by the decision timeout) and honours a pause it finds. After
// RecoverAfter good answers in a row it takes what is left of the shared bucket and leaves
// the fallback: the local grants were not counted in Redis, a hung Redis went on refilling
// the bucket and a restarted one has forgotten it, so the fleet resumes at the rate
// rather than with a fresh burst. A replica's fallback so lasts at most RecoverAfter ×
// (ProbeInterval + decision timeout) once Redis answers. The goroutine is started by a
// Wait in fallback and ends when the fallback does, or after a failed probe when no Wait
// has used the fallback for two intervals (the next Wait starts it again): none runs
// without callers.
func (l *Limiter) probe() {
	defer l.probing.Store(false)
	for good := 1; ; good++ {
		time.Sleep(ProbeInterval)
		leave := good == RecoverAfter // not good itself: the closure may outlive this iteration
		_, err := bounded(context.Background(), l.timeout, "probe", func(ctx context.Context) (struct{}, error) {
			pause, err := l.readPause(ctx)
			if err != nil {
				return struct{}{}, err
			}
			if pause > 0 {
				l.extendPause(pause)
			}
			if leave {
				err = l.emptyBucket(ctx)
			}
			return struct{}{}, err
		})
		switch {
		case err == nil && leave:
			l.recovered()
			return
		case err != nil:
			if l.since()-time.Duration(l.lastWait.Load()) > 2*ProbeInterval {
				return
			}
			good = 0
		}
	}
}

// recovered leaves the fallback.
func (l *Limiter) recovered() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFallback.Store(false)
	l.logger.Info("redislimit: Redis answers again, back on the shared limiter", "key_hash", l.hash)
}

func (l *Limiter) randJitter() time.Duration {
	if l.jitter <= 0 {
		return 0
	}
	return rand.N(l.jitter)
}

// outlasts is an error wrapping context.DeadlineExceeded when ctx ends within d.
func outlasts(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return fmt.Errorf("redislimit: a wait of %v would outlast the context: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	return nil
}

// sleep waits d, or returns early with an error when ctx ends or would end first.
func (l *Limiter) sleep(ctx context.Context, d time.Duration) error {
	if err := outlasts(ctx, d); err != nil {
		return err
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
