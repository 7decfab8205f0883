package enumcheck_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/enumcheck"
)

func doc(t *testing.T, s string) any {
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

func TestAgreeingEnumsPass(t *testing.T) {
	assert.NoError(t, enumcheck.Check(doc(t, `{"a": {"enum": ["asc", "desc"], "x-go-type-name": "SortOrder"},
		"b": [{"enum": ["desc", "asc"], "x-go-type": "SortOrder", "description": "order differs, values do not"}],
		"c": {"x-go-type": "UnixTime"}}`)))
}

// A value Gem adds at one place only, or an enum dropped at one place, names the enum and
// both places.
func TestDifferingEnumsFail(t *testing.T) {
	err := enumcheck.Check(doc(t, `{"a": {"enum": ["confidential", "personal"], "x-go-type-name": "PrivacyType"},
		"b": {"enum": ["confidential", "personal", "shared"], "x-go-type": "PrivacyType"}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PrivacyType: /a has [confidential personal], /b has [confidential personal shared]")

	err = enumcheck.Check(doc(t, `{"a": {"enum": ["asc", "desc"], "x-go-type-name": "SortOrder"}, "b": {"type": "string", "x-go-type": "SortOrder"}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/b has []")
}
