// Package gendoc is what the SDK's own generators (gemclient/internal/opsgen,
// gen/internal/modelgen) know about Gem's API: the operations of the overlaid document
// (internal/genspec) joined with the Go models oapi-codegen wrote into gen/gem.gen.go,
// which it reads with go/ast, never by importing package gen, so a stale or broken gen
// cannot stop a generator from running.
//
// It is used at `make generate` time only; it parses with kin-openapi, which nothing users
// link may import. Anything it cannot map (a response that is not a component or a list of
// one, a component whose Go name it cannot tell, a parameter style it does not know) is an
// error naming the place, so generation stops instead of guessing.
package gendoc

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gem-go/gem-go/internal/genspec"
)

// Doc is the overlaid document and gen's models.
type Doc struct {
	Spec *openapi3.T
	// Ops are the operations, sorted by operationId.
	Ops []*Operation
	// Models are gen's struct types (those whose every field has a json tag), by Go name.
	Models map[string]*Model
	// Names maps each component schema to its Go type name.
	Names map[string]string
}

// Operation is one operation of the document with its Go types.
type Operation struct {
	ID, Method, Path string
	Summary          string
	Deprecated       bool
	// PathParams are the template's parameters in order; GoName is the argument's name.
	PathParams []*Param
	// Query are the query parameters in the order of the Params struct's fields; GoName is
	// the field. ParamsType is gen's <ID>Params, "" without query parameters.
	Query      []*Param
	ParamsType string
	// Body is the request body, nil without one.
	Body *Body
	// Result is what a 2xx answer carries.
	Result Result
	// Paginated: page and page_size query parameters and an X-Pagination header on 200.
	Paginated bool
	// DefaultPageSize is page_size's default in the document, 0 without one.
	DefaultPageSize int
}

// Param is a path or query parameter.
type Param struct {
	Name     string // as on the wire: candidate_id, page_size
	GoName   string // the argument (candidateID) or the Params field (PageSize)
	GoType   string // as declared: string, *int, []string, *SortOrder
	Required bool
	Explode  bool // form style: one key per value when true, comma-separated when false
	Schema   *openapi3.Schema
}

// Body is a request body.
type Body struct {
	ContentType string // application/json or multipart/form-data
	GoType      string // the model, e.g. CandidateCreate
	Schema      *openapi3.Schema
}

// ResultKind says what a 2xx answer carries.
type ResultKind int

// The kinds of result.
const (
	NoContent ResultKind = iota // 204, or a 2xx the document leaves undescribed
	Object                      // one model
	List                        // a JSON array of models
)

// Result is the decoded 2xx body.
type Result struct {
	Kind   ResultKind
	GoType string // the model; for List, the element's
	Status int
	// Schema is the body's schema (the list's, for List); nil for NoContent.
	Schema *openapi3.Schema
}

// Model is a struct type of gen.
type Model struct {
	Name   string
	Fields []*Field
}

// Field is a struct field with its json name.
type Field struct {
	GoName   string
	JSONName string // "" when the tag has none
	Type     ast.Expr
	TypeText string // the type as written: *string, []Email, Nullable[DueDate]
}

// FieldByJSON returns the field with that json name.
func (m *Model) FieldByJSON(name string) *Field {
	for _, f := range m.Fields {
		if f.JSONName == name {
			return f
		}
	}
	return nil
}

// Load reads the overlaid document embedded in internal/genspec and gen's models from
// genFile (gen/gem.gen.go, or the scratch copy `make verify-generated` writes).
func Load(genFile string) (*Doc, error) {
	spec, err := genspec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("gendoc: the overlaid document: %w", err)
	}
	models, err := ParseModels(genFile)
	if err != nil {
		return nil, err
	}
	return New(spec, models)
}

