package gemclient_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// The key and the application secret never appear in an error, a log line (Debug
// included), a panic or the formatted Client. The test drives every error and retry path
// with both set and scans everything the SDK produced.
func TestSecretsNeverLeak(t *testing.T) {
	var n atomic.Int64
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		// The server does receive them: the scan below is not vacuous.
		assert.Equal(t, testKey, r.Header.Get("X-API-Key"))
		assert.Equal(t, testSecret, r.Header.Get("X-Application-Secret"))
		switch {
		case strings.HasSuffix(r.URL.Path, "/reset"):
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		case strings.HasSuffix(r.URL.Path, "/redirect"):
			http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		case strings.HasSuffix(r.URL.Path, "/busy"):
			writeJSON(w, 503, `{"message":"Service Unavailable"}`)
		case strings.HasSuffix(r.URL.Path, "/throttled"):
			if n.Add(1)%2 == 1 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 429, `{"message":"Too Many Requests"}`)
				return
			}
			writeJSON(w, 200, `{"id":"ok"}`)
		case strings.HasSuffix(r.URL.Path, "/events"):
			writeJSON(w, 403, `{"code":403,"message":"Events are deprecated"}`)
		case strings.HasSuffix(r.URL.Path, "/v0/candidates"):
			if r.Method == http.MethodPost {
				writeJSON(w, 422, `{"code":422,"errors":{"json":{"created_by":["Missing data for required field."]}}}`)
				return
			}
			w.Header().Set("X-Pagination", "garbage")
			writeJSON(w, 200, `[{"id":"c1"}]`)
		default:
			writeJSON(w, 404, `{"code":404,"status":"Not Found"}`)
		}
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := []gemclient.Option{
		gemclient.WithBaseURL(s.URL + prefix), gemclient.WithApplicationSecret(testSecret), gemclient.WithLogger(logger),
		gemclient.WithBackoff(time.Microsecond, time.Millisecond), gemclient.WithMaxRetries(2),
		gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)),
	}
	c, err := gemclient.New(testKey, opts...)
	require.NoError(t, err)
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	var outputs []string
	record := func(err error) {
		if err == nil {
			return
		}
		outputs = append(outputs, err.Error(), fmt.Sprintf("%v|%+v|%#v|%s|%q", err, err, err, err, err))
	}
	calls := []func() error{
		func() error { _, err := c.GetCandidate(ctx, "missing"); return err },
		func() error { _, err := c.GetCandidate(ctx, "busy"); return err },
		func() error { _, err := c.GetCandidate(ctx, "throttled"); return err },
		func() error { _, err := c.GetCandidate(ctx, "reset"); return err },
		func() error {
			_, err := c.CreateNote(ctx, gen.NoteCreate{CandidateID: "reset", UserID: "u", Content: "x"})
			return err
		},
		func() error { _, err := c.GetCandidate(ctx, "redirect"); return err },
		func() error { _, err := c.GetCandidate(cancelled, "missing"); return err },
		func() error { _, err := c.CreateCandidate(ctx, gen.CandidateCreate{CreatedBy: "u"}); return err },
		func() error {
			_, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(1000)})
			return err
		},
		func() error { _, _, err := c.ListCandidates(ctx, nil); return err },
		func() error {
			_, _, err := c.ListCandidateEvents(ctx, "c1", nil)
			return err
		},
		func() error {
			_, err := c.UploadResumeFile(ctx, "c", "u", "cv.exe", strings.NewReader("x"))
			return err
		},
		func() error {
			for _, err := range c.ListCandidatesAll(ctx, nil, gemclient.Workers(3)) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	for i, call := range calls {
		func() {
			defer func() {
				if p := recover(); p != nil {
					outputs = append(outputs, fmt.Sprint(p))
					t.Errorf("call %d panicked", i)
				}
			}()
			record(call())
		}()
	}
	// A transport failure before anything is sent, and a limiter that refuses.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	dead, err := gemclient.New(testKey, append(opts, gemclient.WithBaseURL("http://"+addr))...)
	require.NoError(t, err)
	_, err = dead.GetCandidate(ctx, "x")
	record(err)
	slow, err := gemclient.New(testKey, append(opts, gemclient.WithRateLimit(0.0001, 1))...)
	require.NoError(t, err)
	_, _ = slow.GetCandidate(ctx, "missing")
	short, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	_, err = slow.GetCandidate(short, "missing")
	record(err)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T", "%p"} {
		outputs = append(outputs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, []any{c, *c}))
	}
	outputs = append(outputs, logs.String())

	require.Greater(t, len(outputs), 20)
	assert.Contains(t, logs.String(), `"attempt":3`, "retries were logged at Debug")
	for _, out := range outputs {
		for _, secret := range []string{testKey, testSecret, testKey[:20], testSecret[:20]} {
			if strings.Contains(out, secret) {
				t.Errorf("secret leaked into: %.300s", out)
			}
		}
	}
}
