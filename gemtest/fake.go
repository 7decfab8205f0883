package gemtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gem-go/gem-go/internal/genserver"
	"github.com/gem-go/gem-go/internal/route"
)

// Fake is an in-memory Gem API v0: an http.Handler serving every operation of Gem's
// document under /v0, behind a model of Gem's gateway (X-API-Key, per-key rate limit) and
// optional fault injection. Mount it anywhere (httptest, http.Server, a mux); NewServer
// does that for tests. Its methods give tests direct access to the state. A Fake is safe
// for concurrent use.
type Fake struct {
	cfg     config
	routes  *route.Table
	handler http.Handler
	limiter *limiter
	faults  *faultSource
	stats   counters
	log     *slog.Logger

	store     *store
	files     *fileSigner
	defaultID string
	churn     *churner // WithChurn's; without it, ChurnNow's
}

// New returns a Fake configured by opts. It fails only on invalid options.
func New(opts ...Option) (*Fake, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	doc, err := document()
	if err != nil {
		return nil, err
	}
	f := &Fake{
		cfg:    cfg,
		routes: route.New(doc),
		faults: newFaultSource(cfg.faults),
		log:    cfg.logger,
		store:  newStore(cfg.maxFileBytes),
		files:  newFileSigner(cfg.downloadExpiry, cfg.clock),
	}
	if cfg.rateLimited {
		f.limiter = newLimiter(cfg.ratePerSecond, cfg.burst, cfg.clock, maxBuckets)
	}
	strict := genserver.NewStrictHandlerWithOptions(api{f}, []genserver.StrictMiddlewareFunc{f.writeWire}, genserver.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  f.requestError,
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) { writeError(w, err) },
	})
	f.handler = genserver.HandlerWithOptions(strict, genserver.StdHTTPServerOptions{ErrorHandlerFunc: f.requestError})
	if cfg.seed != "" {
		seeds[cfg.seed](f)
	} else {
		f.AddUser("Test User", "test.user@example.com")
	}
	f.defaultID = f.store.users.list[0].id
	churn := Churn{}
	if cfg.churn != nil {
		churn = *cfg.churn
	}
	f.churn = newChurner(f, churn)
	return f, nil
}

// APIKey returns a key the fake accepts: the first of WithAPIKeys, else DefaultAPIKey.
func (f *Fake) APIKey() string {
	if len(f.cfg.apiKeys) > 0 {
		return f.cfg.apiKeys[0]
	}
	return DefaultAPIKey
}

// DefaultUserID is the id of the fake's first user, whom writes without a user of their
// own (project fields) are attributed to: "Test User", or the seed's first user.
func (f *Fake) DefaultUserID() string { return f.defaultID }

// Stats counts what the fake has served.
type Stats struct {
	// Requests is the number of API requests (downloads not counted).
	Requests int64
	// RateLimited is the number of 429s from the rate limiter (injected ones not counted).
	RateLimited int64
	// Faults counts injected faults by kind.
	Faults map[Fault]int64
	// StoredFileBytes is how many bytes of uploaded resumes and data export files the
	// fake keeps for their download_urls: at most WithMaxStoredFileBytes, or one file.
	StoredFileBytes int64
	// DroppedFiles counts the files whose contents were dropped, oldest first, to stay
	// within WithMaxStoredFileBytes; their download_urls answer 404.
	DroppedFiles int64
}

type counters struct {
	requests, rateLimited atomic.Int64
	faults                [numFaults]atomic.Int64
}

// Stats returns the counts so far.
func (f *Fake) Stats() Stats {
	s := Stats{Requests: f.stats.requests.Load(), RateLimited: f.stats.rateLimited.Load(), Faults: map[Fault]int64{}}
	for k := FaultTooManyRequests; k < numFaults; k++ {
		if n := f.stats.faults[k].Load(); n > 0 {
			s.Faults[k] = n
		}
	}
	st := f.lock()
	s.StoredFileBytes, s.DroppedFiles = st.files.size, st.files.dropped
	f.unlock()
	return s
}

// ServeHTTP serves the API under /v0 and the download URLs the fake hands out.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, filesPrefix) {
		f.serveFile(w, r)
		return
	}
	n := f.stats.requests.Add(1)
	f.churn.onRequest(n)
	fault := f.faults.next()
	if fault != NoFault {
		f.stats.faults[fault].Add(1)
		f.log.Info("gemtest: injected fault", "method", r.Method, "path", r.URL.Path, "fault", fault.String())
	}
	if !sleep(r.Context(), f.cfg.faults.Latency) {
		return
	}
	if fault == FaultDropBefore {
		drop(w)
		return
	}
	rt, params, status := f.routes.Find(r.Method, r.URL.EscapedPath())
	rec := &recorder{header: http.Header{}}
	if fault == NoFault || fault == FaultDropAfter {
		f.serveRecovering(rec, r, rt, params, status)
	} else {
		f.faults.respond(rec, fault)
	}
	if rt != nil && f.cfg.tb != nil {
		f.checkResponse(r, rt, params, rec)
	}
	f.log.Debug("gemtest: request", "method", r.Method, "path", r.URL.Path, "status", rec.status)
	if fault == FaultDropAfter {
		drop(w)
		return
	}
	// Date by the fake's clock (WithClock), like the times in its bodies: a client that
	// keeps its place by Gem's Date must see the same clock as created_at.
	rec.header.Set("Date", f.cfg.clock().UTC().Format(http.TimeFormat))
	rec.flush(w)
}

