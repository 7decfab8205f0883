package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gendoc"
	"github.com/gem-go/gem-go/internal/genspec"
)

// load is the embedded document, changed by edit, joined with gen's models.
func load(t *testing.T, edit func(*openapi3.T)) (*gendoc.Doc, error) {
	t.Helper()
	spec, err := genspec.GetSpec()
	require.NoError(t, err)
	models, err := gendoc.ParseModels("../../../gen/gem.gen.go")
	require.NoError(t, err)
	if edit != nil {
		edit(spec)
	}
	return gendoc.New(spec, models)
}

// render writes both files, or the first error, and checks that each parses.
func render(t *testing.T, doc *gendoc.Doc) (string, error) {
	t.Helper()
	var all []string
	for _, r := range []func(*gendoc.Doc) ([]byte, error){renderOperations, renderChecks} {
		src, err := r(doc)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok {
				assert.NotEqual(t, "init", fn.Name.Name, "document text became code")
			}
		}
		all = append(all, string(src))
	}
	return strings.Join(all, "\n"), nil
}

// The committed files are what the generator writes (make verify-generated checks it
// too); this keeps the tests below honest about the real document.
func TestRendersTheDocument(t *testing.T) {
	doc, err := load(t, nil)
	require.NoError(t, err)
	_, err = render(t, doc)
	require.NoError(t, err)
}

// A summary is document text: it reaches the file only as a one-line comment. A line
// break followed by a directive or code stays inside the comment; characters that could
// break out of it (or hide text) stop generation.
func TestSummariesStayComments(t *testing.T) {
	payloads := []string{
		"Get candidate\n//go:generate sh -c \"touch /tmp/pwned\"",
		"Get candidate\nfunc init() { panic(1) }",
		"Get candidate */ func init() { panic(1) } /*",
		"Get `candidate`\r\nvar _ = 1",
	}
	for _, p := range payloads {
		doc, err := load(t, func(s *openapi3.T) { s.Paths.Value("/v0/candidates/{candidate_id}").Get.Summary = p })
		require.NoError(t, err)
		src, err := render(t, doc)
		require.NoError(t, err, "%q", p)
		for _, line := range strings.Split(src, "\n") {
			assert.False(t, strings.HasPrefix(line, "//go:"), "%q became a directive: %s", p, line)
			assert.False(t, strings.HasPrefix(strings.TrimSpace(line), "func init"), "%q became code: %s", p, line)
		}
	}
	for _, p := range []string{"Get\u2028candidate", "Get\x00candidate", "Get\u202ecandidate", "Get\x1b[31mcandidate"} {
		doc, err := load(t, func(s *openapi3.T) { s.Paths.Value("/v0/candidates/{candidate_id}").Get.Summary = p })
		require.NoError(t, err)
		_, err = render(t, doc)
		assert.Error(t, err, "%q", p)
	}
}

// Names and values from the document reach the code only as quoted string literals.
func TestDocumentValuesAreQuoted(t *testing.T) {
	doc, err := load(t, func(s *openapi3.T) {
		s.Components.Schemas["NoteCreate"].Value.Properties["content"].Value.Enum = []any{"a\"+panic(1)+\"", "b`c"}
	})
	require.NoError(t, err)
	src, err := render(t, doc)
	require.NoError(t, err)
	assert.Contains(t, src, `"a\"+panic(1)+\""`)
	assert.Contains(t, src, "\"b`c\"")
}

// A rule the generated checks do not implement stops generation rather than being
// skipped, and so does a bound a helper batches by when the document drops it.
func TestGenerationFailsOnWhatItCannotCheck(t *testing.T) {
	cases := map[string]func(*openapi3.T){
		"pattern": func(s *openapi3.T) {
			s.Components.Schemas["NoteCreate"].Value.Properties["content"].Value.Pattern = "^a"
		},
		"unknown format": func(s *openapi3.T) {
			s.Components.Schemas["NoteCreate"].Value.Properties["content"].Value.Format = "ipv4"
		},
		"the helpers' bound": func(s *openapi3.T) {
			s.Components.Schemas["ProjectCandidatesUpdate"].Value.Properties["candidate_ids"].Value.MaxItems = nil
		},
	}
	for name, edit := range cases {
		doc, err := load(t, edit)
		if err == nil {
			_, err = render(t, doc)
		}
		assert.Error(t, err, name)
	}
}
