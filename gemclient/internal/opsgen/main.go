// Command opsgen writes gemclient/operations.gen.go: one typed method on *gemclient.Client
// per operation of Gem's API document, plus an ...All iterator for each paginated list.
//
// It takes the operations from the overlaid document embedded in package gen (operation
// ids, summaries, deprecation, path parameters, which lists are paginated) and, by
// reflection on *gen.ClientWithResponses, the Go signatures of the generated methods and
// the decoded types (the JSON200/JSON201 fields of their responses), so the file cannot
// drift from either. Each emitted method is one call of a generic helper in gemclient's
// call.go or paginate.go; the output is sorted by operationId and gofmt'd. Document text
// reaches the file only as comment text flattened to one line (internal/gensafe); the
// document is checked before and the file after. Run it through
// `go generate ./gemclient` (see doc.go) or `make generate`.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"reflect"
	"sort"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/gensafe"
)

// outputFile is what operations.gen.go may hold.
var outputFile = gensafe.GoFile{Package: "gemclient", Imports: []string{"context", "io", "iter", "github.com/gem-go/gem-go/gen"}}

func main() {
	out := flag.String("o", "operations.gen.go", "output file")
	flag.Parse()
	doc, err := gen.GetSpec()
	if err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	if err := checkDocument(doc); err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	ops, err := collect(doc)
	if err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	src, err := render(ops)
	if err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	if err := gensafe.CheckGoFile(*out, src, outputFile); err != nil {
		log.Fatalf("opsgen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("opsgen: %v", err)
	}
}

// checkDocument refuses an overlaid document with names or text that must not reach
// generated code (gensafe.CheckDocument on its JSON).
func checkDocument(doc *openapi3.T) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return gensafe.CheckDocument(data, gensafe.Overlaid)
}

// op is what the emitted methods need about one operation.
type op struct {
	ID, Method, Path, Summary string // Path and Summary: comment text (gensafe.Comment)
	Deprecated                bool
	GenMethod                 string // the generated method called: ID, or ID+"WithBody" for multipart
	Args                      []arg  // after ctx
	Result                    string // "decode", "list", "noContent" or "page"
	Type                      string // the decoded type: gen.Candidate, []gen.X for "list"
	Item                      string // the element type of "page" and "list"
	ParamsType                string // for "page": gen.ListCandidatesParams
}

type arg struct{ Name, Type string }

var (
	clientType = reflect.TypeOf(&gen.ClientWithResponses{})
	genPkg     = reflect.TypeOf(gen.Candidate{}).PkgPath()
	readerType = reflect.TypeOf((*io.Reader)(nil)).Elem()
)

