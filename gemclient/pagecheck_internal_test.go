package gemclient

import (
	"errors"
	"testing"

	"github.com/gem-go/gem-go/gen"
)

// newItems skips items already yielded only at the start of a page; it refuses a page of
// nothing new, an old item after a new one and an id twice on one page; items without an
// id, and models without one, are always new.
func TestNewItems(t *testing.T) {
	cands := func(ids ...string) []gen.Candidate {
		var out []gen.Candidate
		for _, id := range ids {
			c := gen.Candidate{}
			if id != "" {
				c.ID = &id
			}
			out = append(out, c)
		}
		return out
	}
	var p progress
	for _, tc := range []struct {
		items []gen.Candidate
		kept  int // -1: a *PaginationError
	}{
		{cands("a", "b", "c"), 3},
		{cands("c", "d", "e"), 2}, // shifted by one
		{cands("b", "c", "d", "e", "f", ""), 2},
		{cands("g", "a"), -1},
		{cands("h", "h"), -1},
		{cands("f", ""), 1},
		{cands("a", "b"), -1},
		{nil, 0},
	} {
		got, err := newItems(&p, 2, tc.items)
		var perr *PaginationError
		if tc.kept < 0 {
			if !errors.As(err, &perr) {
				t.Errorf("%v: %v, want a *PaginationError", tc.items, err)
			}
			p = progress{ids: map[uint64]struct{}{}}
			for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
				p.ids[hashID(id)] = struct{}{}
			}
			continue
		}
		if err != nil || len(got) != tc.kept {
			t.Errorf("%d items: kept %d, %v; want %d", len(tc.items), len(got), err, tc.kept)
		}
	}
	a := "a"
	members := []gen.ProjectCandidateMembership{{CandidateID: &a}, {CandidateID: &a}}
	if got, err := newItems(&p, 2, members); err != nil || len(got) != 2 {
		t.Errorf("a model without an id: %v, %v", got, err)
	}
}
