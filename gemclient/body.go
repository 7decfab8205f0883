package gemclient

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxResponseBytes bounds a 2xx body (WithMaxResponseBytes): far above any page
// of Gem's (100 candidates are about 100 KB), far below what would hurt a process.
const DefaultMaxResponseBytes = 64 << 20

// maxPresize bounds the buffer allocated from a Content-Length before any byte has
// arrived: the header is the server's claim, not the body.
const maxPresize = 1 << 20

// ResponseTooLargeError is a 2xx answer whose body, decompressed, is longer than the
// limit set by WithMaxResponseBytes (default DefaultMaxResponseBytes); such an answer
// is not retried. Bodies of non-2xx answers are cut at 1 MiB instead (APIError.Body).
type ResponseTooLargeError struct {
	Limit int64 // the limit in bytes
	// ContentLength is the length the server declared, or -1 when it declared none
	// and the body ran past the limit.
	ContentLength int64
}

// Error names the limit and the option that sets it.
func (e *ResponseTooLargeError) Error() string {
	if e.ContentLength >= 0 {
		return fmt.Sprintf("the response body (Content-Length %d) exceeds the limit of %d bytes; raise it with WithMaxResponseBytes", e.ContentLength, e.Limit)
	}
	return fmt.Sprintf("the response body exceeds the limit of %d bytes; raise it with WithMaxResponseBytes", e.Limit)
}

// readSuccessBody reads a 2xx body into a pooled buffer, at most limit bytes of it
// after transparent decompression. A body that declares or turns out to be longer is a
// *ResponseTooLargeError; nothing beyond limit+1 bytes is read, and the buffer grows by
// doubling up to limit, never past it (bytes.Buffer.ReadFrom would double it once more).
func readSuccessBody(resp *http.Response, limit int64) (*bytes.Buffer, error) {
	if resp.ContentLength > limit {
		return nil, &ResponseTooLargeError{Limit: limit, ContentLength: resp.ContentLength}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	if resp.ContentLength > 0 {
		buf.Grow(int(min(resp.ContentLength, maxPresize, limit)))
	}
	for {
		left := limit - int64(buf.Len())
		if left == 0 {
			return buf, probeEnd(resp.Body, buf, limit)
		}
		if buf.Available() == 0 {
			buf.Grow(int(min(int64(max(buf.Len(), bytes.MinRead)), left)))
		}
		chunk := buf.AvailableBuffer()
		n, err := resp.Body.Read(chunk[:min(int64(cap(chunk)), left)])
		buf.Write(chunk[:n]) // in place: chunk is the buffer's free space
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			recycle(buf)
			return nil, fmt.Errorf("reading the response body: %w", err)
		}
	}
}

// probeEnd checks that a body of exactly limit bytes ends there, with a one-byte read
// rather than more room in buf; on failure buf goes back to the pool.
func probeEnd(body io.Reader, buf *bytes.Buffer, limit int64) error {
	var one [1]byte
	switch _, err := io.ReadFull(body, one[:]); err {
	case io.EOF:
		return nil
	case nil:
		recycle(buf)
		return &ResponseTooLargeError{Limit: limit, ContentLength: -1}
	default:
		recycle(buf)
		return fmt.Errorf("reading the response body: %w", err)
	}
}

// recycle returns buf to the pool, unless it is large: a rare huge buffer is left to the
// GC rather than pinned for the next small page.
func recycle(buf *bytes.Buffer) {
	if buf.Cap() <= 8<<20 {
		bodyBuffers.Put(buf)
	}
}
