package gemclient

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// APIError is an answer from Gem, or from the gateway in front of it, whose status is not
// 2xx. Every operation returns it (wrapped at most by the generated client) after the
// retries allowed for the request are spent; use errors.As or the Is* helpers.
//
// Gem's own errors use flask-smorest's envelope {"code","status","message","errors"}; the
// AWS gateway answers 403 and 429 with {"message": ...} only; a proxy may answer with an
// empty or HTML body (docs/gem-api.md §2.5). All of them decode into the same fields.
type APIError struct {
	// StatusCode is the HTTP status of the final attempt.
	StatusCode int
	// Code is Gem's "code" field, or StatusCode when the body has none.
	Code int
	// Status is Gem's "status" field ("Bad Request"), or the standard text of StatusCode.
	Status string
	// Message is Gem's or the gateway's "message"; often empty on 422.
	Message string
	// Errors is Gem's "errors" object as sent, e.g. {"json":{"created_by":[...]}}; nil
	// when absent. See FieldErrors, DuplicateCandidateID and ConflictingCandidateIDs.
	Errors json.RawMessage
	// Body is the response body, read up to 1 MiB.
	Body []byte
	// Method and Path identify the request (the path without the base URL's prefix and
	// without the query string). The API key is never part of an error.
	Method, Path string
	// Operation is the operationId of the request, e.g. "GetCandidate".
	Operation string
	// Deprecated reports that the API document marks the operation deprecated.
	Deprecated bool
	// RetryAfter is the delay the server asked for in a Retry-After header (zero when
	// absent), in seconds or as a date, at most 24 hours. A 429 whose Retry-After exceeds
	// the backoff cap is returned at once.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int
	// RequestID is the id the gateway in front of Gem gave the final attempt
	// (x-amzn-RequestId, else x-request-id; docs/gem-api.md §2.5): quote it to Gem's support.
	// Empty when the answer carried none.
	RequestID string
	// Header is the final answer's header, with any credential a server echoed back
	// redacted.
	Header http.Header

	// redact removes the credentials from the strings Error and FieldErrors build from
	// the fields (which are redacted already: joining them could spell a secret again);
	// nil for an APIError made outside the pipeline. A func, so that printing or
	// dumping the error by reflection never reaches the secrets.
	redact func(string) string
}

// Error is one line: operation, request, status, Gem's message and per-field messages.
// The server's text is made safe for a terminal (no control characters or escape
// sequences) and shortened; the fields keep it as sent. Credentials are redacted from
// the line as it is finally shown.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gemclient: %s (%s %s): %d %s", cmp.Or(e.Operation, "request"), e.Method, e.Path, e.StatusCode, e.shown(e.Status, maxStatusRunes))
	if msg := e.shown(e.Message, maxMessageRunes); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if fields := e.shown(summarizeFields(FieldErrors(e), 5), maxFieldsRunes); fields != "" {
		b.WriteString(" (")
		b.WriteString(fields)
		b.WriteString(")")
	}
	if e.Message == "" && e.Errors == nil && len(e.Body) > 0 && !json.Valid(e.Body) {
		// The body may be a proxy's HTML page; its text is in Body, not in the message.
		fmt.Fprintf(&b, " (non-JSON body, %d bytes)", len(e.Body))
	}
	switch {
	case e.StatusCode == http.StatusForbidden && e.Deprecated:
		// Gem answers its deprecated event listings with 403 "Events are deprecated"
		// (docs/gem-api.md §2.5): no key or permission fixes that.
		b.WriteString(": Gem has deprecated this endpoint and refuses it for every key; it no longer returns data")
	case e.StatusCode == http.StatusForbidden:
		b.WriteString(": check the API key (X-API-Key); partner keys also need WithApplicationSecret")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	if id := e.shown(e.RequestID, maxStatusRunes); id != "" {
		fmt.Fprintf(&b, " [request id %s]", id)
	}
	return e.redacted(b.String())
}

// redactWindow is how far beyond its cut a piece of Error() is cleaned and redacted: a
// secret the cut would go through is redacted whole first.
const redactWindow = 1024

// shown is s as Error() shows it: cleaned, redacted, cut at max runes.
func (e *APIError) shown(s string, max int) string {
	if e.redact == nil {
		return cleanText(s, max)
	}
	return cleanText(e.redact(cleanText(s, max+redactWindow)), max)
}

// redacted is s without the credentials, when e came from the pipeline.
func (e *APIError) redacted(s string) string {
	if e.redact == nil {
		return s
	}
	return e.redact(s)
}

// requestID is the gateway's request id in h: AWS API Gateway's x-amzn-RequestId, or the
// x-request-id many proxies set.
func requestID(h http.Header) string {
	return cmp.Or(h.Get("X-Amzn-Requestid"), h.Get("X-Request-Id"))
}

