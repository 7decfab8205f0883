package gemtest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A bucket that has refilled to the burst is the same as a new one, so the limiter drops
// it: keys seen once and then idle for burst/rate leave no state behind.
func TestLimiterDropsFullBuckets(t *testing.T) {
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	l := newLimiter(2, 3, clock.Now, 1000)
	for i := range 300 {
		ok, _ := l.allow("key" + strconv.Itoa(i))
		require.True(t, ok)
	}
	assert.Equal(t, 300, l.keys(), "each key has 2 of 3 tokens: none is full yet")
	clock.Advance(time.Second / 2) // one token back: all full again
	ok, _ := l.allow("another")
	require.True(t, ok)
	assert.Equal(t, 1, l.keys(), "only the key just used is kept")
}

// A bucket that is not full is kept however many other keys come and go, so dropping
// state never lifts a key's throttle early.
func TestLimiterKeepsThrottledKeys(t *testing.T) {
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	l := newLimiter(2, 3, clock.Now, 1000)
	for range 3 {
		ok, _ := l.allow("busy")
		require.True(t, ok)
	}
	for i := range 400 {
		clock.Advance(time.Millisecond)
		l.allow("other" + strconv.Itoa(i))
	}
	ok, wait := l.allow("busy")
	assert.False(t, ok, "still throttled after 400 other keys")
	assert.Positive(t, wait)
}

// However many keys are busy at once, at most max buckets are kept.
func TestLimiterIsBounded(t *testing.T) {
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	l := newLimiter(2, 3, clock.Now, 50)
	for i := range 1000 {
		l.allow("key" + strconv.Itoa(i)) // the clock stands still: no bucket refills
		require.LessOrEqual(t, l.keys(), 50)
	}
}

// Through the fake: keys longer than the gateway's longest (128 characters) are its 403
// and leave no state; 300 keys of 512 KB used to stay in memory for good (149 MB). 300 of
// 4 KB show the same (512 KB ones cost make test 4 s of CPU under -race for nothing more).
// Keys within the limit leave nothing behind once their buckets refill.
func TestRateLimitStateIsBounded(t *testing.T) {
	clock := NewManualClock(time.Unix(1_700_000_000, 0))
	f, err := New(WithClock(clock.Now))
	require.NoError(t, err)
	get := func(key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/v0/sequences", nil)
		req.Header.Set("X-API-Key", key)
		w := httptest.NewRecorder()
		f.ServeHTTP(w, req)
		return w
	}
	for i := range 300 {
		w := get(strconv.Itoa(i) + strings.Repeat("k", 4<<10))
		require.Equal(t, http.StatusForbidden, w.Code)
		require.JSONEq(t, `{"message":"Forbidden"}`, w.Body.String())
	}
	assert.Zero(t, f.limiter.keys())
	assert.Equal(t, http.StatusOK, get(strings.Repeat("k", maxKeyLength)).Code, "128 characters is a key")
	assert.Equal(t, http.StatusForbidden, get(strings.Repeat("k", maxKeyLength+1)).Code)

	for i := range 2000 {
		require.Equal(t, http.StatusOK, get(strconv.Itoa(i)+strings.Repeat("k", 39)).Code)
	}
	clock.Advance(time.Duration(DefaultBurst/DefaultRatePerSecond) * time.Second)
	require.Equal(t, http.StatusOK, get("last").Code)
	assert.Equal(t, 1, f.limiter.keys())

	_, err = New(WithAPIKeys(strings.Repeat("k", maxKeyLength+1)))
	assert.ErrorContains(t, err, "longer than 128")
}

// keys is how many keys have a bucket (for the tests).
func (l *limiter) keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
