// Command specdiff prints oasdiff's changelog between two versions of Gem's
// OpenAPI document as Markdown, with each breaking change marked.
//
// Run it from scripts/:
//
//	go build -o specdiff ./cmd/specdiff
//	./specdiff [-fail-on-breaking] [-o changelog.md] BASE REVISION
//
// BASE and REVISION are file paths, URLs, or git revisions such as
// HEAD:api/openapi.json. Flags may come before, between or after them
// (`specdiff BASE REVISION -fail-on-breaking`); after "--" everything is a
// document. The exit status is 0, or 1 when -fail-on-breaking is set and a
// change is breaking (oasdiff level error or warning, with the SDK's
// overrides), or 2 when the documents cannot be loaded or compared or the
// arguments are wrong. Run the built binary when the status matters: `go run`
// exits 1 for any failure of the program, so "cannot load" would read as
// "breaking".
package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gem-go/gem-go/scripts/internal/changelog"
	"github.com/gem-go/gem-go/scripts/internal/cli"
)

func main() { cli.Main(run) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("specdiff", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: specdiff [-fail-on-breaking] [-o FILE] BASE REVISION")
		fs.PrintDefaults()
	}
	failOnBreaking := fs.Bool("fail-on-breaking", false, "exit 1 when a change is breaking")
	out := fs.String("o", "", "also write the changelog to this file")
	docs, err := parseInterspersed(fs, args)
	if status, done := cli.Parsed(err); done {
		return status
	}
	if len(docs) != 2 {
		fs.Usage()
		return 2
	}

	c, err := changelog.Compare(docs[0], docs[1])
	if err != nil {
		fmt.Fprintf(stderr, "specdiff: %v\n", err)
		return 2
	}
	if !cli.Report("specdiff", c.Markdown(), *out, stdout, stderr) {
		return cli.Failure
	}
	breaking := len(c.Breaking())
	fmt.Fprintf(stderr, "specdiff: changes: %d, breaking: %d\n", len(c.Entries), breaking)
	if *failOnBreaking && breaking > 0 {
		return 1
	}
	return 0
}

// parseInterspersed parses flags wherever they appear among the positional
// arguments, which it returns in order. The flag package stops at the first
// non-flag argument, so it is called again on what follows each one. A "--"
// ends the flags: everything after it is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// fs.Parse consumed "--" if it is what stopped it.
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" && !isFlagValue(fs, consumed) {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// isFlagValue reports whether the last of consumed, a "--", was the value of
// the flag before it (as in "-o --") rather than the end of the flags.
func isFlagValue(fs *flag.FlagSet, consumed []string) bool {
	if len(consumed) < 2 {
		return false
	}
	name := strings.TrimLeft(consumed[len(consumed)-2], "-")
	if strings.Contains(name, "=") || !strings.HasPrefix(consumed[len(consumed)-2], "-") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}
