package gemclient

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync/atomic"
)

// errResendRefused ends an attempt whose HTTP transport was about to send the request a
// second time by itself.
//
// Go's HTTP/2 client (net/http's bundled one and golang.org/x/net/http2) re-sends a request
// whose stream the server or a proxy reset with PROTOCOL_ERROR or REFUSED_STREAM, or that
// a GOAWAY cut off, whenever the request has no body or a GetBody (golang/go#47635): below
// the retry policy and the rate limiter, as often as the peer resets, although after a
// PROTOCOL_ERROR the origin may well have acted. Every request that reaches the wire must
// pass the limiter and the retry policy, so the attempt stops there instead: the policy
// retries idempotent requests (through the limiter, after a backoff) and returns this
// error for a POST, which Gem may have carried out.
var errResendRefused = errors.New("the server or a proxy reset the HTTP/2 stream after the request was sent, and the transport was about to send it again on its own; gemclient stopped it (Gem may have acted on the request; only the retry policy re-sends)")

// guardResends returns ctx with a client trace that cancels it, with errResendRefused as
// the cause, when the transport takes a connection to send the request again after an
// HTTP/2 send already wrote its headers to the wire. Call stop when the attempt ends.
//
// The check is deterministic for HTTP/2: the transport reports the connection (GotConn)
// before each send, and checks the context before it writes the headers. HTTP/1 sends are
// recognised by their "Host" header line (net/http's Request.write reports it first; an
// HTTP/2 transport reports ":authority" and lower-case names instead) and are left alone:
// net/http re-sends them only on a reused connection, and a non-idempotent request only
// when nothing of it was written. A transport that reports nothing to httptrace is not
// guarded (and none but Go's HTTP/2 re-sends by itself).
func guardResends(ctx context.Context) (guarded context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	g := &resendGuard{cancel: cancel}
	trace := &httptrace.ClientTrace{
		GotConn:          g.gotConn,
		WroteHeaderField: g.wroteHeaderField,
		WroteHeaders:     g.wroteHeaders,
	}
	return httptrace.WithClientTrace(ctx, trace), func() { cancel(nil) }
}

// resendRefused replaces the error of a send the guard stopped (a context cancellation
// as far as the transport knows) with errResendRefused.
func resendRefused(guarded context.Context, err error) error {
	if cause := context.Cause(guarded); errors.Is(cause, errResendRefused) {
		return cause
	}
	return err
}

// resendGuard is the state of one attempt's sends. The hooks run on the transport's
// goroutines: GotConn on the caller's before each send, the write hooks on the writer's
// after it; the transport orders them (a send's hooks fire before the next GotConn).
type resendGuard struct {
	cancel context.CancelCauseFunc
	http1  atomic.Bool // the current send is HTTP/1: it reported its Host line
	sent   atomic.Bool // an HTTP/2 send wrote its headers: the server may have the request
}

func (g *resendGuard) gotConn(httptrace.GotConnInfo) {
	if g.sent.Load() {
		g.cancel(errResendRefused)
	}
	g.http1.Store(false)
}

func (g *resendGuard) wroteHeaderField(name string, _ []string) {
	if name == "Host" {
		g.http1.Store(true)
	}
}

func (g *resendGuard) wroteHeaders() {
	if !g.http1.Load() {
		g.sent.Store(true)
	}
}
