// Command goapidiff compares the exported Go API of the SDK's packages and
// contrib modules in the work tree with the last release (apidiff, from
// golang.org/x/exp) and writes a Markdown section with the changes and the
// version bump CHANGELOG.md's policy gives them.
//
// Run it from scripts/ (the spec-diff workflow runs it through
// scripts/spec-update-pr):
//
//	go build -o goapidiff ./cmd/goapidiff
//	./goapidiff [-repo ..] [-base REV] [-fallback REV] [-spec-breaking] [-fail-on-incompatible] [-o FILE] [PACKAGE...]
//
// PACKAGEs are patterns relative to -repo (default ./gen ./gemclient
// ./gemtest and each contrib module's ./contrib/<name>/...); a pattern inside a
// nested module is loaded in that module. The base is -base, else the highest
// vX.Y.Z tag (for a contrib module, its own contrib/<name>/vX.Y.Z), else
// -fallback. The exit status
// is 0, or 1 with -fail-on-incompatible when a change breaks Go callers, or 2
// when the packages cannot be loaded at either revision.
package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gem-go/gem-go/scripts/internal/cli"
	"github.com/gem-go/gem-go/scripts/internal/goapi"
)

func main() { cli.Main(run) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("goapidiff", stderr)
	repo := fs.String("repo", "..", "root of the git work tree holding the module")
	base := fs.String("base", "", "git revision to compare with (default: the last vX.Y.Z tag, else -fallback)")
	fallback := fs.String("fallback", "", "revision to compare with when there is no release tag")
	specBreaking := fs.Bool("spec-breaking", false, "oasdiff found a breaking change (bumps the minor even if the Go API is unchanged)")
	failOnIncompatible := fs.Bool("fail-on-incompatible", false, "exit 1 when a change breaks Go callers")
	out := fs.String("o", "", "also write the report to this file")
	timeout := fs.Duration("timeout", 10*time.Minute, "time limit for loading both versions")
	if status, done := cli.Parse(fs, args); done {
		return status
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	r, err := goapi.Compare(ctx, goapi.Options{
		Repo: *repo, Packages: fs.Args(), Base: *base, Fallback: *fallback, SpecBreaking: *specBreaking,
	})
	if err != nil {
		fmt.Fprintf(stderr, "goapidiff: %v\n", err)
		return 2
	}
	if !cli.Report("goapidiff", r.Markdown(), *out, stdout, stderr) {
		return cli.Failure
	}
	bump := r.Bump
	if bump == "" {
		bump = "none"
	}
	fmt.Fprintf(stderr, "goapidiff: base %s, incompatible: %d, compatible: %d, bump: %s\n", r.Base, len(r.Incompatible), len(r.Compatible), bump)
	if *failOnIncompatible && len(r.Incompatible) > 0 {
		return 1
	}
	return 0
}
