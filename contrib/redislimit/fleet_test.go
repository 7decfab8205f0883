package redislimit_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/contrib/redislimit"
	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
)

// The fleet: 4 replicas, each its own Client, Limiter and Redis connection, with 4
// goroutines each, sharing one key against a fake Gem that enforces 20/s. The fake's
// bucket has a few tokens more burst than the limiter's: a call the shared limiter admits
// reaches the gateway after a variable delay (scheduling, the HTTP round trip), so the
// gateway may see two admitted calls closer together than the limiter admitted them.
const (
	fleetRate         = 20
	fleetBurst        = 10
	gatewayBurst      = fleetBurst + 3
	replicas          = 4
	workersPerReplica = 4
)

// *Limiter is a gemclient.Limiter and matches gemclient's optional Pauser.
var (
	_ gemclient.Limiter = (*redislimit.Limiter)(nil)
	_ interface {
		Pause(context.Context, time.Duration) error
	} = (*redislimit.Limiter)(nil)
)

func newFake(t *testing.T) *gemtest.Server {
	return gemtest.NewServer(t, gemtest.WithRateLimit(fleetRate, gatewayBurst), gemtest.WithAPIKeys(testKey))
}

func newClient(t *testing.T, srv *gemtest.Server, l gemclient.Limiter, retries int) *gemclient.Client {
	t.Helper()
	c, err := gemclient.New(testKey, gemclient.WithBaseURL(srv.URL), gemclient.WithLimiter(l), gemclient.WithMaxRetries(retries))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runFleet makes perReplica calls from each client, workers goroutines per client, each
// call bounded by 30s, and returns how long that took and every error. A call that
// fails with redislimit.ErrUnavailable is tried again when retryUnavailable is set (and
// counted in unavailable), so that no call is lost.
func runFleet(clients []*gemclient.Client, workers, perReplica int, retryUnavailable bool) (time.Duration, []error, int64) {
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		errs        []error
		unavailable atomic.Int64
	)
	start := time.Now()
	for _, c := range clients {
		var next atomic.Int64
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(perReplica) {
					for {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						_, _, err := c.ListUsers(ctx, nil)
						cancel()
						if err != nil && retryUnavailable && errors.Is(err, redislimit.ErrUnavailable) {
							unavailable.Add(1)
							time.Sleep(20 * time.Millisecond)
							continue
						}
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
						break
					}
				}
			}()
		}
	}
	wg.Wait()
	return time.Since(start), errs, unavailable.Load()
}

// TestFleetSharesOneBucket: the 4 replicas on one Redis bucket see no 429 and finish
// within 1.25x of the analytic bound (calls − burst)/rate.
func TestFleetSharesOneBucket(t *testing.T) {
	const perReplica = 40 // 160 calls: (160 − 10)/20 = 7.5s
	srv := newFake(t)
	rs := startRedis(t)
	var clients []*gemclient.Client
	for range replicas {
		l, err := redislimit.New(rs.Client(), testKey, redislimit.WithRate(fleetRate, fleetBurst))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, newClient(t, srv, l, 0))
	}
	elapsed, errs, _ := runFleet(clients, workersPerReplica, perReplica, false)
	calls := replicas * perReplica
	bound := time.Duration(float64(calls-fleetBurst) / fleetRate * float64(time.Second))
	st := srv.Fake.Stats()
	t.Logf("%d calls from %d replicas: %v = %.3fx the bound %v; the fake served %d requests, %d of them 429",
		calls, replicas, elapsed.Round(time.Millisecond), elapsed.Seconds()/bound.Seconds(), bound, st.Requests, st.RateLimited)
	for _, err := range errs {
		t.Errorf("call failed: %v", err)
	}
	if st.RateLimited != 0 {
		t.Errorf("the fake answered %d 429s, want none", st.RateLimited)
	}
	if st.Requests != int64(calls) {
		t.Errorf("the fake served %d requests, want %d", st.Requests, calls)
	}
	if limit := bound * 125 / 100; elapsed > limit {
		t.Errorf("took %v, more than 1.25x the bound (%v)", elapsed, limit)
	}
	if elapsed < bound-100*time.Millisecond {
		t.Errorf("took %v, less than the bound %v: the limiter let more through than the rate", elapsed, bound)
	}
}

