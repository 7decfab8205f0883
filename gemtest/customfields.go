package gemtest

import (
	"context"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

// customField is a custom field: team-wide or for one project. Never deleted, only hidden
// (reference, "Custom Fields").
type customField struct {
	meta
	name      string
	valueType gen.CustomFieldValueType
	scope     gen.CustomFieldScope
	projectID string // for scope project
	hidden    bool
	options   []*option
}

func (cf *customField) renderProjectID() *string {
	if cf.scope == gen.CustomFieldScopeProject {
		return ptr(cf.projectID)
	}
	return nil
}

func (cf *customField) render() gen.CustomField {
	return gen.CustomField{
		ID:        ptr(cf.id),
		CreatedAt: unixTime(cf.created),
		Name:      ptr(cf.name),
		ValueType: ptr(cf.valueType),
		Scope:     ptr(cf.scope),
		ProjectID: cf.renderProjectID(),
		IsHidden:  ptr(cf.hidden),
		Options:   mapSlice(cf.options, (*option).renderCustom),
	}
}

func isSelect(t gen.CustomFieldValueType) bool {
	return t == gen.CustomFieldValueTypeSingleSelect || t == gen.CustomFieldValueTypeMultiSelect
}

// ListCustomFields lists custom fields by creation time; name is trimmed and matched
// exactly (reference).
func (a api) ListCustomFields(_ context.Context, req genserver.ListCustomFieldsRequestObject) (genserver.ListCustomFieldsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	keep := func(cf *customField) bool {
		switch {
		case p.ProjectID != nil && cf.projectID != *p.ProjectID,
			p.Scope != nil && cf.scope != *p.Scope,
			p.IsHidden != nil && cf.hidden != *p.IsHidden,
			p.Name != nil && cf.name != strings.TrimSpace(*p.Name):
			return false
		}
		return true
	}
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header := page(a.Fake, s.customFields.sorted, l, keep, p.Page, p.PageSize, (*customField).render)
	return genserver.ListCustomFields200JSONResponse{Body: body, Headers: genserver.ListCustomFields200ResponseHeaders{XPagination: header}}, nil
}

// CreateCustomField creates a custom field. Rules the reference gives in prose are
// enforced as webargs' 422 on the field: project_id is "Applicable and required when scope
// is project", option_values "Applicable and required when value_type is one of
// (single_select, multi_select)". The name is trimmed and unique within its scope; a taken
// name is the documented 400 with the existing field in errors.json.custom_field.
func (a api) CreateCustomField(_ context.Context, req genserver.CreateCustomFieldRequestObject) (genserver.CreateCustomFieldResponseObject, error) {
	b := req.Body
	fe := fieldErrors{}
	name := checkName(b.Name, maxCustomFieldName, fe)
	if b.Scope == gen.CustomFieldScopeProject && b.ProjectID == nil {
		fe.add("Missing data for required field.", "project_id")
	}
	if isSelect(b.ValueType) && b.OptionValues == nil {
		fe.add("Missing data for required field.", "option_values")
	}
	if len(fe) > 0 {
		return nil, unprocessable("json", fe)
	}
	s := a.lock()
	defer a.unlock()
	cf := &customField{name: name, valueType: b.ValueType, scope: b.Scope}
	if b.Scope == gen.CustomFieldScopeProject {
		if _, ok := s.projects.get(*b.ProjectID); !ok {
			return nil, invalidReference("Project", "project_id")
		}
		cf.projectID = *b.ProjectID
	}
	if taken := s.customFieldNamed(cf, name); taken != nil {
		return nil, customFieldExists(taken)
	}
	cf.meta = s.newMeta(kindCustomField, a.now())
	if isSelect(b.ValueType) {
		cf.options, _ = s.newOptions(kindCustomFieldOption, nil, b.OptionValues, cf.created)
	}
	s.customFields.add(cf)
	return genserver.CreateCustomField201JSONResponse(cf.render()), nil
}

// customFieldNamed finds another field named name in cf's scope (exact match after
// trimming; whether Gem ignores case is not documented).
func (s *store) customFieldNamed(cf *customField, name string) *customField {
	for _, other := range s.customFields.list {
		if other != cf && other.name == name && other.scope == cf.scope && other.projectID == cf.projectID {
			return other
		}
	}
	return nil
}

// customFieldExists is the documented 400 for a taken name (docs/gem-api.md §2.5): the
// existing field in errors.json.custom_field with exactly the keys of the reference's
// example, not created_at; project_id is null for a team field, as marshmallow dumps it.
func customFieldExists(cf *customField) *apiError {
	fe := fieldErrors{"custom_field": map[string]any{
		"id": cf.id, "is_hidden": cf.hidden, "name": cf.name, "options": mapSlice(cf.options, (*option).renderCustom),
		"project_id": cf.renderProjectID(), "scope": cf.scope, "value_type": cf.valueType,
	}}
	return badRequest("A custom field with the name already existed", fe)
}

// GetCustomField returns one custom field, hidden or not.
func (a api) GetCustomField(_ context.Context, req genserver.GetCustomFieldRequestObject) (genserver.GetCustomFieldResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	cf, err := lookup(a.Fake, &s.customFields, "Custom field", req.CustomFieldID)
	if err != nil {
		return nil, err
	}
	return genserver.GetCustomField200JSONResponse(cf.render()), nil
}

// UpdateCustomField renames or hides a custom field (PATCH takes only name and is_hidden).
func (a api) UpdateCustomField(_ context.Context, req genserver.UpdateCustomFieldRequestObject) (genserver.UpdateCustomFieldResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	cf, err := lookup(a.Fake, &s.customFields, "Custom field", req.CustomFieldID)
	if err != nil {
		return nil, err
	}
	b := req.Body
	if b.Name != nil {
		name, err := renamed(*b.Name, maxCustomFieldName)
		if err != nil {
			return nil, err
		}
		if taken := s.customFieldNamed(cf, name); taken != nil {
			return nil, customFieldExists(taken)
		}
		cf.name = name
	}
	if b.IsHidden != nil {
		cf.hidden = *b.IsHidden
	}
	return genserver.UpdateCustomField200JSONResponse(cf.render()), nil
}

// ListCustomFieldOptions lists a field's options in creation order; value is trimmed and
// matched exactly.
func (a api) ListCustomFieldOptions(_ context.Context, req genserver.ListCustomFieldOptionsRequestObject) (genserver.ListCustomFieldOptionsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	cf, err := lookup(a.Fake, &s.customFields, "Custom field", req.CustomFieldID)
	if err != nil {
		return nil, err
	}
	p := req.Params
	opts := filterOptions(cf.options, p.Value, p.IsHidden)
	body, header := pageInOrder(opts, p.Page, p.PageSize, (*option).renderCustom)
	return genserver.ListCustomFieldOptions200JSONResponse{Body: body, Headers: genserver.ListCustomFieldOptions200ResponseHeaders{XPagination: header}}, nil
}

// CreateCustomFieldOptions adds options to a select field. Values are trimmed; when any
// exists already nothing is added and the documented 400 lists the existing options.
func (a api) CreateCustomFieldOptions(_ context.Context, req genserver.CreateCustomFieldOptionsRequestObject) (genserver.CreateCustomFieldOptionsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	cf, err := lookup(a.Fake, &s.customFields, "Custom field", req.CustomFieldID)
	if err != nil {
		return nil, err
	}
	if !isSelect(cf.valueType) {
		return nil, badRequest("Options can only be added to single_select or multi_select custom fields.", nil)
	}
	created, existing := s.newOptions(kindCustomFieldOption, cf.options, req.Body.OptionValues, a.now())
	if len(existing) > 0 {
		fe := fieldErrors{"options": mapSlice(existing, (*option).renderCustom)}
		return nil, badRequest("Custom field options with the values already existed.", fe)
	}
	cf.options = append(cf.options, created...)
	return genserver.CreateCustomFieldOptions201JSONResponse(mapSlice(created, (*option).renderCustom)), nil
}

// GetCustomFieldOption returns one option of a field.
func (a api) GetCustomFieldOption(_ context.Context, req genserver.GetCustomFieldOptionRequestObject) (genserver.GetCustomFieldOptionResponseObject, error) {
	o, err := fieldOption(a.Fake, customFields, "Custom field", req.CustomFieldID, req.OptionID, nil)
	if err != nil {
		return nil, err
	}
	return genserver.GetCustomFieldOption200JSONResponse(o.renderCustom()), nil
}

// UpdateCustomFieldOption hides or shows an option (options are never deleted).
func (a api) UpdateCustomFieldOption(_ context.Context, req genserver.UpdateCustomFieldOptionRequestObject) (genserver.UpdateCustomFieldOptionResponseObject, error) {
	o, err := fieldOption(a.Fake, customFields, "Custom field", req.CustomFieldID, req.OptionID, req.Body.IsHidden)
	if err != nil {
		return nil, err
	}
	return genserver.UpdateCustomFieldOption200JSONResponse(o.renderCustom()), nil
}

func customFields(s *store) *table[*customField] { return &s.customFields }

func (cf *customField) fieldOptions() []*option { return cf.options }
