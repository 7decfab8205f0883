package overlaycheck

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// Renames is what the check found about components the new document names
// otherwise than the base document, and the overlay entries that keep the SDK's Go
// type names. It is settled when the overlay already keeps them: then Retargets,
// Entries and Ambiguous are empty.
//
// Only what rests on certain pairs (equal structure) fails the check (Pending).
// Suggestions that rest on pairs matched by similarity only (Unsure) and ambiguous
// components are reported for a maintainer to judge: if such a pair is a removal and
// an unrelated addition after all, nothing can silence it, and goapidiff reports
// the Go API either way.
type Renames struct {
	// Base names the base document (a file or a git revision).
	Base string
	// Renamed are the pairs found, by section and old name.
	Renamed []Rename
	// Ambiguous are components that look alike and that nothing tells apart.
	Ambiguous []Ambiguity
	// Retargets are the overlay's actions that name renamed components, rewritten.
	Retargets []Retarget
	// Entries are the actions to add: x-go-name on each renamed component whose Go
	// name would change, x-go-type-name on each enum named after one.
	Entries []Entry
	// Notes are what the check could not settle itself; goapidiff has the last word.
	Notes []string
}

// Settled reports whether there is nothing left to suggest or decide.
func (r *Renames) Settled() bool {
	return r == nil || len(r.Retargets) == 0 && len(r.Entries) == 0 && len(r.Ambiguous) == 0
}

// Pending reports whether suggestions that rest on certain pairs are not in the
// overlay yet: the Go type names would change.
func (r *Renames) Pending() bool {
	if r == nil {
		return false
	}
	for _, rt := range r.Retargets {
		if !rt.Unsure {
			return true
		}
	}
	for _, e := range r.Entries {
		if !e.Unsure {
			return true
		}
	}
	return false
}

// retargets reports whether action number n is among the rewritten ones.
func (r *Renames) retargets(n int) bool {
	return r != nil && slices.ContainsFunc(r.Retargets, func(rt Retarget) bool { return rt.Action == n })
}

// Retarget is an overlay action whose target (or copy source, or a reference or a
// security requirement in its update) names a renamed component.
type Retarget struct {
	// Action is the action's number (from 1) and Line its line in the overlay file.
	Action, Line int
	// Target is the action's target as it is.
	Target string
	// Text is the whole action rewritten, indented to go under "actions:".
	Text string
	// Unsure says the rewriting rests only on pairs matched by similarity.
	Unsure bool
}

// Entry is an overlay action to add.
type Entry struct {
	// Target selects a component of the new document, or a property of one.
	Target string
	// Key is the extension (x-go-name or x-go-type-name) and Value the Go name.
	Key, Value string
	// Text is the action, indented to go under "actions:".
	Text string
	// Unsure says the entry is for a pair matched by similarity only.
	Unsure bool
}

// goTypeSections are the components sections oapi-codegen v2.8.2 makes Go types of,
// named after the component unless x-go-name says otherwise (codegen.go,
// GenerateTypesFor*; utils.go, rename*). Headers, security schemes and the others
// name no type: renaming them only moves overlay targets.
var goTypeSections = map[string]bool{"schemas": true, "parameters": true, "responses": true, "requestBodies": true}

