package gemclient

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/route"
)

// operation is one operation of the document, with what validation and errors need.
type operation struct {
	id         string
	deprecated bool
	route      *routers.Route
}

// spec holds the operations of the overlaid document, parsed once per process: the
// routing table and the operations by operationId.
type spec struct {
	table *route.Table
	byID  map[string]*operation
}

func newSpec(doc *openapi3.T) *spec {
	// The routes' document has no global security requirement, so kin-openapi does not
	// ask for an authentication hook (see validationOptions).
	unsecured := *doc
	unsecured.Security = nil
	s := &spec{table: route.New(&unsecured), byID: map[string]*operation{}}
	for _, r := range s.table.Routes() {
		s.byID[r.Operation.OperationID] = &operation{id: r.Operation.OperationID, deprecated: r.Operation.Deprecated, route: r.Route}
	}
	return s
}

// find returns the operation for a request path relative to the base URL (escaped, as in
// URL.EscapedPath) and its unescaped path parameters.
func (s *spec) find(method, escapedPath string) (*operation, map[string]string, error) {
	r, params, status := s.table.Find(method, escapedPath)
	if r == nil {
		return nil, nil, fmt.Errorf("gemclient: no operation of the API document matches %s %s (%d)", method, escapedPath, status)
	}
	return s.byID[r.Operation.OperationID], params, nil
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