// TestFleetLocalLimitersSee429s is the control: the same 4 replicas with a limiter each
// at the full rate send 4 bursts, and the gateway answers 429.
func TestFleetLocalLimitersSee429s(t *testing.T) {
	const perReplica = 10
	srv := newFake(t)
	var clients []*gemclient.Client
	for range replicas {
		clients = append(clients, newClient(t, srv, rate.NewLimiter(fleetRate, fleetBurst), 0))
	}
	_, errs, _ := runFleet(clients, workersPerReplica, perReplica, false)
	st := srv.Fake.Stats()
	t.Logf("%d calls: the fake answered %d 429s", replicas*perReplica, st.RateLimited)
	if st.RateLimited == 0 {
		t.Fatal("local limiters saw no 429: the fleet test could not fail")
	}
	for _, err := range errs {
		if !gemclient.IsRateLimited(err) {
			t.Errorf("call failed with something else than a 429: %v", err)
		}
	}
}

// TestRedisRestartMidRun kills Redis while the fleet runs and starts an empty one on the
// same port: no call hangs, none is lost, the run ends in bounded time. With a fallback
// the replicas pace locally meanwhile; without one, Wait fails with ErrUnavailable and
// the caller tries again. An empty Redis has forgotten the bucket, so the fleet may burst
// again into a partly spent gateway: those 429s are retried by gemclient.
func TestRedisRestartMidRun(t *testing.T) {
	for _, fallback := range []bool{true, false} {
		name := map[bool]string{true: "fallback", false: "fail and retry"}[fallback]
		t.Run(name, func(t *testing.T) {
			t.Parallel()          // each has its own fake and Redis
			const perReplica = 20 // 80 calls: (80 − 10)/20 = 3.5s
			srv := newFake(t)
			rs := startRedis(t)
			var logs syncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			var clients []*gemclient.Client
			for range replicas {
				opts := []redislimit.Option{redislimit.WithRate(fleetRate, fleetBurst),
					redislimit.WithDecisionTimeout(200 * time.Millisecond), redislimit.WithLogger(logger)}
				if fallback {
					opts = append(opts, redislimit.WithFallback(1.0/replicas))
				}
				l, err := redislimit.New(rs.Client(), testKey, opts...)
				if err != nil {
					t.Fatal(err)
				}
				clients = append(clients, newClient(t, srv, l, 10))
			}
			restarted := make(chan error, 1)
			time.AfterFunc(time.Second, func() {
				rs.Stop()
				time.Sleep(500 * time.Millisecond) // Redis is down for half a second
				restarted <- rs.Restart()
			})
			elapsed, errs, unavailable := runFleet(clients, 2, perReplica, !fallback)
			if err := <-restarted; err != nil {
				t.Fatal(err)
			}
			calls := replicas * perReplica
			st := srv.Fake.Stats()
			t.Logf("%d calls in %v; the fake served %d requests, %d of them 429; %d Waits failed with ErrUnavailable",
				calls, elapsed.Round(time.Millisecond), st.Requests, st.RateLimited, unavailable)
			for _, err := range errs {
				t.Errorf("call lost: %v", err)
			}
			if got := st.Requests - st.RateLimited; got != int64(calls) {
				t.Errorf("the fake served %d successful requests, want %d: one per call", got, calls)
			}
			if elapsed > 15*time.Second {
				t.Errorf("took %v", elapsed)
			}
			out := logs.String()
			if strings.Contains(out, testKey) {
				t.Error("the log contains the API key")
			}
			if fallback {
				if !strings.Contains(out, "falling back") || !strings.Contains(out, "answers again") {
					t.Errorf("want the fallback and the recovery logged, got:\n%s", out)
				}
			} else if unavailable == 0 {
				t.Error("no Wait failed while Redis was down")
			}
		})
	}
}
