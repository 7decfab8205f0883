package gemtest

import (
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gem-go/gem-go/internal/route"
)

// queryParams are the query parameters of rt's operation, path-level ones included.
func queryParams(rt *route.Route) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, p := range slices.Concat(rt.PathItem.Parameters, rt.Operation.Parameters) {
		if p.Value.In == openapi3.ParameterInQuery {
			out = append(out, p.Value)
		}
	}
	return out
}
