// Command specdiff prints oasdiff's changelog between two versions of Gem's
// OpenAPI document as Markdown, with each breaking change marked.
//
// Run it from scripts/:
//
//	go run ./cmd/specdiff [-fail-on-breaking] [-o changelog.md] BASE REVISION
//
// BASE and REVISION are file paths, URLs, or git revisions such as
// HEAD:api/openapi.json. The exit status is 0, or 1 when -fail-on-breaking
// is set and oasdiff classifies a change as breaking (level error or
// warning), or 2 when the documents cannot be loaded or compared.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gem-go/gem-go/scripts/internal/changelog"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("specdiff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: specdiff [-fail-on-breaking] [-o FILE] BASE REVISION")
		fs.PrintDefaults()
	}
	failOnBreaking := fs.Bool("fail-on-breaking", false, "exit 1 when a change is breaking")
	out := fs.String("o", "", "also write the changelog to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}

	c, err := changelog.Compare(fs.Arg(0), fs.Arg(1))
	if err != nil {
		fmt.Fprintf(stderr, "specdiff: %v\n", err)
		return 2
	}
	md := c.Markdown()
	fmt.Fprint(stdout, md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fmt.Fprintf(stderr, "specdiff: %v\n", err)
			return 2
		}
	}
	breaking := len(c.Breaking())
	fmt.Fprintf(stderr, "specdiff: changes: %d, breaking: %d\n", len(c.Entries), breaking)
	if *failOnBreaking && breaking > 0 {
		return 1
	}
	return 0
}
