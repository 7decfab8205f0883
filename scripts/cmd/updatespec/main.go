// Command updatespec downloads Gem's OpenAPI document and writes it to
// api/openapi.json in the committed, normalised form (keys sorted, two-space
// indent, trailing newline). It exits non-zero with a message naming the URL
// on a network error, a status other than 200, a body that is not a valid
// OpenAPI 3 document, or one holding what must not reach generated code
// (control characters in summaries, operationIds or paths, odd names,
// generator extensions: internal/gensafe), and leaves the existing file as it
// was.
//
// Run it from scripts/ (or through scripts/update-spec):
//
//	go run ./cmd/updatespec [-url URL] [-out ../api/openapi.json] [-timeout 1m]
//
// The URL defaults to $GEM_SPEC_URL, then to specfile.DefaultURL.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gem-go/gem-go/scripts/internal/cli"
	"github.com/gem-go/gem-go/scripts/internal/specfile"
)

func main() { cli.Main(run) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("updatespec", stderr)
	defaultURL := specfile.DefaultURL
	if v := os.Getenv("GEM_SPEC_URL"); v != "" {
		defaultURL = v
	}
	url := fs.String("url", defaultURL, "URL of Gem's OpenAPI document; $GEM_SPEC_URL sets the default")
	out := fs.String("out", "../api/openapi.json", "file to write")
	timeout := fs.Duration("timeout", time.Minute, "time limit for the download")
	if status, done := cli.Parse(fs, args); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "update-spec: unexpected arguments %q\n", fs.Args())
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	changed, err := specfile.Update(ctx, http.DefaultClient, *url, *out)
	if err != nil {
		fmt.Fprintf(stderr, "update-spec: %v\n", err)
		return 1
	}
	if changed {
		fmt.Fprintf(stdout, "update-spec: wrote %s from %s\n", *out, *url)
	} else {
		fmt.Fprintf(stdout, "update-spec: %s already matches %s\n", *out, *url)
	}
	return 0
}
