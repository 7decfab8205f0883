package gemtest

import "github.com/getkin/kin-openapi/openapi3"

// WireProblems is the presence check of WithResponseValidation (wireProblems), for the
// external tests: how body, a 2xx response for schema s, differs from what Gem's stack
// dumps.
func WireProblems(s *openapi3.Schema, body []byte) ([]string, error) {
	v, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	return wireProblems(s, v, ""), nil
}
