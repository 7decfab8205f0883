// Command gencheck runs package gensafe's checks as go:generate steps: before oapi-codegen
// on Gem's document as downloaded, and after it on the file it wrote.
//
//	go run ../internal/gensafe/gencheck -document ../api/openapi.json
//	go run ../internal/gensafe/gencheck -package genserver -imports context,net/http server.gen.go
//
// It exits 1, naming every problem, when the document holds what must not reach generated
// code or the file holds what its generator never writes (see gensafe.CheckDocument and
// gensafe.CheckGoFile); 2 when it cannot read its input.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gem-go/gem-go/internal/gensafe"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("gencheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	document := fs.String("document", "", "an OpenAPI document as downloaded, to check before generating from it")
	pkg := fs.String("package", "", "the package name of the generated files named as arguments")
	imports := fs.String("imports", "", "comma-separated import paths the generated files may use")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*document == "") == (fs.NArg() == 0) || (fs.NArg() > 0 && *pkg == "") {
		fmt.Fprintln(stderr, "usage: gencheck -document FILE | gencheck -package NAME [-imports A,B] FILE.go...")
		return 2
	}
	if *document != "" {
		data, err := os.ReadFile(*document)
		if err != nil {
			fmt.Fprintf(stderr, "gencheck: %v\n", err)
			return 2
		}
		if err := gensafe.CheckDocument(data, gensafe.Downloaded); err != nil {
			fmt.Fprintf(stderr, "gencheck: %s: %v\n", *document, err)
			return 1
		}
		return 0
	}
	want := gensafe.GoFile{Package: *pkg}
	if *imports != "" {
		want.Imports = strings.Split(*imports, ",")
	}
	status := 0
	for _, name := range fs.Args() {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "gencheck: %v\n", err)
			return 2
		}
		if err := gensafe.CheckGoFile(name, src, want); err != nil {
			fmt.Fprintf(stderr, "gencheck: %v\n", err)
			status = 1
		}
	}
	return status
}
