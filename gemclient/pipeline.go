package gemclient

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// maxErrorBody caps how much of a non-2xx body is read: enough for any error Gem sends,
// bounded against a proxy that streams something huge.
const maxErrorBody = 1 << 20

// pipeline owns everything between a checked request and the wire, once per call:
//
//	{ limiter.Wait → attempt with its own timeout → read the body → classify → maybe wait
//	  (or pause the limiter on a 429) and retry }
//
// A final non-2xx answer is returned as an *APIError, so the generated methods only ever
// decode 2xx answers, whose bodies are handed over in memory.
type pipeline struct {
	basePath string // the base URL's escaped path without its trailing slash
	// serverAddress and serverPort are the base URL's host and port, for the Observer.
	serverAddress  string
	serverPort     int
	hc             *http.Client
	limiter        Limiter
	retry          retryPolicy
	attemptTimeout time.Duration
	// maxResponseBytes bounds a 2xx body (WithMaxResponseBytes).
	maxResponseBytes int64
	logger           *slog.Logger
	// redact removes the key and the secret from what the server sends back.
	redact *redactor
	sleep  func(context.Context, time.Duration) error
	// observer sees each call and attempt; nil: none (observe.go).
	observer Observer
}

// call is one call of an operation, as errors and logs name it.
type call struct {
	op         *operation
	method     string
	path       string // relative to the base URL, without the query
	idempotent bool
}

// errorf prefixes an error with the operation and request, as every gemclient error is.
func (c call) errorf(format string, args ...any) error {
	return fmt.Errorf("gemclient: %s (%s %s): "+format, append([]any{cmp.Or(c.op.id, "request"), c.method, c.path}, args...)...)
}

// run sends req, retrying as the policy and maxRetries allow.
func (p *pipeline) run(ctx context.Context, c call, req *http.Request, maxRetries int, obs *observation) (*http.Response, error) {
	limits := limitsFor(c.op, req.URL, p.maxResponseBytes)
	for attempt := 1; ; attempt++ {
		if err := obs.waitFor(ctx, p.limiter); err != nil {
			return nil, c.errorf("waiting for the rate limiter: %w", deadlineError(ctx, err))
		}
		sent := time.Now()
		resp, body, err := p.attempt(req, attempt, &limits)
		if err != nil && ctx.Err() != nil {
			obs.attempt(attempt, resp, err, false, 0, false)
			return nil, c.errorf("%w", ctx.Err())
		}
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			recordAttempt(ctx, p.limiter, time.Since(sent)) // for the walks' concurrency (concurrency.go)
			p.log(ctx, c, attempt, resp, nil, 0)
			obs.attempt(attempt, resp, nil, false, 0, false)
			return resp, nil
		}
		wait, retry, final := p.classify(c, attempt, maxRetries, resp, body, err)
		paused := false // a 429 paused the limiter, whose Wait holds the retry (pause.go)
		if retry {
			wait, paused = p.pauseLimiter(ctx, resp, attempt, wait)
		}
		p.log(ctx, c, attempt, resp, err, wait)
		obs.attempt(attempt, resp, err, retry, wait, paused)
		if !retry {
			return nil, final
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, c.errorf("not retried: the wait of %v would outlast the context: %w (%w)", wait, final, context.DeadlineExceeded)
		}
		if paused {
			continue
		}
		if err := p.sleep(ctx, wait); err != nil {
			return nil, c.errorf("%w while waiting to retry after: %w", err, final)
		}
	}
}

// deadlineError makes a limiter's refusal to wait past the context's deadline
// (x/time/rate's "would exceed context deadline", or any Limiter's) wrap
// context.DeadlineExceeded, so errors.Is finds it whichever Limiter is in use.
func deadlineError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w: %w", err, ctxErr)
	}
	if _, ok := ctx.Deadline(); ok {
		return fmt.Errorf("%w: %w", err, context.DeadlineExceeded)
	}
	return err
}