// New joins a document with gen's models (ParseModels); Load does it for the embedded one.
func New(spec *openapi3.T, models map[string]*Model) (*Doc, error) {
	d := &Doc{Spec: spec, Models: models, Names: map[string]string{}}
	if spec.Components != nil {
		for name, ref := range spec.Components.Schemas {
			goName, err := typeName(name, ref.Value)
			if err != nil {
				return nil, err
			}
			d.Names[name] = goName
		}
	}
	for _, path := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(path)
		for method, o := range item.Operations() {
			op, err := d.operation(path, method, o, item.Parameters)
			if err != nil {
				return nil, fmt.Errorf("gendoc: %s %s (%s): %w", method, path, o.OperationID, err)
			}
			d.Ops = append(d.Ops, op)
		}
	}
	sort.Slice(d.Ops, func(i, j int) bool { return d.Ops[i].ID < d.Ops[j].ID })
	return d, nil
}

// typeName is the Go name oapi-codegen gives a component: its x-go-name (or
// x-go-type-name) when the overlay sets one, else the component's name, which must then be
// an exported Go identifier already (Gem's components are: Candidate, CandidateCreate).
// A name needing oapi-codegen's normaliser is refused rather than guessed: give it an
// x-go-name in api/overlay.yaml.
func typeName(component string, s *openapi3.Schema) (string, error) {
	for _, ext := range []string{"x-go-name", "x-go-type-name"} {
		if v, ok := s.Extensions[ext].(string); ok && v != "" {
			if !isExportedIdent(v) {
				return "", fmt.Errorf("gendoc: component %q: %s %q is not an exported Go identifier", component, ext, v)
			}
			return v, nil
		}
	}
	if !isExportedIdent(component) || strings.Contains(component, "_") {
		return "", fmt.Errorf("gendoc: component %q: cannot tell its Go name; set x-go-name on it in api/overlay.yaml", component)
	}
	return component, nil
}

