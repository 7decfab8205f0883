package gemclient

import (
	"context"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// CreateOrGetCandidate creates a candidate, or, when Gem answers that one with the same
// linked_in_handle exists (400 duplicate_candidate, docs/gem-api.md §2.5), fetches that
// one. created reports which happened.
//
// With a linked_in_handle the create is RetrySafe: Gem's de-duplication makes a repeated
// create harmless. If an attempt whose answer was lost did create the candidate, the
// retry's duplicate answer resolves to it and created is false.
//
// Gem does not add an existing candidate to body.ProjectIDs (docs/gem-api.md §2.7); when
// created is false and the projects matter, follow with AddToProject. It calls
// [Client.CreateCandidate] and [Client.GetCandidate].
func (c *Client) CreateOrGetCandidate(ctx context.Context, body gen.CandidateCreate, opts ...CallOption) (cand *gen.Candidate, created bool, err error) {
	createOpts := opts
	if body.LinkedInHandle != nil && strings.TrimSpace(*body.LinkedInHandle) != "" {
		createOpts = append(opts[:len(opts):len(opts)], RetrySafe())
	}
	cand, err = c.CreateCandidate(ctx, body, createOpts...)
	if err == nil {
		return cand, true, nil
	}
	id, ok := DuplicateCandidateID(err)
	if !ok {
		return nil, false, err
	}
	cand, err = c.GetCandidate(ctx, id, opts...)
	return cand, false, err
}

// GetCandidatesByIDs returns the candidates with the given ids, in the order of ids, each
// once; ids Gem does not know are left out. Gem filters GET /v0/candidates by at most 20
// comma-separated candidate_ids (the document's bound), so larger lists take several
// requests of [Client.ListCandidates].
func (c *Client) GetCandidatesByIDs(ctx context.Context, ids []string, opts ...CallOption) ([]gen.Candidate, error) {
	ids = unique(ids)
	byID := make(map[string]gen.Candidate, len(ids))
	for batch := range batches(ids, maxCandidateIDsPerList) {
		params := &gen.ListCandidatesParams{CandidateIDs: batch}
		for cand, err := range c.ListCandidatesAll(ctx, params, opts...) {
			if err != nil {
				return nil, err
			}
			if cand.ID != nil {
				byID[*cand.ID] = *cand
			}
		}
	}
	out := make([]gen.Candidate, 0, len(byID))
	for _, id := range ids {
		if cand, ok := byID[id]; ok {
			out = append(out, cand)
		}
	}
	return out, nil
}

// unique is ids without repeats, in first-seen order.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// batches yields consecutive slices of ids of at most size elements.
func batches(ids []string, size int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(ids) > 0 {
			n := min(size, len(ids))
			if !yield(ids[:n:n]) {
				return
			}
			ids = ids[n:]
		}
	}
}
