package overlaycheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// How a renamed component was recognised (Rename.Match).
const (
	MatchSame        = "same definition"
	MatchStructure   = "same structure, other descriptions"
	MatchSimilar     = "similar"
	MatchInterchange = "identical to another renamed component: either pairing gives the same Go API"
)

// Similarity thresholds: a removed and an added component of the same section are
// paired by similarity when their score is at least minSimilarity, each is the
// other's best match, and the next best of either scores at least minMargin less.
const (
	minSimilarity = 0.7
	minMargin     = 0.1
)

// Rename is a component of the base document that the new document calls otherwise.
type Rename struct {
	// Section is the components section: "schemas", "responses", "headers", ...
	Section string
	// Old and New are the component's names in the base and the new document.
	Old, New string
	// GoName is the Go type the generator made of the old component, which the
	// overlay keeps; empty for sections the generator makes no type of.
	GoName string
	// Match says how the pair was recognised: MatchSame, MatchStructure,
	// MatchSimilar (then Score is the similarity, 0 to 1) or MatchInterchange.
	Match string
	Score float64
}

// Ambiguity is a set of removed and added components of one section that look alike
// and that nothing tells apart; no entry is suggested for them.
type Ambiguity struct {
	Section  string
	Old, New []string
}

type compKey struct{ section, name string }

// matcher pairs the components the new document lacks with those it adds.
type matcher struct {
	old, new map[string]any // the documents' "components"
	oldDoc   any
	newDoc   any
	removed  map[string][]string // section -> names only in old, sorted
	added    map[string][]string // section -> names only in new, sorted
	toNew    map[compKey]string  // old key -> new name
	toOld    map[compKey]string  // new key -> old name
	how      map[compKey]Rename  // old key -> the pairing
}

// matchComponents pairs each component of the base document that the new document
// lacks with the component that replaced it, section by section. Components present
// in both documents under the same name are not renames, whatever their content.
//
// Matching works in rounds. A component's signature is its definition with every
// reference to a component written by what is known about its target: the old name
// for kept and already paired components, "?" for the others; and the list of places
// that refer to it (JSON pointers, component names in them written the same way).
// In each round a removed and an added component are paired when their structure
// (the definition without descriptions, titles and examples) is equal and neither has
// another candidate; candidates with the same structure are narrowed by the whole
// definition, then by the places that refer to them. Pairing components makes the
// references to them comparable, so the next round can pair the components that
// refer to them. When a round pairs nothing, components of equal signatures that
// nothing can tell apart are paired in name order (their Go types are the same
// either way), then the most similar pair is tried: the Jaccard index of their leaf
// values and referring places, at least minSimilarity, each the other's best, and
// ahead of the runner-up by minMargin. Whatever is left with candidates is ambiguous.
func matchComponents(oldDoc, newDoc any) ([]Rename, []Ambiguity) {
	m := &matcher{
		oldDoc: oldDoc, newDoc: newDoc,
		old: asMap(lookupAny(oldDoc, "components")), new: asMap(lookupAny(newDoc, "components")),
		toNew: map[compKey]string{}, toOld: map[compKey]string{}, how: map[compKey]Rename{},
	}
	m.removed, m.added = onlyIn(m.old, m.new), onlyIn(m.new, m.old)
	for m.round() || m.interchangeable() || m.similar() {
	}
	var out []Rename
	for _, sec := range slices.Sorted(maps.Keys(m.removed)) {
		for _, name := range m.removed[sec] {
			if r, ok := m.how[compKey{sec, name}]; ok {
				out = append(out, r)
			}
		}
	}
	return out, m.ambiguities()
}

// onlyIn returns, per section, the sorted names of the components of a that b lacks.
func onlyIn(a, b map[string]any) map[string][]string {
	out := map[string][]string{}
	for sec, comps := range a {
		for _, name := range slices.Sorted(maps.Keys(asMap(comps))) {
			if _, ok := asMap(b[sec])[name]; !ok {
				out[sec] = append(out[sec], name)
			}
		}
	}
	return out
}