func isExportedIdent(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// ComponentOf returns the component a schema reference names, "" for an inline schema.
// allOf with a single reference (how apispec writes a nullable reference) counts as it.
func ComponentOf(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	if ref.Ref != "" {
		return strings.TrimPrefix(ref.Ref, "#/components/schemas/")
	}
	if v := ref.Value; v != nil && len(v.AllOf) == 1 && v.AllOf[0].Ref != "" && len(v.Properties) == 0 {
		return strings.TrimPrefix(v.AllOf[0].Ref, "#/components/schemas/")
	}
	return ""
}

// Resolve is the schema itself, through a single-reference allOf.
func Resolve(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if v := ref.Value; len(v.AllOf) == 1 && len(v.Properties) == 0 && v.AllOf[0].Value != nil {
		return v.AllOf[0].Value
	}
	return ref.Value
}

// Model returns gen's model for a component, or an error when gen has none.
func (d *Doc) Model(component string) (*Model, error) {
	name, ok := d.Names[component]
	if !ok {
		return nil, fmt.Errorf("no component %q", component)
	}
	m, ok := d.Models[name]
	if !ok {
		return nil, fmt.Errorf("component %q: gen has no struct %s: run make generate", component, name)
	}
	return m, nil
}

// operation describes one operation; shared are the path item's parameters, which the
// operation's own override.
func (d *Doc) operation(path, method string, o *openapi3.Operation, shared openapi3.Parameters) (*Operation, error) {
	op := &Operation{ID: o.OperationID, Method: method, Path: path, Summary: o.Summary, Deprecated: o.Deprecated}
	if !isExportedIdent(op.ID) {
		return nil, fmt.Errorf("operationId %q is not an exported Go identifier: name it in api/overlay.yaml", op.ID)
	}
	params := map[string]*openapi3.Parameter{}
	var all openapi3.Parameters
	for _, p := range append(append(openapi3.Parameters{}, shared...), o.Parameters...) {
		if p.Value == nil {
			return nil, fmt.Errorf("unresolved parameter")
		}
		key := p.Value.In + " " + p.Value.Name
		if _, dup := params[key]; !dup {
			all = append(all, p)
		} else {
			for i, q := range all {
				if q.Value.In+" "+q.Value.Name == key {
					all[i] = p
				}
			}
		}
		params[key] = p.Value
	}
	for _, name := range TemplateParams(path) {
		p, ok := params["path "+name]
		if !ok {
			return nil, fmt.Errorf("path parameter %s is not declared", name)
		}
		op.PathParams = append(op.PathParams, &Param{Name: name, GoName: ArgName(name), GoType: "string", Required: true, Schema: Resolve(p.Schema)})
	}
	var query []*openapi3.Parameter
	for _, p := range all {
		switch p.Value.In {
		case "query":
			query = append(query, p.Value)
		case "path":
		default:
			return nil, fmt.Errorf("%s parameter %s: only path and query parameters are supported", p.Value.In, p.Value.Name)
		}
	}
	if len(query) > 0 {
		op.ParamsType = op.ID + "Params"
		m, ok := d.Models[op.ParamsType]
		if !ok {
			return nil, fmt.Errorf("gen has no %s: run make generate", op.ParamsType)
		}
		for _, f := range m.Fields {
			var p *openapi3.Parameter
			for _, q := range query {
				if q.Name == f.JSONName {
					p = q
				}
			}
			if p == nil {
				return nil, fmt.Errorf("%s.%s: no query parameter %q", op.ParamsType, f.GoName, f.JSONName)
			}
			if p.Style != "" && p.Style != "form" {
				return nil, fmt.Errorf("query parameter %s: style %q is not supported", p.Name, p.Style)
			}
			explode := p.Explode == nil || *p.Explode
			op.Query = append(op.Query, &Param{Name: p.Name, GoName: f.GoName, GoType: f.TypeText, Required: p.Required, Explode: explode, Schema: Resolve(p.Schema)})
		}
		if len(op.Query) != len(query) {
			return nil, fmt.Errorf("%s has %d fields for %d query parameters: run make generate", op.ParamsType, len(op.Query), len(query))
		}
	}
	if rb := o.RequestBody; rb != nil && rb.Value != nil {
		if len(rb.Value.Content) != 1 {
			return nil, fmt.Errorf("the request body has %d media types; one is supported", len(rb.Value.Content))
		}
		for ct, mt := range rb.Value.Content {
			if ct != "application/json" && ct != "multipart/form-data" {
				return nil, fmt.Errorf("request body media type %q is not supported", ct)
			}
			comp := ComponentOf(mt.Schema)
			if comp == "" {
				return nil, fmt.Errorf("the request body is not a component: name it in the document or the overlay")
			}
			m, err := d.Model(comp)
			if err != nil {
				return nil, err
			}
			op.Body = &Body{ContentType: ct, GoType: m.Name, Schema: Resolve(mt.Schema)}
		}
	}
	res, err := d.result(o)
	if err != nil {
		return nil, err
	}
	op.Result = res
	op.Paginated = paginated(all, o)
	if p := all.GetByInAndName("query", "page_size"); p != nil && p.Schema != nil && p.Schema.Value != nil {
		if d, ok := p.Schema.Value.Default.(float64); ok && d >= 1 {
			op.DefaultPageSize = int(d)
		}
	}
	if op.Paginated && res.Kind != List {
		return nil, fmt.Errorf("paginated, but the 200 body is not a list")
	}
	if op.Paginated {
		for _, name := range []string{"Page", "PageSize"} {
			if !slicesContainsField(op.Query, name, "*int") {
				return nil, fmt.Errorf("paginated, but %s has no %s *int", op.ParamsType, name)
			}
		}
	}
	return op, nil
}

func slicesContainsField(ps []*Param, goName, goType string) bool {
	for _, p := range ps {
		if p.GoName == goName && p.GoType == goType {
			return true
		}
	}
	return false
}

// result finds the 2xx answer: one documented 2xx status at most, with a JSON body that is a
// component or a list of one, or no body.
func (d *Doc) result(o *openapi3.Operation) (Result, error) {
	var found []int
	for code := range o.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err == nil && n >= 200 && n < 300 {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		// A success the document leaves undescribed (UpdateProjectFieldOptionAssociations):
		// any 2xx is success.
		return Result{Kind: NoContent}, nil
	}
	if len(found) > 1 {
		return Result{}, fmt.Errorf("several 2xx answers documented (%v): teach gendoc which to return", found)
	}
	status := found[0]
	r := o.Responses.Status(status).Value
	mt := r.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		if len(r.Content) > 0 {
			return Result{}, fmt.Errorf("%d: only JSON bodies are supported", status)
		}
		return Result{Kind: NoContent, Status: status}, nil
	}
	kind, ref := Object, mt.Schema
	if v := mt.Schema.Value; mt.Schema.Ref == "" && v != nil && v.Type.Is("array") {
		kind, ref = List, v.Items
	}
	comp := ComponentOf(ref)
	if comp == "" {
		return Result{}, fmt.Errorf("%d: the body is not a component or a list of one", status)
	}
	m, err := d.Model(comp)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: kind, GoType: m.Name, Status: status, Schema: Resolve(mt.Schema)}, nil
}