// serve is the gateway (API key, rate limit) and then the origin: routing, request
// validation and the operation.
func (f *Fake) serve(w http.ResponseWriter, r *http.Request, rt *route.Route, params map[string]string, status int) {
	// A declared payload over the limit is refused before anything else (tooLarge).
	if r.ContentLength > f.cfg.maxBody {
		tooLarge(w)
		return
	}
	// AWS API Gateway rejects a missing or unknown key, Bearer tokens included, with 403
	// {"message":"Forbidden"} before throttling (docs/gem-api.md §2.1); a key longer than any it
	// issues (maxKeyLength) is unknown whatever WithAPIKeys says.
	key := r.Header.Get("X-API-Key")
	if key == "" || len(key) > maxKeyLength || (len(f.cfg.apiKeys) > 0 && !slices.Contains(f.cfg.apiKeys, key)) {
		writeJSON(w, http.StatusForbidden, gatewayBody("Forbidden"))
		return
	}
	if f.limiter != nil {
		if ok, wait := f.limiter.allow(key); !ok {
			f.stats.rateLimited.Add(1)
			if f.cfg.retryAfter {
				w.Header().Set("Retry-After", strconv.Itoa(wholeSeconds(wait)))
			}
			writeJSON(w, http.StatusTooManyRequests, gatewayBody("Too Many Requests"))
			return
		}
	}
	if !f.bufferBody(w, r) {
		return
	}
	if rt == nil {
		if f.cfg.projectSeqs && isProjectSequences(r.URL.EscapedPath()) {
			projectSequences(w, r)
			return
		}
		writeJSON(w, status, smorestBody(status, "", nil))
		return
	}
	if err := f.validateRequest(r, rt, params); err != nil {
		writeError(w, err)
		return
	}
	ctx := context.WithValue(context.WithValue(r.Context(), baseURLKey{}, f.baseURL(r)), routeKey{}, rt)
	f.handler.ServeHTTP(w, r.WithContext(ctx))
}

// bufferBody reads the whole request body, as the gateway does before it forwards a
// request, and puts it back for the origin. A body over the payload limit
// (WithMaxRequestBody, 10 MB by default) is the gateway's 413 whether its length was
// declared or not (chunked). It reports whether the request may go on.
func (f *Fake) bufferBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, f.cfg.maxBody+1))
	_ = r.Body.Close()
	switch {
	case err != nil:
		// The client went away mid-body (or the body failed to decode): the gateway never
		// saw a whole request. Its generic 400 is the guess.
		writeJSON(w, http.StatusBadRequest, gatewayBody("Bad Request"))
		return false
	case int64(len(data)) > f.cfg.maxBody:
		tooLarge(w)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.ContentLength = int64(len(data))
	return true
}

// tooLarge is AWS API Gateway's REQUEST_TOO_LARGE: 413 {"message":"Request Too Long"}.
// A REST API's payload limit is 10 MB, and this gateway response is the one AWS does not
// let an API customise, so it is what Gem answers for a larger body whatever the
// operation, before the key is checked (docs/gem-api.md §2.1 for the gateway; the body's
// wording is AWS's default as users report it, not seen in a Gem source).
func tooLarge(w http.ResponseWriter) {
	writeJSON(w, http.StatusRequestEntityTooLarge, gatewayBody("Request Too Long"))
}

// serveRecovering is serve, with a panic answered as Flask answers an unhandled
// exception: 500 in flask-smorest's shape, never a panic in the caller of ServeHTTP. A
// panic is a bug of the fake, so it is logged and reported to WithResponseValidation's tb.
// http.ErrAbortHandler (a deliberately dropped connection) still propagates.
func (f *Fake) serveRecovering(rec *recorder, r *http.Request, rt *route.Route, params map[string]string, status int) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		f.log.Error("gemtest: handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
		if f.cfg.tb != nil {
			f.cfg.tb.Errorf("gemtest: %s %s panicked: %v", r.Method, r.URL.RequestURI(), v)
		}
		*rec = recorder{header: http.Header{}}
		writeJSON(rec, http.StatusInternalServerError, smorestBody(http.StatusInternalServerError, "", nil))
	}()
	f.serve(rec, r, rt, params, status)
}

// requestError answers what the generated server could not bind after validation passed
// (it cannot happen for a valid request).
func (f *Fake) requestError(w http.ResponseWriter, _ *http.Request, err error) {
	writeError(w, smorestError(http.StatusBadRequest, err.Error(), nil))
}

type baseURLKey struct{}

// noListenerHost is the host of download URLs when the fake serves a request that came
// through no listener (Fake.ServeHTTP called directly) and WithPublicURL is not set:
// .invalid is reserved never to resolve (RFC 2606).
const noListenerHost = "gemtest.invalid"

// baseURL is the base of the download URLs the fake hands out: WithPublicURL, else the
// address of the listener the request's connection reached (net/http's
// LocalAddrContextKey), with https when the connection is TLS. Never the request's Host
// header: a client could otherwise make the fake hand out URLs to any host, and a client
// that trusted them send its next request there.
func (f *Fake) baseURL(r *http.Request) string {
	if f.cfg.publicURL != "" {
		return strings.TrimSuffix(f.cfg.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := noListenerHost
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		host = addr.String()
	}
	return scheme + "://" + host
}

// recorder holds a response until the fake has checked it and decided whether to send it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *recorder) flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
