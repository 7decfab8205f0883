// Package overlaycheck checks api/overlay.yaml against a version of Gem's
// OpenAPI document. It applies the overlay the way oapi-codegen v2.8.2 does
// (kin-openapi load, YAML re-encoding, github.com/speakeasy-api/openapi's
// overlay package in strict mode), so what it reports is what the generator
// would hit: actions whose target matches nothing, which abort generation,
// and operations left without an operationId, which the generator would name
// from method and path. Given the document the overlay was written for (WithBase),
// it also finds the components the new document renamed and suggests the overlay
// entries that keep the SDK's Go type names (see Renames).
package overlaycheck

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay"
	"github.com/speakeasy-api/openapi/overlay/loader"
	"gopkg.in/yaml.v3"

	"github.com/gem-go/gem-go/internal/enumcheck"
)

// Operation is an operation of the overlaid document without an operationId.
type Operation struct {
	// Method is lower case, as in the document ("get"); Path is as in the
	// document ("/v0/candidates").
	Method, Path string
	// Suggested is a name derived from Method and Path; see Suggest.
	Suggested string
	// TakenBy names the operation that already has Suggested as its
	// operationId (or was suggested it first), when there is one.
	TakenBy string
}

// Action returns the overlay action that names the operation, indented to go
// under the overlay's "actions:" key.
func (o Operation) Action() string {
	return fmt.Sprintf("  - target: %s\n    update:\n      operationId: %s\n",
		yamlQuote(Target(o.Method, o.Path)), o.Suggested)
}

// Action is an overlay action, numbered from 1 in file order.
type Action struct {
	Number      int
	Target      string
	Description string
}

// Report is the outcome of a check. It is clean when its three lists are empty and
// no rename entry that rests on a certain pair is missing from the overlay.
type Report struct {
	// Unnamed are the operations without an operationId after the overlay.
	Unnamed []Operation
	// Unmatched are the actions whose target selects nothing. oapi-codegen
	// applies overlays strictly, so any of these aborts generation.
	Unmatched []Action
	// Problems are other reasons generation would fail: an action that does
	// not apply, an overlaid document that does not load, operationIds used
	// twice.
	Problems []string
	// Renames are the components renamed since the base document, nil when no
	// base was given (WithBase).
	Renames *Renames
}

// Clean reports whether the check found nothing.
func (r *Report) Clean() bool {
	return len(r.Unnamed) == 0 && len(r.Unmatched) == 0 && len(r.Problems) == 0 && !r.Renames.Pending()
}

// Option configures Check.
type Option func(*options)

type options struct {
	base       []byte
	baseName   string
	configPath string
}

// WithBase gives the document the overlay was written for (the one the checked
// document replaces), named name in the report. Check then pairs the components
// the new document renamed with their old names and suggests the overlay entries
// that keep the Go type names.
func WithBase(name string, doc []byte) Option {
	return func(o *options) { o.base, o.baseName = doc, name }
}

// WithGeneratorConfig gives oapi-codegen's configuration file, whose naming options
// (name-normalizer, additional-initialisms) say what Go names the generator gives
// components. It is needed when a component was renamed.
func WithGeneratorConfig(path string) Option {
	return func(o *options) { o.configPath = path }
}

// Check applies the overlay at overlayPath to the document at specPath and
// reports what the generator would trip over. It returns an error only when
// the inputs cannot be read or are not a document and an overlay at all.
func Check(specPath, overlayPath string, opts ...Option) (*Report, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document %s: %w", specPath, err)
	}
	root, err := loadAsYAML(specPath)
	if err != nil {
		return nil, err
	}
	ov, err := loader.LoadOverlay(overlayPath)
	if err != nil {
		return nil, err
	}
	if err := ov.Validate(); err != nil {
		return nil, fmt.Errorf("overlay %s is not valid: %w", overlayPath, err)
	}
	overlayText, err := os.ReadFile(overlayPath)
	if err != nil {
		return nil, err
	}

	r := &Report{}
	if o.base != nil {
		if r.Renames, err = checkRenames(o.base, spec, o.baseName, ov, overlayText, o.configPath); err != nil {
			return nil, err
		}
	}
	// ApplyToStrict checks each action's target against the document as the
	// earlier actions left it, then applies the action. Doing the same one
	// action at a time tells which action fails and why.
	for i, a := range ov.Actions {
		act := Action{Number: i + 1, Target: a.Target, Description: a.Description}
		path, err := ov.NewPath(a.Target, nil)
		if err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("action %d: target %q does not parse: %v", act.Number, a.Target, err))
			continue
		}
		if len(path.Query(root)) == 0 {
			r.Unmatched = append(r.Unmatched, act)
			continue
		}
		single := *ov
		single.Actions = []overlay.Action{a}
		if _, err := single.ApplyToStrict(root); err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("action %d (target %q) does not apply: %v", act.Number, a.Target, err))
		}
	}

	overlaid, err := yaml.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("encode the overlaid document: %w", err)
	}
	if _, err := openapi3.NewLoader().LoadFromData(overlaid); err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("the overlaid document does not load: %v", err))
	}
	unnamed, duplicates := operations(root)
	r.Unnamed = unnamed
	r.Problems = append(r.Problems, duplicates...)
	// The overlay names enums without restating their values; generation stops when the
	// places sharing a name disagree (gen/internal/modelgen), and so does this check.
	var doc any
	if err := yaml.Unmarshal(overlaid, &doc); err != nil {
		return nil, fmt.Errorf("decode the overlaid document: %w", err)
	}
	if err := enumcheck.Check(doc); err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
	return r, nil
}

