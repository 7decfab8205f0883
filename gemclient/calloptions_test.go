package gemclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// Header adds a header to every attempt of the call; credentials and the headers net/http
// owns are refused before anything is sent.
func TestHeaderOption(t *testing.T) {
	s := newServer(t, script([]int{503, 200}, nil, `{"id":"c1"}`))
	c := newClient(t, s)
	_, err := c.GetCandidate(context.Background(), "c1", gemclient.Header("X-Tenant", "acme"), gemclient.Header("X-Trace", "t1"))
	require.NoError(t, err)
	require.Equal(t, 2, s.Count())
	for _, r := range s.Requests() {
		assert.Equal(t, "acme", r.Header.Get("X-Tenant"), "every attempt")
		assert.Equal(t, "t1", r.Header.Get("X-Trace"))
		assert.Equal(t, testKey, r.Header.Get("X-API-Key"))
	}

	for _, h := range [][2]string{{"X-API-Key", "other"}, {"x-api-key", "other"}, {"X-Application-Secret", "s"}, {"Host", "evil"},
		{"Content-Length", "1"}, {"Bad Name", "v"}, {"X-Ok", "line\r\nX-Injected: 1"}} {
		_, err := c.GetCandidate(context.Background(), "c1", gemclient.Header(h[0], h[1]))
		require.Error(t, err, h[0])
		assert.NotContains(t, err.Error(), "other", "the refused value is not quoted")
	}
	assert.Equal(t, 2, s.Count(), "a refused option sends nothing")
}

// MaxRetries replaces the Client's retry count for one call.
func TestMaxRetriesOption(t *testing.T) {
	s := newServer(t, script([]int{503, 503, 503, 200}, nil, `{"id":"c1"}`))
	c := newClient(t, s, gemclient.WithMaxRetries(5))
	_, err := c.GetCandidate(context.Background(), "c1", gemclient.MaxRetries(1))
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 2, apiErr.Attempts)
	assert.Equal(t, 2, s.Count())

	_, err = c.GetCandidate(context.Background(), "c1", gemclient.MaxRetries(-1))
	assert.ErrorContains(t, err, "MaxRetries(-1)")
}

// An error names the gateway's request id, for Gem's support, from either header.
func TestAPIErrorRequestID(t *testing.T) {
	for _, header := range []string{"x-amzn-RequestId", "X-Request-Id"} {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(header, "3f2a-1")
			writeJSON(w, 400, `{"code":400,"status":"Bad Request","message":"no"}`)
		})
		_, err := newClient(t, s).GetCandidate(context.Background(), "c1")
		var apiErr *gemclient.APIError
		require.ErrorAs(t, err, &apiErr, header)
		assert.Equal(t, "3f2a-1", apiErr.RequestID, header)
		assert.Equal(t, "3f2a-1", apiErr.Header.Get(header))
		assert.Contains(t, err.Error(), "[request id 3f2a-1]")
	}
}

// A limiter that refuses to wait past the deadline (x/time/rate says "would exceed context
// deadline") is reported as a deadline, whichever limiter: errors.Is finds it.
func TestLimiterDeadlineWrapsDeadlineExceeded(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"c1"}`) })
	for name, opt := range map[string]gemclient.Option{
		"WithRateLimit": gemclient.WithRateLimit(0.001, 1),
		"WithLimiter":   gemclient.WithLimiter(refusingLimiter{}),
	} {
		c := newClient(t, s, opt)
		_, _ = c.GetCandidate(context.Background(), "c1")                     // spends the burst
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // the limiter's wait is 1000 s
		_, err := c.GetCandidate(ctx, "c1")
		cancel()
		require.Error(t, err, name)
		assert.ErrorIs(t, err, context.DeadlineExceeded, name)
	}
}

// refusingLimiter refuses any wait when the context has a deadline, as a limiter that
// knows its wait would outlast it does.
type refusingLimiter struct{}

func (refusingLimiter) Wait(ctx context.Context) error {
	if _, ok := ctx.Deadline(); ok {
		return errors.New("limiter: the wait would outlast the deadline")
	}
	return nil
}

// Do sends what no method fits: a body of any shape, a query string, an undocumented path
// (sent unchecked), the answer decoded into out or kept raw.
func TestDo(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v0/candidates":
			writeJSON(w, 201, `{"id":"c9","first_name":"Ada"}`)
		default:
			writeJSON(w, 200, `{"ok":true}`)
		}
	})
	c := newClient(t, s)
	ctx := context.Background()

	var cand gen.Candidate
	require.NoError(t, c.Do(ctx, http.MethodPost, "/v0/candidates", gen.CandidateCreate{CreatedBy: "u1", FirstName: gemclient.Ptr("Ada")}, &cand))
	assert.Equal(t, "Ada", cand.GetFirstName())
	req := s.Requests()[0]
	assert.JSONEq(t, `{"created_by":"u1","first_name":"Ada"}`, string(req.Body))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))

	var raw json.RawMessage
	require.NoError(t, c.Do(ctx, http.MethodGet, "/v0/something_new?x=1", nil, &raw), "an operation the document does not know is sent unchecked")
	assert.JSONEq(t, `{"ok":true}`, string(raw))
	assert.Equal(t, "x=1", s.Requests()[1].Query)

	for _, bad := range []string{"https://elsewhere.example/v0/candidates", "//elsewhere.example/v0", "v0/candidates", "/v0/candidates/../users", "/v0/./candidates"} {
		assert.Error(t, c.Do(ctx, http.MethodGet, bad, nil, nil), bad)
	}
	assert.Error(t, c.Do(ctx, "get candidates", "/v0/candidates", nil, nil))
	assert.Equal(t, 2, s.Count(), "refused paths send nothing")
}
