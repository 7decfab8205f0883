package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/gen"
)

// ListSequences lists sequences by creation time; user_id is the owner. The API cannot
// create sequences: seed them (WithDemoData) or add them with Fake.AddSequence.
func (a api) ListSequences(_ context.Context, req gen.ListSequencesRequestObject) (gen.ListSequencesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	keep := func(q *sequence) bool { return p.UserId == nil || q.userID == *p.UserId }
	body, header := page(a.Fake, s.sequences.list, l, byCreated, keep, p.Page, p.PageSize, (*sequence).render)
	return gen.ListSequences200JSONResponse{Body: body, Headers: gen.ListSequences200ResponseHeaders{XPagination: header}}, nil
}

// GetSequence returns one sequence.
func (a api) GetSequence(_ context.Context, req gen.GetSequenceRequestObject) (gen.GetSequenceResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	q, ok := s.sequences.get(req.SequenceId)
	if !ok {
		return nil, a.notFound("Sequence")
	}
	return gen.GetSequence200JSONResponse(q.render()), nil
}
