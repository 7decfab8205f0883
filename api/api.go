// Package api holds Gem's OpenAPI document exactly as Gem publishes it (openapi.json) and
// the SDK's overlay (overlay.yaml), and embeds the document for code that validates
// against it: the fake server in gemtest and the drift tests.
//
// The overlaid document the generator used is gen.GetSwagger; this one is the download.
package api

import (
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIJSON is api/openapi.json, byte for byte.
//
//go:embed openapi.json
var OpenAPIJSON []byte

// Load parses OpenAPIJSON into a fresh kin-openapi document. It does not validate it;
// call (*openapi3.T).Validate for that. Each call returns a new document, so callers may
// mutate it.
func Load() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIJSON)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.json: %w", err)
	}
	return doc, nil
}
