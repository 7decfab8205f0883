// Package enumcheck guards the overlay's named enums. api/overlay.yaml names each enum of
// Gem's document once, at one place it is used (x-go-type-name: the generator builds the
// Go type and its constants from that place's values), and points the enum's other uses at
// the type (x-go-type). The values are never restated in the overlay, so a download that
// changes an enum everywhere reaches gen/ by itself; Check catches the case the generator
// would let through silently: the values differ between the places that share a type.
//
// Check runs in `go generate ./gen` (gen/internal/modelgen, on the document embedded in the
// freshly generated code) and in gen's tests, so a mismatch stops generation and CI.
package enumcheck

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// use is one place of the document that uses a named enum.
type use struct {
	path   string
	values []string // sorted; nil when the place has no enum
}

// Check walks doc, an OpenAPI document decoded from JSON into maps and slices (the
// overlaid one), and returns an error naming every enum type whose places disagree on the
// values, or that a place without an enum refers to.
func Check(doc any) error {
	named := map[string][]use{} // type name → the places that define or use it
	defined := map[string]bool{}
	walk(doc, "", func(path string, obj map[string]any) {
		var values []string
		if enum, ok := obj["enum"].([]any); ok {
			for _, v := range enum {
				values = append(values, fmt.Sprint(v))
			}
			sort.Strings(values)
		}
		if name, ok := obj["x-go-type-name"].(string); ok && values != nil {
			defined[name] = true
			named[name] = append(named[name], use{path, values})
		}
		if name, ok := obj["x-go-type"].(string); ok {
			named[name] = append(named[name], use{path, values})
		}
	})
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(defined)) {
		uses := named[name]
		sort.Slice(uses, func(i, j int) bool { return uses[i].path < uses[j].path })
		want := uses[0]
		for _, u := range uses[1:] {
			if !slices.Equal(u.values, want.values) {
				problems = append(problems, fmt.Sprintf("%s: %s has [%s], %s has [%s]",
					name, want.path, strings.Join(want.values, " "), u.path, strings.Join(u.values, " ")))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("enums named in api/overlay.yaml differ between the places that share them "+
			"(Gem changed one; give the changed place a type of its own or update the overlay):\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// walk calls f for every object of v, with its JSON pointer.
func walk(v any, path string, f func(string, map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(path, v)
		for k, child := range v {
			walk(child, path+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), f)
		}
	case []any:
		for i, child := range v {
			walk(child, fmt.Sprintf("%s/%d", path, i), f)
		}
	}
}