// checkRenames pairs the components of base and spec and works out the overlay
// entries that keep the Go names: the overlay's actions rewritten for the new names,
// and x-go-name / x-go-type-name where the generator would otherwise name a type
// after a new name. overlayText is the overlay file, ov the same parsed.
func checkRenames(base, spec []byte, baseName string, ov *overlay.Overlay, overlayText []byte, configPath string) (*Renames, error) {
	var oldRaw, newRaw any
	if err := yaml.Unmarshal(base, &oldRaw); err != nil {
		return nil, fmt.Errorf("base document %s: %w", baseName, err)
	}
	if err := yaml.Unmarshal(spec, &newRaw); err != nil {
		return nil, fmt.Errorf("decode the document: %w", err)
	}
	r := &Renames{Base: baseName}
	r.Renamed, r.Ambiguous = matchComponents(oldRaw, newRaw)
	if len(r.Renamed) == 0 {
		return r, nil
	}
	m, certain := renames{}, renames{}
	for _, rn := range r.Renamed {
		m.add(rn.Section, rn.Old, rn.New)
		if rn.Match != MatchSimilar {
			certain.add(rn.Section, rn.Old, rn.New)
		}
	}
	var err error
	if r.Retargets, err = retargetActions(overlayText, ov, m, certain); err != nil {
		return nil, err
	}
	// The documents as the generator would see them: the old one with the overlay
	// as it was for it (actions already rewritten for the new names are mapped
	// back), the new one with the overlay's actions rewritten for it.
	oldTree, err := overlaid(base, ov, m.inverse())
	if err != nil {
		return nil, fmt.Errorf("base document %s: %w", baseName, err)
	}
	newTree, err := overlaid(spec, ov, m)
	if err != nil {
		return nil, err
	}
	if err := r.nameEntries(oldTree, newTree, newRaw, configPath); err != nil {
		return nil, err
	}
	for i := range r.Entries {
		if r.Entries[i].Text, err = renderAction(r.Entries[i].node()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// retargetActions rewrites the overlay's actions that name renamed components.
func retargetActions(overlayText []byte, ov *overlay.Overlay, m, certain renames) ([]Retarget, error) {
	items, err := actionNodes(overlayText)
	if err != nil {
		return nil, err
	}
	if len(items) != len(ov.Actions) {
		return nil, fmt.Errorf("the overlay file has %d actions, its parsed form %d", len(items), len(ov.Actions))
	}
	var out []Retarget
	for i, a := range ov.Actions {
		node := cloneNode(items[i])
		if !m.rewriteAction(node) {
			continue
		}
		text, err := renderAction(node)
		if err != nil {
			return nil, err
		}
		unsure := !certain.rewriteAction(cloneNode(items[i]))
		out = append(out, Retarget{Action: i + 1, Line: items[i].Line, Target: a.Target, Text: text, Unsure: unsure})
	}
	return out, nil
}

// nameEntries sets the Go name of each rename that names a Go type and adds the
// entries that keep it, comparing the old overlaid document with the new one.
func (r *Renames) nameEntries(oldTree, newTree, newRaw any, configPath string) error {
	var namer *goNamer
	for i, rn := range r.Renamed {
		if !goTypeSections[rn.Section] {
			continue
		}
		if namer == nil {
			if configPath == "" {
				return errors.New("renamed components found: the generator's configuration is needed to name their Go types")
			}
			var err error
			if namer, err = loadGoNamer(configPath); err != nil {
				return err
			}
		}
		oldComp := lookupAny(oldTree, "components", rn.Section, rn.Old)
		newComp := lookupAny(newTree, "components", rn.Section, rn.New)
		goName := func(comp any, name string) string {
			if n, ok := asMap(comp)["x-go-name"].(string); ok && n != "" {
				return n
			}
			return namer.typeName(name)
		}
		r.Renamed[i].GoName = goName(oldComp, rn.Old)
		if _, isRef := asMap(lookupAny(newRaw, "components", rn.Section, rn.New))["$ref"]; isRef {
			r.Notes = append(r.Notes, fmt.Sprintf("components.%s.%s is only a $ref: oapi-codegen ignores x-go-name there "+
				"and names the alias it generates after the component, so the Go type %s becomes %s; this check suggests nothing for it.",
				rn.Section, rn.New, r.Renamed[i].GoName, namer.typeName(rn.New)))
			continue
		}
		var entries []Entry
		if goName(newComp, rn.New) != r.Renamed[i].GoName {
			entries = append(entries, Entry{Target: componentTarget(rn.Section, rn.New), Key: "x-go-name", Value: r.Renamed[i].GoName})
		}
		if rn.Section == "schemas" {
			entries = append(entries, enumEntries(namer, rn, oldComp, newComp)...)
			if hasUnion(newComp) {
				r.Notes = append(r.Notes, fmt.Sprintf("components.schemas.%s has oneOf/anyOf: the generator names their "+
					"member types after the component, which this check does not predict; compare with goapidiff.", rn.New))
			}
		}
		for _, e := range entries {
			e.Unsure = rn.Match == MatchSimilar
			r.Entries = append(r.Entries, e)
		}
	}
	return nil
}

// actionNodes returns the nodes of the overlay file's actions, in order.
func actionNodes(text []byte) ([]*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("parse the overlay: %w", err)
	}
	seq := lookup(&doc, "actions")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, errors.New("the overlay has no list of actions")
	}
	return seq.Content, nil
}

// overlaid loads a document as the generator does and applies the overlay's
// actions, rewritten by m, leaving out those that match nothing (the document is
// not the one they were written for, or they are new), and decodes the result.
func overlaid(doc []byte, ov *overlay.Overlay, m renames) (any, error) {
	root, err := loadAsYAMLData(doc)
	if err != nil {
		return nil, err
	}
	for _, a := range ov.Actions {
		a.Target, _ = m.retarget(a.Target)
		a.Copy, _ = m.retarget(a.Copy)
		update := cloneNode(&a.Update)
		m.rewriteValues(update)
		a.Update = *update
		path, err := ov.NewPath(a.Target, nil)
		if err != nil || len(path.Query(root)) == 0 {
			continue
		}
		single := *ov
		single.Actions = []overlay.Action{a}
		// An action that does not apply is Check's to report; here it is left out.
		_, _ = single.ApplyToStrict(root)
	}
	var v any
	if err := root.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// rewriteAction rewrites, in an action's node, the target and copy source and the
// values of its update that name renamed components. It reports whether anything
// changed.
func (m renames) rewriteAction(item *yaml.Node) bool {
	changed := false
	for _, key := range []string{"target", "copy"} {
		if n := lookup(item, key); n != nil && n.Kind == yaml.ScalarNode {
			if t, ok := m.retarget(n.Value); ok {
				n.Value, changed = t, true
			}
		}
	}
	if u := lookup(item, "update"); u != nil && m.rewriteValues(u) {
		changed = true
	}
	return changed
}

// rewriteValues rewrites the references to renamed components in an update, and
// the names of renamed security schemes in the security requirements it sets.
func (m renames) rewriteValues(n *yaml.Node) bool {
	changed := false
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.ScalarNode:
			if r, ok := m.ref(n.Value); ok {
				n.Value, changed = r, true
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k, v := n.Content[i], n.Content[i+1]; k.Value == "security" && v.Kind == yaml.SequenceNode {
					for _, req := range v.Content {
						for j := 0; req.Kind == yaml.MappingNode && j+1 < len(req.Content); j += 2 {
							if to, ok := m["securitySchemes"][req.Content[j].Value]; ok {
								req.Content[j].Value, changed = to, true
							}
						}
					}
				}
				walk(n.Content[i+1])
			}
		default:
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	return changed
}

// enumEntries returns x-go-type-name entries for the enums inside a renamed schema
// whose Go type the generator names after the component (Component_property), so
// that they keep the name they had under the old component.
func enumEntries(namer *goNamer, rn Rename, oldComp, newComp any) []Entry {
	oldNames := map[string]string{}
	walkEnums(oldComp, []string{rn.Old}, componentTarget("schemas", rn.Old), func(path []string, _ string, name string) {
		oldNames[strings.Join(path[1:], "\x00")] = name
	}, namer)
	var out []Entry
	walkEnums(newComp, []string{rn.New}, componentTarget("schemas", rn.New), func(path []string, target string, name string) {
		was, ok := oldNames[strings.Join(path[1:], "\x00")]
		if ok && was != name {
			out = append(out, Entry{Target: target, Key: "x-go-type-name", Value: was})
		}
	}, namer)
	return out
}

// walkEnums calls visit for each enum inside a component schema that the generator
// makes a named type of, with the type path, the JSONPath of the enum's schema and
// the type's name. It follows oapi-codegen's GenerateGoSchema: properties extend
// the path; items, additionalProperties and allOf members keep it; $ref and
// x-go-type stop it.
func walkEnums(v any, path []string, target string, visit func(path []string, target, name string), namer *goNamer) {
	s := asMap(v)
	if s == nil {
		return
	}
	if _, ok := s["$ref"]; ok {
		return
	}
	if _, ok := s["x-go-type"]; ok {
		return
	}
	if _, ok := s["enum"]; ok && s["type"] != "array" && len(path) > 1 {
		name, _ := s["x-go-type-name"].(string)
		if name == "" {
			name = namer.pathTypeName(path)
		}
		visit(path, target, name)
	}
	props := asMap(s["properties"])
	for _, p := range slices.Sorted(maps.Keys(props)) {
		walkEnums(props[p], append(slices.Clip(path), p), target+".properties"+member(p), visit, namer)
	}
	walkEnums(s["items"], path, target+".items", visit, namer)
	walkEnums(s["additionalProperties"], path, target+".additionalProperties", visit, namer)
	if all, ok := s["allOf"].([]any); ok {
		for i, e := range all {
			walkEnums(e, path, fmt.Sprintf("%s.allOf[%d]", target, i), visit, namer)
		}
	}
}

func hasUnion(v any) bool {
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if t["oneOf"] != nil || t["anyOf"] != nil {
				found = true
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return found
}

// componentTarget is the JSONPath of a component: $.components.schemas.Candidate.
func componentTarget(section, name string) string {
	return "$.components." + section + member(name)
}

// member is a child segment selecting name: .name, or ['name'] when it is not a
// member-name-shorthand.
func member(name string) string {
	if name != "" && nameLen(name) == len(name) {
		return "." + name
	}
	return "[" + quoteName(name) + "]"
}

func (e Entry) node() *yaml.Node {
	str := func(s string, style yaml.Style) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: style}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("target", 0), str(e.Target, yaml.DoubleQuotedStyle),
		str("update", 0), {Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str(e.Key, 0), str(e.Value, 0)}},
	}}
}

