// Command releasenotes prints the notes of one release: the section of
// CHANGELOG.md headed "## [X.Y.Z]" for the tag vX.Y.Z. The release workflow
// (scripts/release) passes them to `gh release create`.
//
//	go run ./cmd/releasenotes [-changelog ../CHANGELOG.md] vX.Y.Z
//
// The exit status is 1 when the section is missing or empty, 2 on a usage or
// read error.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gem-go/gem-go/scripts/internal/cli"
	"github.com/gem-go/gem-go/scripts/internal/relnotes"
)

func main() { cli.Main(run) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("releasenotes", stderr)
	changelog := fs.String("changelog", "../CHANGELOG.md", "the changelog")
	if status, done := cli.Parse(fs, args); done {
		return status
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: releasenotes [-changelog FILE] vX.Y.Z")
		return 2
	}
	data, err := os.ReadFile(*changelog)
	if err != nil {
		fmt.Fprintf(stderr, "releasenotes: %v\n", err)
		return 2
	}
	notes, err := relnotes.Section(data, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "releasenotes: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, notes)
	return 0
}