func collect(doc *openapi3.T) ([]op, error) {
	var ops []op
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, o := range doc.Paths.Value(path).Operations() {
			x, err := describe(path, method, o)
			if err != nil {
				return nil, fmt.Errorf("%s %s (%s): %w", method, path, o.OperationID, err)
			}
			ops = append(ops, x)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return ops, nil
}

// describe finds the generated methods of one operation: the plain one (returning the
// *http.Response), which the emitted method calls, and the ...WithResponse one, whose
// JSON200/JSON201 fields give the decoded type.
func describe(path, method string, o *openapi3.Operation) (op, error) {
	x := op{ID: o.OperationID, Method: method, Deprecated: o.Deprecated}
	var err error
	if x.Path, err = gensafe.Comment(path); err != nil {
		return x, err
	}
	if x.Summary, err = gensafe.Comment(o.Summary); err != nil {
		return x, fmt.Errorf("summary: %w", err)
	}
	x.Summary = strings.TrimSuffix(x.Summary, ".")
	if x.ID == "" {
		return x, fmt.Errorf("no operationId: add one to api/overlay.yaml")
	}
	// Multipart bodies only get the ...WithBody variant (UploadResume).
	plain, ok := clientType.MethodByName(x.ID)
	if !ok {
		if plain, ok = clientType.MethodByName(x.ID + "WithBody"); !ok {
			return x, fmt.Errorf("no generated method %s: run make generate", x.ID)
		}
	}
	typed, ok := clientType.MethodByName(plain.Name + "WithResponse")
	if !ok {
		return x, fmt.Errorf("no generated method %sWithResponse: run make generate", plain.Name)
	}
	x.GenMethod = plain.Name
	args, err := arguments(plain.Type, pathParams(path))
	if err != nil {
		return x, err
	}
	x.Args = args

	resp := typed.Type.Out(0).Elem()
	j200, has200 := resp.FieldByName("JSON200")
	j201, has201 := resp.FieldByName("JSON201")
	body := j200
	switch {
	case has200 && has201:
		return x, fmt.Errorf("both 200 and 201 bodies documented; teach opsgen which to return")
	case has201:
		body = j201
	case !has200:
		// 204, or a success the document leaves undescribed: any 2xx is success.
		x.Result = "noContent"
		return x, nil
	}
	t := body.Type.Elem()
	x.Result, x.Type = "decode", typeName(t)
	if t.Kind() == reflect.Slice {
		x.Result, x.Item = "list", typeName(t.Elem())
	}
	if !paginated(o) {
		return x, nil
	}
	if !has200 || t.Kind() != reflect.Slice {
		return x, fmt.Errorf("paginated, but the 200 body is %s, not a list", t)
	}
	pt := plain.Type.In(plain.Type.NumIn() - 2) // the last argument before reqEditors
	if pt.Kind() != reflect.Pointer || !strings.HasSuffix(pt.Elem().Name(), "Params") {
		return x, fmt.Errorf("paginated, but the last argument is %s, not the params", pt)
	}
	for _, f := range []string{"Page", "PageSize"} {
		if sf, ok := pt.Elem().FieldByName(f); !ok || sf.Type != reflect.TypeOf((*int)(nil)) {
			return x, fmt.Errorf("paginated, but %s has no %s *int", pt, f)
		}
	}
	x.Result, x.Type, x.ParamsType = "page", x.Item, typeName(pt.Elem())
	return x, nil
}

// paginated: page and page_size query parameters and an X-Pagination header on 200.
func paginated(o *openapi3.Operation) bool {
	if o.Parameters.GetByInAndName("query", "page") == nil || o.Parameters.GetByInAndName("query", "page_size") == nil {
		return false
	}
	r := o.Responses.Status(200)
	if r == nil || r.Value == nil {
		return false
	}
	for name := range r.Value.Headers {
		if strings.EqualFold(name, "X-Pagination") {
			return true
		}
	}
	return false
}

// pathParams lists a template's parameters in order, named as oapi-codegen's
// ToCamelCaseWithInitialisms names the generated arguments (candidate_id → candidateID).
func pathParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			parts := strings.Split(seg[1:len(seg)-1], "_")
			for i := 1; i < len(parts); i++ {
				if in, ok := initialisms[parts[i]]; ok {
					parts[i] = in
				} else {
					parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
				}
			}
			names = append(names, strings.Join(parts, ""))
		}
	}
	return names
}

// initialisms are the words of parameter names that oapi-codegen.yaml's name-normalizer
// writes in capitals.
var initialisms = map[string]string{"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs"}

// arguments names the generated method's parameters between ctx and reqEditors: the path
// parameters first, then params, a JSON body, or contentType and an io.Reader body.
func arguments(t reflect.Type, path []string) ([]arg, error) {
	var args []arg
	in := t.NumIn() - 1 // the last is ...RequestEditorFn
	for i := 2; i < in; i++ {
		p := t.In(i)
		n := len(args)
		switch {
		case n < len(path):
			if p.Kind() != reflect.String {
				return nil, fmt.Errorf("path parameter %s is %s", path[n], p)
			}
			args = append(args, arg{path[n], "string"})
		case p == readerType:
			args = append(args, arg{"body", "io.Reader"})
		case p.Kind() == reflect.String && i+1 < in && t.In(i+1) == readerType:
			args = append(args, arg{"contentType", "string"})
		case p.Kind() == reflect.Pointer && strings.HasSuffix(p.Elem().Name(), "Params"):
			args = append(args, arg{"params", typeName(p)})
		default:
			args = append(args, arg{"body", typeName(p)})
		}
	}
	if len(args) < len(path) {
		return nil, fmt.Errorf("%d path parameters in the document, %d arguments generated", len(path), len(args))
	}
	return args, nil
}

