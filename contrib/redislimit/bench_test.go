package redislimit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/gem-go/gem-go/contrib/redislimit"
)

// BenchmarkDecision measures one rate decision against a local redis-server over
// loopback, one caller at a time, and reports the median and 99th percentile:
//
//   - Wait: Limiter.Wait when a token is free: the pause check (PTTL) and redis_rate's
//     GCRA script (EVALSHA), two round trips, bounded by the decision timeout;
//   - Allow: redis_rate's Allow alone, the GCRA script, one round trip;
//   - PauseCheckAndAllow: the same two round trips as Wait, called directly (Wait's
//     difference is the goroutine and timer that bound it);
//   - PauseCheck: the PTTL alone, what Pause costs every decision.
func BenchmarkDecision(b *testing.B) {
	srv := startRedis(b)
	ctx := context.Background()
	never := redislimit.WithRate(redislimit.MaxRatePerSecond, 1e9) // a token is always free: measure the decision, not a wait
	b.Run("Wait", func(b *testing.B) {
		l, err := redislimit.New(srv.Client(), testKey, never)
		if err != nil {
			b.Fatal(err)
		}
		percentiles(b, func() error { return l.Wait(ctx) })
	})
	b.Run("Allow", func(b *testing.B) {
		gcra := redis_rate.NewLimiter(srv.Client())
		limit := redis_rate.Limit{Rate: 1e9, Burst: 1e9, Period: time.Second}
		percentiles(b, func() error { _, err := gcra.Allow(ctx, "bench", limit); return err })
	})
	b.Run("PauseCheckAndAllow", func(b *testing.B) {
		rdb := srv.Client()
		gcra := redis_rate.NewLimiter(rdb)
		limit := redis_rate.Limit{Rate: 1e9, Burst: 1e9, Period: time.Second}
		percentiles(b, func() error {
			if err := rdb.PTTL(ctx, "bench:pause").Err(); err != nil {
				return err
			}
			_, err := gcra.Allow(ctx, "bench", limit)
			return err
		})
	})
	b.Run("PauseCheck", func(b *testing.B) {
		rdb := srv.Client()
		percentiles(b, func() error { return rdb.PTTL(ctx, "bench:pause").Err() })
	})
}

// percentiles times each call of fn and reports p50 and p99 in microseconds.
func percentiles(b *testing.B, fn func() error) {
	if err := fn(); err != nil { // connect and load the script outside the timing
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	at := func(q float64) float64 {
		return float64(durations[int(q*float64(len(durations)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}
