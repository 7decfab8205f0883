package gemclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Observer is told about every call a Client makes and every attempt within it, for
// tracing and metrics; contrib/otelgem turns it into OpenTelemetry spans and metrics.
// Set it with WithObserver.
//
// A call is one request of an operation as the caller made it, from validation to the
// final answer: its attempts are the HTTP requests actually sent, the first and each
// retry. StartCall runs once the call's options are read (a call with a refused option is
// not a call), EndAttempt after each request sent, EndCall once when the
// Client is done with the call (before a 2xx body is decoded). Calls that fail
// validation, or whose context ends while they wait for the rate limiter, have no
// attempts.
//
// The methods run inline on the goroutine making the call, from every goroutine that
// uses the Client, so they must be safe for concurrent use and quick.
//
// What an Observer is given is chosen so that it can be exported anywhere: it never sees
// the API key, the application secret or any other header, the query string, a request
// or response body, or an error value (an *APIError carries Gem's message, which may
// quote what was sent). Only the operation, method, path template, server, statuses,
// low-cardinality error types, counts and durations.
type Observer interface {
	// StartCall is called when a call begins. The context it returns (nil means ctx) is
	// the call's from then on: the limiter's Wait, the HTTP requests and the other two
	// methods get it, so a span started here is the parent of an instrumented
	// transport's spans. ctx is the caller's, so that span nests under the caller's.
	StartCall(ctx context.Context, call CallInfo) context.Context
	// EndAttempt is called after each attempt, with its outcome and what follows it.
	EndAttempt(ctx context.Context, call CallInfo, attempt AttemptInfo)
	// EndCall is called once when the call ends.
	EndCall(ctx context.Context, call CallInfo, result CallResult)
}

// CallInfo names a call for an Observer.
type CallInfo struct {
	// Operation is the operationId of Gem's document: "ListCandidates", "CreateNote", ...
	// (the Op... constants), "" for a Do request the document does not describe.
	Operation string
	// Method is the HTTP method.
	Method string
	// PathTemplate is the document's path template under the base URL's path, such as
	// "/v0/candidates/{candidate_id}": the same for every call of the operation. For a Do
	// request the document does not describe, the request's path.
	PathTemplate string
	// ServerAddress and ServerPort are the base URL's host and port (the scheme's
	// default port when the URL names none).
	ServerAddress string
	ServerPort    int
}

// AttemptInfo is the outcome of one attempt.
type AttemptInfo struct {
	// Attempt counts from 1; Attempt-1 is the number of times the request was resent.
	Attempt int
	// LimiterWait is the time this attempt waited for the Limiter (a pause included).
	LimiterWait time.Duration
	// Duration is the time from sending the request to having read the answer.
	Duration time.Duration
	// StatusCode is the answer's status; 0 when there was none (a transport error).
	StatusCode int
	// ErrorType is "" for a 2xx, the status code in decimal for any other answer
	// ("429", "503"), and for a transport error one of "timeout", "canceled", "dial"
	// (the connection was never made), "dns", "connection_closed" (closed or reset
	// before the answer) or "_OTHER".
	ErrorType string
	// Retry reports that the Client will try again after RetryWait, unless the call's
	// context ends first (or would end during the wait).
	Retry bool
	// RetryWait is the wait before the next attempt: a backoff, a Retry-After, or a
	// pause of the Limiter.
	RetryWait time.Duration
	// LimiterPaused reports that the answer was a 429 and the Limiter (a Pauser) was
	// paused for RetryWait: every caller of the Limiter waits, and the retry waits for
	// the pause in the Limiter rather than sleeping on its own.
	LimiterPaused bool
}

// CallResult is the outcome of a call.
type CallResult struct {
	// Attempts is the number of requests sent; 0 when the call failed validation or
	// ended while waiting for the Limiter.
	Attempts int
	// StatusCode is the status of the last answer; 0 when there was none.
	StatusCode int
	// ErrorType is "" when the call succeeded. Otherwise: the last attempt's ErrorType
	// (the final status code, or the transport error's type); "canceled" or "timeout"
	// when the caller's context ended the call; "rate_limiter" when the Limiter refused
	// to wait (its wait would outlast the context's deadline); "validation" for a request
	// that failed validation and was never sent; "_OTHER" otherwise.
	ErrorType string
	// Duration is the whole call, waits and retries included.
	Duration time.Duration
	// LimiterWait is the total time the call waited for the Limiter, a wait that ended
	// the call included.
	LimiterWait time.Duration
}

