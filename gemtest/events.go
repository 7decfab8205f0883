package gemtest

import (
	"context"
	"net/http"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

// event is a candidate event; meta.created is its timestamp, as sent.
type event struct {
	meta
	candidateID string
	userID      string
	onBehalfOf  *string
	projectID   string
	sequenceID  string
	typ         gen.CandidateEventType
	subtype     gen.CandidateEventSubtype
	medium      gen.ContactMedium
	reply       *gen.ReplyStatus
}

func (e *event) render() gen.CandidateEvent {
	return gen.CandidateEvent{
		ID: ptr(e.id), CandidateID: ptr(e.candidateID), Timestamp: unixTime(e.created),
		UserID: ptr(e.userID), OnBehalfOfUserID: e.onBehalfOf, ProjectID: ptr(e.projectID),
		SequenceID: ptr(e.sequenceID), Type: ptr(e.typ), Subtype: ptr(e.subtype),
		ContactMedium: ptr(e.medium), ReplyStatus: e.reply,
	}
}

// eventsDeprecated is the live API's answer to the event lists: 403 with the message
// "Events are deprecated" (docs/gem-api.md §2.5, SK and TS); the envelope is flask-smorest's, since
// the message comes from the origin, not the gateway (a guess).
func eventsDeprecated() *apiError {
	return smorestError(http.StatusForbidden, "Events are deprecated", nil)
}

// ListEvents is deprecated: 403 unless WithEventLists, then events of all
// candidates by timestamp.
func (a api) ListEvents(_ context.Context, req genserver.ListEventsRequestObject) (genserver.ListEventsResponseObject, error) {
	if !a.cfg.eventLists {
		return nil, eventsDeprecated()
	}
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header := page(a.Fake, s.events.sorted, l, nil, p.Page, p.PageSize, (*event).render)
	return genserver.ListEvents200JSONResponse{Body: body, Headers: genserver.ListEvents200ResponseHeaders{XPagination: header}}, nil
}

// ListCandidateEvents is deprecated: 403 unless WithEventLists, then the candidate's
// events by timestamp.
func (a api) ListCandidateEvents(_ context.Context, req genserver.ListCandidateEventsRequestObject) (genserver.ListCandidateEventsResponseObject, error) {
	if !a.cfg.eventLists {
		return nil, eventsDeprecated()
	}
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header, err := ofCandidate(a.Fake, s, req.CandidateID, &s.events, l, p.Page, p.PageSize, (*event).render)
	if err != nil {
		return nil, err
	}
	return genserver.ListCandidateEvents200JSONResponse{Body: body, Headers: genserver.ListCandidateEvents200ResponseHeaders{XPagination: header}}, nil
}

// CreateCandidateEvent records a manual touchpoint: "only manual_touchpoints type event
// can be created currently" (reference); other types are a 400 (the status is a guess).
// The user, project and sequence must exist.
func (a api) CreateCandidateEvent(_ context.Context, req genserver.CreateCandidateEventRequestObject) (genserver.CreateCandidateEventResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	if _, ok := s.candidates.get(req.CandidateID); !ok {
		return nil, a.notFound("Candidate")
	}
	b := req.Body
	if b.Type != gen.CandidateEventTypeManualTouchpoints {
		return nil, badRequest("Only manual_touchpoints events can be created.", nil)
	}
	switch _, project := s.projects.get(b.ProjectID); {
	case !s.userExists(b.UserID):
		return nil, invalidReference("User", "user_id")
	case b.OnBehalfOfUserID != nil && !s.userExists(*b.OnBehalfOfUserID):
		return nil, invalidReference("User", "on_behalf_of_user_id")
	case !project:
		return nil, invalidReference("Project", "project_id")
	}
	if _, ok := s.sequences.get(b.SequenceID); !ok {
		return nil, invalidReference("Sequence", "sequence_id")
	}
	e := &event{
		meta: s.newMeta(kindEvent, int64(b.Timestamp)), candidateID: req.CandidateID,
		userID: b.UserID, onBehalfOf: b.OnBehalfOfUserID, projectID: b.ProjectID, sequenceID: b.SequenceID,
		typ: b.Type, subtype: b.Subtype, medium: b.ContactMedium, reply: b.ReplyStatus,
	}
	s.events.add(e)
	return genserver.CreateCandidateEvent201JSONResponse(e.render()), nil
}

// candidateEvent finds an event of a candidate.
func (a api) candidateEvent(s *store, candidateID, eventID string) (*event, error) {
	if _, ok := s.candidates.get(candidateID); !ok {
		return nil, a.notFound("Candidate")
	}
	e, ok := s.events.get(eventID)
	if !ok || e.candidateID != candidateID {
		return nil, a.notFound("Event")
	}
	return e, nil
}

// GetCandidateEvent returns one event of a candidate.
func (a api) GetCandidateEvent(_ context.Context, req genserver.GetCandidateEventRequestObject) (genserver.GetCandidateEventResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	e, err := a.candidateEvent(s, req.CandidateID, req.EventID)
	if err != nil {
		return nil, err
	}
	return genserver.GetCandidateEvent200JSONResponse(e.render()), nil
}

// DeleteCandidateEvent deletes a manual touchpoint; "only manual_touchpoints events can be
// deleted currently" (reference): others are a 400.
func (a api) DeleteCandidateEvent(_ context.Context, req genserver.DeleteCandidateEventRequestObject) (genserver.DeleteCandidateEventResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	e, err := a.candidateEvent(s, req.CandidateID, req.EventID)
	if err != nil {
		return nil, err
	}
	if e.typ != gen.CandidateEventTypeManualTouchpoints {
		return nil, badRequest("Only manual_touchpoints events can be deleted.", nil)
	}
	s.events.remove(e.id)
	return genserver.DeleteCandidateEvent204Response{}, nil
}
