package gemclient

import (
	"context"
	"slices"

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
// document's bound) and fails a whole request with 400 when any id is already in the
// project, naming those ids (docs/gem-api.md §2.5, §2.7); AddToProject sends batches,
// resends a failed batch without the named ids, and reports them as Unchanged.
//
// userID, if not empty, is the user performing the change, who needs write access;
// Gem refuses it for a candidate another user owns, so leave it empty unless needed.
//
// PUT is retried after ambiguous failures; if an attempt whose answer was lost added the
// candidates, the retry reports them as Unchanged.
func (c *Client) AddToProject(ctx context.Context, projectID string, candidateIDs []string, userID string, opts ...CallOption) (*MembershipChange, error) {
	return c.changeMembership(ctx, maxCandidateIDsPerAdd, candidateIDs, userID,
		func(ctx context.Context, body gen.ProjectCandidatesUpdate) error {
			return c.AddCandidatesToProject(ctx, projectID, body, opts...)
		})
}

// RemoveFromProject removes candidates from a project, like AddToProject: ids that were
// not in the project (Gem's 400 names them) are reported as Unchanged.
func (c *Client) RemoveFromProject(ctx context.Context, projectID string, candidateIDs []string, userID string, opts ...CallOption) (*MembershipChange, error) {
	return c.changeMembership(ctx, maxCandidateIDsPerRemove, candidateIDs, userID,
		func(ctx context.Context, body gen.ProjectCandidatesUpdate) error {
			return c.RemoveCandidatesFromProject(ctx, projectID, body, opts...)
		})
}

// changeMembership sends ids in batches of at most batchSize (the document's bound).
func (c *Client) changeMembership(ctx context.Context, batchSize int, ids []string, userID string,
	send func(context.Context, gen.ProjectCandidatesUpdate) error,
) (*MembershipChange, error) {
	change := &MembershipChange{}
	var user *string
	if userID != "" {
		user = &userID
	}
	for batch := range batches(unique(ids), batchSize) {
		for len(batch) > 0 {
			err := send(ctx, gen.ProjectCandidatesUpdate{CandidateIDs: batch, UserID: user})
			if err == nil {
				change.Changed = append(change.Changed, batch...)
				break
			}
			conflicting := ConflictingCandidateIDs(err)
			rest := slices.DeleteFunc(slices.Clone(batch), func(id string) bool { return slices.Contains(conflicting, id) })
			if !IsBadRequest(err) || len(rest) == len(batch) {
				// Not the all-or-nothing conflict, or it names none of the batch: a
				// second try would fail the same way.
				return change, err
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
