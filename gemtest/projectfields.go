package gemtest

import (
	"context"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

// projectField is a project field (text, single_select or multi_select; no date). Never
// deleted, only hidden (reference, "Project Fields").
type projectField struct {
	meta
	name      string
	fieldType gen.ProjectFieldType
	userID    string
	required  bool
	hidden    bool
	options   []*option
}

func (pf *projectField) render() gen.ProjectField {
	return gen.ProjectField{
		ID:         ptr(pf.id),
		Name:       ptr(pf.name),
		FieldType:  ptr(pf.fieldType),
		UserID:     ptr(pf.userID),
		Options:    mapSlice(pf.options, (*option).renderProject),
		IsRequired: ptr(pf.required),
		IsHidden:   ptr(pf.hidden),
	}
}

// ListProjectFields lists project fields by creation time; name is trimmed and matched
// exactly.
func (a api) ListProjectFields(_ context.Context, req genserver.ListProjectFieldsRequestObject) (genserver.ListProjectFieldsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	keep := func(pf *projectField) bool {
		switch {
		case p.IsHidden != nil && pf.hidden != *p.IsHidden,
			p.IsRequired != nil && pf.required != *p.IsRequired,
			p.Name != nil && pf.name != strings.TrimSpace(*p.Name),
			p.FieldType != nil && pf.fieldType != *p.FieldType:
			return false
		}
		return true
	}
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header := page(a.Fake, s.projectFields.sorted, l, keep, p.Page, p.PageSize, (*projectField).render)
	return genserver.ListProjectFields200JSONResponse{Body: body, Headers: genserver.ListProjectFields200ResponseHeaders{XPagination: header}}, nil
}

// CreateProjectField creates a project field. Its name "Must differ from existing project
// field names" (reference): a taken name gets a 400 shaped like the custom field one, with
// the existing field in errors.json.project_field (a guess). Options apply only to
// select fields. The creator is the API key's user, DefaultUserID.
func (a api) CreateProjectField(_ context.Context, req genserver.CreateProjectFieldRequestObject) (genserver.CreateProjectFieldResponseObject, error) {
	b := req.Body
	name, err := renamed(b.Name, maxProjectFieldName)
	if err != nil {
		return nil, err
	}
	s := a.lock()
	defer a.unlock()
	if taken := s.projectFieldNamed(nil, name); taken != nil {
		return nil, projectFieldExists(taken)
	}
	pf := &projectField{
		meta: s.newMeta(kindProjectField, a.now()), name: name, fieldType: b.FieldType,
		userID: a.defaultID, required: b.IsRequired != nil && *b.IsRequired,
	}
	if b.Options != nil && b.FieldType != gen.ProjectFieldTypeText {
		pf.options, _ = s.newOptions(kindProjectFieldOption, nil, b.Options, pf.created)
	}
	s.projectFields.add(pf)
	return genserver.CreateProjectField201JSONResponse(pf.render()), nil
}

// projectFieldNamed finds another project field named name ("unique across entire team").
func (s *store) projectFieldNamed(self *projectField, name string) *projectField {
	for _, pf := range s.projectFields.list {
		if pf != self && pf.name == name {
			return pf
		}
	}
	return nil
}

// projectFieldExists is the 400 for a taken name, shaped like the custom field one (a
// guess, docs/gem-api.md §4): the existing field in errors.json.project_field, every key
// of ProjectField present.
func projectFieldExists(pf *projectField) *apiError {
	return badRequest("A project field with the name already existed", fieldErrors{"project_field": wireComponent("ProjectField", pf.render())})
}

// GetProjectField returns one project field, hidden or not.
func (a api) GetProjectField(_ context.Context, req genserver.GetProjectFieldRequestObject) (genserver.GetProjectFieldResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	pf, err := lookup(a.Fake, &s.projectFields, "Project field", req.ProjectFieldID)
	if err != nil {
		return nil, err
	}
	return genserver.GetProjectField200JSONResponse(pf.render()), nil
}

// UpdateProjectField renames, hides or (un)requires a project field.
func (a api) UpdateProjectField(_ context.Context, req genserver.UpdateProjectFieldRequestObject) (genserver.UpdateProjectFieldResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	pf, err := lookup(a.Fake, &s.projectFields, "Project field", req.ProjectFieldID)
	if err != nil {
		return nil, err
	}
	b := req.Body
	if b.Name != nil {
		name, err := renamed(*b.Name, maxProjectFieldName)
		if err != nil {
			return nil, err
		}
		if taken := s.projectFieldNamed(pf, name); taken != nil {
			return nil, projectFieldExists(taken)
		}
		pf.name = name
	}
	if b.IsRequired != nil {
		pf.required = *b.IsRequired
	}
	if b.IsHidden != nil {
		pf.hidden = *b.IsHidden
	}
	return genserver.UpdateProjectField200JSONResponse(pf.render()), nil
}

// ListProjectFieldOptions lists a project field's options in creation order.
func (a api) ListProjectFieldOptions(_ context.Context, req genserver.ListProjectFieldOptionsRequestObject) (genserver.ListProjectFieldOptionsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	pf, err := lookup(a.Fake, &s.projectFields, "Project field", req.ProjectFieldID)
	if err != nil {
		return nil, err
	}
	p := req.Params
	body, header := pageInOrder(filterOptions(pf.options, p.Value, p.IsHidden), p.Page, p.PageSize, (*option).renderProject)
	return genserver.ListProjectFieldOptions200JSONResponse{Body: body, Headers: genserver.ListProjectFieldOptions200ResponseHeaders{XPagination: header}}, nil
}

// CreateProjectFieldOptions adds options to a select project field; existing values are a
// 400 listing them in errors.json.options, as for custom fields (a guess: the reference
// documents that 400 only for custom fields).
func (a api) CreateProjectFieldOptions(_ context.Context, req genserver.CreateProjectFieldOptionsRequestObject) (genserver.CreateProjectFieldOptionsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	pf, err := lookup(a.Fake, &s.projectFields, "Project field", req.ProjectFieldID)
	if err != nil {
		return nil, err
	}
	if pf.fieldType == gen.ProjectFieldTypeText {
		return nil, badRequest("Options can only be added to single_select or multi_select project fields.", nil)
	}
	created, existing := s.newOptions(kindProjectFieldOption, pf.options, req.Body.Options, a.now())
	if len(existing) > 0 {
		fe := fieldErrors{"options": mapSlice(existing, (*option).renderProject)}
		return nil, badRequest("Project field options with the values already existed.", fe)
	}
	pf.options = append(pf.options, created...)
	return genserver.CreateProjectFieldOptions201JSONResponse(mapSlice(created, (*option).renderProject)), nil
}

// GetProjectFieldOption returns one option of a project field.
func (a api) GetProjectFieldOption(_ context.Context, req genserver.GetProjectFieldOptionRequestObject) (genserver.GetProjectFieldOptionResponseObject, error) {
	o, err := fieldOption(a.Fake, projectFields, "Project field", req.ProjectFieldID, req.ProjectFieldOptionID, nil)
	if err != nil {
		return nil, err
	}
	return genserver.GetProjectFieldOption200JSONResponse(o.renderProject()), nil
}

// UpdateProjectFieldOption hides or shows an option (options are never deleted).
func (a api) UpdateProjectFieldOption(_ context.Context, req genserver.UpdateProjectFieldOptionRequestObject) (genserver.UpdateProjectFieldOptionResponseObject, error) {
	o, err := fieldOption(a.Fake, projectFields, "Project field", req.ProjectFieldID, req.ProjectFieldOptionID, req.Body.IsHidden)
	if err != nil {
		return nil, err
	}
	return genserver.UpdateProjectFieldOption200JSONResponse(o.renderProject()), nil
}

func projectFields(s *store) *table[*projectField] { return &s.projectFields }

func (pf *projectField) fieldOptions() []*option { return pf.options }
