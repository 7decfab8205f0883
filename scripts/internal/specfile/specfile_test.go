package specfile

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestNormalizeMatchesPython compares with output that Python's
// json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + "\n" wrote for
// the same input: odd numbers, escapes, non-ASCII keys, duplicate keys.
func TestNormalizeMatchesPython(t *testing.T) {
	got, err := Normalize(readFile(t, "../../testdata/normalize/input.json"))
	require.NoError(t, err)
	assert.Equal(t, string(readFile(t, "../../testdata/normalize/expected.json")), string(got))
}

func TestNormalizeIsStableOnCommittedForm(t *testing.T) {
	want := readFile(t, "../../testdata/base.json")
	got, err := Normalize(want)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestNormalizeRejects(t *testing.T) {
	for name, in := range map[string]string{
		"html":          "<html>login</html>",
		"trailing data": `{"a":1} {"b":2}`,
		"huge float":    `{"a":1e999}`,
		"empty":         "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Normalize([]byte(in))
			assert.Error(t, err)
		})
	}
}

func TestPythonNumber(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "12": "12", "1.0": "1.0", "-2.50": "-2.5", "1e3": "1000.0",
		"1E+16": "1e+16", "1e15": "1000000000000000.0", "0.0001": "0.0001", "0.00001": "1e-05",
		"-1.5e-7": "-1.5e-07", "1.25e20": "1.25e+20", "0.1": "0.1", "-0.0": "-0.0", "123.456e1": "1234.56",
	} {
		got, err := pythonNumber(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

func TestValidate(t *testing.T) {
	ctx := context.Background()
	require.NoError(t, Validate(ctx, readFile(t, "../../testdata/base.json")))
	for name, tc := range map[string]struct{ doc, msg string }{
		"not json":        {"nope", "not an OpenAPI 3 document"},
		"json error body": {`{"error":"unauthorized"}`, `its "openapi" field is ""`},
		"swagger 2":       {`{"swagger":"2.0","info":{"title":"x","version":"1"},"paths":{}}`, "not an OpenAPI 3 document"},
		"dangling ref": {`{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"$ref":"#/components/responses/Nope"}}}}}}`,
			"not a loadable OpenAPI document"},
		"invalid": {`{"openapi":"3.0.3","info":{"title":"x"},"paths":{}}`, "invalid OpenAPI document"},
	} {
		t.Run(name, func(t *testing.T) {
			err := Validate(ctx, []byte(tc.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// compact re-encodes a fixture the way a server might send it: minified,
// keys in Go's order.
func compact(t *testing.T, path string) []byte {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(readFile(t, path), &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func serve(t *testing.T, status int, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v0/reference/openapi.json"
}

// existing creates api/openapi.json with old content and returns its path.
func existing(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
	return path
}

// assertUntouched checks that path still holds the old content and that no
// temporary file was left beside it.
func assertUntouched(t *testing.T, path string) {
	t.Helper()
	assert.Equal(t, "old\n", string(readFile(t, path)))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only the original file should remain")
}

func TestUpdateWritesNormalisedDocument(t *testing.T) {
	url := serve(t, http.StatusOK, compact(t, "../../testdata/base.json"))
	path := existing(t)

	changed, err := Update(context.Background(), http.DefaultClient, url, path)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, string(readFile(t, "../../testdata/base.json")), string(readFile(t, path)))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	// The same document again changes nothing.
	changed, err = Update(context.Background(), http.DefaultClient, url, path)
	require.NoError(t, err)
	assert.False(t, changed)
}

func TestUpdateCreatesMissingFile(t *testing.T) {
	url := serve(t, http.StatusOK, compact(t, "../../testdata/base.json"))
	path := filepath.Join(t.TempDir(), "openapi.json")
	changed, err := Update(context.Background(), http.DefaultClient, url, path)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, string(readFile(t, "../../testdata/base.json")), string(readFile(t, path)))
}

func TestUpdateFailures(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/openapi.json"
	refused.Close()

	for name, tc := range map[string]struct{ url, msg string }{
		"not found":          {serve(t, http.StatusNotFound, []byte(`{"message":"Not Found"}`)), "got HTTP 404 Not Found, want 200 OK"},
		"server error":       {serve(t, http.StatusBadGateway, []byte("<html>bad gateway</html>")), "got HTTP 502 Bad Gateway"},
		"html body":          {serve(t, http.StatusOK, []byte("<!doctype html><title>Sign in</title>")), "not JSON"},
		"json, not openapi":  {serve(t, http.StatusOK, []byte(`{"errors":{"auth":"missing key"}}`)), "not an OpenAPI 3 document"},
		"invalid openapi":    {serve(t, http.StatusOK, []byte(`{"openapi":"3.0.3","info":{},"paths":{}}`)), "invalid OpenAPI document"},
		"connection refused": {refusedURL, "connection refused"},
	} {
		t.Run(name, func(t *testing.T) {
			path := existing(t)
			changed, err := Update(context.Background(), http.DefaultClient, tc.url, path)
			require.Error(t, err)
			assert.False(t, changed)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), tc.url, "the error names the URL")
			assertUntouched(t, path)
		})
	}
}

func TestWriteFileAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// The target is a directory, so the final rename fails.
	target := filepath.Join(dir, "openapi.json")
	require.NoError(t, os.Mkdir(target, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o644))

	require.Error(t, WriteFileAtomic(target, []byte("{}\n")))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "openapi.json", entries[0].Name())
}

// A download that would put code or Markdown into generated Go or the pull
// request is refused, naming the place, and the committed file stays.
func TestUpdateRefusesUnsafeDocuments(t *testing.T) {
	base := readFile(t, "../../testdata/base.json")
	for name, tc := range map[string]struct{ from, to, says string }{
		"summary with a go:generate line": {`"summary": "List users"`, `"summary": "List users\n//go:generate sh -c 'touch pwned'"`,
			`/paths/~1v0~1users/get/summary: unsafe character: a line break or tab (U+000A)`},
		"path key with a backtick": {`"/v0/users": {`, "\"/v0/users`\": {", `"/paths/~1v0~1users\x60": the key "/v0/users\x60" is not a path`},
		"operationId with a bidi override": {`"summary": "List users"`, `"summary": "List users", "operationId": "List\u202eUsers"`,
			`/paths/~1v0~1users/get/operationId: "List\u202eUsers" is not an operationId`},
		"generator extension": {`"summary": "List users"`, `"summary": "List users", "x-go-name": "Pwned"`,
			`"x-go-name" steers the code generator`},
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, string(base), tc.from)
			doc := []byte(strings.Replace(string(base), tc.from, tc.to, 1))
			url := serve(t, http.StatusOK, doc)
			path := existing(t)
			changed, err := Update(context.Background(), http.DefaultClient, url, path)
			require.Error(t, err)
			assert.False(t, changed)
			assert.Contains(t, err.Error(), tc.says)
			assert.Contains(t, err.Error(), url)
			assertUntouched(t, path)
		})
	}
}
