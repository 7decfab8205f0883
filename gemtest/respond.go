package gemtest

import (
	"encoding/json"
	"net/http"

	"github.com/gem-go/gem-go/gen"
)

// listPage is one page of a list as the operation answers it: 200, the items as a JSON
// array and X-Pagination. The generated Visit...Response methods encode a body into a
// buffer of their own and then copy it to the response; listPage encodes straight into the
// response (the fake's recorder, a buffer already), with the same bytes: json.Encoder's
// defaults, headers as the generated code sets them, and nothing written when encoding
// fails, so the error handler still answers 500.
type listPage[T any] struct {
	body   []T
	header *string
}

func (p listPage[T]) write(w http.ResponseWriter) error {
	return json.NewEncoder(&lazyHeader{w: w, pagination: p.header}).Encode(p.body)
}

// lazyHeader sets the headers and the status on the first Write, which json.Encoder makes
// only once the value is encoded whole.
type lazyHeader struct {
	w          http.ResponseWriter
	pagination *string
	wrote      bool
}

func (l *lazyHeader) Write(b []byte) (int, error) {
	if !l.wrote {
		l.wrote = true
		l.w.Header().Set("Content-Type", "application/json")
		if l.pagination != nil {
			l.w.Header().Set("X-Pagination", *l.pagination)
		}
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(b)
}

// One type per list operation, for its generated response interface.
type (
	usersPage              listPage[gen.User]
	candidatesPage         listPage[gen.Candidate]
	eventsPage             listPage[gen.CandidateEvent]
	notesPage              listPage[gen.Note]
	resumesPage            listPage[gen.UploadedResume]
	customFieldsPage       listPage[gen.CustomField]
	customFieldOptionsPage listPage[gen.CustomFieldOption]
	projectsPage           listPage[gen.Project]
	projectCandidatesPage  listPage[gen.ProjectCandidateMembership]
	membershipLogPage      listPage[gen.ProjectCandidateMembershipLog]
	projectFieldsPage      listPage[gen.ProjectField]
	projectFieldOptsPage   listPage[gen.ProjectFieldOption]
	sequencesPage          listPage[gen.Sequence]
)

func (p candidatesPage) VisitListCandidatesResponse(w http.ResponseWriter) error {
	return listPage[gen.Candidate](p).write(w)
}

func (p customFieldsPage) VisitListCustomFieldsResponse(w http.ResponseWriter) error {
	return listPage[gen.CustomField](p).write(w)
}

func (p customFieldOptionsPage) VisitListCustomFieldOptionsResponse(w http.ResponseWriter) error {
	return listPage[gen.CustomFieldOption](p).write(w)
}

func (p eventsPage) VisitListEventsResponse(w http.ResponseWriter) error {
	return listPage[gen.CandidateEvent](p).write(w)
}

func (p eventsPage) VisitListCandidateEventsResponse(w http.ResponseWriter) error {
	return listPage[gen.CandidateEvent](p).write(w)
}

func (p projectCandidatesPage) VisitListProjectCandidatesResponse(w http.ResponseWriter) error {
	return listPage[gen.ProjectCandidateMembership](p).write(w)
}

func (p membershipLogPage) VisitListProjectMembershipLogResponse(w http.ResponseWriter) error {
	return listPage[gen.ProjectCandidateMembershipLog](p).write(w)
}

func (p notesPage) VisitListCandidateNotesResponse(w http.ResponseWriter) error {
	return listPage[gen.Note](p).write(w)
}

func (p projectFieldsPage) VisitListProjectFieldsResponse(w http.ResponseWriter) error {
	return listPage[gen.ProjectField](p).write(w)
}

func (p projectFieldOptsPage) VisitListProjectFieldOptionsResponse(w http.ResponseWriter) error {
	return listPage[gen.ProjectFieldOption](p).write(w)
}

func (p projectsPage) VisitListProjectsResponse(w http.ResponseWriter) error {
	return listPage[gen.Project](p).write(w)
}

func (p resumesPage) VisitListUploadedResumesResponse(w http.ResponseWriter) error {
	return listPage[gen.UploadedResume](p).write(w)
}

func (p sequencesPage) VisitListSequencesResponse(w http.ResponseWriter) error {
	return listPage[gen.Sequence](p).write(w)
}

func (p usersPage) VisitListUsersResponse(w http.ResponseWriter) error {
	return listPage[gen.User](p).write(w)
}
