package gemclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// idempotentMethod: GET, HEAD, OPTIONS, PUT, PATCH and DELETE read, set or remove state in
// Gem's API, so repeating them is harmless. POST creates, and Gem has no idempotency keys:
// it is resent after a server error or a lost connection only when the call is RetrySafe.
func idempotentMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// retryPolicy decides whether and when to try again.
type retryPolicy struct {
	maxRetries int
	base, max  time.Duration
	now        func() time.Time
}

// retryableStatus: 429 always (the gateway refused before Gem saw the request,
// docs/gem-api.md §2.6); 502, 503 and 504 from the gateway, and 500, only when repeating
// is harmless. A 500 behind API Gateway is most often transient (a Lambda or origin
// hiccup), but Gem may have acted before failing, so it is never repeated for a POST.
// 501 and other 5xx mean the request itself cannot succeed.
func retryableStatus(status int, idempotent bool) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}

// retryableTransportError: any transport failure when repeating is harmless (but a body
// over WithMaxResponseBytes, which would come again); otherwise
// only a failure to connect, which proves the request was never sent. A connection reset
// or a timeout after sending leaves unknown whether Gem acted.
func retryableTransportError(err error, idempotent bool) bool {
	var tooLarge *ResponseTooLargeError
	if errors.As(err, &tooLarge) {
		return false // the same answer would come again
	}
	if idempotent {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// ceiling is the exponential ceiling before retry number n (0-based): base·2ⁿ, at most
// max (which WithBackoff bounds by maxWait), computed without overflow.
func (p retryPolicy) ceiling(n int) time.Duration {
	c := p.max
	if n < 63 && p.base <= p.max>>n {
		c = p.base << n
	}
	return min(c, maxWait)
}

// backoff is the wait before retry number n (0-based): full jitter over an exponential
// ceiling, so that clients that failed together do not retry together.
func (p retryPolicy) backoff(n int) time.Duration {
	return rand.N(p.ceiling(n) + 1) // N panics on ≤ 0; ceiling is ≥ base > 0
}

// maxWait bounds every wait between attempts: Retry-After, in either form, and the
// backoff's cap (WithBackoff).
const maxWait = 24 * time.Hour

// retryAfter parses a Retry-After header: delay-seconds or an HTTP-date, either capped at
// maxWait (a day). ok is false when the header is absent or unparsable.
func (p retryPolicy) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxWait/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(p.now()), 0), maxWait), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
