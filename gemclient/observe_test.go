package gemclient_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

type obsKey struct{}

// recorder is an Observer that keeps everything it is told, and checks that every event
// carries the context StartCall returned.
type recorder struct {
	t        *testing.T
	mu       sync.Mutex
	calls    []gemclient.CallInfo
	attempts []gemclient.AttemptInfo
	results  []gemclient.CallResult
}

func (r *recorder) StartCall(ctx context.Context, call gemclient.CallInfo) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
	return context.WithValue(ctx, obsKey{}, call.Operation)
}

func (r *recorder) EndAttempt(ctx context.Context, call gemclient.CallInfo, a gemclient.AttemptInfo) {
	assert.Equal(r.t, call.Operation, ctx.Value(obsKey{}), "EndAttempt gets the call's context")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, a)
}

func (r *recorder) EndCall(ctx context.Context, call gemclient.CallInfo, res gemclient.CallResult) {
	assert.Equal(r.t, call.Operation, ctx.Value(obsKey{}), "EndCall gets the call's context")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
}

// ctxLimiter admits everything and records whether Wait got the call's context.
type ctxLimiter struct {
	mu   sync.Mutex
	seen []any
}

func (l *ctxLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, ctx.Value(obsKey{}))
	return ctx.Err()
}

func TestObserverSeesCallsAndAttempts(t *testing.T) {
	s := newServer(t, script([]int{503, 429}, map[int]http.Header{1: {"Retry-After": {"0"}}}, `[]`))
	rec := &recorder{t: t}
	limiter := &ctxLimiter{}
	c, sleeps := retryClient(t, s, gemclient.WithObserver(rec), gemclient.WithLimiter(limiter), gemclient.WithApplicationSecret(testSecret))
	_, _, err := c.ListCandidates(context.Background(), &gen.ListCandidatesParams{Email: gemclient.Ptr("ada.private@example.com")})
	require.NoError(t, err)

	u, _ := url.Parse(s.URL)
	port, _ := strconv.Atoi(u.Port())
	require.Len(t, rec.calls, 1)
	assert.Equal(t, gemclient.CallInfo{Operation: "ListCandidates", Method: "GET", PathTemplate: prefix + "/v0/candidates",
		ServerAddress: "127.0.0.1", ServerPort: port}, rec.calls[0])
	require.Len(t, rec.attempts, 3)
	for i, want := range []struct {
		status  int
		errType string
		retry   bool
	}{{503, "503", true}, {429, "429", true}, {200, "", false}} {
		a := rec.attempts[i]
		assert.Equal(t, i+1, a.Attempt)
		assert.Equal(t, want.status, a.StatusCode, "attempt %d", i+1)
		assert.Equal(t, want.errType, a.ErrorType, "attempt %d", i+1)
		assert.Equal(t, want.retry, a.Retry, "attempt %d", i+1)
		assert.False(t, a.LimiterPaused, "ctxLimiter is no Pauser")
	}
	assert.Equal(t, sleeps.all()[0], rec.attempts[0].RetryWait)
	assert.Equal(t, time.Duration(0), rec.attempts[1].RetryWait) // Retry-After: 0
	require.Len(t, rec.results, 1)
	res := rec.results[0]
	assert.Equal(t, 3, res.Attempts)
	assert.Equal(t, 200, res.StatusCode)
	assert.Empty(t, res.ErrorType)
	assert.GreaterOrEqual(t, res.Duration, res.LimiterWait)
	assert.Equal(t, []any{"ListCandidates", "ListCandidates", "ListCandidates"}, limiter.seen, "the limiter waits under the call's context")

	// Nothing the observer got holds the key, the secret, a query value or a body.
	all := fmt.Sprintf("%+v %+v %+v", rec.calls, rec.attempts, rec.results)
	for _, secret := range []string{testKey, testSecret, "ada.private", "example.com", "scripted"} {
		assert.NotContains(t, all, secret)
	}
}

