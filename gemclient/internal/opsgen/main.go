// Command opsgen writes gemclient's generated files from Gem's overlaid document and gen's
// models (through internal/gendoc):
//
//   - operations.gen.go: the operation ids (OpListCandidates, ...), one typed method on
//     *gemclient.Client per operation, which checks its arguments, builds the request
//     (path, query string, body) and sends it through the Client's pipeline, plus an ...All
//     iterator for each paginated list;
//   - validate.gen.go: the checks those methods (and Client.Do) run before sending, from
//     the document's rules: required fields, bounds, lengths, list sizes, enums, dates and
//     ids, and the bounds the helpers batch by.
//
// Every method knows its operation: nothing routes a URL back to one, and no document is
// parsed when a program runs. Rules the generator cannot check (a pattern, a parameter
// style it does not know) stop generation instead of being skipped. Text from the document
// reaches the files only as escaped string literals or as comments flattened to one line
// (internal/gensafe); the document is checked before and the files after.
// Run it through `go generate ./gemclient` (see doc.go) or `make generate`.
package main

import (
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"

	"github.com/gem-go/gem-go/internal/gendoc"
	"github.com/gem-go/gem-go/internal/gensafe"
	"github.com/gem-go/gem-go/internal/genspec"
)

// files are what opsgen writes, and outputFile what they may hold.
var (
	files = map[string]func(*gendoc.Doc) ([]byte, error){
		"operations.gen.go": renderOperations,
		"validate.gen.go":   renderChecks,
	}
	outputFile = gensafe.GoFile{Package: "gemclient", Imports: []string{
		"context", "encoding/json", "io", "iter", "net/http", "net/url", "strconv",
		"github.com/gem-go/gem-go/gen",
	}}
)

func main() {
	genFile := flag.String("gen", "../gen/gem.gen.go", "gen's models, as oapi-codegen wrote them")
	outDir := flag.String("outdir", ".", "where to write operations.gen.go and validate.gen.go")
	flag.Parse()
	data, err := genspec.GetSpecJSON()
	if err == nil {
		err = gensafe.CheckDocument(data, gensafe.Overlaid)
	}
	if err != nil {
		log.Fatalf("opsgen: the overlaid document: %v", err)
	}
	doc, err := gendoc.Load(*genFile)
	if err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	for name, render := range files {
		src, err := render(doc)
		if err != nil {
			log.Fatalf("opsgen: %s: %v", name, err)
		}
		if err := gensafe.CheckGoFile(name, src, outputFile); err != nil {
			log.Fatalf("opsgen: %v", err)
		}
		if err := os.WriteFile(filepath.Join(*outDir, name), src, 0o644); err != nil {
			log.Fatalf("opsgen: %v", err)
		}
	}
}

// gofmt formats generated source with its comments wrapped at width, or says where it does
// not parse.
func gofmt(src []byte) ([]byte, error) {
	out, err := format.Source(gendoc.WrapComments(src, width))
	if err != nil {
		return nil, fmt.Errorf("generated code does not parse: %w\n%s", err, src)
	}
	return out, nil
}
