package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

type note struct {
	meta
	candidateID, userID, content string
	private                      bool
}

func (n *note) render() gen.Note {
	return gen.Note{
		ID: ptr(n.id), CandidateID: ptr(n.candidateID), UserID: ptr(n.userID),
		Timestamp: unixTime(n.created), IsPrivate: ptr(n.private), Content: ptr(n.content),
	}
}

// ListCandidateNotes lists a candidate's notes by timestamp, private ones included (the
// API key is the team's).
func (a api) ListCandidateNotes(_ context.Context, req genserver.ListCandidateNotesRequestObject) (genserver.ListCandidateNotesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header, err := ofCandidate(a.Fake, s, req.CandidateID, &s.notes, l, p.Page, p.PageSize, (*note).render)
	if err != nil {
		return nil, err
	}
	return genserver.ListCandidateNotes200JSONResponse{Body: body, Headers: genserver.ListCandidateNotes200ResponseHeaders{XPagination: header}}, nil
}

// CreateNote adds a note to a candidate; is_private defaults to false.
func (a api) CreateNote(_ context.Context, req genserver.CreateNoteRequestObject) (genserver.CreateNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	b := req.Body
	if _, ok := s.candidates.get(b.CandidateID); !ok {
		return nil, invalidReference("Candidate", "candidate_id")
	}
	if !s.userExists(b.UserID) {
		return nil, invalidReference("User", "user_id")
	}
	n := &note{
		meta: s.newMeta(kindNote, a.now()), candidateID: b.CandidateID, userID: b.UserID,
		content: b.Content, private: b.IsPrivate != nil && *b.IsPrivate,
	}
	s.notes.add(n)
	return genserver.CreateNote201JSONResponse(n.render()), nil
}

// GetNote returns one note.
func (a api) GetNote(_ context.Context, req genserver.GetNoteRequestObject) (genserver.GetNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	n, ok := s.notes.get(req.NoteID)
	if !ok {
		return nil, a.notFound("Note")
	}
	return genserver.GetNote200JSONResponse(n.render()), nil
}

// DeleteNote deletes a note.
func (a api) DeleteNote(_ context.Context, req genserver.DeleteNoteRequestObject) (genserver.DeleteNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	if _, ok := s.notes.get(req.NoteID); !ok {
		return nil, a.notFound("Note")
	}
	s.notes.remove(req.NoteID)
	return genserver.DeleteNote204Response{}, nil
}
