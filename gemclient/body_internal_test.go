package gemclient

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The buffer a 2xx body is read into is not sized from the server's Content-Length
// beyond a small bound: 16 answers claiming 63 MB with 100-byte bodies pinned 1 GB.
func TestBufferIsNotSizedFromContentLength(t *testing.T) {
	const claimed = DefaultMaxResponseBytes - 1 // under the default limit: the body is read
	body := `{"id":"` + strings.Repeat("x", 90) + `"}`
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			ContentLength: claimed, Body: io.NopCloser(strings.NewReader(body)), Request: r,
		}, nil
	})}
	c, err := New("k", WithHTTPClient(hc), WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1:1/v0/candidates/c1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := c.pipe.attempt(req, 1, &bodyLimits{})
	if err != nil {
		t.Fatal(err)
	}
	b := resp.Body.(*bufferedBody)
	if got := b.buf.Cap(); got > 2*maxPresize {
		t.Errorf("buffer capacity %d bytes for a %d-byte body claiming %d: sized from the header", got, len(body), claimed)
	}
	if b.buf.String() != body {
		t.Errorf("body %q", b.buf.String())
	}
	_ = resp.Body.Close()
}