// renderAction writes an action as an item of the overlay's actions list, indented
// as api/overlay.yaml indents them.
func renderAction(item *yaml.Node) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}}); err != nil {
		return "", fmt.Errorf("render an overlay action: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	var b strings.Builder
	for line := range strings.Lines(buf.String()) {
		b.WriteString("  " + line)
	}
	return b.String(), nil
}

// cloneNode deep-copies a node, leaving out the comments around it (the file keeps
// the comments above an action when the action is replaced).
func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.HeadComment, c.FootComment = "", ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		c.Content[i] = cloneNode(e)
	}
	return &c
}

// ApplyTo returns the overlay file text with the suggestion applied as a maintainer
// pastes it: each rewritten action replaces the old one where it stands (the
// comments above it stay), and the new entries go after the last action.
func (r *Renames) ApplyTo(overlayText []byte) ([]byte, error) {
	if r.Settled() {
		return overlayText, nil
	}
	items, err := actionNodes(overlayText)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errors.New("the overlay has no actions to place the entries after")
	}
	lines := strings.SplitAfter(string(overlayText), "\n")
	// extent returns the 0-based [first, last] lines of action i: from its "- "
	// line to the last line before the next action that is neither blank nor a
	// comment.
	extent := func(i int) (int, int) {
		first, next := items[i].Line-1, len(lines)
		if i+1 < len(items) {
			next = items[i+1].Line - 1
		}
		last := next - 1
		for last > first {
			if t := strings.TrimSpace(lines[last]); t != "" && !strings.HasPrefix(t, "#") {
				break
			}
			last--
		}
		return first, last
	}
	for _, it := range items {
		if it.Kind != yaml.MappingNode || it.Style&yaml.FlowStyle != 0 || !strings.HasPrefix(strings.TrimSpace(lines[it.Line-1]), "-") {
			return nil, fmt.Errorf("overlay action at line %d is not a block mapping on its own lines: paste the entries by hand", it.Line)
		}
	}
	replace := map[int]string{} // first line -> text
	skip := map[int]int{}       // first line -> last line
	for _, rt := range r.Retargets {
		first, last := extent(rt.Action - 1)
		replace[first], skip[first] = rt.Text, last
	}
	var b strings.Builder
	_, end := extent(len(items) - 1)
	for i := 0; i < len(lines); i++ {
		if text, ok := replace[i]; ok {
			b.WriteString(text)
			i = skip[i]
		} else {
			b.WriteString(lines[i])
		}
		if i == end && len(r.Entries) > 0 {
			if !strings.HasSuffix(b.String(), "\n") {
				b.WriteByte('\n')
			}
			b.WriteString(r.entriesBlock())
		}
	}
	return []byte(b.String()), nil
}