// signature is what a round compares.
type signature struct {
	structure, full string
	refs            string
	leaves          map[string]bool
}

func (m *matcher) signatures(side int) map[compKey]signature {
	doc, comps, names := m.oldDoc, m.old, m.removed
	if side == sideNew {
		doc, comps, names = m.newDoc, m.new, m.added
	}
	refs := m.referrers(doc, side)
	sigs := map[compKey]signature{}
	for sec, list := range names {
		for _, name := range list {
			k := compKey{sec, name}
			if m.paired(k, side) {
				continue
			}
			v := asMap(comps[sec])[name]
			structure := m.canonical(v, side, true)
			leaves := map[string]bool{}
			flatten(structure, "", leaves)
			for _, r := range refs[k] {
				leaves["referred from "+r] = true
			}
			sigs[k] = signature{
				structure: marshal(structure),
				full:      marshal(m.canonical(v, side, false)),
				refs:      strings.Join(refs[k], "\n"),
				leaves:    leaves,
			}
		}
	}
	return sigs
}

const (
	sideOld = iota
	sideNew
)

func (m *matcher) paired(k compKey, side int) bool {
	if side == sideOld {
		_, ok := m.toNew[k]
		return ok
	}
	_, ok := m.toOld[k]
	return ok
}

// canonicalName is how a reference to sec/name is written in signatures: the old
// name of a kept or paired component, "?" for the others.
func (m *matcher) canonicalName(sec, name string, side int) string {
	if _, inOld := asMap(m.old[sec])[name]; inOld {
		if _, inNew := asMap(m.new[sec])[name]; inNew {
			return name
		}
	}
	if side == sideOld {
		if _, ok := m.toNew[compKey{sec, name}]; ok {
			return name
		}
	} else if old, ok := m.toOld[compKey{sec, name}]; ok {
		return old
	}
	return "?"
}

func (m *matcher) canonicalRef(ref string, side int) string {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return ref
	}
	sec, name, ok := strings.Cut(rest, "/")
	if !ok {
		return ref
	}
	return "#/components/" + sec + "/" + m.canonicalName(sec, unescapePointer(name), side)
}

// docKeys are left out of a component's structure: they document, they do not shape.
var docKeys = map[string]bool{"description": true, "summary": true, "title": true, "example": true, "examples": true, "externalDocs": true}

// nameMaps are the keys whose values map names (property names, media types, status
// codes) to objects: their keys are never documentation keys.
var nameMaps = map[string]bool{"properties": true, "patternProperties": true, "content": true, "headers": true,
	"encoding": true, "links": true, "responses": true, "callbacks": true, "mapping": true, "variables": true}

// canonical copies v with references to components written by canonicalRef and,
// for the structure, the documentation keys left out.
func (m *matcher) canonical(v any, side int, structure bool) any {
	var walk func(v any, names bool) any
	walk = func(v any, names bool) any {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, e := range t {
				if !names && structure && docKeys[k] {
					continue
				}
				out[k] = walk(e, !names && nameMaps[k])
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = walk(e, false)
			}
			return out
		case string:
			// $ref, and the values of a discriminator's mapping.
			if strings.HasPrefix(t, "#/components/") {
				return m.canonicalRef(t, side)
			}
		}
		return v
	}
	return walk(v, false)
}

