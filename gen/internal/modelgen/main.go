// Command modelgen checks what oapi-codegen wrote in gem.gen.go (internal/gensafe: no init
// function, directive or unexpected import), the overlaid document's names and text
// (gensafe) and its named enums (internal/enumcheck), and writes gen/models.gen.go: for every model type oapi-codegen generated in gem.gen.go, a
// String method (so %v and %+v print field names and values, not pointers), and for the
// types that responses carry, nil-safe GetX accessors for their pointer fields (go-github's
// habit: cand.GetFirstName() is "" when the field was absent or null, and
// cand.GetDueDate().GetNote() never panics).
//
// It reads gem.gen.go through internal/gendoc (go/ast), not by importing package gen, so a
// stale models.gen.go can never stop it from running. Models are the struct types whose
// every field has a json tag; response types are those reachable from the operations' 2xx
// bodies in the document. It also wraps the comments oapi-codegen wrote in gem.gen.go at
// 100 columns. Run it through `go generate ./gen` (see gen/generate.go).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"log"
	"os"
	"sort"

	"github.com/gem-go/gem-go/internal/enumcheck"
	"github.com/gem-go/gem-go/internal/gendoc"
	"github.com/gem-go/gem-go/internal/gensafe"
	"github.com/gem-go/gem-go/internal/genspec"
)

// oapiCodegenFile is what oapi-codegen may write in gem.gen.go (models only: the standard
// library and the types they use); modelFile what modelgen writes.
var (
	oapiCodegenFile = gensafe.GoFile{Package: "gen", Imports: []string{"encoding/json", "fmt", "time"}}
	modelFile       = gensafe.GoFile{Package: "gen", Imports: []string{"time"}}
)

func main() {
	in := flag.String("in", "gem.gen.go", "the file oapi-codegen wrote")
	out := flag.String("o", "models.gen.go", "output file")
	flag.Parse()
	generated, err := os.ReadFile(*in)
	if err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := gensafe.CheckGoFile(*in, generated, oapiCodegenFile); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := checkDocument(); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	doc, err := gendoc.Load(*in)
	if err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	src, err := render(models(doc))
	if err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := gensafe.CheckGoFile(*out, src, modelFile); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	// oapi-codegen writes each description on one line; go doc reads better wrapped.
	if err := wrap(*in); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
}

// width is the column doc comments wrap at.
const width = 100

// wrap rewrites a generated file with its comments wrapped at width.
func wrap(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := format.Source(gendoc.WrapComments(src, width))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// checkDocument refuses an overlaid document whose names or text must not reach generated
// code (internal/gensafe), or whose named enums differ between the places that share their
// type (internal/enumcheck).
func checkDocument() error {
	data, err := genspec.GetSpecJSON()
	if err != nil {
		return fmt.Errorf("the overlaid document: %w", err)
	}
	if err := gensafe.CheckDocument(data, gensafe.Overlaid); err != nil {
		return fmt.Errorf("the overlaid document: %w", err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("the overlaid document: %w", err)
	}
	return enumcheck.Check(doc)
}

// field is a pointer field of a response model that gets an accessor.
type field struct {
	Name, Elem string // the field, and the type it points to
	Struct     bool   // Elem is a model: the accessor returns the pointer itself
	Time       bool   // Elem is UnixTime: the accessor returns a time.Time
}

// model is one generated struct type.
type model struct {
	Name     string
	Response bool
	Fields   []field
}

// models lists gen's models, in name order, with the accessors of the response models.
func models(doc *gendoc.Doc) []*model {
	response := doc.ResponseModels()
	list := make([]*model, 0, len(doc.Models))
	for name, m := range doc.Models {
		out := &model{Name: name, Response: response[name]}
		if out.Response {
			for _, f := range m.Fields {
				star, ok := f.Type.(*ast.StarExpr)
				if !ok {
					continue
				}
				elem := gendoc.TypeText(star.X)
				_, isModel := doc.Models[elem]
				out.Fields = append(out.Fields, field{Name: f.GoName, Elem: elem, Struct: isModel, Time: elem == "UnixTime"})
			}
			sort.Slice(out.Fields, func(i, j int) bool { return out.Fields[i].Name < out.Fields[j].Name })
		}
		list = append(list, out)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

func render(models []*model) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by gen/internal/modelgen. DO NOT EDIT.\n\npackage gen\n\n")
	usesTime := false
	for _, m := range models {
		for _, f := range m.Fields {
			usesTime = usesTime || f.Time
		}
	}
	if usesTime {
		b.WriteString("import \"time\"\n\n")
	}
	for _, m := range models {
		fmt.Fprintf(&b, "// String prints the %s with its field names, leaving out nil pointers and lists.\n", m.Name)
		fmt.Fprintf(&b, "func (x %s) String() string { return stringify(x) }\n\n", m.Name)
		for _, f := range m.Fields {
			switch {
			case f.Struct:
				fmt.Fprintf(&b, "// Get%[2]s returns the %[2]s field; nil when x is nil or the field was absent or null.\n", m.Name, f.Name)
				fmt.Fprintf(&b, "func (x *%s) Get%s() *%s {\n\tif x == nil {\n\t\treturn nil\n\t}\n\treturn x.%[2]s\n}\n\n", m.Name, f.Name, f.Elem)
			case f.Time:
				fmt.Fprintf(&b, "// Get%[2]s returns the %[2]s field as a time.Time in UTC; the zero time.Time when x is\n// nil or the field was absent or null.\n", m.Name, f.Name)
				fmt.Fprintf(&b, "func (x *%s) Get%s() time.Time {\n\tif x == nil {\n\t\treturn time.Time{}\n\t}\n\treturn x.%[2]s.Time()\n}\n\n", m.Name, f.Name)
			default:
				fmt.Fprintf(&b, "// Get%[2]s returns the %[2]s field; its zero value when x is nil or the field was absent\n// or null.\n", m.Name, f.Name)
				fmt.Fprintf(&b, "func (x *%s) Get%s() %s {\n\tif x == nil || x.%[2]s == nil {\n\t\tvar zero %[3]s\n\t\treturn zero\n\t}\n\treturn *x.%[2]s\n}\n\n", m.Name, f.Name, f.Elem)
			}
		}
	}
	return format.Source(gendoc.WrapComments(b.Bytes(), width))
}
