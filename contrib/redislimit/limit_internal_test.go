package redislimit

import (
	"math"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
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
		{1e6, redis_rate.Limit{Rate: 1e6, Burst: 500, Period: time.Second}},
		{math.Pi, redis_rate.Limit{Rate: 1, Burst: 500, Period: 318309886 * time.Nanosecond}},
	} {
		got := limitFor(tc.perSecond, 500)
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
