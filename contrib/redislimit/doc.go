// Package redislimit is a gemclient.Limiter shared through Redis by every replica that
// uses one Gem API key.
//
// Gem limits each key to 20 requests/s with a burst of 500 (AWS API Gateway answers 429
// beyond). gemclient's default limiter is per process: N replicas with one key send up to
// N times the limit. A *Limiter keeps one bucket per key in Redis instead, so the fleet
// together stays under it:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	lim, err := redislimit.New(rdb, apiKey)                    // Gem's 20/s, burst 500
//	c, err := gemclient.New(apiKey, gemclient.WithLimiter(lim))
//
// # Algorithm
//
// Every decision is github.com/go-redis/redis_rate/v10's GCRA script, one atomic
// EVALSHA, timed by the Redis server's clock (the replicas' clocks do not matter). This
// package adds no algorithm of its own: Wait asks, and when the answer is "not yet" sleeps
// the RetryAfter the script computed, plus a small jitter (at most 1/16 of an emission
// interval) so that replicas woken together do not all ask at once, and asks again.
// Waits honour the context: cancellation returns at once, and a wait that would outlast
// the context's deadline returns an error wrapping context.DeadlineExceeded right away.
//
// # Keys
//
// The API key never reaches Redis, a log line or an error. Its SHA-256, hex-encoded and
// truncated to 32 characters (128 bits), names the Redis keys:
//
//	rate:<prefix><hash>        redis_rate's GCRA state (redis_rate adds "rate:")
//	<prefix><hash>:pause       the pause deadline, see Pause
//
// The prefix is "gem-go:ratelimit:" unless WithKeyPrefix says otherwise. Both keys
// expire by themselves. Each is read and written by single-key commands, so Redis
// Cluster works too.
//
// # Pause
//
// The limiter and Gem's gateway are two buckets that may be out of phase (after a Redis
// restart, which empties the limiter's bucket, or when another program spends the key's
// tokens), so Gem may answer 429 although the limiter allowed the call. gemclient then
// calls Pause, which holds every caller of the key, in every replica, for the given
// duration: it stores a deadline in Redis (keeping the later of the stored one and the new
// one, atomically) that each Wait checks before asking for a token. Pause implements
// gemclient's optional Pauser interface (Pause(ctx context.Context, d time.Duration)
// error). It returns at once; the waiting happens in Wait.
//
// A pause is honoured for at most WithMaxPause (a minute by default): a longer Pause holds
// the fleet for the maximum, and a longer pause found in Redis, which this package did not
// set, is shortened there to the maximum, so that no Wait (one with context.Background()
// included) is held by a value nobody checked. Each replica keeps its own pause on the
// monotonic clock: a step of the wall clock neither extends nor shortens it.
//
// The check costs a second round trip per decision (PTTL, then the GCRA script): the
// pause key cannot be folded into redis_rate's script without writing a script of our own
// around its algorithm. BenchmarkDecision measures both parts.
//
// # When Redis fails
//
// Every Redis operation is bounded by a per-decision timeout (WithDecisionTimeout, 500ms
// by default), enforced by the Limiter whatever the Redis client's own timeouts are: a
// hung or unreachable Redis never hangs Wait beyond it, and an answer redis_rate cannot
// parse is an error, not a panic. What happens then is a choice:
//
//   - By default Wait returns an *UnavailableError (errors.Is(err, ErrUnavailable)),
//     which wraps the cause, and the call fails; gemclient returns it without sending
//     anything. No request goes out unpaced.
//   - With WithFallback(share), Wait falls back to a local token bucket
//     (golang.org/x/time/rate) at share × the rate and share × the burst (at least 1),
//     for instance 1/N for N replicas. The bucket starts empty, so an outage hands out
//     no burst. While it serves, Wait never waits on Redis: a goroutine asks Redis every
//     ProbeInterval (250ms), bounded by the decision timeout, and honours a pause it
//     finds. After RecoverAfter (3) good answers in a row, and not after one (a Redis
//     that answers now and then does not make the replicas flap), it takes what is left
//     of the shared bucket and Wait goes back to Redis: the local grants were not counted
//     in Redis, a hung Redis went on refilling the bucket and a restarted one has
//     forgotten it, so the fleet resumes at the rate rather than with a fresh burst.
//     Transitions are logged through WithLogger.
//
// The decision timeout does not need the Redis client's cooperation: the operation runs
// in its own goroutine, which ends by the client's own timeouts (ReadTimeout, 3s by
// default). With ContextTimeoutEnabled set in the client's options, go-redis stops at the
// decision timeout too. go-redis retries a refused dial 5 times 100ms apart (DialerRetries,
// DialerRetryTimeout), so under the default decision timeout a refused connection shows
// as a timeout rather than as "connection refused".
//
// With fallbacks, the fleet's grants over any span T stay within burst + rate × T (what
// the shared bucket allows) plus, for each fallback of a replica, what it grants locally
// while others use the shared bucket: at most share × rate × RecoverAfter ×
// (ProbeInterval + decision timeout) + 1 (its fallback ends within RecoverAfter probes
// of Redis answering again). TestFallbackGrantsWithinTheBound counts them across a
// restart and three hangs.
//
// A restarted Redis without persistence has forgotten the bucket. With a fallback the
// replicas that noticed empty it when they come back; without one, or when the restart
// fell between two decisions, the fleet may burst again while Gem's bucket is still
// partly spent; the resulting 429s are retried by gemclient, and Pause holds the fleet
// meanwhile.
//
// # Limits
//
// WithRate refuses, with a *RateError, a limit the GCRA cannot represent: a rate above
// MaxRatePerSecond (10µs between requests; redis_rate keeps its state in float64 seconds
// read from Redis's microsecond clock) or that is not a positive number, a burst below 1,
// and a burst that would take more than MaxRefill (a year) to refill at the rate, which
// also bounds the rate below at one a year.
package redislimit
