package gemclient

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gem-go/gem-go/gen"
)

// operation is one operation of the document, with what routing and errors need.
type operation struct {
	id         string
	segments   []string // the template split on "/"
	params     []string // parameter names, by position ("" for literal segments)
	literals   int      // how many literal segments: more literals win a tie
	deprecated bool
	route      *routers.Route
}

// spec holds the operations of the overlaid document, parsed once per process, by
// operationId and by method and segment count for routing.
type spec struct {
	byID   map[string]*operation
	routes map[routeKey][]*operation
}

type routeKey struct {
	method   string
	segments int
}

func newSpec(doc *openapi3.T) *spec {
	// The route's document has no global security requirement, so kin-openapi does not
	// ask for an authentication hook (see validationOptions).
	unsecured := *doc
	unsecured.Security = nil
	s := &spec{byID: map[string]*operation{}, routes: map[routeKey][]*operation{}}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := &operation{
				id: op.OperationID, deprecated: op.Deprecated,
				route: &routers.Route{Spec: &unsecured, Path: path, PathItem: item, Method: method, Operation: op},
			}
			for _, seg := range strings.Split(path, "/") {
				name := ""
				if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
					name = seg[1 : len(seg)-1]
				} else {
					o.literals++
				}
				o.segments = append(o.segments, seg)
				o.params = append(o.params, name)
			}
			s.byID[o.id] = o
			k := routeKey{method, len(o.segments)}
			s.routes[k] = append(s.routes[k], o)
		}
	}
	return s
}

// find returns the operation for a request path relative to the base URL (escaped, as in
// URL.EscapedPath) and its unescaped path parameters. A literal segment beats a
// parameter, so /v0/candidates/events is not GetCandidate("events").
func (s *spec) find(method, escapedPath string) (*operation, map[string]string, error) {
	segs := strings.Split(escapedPath, "/")
	var best *operation
	for _, o := range s.routes[routeKey{method, len(segs)}] {
		if matches(o, segs) && (best == nil || o.literals > best.literals) {
			best = o
		}
	}
	if best == nil {
		return nil, nil, fmt.Errorf("gemclient: no operation of the API document matches %s %s", method, escapedPath)
	}
	params := make(map[string]string, len(best.params)-best.literals)
	for i, name := range best.params {
		if name == "" {
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, nil, fmt.Errorf("gemclient: %s: path parameter %s: %w", best.id, name, err)
		}
		params[name] = v
	}
	return best, params, nil
}

func matches(o *operation, segs []string) bool {
	for i, lit := range o.segments {
		if (o.params[i] == "" && lit != segs[i]) || (o.params[i] != "" && segs[i] == "") {
			return false
		}
	}
	return true
}

// operationFor routes req, whose URL is under basePath (the base URL's escaped path
// without its trailing slash). rel is the request's path relative to the base URL.
func (s *spec) operationFor(req *http.Request, basePath string) (op *operation, pathParams map[string]string, rel string, err error) {
	p := req.URL.EscapedPath()
	rel, ok := strings.CutPrefix(p, basePath)
	if !ok {
		return nil, nil, "", fmt.Errorf("gemclient: %s %s is not under the base URL", req.Method, p)
	}
	op, pathParams, err = s.find(req.Method, rel)
	return op, pathParams, rel, err
}

// loadSpec parses the overlaid document embedded in package gen once per process; the
// result is read-only and shared by every Client.
var loadSpec = sync.OnceValues(func() (*spec, error) {
	doc, err := gen.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("gemclient: loading the API document: %w", err)
	}
	return newSpec(doc), nil
})

// maxItems is the maxItems the document sets on an array: a body property when in is
// "body", else a query parameter. It returns fallback if the document has none, so a
// helper that splits work into batches follows the document when Gem changes it.
func (s *spec) maxItems(opID, in, name string, fallback int) int {
	o, ok := s.byID[opID]
	if !ok {
		return fallback
	}
	var schema *openapi3.SchemaRef
	if in == "body" {
		if rb := o.route.Operation.RequestBody; rb != nil && rb.Value != nil {
			if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				schema = mt.Schema.Value.Properties[name]
			}
		}
	} else if p := o.route.Operation.Parameters.GetByInAndName(in, name); p != nil {
		schema = p.Schema
	}
	if schema == nil || schema.Value == nil || schema.Value.MaxItems == nil {
		return fallback
	}
	return int(*schema.Value.MaxItems)
}
