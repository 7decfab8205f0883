// Package cli is what the maintainer commands under scripts/cmd share: their exit
// statuses, flag parsing that reports instead of exiting, and the Markdown report each
// prints and may also write to a file (-o).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// The exit statuses every command uses: 1 is the command's own finding (a breaking
// change, an unmatched overlay action), 2 that it could not do its job.
const (
	OK      = 0
	Finding = 1
	Failure = 2
)

// Main runs a command's run with the process's arguments and streams, and exits with
// its status.
func Main(run func(args []string, stdout, stderr io.Writer) int) {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// FlagSet returns a flag set named name that reports its errors and usage on stderr and
// leaves the exit to the caller.
func FlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// Parse parses args with fs. done reports that the command should return status at once:
// 0 after -h (the usage is printed), Failure for a flag fs refused.
func Parse(fs *flag.FlagSet, args []string) (status int, done bool) {
	return Parsed(fs.Parse(args))
}

// Parsed is Parse for an error from a parse of one's own (fs.Parse in a loop).
func Parsed(err error) (status int, done bool) {
	switch {
	case err == nil:
		return OK, false
	case errors.Is(err, flag.ErrHelp):
		return OK, true
	default:
		return Failure, true
	}
}

// Report prints a command's Markdown report on stdout and, when file is not empty,
// writes it there too. A write that fails is reported on stderr, named after the
// command, and returns false.
func Report(name, md, file string, stdout, stderr io.Writer) bool {
	fmt.Fprint(stdout, md)
	if file == "" {
		return true
	}
	if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return false
	}
	return true
}
