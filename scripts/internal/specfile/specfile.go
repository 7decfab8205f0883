// Package specfile downloads Gem's OpenAPI document, checks that it is one
// and that its names and text are safe to generate from, and writes it in the
// normalised form committed at api/openapi.json.
package specfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gem-go/gem-go/internal/gensafe"
)

// DefaultURL is where the "Download OpenAPI specification" link of Gem's API
// reference is assumed to point: flask-smorest serves the JSON document at
// openapi.json next to its ReDoc page (/v0/reference). It is an assumption,
// not a published contract, so every tool takes the URL as a flag or from
// the GEM_SPEC_URL environment variable.
const DefaultURL = "https://api.gem.com/v0/reference/openapi.json"

// MaxSize bounds the size of a downloaded document (Gem's is well under 1 MiB).
const MaxSize = 32 << 20

// Download fetches url with client and returns the body of a 200 response.
// Any other status, a transport error or an oversized body is an error that
// names the URL.
func Download(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gem-go-update-spec")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, fmt.Errorf("download %s: got HTTP %s, want 200 OK; body starts: %q", url, resp.Status, snippet)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: reading body: %w", url, err)
	}
	if len(body) > MaxSize {
		return nil, fmt.Errorf("download %s: body is larger than %d bytes", url, MaxSize)
	}
	return body, nil
}

// Validate reports whether data is an OpenAPI 3 document that kin-openapi
// loads and validates.
func Validate(ctx context.Context, data []byte) error {
	var head struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("not an OpenAPI 3 document: %w", err)
	}
	if !strings.HasPrefix(head.OpenAPI, "3.") {
		return fmt.Errorf("not an OpenAPI 3 document: its \"openapi\" field is %q", head.OpenAPI)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return fmt.Errorf("not a loadable OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return fmt.Errorf("invalid OpenAPI document: %w", err)
	}
	return nil
}

// WriteFileAtomic replaces path with data through a temporary file in the
// same directory and a rename, so readers see the old file or the new one,
// never a partial write. An existing file keeps its permissions.
func WriteFileAtomic(path string, data []byte) (err error) {
	mode := fs.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Update downloads the document at url, checks it, and writes it normalised
// to path. It reports whether the file changed. On any error path is left as
// it was. Besides being a valid OpenAPI 3 document, the download must hold
// nothing that could reach generated code as anything but data
// (gensafe.CheckDocument: odd names, references outside the document,
// generator extensions, control characters), since everything after it
// (generation, the pull request's body) takes its names as they are.
func Update(ctx context.Context, client *http.Client, url, path string) (changed bool, err error) {
	body, err := Download(ctx, client, url)
	if err != nil {
		return false, err
	}
	doc, err := Normalize(body)
	if err != nil {
		return false, fmt.Errorf("document from %s: %w", url, err)
	}
	if err := Validate(ctx, doc); err != nil {
		return false, fmt.Errorf("document from %s: %w", url, err)
	}
	if err := gensafe.CheckDocument(doc, gensafe.Downloaded); err != nil {
		return false, fmt.Errorf("document from %s: %w", url, err)
	}
	old, err := os.ReadFile(path)
	if err == nil && bytes.Equal(old, doc) {
		return false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := WriteFileAtomic(path, doc); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
