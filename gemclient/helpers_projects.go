package gemclient

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// MembershipChange reports what AddToProject or RemoveFromProject did.
type MembershipChange struct {
	// Changed are the ids added to (or removed from) the project by this call.
	Changed []string
	// Unchanged are the ids that were already in (or already not in) the project.
	Unchanged []string
}

// AddToProject adds candidates to a project. Gem takes at most 1000 ids a request (the
// document's bound) and fails a whole request with 400 "Candidates with the ids are already
// in the project", naming those ids, when any is in the project already (docs/gem-api.md
// §2.5, §2.7); AddToProject sends batches, resends a refused batch without the named ids,
// and reports them as Unchanged. Only that answer means unchanged: any other refusal (an id
// Gem does not know, a project the user cannot write, a server error after the retries) ends
// the call with a *MembershipError naming every id not written, and the change so far.
//
// userID, if not empty, is the user performing the change, who needs write access;
// Gem refuses it for a candidate another user owns, so leave it empty unless needed.
//
// PUT is retried after ambiguous failures; if an attempt whose answer was lost added the
// candidates, the retry reports them as Unchanged. It calls [Client.AddCandidatesToProject].
func (c *Client) AddToProject(ctx context.Context, projectID string, candidateIDs []string, userID string, opts ...CallOption) (*MembershipChange, error) {
	return c.changeMembership(ctx, OpAddCandidatesToProject, maxCandidateIDsPerAdd, "already in the project", candidateIDs, userID,
		func(ctx context.Context, body gen.ProjectCandidatesUpdate) error {
			return c.AddCandidatesToProject(ctx, projectID, body, opts...)
		})
}

// RemoveFromProject removes candidates from a project, like AddToProject: ids that were
// not in the project (Gem's 400 "Candidates with the ids are not in the project" names them)
// are reported as Unchanged, and any other refusal is a *MembershipError. It calls
// [Client.RemoveCandidatesFromProject].
func (c *Client) RemoveFromProject(ctx context.Context, projectID string, candidateIDs []string, userID string, opts ...CallOption) (*MembershipChange, error) {
	return c.changeMembership(ctx, OpRemoveCandidatesFromProject, maxCandidateIDsPerRemove, "not in the project", candidateIDs, userID,
		func(ctx context.Context, body gen.ProjectCandidatesUpdate) error {
			return c.RemoveCandidatesFromProject(ctx, projectID, body, opts...)
		})
}

// MembershipError ends an AddToProject or RemoveFromProject that Gem refused for another
// reason than the ids being in the project already (or not in it): none of IDs was written.
// The MembershipChange returned with it says what was.
type MembershipError struct {
	// Operation is OpAddCandidatesToProject or OpRemoveCandidatesFromProject.
	Operation string
	// IDs are the ids of the call that were neither changed nor found unchanged: the refused
	// batch and those after it, in the order given.
	IDs []string
	// Err is the refusal, an *APIError for an answer from Gem.
	Err error
}

// Error names the operation, the ids not written (the first five) and the refusal.
func (e *MembershipError) Error() string {
	shown := e.IDs
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(" and %d more", len(e.IDs)-5)
	}
	return fmt.Sprintf("gemclient: %s: %d candidates not written (%s%s): %v", e.Operation, len(e.IDs), strings.Join(shown, ", "), more, e.Err)
}

// Unwrap is the refusal, for errors.As(err, *APIError) and the Is* helpers.
func (e *MembershipError) Unwrap() error { return e.Err }

// changeMembership sends ids in batches of at most batchSize (the document's bound); a 400
// whose message holds unchanged names the ids that are unchanged already.
func (c *Client) changeMembership(ctx context.Context, op string, batchSize int, unchanged string, ids []string, userID string,
	send func(context.Context, gen.ProjectCandidatesUpdate) error,
) (*MembershipChange, error) {
	change := &MembershipChange{}
	var user *string
	if userID != "" {
		user = &userID
	}
	all := unique(ids)
	for start := 0; start < len(all); start += batchSize {
		end := min(start+batchSize, len(all))
		batch := all[start:end]
		for len(batch) > 0 {
			err := send(ctx, gen.ProjectCandidatesUpdate{CandidateIDs: batch, UserID: user})
			if err == nil {
				change.Changed = append(change.Changed, batch...)
				break
			}
			conflicting := ConflictingCandidateIDs(err)
			rest := slices.DeleteFunc(slices.Clone(batch), func(id string) bool { return slices.Contains(conflicting, id) })
			if !isUnchangedAnswer(err, unchanged) || len(rest) == len(batch) {
				// Not Gem's "already in (not in) the project", or it names none of the batch: a
				// second try would fail the same way, and nothing of the batch was written.
				return change, &MembershipError{Operation: op, IDs: slices.Concat(batch, all[end:]), Err: err}
			}
			for _, id := range batch {
				if !slices.Contains(rest, id) {
					change.Unchanged = append(change.Unchanged, id)
				}
			}
			batch = rest
		}
	}
	return change, nil
}

// isUnchangedAnswer reports Gem's 400 for ids already in (or not in) the project, told apart
// from other 400s that name candidate_ids by its message (the reference gives it).
func isUnchangedAnswer(err error, unchanged string) bool {
	e, ok := apiError(err)
	return ok && e.StatusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), unchanged)
}
