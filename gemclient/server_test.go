package gemclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
)

// Test fixtures shared by the external tests.

// testKey is distinctive, so the security test can look for it in every output.
const (
	testKey    = "KEYSECRETzq81Xw4r7TtY0pLmN3vB6cJ2hD5gF9aS"
	testSecret = "APPSECRETq7Wn2Ek9Lr4Tz6Yx1Vb3Nm8Hj5Gf0Dd"
	prefix     = "/gem-proxy" // the test mux serves under a path prefix, as go-github does
)

// request is what a test server saw.
type request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// server is an httptest server under prefix that records every request and answers with
// handle. Requests outside the prefix fail the test.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
	handle   http.HandlerFunc
}

func newServer(t *testing.T, handle http.HandlerFunc) *server {
	t.Helper()
	s := &server{handle: handle}
	mux := http.NewServeMux()
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, request{r.Method, r.URL.EscapedPath()[len(prefix):], r.URL.RawQuery, r.Header.Clone(), body})
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.URL.Path = r.URL.Path[len(prefix):]
		r.URL.RawPath = ""
		s.handle(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL's prefix: %s %s", r.Method, r.URL.Path)
		http.Error(w, "outside prefix", http.StatusTeapot)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Requests returns a copy of what the server saw so far.
func (s *server) Requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

func (s *server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// newClient returns a Client for s: no client-side pacing and tiny backoffs unless opts
// say otherwise.
func newClient(t *testing.T, s *server, opts ...gemclient.Option) *gemclient.Client {
	t.Helper()
	base := []gemclient.Option{
		gemclient.WithBaseURL(s.URL + prefix),
		gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)),
		gemclient.WithBackoff(time.Microsecond, time.Millisecond),
	}
	c, err := gemclient.New(testKey, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// writeJSON answers status with v as JSON (v may be a string of raw JSON).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if raw, ok := v.(string); ok {
		_, _ = io.WriteString(w, raw)
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// countingLimiter counts Wait calls and lets every request through.
type countingLimiter struct{ waits atomic.Int64 }

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.waits.Add(1)
	return ctx.Err()
}

// sleeps records the waits a Client asks for between retries, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}
