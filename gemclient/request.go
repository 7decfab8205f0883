package gemclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// operation is one operation of Gem's document. operations.gen.go declares one per
// operationId (opGetCandidate, ...); the generated methods pass theirs to send, and Do finds
// one in the operations table.
type operation struct {
	id         string
	method     string
	path       string // the document's path template
	deprecated bool
	// For Do, which gets the request as text: checkPath checks the path parameters (in
	// template order, unescaped), parseQuery the query string, checkBody a JSON body, as
	// the typed method checks its arguments. nil when the operation has none of them.
	checkPath  func(*violations, []string)
	parseQuery func(*violations, url.Values)
	checkBody  func(*violations, []byte)
	// answer bounds the 2xx body (decodebound.go); the zero value checks nothing.
	answer bodyShape
}

// request is one call of an operation as a generated method (or Do) prepared it: what to
// send, and what the checks found wrong with it.
type request struct {
	op          *operation
	path        string // escaped, relative to the base URL, without the query
	query       string // encoded, without "?"
	body        []byte
	contentType string
	v           violations
	err         error // the body could not be built
}

// jsonBody sets the body to body's JSON.
func (r *request) jsonBody(body any) {
	data, err := json.Marshal(body)
	if err != nil {
		r.err = fmt.Errorf("gemclient: %s: encoding the request body: %w", r.op.id, err)
		return
	}
	r.body, r.contentType = data, "application/json"
}

// readerBody sets the body to what body holds, sent as contentType.
func (r *request) readerBody(contentType string, body io.Reader) {
	if body == nil {
		r.contentType = contentType
		return
	}
	data, err := io.ReadAll(body)
	if err != nil {
		r.err = fmt.Errorf("gemclient: %s: reading the request body: %w", r.op.id, err)
		return
	}
	r.body, r.contentType = data, contentType
}

// send checks r and sends it through the pipeline: rate limiter, attempts, retries. A
// request with violations is a *ValidationError, sent nowhere and spending no token.
func (c *Client) send(ctx context.Context, r *request, opts []CallOption) (*http.Response, error) {
	if r.err != nil {
		return nil, r.err
	}
	cs, err := applyCallOptions(opts)
	if err != nil {
		return nil, err
	}
	call := call{op: r.op, method: r.op.method, path: r.path, idempotent: cs.retrySafe || idempotentMethod(r.op.method)}
	ctx, obs := c.pipe.observe(ctx, call)
	resp, err := c.sendChecked(ctx, r, call, &cs, obs)
	obs.end(err)
	if cs.responseHeader != nil {
		switch e, ok := apiError(err); {
		case resp != nil:
			*cs.responseHeader = resp.Header
		case ok:
			*cs.responseHeader = e.Header
		}
	}
	return resp, err
}

func (c *Client) sendChecked(ctx context.Context, r *request, call call, cs *callSettings, obs *observation) (*http.Response, error) {
	if err := r.v.err(r.op, r.path); err != nil {
		return nil, err
	}
	target := c.baseURL + r.path
	if r.query != "" {
		target += "?" + r.query
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body) // sets GetBody: every attempt sends the same bytes
	}
	req, err := http.NewRequestWithContext(ctx, r.op.method, target, body)
	if err != nil {
		return nil, call.errorf("%w", withoutURL(err))
	}
	for k, v := range cs.header {
		req.Header[k] = v
	}
	c.authenticate(req.Header)
	req.Header.Set("Accept", "application/json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	maxRetries := c.pipe.retry.maxRetries
	if cs.maxRetries != nil {
		maxRetries = *cs.maxRetries
	}
	return c.pipe.run(ctx, call, req, maxRetries, obs)
}

// Do sends a request for which no method fits, through the same pipeline as the
// generated methods: authentication, checks against Gem's document, the rate limiter,
// retries, typed errors, redaction and the Observer.
//
// path is relative to the base URL, escaped, with an optional query string:
// "/v0/candidates?page=2", "/v0/candidates/" + url.PathEscape(id). When it and method name
// an operation of the document, the request is checked as that operation's method checks
// its arguments (path parameters, query parameters, a JSON body) and a *ValidationError
// comes back before anything is sent; a request the document does not describe (an
// endpoint newer than this SDK) is sent unchecked.
//
// body is sent as JSON: nil sends none, a []byte or json.RawMessage is sent as it is, an
// io.Reader is read whole and sent as it is (with Header("Content-Type", ...) for anything
// but JSON), anything else is marshalled. A 2xx answer's body is decoded into out, unless
// out is nil; a *json.RawMessage keeps it as it came.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, opts ...CallOption) error {
	r, err := c.doRequest(method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.send(ctx, r, opts)
	if err != nil {
		return err
	}
	if out == nil {
		return resp.Body.Close()
	}
	defer resp.Body.Close()
	if err := decodeBody(resp.Body, out); err != nil {
		return fmt.Errorf("gemclient: %s %s: decoding the response: %w", method, r.path, err)
	}
	return nil
}

