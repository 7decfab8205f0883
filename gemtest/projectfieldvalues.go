package gemtest

import (
	"context"
	"net/http"
	"slices"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

// ListProjectFieldOptionAssociations lists a project's project field values (not
// paginated, reference): a text field's text with option_id null, and one entry per
// selected option of a select field, its text the option's value. Hidden fields and
// options are listed, flagged by is_hidden.
func (a api) ListProjectFieldOptionAssociations(_ context.Context, req genserver.ListProjectFieldOptionAssociationsRequestObject) (genserver.ListProjectFieldOptionAssociationsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p, ok := s.projects.get(req.ProjectID)
	if !ok {
		return nil, a.notFound("Project")
	}
	out := []gen.ProjectFieldOptionAssociation{}
	for _, pf := range s.projectFields.list {
		v, ok := p.fields[pf.id]
		if !ok {
			continue
		}
		entry := func(optionID *string, text string, hidden bool) gen.ProjectFieldOptionAssociation {
			return gen.ProjectFieldOptionAssociation{
				ProjectFieldID: ptr(pf.id), OptionID: optionID, Text: ptr(text),
				FieldType: ptr(pf.fieldType), IsHidden: ptr(pf.hidden || hidden), IsRequired: ptr(pf.required),
			}
		}
		if pf.fieldType == gen.ProjectFieldTypeText {
			out = append(out, entry(nil, *v.text, false))
			continue
		}
		for _, id := range v.options {
			o := s.fieldOptionIdx[id]
			out = append(out, entry(ptr(id), o.value, o.hidden))
		}
	}
	return genserver.ListProjectFieldOptionAssociations200JSONResponse(out), nil
}

// fieldOptionsChanged is the success response of POST /v0/projects/{id}/project_field_options,
// which the document leaves out: the status of WithProjectFieldOptionsStatus, no body.
type fieldOptionsChanged int

func (c fieldOptionsChanged) VisitUpdateProjectFieldOptionAssociationsResponse(w http.ResponseWriter) error {
	w.WriteHeader(int(c))
	return nil
}

// UpdateProjectFieldOptionAssociations sets or clears a project's value of a project
// field. As the reference has it: add on a text field needs text and replaces the text;
// add on a select field needs options (option ids of the field) and replaces a
// single_select's option or adds to a multi_select's; remove clears a text or
// single_select value and needs options on a multi_select, whose listed options it takes
// away. A missing text or options is webargs' 422 on the field; an option id that is not a
// visible option of the field is a 400 (a guess).
func (a api) UpdateProjectFieldOptionAssociations(_ context.Context, req genserver.UpdateProjectFieldOptionAssociationsRequestObject) (genserver.UpdateProjectFieldOptionAssociationsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p, ok := s.projects.get(req.ProjectID)
	if !ok {
		return nil, a.notFound("Project")
	}
	b := req.Body
	pf, ok := s.projectFields.get(b.ProjectFieldID)
	if !ok {
		return nil, invalidReference("Project field", "project_field_id")
	}
	add := b.Operation == gen.ProjectFieldOptionAssociationUpdateOperationAdd
	text := pf.fieldType == gen.ProjectFieldTypeText
	multi := pf.fieldType == gen.ProjectFieldTypeMultiSelect
	missing := fieldErrors{}
	switch {
	case add && text && b.Text == nil:
		missing.add("Missing data for required field.", "text")
	case (add && !text || !add && multi) && b.Options == nil:
		missing.add("Missing data for required field.", "options")
	}
	if len(missing) > 0 {
		return nil, unprocessable("json", missing)
	}
	var ids []string
	if !text && b.Options != nil {
		fe := fieldErrors{}
		for i, id := range b.Options {
			if o := findOption(pf.options, id); o == nil || o.hidden {
				fe.add("Project field option not found.", "options", itoa(i))
			} else if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(fe) > 0 {
			return nil, badRequest("Project field option not found.", fe)
		}
		if add && !multi && len(ids) != 1 {
			return nil, badRequest("A single_select project field takes exactly one option.", nil)
		}
	}
	cur := p.fields[pf.id]
	switch {
	case add && text:
		cur = fieldValue{text: ptr(*b.Text)}
	case add && multi:
		for _, id := range ids {
			if !slices.Contains(cur.options, id) {
				cur.options = append(slices.Clone(cur.options), id)
			}
		}
	case add:
		cur = fieldValue{options: ids}
	case multi:
		cur.options = slices.DeleteFunc(slices.Clone(cur.options), func(id string) bool { return slices.Contains(ids, id) })
	default:
		cur = fieldValue{}
	}
	if cur.empty() {
		delete(p.fields, pf.id)
	} else {
		p.fields[pf.id] = cur
	}
	return fieldOptionsChanged(a.cfg.pfoStatus), nil
}