// loadAsYAML loads the document as oapi-codegen does before it applies an
// overlay: kin-openapi parses it, and its YAML encoding is the tree the
// overlay's targets are evaluated against.
func loadAsYAML(specPath string) (*yaml.Node, error) {
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	l.IncludeOrigin = true
	doc, err := l.LoadFromFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document %s: %w", specPath, err)
	}
	return encodeYAML(doc, specPath)
}

// loadAsYAMLData is loadAsYAML for a document in memory (a git revision's).
func loadAsYAMLData(data []byte) (*yaml.Node, error) {
	l := openapi3.NewLoader()
	l.IncludeOrigin = true
	doc, err := l.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	return encodeYAML(doc, "the document")
}

func encodeYAML(doc *openapi3.T, specPath string) (*yaml.Node, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode %s as YAML: %w", specPath, err)
	}
	var node yaml.Node
	if err := yaml.NewDecoder(&buf).Decode(&node); err != nil {
		return nil, fmt.Errorf("decode %s as YAML: %w", specPath, err)
	}
	return &node, nil
}

// methods are the operation keys of an OpenAPI 3.0 path item, in the order
// reports list them.
var methods = []string{"get", "put", "post", "patch", "delete", "head", "options", "trace"}

// operations walks the overlaid tree and returns the operations without an
// operationId, each with a suggested name, and a problem for each
// operationId used more than once.
func operations(root *yaml.Node) (unnamed []Operation, duplicates []string) {
	type op struct{ method, path, id string }
	var ops []op
	for path, item := range mapping(lookup(root, "paths")) {
		for method, o := range mapping(item) {
			if slices.Contains(methods, method) {
				id := lookup(o, "operationId")
				var name string
				if id != nil {
					name = id.Value
				}
				ops = append(ops, op{method, path, name})
			}
		}
	}
	slices.SortFunc(ops, func(a, b op) int {
		if a.path != b.path {
			return strings.Compare(a.path, b.path)
		}
		return slices.Index(methods, a.method) - slices.Index(methods, b.method)
	})

	label := func(o op) string { return strings.ToUpper(o.method) + " " + o.path }
	owner := map[string]string{} // operationId -> "GET /path"
	for _, o := range ops {
		if o.id == "" {
			continue
		}
		if prev, ok := owner[o.id]; ok {
			duplicates = append(duplicates, fmt.Sprintf("operationId %s is used by both %s and %s", o.id, prev, label(o)))
			continue
		}
		owner[o.id] = label(o)
	}
	for _, o := range ops {
		if o.id != "" {
			continue
		}
		u := Operation{Method: o.method, Path: o.path, Suggested: Suggest(o.method, o.path)}
		if prev, ok := owner[u.Suggested]; ok {
			u.TakenBy = prev
		} else {
			owner[u.Suggested] = label(o)
		}
		unnamed = append(unnamed, u)
	}
	return unnamed, duplicates
}

// lookup returns the value of key in a mapping node (or in the mapping a
// document node holds), or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// mapping iterates over the key/value pairs of a mapping node.
func mapping(n *yaml.Node) func(yield func(string, *yaml.Node) bool) {
	return func(yield func(string, *yaml.Node) bool) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i].Value, n.Content[i+1]) {
				return
			}
		}
	}
}

// Target returns the RFC 9535 JSONPath that selects one operation, in the
// form api/overlay.yaml uses: $.paths['/v0/candidates'].get
func Target(method, path string) string {
	quoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(path)
	return fmt.Sprintf("$.paths['%s'].%s", quoted, method)
}

// yamlQuote writes s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Markdown renders the report for a terminal, a pull request body or a job
// summary.
func (r *Report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Overlay check\n\n")
	if r.Clean() {
		b.WriteString("Every operation has an operationId and every overlay action matches the document.\n")
		if r.Renames == nil || len(r.Renames.Renamed) == 0 {
			return b.String()
		}
		b.WriteByte('\n')
		r.Renames.markdown(&b)
		return strings.TrimSuffix(b.String(), "\n")
	}
	if len(r.Unnamed) > 0 {
		fmt.Fprintf(&b, "## Operations without an operationId (%d)\n\n", len(r.Unnamed))
		b.WriteString("Without a name the generator derives one from method and path (such as `GetV0Candidates`). " +
			"Add these actions under `actions:` in `api/overlay.yaml`; the names are suggestions, rename freely.\n\n```yaml\n")
		for _, u := range r.Unnamed {
			if u.TakenBy != "" {
				fmt.Fprintf(&b, "  # %s is already the name of %s: pick another one.\n", u.Suggested, u.TakenBy)
			}
			b.WriteString(u.Action())
		}
		b.WriteString("```\n\n")
	}
	if len(r.Unmatched) > 0 {
		fmt.Fprintf(&b, "## Overlay actions that match nothing (%d)\n\n", len(r.Unmatched))
		b.WriteString("oapi-codegen applies the overlay strictly: generation fails until each of these is removed " +
			"or pointed at what replaced its target.\n\n")
		for _, a := range r.Unmatched {
			fmt.Fprintf(&b, "- action %d: `target: %s`", a.Number, yamlQuote(a.Target))
			if a.Description != "" {
				fmt.Fprintf(&b, " (%s)", a.Description)
			}
			if r.Renames.retargets(a.Number) {
				b.WriteString(": it names a renamed component, rewritten below")
			}
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	r.Renames.markdown(&b)
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "## Other problems (%d)\n\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}