// classify turns a failed attempt (a transport error, or a non-2xx answer and its body)
// into whether to retry and after how long, and the error to return if not.
func (p *pipeline) classify(c call, attempt, maxRetries int, resp *http.Response, body []byte, err error) (wait time.Duration, retry bool, final error) {
	found := false // wait comes from Retry-After
	if err != nil {
		final, retry = c.errorf("%w", p.redact.Error(withoutURL(err))), retryableTransportError(err, c.idempotent)
	} else {
		apiErr := newAPIError(resp, body)
		p.redact.APIError(apiErr, len(body) >= maxErrorBody)
		apiErr.Method, apiErr.Path, apiErr.Operation, apiErr.Deprecated, apiErr.Attempts = c.method, c.path, c.op.id, c.op.deprecated, attempt
		apiErr.Header = resp.Header.Clone()
		p.redact.Header(apiErr.Header)
		apiErr.RequestID = requestID(apiErr.Header)
		final, retry = apiErr, retryableStatus(resp.StatusCode, c.idempotent)
		if wait, found = p.retry.retryAfter(resp.Header); found {
			apiErr.RetryAfter = wait
			// Waiting longer than the backoff cap inside one call would hold the caller
			// hostage (a spent daily quota): hand the delay to the caller instead.
			retry = retry && wait <= p.retry.max
		}
	}
	if !retry || attempt > maxRetries {
		return 0, false, final
	}
	if !found {
		wait = p.retry.backoff(attempt - 1)
	}
	return wait, true, final
}

// attempt sends req once under the attempt timeout and reads the body: all of it for a
// 2xx, up to maxResponseBytes and within limits (then given back in memory, so the
// attempt's context can be cancelled here), at most maxErrorBody otherwise.
func (p *pipeline) attempt(req *http.Request, n int, limits *bodyLimits) (*http.Response, []byte, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if p.attemptTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, p.attemptTimeout)
	}
	defer cancel()
	ctx, stopGuard := guardResends(ctx)
	defer stopGuard()
	r := req.WithContext(ctx)
	if n > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, nil, fmt.Errorf("replaying the request body: %w", err)
		}
		r.Body = body
	}
	resp, err := p.hc.Do(r)
	if err != nil {
		return nil, nil, resendRefused(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// An error body cut short still carries its status, which is what matters.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return resp, body, nil
	}
	buf, err := readSuccessBody(resp, p.maxResponseBytes)
	if err != nil {
		return nil, nil, err
	}
	if err := checkShape(buf.Bytes(), limits); err != nil {
		recycle(buf)
		return nil, nil, err
	}
	p.redact.Header(resp.Header)
	resp.Request = withoutCredentials(resp.Request)
	resp.Body = &bufferedBody{r: bytes.NewReader(buf.Bytes()), buf: buf}
	return resp, nil, nil
}

// bodyBuffers recycles the buffers success bodies are read into: the generated parsers
// copy the body out (io.ReadAll) and close it, which returns the buffer here.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// bufferedBody is a 2xx body read into memory. Close recycles the buffer; reading after
// Close fails, as it does for a network body. It has no WriteTo, so io.Copy goes through
// Read and its check.
type bufferedBody struct {
	r   *bytes.Reader
	buf *bytes.Buffer
}

// Read reads the body, or fails after Close.
func (b *bufferedBody) Read(p []byte) (int, error) {
	if b.buf == nil {
		return 0, errors.New("gemclient: read on closed response body")
	}
	return b.r.Read(p)
}

// Close recycles the buffer. Closing twice is harmless.
func (b *bufferedBody) Close() error {
	if b.buf != nil {
		recycle(b.buf)
	}
	b.buf, b.r = nil, nil
	return nil
}

// withoutURL drops net/http's `Get "https://...?email=..."` prefix: the method and path
// are in the message already, and the query string may hold personal data.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// log writes the per-attempt Debug line. It never includes headers, bodies or the query.
func (p *pipeline) log(ctx context.Context, c call, attempt int, resp *http.Response, err error, wait time.Duration) {
	if !p.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", cmp.Or(c.op.id, "request")),
		slog.String("method", c.method),
		slog.String("path", c.path),
		slog.Int("attempt", attempt),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", p.redact.Error(withoutURL(err)).Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil || resp.StatusCode >= 300 {
		// The wait before the next attempt; 0 when this was the last one.
		attrs = append(attrs, slog.Duration("wait", wait))
	}
	p.logger.LogAttrs(ctx, slog.LevelDebug, "gem request", attrs...)
}