// doRequest turns Do's arguments into a request of the operation they name.
func (c *Client) doRequest(method, path string, body any) (*request, error) {
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" || !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return nil, fmt.Errorf("gemclient: Do: the path must be relative to the base URL and start with one /, such as /v0/candidates")
	}
	if method == "" || strings.ContainsFunc(method, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return nil, fmt.Errorf("gemclient: Do: %q is not an HTTP method (GET, POST, PUT, PATCH, DELETE)", method)
	}
	rel := u.EscapedPath()
	segments := strings.Split(rel, "/")
	for _, s := range segments {
		if s == "." || s == ".." {
			return nil, fmt.Errorf("gemclient: Do: the path must not contain . or .. segments")
		}
	}
	op, params := route(method, segments)
	r := &request{op: op, path: rel, query: u.RawQuery}
	switch b := body.(type) {
	case nil:
	case []byte:
		r.body, r.contentType = b, "application/json"
	case json.RawMessage:
		r.body, r.contentType = b, "application/json"
	case io.Reader:
		r.readerBody("application/json", b)
	default:
		r.jsonBody(b)
	}
	if r.err != nil {
		return nil, r.err
	}
	if op.checkPath != nil {
		op.checkPath(&r.v, params)
	}
	if op.parseQuery != nil {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			r.v.typeError(inQuery, nil, "", "query string")
		} else {
			op.parseQuery(&r.v, q)
		}
	}
	if op.checkBody != nil && r.body != nil {
		op.checkBody(&r.v, r.body)
	}
	return r, nil
}

// route finds the operation of method and an escaped path split at "/", with the path
// parameters in template order, unescaped. A literal segment wins over a parameter
// (/v0/candidates/events is ListEvents, not GetCandidate("events")). A request the
// document does not describe gets an operation of its own, without an id or checks.
func route(method string, segments []string) (*operation, []string) {
	var best *operation
	var bestParams []string
	bestLiterals := -1
	for _, op := range operations {
		if op.method != method {
			continue
		}
		tmpl := strings.Split(op.path, "/")
		if len(tmpl) != len(segments) {
			continue
		}
		literals := 0
		var params []string
		ok := true
		for i, t := range tmpl {
			if strings.HasPrefix(t, "{") {
				p, err := url.PathUnescape(segments[i])
				if err != nil {
					ok = false
					break
				}
				params = append(params, p)
				continue
			}
			if t != segments[i] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = op, params, literals
		}
	}
	if best == nil {
		// An answer the document does not describe is bounded as any JSON answer is.
		return &operation{method: method, path: strings.Join(segments, "/"), answer: bodyShape{json: true}}, nil
	}
	return best, bestParams
}

// query builds a query string, parameters in the order added; the generated
// encode<Params> functions fill it.
type query struct{ b strings.Builder }

// add adds name=value.
func (q *query) add(name, value string) {
	if q.b.Len() > 0 {
		q.b.WriteByte('&')
	}
	q.b.WriteString(url.QueryEscape(name))
	q.b.WriteByte('=')
	q.b.WriteString(url.QueryEscape(value))
}

// addList adds a form-style list: name=a&name=b when explode, else name=a,b with each value
// escaped and the commas literal (docs/gem-api.md §2.4: candidate_ids=1,2,3). An empty
// list adds nothing.
func (q *query) addList(name string, values []string, explode bool) {
	if len(values) == 0 {
		return
	}
	if explode {
		for _, v := range values {
			q.add(name, v)
		}
		return
	}
	escaped := make([]string, len(values))
	for i, v := range values {
		escaped[i] = url.QueryEscape(v)
	}
	if q.b.Len() > 0 {
		q.b.WriteByte('&')
	}
	q.b.WriteString(url.QueryEscape(name))
	q.b.WriteByte('=')
	q.b.WriteString(strings.Join(escaped, ","))
}

// String is the query string.
func (q *query) String() string { return q.b.String() }
