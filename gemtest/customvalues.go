package gemtest

import (
	"maps"
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// customValues returns cur with the custom field updates applied, or the 400 listing every
// invalid update (errors.json.custom_fields.<i>.<field>), in which case nothing changes.
// By value type (reference, CustomFieldCreate.value_type; docs/gem-api.md §1.6): text a string, date
// "yyyy-mm-dd", single_select one option, multi_select a list of options; null clears any
// value and [] clears a multi_select. A project-scoped field applies only to candidates in
// its project ("Custom fields under project scope apply to candidates in a specific
// project", reference). Gem's status for these errors is not documented; they are
// business rules on top of the schema, so 400 like its other ones.
func (f *Fake) customValues(s *store, cur map[string]fieldValue, projects []string, updates []gen.CustomFieldCandidateMembershipUpdate) (map[string]fieldValue, error) {
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]fieldValue{}
	}
	fe := fieldErrors{}
	for i, u := range updates {
		at := func(field string) []string { return []string{"custom_fields", itoa(i), field} }
		cf, ok := s.customFields.get(u.CustomFieldID)
		switch {
		case !ok:
			fe.add("Custom field not found.", at("custom_field_id")...)
			continue
		case cf.scope == gen.CustomFieldScopeProject && !slices.Contains(projects, cf.projectID):
			fe.add("The candidate is not in the custom field's project.", at("custom_field_id")...)
			continue
		}
		if u.Value == nil { // null
			delete(out, cf.id)
			continue
		}
		v, msg := f.parseValue(s, cf, u.Value)
		switch {
		case msg != "":
			fe.add(msg, at("value")...)
		case v.empty():
			delete(out, cf.id)
		default:
			out[cf.id] = v
		}
	}
	if len(fe) > 0 {
		return nil, badRequest("Invalid custom field values.", fe)
	}
	return out, nil
}

// parseValue checks one value against the field's type; msg says what is wrong.
func (f *Fake) parseValue(s *store, cf *customField, raw any) (v fieldValue, msg string) {
	switch cf.valueType {
	case gen.CustomFieldValueTypeText:
		text, ok := raw.(string)
		if !ok {
			return v, "Not a valid string."
		}
		return fieldValue{text: &text}, ""
	case gen.CustomFieldValueTypeDate:
		text, ok := raw.(string)
		if !ok || validDate(text) != nil {
			return v, "Not a valid date."
		}
		return fieldValue{text: &text}, ""
	case gen.CustomFieldValueTypeSingleSelect:
		text, ok := raw.(string)
		if !ok {
			return v, "Not a valid string."
		}
		id, msg := f.resolveOption(cf, text)
		return fieldValue{options: []string{id}}, msg
	default: // multi_select
		list, ok := raw.([]any)
		if !ok {
			return v, "Not a valid list."
		}
		for _, item := range list {
			text, ok := item.(string)
			if !ok {
				return v, "Not a valid string."
			}
			id, msg := f.resolveOption(cf, text)
			if msg != "" {
				return v, msg
			}
			if !slices.Contains(v.options, id) {
				v.options = append(v.options, id)
			}
		}
		return v, ""
	}
}

// resolveOption finds the visible option a select value names: by value, by id or either
// (WithSelectValues). Hidden options are not selectable (reference).
func (f *Fake) resolveOption(cf *customField, text string) (string, string) {
	var visible []string
	for _, o := range cf.options {
		if o.hidden {
			continue
		}
		visible = append(visible, o.value)
		byValue := f.cfg.selectValues != SelectByID && o.value == strings.TrimSpace(text)
		byID := f.cfg.selectValues != SelectByValue && o.id == text
		if byValue || byID {
			return o.id, ""
		}
	}
	return "", "Must be one of: " + strings.Join(visible, ", ") + "."
}

// renderCustomValues lists a candidate's custom field values in field creation order,
// leaving out hidden fields and hidden options, and values left empty by that. Select
// values are option values; value_option_ids holds their ids (docs/gem-api.md §1.5). The
// deprecated custom_field_category and custom_field_value repeat name and value.
func (s *store) renderCustomValues(c *candidate) []gen.CustomFieldCandidateMembership {
	out := []gen.CustomFieldCandidateMembership{}
	for _, cf := range s.customFields.list {
		v, ok := c.custom[cf.id]
		if !ok || cf.hidden {
			continue
		}
		var value any
		ids := []string{}
		switch cf.valueType {
		case gen.CustomFieldValueTypeText, gen.CustomFieldValueTypeDate:
			value = *v.text
		default:
			var values []string
			values, ids = s.selected(v)
			if len(ids) == 0 {
				continue
			}
			value = values
			if cf.valueType == gen.CustomFieldValueTypeSingleSelect {
				value = values[0]
			}
		}
		out = append(out, gen.CustomFieldCandidateMembership{
			ID:                  cf.id,
			Name:                cf.name,
			Scope:               cf.scope,
			ProjectID:           cf.renderProjectID(),
			ValueType:           cf.valueType,
			Value:               value,
			ValueOptionIDs:      ids,
			CustomFieldCategory: ptr(cf.name),
			CustomFieldValue:    value,
		})
	}
	return out
}