// referrers returns, for each removed (old side) or added (new side) component, the
// sorted places that refer to it: JSON pointers with component names written by
// canonicalName.
func (m *matcher) referrers(doc any, side int) map[compKey][]string {
	out := map[compKey][]string{}
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok {
				if rest, ok := strings.CutPrefix(ref, "#/components/"); ok {
					if sec, name, ok := strings.Cut(rest, "/"); ok {
						k := compKey{sec, unescapePointer(name)}
						out[k] = append(out[k], "/"+strings.Join(path, "/"))
					}
				}
			}
			for k, e := range t {
				seg := k
				if len(path) == 2 && path[0] == "components" {
					seg = m.canonicalName(path[1], k, side)
				}
				walk(e, append(path, pointerEscaper.Replace(seg)))
			}
		case []any:
			for i, e := range t {
				walk(e, append(path, fmt.Sprint(i)))
			}
		}
	}
	walk(doc, nil)
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// round pairs the components whose structure has exactly one counterpart once
// narrowed by definition and referring places. It reports whether it paired any.
func (m *matcher) round() bool {
	olds, news := m.signatures(sideOld), m.signatures(sideNew)
	progress := false
	for _, sec := range slices.Sorted(maps.Keys(m.removed)) {
		for _, name := range m.removed[sec] {
			k := compKey{sec, name}
			s, ok := olds[k]
			if !ok || m.paired(k, sideOld) {
				continue
			}
			cands := candidates(s, sec, m.added[sec], news, func(n string) bool { return m.paired(compKey{sec, n}, sideNew) })
			if len(cands) != 1 {
				continue
			}
			back := candidates(news[compKey{sec, cands[0]}], sec, m.removed[sec], olds, func(n string) bool { return m.paired(compKey{sec, n}, sideOld) })
			if len(back) != 1 || back[0] != name {
				continue
			}
			how := MatchSame
			if s.full != news[compKey{sec, cands[0]}].full {
				how = MatchStructure
			}
			m.pair(sec, name, cands[0], how, 1)
			progress = true
		}
	}
	return progress
}

// candidates returns the names among list whose structure equals s's, narrowed to
// those with the same definition, then the same referring places, when any has.
func candidates(s signature, sec string, list []string, sigs map[compKey]signature, taken func(string) bool) []string {
	var c []string
	for _, n := range list {
		if o, ok := sigs[compKey{sec, n}]; ok && !taken(n) && o.structure == s.structure {
			c = append(c, n)
		}
	}
	c = narrow(c, func(n string) bool { return sigs[compKey{sec, n}].full == s.full })
	return narrow(c, func(n string) bool { return sigs[compKey{sec, n}].refs == s.refs })
}

func narrow(list []string, keep func(string) bool) []string {
	var kept []string
	for _, n := range list {
		if keep(n) {
			kept = append(kept, n)
		}
	}
	if len(kept) == 0 {
		return list
	}
	return kept
}

func (m *matcher) pair(sec, old, new, how string, score float64) {
	m.toNew[compKey{sec, old}] = new
	m.toOld[compKey{sec, new}] = old
	m.how[compKey{sec, old}] = Rename{Section: sec, Old: old, New: new, Match: how, Score: score}
}

