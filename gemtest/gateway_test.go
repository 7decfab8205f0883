package gemtest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
)

// The gateway answers a missing or unknown X-API-Key, a Bearer token included, with 403
// {"message":"Forbidden"}; by default any non-empty key is accepted.
func TestAuth(t *testing.T) {
	srv, _ := start(t)
	forbidden := func(h http.Header) {
		t.Helper()
		r := callWith(t, srv, http.MethodGet, "/v0/users", nil, h)
		assert.Equal(t, http.StatusForbidden, r.status)
		assert.JSONEq(t, `{"message":"Forbidden"}`, string(r.body))
	}
	forbidden(http.Header{})
	forbidden(http.Header{"Authorization": {"Bearer " + srv.APIKey}})
	forbidden(http.Header{"X-Api-Key": {""}})
	assert.Equal(t, http.StatusOK, callWith(t, srv, http.MethodGet, "/v0/users", nil, http.Header{"X-Api-Key": {"anything"}}).status)

	srv, _ = start(t, gemtest.WithAPIKeys("k1", "k2"))
	assert.Equal(t, "k1", srv.APIKey)
	forbidden(http.Header{"X-API-Key": {"anything"}})
	assert.Equal(t, http.StatusOK, callWith(t, srv, http.MethodGet, "/v0/users", nil, http.Header{"X-API-Key": {"k2"}}).status)
}

// The per-key token bucket refills by the fake's clock: burst requests pass, the next is
// the gateway's 429, and a second later one more passes. Keys have their own buckets.
func TestRateLimit(t *testing.T) {
	clock := gemtest.NewManualClock(epoch)
	srv := gemtest.NewServer(t, gemtest.WithResponseValidation(t), gemtest.WithClock(clock.Now), gemtest.WithRateLimit(2, 3))
	get := func(key string) response {
		t.Helper()
		return callWith(t, srv, http.MethodGet, "/v0/users", nil, http.Header{"X-API-Key": {key}})
	}
	for range 3 {
		require.Equal(t, http.StatusOK, get("a").status)
	}
	r := get("a")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.JSONEq(t, `{"message":"Too Many Requests"}`, string(r.body))
	assert.Empty(t, r.header.Get("Retry-After"), "off by default")
	assert.Equal(t, http.StatusOK, get("b").status, "another key, another bucket")

	clock.Advance(500 * time.Millisecond)
	assert.Equal(t, http.StatusOK, get("a").status, "one token after 1/rate")
	assert.Equal(t, http.StatusTooManyRequests, get("a").status)
	clock.Advance(time.Hour)
	for range 3 {
		assert.Equal(t, http.StatusOK, get("a").status, "refilled to the burst, no more")
	}
	assert.Equal(t, http.StatusTooManyRequests, get("a").status)
	assert.Equal(t, int64(3), srv.Fake.Stats().RateLimited)

	srv = gemtest.NewServer(t, gemtest.WithClock(clock.Now), gemtest.WithRateLimit(0.25, 1), gemtest.WithRetryAfter())
	require.Equal(t, http.StatusOK, get("a").status)
	assert.Equal(t, "4", get("a").header.Get("Retry-After"), "seconds until the next token")
}

// Defaults are Gem's: 20/s with a burst of 500.
func TestDefaultRateLimit(t *testing.T) {
	clock := gemtest.NewManualClock(epoch)
	srv := gemtest.NewServer(t, gemtest.WithClock(clock.Now))
	for range 500 {
		require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/v0/sequences", nil).status)
	}
	assert.Equal(t, http.StatusTooManyRequests, call(t, srv, http.MethodGet, "/v0/sequences", nil).status)
	clock.Advance(time.Second)
	for range 20 {
		require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/v0/sequences", nil).status)
	}
	assert.Equal(t, http.StatusTooManyRequests, call(t, srv, http.MethodGet, "/v0/sequences", nil).status)
}

// The gateway's payload limit (10 MB by default, WithMaxRequestBody) applies to every
// request, declared or chunked, with AWS's 413 {"message":"Request Too Long"}; a declared
// one is refused before the key is checked. At the limit a body goes through.
func TestRequestBodyLimit(t *testing.T) {
	send := func(srv *gemtest.Server, method, path string, body []byte, chunked bool, key string) response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		if chunked {
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), -1
		}
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return response{status: resp.StatusCode, header: resp.Header, body: data}
	}
	tooLong := func(r response, msg string) {
		t.Helper()
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, msg)
		assert.JSONEq(t, `{"message":"Request Too Long"}`, string(r.body), msg)
	}

	srv, _ := start(t)
	big := bytes.Repeat([]byte(" "), gemtest.DefaultMaxRequestBody+1)
	for _, chunked := range []bool{false, true} {
		tooLong(send(srv, http.MethodPost, "/v0/candidates", big, chunked, srv.APIKey), "POST")
		tooLong(send(srv, http.MethodGet, "/v0/users", big, chunked, srv.APIKey), "a GET with a body")
	}
	tooLong(send(srv, http.MethodPost, "/v0/candidates", big, false, ""), "declared: before the key")
	tooLong(send(srv, http.MethodPost, "/v0/nowhere", big, false, srv.APIKey), "declared: before routing")

	srv, _ = start(t, gemtest.WithMaxRequestBody(100))
	body := []byte(`{"created_by":"` + srv.UserID + `","first_name":"Ada"}`)
	body = append(body, bytes.Repeat([]byte(" "), 100-len(body))...)
	for _, chunked := range []bool{false, true} {
		r := send(srv, http.MethodPost, "/v0/candidates", body, chunked, srv.APIKey)
		assert.Equal(t, http.StatusCreated, r.status, "exactly the limit: %s", r.body)
		tooLong(send(srv, http.MethodPost, "/v0/candidates", append(body, ' '), chunked, srv.APIKey), "one byte over")
	}

	_, err := gemtest.New(gemtest.WithMaxRequestBody(0))
	assert.Error(t, err)
}
