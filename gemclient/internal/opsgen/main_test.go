package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/gensafe"
)

// A summary is document text that opsgen copies into a doc comment. Whatever it holds, the
// emitted method's comment stays one comment line: a newline followed by a go:generate
// line or a func init (what once ran a shell in `make generate` and code under `go test`),
// a "*/", a backtick.
func TestSummaryStaysOneCommentLine(t *testing.T) {
	for name, summary := range map[string]string{
		"go:generate": "List users\n//go:generate sh -c 'touch pwned'\n",
		"func init":   "List users\nfunc init() { panic(\"pwned\") }\n",
		"block end":   "List users */ func init() { panic(\"pwned\") } /*",
		"backtick":    "List users` + \"pwned\" + `",
		"CR":          "List users\r//go:generate sh -c 'touch pwned'",
	} {
		t.Run(name, func(t *testing.T) {
			o := &openapi3.Operation{OperationID: "ListUsers", Summary: summary, Responses: openapi3.NewResponses()}
			x, err := describe("/v0/users", "GET", o)
			require.NoError(t, err)
			src, err := render([]op{x})
			require.NoError(t, err)
			require.NoError(t, gensafe.CheckGoFile("operations.gen.go", src, outputFile))
			var traces int
			for _, line := range bytes.Split(src, []byte("\n")) {
				if bytes.Contains(line, []byte("pwned")) {
					traces++
					assert.True(t, bytes.HasPrefix(line, []byte("// List users")), "outside the summary's comment line: %s", line)
				}
			}
			assert.Equal(t, 1, traces, "the summary is on one comment line:\n%s", src)
		})
	}
}

// Characters that have no place in source are refused, with the operation named.
func TestSummaryWithUnsafeCharactersIsRefused(t *testing.T) {
	for _, summary := range []string{"List users\u2028//go:generate x", "List\x00users", "List \u202eusers"} {
		o := &openapi3.Operation{OperationID: "ListUsers", Summary: summary, Responses: openapi3.NewResponses()}
		_, err := describe("/v0/users", "GET", o)
		require.Error(t, err)
		assert.ErrorIs(t, err, gensafe.ErrUnsafeText)
		assert.True(t, strings.HasPrefix(err.Error(), "summary: "), err.Error())
	}
}

func TestDocumentIsCheckedBeforeGenerating(t *testing.T) {
	doc, err := gen.GetSpec()
	require.NoError(t, err)
	require.NoError(t, checkDocument(doc))

	hostile := *doc
	hostile.Paths = openapi3.NewPaths()
	for path, item := range doc.Paths.Map() {
		hostile.Paths.Set(path, item)
	}
	hostile.Paths.Set("/v0/users/`+\"pwned\"+`", doc.Paths.Value("/v0/users"))
	err = checkDocument(&hostile)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a path")
}
