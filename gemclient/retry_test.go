package gemclient_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// script answers the n-th request (from 0) with statuses[n], then 2xx; headers[n] are
// added to that answer.
func script(statuses []int, headers map[int]http.Header, success string) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1) - 1)
		for k, v := range headers[i] {
			w.Header()[k] = v
		}
		if i < len(statuses) {
			writeJSON(w, statuses[i], `{"code":`+strconv.Itoa(statuses[i])+`,"message":"scripted"}`)
			return
		}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		writeJSON(w, status, success)
	}
}

// retryClient returns a client for s whose waits are recorded, not slept.
func retryClient(t *testing.T, s *server, opts ...gemclient.Option) (*gemclient.Client, *sleeps) {
	t.Helper()
	c := newClient(t, s, opts...)
	var rec sleeps
	gemclient.SetSleep(c, rec.sleep)
	return c, &rec
}

func getCandidate(c *gemclient.Client) error {
	_, err := c.GetCandidate(context.Background(), "c1")
	return err
}

func createNote(c *gemclient.Client) error {
	_, err := c.CreateNote(context.Background(), gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "hi"})
	return err
}

func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	s := newServer(t, script([]int{429, 429}, map[int]http.Header{0: {"Retry-After": {"2"}}, 1: {"Retry-After": {"0"}}}, `{"id":"c1"}`))
	c, rec := retryClient(t, s, gemclient.WithBackoff(time.Second, time.Minute))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, 3, s.Count())
	assert.Equal(t, []time.Duration{2 * time.Second, 0}, rec.all())
}

func TestRetryAfterHTTPDateIsHonoured(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	when := now.Add(7 * time.Second).Format(http.TimeFormat)
	s := newServer(t, script([]int{429}, map[int]http.Header{0: {"Retry-After": {when}}}, `{"id":"c1"}`))
	c, rec := retryClient(t, s, gemclient.WithBackoff(time.Second, time.Minute))
	gemclient.SetNow(c, func() time.Time { return now })
	require.NoError(t, getCandidate(c))
	assert.Equal(t, 2, s.Count())
	assert.Equal(t, []time.Duration{7 * time.Second}, rec.all())
}

// Without Retry-After (Gem's gateway sends none, docs/gem-api.md §2.6): full-jitter exponential
// backoff, each wait within its ceiling base·2ⁿ capped at max.
func TestBackoffWithoutRetryAfter(t *testing.T) {
	s := newServer(t, script([]int{429, 429, 429, 429}, nil, `{"id":"c1"}`))
	base, maxWait := 100*time.Millisecond, 300*time.Millisecond
	c, rec := retryClient(t, s, gemclient.WithBackoff(base, maxWait))
	require.NoError(t, getCandidate(c))
	assert.Equal(t, 5, s.Count())
	waits := rec.all()
	require.Len(t, waits, 4)
	for i, ceiling := range []time.Duration{base, 2 * base, maxWait, maxWait} {
		assert.True(t, waits[i] >= 0 && waits[i] <= ceiling, "wait %d = %v, ceiling %v", i, waits[i], ceiling)
	}
}

// A Retry-After beyond the backoff cap (a spent quota) is handed to the caller at once.
func TestLongRetryAfterIsReturned(t *testing.T) {
	s := newServer(t, script([]int{429, 429}, map[int]http.Header{0: {"Retry-After": {"3600"}}}, `{}`))
	c, rec := retryClient(t, s, gemclient.WithBackoff(time.Second, time.Minute))
	err := getCandidate(c)
	require.True(t, gemclient.IsRateLimited(err))
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Hour, apiErr.RetryAfter)
	assert.Equal(t, 1, s.Count())
	assert.Empty(t, rec.all())
}

func TestWhichAnswersAreRetried(t *testing.T) {
	cases := []struct {
		name    string
		call    func(*gemclient.Client) error
		status  int
		retried bool
	}{
		{"GET 429", getCandidate, 429, true},
		{"GET 500", getCandidate, 500, true},
		{"GET 502", getCandidate, 502, true},
		{"GET 503", getCandidate, 503, true},
		{"GET 504", getCandidate, 504, true},
		{"GET 501", getCandidate, 501, false},
		{"GET 400", getCandidate, 400, false},
		{"GET 404", getCandidate, 404, false},
		{"POST 429", createNote, 429, true},
		{"POST 500", createNote, 500, false},
		{"POST 502", createNote, 502, false},
		{"POST 503", createNote, 503, false},
		{"POST 504", createNote, 504, false},
		{"POST 503 marked RetrySafe", func(c *gemclient.Client) error {
			_, err := c.CreateNote(context.Background(), gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "hi"}, gemclient.RetrySafe())
			return err
		}, 503, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, script([]int{tc.status}, nil, `{"id":"x"}`))
			c, rec := retryClient(t, s)
			err := tc.call(c)
			if tc.retried {
				require.NoError(t, err)
				assert.Equal(t, 2, s.Count())
				assert.Len(t, rec.all(), 1)
				return
			}
			var apiErr *gemclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, 1, s.Count())
			assert.Empty(t, rec.all())
		})
	}
}

