package otelgem_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gem-go/gem-go/contrib/otelgem"
	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// telemetry is an Observer wired to an in-memory span recorder and a manual reader.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	obs    *otelgem.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	obs, err := otelgem.New(otelgem.WithTracerProvider(tel.tp), otelgem.WithMeterProvider(mp))
	require.NoError(t, err)
	tel.obs = obs
	return tel
}

// metrics collects what the reader has, by instrument name.
func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, otelgem.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func sum(t *testing.T, agg metricdata.Aggregation) int64 {
	if agg == nil {
		return 0
	}
	s, ok := agg.(metricdata.Sum[int64])
	require.True(t, ok, "%T", agg)
	var n int64
	for _, dp := range s.DataPoints {
		n += dp.Value
	}
	return n
}

func histogram(t *testing.T, agg metricdata.Aggregation) (count uint64, total float64, points []metricdata.HistogramDataPoint[float64]) {
	h, ok := agg.(metricdata.Histogram[float64])
	require.True(t, ok, "%T", agg)
	for _, dp := range h.DataPoints {
		count += dp.Count
		total += dp.Sum
	}
	return count, total, h.DataPoints
}

func attr(kvs []attribute.KeyValue, key string) (attribute.Value, bool) {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

const (
	privateEmail = "ada.private.lovelace@example.org" // a query value
	noteBody     = "confidential note 7Hq2"           // a request body
)

// Against the fake with injected 429s (with and without Retry-After) and 5xx, through
// the default (pausing) limiter: every call is a span under the caller's, and the
// retries, 429s, pauses and limiter waits recorded are exactly what the fake counted.
func TestTelemetryMatchesTheFake(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"), gemtest.WithRateLimit(100, 10), gemtest.WithFaults(gemtest.Faults{
		Seed:                      3,
		TooManyRequests:           0.12,
		TooManyRequestsRetryAfter: 0.03,
		InternalError:             0.05,
		BadGateway:                0.05,
		Unavailable:               0.05,
	}))
	tel := newTelemetry(t)
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithObserver(tel.obs),
		gemclient.WithRateLimit(100, 10), gemclient.WithBackoff(time.Millisecond, 2*time.Second), gemclient.WithMaxRetries(10))
	require.NoError(t, err)

	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "sync")
	cands := srv.Fake.Candidates()
	require.NotEmpty(t, cands)
	calls, failed := 0, 0
	for i := range 60 {
		calls++
		switch i % 3 {
		case 0:
			_, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{Email: gemclient.Ptr(privateEmail), PageSize: gemclient.Ptr(5)})
		case 1:
			_, err = c.GetCandidate(ctx, *cands[i%len(cands)].ID)
		case 2:
			_, err = c.CreateNote(ctx, gen.NoteCreate{CandidateID: *cands[0].ID, UserID: srv.UserID, Content: noteBody})
		}
		if err != nil {
			// Only a create that hit a 5xx may fail: Gem may have acted, so it is not
			// repeated.
			var apiErr *gemclient.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, 2, i%3, "%v", err)
			require.GreaterOrEqual(t, apiErr.StatusCode, 500)
			failed++
		}
	}
	parent.End()

	stats := srv.Fake.Stats()
	t.Logf("fake: %+v; %d calls, %d failed", stats, calls, failed)
	tooMany := stats.RateLimited + stats.Faults[gemtest.FaultTooManyRequests] + stats.Faults[gemtest.FaultTooManyRequestsRetryAfter]
	require.Positive(t, stats.Faults[gemtest.FaultTooManyRequests])
	require.Positive(t, stats.Faults[gemtest.FaultTooManyRequestsRetryAfter])
	require.Positive(t, stats.Faults[gemtest.FaultInternalError]+stats.Faults[gemtest.FaultBadGateway]+stats.Faults[gemtest.FaultUnavailable])
	retries := stats.Requests - int64(calls)

	// Spans: one per call, under the caller's, resends adding up to the retries.
	var spans []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() != "sync" {
			spans = append(spans, s)
		}
	}
	require.Len(t, spans, calls)
	var resends, events429, paused, pausedForRetryAfter, errorSpans int64
	for _, s := range spans {
		assert.Equal(t, trace.SpanKindClient, s.SpanKind())
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID(), "%s nests under the caller's span", s.Name())
		assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
		a := s.Attributes()
		op, _ := attr(a, "gem.operation.id")
		assert.Equal(t, s.Name(), op.AsString())
		method, _ := attr(a, "http.request.method")
		tmpl, _ := attr(a, "url.template")
		switch s.Name() {
		case "ListCandidates":
			assert.Equal(t, "GET /v0/candidates", method.AsString()+" "+tmpl.AsString())
		case "GetCandidate":
			assert.Equal(t, "GET /v0/candidates/{candidate_id}", method.AsString()+" "+tmpl.AsString())
		case "CreateNote":
			assert.Equal(t, "POST /v0/notes", method.AsString()+" "+tmpl.AsString())
		default:
			t.Errorf("unexpected span %q", s.Name())
		}
		addr, _ := attr(a, "server.address")
		assert.Equal(t, "127.0.0.1", addr.AsString())
		_, hasPort := attr(a, "server.port")
		assert.True(t, hasPort)
		status, ok := attr(a, "http.response.status_code")
		require.True(t, ok)
		if n, ok := attr(a, "http.request.resend_count"); ok {
			assert.Positive(t, n.AsInt64())
			resends += n.AsInt64()
		}
		if errType, ok := attr(a, "error.type"); ok {
			errorSpans++
			assert.Equal(t, fmt.Sprint(status.AsInt64()), errType.AsString())
			assert.Equal(t, codes.Error, s.Status().Code)
		} else {
			assert.Less(t, status.AsInt64(), int64(300))
			assert.Equal(t, codes.Unset, s.Status().Code)
		}
		for _, e := range s.Events() {
			require.Equal(t, otelgem.AttemptEvent, e.Name)
			if st, _ := attr(e.Attributes, "http.response.status_code"); st.AsInt64() == 429 {
				events429++
				p, _ := attr(e.Attributes, "gem.limiter.paused")
				w, _ := attr(e.Attributes, "gem.retry.wait")
				if p.AsBool() {
					paused++
					if w.AsFloat64() == 1 { // the fake's Retry-After
						pausedForRetryAfter++
					}
				}
			}
		}
	}
	assert.Equal(t, retries, resends, "resend counts add up to the fake's extra requests")
	assert.Equal(t, tooMany, events429, "a 429 event per 429 the fake sent")
	assert.Equal(t, tooMany, paused, "every 429 paused the default limiter")
	assert.Equal(t, stats.Faults[gemtest.FaultTooManyRequestsRetryAfter], pausedForRetryAfter, "each for the fake's Retry-After of 1 s")
	assert.Equal(t, int64(failed), errorSpans)

	// Metrics.
	m := tel.metrics(t)
	assert.Equal(t, retries, sum(t, m[otelgem.RetriesMetric]))
	assert.Equal(t, tooMany, sum(t, m[otelgem.RateLimitedMetric]))
	waits, waited, _ := histogram(t, m[otelgem.LimiterWaitMetric])
	assert.Equal(t, uint64(stats.Requests), waits, "one limiter wait per request the fake saw")
	assert.Positive(t, waited)
	n, _, points := histogram(t, m[otelgem.CallDurationMetric])
	assert.Equal(t, uint64(calls), n)
	var failedPoints uint64
	for _, dp := range points {
		if _, ok := dp.Attributes.Value("error.type"); ok {
			failedPoints += dp.Count
		}
		op, _ := dp.Attributes.Value("gem.operation.id")
		assert.Contains(t, []string{"ListCandidates", "GetCandidate", "CreateNote"}, op.AsString())
	}
	assert.Equal(t, uint64(failed), failedPoints)

	assertNothingPrivate(t, srv.APIKey, spans, m)
}

// assertNothingPrivate checks every name, attribute and status of the spans and every
// metric attribute against the key, the query value and the bodies sent and received.
func assertNothingPrivate(t *testing.T, key string, spans []sdktrace.ReadOnlySpan, m map[string]metricdata.Aggregation) {
	t.Helper()
	allowed := map[string]bool{"http.request.method": true, "url.template": true, "server.address": true, "server.port": true,
		"http.response.status_code": true, "error.type": true, "http.request.resend_count": true, "gem.operation.id": true,
		"gem.retry.wait": true, "gem.limiter.paused": true, "gem.limiter.wait": true}
	secrets := []string{key, privateEmail, "private", noteBody, "confidential", "Too Many Requests", "message"}
	var all []string
	check := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			assert.True(t, allowed[string(kv.Key)], "unexpected attribute %s", kv.Key)
			all = append(all, string(kv.Key)+"="+kv.Value.String())
		}
	}
	for _, s := range spans {
		all = append(all, s.Name(), s.Status().Description)
		check(s.Attributes())
		for _, e := range s.Events() {
			all = append(all, e.Name)
			check(e.Attributes)
		}
	}
	for _, agg := range m {
		switch d := agg.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				check(dp.Attributes.ToSlice())
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				check(dp.Attributes.ToSlice())
			}
		}
	}
	text := strings.Join(all, "\n")
	for _, s := range secrets {
		assert.NotContains(t, text, s)
	}
}

