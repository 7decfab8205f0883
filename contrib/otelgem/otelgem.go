// Package otelgem traces and measures a gemclient.Client with OpenTelemetry.
//
//	obs, err := otelgem.New(otelgem.WithTracerProvider(tp), otelgem.WithMeterProvider(mp))
//	c, err := gemclient.New(key, gemclient.WithObserver(obs))
//
// Each call of an operation is one span of kind client, named after the operation
// ("ListCandidates"), a child of the span in the caller's context, with OpenTelemetry's
// HTTP client attributes: http.request.method, url.template (the document's path
// template, such as /v0/candidates/{candidate_id}), server.address, server.port,
// http.response.status_code, error.type, http.request.resend_count when the request was
// retried, and gem.operation.id. Every attempt that failed adds an event "gem.attempt"
// with its status or error type and the wait before the retry. The span's status is Error
// when the call failed (a 4xx included, as the conventions ask of clients).
//
// Metrics, each with gem.operation.id and http.request.method:
//
//	gem.client.call.duration  histogram, s        each call, waits and retries included;
//	                                              with http.response.status_code and error.type
//	gem.client.retries        counter, {retry}    each retry sent
//	gem.client.rate_limited   counter, {response} each 429 received
//	gem.client.limiter.wait   histogram, s        each wait for the client's rate limiter
//
// Nothing recorded holds the API key, the query string, a body or an error message:
// gemclient gives an Observer none of them. The full URL (url.full), which the
// conventions recommend, is left out for that reason: its path holds candidate and
// project ids, and url.template identifies the request.
package otelgem

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gem-go/gem-go/gemclient"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/gem-go/gem-go/contrib/otelgem"

// Attribute keys of the package's own.
const (
	// OperationKey is the operationId of Gem's document: "ListCandidates", ...
	OperationKey = attribute.Key("gem.operation.id")
	// RetryWaitKey is the wait before the next attempt, in seconds (on "gem.attempt").
	RetryWaitKey = attribute.Key("gem.retry.wait")
	// LimiterPausedKey reports that a 429 paused the client's rate limiter for every
	// caller, the retry waiting for it there (on "gem.attempt").
	LimiterPausedKey = attribute.Key("gem.limiter.paused")
	// LimiterWaitKey is the time the attempt waited for the rate limiter, in seconds
	// (on "gem.attempt").
	LimiterWaitKey = attribute.Key("gem.limiter.wait")
)

// Metric names.
const (
	CallDurationMetric = "gem.client.call.duration"
	RetriesMetric      = "gem.client.retries"
	RateLimitedMetric  = "gem.client.rate_limited"
	LimiterWaitMetric  = "gem.client.limiter.wait"
)

// AttemptEvent is the name of the span event each failed attempt adds.
const AttemptEvent = "gem.attempt"

// durationBuckets are the conventions' buckets for HTTP durations, extended to the
// longest a call waits and retries by default (30 s backoff cap).
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}

// Option configures New. As in gemclient, redislimit and gemtest, an option is a function
// that sets a field of the constructor's settings and may refuse a value; New returns the
// first refusal.
type Option func(*config) error

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets where spans go; the default is otel.GetTracerProvider() at New.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) error {
		if tp != nil {
			c.tp = tp
		}
		return nil
	}
}

// WithMeterProvider sets where metrics go; the default is otel.GetMeterProvider() at New.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) error {
		if mp != nil {
			c.mp = mp
		}
		return nil
	}
}

// Observer is a gemclient.Observer that records spans and metrics. It is safe for
// concurrent use, and one may serve several Clients.
type Observer struct {
	tracer       trace.Tracer
	callDuration metric.Float64Histogram
	retries      metric.Int64Counter
	rateLimited  metric.Int64Counter
	limiterWait  metric.Float64Histogram
}

var _ gemclient.Observer = (*Observer)(nil)

