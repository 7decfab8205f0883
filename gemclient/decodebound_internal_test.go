package gemclient

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// checkShape counts elements the way a JSON decoder sees them: brackets, braces and
// commas inside strings (escaped quotes and backslash runs included) are text, empty
// arrays have no element, and the bound on each level is its own.
func TestCheckShapeCounts(t *testing.T) {
	limits := bodyLimits{check: true, list: 3, listWhy: "page", array: 2, elements: 6}
	for _, tc := range []struct {
		body  string
		array string // "" when accepted
	}{
		{`[1,2,3]`, ""},
		{`[1,2,3,4]`, "$"},
		{` [ ] `, ""},
		{`[[],[],[]]`, ""},
		{`["a,b,c,d","[1,2,3]","\",\",\","]`, ""},
		{`["\\",1,2,3]`, "$"},      // the string ends at the quote after an even run of backslashes
		{`["\\\",\\",1,2]`, ""},    // an odd run escapes the quote
		{`{"emails":[{},{}]}`, ""}, // an object's arrays: at most 2
		{`{"emails":[{},{},{}]}`, "$.emails"},
		{`[{"emails":[1,2]},{"x":{"project_ids":[1,2,3]}}]`, "$[1].[?].project_ids"},
		{`[[1,2],[1,2],[1]]`, "all arrays together"}, // 3 + 5 elements
		{`{"KEYSECRETzq81Xw4r7TtY0pLmN3vB6cJ2hD5gF9aS":[1,2,3]}`, "$.[?]"},
		{`[1,2,"unterminated,4,5]`, ""}, // left to the decoder
		{`{"a":1,"b":[{},{},{}]}`, "$.[?]"},
	} {
		err := checkShape([]byte(tc.body), &limits)
		var tooLarge *ResponseTooLargeError
		switch {
		case tc.array == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.array != "" && !errors.As(err, &tooLarge):
			t.Errorf("%s: %v, want a *ResponseTooLargeError for %s", tc.body, err, tc.array)
		case tc.array != "" && tooLarge.Array != tc.array:
			t.Errorf("%s: array %q, want %q", tc.body, tooLarge.Array, tc.array)
		}
	}
	if err := checkShape([]byte(`[1,2,3,4]`), &bodyLimits{}); err != nil {
		t.Errorf("the zero limits check nothing: %v", err)
	}
	deep := strings.Repeat("[", maxShapeDepth+5) + strings.Repeat("]", maxShapeDepth+5)
	if err := checkShape([]byte(deep), &bodyLimits{check: true, list: 1, array: 1, elements: 1 << 20}); err != nil {
		t.Errorf("a body deeper than encoding/json decodes is left to it: %v", err)
	}
}

// The page size comes from the request's query, or the document's default (Gem's 20);
// operations without pagination get the bound for any array; those without a JSON
// answer are not checked.
func TestLimitsFor(t *testing.T) {
	byID := map[string]*operation{}
	for _, op := range operations {
		byID[op.id] = op
	}
	u := func(q string) *url.URL { return &url.URL{Path: "/v0/x", RawQuery: q} }
	for _, tc := range []struct {
		op    string
		query string
		list  int
		check bool
	}{
		{"ListCandidates", "", 20, true},
		{"ListCandidates", "page=3&page_size=100", 100, true},
		{"ListUsers", "page_size=7", 7, true},
		{"ListProjectFieldOptionAssociations", "", maxArrayElements, true},
		{"GetCandidate", "", maxArrayElements, true},
		{"DeleteNote", "", 0, false},
	} {
		l := limitsFor(byID[tc.op], u(tc.query), DefaultMaxResponseBytes)
		if l.list != tc.list || l.check != tc.check || (l.check && l.elements != DefaultMaxResponseBytes/elementBytes) {
			t.Errorf("%s?%s: %+v", tc.op, tc.query, l)
		}
	}
	if l := limitsFor(byID["GetCandidate"], u(""), 1<<20); l.elements != minElements {
		t.Errorf("a small byte limit keeps the floor: %d", l.elements)
	}
}