// paginated: page and page_size query parameters and an X-Pagination header on 200.
func paginated(params openapi3.Parameters, o *openapi3.Operation) bool {
	if params.GetByInAndName("query", "page") == nil || params.GetByInAndName("query", "page_size") == nil {
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

// TemplateParams lists a path template's parameters in order.
func TemplateParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, seg[1:len(seg)-1])
		}
	}
	return names
}

// initialisms are the words of names that oapi-codegen.yaml's name-normalizer writes in
// capitals.
var initialisms = map[string]string{"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs"}

// ArgName names a path parameter's argument as oapi-codegen's ToCamelCaseWithInitialisms
// names arguments: candidate_id → candidateID.
func ArgName(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		if in, ok := initialisms[parts[i]]; ok {
			parts[i] = in
		} else if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// ParseModels reads gen's struct types whose every field carries a json tag (models and
// parameters) from a file oapi-codegen wrote.
func ParseModels(path string) (map[string]*Model, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("gendoc: %w", err)
	}
	models := map[string]*Model{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || ts.Assign != 0 {
				continue
			}
			if m, ok := model(ts.Name.Name, st); ok {
				models[m.Name] = m
			}
		}
	}
	return models, nil
}

func model(name string, st *ast.StructType) (*Model, bool) {
	if len(st.Fields.List) == 0 {
		return nil, false
	}
	m := &Model{Name: name}
	for _, fl := range st.Fields.List {
		if fl.Tag == nil {
			return nil, false
		}
		tag, err := strconv.Unquote(fl.Tag.Value)
		if err != nil {
			return nil, false
		}
		j, ok := reflect.StructTag(tag).Lookup("json")
		if !ok {
			return nil, false
		}
		jsonName, _, _ := strings.Cut(j, ",")
		for _, n := range fl.Names {
			m.Fields = append(m.Fields, &Field{GoName: n.Name, JSONName: jsonName, Type: fl.Type, TypeText: TypeText(fl.Type)})
		}
	}
	return m, true
}

// TypeText prints a type expression as written in the file.
func TypeText(e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, token.NewFileSet(), e); err != nil {
		return fmt.Sprintf("<%T>", e)
	}
	return b.String()
}

// BaseType is the named type inside pointers, slices and Nullable[...]: "" for anything
// else.
func BaseType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ArrayType:
			e = t.Elt
		case *ast.IndexExpr:
			e = t.Index
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// ResponseModels are the models reachable from the operations' 2xx bodies.
func (d *Doc) ResponseModels() map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		m, ok := d.Models[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		for _, f := range m.Fields {
			visit(BaseType(f.Type))
		}
	}
	for _, op := range d.Ops {
		if op.Result.GoType != "" {
			visit(op.Result.GoType)
		}
	}
	return seen
}

// WalkSchemas calls visit for schema (with name "") and every schema under it, once each:
// properties with their names, items, allOf, anyOf and oneOf with "".
func WalkSchemas(schema *openapi3.Schema, seen map[*openapi3.Schema]bool, visit func(name string, s *openapi3.Schema)) {
	var walk func(name string, s *openapi3.Schema)
	walk = func(name string, s *openapi3.Schema) {
		if s == nil {
			return
		}
		visit(name, s)
		if seen[s] {
			return
		}
		seen[s] = true
		for n, p := range s.Properties {
			if p != nil {
				walk(n, p.Value)
			}
		}
		if s.Items != nil {
			walk("", s.Items.Value)
		}
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range refs {
				if r != nil {
					walk("", r.Value)
				}
			}
		}
	}
	walk("", schema)
}
