package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURLFromEnvironment(t *testing.T) {
	doc, err := os.ReadFile("../../testdata/base.json")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/spec.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(doc)
	}))
	defer srv.Close()
	t.Setenv("GEM_SPEC_URL", srv.URL+"/spec.json")
	out := filepath.Join(t.TempDir(), "openapi.json")

	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
	assert.Equal(t, "update-spec: wrote "+out+" from "+srv.URL+"/spec.json\n", stdout.String())

	// -url wins over the environment.
	stdout.Reset()
	assert.Equal(t, 1, run([]string{"-out", out, "-url", srv.URL + "/other"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "update-spec: download "+srv.URL+"/other: got HTTP 404 Not Found")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, doc, got)
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"extra"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "unexpected arguments")
}