// interchangeable pairs, in name order, groups of removed and added components of
// equal size whose signatures are all equal and refer to nothing unpaired: nothing
// can tell them apart, and any pairing generates the same Go types.
func (m *matcher) interchangeable() bool {
	olds, news := m.signatures(sideOld), m.signatures(sideNew)
	key := func(s signature) string { return s.full + "\x00" + s.refs }
	progress := false
	for _, sec := range slices.Sorted(maps.Keys(m.removed)) {
		groupsOld, groupsNew := map[string][]string{}, map[string][]string{}
		for _, n := range m.removed[sec] {
			if s, ok := olds[compKey{sec, n}]; ok {
				groupsOld[key(s)] = append(groupsOld[key(s)], n)
			}
		}
		for _, n := range m.added[sec] {
			if s, ok := news[compKey{sec, n}]; ok {
				groupsNew[key(s)] = append(groupsNew[key(s)], n)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(groupsOld)) {
			o, n := groupsOld[k], groupsNew[k]
			if len(o) < 2 || len(o) != len(n) || strings.Contains(k, "/?") {
				continue
			}
			for i := range o {
				m.pair(sec, o[i], n[i], MatchInterchange, 1)
			}
			progress = true
		}
	}
	return progress
}

// similar pairs the removed and added components that are each other's clear best
// match by similarity.
func (m *matcher) similar() bool {
	olds, news := m.signatures(sideOld), m.signatures(sideNew)
	for _, sec := range slices.Sorted(maps.Keys(m.removed)) {
		for _, o := range m.removed[sec] {
			so, ok := olds[compKey{sec, o}]
			if !ok {
				continue
			}
			best, score, ok := bestMatch(so, sec, m.added[sec], news)
			if !ok || score < minSimilarity {
				continue
			}
			back, _, ok := bestMatch(news[compKey{sec, best}], sec, m.removed[sec], olds)
			if !ok || back != o {
				continue
			}
			// One pair at a time: it changes the signatures of what refers to it.
			m.pair(sec, o, best, MatchSimilar, score)
			return true
		}
	}
	return false
}

// bestMatch returns the name in list most similar to s, and whether it is ahead of
// the runner-up by minMargin.
func bestMatch(s signature, sec string, list []string, sigs map[compKey]signature) (string, float64, bool) {
	best, first, second := "", -1.0, -1.0
	for _, n := range list {
		o, ok := sigs[compKey{sec, n}]
		if !ok {
			continue
		}
		switch j := jaccard(s.leaves, o.leaves); {
		case j > first:
			best, first, second = n, j, first
		case j > second:
			second = j
		}
	}
	return best, first, best != "" && first-second >= minMargin
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	both := 0
	for k := range a {
		if b[k] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// ambiguities groups the unpaired components that still have candidates: equal
// structure, or a similarity of at least minSimilarity.
func (m *matcher) ambiguities() []Ambiguity {
	olds, news := m.signatures(sideOld), m.signatures(sideNew)
	var out []Ambiguity
	for _, sec := range slices.Sorted(maps.Keys(m.removed)) {
		// Connected groups of removed and added names linked by a candidate edge.
		group := map[string]int{} // "o:name" / "n:name" -> group id
		var groups [][2][]string
		for _, o := range m.removed[sec] {
			so, ok := olds[compKey{sec, o}]
			if !ok {
				continue
			}
			for _, n := range m.added[sec] {
				sn, ok := news[compKey{sec, n}]
				if !ok || (so.structure != sn.structure && jaccard(so.leaves, sn.leaves) < minSimilarity) {
					continue
				}
				gi, okO := group["o:"+o]
				gj, okN := group["n:"+n]
				switch {
				case !okO && !okN:
					groups = append(groups, [2][]string{{o}, {n}})
					group["o:"+o], group["n:"+n] = len(groups)-1, len(groups)-1
				case okO && !okN:
					groups[gi][1] = append(groups[gi][1], n)
					group["n:"+n] = gi
				case !okO && okN:
					groups[gj][0] = append(groups[gj][0], o)
					group["o:"+o] = gj
				case gi != gj:
					groups[gi][0] = append(groups[gi][0], groups[gj][0]...)
					groups[gi][1] = append(groups[gi][1], groups[gj][1]...)
					for _, x := range groups[gj][0] {
						group["o:"+x] = gi
					}
					for _, x := range groups[gj][1] {
						group["n:"+x] = gi
					}
					groups[gj] = [2][]string{}
				}
			}
		}
		for _, g := range groups {
			if len(g[0]) > 0 {
				slices.Sort(g[0])
				slices.Sort(g[1])
				out = append(out, Ambiguity{Section: sec, Old: g[0], New: g[1]})
			}
		}
	}
	return out
}

// flatten adds one "pointer=value" entry per leaf of v; lists of plain values
// (required, enum) count as sets.
func flatten(v any, prefix string, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			out[prefix+"={}"] = true
		}
		for k, e := range t {
			flatten(e, prefix+"/"+k, out)
		}
	case []any:
		if len(t) == 0 {
			out[prefix+"=[]"] = true
		}
		for i, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				flatten(e, fmt.Sprintf("%s/%d", prefix, i), out)
			default:
				out[prefix+"[]="+marshal(e)] = true
			}
		}
	default:
		out[prefix+"="+marshal(v)] = true
	}
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func lookupAny(v any, keys ...string) any {
	for _, k := range keys {
		v = asMap(v)[k]
	}
	return v
}
