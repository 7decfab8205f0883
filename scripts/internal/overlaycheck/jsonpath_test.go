package overlaycheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRetarget(t *testing.T) {
	m := renames{}
	m.add("schemas", "Candidate", "CandidateResponse")
	m.add("schemas", "Project", "gem.Project")
	m.add("headers", "PAGINATION", "Pagination")
	for _, tc := range []struct{ in, want string }{
		{"$.components.schemas.Candidate.properties.sourced_from", "$.components.schemas.CandidateResponse.properties.sourced_from"},
		{"$.components.schemas['Candidate'].properties.gem_source", "$.components.schemas['CandidateResponse'].properties.gem_source"},
		{`$.components.schemas["Candidate"]`, "$.components.schemas['CandidateResponse']"},
		{"$['components']['schemas']['Candidate']", "$['components']['schemas']['CandidateResponse']"},
		{"$.components.schemas['Candidate', 'User'].properties[?@.nullable == true]", "$.components.schemas['CandidateResponse','User'].properties[?@.nullable == true]"},
		// A new name that is not a member-name-shorthand takes brackets.
		{"$.components.schemas.Project", "$.components.schemas['gem.Project']"},
		{"$.components.headers.PAGINATION.schema", "$.components.headers.Pagination.schema"},
		// A filter comparing references.
		{"$..[?@['$ref'] == '#/components/schemas/Candidate']", "$..[?@['$ref'] == '#/components/schemas/CandidateResponse']"},
	} {
		got, ok := m.retarget(tc.in)
		assert.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, same := range []string{
		"$.components.schemas.*.properties['created_at']",
		"$.components.schemas.CandidateCreate.properties.sourced_from",
		"$.components.responses.Candidate",
		"$..Candidate",
		"$.paths['/v0/candidates'].get",
		"$..[?@.enum && !@.type]",
		"$.components.schemas[0]",
		"components.schemas.Candidate",
		"$.components.schemas['Candidate",
		"",
	} {
		got, ok := m.retarget(same)
		assert.False(t, ok, same)
		assert.Equal(t, same, got)
	}
}

func TestSplitPathReadsEscapes(t *testing.T) {
	segs, ok := splitPath(`$['it\'s','a\\b',"\u00e9\"\n"]`)
	assert.True(t, ok)
	assert.Equal(t, []string{"it's", `a\b`, "é\"\n"}, segs[1].names)

	for _, bad := range []string{`$['a`, `$['a'`, `$.`, `$x`, `$['\q']`, `$['\u12']`} {
		segs, ok := splitPath(bad)
		assert.True(t, !ok || segs[len(segs)-1].names == nil, bad)
	}
}
