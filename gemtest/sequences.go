package gemtest

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gem-go/gem-go/internal/genserver"
)

// ListSequences lists sequences by creation time; user_id is the owner. The API cannot
// create sequences: seed them (WithSeed("demo")) or add them with Fake.AddSequence.
func (a api) ListSequences(_ context.Context, req genserver.ListSequencesRequestObject) (genserver.ListSequencesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	keep := func(q *sequence) bool { return p.UserID == nil || q.userID == *p.UserID }
	body, header := page(a.Fake, s.sequences.sorted, l, keep, p.Page, p.PageSize, (*sequence).render)
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

// isProjectSequences reports whether an escaped path is /v0/projects/{project_id}/sequences,
// a route Gem has but its document does not list.
func isProjectSequences(escapedPath string) bool {
	segs := strings.Split(escapedPath, "/")
	if len(segs) != 5 || segs[0] != "" || segs[1] != "v0" || segs[2] != "projects" || segs[4] != "sequences" {
		return false
	}
	id, err := url.PathUnescape(segs[3])
	return err == nil && id != ""
}

// projectSequences answers /v0/projects/{project_id}/sequences. The live API answers GET
// with 405 Method Not Allowed (docs/gem-api.md §2.5): Flask's answer on a route registered
// for other methods, here POST only ("POST only — create", as the source put it), with
// werkzeug's Allow header and flask-smorest's body. Listing a project's sequences is not
// possible (§2.7). What the POST takes and returns is unknown, so the fake does not
// pretend: 501 with a message that says so (WithoutProjectSequencesRoute drops the route).
func projectSequences(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, smorestBody(http.StatusMethodNotAllowed, "", nil))
		return
	}
	writeJSON(w, http.StatusNotImplemented, smorestBody(http.StatusNotImplemented,
		"POST /v0/projects/{project_id}/sequences exists on Gem but is not in its document; the fake does not model it.", nil))
}