func TestObserverSeesPausesAndFailures(t *testing.T) {
	t.Run("429 pauses a Pauser", func(t *testing.T) {
		s := newServer(t, script([]int{429}, nil, `{"id":"c1"}`))
		rec := &recorder{t: t}
		c, _ := retryClient(t, s, gemclient.WithObserver(rec), gemclient.WithLimiter(&pausingLimiter{}), gemclient.WithBackoff(time.Second, time.Minute))
		require.NoError(t, getCandidate(c))
		require.Len(t, rec.attempts, 2)
		assert.True(t, rec.attempts[0].LimiterPaused)
		assert.Equal(t, 100*time.Millisecond, rec.attempts[0].RetryWait)
		assert.Equal(t, "/gem-proxy/v0/candidates/{candidate_id}", rec.calls[0].PathTemplate)
	})
	t.Run("final error status", func(t *testing.T) {
		s := newServer(t, script([]int{404}, nil, `{}`))
		rec := &recorder{t: t}
		c, _ := retryClient(t, s, gemclient.WithObserver(rec))
		require.Error(t, getCandidate(c))
		require.Len(t, rec.results, 1)
		assert.Equal(t, gemclient.CallResult{Attempts: 1, StatusCode: 404, ErrorType: "404",
			Duration: rec.results[0].Duration, LimiterWait: rec.results[0].LimiterWait}, rec.results[0])
	})
	t.Run("validation", func(t *testing.T) {
		s := newServer(t, script(nil, nil, `[]`))
		rec := &recorder{t: t}
		c, _ := retryClient(t, s, gemclient.WithObserver(rec))
		_, _, err := c.ListCandidates(context.Background(), &gen.ListCandidatesParams{PageSize: gemclient.Ptr(500)})
		require.Error(t, err)
		assert.Empty(t, rec.attempts)
		require.Len(t, rec.results, 1)
		assert.Equal(t, "validation", rec.results[0].ErrorType)
		assert.Equal(t, 0, rec.results[0].Attempts)
		assert.Equal(t, 0, s.Count())
	})
	t.Run("limiter refuses", func(t *testing.T) {
		s := newServer(t, script(nil, nil, `{"id":"c1"}`))
		rec := &recorder{t: t}
		c, _ := retryClient(t, s, gemclient.WithObserver(rec), gemclient.WithLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
		require.NoError(t, getCandidate(c))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := c.GetCandidate(ctx, "c1")
		require.Error(t, err)
		require.Len(t, rec.results, 2)
		assert.Equal(t, "rate_limiter", rec.results[1].ErrorType)
		assert.Equal(t, 0, rec.results[1].Attempts)
		assert.Len(t, rec.attempts, 1)
	})
	t.Run("cancelled", func(t *testing.T) {
		s := newServer(t, script(nil, nil, `{"id":"c1"}`))
		rec := &recorder{t: t}
		c, _ := retryClient(t, s, gemclient.WithObserver(rec))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.GetCandidate(ctx, "c1")
		require.Error(t, err)
		require.Len(t, rec.results, 1)
		assert.Equal(t, "canceled", rec.results[0].ErrorType)
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close()) // nothing listens there now
		rec := &recorder{t: t}
		c, err := gemclient.New(testKey, gemclient.WithBaseURL("http://"+addr), gemclient.WithObserver(rec),
			gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)), gemclient.WithMaxRetries(1), gemclient.WithBackoff(time.Microsecond, time.Microsecond))
		require.NoError(t, err)
		require.Error(t, getCandidate(c))
		require.Len(t, rec.attempts, 2)
		for _, a := range rec.attempts {
			assert.Equal(t, "dial", a.ErrorType)
			assert.Equal(t, 0, a.StatusCode)
		}
		assert.Equal(t, "dial", rec.results[0].ErrorType)
		assert.Equal(t, addr, rec.calls[0].ServerAddress+":"+strconv.Itoa(rec.calls[0].ServerPort))
		assert.False(t, strings.Contains(fmt.Sprint(rec.attempts, rec.results), testKey))
	})
}
