package gemclient

import (
	"bytes"
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
// in the forms they take in text (as sent, JSON-escaped, URL-escaped, HTML-escaped).
//
// It holds the secrets, so it never prints them: Format prints a placeholder.
type redactor struct {
	forms    []string // longest first
	replacer *strings.Replacer
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
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redactedText)
	}
	return &redactor{forms: forms, replacer: strings.NewReplacer(pairs...)}
}

// Format prints a placeholder for every verb: the redactor must not be the way out.
func (r *redactor) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "redactor{[redacted]}") }

// contains reports whether s holds a secret in any of its forms.
func (r *redactor) contains(s string) bool {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// String returns s without the secrets.
func (r *redactor) String(s string) string {
	if !r.contains(s) {
		return s
	}
	return r.replacer.Replace(s)
}

// Bytes returns b without the secrets (b itself when it holds none). When cut is true,
// b was cut short and a secret's prefix at its very end is redacted too.
func (r *redactor) Bytes(b []byte, cut bool) []byte {
	for _, f := range r.forms {
		if bytes.Contains(b, []byte(f)) {
			b = []byte(r.replacer.Replace(string(b)))
			break
		}
	}
	if !cut {
		return b
	}
	for _, f := range r.forms {
		for k := len(f) - 1; k >= minRedactedTail; k-- {
			if bytes.HasSuffix(b, []byte(f[:k])) {
				return append(b[:len(b)-k:len(b)-k], redactedText...)
			}
		}
	}
	return b
}

// Error returns err itself when its message holds no secret, else an error with the
// message redacted. The latter does not unwrap: err's chain would still hold the text.
func (r *redactor) Error(err error) error {
	if err == nil || !r.contains(err.Error()) {
		return err
	}
	return &redactedError{msg: r.replacer.Replace(err.Error())}
}

// redactedError is an error whose message held a secret.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// APIError redacts every field of e that comes from the server. cut reports that the
// body was cut at maxErrorBody.
func (r *redactor) APIError(e *APIError, cut bool) {
	e.Status = r.String(e.Status)
	e.Message = r.String(e.Message)
	e.Body = r.Bytes(e.Body, cut)
	if e.Errors != nil {
		e.Errors = r.Bytes(e.Errors, false)
	}
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
