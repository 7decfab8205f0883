package gemclient_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// tooLarge asserts err is a *ResponseTooLargeError for limit, named in the message.
func tooLarge(t *testing.T, err error, limit int64) *gemclient.ResponseTooLargeError {
	t.Helper()
	var e *gemclient.ResponseTooLargeError
	require.True(t, errors.As(err, &e), "want *ResponseTooLargeError, got %v", err)
	assert.Equal(t, limit, e.Limit)
	assert.Contains(t, err.Error(), "WithMaxResponseBytes")
	assert.Contains(t, err.Error(), "GetCandidate (GET /v0/candidates/c1)")
	return e
}

// A 2xx body that never ends is cut at the limit, fails with a typed error naming it,
// and is not retried.
func TestEndlessSuccessBodyIsCut(t *testing.T) {
	const limit = 1 << 20
	var wrote atomic.Int64
	chunk := []byte(strings.Repeat("a", 32<<10))
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id":"`)
		for wrote.Load() < 64<<20 { // bounded, for the failure before the fix
			n, err := w.Write(chunk)
			wrote.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c := newClient(t, s, gemclient.WithMaxResponseBytes(limit))
	err := getCandidate(c)
	e := tooLarge(t, err, limit)
	assert.Equal(t, int64(-1), e.ContentLength)
	assert.Equal(t, 1, s.Count(), "not retried")
	assert.Less(t, wrote.Load(), int64(64<<20), "the client stopped reading")
}

// Decompression happens below the SDK (net/http asks for gzip): the limit counts the
// decompressed bytes, so a small bomb cannot grow the heap.
func TestGzipBombIsCut(t *testing.T) {
	const limit = 1 << 20
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"id":"c1","first_name":"`))
	_, _ = zw.Write(bytes.Repeat([]byte("a"), 4<<20)) // valid JSON: the call would succeed
	_, _ = zw.Write([]byte(`"}`))
	require.NoError(t, zw.Close())
	require.Less(t, gz.Len(), 64<<10)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(gz.Bytes())
	})
	c := newClient(t, s, gemclient.WithMaxResponseBytes(limit))
	tooLarge(t, getCandidate(c), limit)
}

// A Content-Length beyond the limit fails before the body is read.
func TestDeclaredLengthOverLimitFails(t *testing.T) {
	const limit = 1 << 20
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 63000000\r\n\r\n{\"id\":\"c1\"}")
		_ = bw.Flush()
	})
	c := newClient(t, s, gemclient.WithMaxResponseBytes(limit), gemclient.WithMaxRetries(0))
	e := tooLarge(t, getCandidate(c), limit)
	assert.Equal(t, int64(63000000), e.ContentLength)
}

// A body of exactly the limit is accepted; the default is 16 MiB; the option refuses
// nonsense.
func TestMaxResponseBytesBoundary(t *testing.T) {
	t.Run("unknown length", func(t *testing.T) { testMaxResponseBytesBoundary(t, true) })
	t.Run("Content-Length", func(t *testing.T) { testMaxResponseBytesBoundary(t, false) })
}

func testMaxResponseBytesBoundary(t *testing.T, chunked bool) {
	body := `{"id":"c1","title":"` + strings.Repeat("t", 200_000) + `"}` // several reads and growths
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		writeJSON(w, http.StatusOK, body)
	})
	c := newClient(t, s, gemclient.WithMaxResponseBytes(int64(len(body))))
	cand, err := c.GetCandidate(context.Background(), "c1")
	require.NoError(t, err)
	assert.Equal(t, gemclient.Ptr("c1"), cand.ID)

	c = newClient(t, s, gemclient.WithMaxResponseBytes(int64(len(body)-1)))
	tooLarge(t, getCandidate(c), int64(len(body)-1))

	assert.Equal(t, 16<<20, gemclient.DefaultMaxResponseBytes)
	for _, n := range []int64{0, -1} {
		_, err := gemclient.New(testKey, gemclient.WithMaxResponseBytes(n))
		assert.ErrorContains(t, err, "WithMaxResponseBytes")
	}
}