func TestRetriesStopAtMaxRetries(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{"message":"Service Unavailable"}`) })
	c, rec := retryClient(t, s, gemclient.WithMaxRetries(3))
	err := getCandidate(c)
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Contains(t, err.Error(), "after 4 attempts")
	assert.Equal(t, 4, s.Count())
	assert.Len(t, rec.all(), 3)

	s0 := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	c0, _ := retryClient(t, s0, gemclient.WithMaxRetries(0))
	require.Error(t, getCandidate(c0))
	assert.Equal(t, 1, s0.Count())
}

// Every attempt sends the same bytes: the body is replayed through GetBody.
func TestBodyIsReplayedOnEveryAttempt(t *testing.T) {
	s := newServer(t, script([]int{503, 502, 500}, nil, `{"id":"c1"}`))
	c, _ := retryClient(t, s)
	update := gen.CandidateUpdate{FirstName: gen.Value("Ann"), Title: gen.Null[string]()}
	_, err := c.UpdateCandidate(context.Background(), "c1", update)
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 4)
	assert.JSONEq(t, `{"first_name":"Ann","title":null}`, string(reqs[0].Body))
	for _, r := range reqs[1:] {
		assert.Equal(t, reqs[0].Body, r.Body)
	}
}

// A POST whose connection could not be opened was never sent: it is retried.
func TestDialErrorRetriesPOST(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now: connections are refused
	limiter := &countingLimiter{}
	c, err := gemclient.New(testKey, gemclient.WithBaseURL("http://"+addr), gemclient.WithLimiter(limiter), gemclient.WithMaxRetries(2))
	require.NoError(t, err)
	var rec sleeps
	gemclient.SetSleep(c, rec.sleep)
	err = createNote(c)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
	assert.Equal(t, int64(3), limiter.waits.Load(), "three attempts")
	assert.Len(t, rec.all(), 2)
}

// A connection that dies after the request was sent leaves unknown whether Gem acted: a
// POST is not repeated, a GET is.
func TestConnectionResetMidRequest(t *testing.T) {
	var resets atomic.Int64
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if resets.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			_ = conn.(*net.TCPConn).SetLinger(0) // RST, not FIN
			_ = conn.Close()
			return
		}
		writeJSON(w, 201, `{"id":"n1"}`)
	})
	c, _ := retryClient(t, s)
	err := createNote(c)
	require.Error(t, err)
	var apiErr *gemclient.APIError
	assert.False(t, errors.As(err, &apiErr), "a transport error, not an answer")
	assert.Equal(t, 1, s.Count(), "the POST is not repeated")

	resets.Store(0)
	require.NoError(t, getCandidate(c))
	assert.Equal(t, 3, s.Count(), "the GET is")
}

// Cancelling the context during a backoff returns at once, with the context's error and
// the answer that caused the retry.
func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeJSON(w, 503, `{"message":"down"}`)
	})
	// The attempt's log line is written just before the client starts waiting.
	backingOff := make(chan struct{}, 1)
	logger := slog.New(signalHandler{backingOff})
	c := newClient(t, s, gemclient.WithBackoff(time.Hour, 2*time.Hour), gemclient.WithLogger(logger)) // really sleeps
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetCandidate(ctx, "c1")
		done <- err
	}()
	<-backingOff
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		var apiErr *gemclient.APIError
		assert.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 1, s.Count())
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not return after its context was cancelled")
	}
}

// signalHandler is a slog handler that signals every record.
type signalHandler struct{ ch chan struct{} }

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) Handle(context.Context, slog.Record) error {
	select {
	case h.ch <- struct{}{}:
	default:
	}
	return nil
}
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }

// The attempt timeout ends an attempt the server never answers; a GET is retried.
func TestAttemptTimeout(t *testing.T) {
	var n atomic.Int64
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang until the client gives up
			return
		}
		writeJSON(w, 200, `{"id":"c1"}`)
	})
	c, _ := retryClient(t, s, gemclient.WithAttemptTimeout(300*time.Millisecond))
	require.NoError(t, getCandidate(c))
	assert.GreaterOrEqual(t, n.Load(), int64(2), "the hung attempt was abandoned and retried")
}

// A retry whose wait would outlast the caller's deadline is not attempted: the answer is
// returned at once, while the context is still live.
func TestRetryWaitBeyondDeadlineIsNotAttempted(t *testing.T) {
	s := newServer(t, script([]int{503}, map[int]http.Header{0: {"Retry-After": {"30"}}}, `{"id":"c1"}`))
	c, rec := retryClient(t, s, gemclient.WithBackoff(time.Second, time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetCandidate(ctx, "c1")
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 30*time.Second, apiErr.RetryAfter)
	assert.Contains(t, err.Error(), "would outlast the context")
	assert.NoError(t, ctx.Err())
	assert.Equal(t, 1, s.Count())
	assert.Empty(t, rec.all())
}
