package gemclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// WithBackoff refuses a cap that would overflow the jitter (rand.N panicked on the first
// retry after WithBackoff(math.MaxInt64, math.MaxInt64)) or wait beyond a day; within the
// bounds, every wait stays under min(max, base·2ⁿ), however many retries.
func TestBackoffBounds(t *testing.T) {
	for _, b := range [][2]time.Duration{{math.MaxInt64, math.MaxInt64}, {time.Second, math.MaxInt64}, {time.Second, 24*time.Hour + 1}} {
		_, err := gemclient.New(testKey, gemclient.WithBackoff(b[0], b[1]))
		assert.ErrorContains(t, err, "WithBackoff", "%v", b)
	}

	const retries = 70 // past every shift width
	statuses := make([]int, retries)
	for i := range statuses {
		statuses[i] = 503
	}
	for _, b := range [][2]time.Duration{{1, 24 * time.Hour}, {24 * time.Hour, 24 * time.Hour}, {time.Hour, 24 * time.Hour}} {
		s := newServer(t, script(statuses, nil, `{"id":"c1"}`))
		c, rec := retryClient(t, s, gemclient.WithBackoff(b[0], b[1]), gemclient.WithMaxRetries(retries))
		require.NoError(t, getCandidate(c))
		waits := rec.all()
		require.Len(t, waits, retries)
		for n, w := range waits {
			ceiling := b[1]
			if n < 62 && b[0] <= b[1]>>n {
				ceiling = b[0] << n
			}
			assert.True(t, w >= 0 && w <= ceiling, "wait %d: %v, ceiling %v", n, w, ceiling)
		}
	}
}

// Retry-After is capped at a day in both of its forms: an HTTP-date in year 9999 asked
// for 2,562,047 hours (time.Duration's maximum) while "999999999" seconds gave 24 hours.
func TestRetryAfterIsCappedInBothForms(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, header := range []string{"Fri, 31 Dec 9999 23:59:59 GMT", now.Add(48 * time.Hour).Format(http.TimeFormat), "999999999"} {
		s := newServer(t, script([]int{429}, map[int]http.Header{0: {"Retry-After": {header}}}, `{}`))
		c, rec := retryClient(t, s)
		gemclient.SetNow(c, func() time.Time { return now })
		err := getCandidate(c)
		var apiErr *gemclient.APIError
		require.ErrorAs(t, err, &apiErr, header)
		assert.Equal(t, 24*time.Hour, apiErr.RetryAfter, header)
		assert.Empty(t, rec.all(), "returned to the caller, not waited")
	}
}

// Workers(n) starts at most 64 workers, and no more than there are pages left: 200,000
// goroutines were started for a 2-page list.
func TestWorkersAreClamped(t *testing.T) {
	for _, tc := range []struct{ total, workers, started int }{{200, 200000, 1}, {100 * 500, 200000, 64}, {1000, 5, 5}} {
		l := &list{total: tc.total}
		c := listClient(t, l)
		before := runtime.NumGoroutine()
		workers, extra, n := 0, 0, 0
		for _, err := range c.ListCandidatesAll(context.Background(), nil, gemclient.Workers(tc.workers)) {
			require.NoError(t, err)
			if n++; n == 101 { // the first item of page 2: the workers exist until the walk ends
				workers, extra = prefetchWorkers(t), runtime.NumGoroutine()-before
			}
		}
		assert.Equal(t, tc.total, n)
		t.Logf("%+v: %d workers, %d goroutines more while walking", tc, workers, extra)
		assert.Equal(t, tc.started, workers, "%+v", tc)
		// What else runs beside them (the HTTP connections' goroutines, client and server
		// side, and whatever earlier tests leave winding down) varies with the machine's
		// load; the bug was one goroutine per requested worker.
		assert.Less(t, extra, 1000, "%+v", tc)
	}
}

// prefetchWorkers counts the goroutines a walk's prefetcher started: those whose stack
// names startPrefetch as their creator.
func prefetchWorkers(t *testing.T) int {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "\ncreated by github.com/gem-go/gem-go/gemclient.startPrefetch[")
}

// Error() is one safe, short line whatever the server sends: Gem's message and field
// messages lose their control characters and terminal escapes and are shortened, while
// the APIError keeps the text as sent (Message, Body). It used to copy all of it (up to
// 1 MiB) verbatim.
func TestAPIErrorTextIsSanitised(t *testing.T) {
	message := "\x1b[2J\x1b]0;owned\x07Bad\r\nrequest\u202e " + strings.Repeat("x", 512<<10)
	body, err := json.Marshal(map[string]any{
		"code": 422, "status": "Unprocessable\x1b[5m Entity", "message": message,
		"errors": map[string]any{"json": map[string]any{"name\x1b[31m": []string{"bad\nvalue\x07"}}},
	})
	require.NoError(t, err)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 422, string(body)) })
	err = getCandidate(newClient(t, s))
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, message == apiErr.Message, "the field keeps the text as sent")
	assert.True(t, bytes.Equal(body, apiErr.Body), "the body is kept as sent")

	line := err.Error()
	require.Less(t, len(line), 4096, "short") // and not printed in full when it is not
	assert.LessOrEqual(t, utf8.RuneCountInString(line), 800, "short")
	assert.Contains(t, line, "422 Unprocessable Entity: Bad request xxx")
	assert.Contains(t, line, "…")
	assert.Contains(t, line, "name: bad value")
	for _, r := range line {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Fatalf("control character %U in %q", r, line)
		}
	}
}
