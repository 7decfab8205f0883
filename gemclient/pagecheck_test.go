package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// Lists that never move forward stop with a *PaginationError, in both modes, after the
// items of the pages that were new: none is yielded twice. Without the check each of
// them yields the same items without end (10,000 items over 5,000 requests for a
// 4-item list); the walks here stop after 1,000 items at the latest.
func TestIteratorStopsWhenPagesDoNotAdvance(t *testing.T) {
	fixed := func(page int, meta map[string]int) string { // a cache or server ignoring page
		b, _ := json.Marshal(flaskPagination(40, 1, 20))
		return string(b)
	}
	backwards := func(page int, meta map[string]int) string { // names page 1, next_page 2
		if page == 1 {
			b, _ := json.Marshal(meta)
			return string(b)
		}
		return `{"total":60,"total_pages":3,"first_page":1,"last_page":3,"page":1,"next_page":2}`
	}
	cases := []struct {
		name   string
		list   func() *list
		reason string
	}{
		{"server ignores page", func() *list { return &list{total: 40, header: fixed, ignorePage: true} }, "answered page 1"},
		{"header names another page", func() *list { return &list{total: 60, header: backwards} }, "answered page 1"},
		{"no header, same full page", func() *list {
			return &list{total: 40, header: func(int, map[string]int) string { return "" }, ignorePage: true}
		}, "identical to page 1"},
	}
	for _, tc := range cases {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(t *testing.T) {
				l := tc.list()
				c := listClient(t, l)
				ids, errs := collect(c.ListCandidatesAll(context.Background(), nil, gemclient.PageSize(20), gemclient.Workers(workers)), 1000)
				assert.Equal(t, wantIDs(1, 20), ids, "page 1 once")
				require.Len(t, errs, 1)
				var perr *gemclient.PaginationError
				require.ErrorAs(t, errs[0], &perr)
				assert.Equal(t, 2, perr.Page)
				assert.Contains(t, errs[0].Error(), tc.reason)
				assert.LessOrEqual(t, len(l.pages()), 2+2*workers)
			})
		}
	}
}

// A list that really changes still walks: ids may shift between pages, but no page is
// byte for byte an earlier one, and each header names the page asked for.
func TestIteratorPaginationCheckKeepsRealLists(t *testing.T) {
	for _, workers := range []int{1, 4} {
		l := &list{total: 500}
		ids, errs := collect(listClient(t, l).ListCandidatesAll(context.Background(), nil, gemclient.PageSize(50), gemclient.Workers(workers)), 0)
		assert.Empty(t, errs)
		assert.Equal(t, wantIDs(1, 500), ids)
	}
}
