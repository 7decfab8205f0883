package gensafe_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gensafe"
	"github.com/gem-go/gem-go/internal/genspec"
)

// The payloads a hostile document would try, each through every place it could reach
// generated code.
var payloads = map[string]string{
	"go:generate": "x\n//go:generate sh -c 'touch pwned'\n",
	"func init":   "x\nfunc init() { panic(\"pwned\") }\n",
	"block end":   "x */ func init() { panic(1) } /* y",
	"backtick":    "x` json:\"y\"`",
}

// smallDocument is a Gem-shaped document with one of each place names appear.
const smallDocument = `{
  "openapi": "3.0.3",
  "info": {"title": "Gem API", "version": "v0", "description": "# Introduction\n\nMarkdown, with line breaks.\n", "x-logo": {"url": "https://example.com/logo.svg"}},
  "paths": {
    "/v0/candidates/{candidate_id}": {
      "get": {
        "operationId": "GetCandidate",
        "summary": "Get a candidate",
        "description": "Returns one candidate.\n\nEvery field is dumped.",
        "parameters": [
          {"name": "candidate_id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}, "style": "simple"}
        ],
        "responses": {
          "200": {
            "description": "OK",
            "headers": {"X-Pagination": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Candidate"}}}
          },
          "default": {"$ref": "#/components/responses/DEFAULT_ERROR"}
        }
      }
    }
  },
  "components": {
    "schemas": {
      "Candidate": {
        "type": "object",
        "description": "A candidate.",
        "properties": {
          "first_name": {"type": "string", "nullable": true, "example": "Ann\nLee"},
          "source": {"type": "string", "enum": ["SeekOut", "hireEZ", "Not interested"]},
          "created_at": {"type": "integer", "format": "int64"}
        }
      },
      "Error": {"type": "object", "properties": {"code": {"type": "integer"}}}
    },
    "responses": {
      "DEFAULT_ERROR": {"description": "Default error response", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
  },
  "security": [{"apiKey": []}]
}`

// edit returns smallDocument changed by f.
func edit(t *testing.T, f func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(smallDocument), &doc))
	f(doc)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return b
}

