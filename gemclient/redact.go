package gemclient

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// redactedText replaces the key and the application secret wherever a server or proxy
// sent them back.
const redactedText = "[redacted]"

// minRedactedTail is the shortest prefix of a secret that is redacted at the end of a
// body cut at maxErrorBody (a secret the cut went through).
const minRedactedTail = 4

// redactor removes the credentials from what a server sends back before any of it
// reaches an error or a log line: some proxies echo request headers into error bodies,
// and a malformed status line ends up quoted in net/http's error. It knows the secrets
// in the forms they take in text (as sent, JSON-, URL- and HTML-escaped), and finds them
// however the text spells them, as long as decoding or cleaning it would bring them
// back (see views): with JSON or Go escapes (\u004b, \x4b, one level of escaping inside
// another), and split by what cleanText drops or turns into a space, or a terminal does
// not show (terminal escape sequences, control characters, white space, format
// characters such as zero-width spaces and bidirectional marks, variation selectors).
// The whole span that spells a secret is replaced, escapes and splitters included.
//
// It holds the secrets, so it never prints them: Format prints a placeholder.
type redactor struct {
	forms []string // the secrets' forms in every view of them (see views), longest first
}

func newRedactor(secrets ...string) *redactor {
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		goJSON, _ := json.Marshal(s) // escapes <, >, & too
		minimalJSON := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
		for _, f := range []string{s, string(goJSON[1 : len(goJSON)-1]), minimalJSON, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s)} {
			for _, v := range views(f) {
				if v.text != "" && !slices.Contains(forms, v.text) {
					forms = append(forms, v.text)
				}
			}
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return &redactor{forms: forms}
}

// Format prints a placeholder for every verb: the redactor must not be the way out.
func (r *redactor) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "redactor{[redacted]}") }

// spans returns the spans of s (start, end offsets, sorted, not overlapping) that spell
// a secret. When cut is true, s was cut short and a secret's prefix of at least
// minRedactedTail characters at its very end is a span too.
func (r *redactor) spans(s string, cut bool) [][2]int {
	if r == nil || len(r.forms) == 0 {
		return nil
	}
	var spans [][2]int
	for _, n := range views(s) {
		for _, f := range r.forms {
			for at := 0; ; {
				i := strings.Index(n.text[at:], f)
				if i < 0 {
					break
				}
				spans = append(spans, n.span(at+i, at+i+len(f)))
				at += i + 1
			}
		}
		if !cut {
			continue
		}
		tail := withoutIncompleteEnd(n.text)
		for _, f := range r.forms {
			for k := min(len(f)-1, len(tail)); k >= minRedactedTail; k-- {
				if strings.HasSuffix(tail, f[:k]) {
					spans = append(spans, [2]int{n.span(len(tail)-k, len(tail))[0], len(s)})
					break
				}
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		if last := &merged[len(merged)-1]; sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
		} else {
			merged = append(merged, sp)
		}
	}
	return merged
}

// replace returns s with each span replaced by redactedText.
func replace(s string, spans [][2]int) string {
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp[0]])
		b.WriteString(redactedText)
		prev = sp[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

// String returns s without the secrets (s itself when it holds none).
func (r *redactor) String(s string) string {
	if spans := r.spans(s, false); spans != nil {
		return replace(s, spans)
	}
	return s
}

// Bytes returns b without the secrets (b itself when it holds none). When cut is true,
// b was cut short and a secret's prefix at its very end is redacted too.
func (r *redactor) Bytes(b []byte, cut bool) []byte {
	if spans := r.spans(string(b), cut); spans != nil {
		return []byte(replace(string(b), spans))
	}
	return b
}

// Error returns err itself when its message holds no secret, else an error with the
// message redacted. The latter does not unwrap: err's chain would still hold the text.
func (r *redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if spans := r.spans(msg, false); spans != nil {
		return &redactedError{msg: replace(msg, spans)}
	}
	return err
}

// redactedError is an error whose message held a secret.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// APIError redacts every field of e that comes from the server, and gives e the
// redactor for the strings it builds from them (Error, FieldErrors: joining messages
// could spell a secret again). cut reports that the body was cut at maxErrorBody.
func (r *redactor) APIError(e *APIError, cut bool) {
	e.Status = r.String(e.Status)
	e.Message = r.String(e.Message)
	e.Body = r.Bytes(e.Body, cut)
	if e.Errors != nil {
		e.Errors = r.Bytes(e.Errors, false)
	}
	e.redact = r.String
}

// Header redacts the values of a 2xx answer's header (X-Pagination reaches a
// *PageInfoError; the caller of Client.API reads any of them).
func (r *redactor) Header(h http.Header) {
	for _, vs := range h {
		for i, v := range vs {
			vs[i] = r.String(v)
		}
	}
}

// withoutCredentials is a shallow copy of req whose header lacks the key and the secret:
// a 2xx answer reaches the generated client, and through Client.API the caller, with its
// Request.
func withoutCredentials(req *http.Request) *http.Request {
	if req == nil {
		return nil
	}
	r := req.WithContext(req.Context())
	r.Header = req.Header.Clone()
	r.Header.Del("X-API-Key")
	r.Header.Del("X-Application-Secret")
	return r
}
