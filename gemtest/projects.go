package gemtest

import (
	"context"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

type project struct {
	meta
	ownerID     string
	name        string
	privacy     gen.PrivacyType
	description *string
	archived    bool
	members     ordered[*membership]
	memberIdx   map[string]*membership // candidate id → its membership
	fields      map[string]fieldValue  // project field id → value
}

// membership is a candidate in a project; meta.id is the candidate's id, meta.created
// its added_at.
type membership struct{ meta }

// canRead and canWrite model project access simply (the reference gives the filters, not
// the rules): the owner can do anything; a shared project is open to the whole team;
// personal and confidential ones only to their owner.
func (p *project) canRead(userID string) bool {
	return p.ownerID == userID || p.privacy == gen.PrivacyTypeShared
}

func (p *project) canWrite(userID string) bool { return p.canRead(userID) }

func (p *project) member(candidateID string) bool {
	_, ok := p.memberIdx[candidateID]
	return ok
}

func (p *project) addMember(m *membership) {
	if p.memberIdx == nil {
		p.memberIdx = map[string]*membership{}
	}
	p.memberIdx[m.id] = m
	p.members.add(m)
}

func (p *project) removeMember(candidateID string) {
	if m, ok := p.memberIdx[candidateID]; ok {
		delete(p.memberIdx, candidateID)
		p.members.remove(m)
	}
}

// ListProjects lists projects by creation time: user_id is the owner, readable_by and
// writable_by apply canRead and canWrite.
func (a api) ListProjects(_ context.Context, req genserver.ListProjectsRequestObject) (genserver.ListProjectsResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	keep := func(pr *project) bool {
		switch {
		case p.UserID != nil && pr.ownerID != *p.UserID,
			p.ReadableBy != nil && !pr.canRead(*p.ReadableBy),
			p.WritableBy != nil && !pr.canWrite(*p.WritableBy),
			p.IsArchived != nil && pr.archived != *p.IsArchived:
			return false
		}
		return true
	}
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header := page(a.Fake, s.projects.sorted, l, keep, p.Page, p.PageSize, s.renderProject)
	return genserver.ListProjects200JSONResponse{Body: body, Headers: genserver.ListProjects200ResponseHeaders{XPagination: header}}, nil
}

// CreateProject creates a project owned by user_id; privacy_type defaults to personal.
func (a api) CreateProject(_ context.Context, req genserver.CreateProjectRequestObject) (genserver.CreateProjectResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p, err := a.createProject(s, *req.Body)
	if err != nil {
		return nil, err
	}
	return genserver.CreateProject201JSONResponse(s.renderProject(p)), nil
}

func (f *Fake) createProject(s *store, b gen.ProjectCreate) (*project, error) {
	if !s.userExists(b.UserID) {
		return nil, invalidReference("User", "user_id")
	}
	p := &project{
		meta:        s.newMeta(kindProject, f.now()),
		ownerID:     b.UserID,
		name:        b.Name,
		privacy:     gen.PrivacyTypePersonal,
		description: b.Description,
		fields:      map[string]fieldValue{},
	}
	if b.PrivacyType != nil {
		p.privacy = *b.PrivacyType
	}
	s.projects.add(p)
	return p, nil
}

// GetProject returns one project.
func (a api) GetProject(_ context.Context, req genserver.GetProjectRequestObject) (genserver.GetProjectResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p, ok := s.projects.get(req.ProjectID)
	if !ok {
		return nil, a.notFound("Project")
	}
	return genserver.GetProject200JSONResponse(s.renderProject(p)), nil
}

// UpdateProject changes only the fields sent (projects are PATCHed); description null
// clears it; user_id transfers ownership.
func (a api) UpdateProject(_ context.Context, req genserver.UpdateProjectRequestObject) (genserver.UpdateProjectResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p, ok := s.projects.get(req.ProjectID)
	if !ok {
		return nil, a.notFound("Project")
	}
	b := req.Body
	if b.UserID != nil {
		if !s.userExists(*b.UserID) {
			return nil, invalidReference("User", "user_id")
		}
		p.ownerID = *b.UserID
	}
	if b.Name != nil {
		p.name = *b.Name
	}
	if b.PrivacyType != nil {
		p.privacy = *b.PrivacyType
	}
	if b.Description.IsSet() {
		p.description = nil
		if d, ok := b.Description.Get(); ok {
			p.description = &d
		}
	}
	if b.IsArchived != nil {
		p.archived = *b.IsArchived
	}
	return genserver.UpdateProject200JSONResponse(s.renderProject(p)), nil
}

// renderProject is a project as the API returns it. project_fields holds the values of
// visible project fields, without hidden options ("Hidden project fields ... are not
// returned when making a query on the Projects endpoint", reference); context, "Summary of
// top project fields", is those values as "Name: value" joined by "; " (a guess).
func (s *store) renderProject(p *project) gen.Project {
	values := []gen.ProjectFieldValue{}
	var summary []string
	for _, pf := range s.projectFields.list {
		v, ok := p.fields[pf.id]
		if !ok || pf.hidden {
			continue
		}
		var value any
		var shown string
		ids := []string{}
		if pf.fieldType == gen.ProjectFieldTypeText {
			value, shown = *v.text, *v.text
		} else {
			var texts []string
			texts, ids = s.selected(v)
			if len(ids) == 0 {
				continue
			}
			value, shown = texts, strings.Join(texts, ", ")
			if pf.fieldType == gen.ProjectFieldTypeSingleSelect {
				value = texts[0]
			}
		}
		values = append(values, gen.ProjectFieldValue{
			ID: ptr(pf.id), Name: ptr(pf.name), ValueType: ptr(pf.fieldType),
			Value: value, ValueOptionIDs: ids,
		})
		summary = append(summary, pf.name+": "+shown)
	}
	return gen.Project{
		ID:            ptr(p.id),
		CreatedAt:     unixTime(p.created),
		UserID:        ptr(p.ownerID),
		Name:          ptr(p.name),
		PrivacyType:   ptr(p.privacy),
		Description:   p.description,
		IsArchived:    ptr(p.archived),
		ProjectFields: nonNil(values),
		Context:       ptr(strings.Join(summary, "; ")),
	}
}
