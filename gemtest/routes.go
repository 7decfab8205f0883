package gemtest

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// route is one operation of the document, as kin-openapi's validators want it.
type route struct {
	kin      *routers.Route
	segments []string // path segments; "{name}" for a parameter
	literals int      // literal segments: the more, the more specific
	query    []*openapi3.Parameter
}

// router matches requests to the document's operations. It is built from the document,
// so it serves exactly the operations the document has.
type router struct {
	routes []*route
}

func newRouter(doc *openapi3.T) *router {
	rt := &router{}
	for path, item := range doc.Paths.Map() {
		segs := strings.Split(strings.Trim(path, "/"), "/")
		literals := 0
		for _, s := range segs {
			if !isParam(s) {
				literals++
			}
		}
		for method, op := range item.Operations() {
			r := &route{
				kin:      &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				segments: segs,
				literals: literals,
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.In == openapi3.ParameterInQuery {
					r.query = append(r.query, p.Value)
				}
			}
			rt.routes = append(rt.routes, r)
		}
	}
	// Most specific first, so /v0/candidates/events wins over /v0/candidates/{candidate_id}.
	sort.SliceStable(rt.routes, func(i, j int) bool {
		a, b := rt.routes[i], rt.routes[j]
		if a.literals != b.literals {
			return a.literals > b.literals
		}
		return a.kin.Path+a.kin.Method < b.kin.Path+b.kin.Method
	})
	return rt
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// match finds the operation for r and its path parameters. When none matches it returns
// the status Flask would answer: 404, or 405 when the path exists with other methods.
func (rt *router) match(r *http.Request) (*route, map[string]string, int) {
	raw := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, http.StatusNotFound
		}
		segs[i] = u
	}
	if strings.HasSuffix(r.URL.Path, "/") && r.URL.Path != "/" {
		return nil, nil, http.StatusNotFound // Flask: no strict-slash redirect for these rules
	}
	status := http.StatusNotFound
	for _, rt := range rt.routes {
		params, ok := rt.bind(segs)
		if !ok {
			continue
		}
		if rt.kin.Method == r.Method {
			return rt, params, 0
		}
		status = http.StatusMethodNotAllowed
	}
	return nil, nil, status
}

func (rt *route) bind(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segments) {
		return nil, false
	}
	params := map[string]string{}
	for i, s := range rt.segments {
		switch {
		case isParam(s):
			if segs[i] == "" {
				return nil, false
			}
			params[strings.Trim(s, "{}")] = segs[i]
		case s != segs[i]:
			return nil, false
		}
	}
	return params, true
}