// A call that ends waiting for the limiter still ends its span and records its wait.
func TestCallEndingInTheLimiter(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"))
	tel := newTelemetry(t)
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithObserver(tel.obs), gemclient.WithRateLimit(0.001, 1))
	require.NoError(t, err)
	id := *srv.Fake.Candidates()[0].ID
	_, err = c.GetCandidate(context.Background(), id)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.GetCandidate(ctx, id) // the next token is 1000 s away: refused at once
	require.Error(t, err)

	spans := tel.spans.Ended()
	require.Len(t, spans, 2)
	et, _ := attr(spans[1].Attributes(), "error.type")
	assert.Equal(t, "rate_limiter", et.AsString())
	_, hasStatus := attr(spans[1].Attributes(), "http.response.status_code")
	assert.False(t, hasStatus, "nothing was sent")
	assert.Equal(t, codes.Error, spans[1].Status().Code)
	m := tel.metrics(t)
	n, _, _ := histogram(t, m[otelgem.CallDurationMetric])
	assert.Equal(t, uint64(2), n)
	assert.Equal(t, int64(1), srv.Fake.Stats().Requests)
}

// A 404 is an error span with error.type "404", and no retry is counted.
func TestNotFoundSpan(t *testing.T) {
	srv := gemtest.NewServer(t)
	tel := newTelemetry(t)
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithObserver(tel.obs))
	require.NoError(t, err)
	_, err = c.GetCandidate(context.Background(), "Y2FuZGlkYXRlczo5OTk5")
	require.True(t, gemclient.IsNotFound(err))
	spans := tel.spans.Ended()
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, "GetCandidate", s.Name())
	st, _ := attr(s.Attributes(), "http.response.status_code")
	assert.Equal(t, int64(404), st.AsInt64())
	et, _ := attr(s.Attributes(), "error.type")
	assert.Equal(t, "404", et.AsString())
	_, resent := attr(s.Attributes(), "http.request.resend_count")
	assert.False(t, resent)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Len(t, s.Events(), 1)
	m := tel.metrics(t)
	assert.Zero(t, sum(t, m[otelgem.RetriesMetric]))
	assert.Zero(t, sum(t, m[otelgem.RateLimitedMetric]))
}

// Without providers New uses the global ones (no-ops by default) and the Client works.
func TestGlobalProviders(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"))
	obs, err := otelgem.New()
	require.NoError(t, err)
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithObserver(obs))
	require.NoError(t, err)
	_, _, err = c.ListCandidates(context.Background(), nil)
	require.NoError(t, err)
}
