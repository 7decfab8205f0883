// Package route matches requests to the operations of an OpenAPI document, for the
// client's validation before sending and for the fake server's dispatch and validation.
//
// kin-openapi's own routers do not fit: gorillamux pulls in gorilla/mux, and legacy
// matches the unescaped path, so an opaque id holding an escaped "/" (%2F) would split in
// two; nor does it tell 405 from 404 on templated paths. This one splits the escaped path
// and unescapes each parameter on its own.
package route

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Route is one operation of the document, in the form kin-openapi's openapi3filter takes.
type Route struct {
	*routers.Route
	segments []string // the path template split on "/"; "{name}" for a parameter
	literals int      // literal segments: the more, the more specific
}

// Table holds every operation of a document, most specific path first.
type Table struct {
	routes []*Route
}

// New builds the table of doc's operations. Each Route's Spec is doc.
func New(doc *openapi3.T) *Table {
	t := &Table{}
	for path, item := range doc.Paths.Map() {
		segs := strings.Split(path, "/")
		literals := 0
		for _, s := range segs {
			if !isParam(s) {
				literals++
			}
		}
		for method, op := range item.Operations() {
			t.routes = append(t.routes, &Route{
				Route:    &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				segments: segs,
				literals: literals,
			})
		}
	}
	// A literal segment beats a parameter: /v0/candidates/events is not
	// /v0/candidates/{candidate_id} with candidate_id "events".
	sort.Slice(t.routes, func(i, j int) bool {
		a, b := t.routes[i], t.routes[j]
		if a.literals != b.literals {
			return a.literals > b.literals
		}
		return a.Path+" "+a.Method < b.Path+" "+b.Method
	})
	return t
}

// Routes lists every operation, most specific path first.
func (t *Table) Routes() []*Route { return t.routes }

// Find matches a method and an escaped path (as url.URL.EscapedPath gives it, starting
// where the document's paths start) and returns the route with its unescaped path
// parameters. When nothing matches it returns a nil route and the status a server would
// answer: 404, or 405 when the path exists with other methods. Parameters may not be
// empty, and a trailing slash is part of the path (Flask's rules: no redirect).
func (t *Table) Find(method, escapedPath string) (*Route, map[string]string, int) {
	segs := strings.Split(escapedPath, "/")
	status := http.StatusNotFound
	for _, r := range t.routes {
		params, ok := r.bind(segs)
		if !ok {
			continue
		}
		if r.Method == method {
			return r, params, http.StatusOK
		}
		status = http.StatusMethodNotAllowed
	}
	return nil, nil, status
}

func (r *Route) bind(segs []string) (map[string]string, bool) {
	if len(segs) != len(r.segments) {
		return nil, false
	}
	var params map[string]string
	for i, s := range r.segments {
		if !isParam(s) {
			if s != segs[i] {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil || v == "" {
			return nil, false
		}
		if params == nil {
			params = make(map[string]string, len(r.segments)-r.literals)
		}
		params[s[1:len(s)-1]] = v
	}
	return params, true
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }
