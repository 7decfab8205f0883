package gemtest

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

type candidate struct {
	meta
	updated     int64
	createdBy   string
	firstName   *string
	lastName    *string
	nickname    *string
	phone       *string
	location    *string
	linkedIn    *string
	company     *string
	title       *string
	school      *string
	emails      []gen.Email
	profiles    []gen.Profile
	education   []gen.EducationInfo
	work        []gen.WorkInfo
	custom      map[string]fieldValue // custom field id → value
	due         *gen.DueDate
	projects    []string // in the order the candidate was added
	sourcedFrom *gen.CandidateSource
}

// maxCandidateIDs is the prose-only bound on GET /v0/candidates?candidate_ids= ("A maximum
// of 20 candidate_ids can be provided.", reference). As marshmallow's Length(max=20) it
// answers "Longer than maximum length 20.".
const maxCandidateIDs = 20

// ListCandidates lists candidates by creation time with the documented filters. The
// created_after/created_before window and candidate_ids cost what they match; the other
// filters one pass over that, without sorting.
func (a api) ListCandidates(_ context.Context, req genserver.ListCandidatesRequestObject) (genserver.ListCandidatesResponseObject, error) {
	p := req.Params
	var ids []string
	if p.CandidateIDs != nil {
		ids = p.CandidateIDs
		if len(ids) > maxCandidateIDs {
			fe := fieldErrors{}
			fe.add(lengthMessage(0, ptr(uint64(maxCandidateIDs))), "candidate_ids")
			return nil, unprocessable("query", fe)
		}
	}
	s := a.lock()
	defer a.unlock()
	var keep func(*candidate) bool
	if p.CreatedBy != nil || p.LinkedInHandle != nil || p.Email != nil || p.UpdatedAfter != nil {
		keep = func(c *candidate) bool {
			switch {
			case p.CreatedBy != nil && c.createdBy != *p.CreatedBy,
				p.LinkedInHandle != nil && (c.linkedIn == nil || !strings.EqualFold(*c.linkedIn, *p.LinkedInHandle)),
				p.Email != nil && !c.hasEmailContaining(*p.Email),
				p.UpdatedAfter != nil && !a.within(c.updated, listing{after: p.UpdatedAfter}):
				return false
			}
			return true
		}
	}
	sorted := s.candidates.sorted
	if ids != nil {
		// At most 20 ids: the candidates they name, looked up and sorted, not a scan.
		sorted = nil
		for _, id := range ids {
			if c, ok := s.candidates.get(id); ok && !slices.Contains(sorted, c) {
				sorted = append(sorted, c)
			}
		}
		slices.SortFunc(sorted, func(x, y *candidate) int { return compareMeta(&x.meta, &y.meta) })
	}
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header := page(a.Fake, sorted, l, keep, p.Page, p.PageSize, s.renderCandidate)
	return genserver.ListCandidates200JSONResponse{Body: body, Headers: genserver.ListCandidates200ResponseHeaders{XPagination: header}}, nil
}

// hasEmailContaining is the email filter: "candidates whose email addresses contain
// email" (reference), ignoring case.
func (c *candidate) hasEmailContaining(sub string) bool {
	sub = strings.ToLower(sub)
	return slices.ContainsFunc(c.emails, func(e gen.Email) bool { return strings.Contains(strings.ToLower(e.EmailAddress), sub) })
}

// CreateCandidate creates a candidate (see createCandidate).
func (a api) CreateCandidate(_ context.Context, req genserver.CreateCandidateRequestObject) (genserver.CreateCandidateResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	c, err := a.createCandidate(s, *req.Body)
	if err != nil {
		return nil, err
	}
	return genserver.CreateCandidate201JSONResponse(s.renderCandidate(c)), nil
}

// createCandidate checks b and creates the candidate, adding it to b's projects (each
// addition logged). A linked_in_handle already on a candidate is the duplicate 400 and
// changes nothing, projects included (docs/gem-api.md §2.7).
func (f *Fake) createCandidate(s *store, b gen.CandidateCreate) (*candidate, error) {
	if !s.userExists(b.CreatedBy) {
		return nil, invalidReference("User", "created_by")
	}
	handle := b.LinkedInHandle
	if handle != nil && *handle == "" {
		handle = nil
	}
	if b.Autofill != nil && *b.Autofill && handle == nil {
		// "Requires linked_in_handle to be non-null." (reference, autofill): a schema rule,
		// so a 422 on the field; autofill itself finds nothing to fill in the fake.
		fe := fieldErrors{}
		fe.add("Requires linked_in_handle to be non-null.", "autofill")
		return nil, unprocessable("json", fe)
	}
	if handle != nil {
		if id, dup := s.handles[strings.ToLower(*handle)]; dup {
			return nil, f.duplicate(s.candidates.byID[id])
		}
	}
	emails := normalizeEmails(b.Emails)
	if s.isBlocked(handle, emails) {
		return nil, badRequest("The candidate's contact info was permanently removed from Gem.", nil)
	}
	var projects []string
	for i, pid := range b.ProjectIDs {
		if _, ok := s.projects.get(pid); !ok {
			return nil, invalidReference("Project", "project_ids", itoa(i))
		}
		if !slices.Contains(projects, pid) {
			projects = append(projects, pid)
		}
	}
	custom, err := f.customValues(s, nil, projects, b.CustomFields)
	if err != nil {
		return nil, err
	}
	now := f.now()
	c := &candidate{
		meta:        s.newMeta(kindCandidate, now),
		updated:     f.updatedOnCreate(now),
		createdBy:   b.CreatedBy,
		firstName:   b.FirstName,
		lastName:    b.LastName,
		nickname:    b.Nickname,
		phone:       b.PhoneNumber,
		location:    b.Location,
		linkedIn:    handle,
		company:     b.Company,
		title:       b.Title,
		school:      b.School,
		emails:      emails,
		profiles:    profilesFor(b.ProfileURLs, handle),
		education:   normalizeEducation(b.EducationInfo),
		work:        normalizeWork(b.WorkInfo),
		custom:      custom,
		sourcedFrom: b.SourcedFrom,
	}
	s.candidates.add(c)
	if handle != nil {
		s.handles[strings.ToLower(*handle)] = c.id
	}
	for _, pid := range projects {
		f.addMember(s, s.projects.byID[pid], c, now)
	}
	return c, nil
}

// duplicate is the 400 for an existing linked_in_handle, in the observed shape by default
// (docs/gem-api.md §2.5; WithDuplicateCandidateShape).
func (f *Fake) duplicate(c *candidate) *apiError {
	key := "li_handle"
	if f.cfg.duplicateShape == DuplicateDocumented {
		key = "linked_in_handle"
	}
	return smorestError(http.StatusBadRequest,
		"Candidate with LinkedIn handle \""+*c.linkedIn+"\" already exists.",
		map[string]any{"duplicate_candidate": map[string]any{"id": c.id, key: *c.linkedIn}})
}

// GetCandidate returns one candidate.
func (a api) GetCandidate(_ context.Context, req genserver.GetCandidateRequestObject) (genserver.GetCandidateResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	c, ok := s.candidates.get(req.CandidateID)
	if !ok {
		return nil, a.notFound("Candidate")
	}
	return genserver.GetCandidate200JSONResponse(s.renderCandidate(c)), nil
}

// UpdateCandidate changes only the fields sent, though the verb is PUT (reference); null
// clears a field, emails and profile_urls replace the lists, custom_fields change only the
// fields listed and due_date null clears the due date (docs/gem-api.md §2.7). Nothing changes when
// any part is invalid.
func (a api) UpdateCandidate(_ context.Context, req genserver.UpdateCandidateRequestObject) (genserver.UpdateCandidateResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	c, ok := s.candidates.get(req.CandidateID)
	if !ok {
		return nil, a.notFound("Candidate")
	}
	b := req.Body
	due := c.due
	if b.DueDate.IsSet() {
		due = nil
		if d, ok := b.DueDate.Get(); ok {
			if !s.userExists(d.UserID) {
				return nil, invalidReference("User", "due_date", "user_id")
			}
			due = &d
		}
	}
	custom, err := a.customValues(s, c.custom, c.projects, deref(b.CustomFields))
	if err != nil {
		return nil, err
	}
	for _, set := range []struct {
		field **string
		value gen.Nullable[string]
	}{
		{&c.firstName, b.FirstName}, {&c.lastName, b.LastName}, {&c.nickname, b.Nickname},
		{&c.company, b.Company}, {&c.title, b.Title}, {&c.location, b.Location},
		{&c.school, b.School}, {&c.phone, b.PhoneNumber},
	} {
		if set.value.IsSet() {
			*set.field = nil
			if v, ok := set.value.Get(); ok {
				*set.field = &v
			}
		}
	}
	if b.Emails != nil {
		c.emails = normalizeEmails(*b.Emails)
	}
	if b.ProfileURLs != nil {
		c.profiles = profilesFor(*b.ProfileURLs, nil)
	}
	c.due, c.custom, c.updated = due, custom, a.now()
	return genserver.UpdateCandidate200JSONResponse(s.renderCandidate(c)), nil
}

// DeleteCandidate deletes a candidate with its notes, events and resumes, and takes it
// out of its projects (not logged: the log records additions and removals, and a deletion
// is neither, a guess). With permanently_remove_contact_info its emails and LinkedIn
// handle cannot be added again.
func (a api) DeleteCandidate(_ context.Context, req genserver.DeleteCandidateRequestObject) (genserver.DeleteCandidateResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	c, ok := s.candidates.get(req.CandidateID)
	if !ok {
		return nil, a.notFound("Candidate")
	}
	if !s.userExists(req.Body.OnBehalfOfUserID) {
		return nil, invalidReference("User", "on_behalf_of_user_id")
	}
	p := req.Body.PermanentlyRemoveContactInfo
	s.deleteCandidate(c, p != nil && *p)
	return genserver.DeleteCandidate204Response{}, nil
}

// deleteCandidate deletes c as DeleteCandidate describes; permanently blocks its contact
// info.
func (s *store) deleteCandidate(c *candidate, permanently bool) {
	for _, pid := range c.projects {
		s.projects.byID[pid].removeMember(c.id)
	}
	dropOwned(&s.notes, c.id)
	dropOwned(&s.events, c.id)
	dropOwned(&s.resumes, c.id)
	if c.linkedIn != nil {
		delete(s.handles, strings.ToLower(*c.linkedIn))
	}
	if permanently {
		s.block(c.linkedIn, c.emails)
	}
	s.candidates.remove(c.id)
}

// owned is what belongs to one candidate: a note, an event, a resume.
type owned interface {
	record
	owner() string
}

func (n *note) owner() string   { return n.candidateID }
func (e *event) owner() string  { return e.candidateID }
func (r *resume) owner() string { return r.candidateID }

// ofCandidate pages one candidate's items of t by timestamp, or is the 404 for an
// unknown candidate.
func ofCandidate[T owned, R any](f *Fake, s *store, candidateID string, t *table[T], l listing, pg, size *int, render func(T) R) ([]R, *string, error) {
	if _, ok := s.candidates.get(candidateID); !ok {
		return nil, nil, f.notFound("Candidate")
	}
	body, header := page(f, t.ownedBy(candidateID), l, nil, pg, size, render)
	return body, header, nil
}

// dropOwned deletes a candidate's items from t.
func dropOwned[T owned](t *table[T], candidateID string) {
	for _, v := range slices.Clone(t.ownedBy(candidateID)) {
		t.remove(v.base().id)
	}
}

func blockKeys(handle *string, emails []gen.Email) []string {
	var keys []string
	if handle != nil {
		keys = append(keys, "li:"+strings.ToLower(*handle))
	}
	for _, e := range emails {
		keys = append(keys, "email:"+strings.ToLower(e.EmailAddress))
	}
	return keys
}

func (s *store) block(handle *string, emails []gen.Email) {
	for _, k := range blockKeys(handle, emails) {
		s.blocked[k] = true
	}
}

// isBlocked reports whether any of the contact info was permanently removed. Gem's answer
// to re-adding it is undocumented ("Prevent the deleted candidate's contact info from
// being added back", reference); a 400 is the guess.
func (s *store) isBlocked(handle *string, emails []gen.Email) bool {
	return slices.ContainsFunc(blockKeys(handle, emails), func(k string) bool { return s.blocked[k] })
}

// renderCandidate is a candidate as the API returns it. Every field is present, null
// where unset, as marshmallow dumps; hidden custom fields and hidden options are left out
// (reference).
func (s *store) renderCandidate(c *candidate) gen.Candidate {
	return gen.Candidate{
		ID:             ptr(c.id),
		CreatedAt:      unixTime(c.created),
		CreatedBy:      ptr(c.createdBy),
		LastUpdatedAt:  updatedTime(c.updated),
		FirstName:      c.firstName,
		LastName:       c.lastName,
		Nickname:       c.nickname,
		Weblink:        ptr(weblink(c.id)),
		Emails:         slices.Clone(nonNil(c.emails)),
		PhoneNumber:    c.phone,
		Location:       c.location,
		LinkedInHandle: c.linkedIn,
		Profiles:       slices.Clone(nonNil(c.profiles)),
		Company:        c.company,
		Title:          c.title,
		School:         c.school,
		EducationInfo:  slices.Clone(nonNil(c.education)),
		WorkInfo:       slices.Clone(nonNil(c.work)),
		CustomFields:   nonNil(s.renderCustomValues(c)),
		DueDate:        c.due,
		ProjectIDs:     slices.Clone(nonNil(c.projects)),
		SourcedFrom:    c.sourcedFrom,
	}
}

// updatedOnCreate is a new candidate's last_updated_at: none (null, and no match for
// updated_after) until it is updated, or its creation time with WithLastUpdatedOnCreate.
// Gem types the field nullable and does not say when it is null (docs/gem-api.md §1.15):
// null until the first update is the guess.
func (f *Fake) updatedOnCreate(now int64) int64 {
	if f.cfg.updatedOnCreate {
		return now
	}
	return 0
}

// updatedTime renders last_updated_at: null for a candidate never updated (0).
func updatedTime(ts int64) *gen.UnixTime {
	if ts == 0 {
		return nil
	}
	return unixTime(ts)
}

// weblink is the candidate's page in Gem's app: "non-empty" is all that is known; the
// URL is a guess (docs/gem-api.md §1.15).
func weblink(id string) string { return "https://www.gem.com/candidate/" + id }
