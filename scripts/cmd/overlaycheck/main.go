// Command overlaycheck reports what api/overlay.yaml lacks or no longer
// matches in a version of Gem's OpenAPI document: operations without an
// operationId, with the overlay action to add for each, and overlay actions
// whose target matches nothing, which make oapi-codegen abort.
//
// Run it from scripts/:
//
//	go run ./cmd/overlaycheck [-spec ../api/openapi.json] [-overlay ../api/overlay.yaml] [-allow-unnamed] [-o report.md]
//
// The exit status is 0 when the check is clean, 1 when it found something
// (unnamed operations do not count with -allow-unnamed), and 2 when the
// document or the overlay cannot be loaded.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gem-go/gem-go/scripts/internal/overlaycheck"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("overlaycheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "../api/openapi.json", "OpenAPI document")
	overlay := fs.String("overlay", "../api/overlay.yaml", "overlay file")
	allowUnnamed := fs.Bool("allow-unnamed", false, "exit 0 even if operations lack an operationId")
	out := fs.String("o", "", "also write the report to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "overlaycheck: unexpected arguments %q\n", fs.Args())
		return 2
	}

	r, err := overlaycheck.Check(*spec, *overlay)
	if err != nil {
		fmt.Fprintf(stderr, "overlaycheck: %v\n", err)
		return 2
	}
	md := r.Markdown()
	fmt.Fprint(stdout, md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fmt.Fprintf(stderr, "overlaycheck: %v\n", err)
			return 2
		}
	}
	if len(r.Unmatched) > 0 || len(r.Problems) > 0 || (len(r.Unnamed) > 0 && !*allowUnnamed) {
		return 1
	}
	return 0
}