// WithObserver sets an Observer that is told about every call and attempt (nil removes
// it). Without one the Client does no bookkeeping for it.
func WithObserver(o Observer) Option {
	return func(s *settings) error {
		s.observer = o
		return nil
	}
}

// observation is one call as the Observer sees it. A nil *observation (no Observer) makes
// every method a no-op, so the pipeline calls them unconditionally.
type observation struct {
	o          Observer
	ctx        context.Context
	info       CallInfo
	start      time.Time
	sent       time.Time     // when the current attempt was sent
	wait       time.Duration // the current attempt's wait for the limiter
	totalWait  time.Duration
	attempts   int
	status     int
	errType    string // the last attempt's
	waitFailed bool
}

// observe starts observing call c. It returns the call's context, ctx itself when there is
// no Observer.
func (p *pipeline) observe(ctx context.Context, c call) (context.Context, *observation) {
	if p.observer == nil {
		return ctx, nil
	}
	info := CallInfo{
		Operation:     c.op.id,
		Method:        c.method,
		PathTemplate:  p.basePath + c.op.path,
		ServerAddress: p.serverAddress,
		ServerPort:    p.serverPort,
	}
	o := &observation{o: p.observer, info: info, start: time.Now()}
	if octx := p.observer.StartCall(ctx, info); octx != nil {
		ctx = octx
	}
	o.ctx = ctx
	return ctx, o
}

// waitFor waits for the limiter, timing the wait.
func (o *observation) waitFor(ctx context.Context, l Limiter) error {
	if o == nil {
		return l.Wait(ctx)
	}
	start := time.Now()
	err := l.Wait(ctx)
	o.sent = time.Now()
	o.wait = o.sent.Sub(start)
	o.totalWait += o.wait
	o.waitFailed = err != nil
	return err
}

// attempt reports attempt n: its answer or transport error, and the wait before the next
// one when retry.
func (o *observation) attempt(n int, resp *http.Response, err error, retry bool, wait time.Duration, paused bool) {
	if o == nil {
		return
	}
	a := AttemptInfo{Attempt: n, LimiterWait: o.wait, Duration: time.Since(o.sent), Retry: retry, LimiterPaused: paused && retry}
	if retry {
		a.RetryWait = wait
	}
	switch {
	case err != nil:
		a.ErrorType = transportErrorType(err)
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		a.StatusCode, a.ErrorType = resp.StatusCode, strconv.Itoa(resp.StatusCode)
	default:
		a.StatusCode = resp.StatusCode
	}
	o.attempts, o.status, o.errType = n, a.StatusCode, a.ErrorType
	o.o.EndAttempt(o.ctx, o.info, a)
}

// end reports the end of the call, which returned err.
func (o *observation) end(err error) {
	if o == nil {
		return
	}
	r := CallResult{Attempts: o.attempts, StatusCode: o.status, Duration: time.Since(o.start), LimiterWait: o.totalWait}
	if err != nil {
		var verr *ValidationError
		switch ctxErr := o.ctx.Err(); {
		case ctxErr != nil:
			r.ErrorType = transportErrorType(ctxErr)
		case o.waitFailed:
			r.ErrorType = "rate_limiter"
		case o.errType != "":
			r.ErrorType = o.errType
		case errors.As(err, &verr):
			r.ErrorType = "validation"
		default:
			r.ErrorType = "_OTHER"
		}
	}
	o.o.EndCall(o.ctx, o.info, r)
}

// transportErrorType names a transport error by its kind, never by its text.
func transportErrorType(err error) string {
	var ne net.Error
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &dns):
		return "dns"
	case errors.As(err, &op) && op.Op == "dial":
		return "dial"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection_closed"
	}
	return "_OTHER"
}
