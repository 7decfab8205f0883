package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/gen"
)

type note struct {
	meta
	candidateID, userID, content string
	private                      bool
}

func (n *note) render() gen.Note {
	return gen.Note{
		Id: ptr(n.id), CandidateId: ptr(n.candidateID), UserId: ptr(n.userID),
		Timestamp: ptr(int(n.created)), IsPrivate: ptr(n.private), Content: ptr(n.content),
	}
}

// ListCandidateNotes lists a candidate's notes by timestamp, private ones included (the
// API key is the team's).
func (a api) ListCandidateNotes(_ context.Context, req gen.ListCandidateNotesRequestObject) (gen.ListCandidateNotesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	body, header, err := ofCandidate(a.Fake, s, req.CandidateId, s.notes.list, l, p.Page, p.PageSize, (*note).render)
	if err != nil {
		return nil, err
	}
	return gen.ListCandidateNotes200JSONResponse{Body: body, Headers: gen.ListCandidateNotes200ResponseHeaders{XPagination: header}}, nil
}

// CreateNote adds a note to a candidate; is_private defaults to false.
func (a api) CreateNote(_ context.Context, req gen.CreateNoteRequestObject) (gen.CreateNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	b := req.Body
	if _, ok := s.candidates.get(b.CandidateId); !ok {
		return nil, invalidReference("Candidate", "candidate_id")
	}
	if !s.userExists(b.UserId) {
		return nil, invalidReference("User", "user_id")
	}
	n := &note{
		meta: s.newMeta(kindNote, a.now()), candidateID: b.CandidateId, userID: b.UserId,
		content: b.Content, private: b.IsPrivate != nil && *b.IsPrivate,
	}
	s.notes.add(n)
	return gen.CreateNote201JSONResponse(n.render()), nil
}

// GetNote returns one note.
func (a api) GetNote(_ context.Context, req gen.GetNoteRequestObject) (gen.GetNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	n, ok := s.notes.get(req.NoteId)
	if !ok {
		return nil, a.notFound("Note")
	}
	return gen.GetNote200JSONResponse(n.render()), nil
}

// DeleteNote deletes a note.
func (a api) DeleteNote(_ context.Context, req gen.DeleteNoteRequestObject) (gen.DeleteNoteResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	if _, ok := s.notes.get(req.NoteId); !ok {
		return nil, a.notFound("Note")
	}
	s.notes.remove(req.NoteId)
	return gen.DeleteNote204Response{}, nil
}
