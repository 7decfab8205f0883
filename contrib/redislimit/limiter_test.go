package redislimit_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gem-go/gem-go/contrib/redislimit"
	"github.com/gem-go/gem-go/internal/redistest"
)

// testKey looks like a Gem key: 40 alphanumerics.
const testKey = "redisLimitTestKey0000000000000000SECRET1"

func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:32]
}

func newLimiter(t *testing.T, rdb redis.UniversalClient, opts ...redislimit.Option) *redislimit.Limiter {
	t.Helper()
	l, err := redislimit.New(rdb, testKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewValidates(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for name, tc := range map[string]struct {
		rdb  redis.UniversalClient
		key  string
		opts []redislimit.Option
	}{
		"nil client":     {nil, testKey, nil},
		"empty key":      {rdb, "", nil},
		"zero rate":      {rdb, testKey, []redislimit.Option{redislimit.WithRate(0, 10)}},
		"zero burst":     {rdb, testKey, []redislimit.Option{redislimit.WithRate(20, 0)}},
		"zero share":     {rdb, testKey, []redislimit.Option{redislimit.WithFallback(0)}},
		"share > 1":      {rdb, testKey, []redislimit.Option{redislimit.WithFallback(1.5)}},
		"zero timeout":   {rdb, testKey, []redislimit.Option{redislimit.WithDecisionTimeout(0)}},
		"infinite rate":  {rdb, testKey, []redislimit.Option{redislimit.WithRate(math.Inf(1), 10)}},
		"zero pause":     {rdb, testKey, []redislimit.Option{redislimit.WithMaxPause(0)}},
		"negative pause": {rdb, testKey, []redislimit.Option{redislimit.WithMaxPause(-time.Second)}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := redislimit.New(tc.rdb, tc.key, tc.opts...)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error contains the API key: %v", err)
			}
		})
	}
}

// TestWithRateBounds: WithRate refuses what the Limiter cannot represent with a
// *RateError naming the option, the values and the bound, and accepts the edges. Before,
// WithRate(1e-10, 1) overflowed the Period into a negative duration and let 782 of 1,000
// Waits through in a second.
func TestWithRateBounds(t *testing.T) {
	year := redislimit.MaxRefill.Seconds()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for _, tc := range []struct {
		name      string
		perSecond float64
		burst     int
		bound     string // in the message
	}{
		{"tiny rate", 1e-10, 1, "at most 8760h0m0s (3.1536e+07s, MaxRefill)"},
		{"below one a year", 0.99 / year, 1, "at most 8760h0m0s (3.1536e+07s, MaxRefill)"},
		{"huge rate", 1e9, 1, "100000] requests per second (MaxRatePerSecond)"},
		{"just over the maximum", math.Nextafter(redislimit.MaxRatePerSecond, math.Inf(1)), 1, "100000] requests per second (MaxRatePerSecond)"},
		{"NaN", math.NaN(), 1, "(0, 100000]"},
		{"+Inf", math.Inf(1), 1, "(0, 100000]"},
		{"-Inf", math.Inf(-1), 1, "(0, 100000]"},
		{"negative", -20, 500, "(0, 100000]"},
		{"zero", 0, 500, "(0, 100000]"},
		{"smallest float", math.SmallestNonzeroFloat64, 1, "at most 8760h0m0s (3.1536e+07s, MaxRefill)"},
		{"burst 0", 20, 0, "at least 1"},
		{"negative burst", 20, -500, "at least 1"},
		{"huge burst", 20, math.MaxInt, "at most 8760h0m0s (3.1536e+07s, MaxRefill)"},
		{"burst a year and a token", 20, 20*int(year) + 1, "at most 8760h0m0s (3.1536e+07s, MaxRefill)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := redislimit.New(rdb, testKey, redislimit.WithRate(tc.perSecond, tc.burst))
			var re *redislimit.RateError
			if !errors.As(err, &re) {
				t.Fatalf("WithRate(%g, %d): %v, want a *RateError", tc.perSecond, tc.burst, err)
			}
			if re.Burst != tc.burst || (re.PerSecond != tc.perSecond && !math.IsNaN(tc.perSecond)) {
				t.Errorf("the error holds %g, %d", re.PerSecond, re.Burst)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "redislimit: WithRate(") || !strings.Contains(msg, tc.bound) {
				t.Errorf("the error %q does not name WithRate and the bound %q", msg, tc.bound)
			}
		})
	}
	for _, ok := range []struct {
		perSecond float64
		burst     int
	}{{redislimit.MaxRatePerSecond, 1}, {1 / year, 1}, {20, 20 * int(year)}, {redislimit.MaxRatePerSecond, 1e9}} {
		if _, err := redislimit.New(rdb, testKey, redislimit.WithRate(ok.perSecond, ok.burst)); err != nil {
			t.Errorf("WithRate(%g, %d): %v", ok.perSecond, ok.burst, err)
		}
	}
}

