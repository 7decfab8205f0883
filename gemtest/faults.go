package gemtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults injects failures into the fake's API responses, for testing retries. Each share
// is the probability that a request gets that fault; the shares may sum to at most 1.
// Which request gets which fault is drawn from a generator seeded with Seed, one draw per
// API request in arrival order, so the same seed and the same sequence of requests give
// the same faults. Resume and data export downloads are never faulted.
//
// A dropped connection looks to Go's http.Transport like a stale keep-alive connection:
// it silently resends a GET (or a request with a replayable body and an Idempotency-Key
// header) that went out on a reused connection, so a client may not see every drop. Count
// them with Fake.Stats, or use a transport with DisableKeepAlives to see each one.
type Faults struct {
	// Seed seeds the fault generator.
	Seed int64
	// TooManyRequests is the share of 429s without Retry-After, in the gateway's body
	// {"message":"Too Many Requests"}.
	TooManyRequests float64
	// TooManyRequestsRetryAfter is the share of 429s with a Retry-After header.
	TooManyRequestsRetryAfter float64
	// RetryAfter is the Retry-After those 429s carry, in whole seconds (at least 1s;
	// default 1s).
	RetryAfter time.Duration
	// InternalError is the share of 500s in flask-smorest's shape.
	InternalError float64
	// BadGateway is the share of 502s in the gateway's shape.
	BadGateway float64
	// Unavailable is the share of 503s in the gateway's shape.
	Unavailable float64
	// DropBefore is the share of requests whose connection is closed before the fake
	// handles them: nothing happened, and the client gets no response.
	DropBefore float64
	// DropAfter is the share of requests whose connection is closed after the fake
	// handled them: the write happened, but the client gets no response.
	DropAfter float64
	// Latency is added to every API request (real time, not the fake's clock).
	Latency time.Duration
}

// UniformFaults spreads rate evenly over every kind of fault: 429 with and without
// Retry-After, 500, 502, 503, and connections dropped before and after the handler.
func UniformFaults(seed int64, rate float64) Faults {
	share := rate / 7
	return Faults{
		Seed:                      seed,
		TooManyRequests:           share,
		TooManyRequestsRetryAfter: share,
		InternalError:             share,
		BadGateway:                share,
		Unavailable:               share,
		DropBefore:                share,
		DropAfter:                 share,
	}
}

// Fault is a kind of injected failure.
type Fault int

// The kinds of Fault, in the order Faults draws them.
const (
	NoFault                        Fault = iota // served normally
	FaultTooManyRequests                        // 429 without Retry-After
	FaultTooManyRequestsRetryAfter              // 429 with Retry-After
	FaultInternalError                          // 500
	FaultBadGateway                             // 502
	FaultUnavailable                            // 503
	FaultDropBefore                             // connection closed before the handler
	FaultDropAfter                              // connection closed after the handler
)

const numFaults = FaultDropAfter + 1

var faultNames = [numFaults]string{"none", "429", "429+Retry-After", "500", "502", "503", "drop-before", "drop-after"}

// String names the fault ("429", "drop-after", ...).
func (k Fault) String() string {
	if k < 0 || k >= numFaults {
		return "Fault(" + strconv.Itoa(int(k)) + ")"
	}
	return faultNames[k]
}

func (f Faults) shares() [numFaults]float64 {
	return [numFaults]float64{
		FaultTooManyRequests:           f.TooManyRequests,
		FaultTooManyRequestsRetryAfter: f.TooManyRequestsRetryAfter,
		FaultInternalError:             f.InternalError,
		FaultBadGateway:                f.BadGateway,
		FaultUnavailable:               f.Unavailable,
		FaultDropBefore:                f.DropBefore,
		FaultDropAfter:                 f.DropAfter,
	}
}

func (f Faults) check() error {
	sum := 0.0
	for k, s := range f.shares() {
		if s < 0 || s > 1 {
			return fmt.Errorf("gemtest: Faults: share of %v is %v, want 0..1", Fault(k), s)
		}
		sum += s
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("gemtest: Faults: shares sum to %v, want at most 1", sum)
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("gemtest: Faults: negative duration")
	}
	return nil
}

func (f Faults) enabled() bool {
	for _, s := range f.shares() {
		if s > 0 {
			return true
		}
	}
	return false
}

// faultSource draws one Fault per request from the seeded generator.
type faultSource struct {
	mu     sync.Mutex
	rng    *rand.Rand
	faults Faults
	cum    [numFaults]float64
}

func newFaultSource(f Faults) *faultSource {
	s := &faultSource{faults: f, rng: rand.New(rand.NewPCG(uint64(f.Seed), 0x67656d74657374))}
	total := 0.0
	for k, share := range f.shares() {
		total += share
		s.cum[k] = total
	}
	return s
}

func (s *faultSource) next() Fault {
	if !s.faults.enabled() {
		return NoFault
	}
	s.mu.Lock()
	u := s.rng.Float64()
	s.mu.Unlock()
	for k := FaultTooManyRequests; k < numFaults; k++ {
		if u < s.cum[k] {
			return k
		}
	}
	return NoFault
}

// respond writes the response of an injected status fault. The 429 is the gateway's
// throttling body (docs/gem-api.md §2.6), the 500 flask-smorest's, and 502/503 the gateway's
// defaults for a failing or unavailable origin (AWS API Gateway; a guess for Gem).
func (s *faultSource) respond(w http.ResponseWriter, k Fault) {
	switch k {
	case FaultTooManyRequests:
		writeJSON(w, http.StatusTooManyRequests, gatewayBody("Too Many Requests"))
	case FaultTooManyRequestsRetryAfter:
		w.Header().Set("Retry-After", strconv.Itoa(wholeSeconds(s.faults.RetryAfter)))
		writeJSON(w, http.StatusTooManyRequests, gatewayBody("Too Many Requests"))
	case FaultInternalError:
		writeJSON(w, http.StatusInternalServerError, smorestBody(http.StatusInternalServerError, "", nil))
	case FaultBadGateway:
		writeJSON(w, http.StatusBadGateway, gatewayBody("Internal server error"))
	case FaultUnavailable:
		writeJSON(w, http.StatusServiceUnavailable, gatewayBody("Service Unavailable"))
	}
}

// wholeSeconds rounds d up to whole seconds, at least 1.
func wholeSeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}

// drop closes the client's connection without a response: by hijacking it where the
// server allows (HTTP/1), else by aborting the handler, which net/http turns into a
// closed connection or a reset stream.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// sleep waits d or until ctx is done; it reports whether the whole wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