// typeName is t as written in gemclient; it refuses types from other packages, which the
// generated file would have to import.
func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" && t.PkgPath() != genPkg && t != readerType {
		log.Fatalf("opsgen: unexpected type %s from %s", t, t.PkgPath())
	}
	return t.String()
}

// file is the template of operations.gen.go. Every method is one call of a helper.
var file = template.Must(template.New("operations").Parse(`// Code generated by gemclient/internal/opsgen. DO NOT EDIT.

package gemclient

import (
	"context"
{{- if .UsesIO}}
	"io"
{{- end}}
	"iter"

	"github.com/gem-go/gem-go/gen"
)
{{range .Ops}}{{$o := .}}
{{- if eq .Result "page"}}
// {{.ID}} fetches one page of {{.Method}} {{.Path}}:
// {{.Summary}}. Gem's page size is 20 unless params say otherwise; the PageInfo
// comes from the X-Pagination header.
{{- template "deprecated" .}}
func (c *Client) {{.ID}}(ctx context.Context{{template "params" .}}) ([]{{.Item}}, *PageInfo, error) {
	return listPage[{{.Item}}](c.api.{{.GenMethod}}(ctx{{template "args" .}}))
}

// {{.ID}}All iterates over every item of {{.Method}} {{.Path}}:
// {{.Summary}}. It asks for 100 items a page unless PageSize says otherwise, fetches
// concurrently with Workers, and stops at the first error, which it yields once.
{{- template "deprecated" .}}
func (c *Client) {{.ID}}All(ctx context.Context{{template "params" .}}, opts ...PageOption) iter.Seq2[{{.Item}}, error] {
	return walk(ctx, params, opts,
{{- if gt (len .Args) 1}}
		func(ctx context.Context, p *{{.ParamsType}}) ([]{{.Item}}, *PageInfo, error) {
			return c.{{.ID}}(ctx{{range .Args}}{{if ne .Name "params"}}, {{.Name}}{{end}}{{end}}, p)
		},
{{- else}} c.{{.ID}},{{end}}
		func(p *{{.ParamsType}}) (**int, **int) { return &p.Page, &p.PageSize })
}
{{else}}
// {{.ID}} calls {{.Method}} {{.Path}}:
// {{.Summary}}.
{{- template "deprecated" .}}
{{- if eq .Result "noContent"}}
func (c *Client) {{.ID}}(ctx context.Context{{template "params" .}}) error {
	return noContent(c.api.{{.GenMethod}}(ctx{{template "args" .}}))
}
{{- else if eq .Result "list"}}
func (c *Client) {{.ID}}(ctx context.Context{{template "params" .}}) ({{.Type}}, error) {
	return decodeList[{{.Item}}](c.api.{{.GenMethod}}(ctx{{template "args" .}}))
}
{{- else}}
func (c *Client) {{.ID}}(ctx context.Context{{template "params" .}}) (*{{.Type}}, error) {
	return decode[{{.Type}}](c.api.{{.GenMethod}}(ctx{{template "args" .}}))
}
{{- end}}
{{end}}{{end}}
{{- define "params"}}{{range .Args}}, {{.Name}} {{.Type}}{{end}}{{end}}
{{- define "args"}}{{range .Args}}, {{.Name}}{{end}}{{end}}
{{- define "deprecated"}}{{if .Deprecated}}
//
// Deprecated: Gem's API document marks this operation deprecated.{{end}}{{end}}
`))

func render(ops []op) ([]byte, error) {
	data := struct {
		Ops    []op
		UsesIO bool
	}{Ops: ops}
	for _, o := range ops {
		for _, a := range o.Args {
			data.UsesIO = data.UsesIO || a.Type == "io.Reader"
		}
	}
	var b bytes.Buffer
	if err := file.Execute(&b, data); err != nil {
		return nil, err
	}
	return format.Source(b.Bytes())
}