// New returns an Observer for gemclient.WithObserver. An instrument the meter refuses is
// reported to otel.Handle and replaced by a no-op one.
func New(opts ...Option) (*Observer, error) {
	cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	version := trace.WithInstrumentationVersion(gemclient.Version)
	meter := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(gemclient.Version))
	o := &Observer{tracer: cfg.tp.Tracer(ScopeName, version)}
	nop := noop.Meter{}
	var err error
	if o.callDuration, err = meter.Float64Histogram(CallDurationMetric, metric.WithUnit("s"),
		metric.WithDescription("Duration of Gem API calls, rate-limiter waits and retries included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		otel.Handle(err)
		o.callDuration, _ = nop.Float64Histogram(CallDurationMetric)
	}
	if o.retries, err = meter.Int64Counter(RetriesMetric, metric.WithUnit("{retry}"),
		metric.WithDescription("Requests to Gem's API sent again after a failed attempt.")); err != nil {
		otel.Handle(err)
		o.retries, _ = nop.Int64Counter(RetriesMetric)
	}
	if o.rateLimited, err = meter.Int64Counter(RateLimitedMetric, metric.WithUnit("{response}"),
		metric.WithDescription("429 Too Many Requests answers received from Gem's API.")); err != nil {
		otel.Handle(err)
		o.rateLimited, _ = nop.Int64Counter(RateLimitedMetric)
	}
	if o.limiterWait, err = meter.Float64Histogram(LimiterWaitMetric, metric.WithUnit("s"),
		metric.WithDescription("Time requests waited for the client's rate limiter, pauses after a 429 included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		otel.Handle(err)
		o.limiterWait, _ = nop.Float64Histogram(LimiterWaitMetric)
	}
	return o, nil
}

// callState is what a call's span needs beyond the span: the limiter waits recorded so
// far, so that EndCall can record a wait that ended the call.
type callState struct{ waited time.Duration }

type stateKey struct{}

// StartCall starts the call's span, a child of the span in ctx.
func (o *Observer) StartCall(ctx context.Context, call gemclient.CallInfo) context.Context {
	ctx, _ = o.tracer.Start(ctx, call.Operation, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		semconv.HTTPRequestMethodKey.String(call.Method),
		semconv.URLTemplate(call.PathTemplate),
		semconv.ServerAddress(call.ServerAddress),
		semconv.ServerPort(call.ServerPort),
		OperationKey.String(call.Operation),
	))
	return context.WithValue(ctx, stateKey{}, &callState{})
}

// EndAttempt counts retries, 429s and the limiter's wait, and adds an event for a failed
// attempt.
func (o *Observer) EndAttempt(ctx context.Context, call gemclient.CallInfo, a gemclient.AttemptInfo) {
	set := metric.WithAttributeSet(attribute.NewSet(OperationKey.String(call.Operation), semconv.HTTPRequestMethodKey.String(call.Method)))
	o.limiterWait.Record(ctx, a.LimiterWait.Seconds(), set)
	if st, ok := ctx.Value(stateKey{}).(*callState); ok {
		st.waited += a.LimiterWait
	}
	if a.Attempt > 1 {
		o.retries.Add(ctx, 1, set)
	}
	if a.StatusCode == 429 {
		o.rateLimited.Add(ctx, 1, set)
	}
	span := trace.SpanFromContext(ctx)
	if a.Attempt > 1 {
		span.SetAttributes(semconv.HTTPRequestResendCount(a.Attempt - 1))
	}
	if a.ErrorType == "" {
		return
	}
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestResendCount(a.Attempt - 1),
		semconv.ErrorTypeKey.String(a.ErrorType),
		LimiterWaitKey.Float64(a.LimiterWait.Seconds()),
	}
	if a.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(a.StatusCode))
	}
	if a.Retry {
		attrs = append(attrs, RetryWaitKey.Float64(a.RetryWait.Seconds()), LimiterPausedKey.Bool(a.LimiterPaused))
	}
	span.AddEvent(AttemptEvent, trace.WithAttributes(attrs...))
}

// EndCall ends the span and records the call's duration.
func (o *Observer) EndCall(ctx context.Context, call gemclient.CallInfo, r gemclient.CallResult) {
	var outcome []attribute.KeyValue
	if r.StatusCode != 0 {
		outcome = append(outcome, semconv.HTTPResponseStatusCode(r.StatusCode))
	}
	if r.ErrorType != "" {
		outcome = append(outcome, semconv.ErrorTypeKey.String(r.ErrorType))
	}
	op, method := OperationKey.String(call.Operation), semconv.HTTPRequestMethodKey.String(call.Method)
	o.callDuration.Record(ctx, r.Duration.Seconds(), metric.WithAttributeSet(attribute.NewSet(append([]attribute.KeyValue{op, method}, outcome...)...)))
	if st, ok := ctx.Value(stateKey{}).(*callState); ok && r.LimiterWait > st.waited {
		// The call ended waiting for the limiter (its context ended first).
		o.limiterWait.Record(ctx, (r.LimiterWait - st.waited).Seconds(), metric.WithAttributeSet(attribute.NewSet(op, method)))
	}
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(outcome...)
	if r.ErrorType != "" {
		span.SetStatus(codes.Error, r.ErrorType)
	}
	span.End()
}
