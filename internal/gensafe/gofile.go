package gensafe

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// GoFile says what a generated file may hold.
type GoFile struct {
	// Package is the file's package name.
	Package string
	// Imports are the import paths it may use (it need not use them all).
	Imports []string
}

// CheckGoFile parses a generated Go file and refuses what would run code that nobody
// wrote: a func init, a //go: directive (a //go:build line above the package clause
// excepted), a //line directive, an import outside want.Imports (cgo's "C" included), or
// another package name. Directives are looked for on every line of the source, inside raw
// string literals too, since `go generate` reads those. The error names each finding with
// its line.
func CheckGoFile(filename string, src []byte, want GoFile) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("gensafe: %s does not parse: %w", filename, err)
	}
	var problems []string
	addf := func(pos token.Pos, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: ", fset.Position(pos))+fmt.Sprintf(format, args...))
	}
	if f.Name.Name != want.Package {
		addf(f.Name.Pos(), "package %s, want %s", f.Name.Name, want.Package)
	}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !slices.Contains(want.Imports, path) {
			addf(imp.Pos(), "imports %s, which is not among the imports this file may use", Quote(path))
		}
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
			addf(fd.Pos(), "declares func init")
		}
	}
	header := fset.Position(f.Package).Line
	for i, line := range bytes.Split(src, []byte("\n")) {
		if n := i + 1; directive(line) && !(n < header && bytes.HasPrefix(line, []byte("//go:build "))) {
			problems = append(problems, fmt.Sprintf("%s:%d: a directive: %s", filename, n, Quote(string(line))))
		}
	}
	// A directive comment after code on its line: the line scan above did not see it.
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			pos := fset.Position(c.Pos())
			before := src[pos.Offset-pos.Column+1 : pos.Offset]
			if directive([]byte(c.Text)) && len(bytes.TrimLeft(before, " \t")) > 0 {
				addf(c.Pos(), "a directive: %s", Quote(c.Text))
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("gensafe: %s holds what its generator never writes:\n\t%s", filename, strings.Join(problems, "\n\t"))
}

// directive reports whether a line (or a comment) starts, after indentation, as a
// compiler, go generate or line directive: //go:..., //line, /*line, //export, //extern.
func directive(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	for _, p := range []string{"//go:", "//line ", "/*line ", "//export ", "//extern "} {
		if bytes.HasPrefix(t, []byte(p)) {
			return true
		}
	}
	return false
}