func (r *Renames) entriesBlock() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  # Components Gem renamed (overlaycheck, against %s): x-go-name and x-go-type-name\n", r.Base)
	b.WriteString("  # keep the Go type names the SDK published.\n")
	for _, e := range r.Entries {
		if e.Unsure {
			b.WriteString(unsureComment)
		}
		b.WriteString(e.Text)
	}
	return b.String()
}

const unsureComment = "  # Matched by similarity only: keep this if it is a rename, else leave it out.\n"

// Snippet is the suggestion as one YAML snippet for api/overlay.yaml: the rewritten
// actions, each under a comment naming the action it replaces, then the entries to
// add after the last action.
func (r *Renames) Snippet() string {
	var b strings.Builder
	for _, rt := range r.Retargets {
		fmt.Fprintf(&b, "  # Replaces action %d (line %d, target %s):\n", rt.Action, rt.Line, yamlQuote(rt.Target))
		if rt.Unsure {
			b.WriteString(unsureComment)
		}
		b.WriteString(rt.Text)
	}
	if len(r.Entries) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("  # Add after the last action:\n")
		b.WriteString(r.entriesBlock())
	}
	return b.String()
}

// markdown renders the renames section of the report.
func (r *Renames) markdown(b *strings.Builder) {
	if r == nil || len(r.Renamed) == 0 && len(r.Ambiguous) == 0 {
		return
	}
	fmt.Fprintf(b, "## Renamed components (%d)\n\n", len(r.Renamed))
	fmt.Fprintf(b, "Compared with %s, the document lacks these components and has these in their place, "+
		"matched by structure and by the places that refer to them. The generator names Go types after "+
		"component names, so each would rename a public type of the SDK.\n\n", "`"+r.Base+"`")
	if len(r.Renamed) > 0 {
		b.WriteString("| section | was | now | Go type | matched by |\n|---|---|---|---|---|\n")
		for _, rn := range r.Renamed {
			how := rn.Match
			if rn.Match == MatchSimilar {
				how = fmt.Sprintf("%s (%.2f): check it", rn.Match, rn.Score)
			}
			goName := rn.GoName
			if goName == "" {
				goName = "(none)"
			}
			fmt.Fprintf(b, "| %s | `%s` | `%s` | `%s` | %s |\n", rn.Section, rn.Old, rn.New, goName, how)
		}
		b.WriteByte('\n')
	}
	if r.Settled() {
		b.WriteString("The overlay keeps every Go type name.\n\n")
	} else if len(r.Retargets) > 0 || len(r.Entries) > 0 {
		b.WriteString("Paste these into `api/overlay.yaml` (or let `overlaycheck -apply ../api/overlay.yaml` write them), " +
			"then `make generate`: goapidiff should report no change to the Go API.\n\n```yaml\n")
		b.WriteString(r.Snippet())
		b.WriteString("```\n\n")
		if !r.Pending() {
			b.WriteString("All of them rest on pairs matched by similarity only, so they do not fail the check: " +
				"keep those that are renames.\n\n")
		}
	}
	if len(r.Ambiguous) > 0 {
		fmt.Fprintf(b, "### Ambiguous (%d)\n\n", len(r.Ambiguous))
		b.WriteString("These look alike and nothing tells them apart, so nothing is suggested for them: decide which became which, " +
			"then add an `x-go-name` action for each (the old Go name, on the new component) and retarget the actions that name them. " +
			"They do not fail the check; goapidiff shows what they do to the Go API.\n\n")
		for _, a := range r.Ambiguous {
			fmt.Fprintf(b, "- %s: `%s` became one of `%s`\n", a.Section, strings.Join(a.Old, "`, `"), strings.Join(a.New, "`, `"))
		}
		b.WriteByte('\n')
	}
	if len(r.Notes) > 0 {
		b.WriteString("### Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(b, "- %s\n", n)
		}
		b.WriteByte('\n')
	}
}
