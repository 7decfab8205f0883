// Command overlaycheck reports what api/overlay.yaml lacks or no longer
// matches in a version of Gem's OpenAPI document: operations without an
// operationId, with the overlay action to add for each, and overlay actions
// whose target matches nothing, which make oapi-codegen abort. Compared with
// the document the overlay was written for (-base), it also finds the
// components Gem renamed and suggests the overlay entries that keep the SDK's
// Go type names: the overlay's actions rewritten for the new names, and
// x-go-name (x-go-type-name for enums named after a component) on the renamed
// components. -apply writes them into an overlay file.
//
// Run it from scripts/:
//
//	go run ./cmd/overlaycheck [-spec ../api/openapi.json] [-overlay ../api/overlay.yaml] [-base FILE|REV:PATH] [-config ../oapi-codegen.yaml] [-apply FILE] [-allow-unnamed] [-o report.md]
//
// -base defaults to the committed version (git HEAD) of -spec, so that after
// `make update-spec` the check compares the download with the document it
// replaces; when -spec is not tracked by git, renames are not checked.
//
// The exit status is 0 when the check is clean, 1 when it found something
// (unnamed operations do not count with -allow-unnamed), and 2 when the
// document, the base, the overlay or the generator's configuration cannot be
// loaded.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gem-go/gem-go/scripts/internal/cli"
	"github.com/gem-go/gem-go/scripts/internal/overlaycheck"
)

func main() { cli.Main(run) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.FlagSet("overlaycheck", stderr)
	spec := fs.String("spec", "../api/openapi.json", "OpenAPI document")
	overlay := fs.String("overlay", "../api/overlay.yaml", "overlay file")
	base := fs.String("base", "", "the document the overlay was written for: a file or a git REV:PATH (default: the committed version of -spec)")
	config := fs.String("config", "../oapi-codegen.yaml", "oapi-codegen's configuration, for the Go names of renamed components")
	apply := fs.String("apply", "", "write the overlay with the suggested rename entries to this file (may be -overlay itself)")
	allowUnnamed := fs.Bool("allow-unnamed", false, "exit 0 even if operations lack an operationId")
	out := fs.String("o", "", "also write the report to this file")
	if status, done := cli.Parse(fs, args); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "overlaycheck: unexpected arguments %q\n", fs.Args())
		return 2
	}

	opts := []overlaycheck.Option{overlaycheck.WithGeneratorConfig(*config)}
	name, doc, err := loadBase(*base, *spec)
	if err != nil {
		fmt.Fprintf(stderr, "overlaycheck: %v\n", err)
		return 2
	}
	if doc != nil {
		opts = append(opts, overlaycheck.WithBase(name, doc))
	}
	r, err := overlaycheck.Check(*spec, *overlay, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "overlaycheck: %v\n", err)
		return 2
	}
	if *apply != "" && !r.Renames.Settled() {
		if err := applyRenames(r.Renames, *overlay, *apply); err != nil {
			fmt.Fprintf(stderr, "overlaycheck: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "overlaycheck: wrote %s with the rename entries; check it again\n", *apply)
	}
	if !cli.Report("overlaycheck", r.Markdown(), *out, stdout, stderr) {
		return cli.Failure
	}
	if len(r.Unmatched) > 0 || len(r.Problems) > 0 || r.Renames.Pending() || (len(r.Unnamed) > 0 && !*allowUnnamed) {
		return 1
	}
	return 0
}

// loadBase reads the base document: the file or git REV:PATH given, or, when
// none is, the version of spec committed at HEAD (nil when there is none).
func loadBase(base, spec string) (name string, doc []byte, err error) {
	if base == "" {
		abs, err := filepath.Abs(spec)
		if err != nil {
			return "", nil, nil
		}
		dir, file := filepath.Dir(abs), filepath.Base(abs)
		doc, err := exec.Command("git", "-C", dir, "show", "HEAD:./"+file).Output()
		if err != nil {
			return "", nil, nil // not in a repository, or not committed: nothing to compare with
		}
		name := "HEAD:" + spec
		if path, err := exec.Command("git", "-C", dir, "ls-files", "--full-name", "--", file).Output(); err == nil && len(path) > 0 {
			name = "HEAD:" + strings.TrimSpace(string(path))
		}
		return name, doc, nil
	}
	if doc, err := os.ReadFile(base); err == nil {
		return base, doc, nil
	} else if !strings.Contains(base, ":") {
		return "", nil, fmt.Errorf("base document: %w", err)
	}
	var stderr strings.Builder
	cmd := exec.Command("git", "show", base)
	cmd.Stderr = &stderr
	doc, err = cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("base document %s: git show: %v: %s", base, err, strings.TrimSpace(stderr.String()))
	}
	return base, doc, nil
}

// applyRenames writes the overlay at from, with the suggestion applied, to to.
func applyRenames(rn *overlaycheck.Renames, from, to string) error {
	text, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	fixed, err := rn.ApplyTo(text)
	if err != nil {
		return err
	}
	return os.WriteFile(to, fixed, 0o644)
}
