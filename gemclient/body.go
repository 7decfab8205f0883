package gemclient

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxResponseBytes bounds a 2xx body (WithMaxResponseBytes): 16 MiB, sized to
// the largest answer Gem can give rather than to what a process can bear. A page of 100
// realistic candidates is 110 KB, and 4.0 MB with every field at its longest (both
// reported by BenchmarkDecodeShape); the largest page the document allows is 100 notes
// of 10,000 characters (NoteCreate.content's maxLength), 12.0 MB if Gem escapes every
// character beyond ASCII as Flask's JSON does by default (\uXXXX, two of them for an
// emoji; TestShapeBoundsKeepRealAnswers reads such a page). Every other answer is one
// object or a short list. The decoded value is bounded too, by counting the body's array
// elements before decoding (decodebound.go). The default was 64 MiB, at which a
// compressed run of one byte cost 64 MiB to read and as much again to decode.
const DefaultMaxResponseBytes = 16 << 20

// maxPresize bounds the buffer allocated from a Content-Length before any byte has
// arrived: the header is the server's claim, not the body.
const maxPresize = 1 << 20

// ResponseTooLargeError is a 2xx answer refused for its size, which is not retried:
//
//   - its body, decompressed, is longer than the limit set by WithMaxResponseBytes
//     (default DefaultMaxResponseBytes); Array is then empty and Limit counts bytes;
//   - or, counted before decoding, one of its arrays holds more elements than Limit:
//     a page more items than the page size asked for, any other array more than the
//     SDK's bound (10,000, or the document's maxItems when larger), or all arrays
//     together more than one element per 256 bytes of the byte limit (at least 16,384). Array names the
//     array and Bound what sets Limit. Each element of `[{},{},...]` costs 3 bytes and
//     decodes into a whole struct: without this, a few KB of gzip decoded into GBs.
//
// Bodies of non-2xx answers are cut at 1 MiB instead (APIError.Body).
type ResponseTooLargeError struct {
	// Limit is the limit: in bytes, or in array elements when Array is set.
	Limit int64
	// ContentLength is the length the server declared, or -1 when it declared none
	// and the body ran past the limit (or the body was refused for its elements).
	ContentLength int64
	// Array names the array with too many elements as a JSON path: "$" for the body's
	// own array (a page), "$[3].emails" below it (keys the API document does not
	// declare are "[?]"), or "all arrays together". Empty for the byte limit.
	Array string
	// Bound says what sets Limit when Array is set, e.g. "the page size asked for
	// (page_size=20)".
	Bound string
}

// Error names the limit and what sets it.
func (e *ResponseTooLargeError) Error() string {
	switch {
	case e.Array == "$":
		return fmt.Sprintf("the answer's list holds more than %d elements, %s; refused before decoding", e.Limit, e.Bound)
	case e.Array == allArrays:
		return fmt.Sprintf("the answer's arrays hold more than %d elements together, %s; refused before decoding", e.Limit, e.Bound)
	case e.Array != "":
		return fmt.Sprintf("the answer's array %s holds more than %d elements, %s; refused before decoding", e.Array, e.Limit, e.Bound)
	case e.ContentLength >= 0:
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