// newAPIError decodes body leniently: Gem's envelope, the gateway's {"message": ...}
// (field names match case-insensitively, so AWS's {"Message": ...} too), or anything else.
func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Code: resp.StatusCode, Status: http.StatusText(resp.StatusCode), Body: body}
	var env struct {
		Code    json.RawMessage `json:"code"`
		Status  json.RawMessage `json:"status"`
		Message json.RawMessage `json:"message"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil {
		return e
	}
	if code, err := strconv.Atoi(string(env.Code)); err == nil && code > 0 {
		e.Code = code
	}
	if s := jsonString(env.Status); s != "" {
		e.Status = s
	}
	e.Message = jsonString(env.Message)
	if len(env.Errors) > 0 && !bytes.Equal(env.Errors, []byte("null")) {
		e.Errors = env.Errors
	}
	return e
}

// jsonString is raw as a string if it is a JSON string, else raw's text (a number, an
// object) so that nothing Gem sent is dropped.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	return string(raw)
}

// apiError is the *APIError in err's chain, if any.
func apiError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

func hasStatus(err error, status int) bool {
	e, ok := apiError(err)
	return ok && e.StatusCode == status
}

// IsNotFound reports whether err is a 404 from Gem.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsBadRequest reports whether err is a 400 from Gem: a business rule refused the request
// (a duplicate candidate, candidates already in a project, a name that exists).
func IsBadRequest(err error) bool { return hasStatus(err, http.StatusBadRequest) }

// IsRateLimited reports whether err is a 429 (the gateway's "Too Many Requests" or, for a
// spent quota, "Limit Exceeded", docs/gem-api.md §2.6) that outlasted the retries.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsForbidden reports whether err is a 403: a wrong, expired or Bearer key, a partner key
// without its application secret, or a deprecated endpoint (docs/gem-api.md §2.1, §2.5).
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsValidation reports whether the request was invalid: a *ValidationError found before
// sending, or Gem's 422. FieldErrors gives the per-field messages of both.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v) || hasStatus(err, http.StatusUnprocessableEntity)
}

// errorsObject decodes the "errors" object of err's *APIError.
func errorsObject(err error) map[string]json.RawMessage {
	e, ok := apiError(err)
	if !ok || e.Errors == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(e.Errors, &m) != nil {
		return nil
	}
	return m
}

// FieldErrors returns the per-field messages of a validation failure, keyed by field:
//
//   - for Gem's answers, the entries of errors.json (body) and errors.query (query
//     parameters), webargs' locations (docs/gem-api.md §2.0); nested objects are
//     flattened with dots ("emails.0.email_address"), and the location is not part of
//     the key (a field present in both locations gets both lists of messages);
//   - for a *ValidationError, each violation's message under the same kind of key (a
//     body JSON pointer "/emails/0/email_address" becomes "emails.0.email_address").
//
// It returns nil when err carries no field errors.
func FieldErrors(err error) map[string][]string {
	var v *ValidationError
	if errors.As(err, &v) {
		out := map[string][]string{}
		for _, x := range v.Violations {
			key := strings.ReplaceAll(strings.TrimPrefix(x.Field, "/"), "/", ".")
			out[key] = append(out[key], x.Message)
		}
		return out
	}
	m := errorsObject(err)
	out := map[string][]string{}
	for _, loc := range []string{"json", "query"} {
		if raw, ok := m[loc]; ok {
			flattenFieldErrors(out, "", raw)
		}
	}
	if len(out) == 0 {
		return nil
	}
	if e, _ := apiError(err); e.redact != nil {
		redacted := make(map[string][]string, len(out))
		for k, msgs := range out {
			k = e.redact(k)
			for _, msg := range msgs {
				redacted[k] = append(redacted[k], e.redact(msg))
			}
		}
		out = redacted
	}
	return out
}

// flattenFieldErrors adds marshmallow's nested messages under dotted keys. A list of
// strings is a field's messages; any other leaf is kept as its JSON text.
func flattenFieldErrors(out map[string][]string, prefix string, raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flattenFieldErrors(out, key, v)
		}
		return
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	for _, item := range list {
		out[prefix] = append(out[prefix], jsonString(item))
	}
}

// summarizeFields renders at most max fields' messages, sorted by key.
func summarizeFields(fields map[string][]string, max int) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for i, k := range keys {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-max))
			break
		}
		parts = append(parts, k+": "+strings.Join(fields[k], " "))
	}
	return strings.Join(parts, "; ")
}

// DuplicateCandidateID returns the id of the existing candidate when err is Gem's 400 for
// a create whose linked_in_handle is taken. Gem documents
// {"errors":{"duplicate_candidate":{"id","linked_in_handle"}}} but was seen sending the
// handle as "li_handle"; only the id is read, so both work. errors.json.duplicate_candidate
// is accepted too, defensively (docs/gem-api.md §2.5).
func DuplicateCandidateID(err error) (string, bool) {
	e, ok := apiError(err)
	if !ok || e.Errors == nil {
		return "", false
	}
	type candidate struct {
		ID string `json:"id"`
	}
	var errs struct {
		Duplicate candidate `json:"duplicate_candidate"`
		JSON      struct {
			Duplicate candidate `json:"duplicate_candidate"`
		} `json:"json"`
	}
	// A mismatched shape elsewhere (errors.json holding field lists) only skips that
	// part: encoding/json fills what matches, so the error is ignored.
	_ = json.Unmarshal(e.Errors, &errs)
	for _, id := range []string{errs.Duplicate.ID, errs.JSON.Duplicate.ID} {
		if id != "" {
			return id, true
		}
	}
	return "", false
}

// ConflictingCandidateIDs returns errors.json.candidate_ids of err: the ids Gem names when
// adding candidates already in a project or removing candidates not in it (400,
// docs/gem-api.md §2.5). It returns nil for any other error.
func ConflictingCandidateIDs(err error) []string {
	var body struct {
		CandidateIDs []string `json:"candidate_ids"`
	}
	raw, ok := errorsObject(err)["json"]
	if !ok || json.Unmarshal(raw, &body) != nil {
		return nil
	}
	return body.CandidateIDs
}
