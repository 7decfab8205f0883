package gensafe_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gensafe"
)

// importsOf lists the import paths of a Go file.
func importsOf(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
	require.NoError(t, err)
	var out []string
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		require.NoError(t, err)
		out = append(out, p)
	}
	return out
}

// goCommand runs the go command in dir, offline, and returns its combined output.
func goCommand(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The text CheckDocument lets through (a summary's one line, a description's lines, an
// example) goes through the real oapi-codegen, pinned in tools/go.mod, generating what gen/,
// internal/genspec/ and internal/genserver/ do (models, embedded document, strict net/http
// server).
// The generated code passes CheckGoFile with their imports, compiles, holds every payload
// only on comment lines, and `go generate` over it runs nothing.
func TestGeneratorsRenderDocumentTextInert(t *testing.T) {
	if testing.Short() {
		t.Skip("runs oapi-codegen and the compiler")
	}
	all := strings.Join([]string{payloads["go:generate"], payloads["func init"], payloads["block end"], payloads["backtick"]}, "\n")
	doc := edit(t, func(doc map[string]any) {
		op := operation(doc)
		op["summary"] = "Get a candidate " + payloads["block end"] + payloads["backtick"]
		op["description"] = all
		parameters(doc)[0].(map[string]any)["description"] = all
		obj(op, "responses", "200")["description"] = all
		c := candidate(doc)
		c["description"] = all
		c["example"] = map[string]any{"first_name": all}
		first := obj(c, "properties", "first_name")
		first["description"] = all
		first["example"] = all
		obj(c, "properties", "source")["description"] = all
		obj(doc, "info")["description"] = all
	})
	require.NoError(t, gensafe.CheckDocument(doc, gensafe.Downloaded), "descriptions and examples may hold these")

	work := t.TempDir()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, f := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(work, f), data, 0o644))
	}
	// The pinned oapi-codegen runs in another process: read its pins here, so that go
	// test's cache keys on them.
	for _, f := range []string{"tools/go.mod", "tools/go.sum"} {
		_, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
	}
	pkg := filepath.Join(work, "hostile")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "openapi.json"), doc, 0o644))
	// Everything gen, internal/genspec and internal/genserver generate, in one package.
	config := "package: hostile\ngenerate:\n  models: true\n  embedded-spec: true\n" +
		"  std-http-server: true\n  strict-server: true\n" +
		"output-options:\n  name-normalizer: ToCamelCaseWithInitialisms\n"
	require.NoError(t, os.WriteFile(filepath.Join(work, "config.yaml"), []byte(config), 0o644))
	out := filepath.Join(pkg, "hostile.gen.go")
	msg, err := goCommand(t, filepath.Join(root, "tools"), "run", "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen",
		"-config", filepath.Join(work, "config.yaml"), "-o", out, filepath.Join(work, "openapi.json"))
	require.NoError(t, err, msg)

	src, err := os.ReadFile(out)
	require.NoError(t, err)
	imports := slices.Concat(importsOf(t, "../../gen/gem.gen.go"), importsOf(t, "../../internal/genserver/server.gen.go"),
		importsOf(t, "../../internal/genspec/spec.gen.go"))
	assert.NoError(t, gensafe.CheckGoFile(out, src, gensafe.GoFile{Package: "hostile", Imports: imports}))
	for i, line := range bytes.Split(src, []byte("\n")) {
		for _, trace := range []string{"pwned", "func init", "*/", "json:\"y\""} {
			if bytes.Contains(line, []byte(trace)) {
				assert.True(t, bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("// ")), "line %d holds %q outside a comment: %s", i+1, trace, line)
			}
		}
	}
	assert.Contains(t, string(src), "// //go:generate sh -c 'touch pwned'", "the payload is there, as comment text")

	msg, err = goCommand(t, work, "vet", "./hostile")
	require.NoError(t, err, "the generated code compiles and vets:\n%s", msg)
	msg, err = goCommand(t, work, "generate", "-x", "./hostile")
	require.NoError(t, err, msg)
	assert.Empty(t, strings.TrimSpace(msg), "go generate found a directive")
	assert.NoFileExists(t, filepath.Join(pkg, "pwned"))

}