// TestSmallestRateGrantsOne: at the smallest rate WithRate accepts, one a year with a
// burst of 1, 1,000 Waits of a second take one token; the others end at once with an
// error wrapping context.DeadlineExceeded.
func TestSmallestRateGrantsOne(t *testing.T) {
	srv := startRedis(t)
	l := newLimiter(t, srv.Client(), redislimit.WithRate(1/redislimit.MaxRefill.Seconds(), 1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	granted := 0
	for range 1000 {
		err := l.Wait(ctx)
		switch {
		case err == nil:
			granted++
		case !errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("Wait: %v", err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	if granted != 1 {
		t.Fatalf("%d of 1,000 Waits granted at one a year, want 1", granted)
	}
}

// TestMaxPause: a pause read from Redis is honoured for at most WithMaxPause and
// shortened there to it; a longer Pause holds the fleet for the maximum. Before, a pause
// of 2,400 h put in the key was honoured in full: a Wait with context.Background() would
// have slept 100 days.
func TestMaxPause(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	const maxPause = 300 * time.Millisecond
	pauseKey := "gem-go:ratelimit:" + hashOf(testKey) + ":pause"
	a := newLimiter(t, srv.Client(), redislimit.WithRate(1000, 100), redislimit.WithMaxPause(maxPause))

	// waitBounded runs l.Wait(ctx) and fails the test unless it returns within 5s.
	waitBounded := func(l *redislimit.Limiter) time.Duration {
		t.Helper()
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- l.Wait(ctx) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Wait with context.Background() still waiting after 5s")
		}
		return time.Since(start)
	}
	if err := srv.Client().Set(ctx, pauseKey, "someone else's", 2400*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	d := waitBounded(a)
	if d < maxPause-50*time.Millisecond {
		t.Errorf("Wait returned after %v, inside the pause (at most %v)", d, maxPause)
	}
	if pttl := srv.Client().PTTL(ctx, pauseKey).Val(); pttl > maxPause {
		t.Errorf("the pause key still has %v to live, want it shortened to %v", pttl, maxPause)
	}
	t.Logf("a 2,400 h pause in Redis held Wait for %v", d.Round(time.Millisecond))

	if err := a.Pause(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if pttl := srv.Client().PTTL(ctx, pauseKey).Val(); pttl <= 0 || pttl > maxPause {
		t.Errorf("a Pause of 1h stored %v, want at most %v", pttl, maxPause)
	}
	b := newLimiter(t, srv.Client(), redislimit.WithRate(1000, 100), redislimit.WithMaxPause(time.Hour)) // another replica
	if d := waitBounded(b); d < maxPause-100*time.Millisecond {
		t.Errorf("the other replica's Wait returned after %v, inside the pause", d)
	}
	if d := waitBounded(a); d > 100*time.Millisecond {
		t.Errorf("this replica's Wait took %v after the pause", d)
	}
}

// TestSharedBucket: two Limiters on two connections share one bucket: the burst, then
// one token per emission interval.
func TestSharedBucket(t *testing.T) {
	srv := startRedis(t)
	a := newLimiter(t, srv.Client(), redislimit.WithRate(10, 5))
	b := newLimiter(t, srv.Client(), redislimit.WithRate(10, 5))
	ctx := context.Background()
	start := time.Now()
	for range 5 {
		if err := a.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 80*time.Millisecond {
		t.Fatalf("the burst of 5 took %v", d)
	}
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// The sixth token is due 100ms after the first.
	if d := time.Since(start); d < 95*time.Millisecond || d > 250*time.Millisecond {
		t.Fatalf("the other limiter's first Wait ended after %v, want about 100ms", d)
	}
	for range 4 {
		if err := a.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 495*time.Millisecond || d > 750*time.Millisecond {
		t.Fatalf("10 tokens took %v, want about 500ms", d)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	srv := startRedis(t)
	l := newLimiter(t, srv.Client(), redislimit.WithRate(0.5, 1)) // one token every 2s
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with a deadline before the next token: %v", err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("Wait took %v to see that the deadline comes first", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait cancelled: %v", err)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("Wait returned %v after it was cancelled at 50ms", d)
	}
}

func TestPause(t *testing.T) {
	srv := startRedis(t)
	a := newLimiter(t, srv.Client(), redislimit.WithRate(1000, 100))
	b := newLimiter(t, srv.Client(), redislimit.WithRate(1000, 100)) // another replica
	ctx := context.Background()

	if err := a.Pause(ctx, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := a.Pause(ctx, 50*time.Millisecond); err != nil { // never shortens
		t.Fatal(err)
	}
	pttl, err := srv.Client().PTTL(ctx, "gem-go:ratelimit:"+hashOf(testKey)+":pause").Result()
	if err != nil || pttl < 200*time.Millisecond {
		t.Fatalf("pause key PTTL = %v, %v; want about 300ms", pttl, err)
	}
	start := time.Now()
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("the other replica's Wait ended after %v, inside the 300ms pause", d)
	}

	// A longer pause extends a shorter one, and a Wait in a pause can be cancelled.
	if err := b.Pause(ctx, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := a.Pause(ctx, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	if err := b.Wait(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait cancelled in a pause: %v", err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("Wait in a 2s pause returned %v after being cancelled at 50ms", d)
	}
	dctx, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	if err := b.Wait(dctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with a deadline inside a 2s pause: %v", err)
	}
}

// A pause that extends the one in force empties the shared bucket, as the gateway's is:
// after the pause, the fleet gets what the rate refilled, not a fresh burst.
func TestPauseEmptiesTheBucket(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	peek := func() int { // what is left of the burst; n = 0 takes nothing
		res, err := redis_rate.NewLimiter(srv.Client()).AllowN(ctx, "gem-go:ratelimit:"+hashOf(testKey),
			redis_rate.Limit{Rate: 1, Period: 10 * time.Second, Burst: 5}, 0) // 0.1/s, burst 5
		if err != nil {
			t.Fatal(err)
		}
		return res.Remaining
	}
	a := newLimiter(t, srv.Client(), redislimit.WithRate(0.1, 5))
	if err := a.Wait(ctx); err != nil { // one of the burst's five spent
		t.Fatal(err)
	}
	if left := peek(); left != 4 {
		t.Fatalf("%d left of the burst after one Wait, want 4", left)
	}
	if err := a.Pause(ctx, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if left := peek(); left != 0 {
		t.Fatalf("%d left of the burst after a pause, want 0", left)
	}
}

// monitor records every command Redis receives, over a raw MONITOR connection.
type monitor struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	conn net.Conn
	done chan struct{}
}

func startMonitor(t *testing.T, addr string) *monitor {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	m := &monitor{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		b := make([]byte, 4096)
		for {
			n, err := conn.Read(b)
			m.mu.Lock()
			m.buf.Write(b[:n])
			m.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-m.done })
	return m
}

func (m *monitor) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf.String()
}

// TestKeyNeverReachesRedis: every command Redis saw (MONITOR) and every key and value it
// holds name the key's hash, never the key.
func TestKeyNeverReachesRedis(t *testing.T) {
	srv := startRedis(t)
	mon := startMonitor(t, srv.Addr)
	l := newLimiter(t, srv.Client(), redislimit.WithRate(1000, 10))
	ctx := context.Background()
	for range 20 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Pause(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	keys, err := srv.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hash := hashOf(testKey)
	want := []string{"rate:gem-go:ratelimit:" + hash, "gem-go:ratelimit:" + hash + ":pause"}
	if len(keys) != len(want) {
		t.Fatalf("Redis holds %v, want the keys %v", keys, want)
	}
	for _, k := range want {
		if _, ok := keys[k]; !ok {
			t.Fatalf("Redis holds %v, want the keys %v", keys, want)
		}
	}
	for k, v := range keys {
		if strings.Contains(k, testKey) || strings.Contains(v, testKey) {
			t.Fatalf("Redis holds the API key: %q = %q", k, v)
		}
	}
	deadline := time.Now().Add(2 * time.Second) // MONITOR's stream lags the commands
	for !strings.Contains(mon.String(), hash+":pause") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	seen := mon.String()
	if !strings.Contains(seen, "rate:gem-go:ratelimit:"+hash) || !strings.Contains(seen, hash+":pause") {
		t.Fatalf("MONITOR did not see the limiter's commands:\n%s", seen)
	}
	if strings.Contains(seen, testKey) {
		t.Fatal("MONITOR saw the API key")
	}
	if s := fmt.Sprintf("%v %+v %#v", l, l, l); strings.Contains(s, testKey) {
		t.Fatal("the formatted Limiter contains the API key")
	}
}

// hungServer accepts connections and never answers.
func hungServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(redistest.FreePort(t)))
}

func clientFor(t *testing.T, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{
		Addr:                     addr,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestUnavailable: without a fallback, a Redis that refuses connections or never
// answers makes Wait and Pause fail within the decision timeout with an
// *UnavailableError that wraps the cause and does not contain the key.
func TestUnavailable(t *testing.T) {
	for name, addr := range map[string]string{"refused": closedPort(t), "hung": hungServer(t)} {
		t.Run(name, func(t *testing.T) {
			l := newLimiter(t, clientFor(t, addr), redislimit.WithDecisionTimeout(200*time.Millisecond))
			for _, op := range []struct {
				name string
				fn   func(context.Context) error
			}{
				{"Wait", l.Wait},
				{"Pause", func(ctx context.Context) error { return l.Pause(ctx, time.Second) }},
			} {
				start := time.Now()
				err := op.fn(context.Background())
				d := time.Since(start)
				var ue *redislimit.UnavailableError
				if !errors.As(err, &ue) || !errors.Is(err, redislimit.ErrUnavailable) || ue.Unwrap() == nil {
					t.Fatalf("%s: %v, want an *UnavailableError with its cause", op.name, err)
				}
				if d > 450*time.Millisecond {
					t.Fatalf("%s took %v with a decision timeout of 200ms", op.name, d)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Fatalf("%s: the error contains the API key: %v", op.name, err)
				}
				t.Logf("%s after %v: %v", op.name, d.Round(time.Millisecond), err)
			}
			// The caller's cancellation wins over the decision timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			l2 := newLimiter(t, clientFor(t, addr), redislimit.WithDecisionTimeout(5*time.Second))
			start := time.Now()
			if err := l2.Wait(ctx); err == nil || time.Since(start) > 300*time.Millisecond {
				t.Fatalf("Wait with a 50ms context on an unavailable Redis: %v after %v", err, time.Since(start))
			}
		})
	}
}

// TestFallback: with WithFallback, an unavailable Redis makes Wait pace locally at the
// share of the rate, logs the switch once and never the key.
func TestFallback(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	l := newLimiter(t, clientFor(t, hungServer(t)),
		redislimit.WithRate(20, 4), redislimit.WithFallback(0.5),
		redislimit.WithDecisionTimeout(100*time.Millisecond), redislimit.WithLogger(logger))
	ctx := context.Background()
	start := time.Now()
	// local: 10/s, burst 2, starting empty: the 5th token 500ms after one 100ms timeout
	for range 5 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 550*time.Millisecond || d > 900*time.Millisecond {
		t.Fatalf("5 Waits in fallback took %v, want about 600ms", d)
	}
	if err := l.Pause(ctx, 200*time.Millisecond); err != nil {
		t.Fatalf("Pause in fallback: %v", err)
	}
	start = time.Now()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("Wait after a Pause of 200ms in fallback took %v", d)
	}
	out := logs.String()
	if strings.Count(out, "falling back") != 1 || !strings.Contains(out, hashOf(testKey)) {
		t.Fatalf("want one fallback line naming the key's hash, got:\n%s", out)
	}
	if strings.Contains(out, testKey) {
		t.Fatal("the log contains the API key")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFormat(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Password: "redis-password"})
	defer rdb.Close()
	l := newLimiter(t, rdb, redislimit.WithRate(2.5, 7))
	want := "redislimit.Limiter{key " + hashOf(testKey) + ", 5 req/2s (burst 7)}"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, l); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", verb, got, want)
		}
	}
}

// oddServer speaks just enough RESP for go-redis and answers EVALSHA with an array
// redis_rate does not expect.
func oddServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					var args []string
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
					for range n {
						if _, err := r.ReadString('\n'); err != nil { // $len
							return
						}
						arg, err := r.ReadString('\n')
						if err != nil {
							return
						}
						args = append(args, strings.ToUpper(strings.TrimSpace(arg)))
					}
					reply := "+OK\r\n"
					switch {
					case len(args) == 0:
					case args[0] == "HELLO":
						reply = "-ERR unknown command 'HELLO'\r\n"
					case args[0] == "PTTL":
						reply = ":-2\r\n"
					case args[0] == "EVALSHA" || args[0] == "EVAL":
						reply = "*1\r\n:1\r\n"
					}
					if _, err := c.Write([]byte(reply)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestOddAnswerIsAnError: an answer redis_rate cannot parse (it would panic) is an
// *UnavailableError.
func TestOddAnswerIsAnError(t *testing.T) {
	l := newLimiter(t, clientFor(t, oddServer(t)))
	err := l.Wait(context.Background())
	if !errors.Is(err, redislimit.ErrUnavailable) || !strings.Contains(err.Error(), "unexpected answer") {
		t.Fatalf("Wait against a server with odd answers: %v", err)
	}
	t.Log(err)
}
