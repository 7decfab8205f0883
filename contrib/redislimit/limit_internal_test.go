package redislimit

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

func TestLimitFor(t *testing.T) {
	for _, tc := range []struct {
		perSecond float64
		want      redis_rate.Limit
	}{
		{20, redis_rate.Limit{Rate: 20, Burst: 500, Period: time.Second}},
		{2.5, redis_rate.Limit{Rate: 5, Burst: 500, Period: 2 * time.Second}},
		{1.0 / 3, redis_rate.Limit{Rate: 1, Burst: 500, Period: 3 * time.Second}},
		{0.001, redis_rate.Limit{Rate: 1, Burst: 500, Period: 1000 * time.Second}},
		{1e5, redis_rate.Limit{Rate: 1e5, Burst: 500, Period: time.Second}},
		{math.Pi, redis_rate.Limit{Rate: 1, Burst: 500, Period: 318309886 * time.Nanosecond}},
	} {
		got, err := limitFor(tc.perSecond, 500)
		if err != nil {
			t.Fatalf("limitFor(%g): %v", tc.perSecond, err)
		}
		if got != tc.want {
			t.Errorf("limitFor(%g) = %v (period %v), want %v (period %v)", tc.perSecond, got, got.Period, tc.want, tc.want.Period)
		}
		// GCRA's emission interval, Period/Rate, is 1/perSecond to the nanosecond.
		interval := got.Period.Seconds() / float64(got.Rate)
		if math.Abs(interval-1/tc.perSecond) > 1e-9 {
			t.Errorf("limitFor(%g): emission interval %gs, want %gs", tc.perSecond, interval, 1/tc.perSecond)
		}
	}
}

// checkLimitFor is what FuzzLimitFor checks of one input: limitFor refuses exactly the
// limits outside WithRate's documented bounds, with a *RateError naming the option; what
// it accepts is a Limit redis_rate can use (Rate >= 1, Period > 0, the burst as given)
// whose emission interval is 1/perSecond within 1e-4 (rounding to the nanosecond at
// MaxRatePerSecond is 5e-5) and whose refill time fits MaxRefill.
func checkLimitFor(t *testing.T, perSecond float64, burst int) {
	t.Helper()
	got, err := limitFor(perSecond, burst)
	valid := perSecond > 0 && perSecond <= MaxRatePerSecond && burst >= 1 && float64(burst)/perSecond <= MaxRefill.Seconds()
	if !valid {
		var re *RateError
		if !errors.As(err, &re) || re.PerSecond != perSecond && !math.IsNaN(perSecond) || re.Burst != burst {
			t.Fatalf("limitFor(%g, %d) = %v, %v; want a *RateError", perSecond, burst, got, err)
		}
		if !strings.HasPrefix(err.Error(), "redislimit: WithRate(") {
			t.Fatalf("limitFor(%g, %d): the error does not name WithRate: %v", perSecond, burst, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("limitFor(%g, %d) refused a limit within the bounds: %v", perSecond, burst, err)
	}
	if got.Rate < 1 || got.Period <= 0 || got.Burst != burst {
		t.Fatalf("limitFor(%g, %d) = %+v", perSecond, burst, got)
	}
	interval := got.Period.Seconds() / float64(got.Rate)
	if rel := math.Abs(interval*perSecond - 1); rel > 1e-4 {
		t.Fatalf("limitFor(%g, %d) = %+v: emission interval %gs, want %gs (off by %.2g)", perSecond, burst, got, interval, 1/perSecond, rel)
	}
	if refill := interval * float64(burst); refill > MaxRefill.Seconds()*(1+1e-4) {
		t.Fatalf("limitFor(%g, %d) = %+v: the burst refills in %gs, over MaxRefill", perSecond, burst, got, refill)
	}
}

// FuzzLimitFor: any rate and burst, within WithRate's bounds or not. The seeds are the
// edges (go test runs them); `make fuzz` explores.
func FuzzLimitFor(f *testing.F) {
	year := MaxRefill.Seconds()
	for _, seed := range []struct {
		perSecond float64
		burst     int
	}{
		{20, 500}, {2.5, 7}, {1.0 / 3, 1}, {math.Pi, 10},
		{1e-10, 1}, {1e9, 1e9}, {math.NaN(), 1}, {math.Inf(1), 1}, {math.Inf(-1), 1}, {-20, 500}, {0, 1},
		{math.SmallestNonzeroFloat64, 1}, {math.MaxFloat64, 1},
		{20, 0}, {20, -1}, {20, math.MaxInt}, {20, math.MinInt},
		{MaxRatePerSecond, 1}, {math.Nextafter(MaxRatePerSecond, math.Inf(1)), 1},
		{1 / year, 1}, {math.Nextafter(1/year, 0), 1}, {MaxRatePerSecond, int(MaxRatePerSecond * year)},
		{MaxRatePerSecond, int(MaxRatePerSecond*year) + 1}, {0.999999999, 3}, {99999.99999, 100},
	} {
		f.Add(seed.perSecond, seed.burst)
	}
	f.Fuzz(checkLimitFor)
}

// The pause deadline is kept as time since the Limiter's epoch, on the monotonic clock:
// Go compares two Times by their monotonic readings when both have one, so a step of the
// wall clock (NTP, a VM resumed) neither extends nor shortens a pause. Before, it was kept
// in Unix nanoseconds and compared with time.Until(time.Unix(...)), by the wall clock. A
// wall-clock step cannot be made in a test without changing the machine's clock; this
// checks the representation.
func TestPauseUsesTheMonotonicClock(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	l, err := New(rdb, "k", WithFallback(1))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.epoch.String(), " m=") {
		t.Fatalf("the epoch %v has no monotonic reading", l.epoch)
	}
	l.fallBack(errors.New("test")) // Pause keeps the deadline without asking Redis
	before := l.since()
	if err := l.Pause(context.Background(), 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	until := time.Duration(l.pausedUntil.Load())
	if until < before+DefaultMaxPause || until > l.since()+DefaultMaxPause {
		t.Fatalf("a Pause of 2h kept until %v after the epoch; want the maximum, %v, after %v", until, DefaultMaxPause, before)
	}
	if left := l.pausedFor(); left <= 0 || left > DefaultMaxPause {
		t.Fatalf("paused for %v, want at most %v", left, DefaultMaxPause)
	}
}
