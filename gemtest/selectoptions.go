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
	field, err := lookup(f, fields(s), what, fieldID)
	if err != nil {
		return option{}, err
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

// Names of custom fields and project fields: at most 50 and 255 characters (the document's
// maxLength of name in CustomFieldCreate and ProjectFieldCreate).
const (
	maxCustomFieldName  = 50
	maxProjectFieldName = 255
)

// checkName returns a custom or project field's name as stored: trimmed ("Any leading and
// trailing spaces of the name string will be removed", reference, for custom fields; the
// fake trims project field names alike). A name that is only spaces is refused in fe with
// the message of the name's Length(1, max), for both kinds (docs/gem-api.md §4).
func checkName(raw string, maxLen int, fe fieldErrors) string {
	name := strings.TrimSpace(raw)
	if name == "" {
		fe.add(lengthMessage(1, ptr(uint64(maxLen))), "name")
	}
	return name
}

// renamed is checkName for a body with only the name to check: the 422 on name when it is
// refused.
func renamed(raw string, maxLen int) (string, error) {
	fe := fieldErrors{}
	if name := checkName(raw, maxLen, fe); len(fe) == 0 {
		return name, nil
	}
	return "", unprocessable("json", fe)
}

// lookup finds the field (or other record) id in t, or is the 404 naming what (notFound):
// the one look-up of custom fields and project fields, their options included.
func lookup[T record](f *Fake, t *table[T], what, id string) (T, error) {
	v, ok := t.get(id)
	if !ok {
		return v, f.notFound(what)
	}
	return v, nil
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
