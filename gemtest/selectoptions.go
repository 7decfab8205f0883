package gemtest

import (
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// option is an option of a select-type custom field or project field. Options are never
// deleted, only hidden (reference, "Custom Field Options", "Project Field Options").
type option struct {
	meta
	value  string
	hidden bool
}

func (o *option) renderCustom() gen.CustomFieldOption {
	return gen.CustomFieldOption{ID: ptr(o.id), Value: ptr(o.value), IsHidden: ptr(o.hidden)}
}

func (o *option) renderProject() gen.ProjectFieldOption {
	return gen.ProjectFieldOption{ID: ptr(o.id), Value: ptr(o.value), IsHidden: ptr(o.hidden)}
}

// selectField is a field with options: a custom field or a project field.
type selectField interface {
	record
	fieldOptions() []*option
}

// fieldOption finds option optionID of field fieldID in the table fields gives, sets its
// is_hidden when hidden is not nil, and returns a copy. what names the field in 404s.
func fieldOption[F selectField](f *Fake, fields func(*store) *table[F], what, fieldID, optionID string, hidden *bool) (option, error) {
	s := f.lock()
	defer f.unlock()
	field, ok := fields(s).get(fieldID)
	if !ok {
		return option{}, f.notFound(what)
	}
	o := findOption(field.fieldOptions(), optionID)
	if o == nil {
		return option{}, f.notFound(what + " option")
	}
	if hidden != nil {
		o.hidden = *hidden
	}
	return *o, nil
}

// newOptions makes options of kind k for values (trimmed; the first of equal values
// kept) stamped created. When some value is an option in have already it makes none and
// returns those options instead.
func (s *store) newOptions(k kind, have []*option, values []string, created int64) (made, existing []*option) {
	var fresh []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if o := slices.IndexFunc(have, func(o *option) bool { return o.value == v }); o >= 0 {
			if !slices.Contains(existing, have[o]) {
				existing = append(existing, have[o])
			}
			continue
		}
		if !slices.Contains(fresh, v) {
			fresh = append(fresh, v)
		}
	}
	if len(existing) > 0 {
		return nil, existing
	}
	for _, v := range fresh {
		o := &option{meta: s.newMeta(k, created), value: v}
		s.fieldOptionIdx[o.id] = o
		made = append(made, o)
	}
	return made, nil
}

func findOption(opts []*option, id string) *option {
	if i := slices.IndexFunc(opts, func(o *option) bool { return o.id == id }); i >= 0 {
		return opts[i]
	}
	return nil
}

// filterOptions applies the options lists' value (trimmed, exact) and is_hidden filters.
func filterOptions(opts []*option, value *string, hidden *bool) []*option {
	var out []*option
	for _, o := range opts {
		if (value == nil || o.value == strings.TrimSpace(*value)) && (hidden == nil || o.hidden == *hidden) {
			out = append(out, o)
		}
	}
	return out
}