func obj(v any, keys ...string) map[string]any {
	m := v.(map[string]any)
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func rename(m map[string]any, from, to string) {
	m[to] = m[from]
	delete(m, from)
}

func operation(doc map[string]any) map[string]any {
	return obj(doc, "paths", "/v0/candidates/{candidate_id}", "get")
}

func parameters(doc map[string]any) []any { return operation(doc)["parameters"].([]any) }

func candidate(doc map[string]any) map[string]any {
	return obj(doc, "components", "schemas", "Candidate")
}

func TestCheckDocumentAcceptsGemsDocuments(t *testing.T) {
	published, err := os.ReadFile("../../api/openapi.json")
	require.NoError(t, err)
	assert.NoError(t, gensafe.CheckDocument(published, gensafe.Downloaded), "api/openapi.json")
	assert.NoError(t, gensafe.CheckDocument([]byte(smallDocument), gensafe.Downloaded))

	data, err := genspec.GetSpecJSON()
	require.NoError(t, err)
	assert.NoError(t, gensafe.CheckDocument(data, gensafe.Overlaid), "the overlaid document in internal/genspec")
	err = gensafe.CheckDocument(data, gensafe.Downloaded)
	assert.ErrorContains(t, err, `"x-go-type" steers the code generator: only the SDK's overlay (api/overlay.yaml) may set it`,
		"the overlay's extensions are refused in a download")
}

// Each payload, in each place where a name or a one-line text reaches generated code, is
// refused, and the error names the place.
func TestCheckDocumentRefusesPayloads(t *testing.T) {
	places := map[string]struct {
		pointer string
		set     func(doc map[string]any, payload string)
	}{
		"summary": {"/paths/~1v0~1candidates~1{candidate_id}/get/summary", func(doc map[string]any, p string) {
			operation(doc)["summary"] = "Get" + p
		}},
		"operationId": {"/paths/~1v0~1candidates~1{candidate_id}/get/operationId", func(doc map[string]any, p string) {
			operation(doc)["operationId"] = "Get" + p
		}},
		"path key": {"/paths/", func(doc map[string]any, p string) {
			rename(obj(doc, "paths"), "/v0/candidates/{candidate_id}", "/v0/"+p)
		}},
		"parameter name": {"/paths/~1v0~1candidates~1{candidate_id}/get/parameters/0/name", func(doc map[string]any, p string) {
			parameters(doc)[0].(map[string]any)["name"] = "candidate_id" + p
		}},
		"header parameter": {"/paths/~1v0~1candidates~1{candidate_id}/get/parameters/1/name", func(doc map[string]any, p string) {
			parameters(doc)[1].(map[string]any)["name"] = "X-Id" + p
		}},
		"response header": {"/paths/~1v0~1candidates~1{candidate_id}/get/responses/200/headers/", func(doc map[string]any, p string) {
			rename(obj(operation(doc), "responses", "200", "headers"), "X-Pagination", "X-Pagination"+p)
		}},
		"media type": {"/paths/~1v0~1candidates~1{candidate_id}/get/responses/200/content/", func(doc map[string]any, p string) {
			rename(obj(operation(doc), "responses", "200", "content"), "application/json", "application/json"+p)
		}},
		"response key": {"/paths/~1v0~1candidates~1{candidate_id}/get/responses/", func(doc map[string]any, p string) {
			rename(obj(operation(doc), "responses"), "200", "200"+p)
		}},
		"component name": {"/components/schemas/", func(doc map[string]any, p string) {
			rename(obj(doc, "components", "schemas"), "Error", "Error"+p)
		}},
		"property name": {"/components/schemas/Candidate/properties/", func(doc map[string]any, p string) {
			rename(obj(candidate(doc), "properties"), "first_name", "first_name"+p)
		}},
		"enum value": {"/components/schemas/Candidate/properties/source/enum/1", func(doc map[string]any, p string) {
			obj(candidate(doc), "properties", "source")["enum"].([]any)[1] = "hireEZ" + p
		}},
		"format": {"/components/schemas/Candidate/properties/created_at/format", func(doc map[string]any, p string) {
			obj(candidate(doc), "properties", "created_at")["format"] = "int64" + p
		}},
		"schema title": {"/components/schemas/Candidate/title", func(doc map[string]any, p string) {
			candidate(doc)["title"] = "Candidate" + p
		}},
		"generator extension": {"/components/schemas/Candidate/x-go-type-name", func(doc map[string]any, p string) {
			candidate(doc)["x-go-type-name"] = "Candidate" + p
		}},
		"oapi-codegen extension": {"/components/schemas/Candidate/properties/first_name/x-oapi-codegen-extra-tags", func(doc map[string]any, p string) {
			obj(candidate(doc), "properties", "first_name")["x-oapi-codegen-extra-tags"] = map[string]any{"validate": p}
		}},
		"security scheme name": {"/components/securitySchemes/apiKey/name", func(doc map[string]any, p string) {
			obj(doc, "components", "securitySchemes", "apiKey")["name"] = "X-API-Key" + p
		}},
	}
	for name, place := range places {
		for payloadName, payload := range payloads {
			if name == "summary" || name == "schema title" {
				if !strings.Contains(payload, "\n") {
					continue // one line of text: allowed, and rendered inert (TestGeneratorsRenderDocumentTextInert)
				}
			}
			t.Run(name+"/"+payloadName, func(t *testing.T) {
				err := gensafe.CheckDocument(edit(t, func(doc map[string]any) { place.set(doc, payload) }), gensafe.Downloaded)
				require.Error(t, err)
				var de *gensafe.DocumentError
				require.True(t, errors.As(err, &de), "%T", err)
				require.NotEmpty(t, de.Problems)
				assert.True(t, strings.HasPrefix(de.Problems[0].Pointer, place.pointer), "%s", de.Problems[0].Pointer)
				assert.NotContains(t, err.Error(), "\n//go:", "the message quotes the value")
				assert.NotContains(t, err.Error(), "`", "the message quotes the value")
			})
		}
	}
}

// What the overlay may set is checked too: its generator extensions must be Go names and
// type names, and the ones that add imports or struct tags are refused outright.
func TestCheckDocumentOverlaidExtensions(t *testing.T) {
	ok := edit(t, func(doc map[string]any) {
		c := candidate(doc)
		c["x-go-type-name"] = "Candidate"
		obj(c, "properties", "first_name")["x-go-type"] = "Nullable[string]"
		obj(c, "properties", "first_name")["x-go-type-skip-optional-pointer"] = true
		obj(c, "properties", "source")["x-enum-varnames"] = []any{"SeekOut", "HireEZ", "NotInterested"}
	})
	assert.NoError(t, gensafe.CheckDocument(ok, gensafe.Overlaid))
	for name, f := range map[string]func(doc map[string]any){
		"x-go-type with a backtick": func(doc map[string]any) { candidate(doc)["x-go-type"] = "string`" },
		"x-go-type with a newline": func(doc map[string]any) {
			candidate(doc)["x-go-type"] = "string\nfunc init() {}"
		},
		"x-go-name not a name":      func(doc map[string]any) { candidate(doc)["x-go-name"] = "A B" },
		"x-go-type-import":          func(doc map[string]any) { candidate(doc)["x-go-type-import"] = map[string]any{"path": "os/exec"} },
		"x-oapi-codegen-extra-tags": func(doc map[string]any) { candidate(doc)["x-oapi-codegen-extra-tags"] = map[string]any{"a": "b"} },
		"x-enum-varnames":           func(doc map[string]any) { candidate(doc)["x-enum-varnames"] = []any{"A;init()"} },
		"x-omitempty not a bool":    func(doc map[string]any) { candidate(doc)["x-omitempty"] = "yes" },
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, gensafe.CheckDocument(edit(t, f), gensafe.Overlaid))
		})
	}
}

