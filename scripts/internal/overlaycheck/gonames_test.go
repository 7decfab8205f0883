package overlaycheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expectations are oapi-codegen v2.8.2's own (pkg/codegen/utils_test.go), plus the
// repository's configuration.
func TestGoNamesFollowTheGenerator(t *testing.T) {
	plain, err := newGoNamer("", nil)
	require.NoError(t, err)
	for in, want := range map[string]string{
		" foo_bar ": "FooBar", "hi hello-hey-hallo": "HiHelloHeyHallo", "foo#bar": "FooBar", "foo2bar": "Foo2bar",
		"word.word-WORD+Word_word~word(Word)Word{Word}Word[Word]Word:Word;": "WordWordWORDWordWordWordWordWordWordWordWordWordWord",
		"number-1234": "Number1234",
	} {
		assert.Equal(t, want, plain.normalize(in), in)
	}

	digits, err := newGoNamer("ToCamelCaseWithDigits", nil)
	require.NoError(t, err)
	for in, want := range map[string]string{"foo2bar": "Foo2Bar", "пир2пир": "Пир2Пир", "number-1234": "Number1234"} {
		assert.Equal(t, want, digits.normalize(in), in)
	}

	initialisms, err := newGoNamer("ToCamelCaseWithInitialisms", nil)
	require.NoError(t, err)
	for in, want := range map[string]string{
		"hello": "Hello", "DBError": "DBError", "httpOperationId": "HTTPOperationID", "OperationId": "OperationID",
		"peer2peer": "Peer2Peer", "makeUtf8": "MakeUTF8", "utf8Hello": "UTF8Hello", "myDBError": "MyDBError",
		" DbLayer ": "DBLayer", "FindPetById": "FindPetByID", "MyHttpUrl": "MyHTTPURL",
		"find_user_by_uuid": "FindUserByUUID", "HelloПриветWorldМир42": "HelloПриветWorldМир42",
		"CandidateIds": "CandidateIds",
	} {
		assert.Equal(t, want, initialisms.normalize(in), in)
	}

	for in, want := range map[string]string{
		"$": "DollarSign", "$ref": "Ref", "no_prefix~+-": "NoPrefix", "123": "N123", "-1": "Minus1", "+1": "Plus1",
		"@timestamp,": "Timestamp", "&now": "AndNow", "~": "Tilde", "_foo": "UnderscoreFoo", "=3": "Equal3",
		"#Tag": "HashTag", ".com": "DotCom", "_1": "Underscore1", ">=": "GreaterThanEqual", "<=": "LessThanEqual",
		"<": "LessThan", ">": "GreaterThan",
	} {
		assert.Equal(t, want, plain.typeName(in), in)
	}

	_, err = newGoNamer("ToSnakeCase", nil)
	assert.ErrorContains(t, err, `name-normalizer "ToSnakeCase"`)
}

// The repository's configuration adds IDs and URLs to the initialisms; the names are
// those of the committed gen package.
func TestGoNamesOfTheRepository(t *testing.T) {
	n, err := loadGoNamer(repoConfig)
	require.NoError(t, err)
	for in, want := range map[string]string{
		"DEFAULT_ERROR": "DEFAULTERROR", "UNPROCESSABLE_ENTITY": "UNPROCESSABLEENTITY", "Candidate": "Candidate",
		"candidates_CandidateSchema": "CandidatesCandidateSchema", "CandidateIds": "CandidateIDs", "profile_urls": "ProfileURLs",
	} {
		assert.Equal(t, want, n.typeName(in), in)
	}
	assert.Equal(t, "ProjectFieldOptionAssociationUpdateOperation", n.pathTypeName([]string{"ProjectFieldOptionAssociationUpdate", "operation"}))
	assert.Equal(t, "CandidateSourcedFrom", n.pathTypeName([]string{"Candidate", "sourced_from"}))

	_, err = loadGoNamer(repoRoot + "/missing.yaml")
	assert.ErrorContains(t, err, "read the generator's configuration")
}
