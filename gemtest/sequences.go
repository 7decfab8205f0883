package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/internal/genserver"
)

// ListSequences lists sequences by creation time; user_id is the owner. The API cannot
// create sequences: seed them (WithDemoData) or add them with Fake.AddSequence.
func (a api) ListSequences(_ context.Context, req genserver.ListSequencesRequestObject) (genserver.ListSequencesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	keep := func(q *sequence) bool { return p.UserID == nil || q.userID == *p.UserID }
	body, header := page(a.Fake, s.sequences.list, l, byCreated, keep, p.Page, p.PageSize, (*sequence).render)
	return genserver.ListSequences200JSONResponse{Body: body, Headers: genserver.ListSequences200ResponseHeaders{XPagination: header}}, nil
}

// GetSequence returns one sequence.
func (a api) GetSequence(_ context.Context, req genserver.GetSequenceRequestObject) (genserver.GetSequenceResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	q, ok := s.sequences.get(req.SequenceID)
	if !ok {
		return nil, a.notFound("Sequence")
	}
	return genserver.GetSequence200JSONResponse(q.render()), nil
}
