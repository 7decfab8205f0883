// Command modelgen checks what oapi-codegen wrote in gem.gen.go (internal/gensafe: no
// init function, directive or unexpected import; the embedded, overlaid document's names
// and text) and the named enums of that document (internal/enumcheck), and writes
// gen/models.gen.go: for every model type oapi-codegen generated in
// gem.gen.go, a String method (so %v and %+v print field names and values, not pointers),
// and for the types that responses carry, nil-safe GetX accessors for their pointer fields
// (go-github's habit: cand.GetFirstName() is "" when the field was absent or null, and
// cand.GetDueDate().GetNote() never panics).
//
// It reads gem.gen.go with go/ast, not by importing package gen, so a stale models.gen.go
// can never stop it from running. Models are the struct types whose every field has a json
// tag; response types are those reachable from the JSON<status> fields of the generated
// ...Response wrappers. Run it through `go generate ./gen` (see gen/generate.go).
package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"log"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gem-go/gem-go/internal/enumcheck"
	"github.com/gem-go/gem-go/internal/gensafe"
)

// oapiCodegenFile is what oapi-codegen may write in gem.gen.go; modelFile what modelgen
// writes.
var (
	oapiCodegenFile = gensafe.GoFile{Package: "gen", Imports: []string{
		"bytes", "compress/flate", "context", "encoding/base64", "encoding/json", "fmt", "io",
		"net/http", "net/url", "path", "strings",
		"github.com/getkin/kin-openapi/openapi3", "github.com/oapi-codegen/runtime",
		"github.com/oapi-codegen/runtime/types",
	}}
	modelFile = gensafe.GoFile{Package: "gen", Imports: []string{"time"}}
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
	src, err := generate(*in)
	if err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := checkDocument(*in); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := gensafe.CheckGoFile(*out, src, modelFile); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
}

// checkDocument decodes the overlaid document oapi-codegen embedded in the file (the
// swaggerSpec strings: base64 of the deflated JSON) and fails when it holds names or text
// that must not reach generated code (see internal/gensafe) or when a named enum's values
// differ between the places that share its type (see internal/enumcheck).
func checkDocument(path string) error {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	var encoded strings.Builder
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "swaggerSpec" || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.CompositeLit); ok {
			for _, e := range lit.Elts {
				if bl, ok := e.(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(bl.Value)
					encoded.WriteString(s)
				}
			}
		}
		return false
	})
	compressed, err := base64.StdEncoding.DecodeString(encoded.String())
	if err != nil || encoded.Len() == 0 {
		return fmt.Errorf("%s: no embedded document (embedded-spec off?): %v", path, err)
	}
	data, err := io.ReadAll(flate.NewReader(bytes.NewReader(compressed)))
	if err != nil {
		return fmt.Errorf("%s: the embedded document: %w", path, err)
	}
	if err := gensafe.CheckDocument(data, gensafe.Overlaid); err != nil {
		return fmt.Errorf("%s: the embedded document: %w", path, err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: the embedded document: %w", path, err)
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

func generate(path string) ([]byte, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	structs := map[string]*ast.StructType{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			if st, ok := ts.Type.(*ast.StructType); ok && ts.Assign == 0 {
				structs[ts.Name.Name] = st
			}
		}
	}
	models := map[string]*model{}
	for name, st := range structs {
		if isModel(st) {
			models[name] = &model{Name: name}
		}
	}
	// Response models: the JSON<status> fields of the ...Response wrappers, and every model
	// reachable from them.
	var queue []string
	for name, st := range structs {
		if !strings.HasSuffix(name, "Response") {
			continue
		}
		for _, fl := range st.Fields.List {
			for _, n := range fl.Names {
				if strings.HasPrefix(n.Name, "JSON") {
					queue = append(queue, baseType(fl.Type))
				}
			}
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		m, ok := models[name]
		if !ok || m.Response {
			continue
		}
		m.Response = true
		for _, fl := range structs[name].Fields.List {
			queue = append(queue, baseType(fl.Type))
		}
	}
	for name, m := range models {
		if !m.Response {
			continue
		}
		for _, fl := range structs[name].Fields.List {
			star, ok := fl.Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			elem := types(star.X)
			for _, n := range fl.Names {
				_, isModel := models[elem]
				m.Fields = append(m.Fields, field{Name: n.Name, Elem: elem, Struct: isModel, Time: elem == "UnixTime"})
			}
		}
	}
	list := make([]*model, 0, len(models))
	for _, m := range models {
		sort.Slice(m.Fields, func(i, j int) bool { return m.Fields[i].Name < m.Fields[j].Name })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return render(list)
}

// isModel: a struct whose every field carries a json tag (models and parameters; the
// client's structs and the ...Response wrappers have untagged fields).
func isModel(st *ast.StructType) bool {
	if len(st.Fields.List) == 0 {
		return false
	}
	for _, fl := range st.Fields.List {
		if fl.Tag == nil {
			return false
		}
		tag, err := strconv.Unquote(fl.Tag.Value)
		if err != nil {
			return false
		}
		if _, ok := reflect.StructTag(tag).Lookup("json"); !ok {
			return false
		}
	}
	return true
}

// baseType is the named type inside pointers and slices, "" for anything else.
func baseType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ArrayType:
			e = t.Elt
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// types prints a type expression as written in the file.
func types(e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, token.NewFileSet(), e); err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	return b.String()
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
	return format.Source(b.Bytes())
}
