package gemclient

import (
	"fmt"
	"net/http"
	"strings"
)

// CallOption configures one call: every method of the Client takes them last
// (c.CreateCandidate(ctx, body, gemclient.RetrySafe())). Options given to New configure the
// Client as a whole and are named With...; call options are named for what they set.
type CallOption func(*callSettings) error

// callSettings is what the call options set. The zero value means the Client's defaults.
type callSettings struct {
	retrySafe      bool
	header         http.Header
	maxRetries     *int
	responseHeader *http.Header
	// pageSize and workers configure the ...All iterators.
	pageSize int
	workers  int
}

func applyCallOptions(opts []CallOption) (callSettings, error) {
	var cs callSettings
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cs); err != nil {
			return cs, err
		}
	}
	return cs, nil
}

// RetrySafe marks a call safe to send again after a server error or a lost connection.
// Gem has no idempotency keys, so a POST is otherwise retried only when it provably never
// reached Gem (a refused connection) or was refused with 429: a create whose answer was
// lost may have happened. Use it for a create you can repeat without harm, for instance
// one you de-duplicate yourself (CreateOrGetCandidate does this for candidates with a
// LinkedIn handle, which Gem de-duplicates).
func RetrySafe() CallOption {
	return func(cs *callSettings) error {
		cs.retrySafe = true
		return nil
	}
}

// forbiddenHeaders are set by the Client or by net/http: Header refuses them.
var forbiddenHeaders = map[string]string{
	"X-Api-Key":            "the Client sends the API key it was created with",
	"X-Application-Secret": "use WithApplicationSecret",
	"Authorization":        "Gem authenticates with X-API-Key",
	"Host":                 "set by the base URL",
	"Content-Length":       "set from the body",
	"Transfer-Encoding":    "set by net/http",
	"Connection":           "set by net/http",
}

// Header adds a header to the call's requests (every attempt), for instance a tracing or
// tenant header a proxy in front of Gem expects. The credentials and the headers net/http
// manages (X-API-Key, X-Application-Secret, Authorization, Host, Content-Length,
// Transfer-Encoding, Connection) are refused, as are names and values a header cannot
// carry: the call then fails before anything is sent.
func Header(key, value string) CallOption {
	return func(cs *callSettings) error {
		canonical := http.CanonicalHeaderKey(key)
		if why, ok := forbiddenHeaders[canonical]; ok {
			return fmt.Errorf("gemclient: Header(%s): refused: %s", canonical, why)
		}
		if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) }) {
			return fmt.Errorf("gemclient: Header: %q is not a valid header name", key)
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return fmt.Errorf("gemclient: Header(%s): the value contains control characters", canonical)
		}
		if cs.header == nil {
			cs.header = http.Header{}
		}
		cs.header.Add(canonical, value)
		return nil
	}
}

// MaxRetries sets how many times this call may be retried, in place of the Client's
// WithMaxRetries (0: send once).
func MaxRetries(n int) CallOption {
	return func(cs *callSettings) error {
		if n < 0 {
			return fmt.Errorf("gemclient: MaxRetries(%d): negative", n)
		}
		cs.maxRetries = &n
		return nil
	}
}

// ResponseHeader stores the headers of the call's final answer in *h, whether the call
// succeeds or not (an error's headers are also in APIError.Header), with any credential a
// server echoed back redacted. For an ...All iterator, *h holds the headers of the page
// whose items are being yielded.
func ResponseHeader(h *http.Header) CallOption {
	return func(cs *callSettings) error {
		if h == nil {
			return fmt.Errorf("gemclient: ResponseHeader: nil pointer")
		}
		cs.responseHeader = h
		return nil
	}
}

// PageSize sets the page size an ...All iterator asks for (default 100, Gem's maximum; a
// page size set in the params is used when this option is absent). Other methods ignore it.
func PageSize(n int) CallOption {
	return func(cs *callSettings) error {
		cs.pageSize = n
		return nil
	}
}
