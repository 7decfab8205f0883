package gemtest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
)

// outcomes sends n requests one after another on fresh connections (so net/http never
// retries one on its own) and describes what each got.
func outcomes(t *testing.T, srv *gemtest.Server, n int) []string {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var out []string
	for range n {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/v0/users", nil)
		require.NoError(t, err)
		req.Header.Set("X-API-Key", srv.APIKey)
		resp, err := c.Do(req)
		if err != nil {
			out = append(out, "dropped")
			continue
		}
		resp.Body.Close()
		out = append(out, strconv.Itoa(resp.StatusCode)+" "+resp.Header.Get("Retry-After"))
	}
	return out
}

// The same seed and the same requests give the same faults; another seed other faults.
// UniformFaults injects every kind.
func TestFaultsAreDeterministic(t *testing.T) {
	run := func(seed int64) ([]string, gemtest.Stats) {
		srv, _ := start(t, gemtest.WithFaults(gemtest.UniformFaults(seed, 0.7)))
		return outcomes(t, srv, 300), srv.Fake.Stats()
	}
	first, stats := run(42)
	again, _ := run(42)
	other, _ := run(43)
	assert.Equal(t, first, again)
	assert.NotEqual(t, first, other)

	assert.Equal(t, int64(300), stats.Requests)
	for k := gemtest.FaultTooManyRequests; k <= gemtest.FaultDropAfter; k++ {
		assert.Positive(t, stats.Faults[k], "%v never injected", k)
	}
	dropped, ok := 0, 0
	for _, o := range first {
		switch {
		case o == "dropped":
			dropped++
		case strings.HasPrefix(o, "200"):
			ok++
		}
	}
	assert.Equal(t, stats.Faults[gemtest.FaultDropBefore]+stats.Faults[gemtest.FaultDropAfter], int64(dropped))
	assert.Equal(t, 300-int(stats.Faults[gemtest.FaultTooManyRequests]+stats.Faults[gemtest.FaultTooManyRequestsRetryAfter]+
		stats.Faults[gemtest.FaultInternalError]+stats.Faults[gemtest.FaultBadGateway]+stats.Faults[gemtest.FaultUnavailable])-dropped, ok)
}

// A connection dropped before the handler leaves no trace; one dropped after it keeps
// the write the client never heard about.
func TestDroppedConnections(t *testing.T) {
	for _, tc := range []struct {
		faults gemtest.Faults
		want   int
	}{
		{gemtest.Faults{DropBefore: 1}, 0},
		{gemtest.Faults{DropAfter: 1}, 1},
	} {
		srv, _ := start(t, gemtest.WithFaults(tc.faults))
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v0/candidates", strings.NewReader(`{"created_by":"`+srv.UserID+`"}`))
		require.NoError(t, err)
		req.Header.Set("X-API-Key", srv.APIKey)
		req.Header.Set("Content-Type", "application/json")
		_, err = srv.Client().Do(req)
		assert.Error(t, err)
		assert.Equal(t, tc.want, srv.Fake.CandidateCount())
	}
}

// Injected statuses have the gateway's or flask-smorest's bodies.
func TestInjectedStatuses(t *testing.T) {
	for _, tc := range []struct {
		faults      gemtest.Faults
		status      int
		body, retry string
	}{
		{gemtest.Faults{TooManyRequests: 1}, 429, `{"message":"Too Many Requests"}`, ""},
		{gemtest.Faults{TooManyRequestsRetryAfter: 1, RetryAfter: 2500 * time.Millisecond}, 429, `{"message":"Too Many Requests"}`, "3"},
		{gemtest.Faults{TooManyRequestsRetryAfter: 1}, 429, `{"message":"Too Many Requests"}`, "1"},
		{gemtest.Faults{InternalError: 1}, 500, `{"code":500,"status":"Internal Server Error"}`, ""},
		{gemtest.Faults{BadGateway: 1}, 502, `{"message":"Internal server error"}`, ""},
		{gemtest.Faults{Unavailable: 1}, 503, `{"message":"Service Unavailable"}`, ""},
	} {
		srv, _ := start(t, gemtest.WithFaults(tc.faults))
		r := call(t, srv, http.MethodGet, "/v0/users", nil)
		assert.Equal(t, tc.status, r.status)
		assert.JSONEq(t, tc.body, string(r.body))
		assert.Equal(t, tc.retry, r.header.Get("Retry-After"))
	}
}

// Invalid options are errors from New (and fail NewServer's test).
func TestInvalidOptions(t *testing.T) {
	for _, opt := range []gemtest.Option{
		gemtest.WithFaults(gemtest.Faults{InternalError: 0.6, BadGateway: 0.6}),
		gemtest.WithFaults(gemtest.Faults{DropAfter: -0.1}),
		gemtest.WithRateLimit(0, 10),
		gemtest.WithAPIKeys("ok", ""),
		gemtest.WithSeed("production"),
		gemtest.WithProjectFieldOptionsStatus(201),
		gemtest.WithMembershipActions("", "remove"),
	} {
		_, err := gemtest.New(opt)
		assert.Error(t, err)
	}
}
