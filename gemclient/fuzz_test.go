package gemclient_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// fuzzServer is a RoundTripper that answers every request with the same status, header
// lines ("Name: value", one a line) and body, in which the markers $KEY and $SECRET stand
// for the credentials the request carried, as an echoing proxy would send them.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	header string
	body   []byte
	calls  atomic.Int64
}

func (s *fuzzServer) RoundTrip(r *http.Request) (*http.Response, error) {
	s.calls.Add(1)
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	s.mu.Lock()
	status, header, body := s.status, s.header, string(s.body)
	s.mu.Unlock()
	echo := strings.NewReplacer("$KEY", r.Header.Get("X-API-Key"), "$SECRET", r.Header.Get("X-Application-Secret"))
	resp := &http.Response{
		StatusCode: status, Status: strconv.Itoa(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, ContentLength: -1, Request: r,
	}
	for _, line := range strings.Split(header, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			continue
		}
		value = echo.Replace(strings.TrimSpace(value))
		resp.Header.Add(name, value)
		if http.CanonicalHeaderKey(name) == "Content-Length" {
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 {
				resp.ContentLength = n // a server may lie about it
			}
		}
	}
	resp.Body = io.NopCloser(strings.NewReader(echo.Replace(body)))
	return resp, nil
}

// FuzzResponseHandling feeds arbitrary answers (status, header, body) to the client's
// pipeline through a RoundTripper, for a read, a create, one page and a whole walk. Its
// seeds run in every `go test`; `make fuzz` runs it for longer. Whatever the answer:
//
//   - nothing panics and every call returns;
//   - a non-2xx status is an *APIError with that status, whose Error() is one short line
//     without control characters;
//   - the credentials, even when the server echoes them, appear in no error;
//   - a 2xx body over WithMaxResponseBytes is a *ResponseTooLargeError;
//   - a walk over a server that answers the same page every time ends after at most two
//     pages' requests.
func FuzzResponseHandling(f *testing.F) {
	const (
		maxRetries = 1
		maxBody    = 64 << 10
	)
	candidate := `{"id":"c1","first_name":"Ada"}`
	for _, seed := range []struct {
		status int
		header string
		body   string
	}{
		{200, "Content-Type: application/json", candidate},
		{201, "Content-Type: application/json", `{"id":"n1","candidate_id":"c1","user_id":"u1","content":"hi","timestamp":1}`},
		{200, `X-Pagination: {"total":2,"total_pages":1,"first_page":1,"last_page":1,"page":1}`, `[{"id":"c1"},{"id":"c2"}]`},
		{200, `X-Pagination: {"total":4,"total_pages":2,"first_page":1,"last_page":2,"page":1,"next_page":2}`, `[{"id":"c1"},{"id":"c2"}]`},
		{200, "", `[{"id":"c1"},{"id":"c2"}]`}, // no header, always a full page
		{200, `X-Pagination: {"total":0,"total_pages":0}`, `[]`},
		{200, `X-Pagination: $KEY`, `[{"id":"c1"}]`},
		{200, "Content-Length: 63000000", `{"id":"c1"}`},
		{200, "", `{"id":"` + strings.Repeat("x", maxBody) + `"}`},
		{200, "", `{"id":`},
		{204, "", ""},
		{400, "", `{"code":400,"status":"Bad Request","message":"key $KEY secret $SECRET","errors":{"json":{"x":["$KEY"]}}}`},
		{403, "", `{"message":"Forbidden"}`},
		{422, "", `{"code":422,"errors":{"json":{"created_by":["Missing data for required field."]}}}`},
		{429, "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT", `{"message":"Too Many Requests"}`},
		{429, "Retry-After: 0", `{"message":"Limit Exceeded"}`},
		{502, "Content-Type: text/html", "<html>\x1b[31mBad Gateway\x07 $KEY\r\n</html>"},
		{503, "Retry-After: -1", ""},
		{301, "Location: https://elsewhere.example/$KEY", ""},
		{100, "", ""},
		{999, "", "\xff\xfe"},
	} {
		f.Add(seed.status, seed.header, []byte(seed.body))
	}

	srv := &fuzzServer{}
	c, err := gemclient.New(testKey, gemclient.WithApplicationSecret(testSecret),
		gemclient.WithBaseURL("https://gem.example"), gemclient.WithHTTPClient(&http.Client{Transport: srv}),
		gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)), gemclient.WithMaxRetries(maxRetries),
		gemclient.WithMaxResponseBytes(maxBody))
	if err != nil {
		f.Fatal(err)
	}
	gemclient.SetSleep(c, func(ctx context.Context, _ time.Duration) error { return ctx.Err() })

	f.Fuzz(func(t *testing.T, status int, header string, body []byte) {
		if status < 100 || status > 999 {
			t.Skip("not an HTTP status")
		}
		srv.mu.Lock()
		srv.status, srv.header, srv.body = status, header, body
		srv.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sent := len(strings.NewReplacer("$KEY", testKey, "$SECRET", testSecret).Replace(string(body)))

		check := func(what string, err error) {
			if err == nil {
				if status < 200 || status > 299 || sent > maxBody {
					t.Errorf("%s: status %d with a %d-byte body succeeded", what, status, sent)
				}
				return
			}
			msg := err.Error()
			for _, secret := range []string{testKey, testSecret, testKey[:20], testSecret[:20]} {
				if strings.Contains(msg, secret) {
					t.Fatalf("%s: credential in the error: %q", what, msg)
				}
			}
			var apiErr *gemclient.APIError
			if errors.As(err, &apiErr) {
				if apiErr.StatusCode != status {
					t.Errorf("%s: APIError status %d, answered %d", what, apiErr.StatusCode, status)
				}
				line := apiErr.Error()
				if len(line) > 2000 || strings.ContainsFunc(line, unicode.IsControl) {
					t.Errorf("%s: Error() is not one short line: %q", what, line)
				}
				for _, secret := range []string{testKey, testSecret} {
					if strings.Contains(apiErr.Message+string(apiErr.Body)+string(apiErr.Errors), secret) {
						t.Fatalf("%s: credential in the APIError's fields", what)
					}
				}
			} else if status >= 300 && status <= 399 {
				return // net/http refuses some redirects itself (a bad Location)
			} else if (status < 200 || status > 299) && ctx.Err() == nil {
				t.Errorf("%s: status %d gave %T, not an *APIError: %v", what, status, err, err)
			}
			if status >= 200 && status <= 299 && sent > maxBody {
				var tooLarge *gemclient.ResponseTooLargeError
				if !errors.As(err, &tooLarge) {
					t.Errorf("%s: %d-byte body: %v", what, sent, err)
				}
			}
		}

		_, err := c.GetCandidate(ctx, "c1")
		check("GetCandidate", err)
		_, err = c.CreateNote(ctx, gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "hi"})
		check("CreateNote", err)
		_, _, err = c.ListCandidates(ctx, nil)
		var pageErr *gemclient.PageInfoError
		if errors.As(err, &pageErr) {
			if strings.Contains(pageErr.Header, testKey[:20]) || strings.Contains(err.Error(), testKey[:20]) {
				t.Fatalf("credential in the *PageInfoError: %q", err)
			}
		} else {
			check("ListCandidates", err)
		}

		before := srv.calls.Load()
		n := 0
		for _, err := range c.ListCandidatesAll(ctx, nil, gemclient.PageSize(2)) {
			if err != nil {
				break
			}
			if n++; n > 1000 {
				t.Fatal("the walk does not end")
			}
		}
		if calls := srv.calls.Load() - before; calls > 2*(maxRetries+1) {
			t.Errorf("a walk over one repeated answer made %d requests", calls)
		}
	})
}