func TestCheckDocumentRefusesOutsideReferences(t *testing.T) {
	for _, ref := range []string{
		"https://evil.example/schema.json#/Candidate",
		"/etc/passwd",
		"../../.git/config#/x",
		"other.yaml#/components/schemas/X",
		"#/components/schemas/Candidate\"",
	} {
		doc := edit(t, func(doc map[string]any) {
			obj(operation(doc), "responses", "200", "content", "application/json", "schema")["$ref"] = ref
		})
		err := gensafe.CheckDocument(doc, gensafe.Downloaded)
		assert.ErrorContains(t, err, "is not a reference inside the document (#/...)", ref)
	}
}

// Control characters are refused in every text of the document, descriptions included;
// only line breaks and tabs are allowed there.
func TestCheckDocumentRefusesControlCharactersInText(t *testing.T) {
	for name, s := range map[string]string{
		"NUL": "a\x00b", "escape": "a\x1b]8;;https://x\x07b", "line separator": "a\u2028b",
		"bidi override": "abc\u202edcba", "BOM": "\ufeff", "next line": "a\u0085b",
	} {
		for _, key := range []string{"description", "summary"} {
			t.Run(name+"/"+key, func(t *testing.T) {
				err := gensafe.CheckDocument(edit(t, func(doc map[string]any) { operation(doc)[key] = s }), gensafe.Downloaded)
				assert.ErrorIs(t, err, gensafe.ErrUnsafeText)
			})
		}
	}
	// The document's own text: Markdown with line breaks and tabs.
	assert.NoError(t, gensafe.CheckDocument(edit(t, func(doc map[string]any) {
		operation(doc)["description"] = "Line one\n\n\tcode\r\n"
	}), gensafe.Downloaded))
}

func TestDocumentErrorIsBounded(t *testing.T) {
	doc := edit(t, func(doc map[string]any) {
		props := obj(candidate(doc), "properties")
		for i := range 30 {
			props[strings.Repeat("`", i+1)] = map[string]any{"type": "string"}
		}
	})
	err := gensafe.CheckDocument(doc, gensafe.Downloaded)
	var de *gensafe.DocumentError
	require.True(t, errors.As(err, &de))
	assert.Len(t, de.Problems, gensafe.MaxProblems)
	assert.Equal(t, 30-gensafe.MaxProblems, de.Omitted)
	assert.Contains(t, err.Error(), "(30 problems)")
	assert.Contains(t, err.Error(), fmt.Sprintf("... and %d more", 30-gensafe.MaxProblems))
}

func TestCheckDocumentRefusesNonJSON(t *testing.T) {
	assert.ErrorContains(t, gensafe.CheckDocument([]byte("<html>"), gensafe.Downloaded), "not JSON")
}

// FuzzCheckDocument: CheckDocument never panics, and a document it accepts holds no unsafe
// character in any key or string, and no generator extension.
func FuzzCheckDocument(f *testing.F) {
	f.Add([]byte(smallDocument))
	f.Add([]byte(`{"paths":{"/a` + "`" + `":{}},"x-go-name":1}`))
	f.Add([]byte(`{"components":{"schemas":{"A":{"properties":{"b\u2028":{"enum":["x\ny"]}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if gensafe.CheckDocument(data, gensafe.Downloaded) != nil {
			return
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("accepted what is not JSON: %v", err)
		}
		var walk func(v any)
		check := func(s string) {
			for _, r := range s {
				if gensafe.UnsafeRune(r) {
					t.Fatalf("accepted %q", s)
				}
			}
		}
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					check(k)
					if strings.HasPrefix(strings.ToLower(k), "x-go-") || strings.HasPrefix(strings.ToLower(k), "x-oapi-codegen-") {
						t.Fatalf("accepted the extension %q", k)
					}
					walk(e)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case string:
				check(v)
			}
		}
		walk(doc)
	})
}
