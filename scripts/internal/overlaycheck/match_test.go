package overlaycheck

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeDoc(t *testing.T, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

// doc builds a document whose components.schemas are schemas and whose paths refer
// to them: paths maps a path to the schema its GET returns.
func doc(t *testing.T, schemas string, paths map[string]string) any {
	t.Helper()
	p := map[string]any{}
	for path, schema := range paths {
		p[path] = map[string]any{"get": map[string]any{"responses": map[string]any{"200": map[string]any{
			"description": "ok",
			"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + schema}}},
		}}}}
	}
	d := map[string]any{"openapi": "3.0.3", "paths": p, "components": map[string]any{"schemas": decodeDoc(t, schemas)}}
	data, err := json.Marshal(d)
	require.NoError(t, err)
	return decodeDoc(t, string(data))
}

const (
	userSchema  = `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"email":{"type":"string","format":"email"},"name":{"type":"string","nullable":true}}}`
	noteSchema  = `{"type":"object","properties":{"id":{"type":"string"},"body":{"type":"string"},"user":{"$ref":"#/components/schemas/%s"}}}`
	labelSchema = `{"type":"object","description":"%s","properties":{"id":{"type":"string"}}}`
)

func TestRenameOfTheFixtures(t *testing.T) {
	read := func(name string) any {
		data, err := os.ReadFile(testdata + name)
		require.NoError(t, err)
		var v any
		require.NoError(t, json.Unmarshal(data, &v))
		return v
	}
	renamed, ambiguous := matchComponents(read("base.json"), read("renamed-schema.json"))
	assert.Equal(t, []Rename{{Section: "schemas", Old: "User", New: "Member", Match: MatchSame, Score: 1}}, renamed)
	assert.Empty(t, ambiguous)

	// A removed component with nothing like it in its place is not a rename.
	renamed, ambiguous = matchComponents(read("base.json"), read("removed-schema.json"))
	assert.Empty(t, renamed)
	assert.Empty(t, ambiguous)
}

// Pairing a component makes the references to it comparable, so what refers to it is
// paired in the next round.
func TestRenamesFollowReferences(t *testing.T) {
	old := doc(t, `{"User":`+userSchema+`,"Note":`+fmt.Sprintf(noteSchema, "User")+`}`, map[string]string{"/users": "User", "/notes": "Note"})
	new := doc(t, `{"Member":`+userSchema+`,"NoteResponse":`+fmt.Sprintf(noteSchema, "Member")+`}`, map[string]string{"/users": "Member", "/notes": "NoteResponse"})
	renamed, ambiguous := matchComponents(old, new)
	assert.Equal(t, []Rename{
		{Section: "schemas", Old: "Note", New: "NoteResponse", Match: MatchSame, Score: 1},
		{Section: "schemas", Old: "User", New: "Member", Match: MatchSame, Score: 1},
	}, renamed)
	assert.Empty(t, ambiguous)
}

// Two components with the same structure are told apart by their descriptions, then by
// the places that refer to them.
func TestEqualStructuresAreToldApart(t *testing.T) {
	old := doc(t, `{"A":`+fmt.Sprintf(labelSchema, "first")+`,"B":`+fmt.Sprintf(labelSchema, "second")+`}`, nil)
	new := doc(t, `{"X":`+fmt.Sprintf(labelSchema, "second")+`,"Y":`+fmt.Sprintf(labelSchema, "first")+`}`, nil)
	renamed, _ := matchComponents(old, new)
	assert.Equal(t, []Rename{
		{Section: "schemas", Old: "A", New: "Y", Match: MatchSame, Score: 1},
		{Section: "schemas", Old: "B", New: "X", Match: MatchSame, Score: 1},
	}, renamed)

	old = doc(t, `{"A":`+fmt.Sprintf(labelSchema, "same")+`,"B":`+fmt.Sprintf(labelSchema, "same")+`}`, map[string]string{"/a": "A", "/b": "B"})
	new = doc(t, `{"X":`+fmt.Sprintf(labelSchema, "same")+`,"Y":`+fmt.Sprintf(labelSchema, "same")+`}`, map[string]string{"/a": "Y", "/b": "X"})
	renamed, _ = matchComponents(old, new)
	assert.Equal(t, []Rename{
		{Section: "schemas", Old: "A", New: "Y", Match: MatchSame, Score: 1},
		{Section: "schemas", Old: "B", New: "X", Match: MatchSame, Score: 1},
	}, renamed)

	// New descriptions too: the structure pairs them, and says so.
	old = doc(t, `{"A":`+fmt.Sprintf(labelSchema, "a label")+`}`, map[string]string{"/a": "A"})
	new = doc(t, `{"X":`+fmt.Sprintf(labelSchema, "a tag")+`}`, map[string]string{"/a": "X"})
	renamed, _ = matchComponents(old, new)
	assert.Equal(t, []Rename{{Section: "schemas", Old: "A", New: "X", Match: MatchStructure, Score: 1}}, renamed)
}

// Components nothing tells apart are ambiguous when their definitions differ (either
// pairing would give another Go API) and paired in name order when they are identical
// in every respect (either pairing gives the same one).
func TestAlikeComponents(t *testing.T) {
	old := doc(t, `{"A":`+fmt.Sprintf(labelSchema, "a")+`,"B":`+fmt.Sprintf(labelSchema, "b")+`}`, nil)
	new := doc(t, `{"X":`+fmt.Sprintf(labelSchema, "x")+`,"Y":`+fmt.Sprintf(labelSchema, "y")+`}`, nil)
	renamed, ambiguous := matchComponents(old, new)
	assert.Empty(t, renamed)
	assert.Equal(t, []Ambiguity{{Section: "schemas", Old: []string{"A", "B"}, New: []string{"X", "Y"}}}, ambiguous)

	old = doc(t, `{"A":`+fmt.Sprintf(labelSchema, "l")+`,"B":`+fmt.Sprintf(labelSchema, "l")+`}`, nil)
	new = doc(t, `{"X":`+fmt.Sprintf(labelSchema, "l")+`,"Y":`+fmt.Sprintf(labelSchema, "l")+`}`, nil)
	renamed, ambiguous = matchComponents(old, new)
	assert.Equal(t, []Rename{
		{Section: "schemas", Old: "A", New: "X", Match: MatchInterchange, Score: 1},
		{Section: "schemas", Old: "B", New: "Y", Match: MatchInterchange, Score: 1},
	}, renamed)
	assert.Empty(t, ambiguous)
}

// A component renamed and changed is paired when it is clearly the most similar, and
// left alone when it is not similar enough.
func TestSimilarComponents(t *testing.T) {
	grown := `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"email":{"type":"string","format":"email"},"name":{"type":"string","nullable":true},"phone":{"type":"string"}}}`
	old := doc(t, `{"User":`+userSchema+`,"Label":`+fmt.Sprintf(labelSchema, "l")+`}`, map[string]string{"/users": "User", "/labels": "Label"})
	new := doc(t, `{"Member":`+grown+`,"Label":`+fmt.Sprintf(labelSchema, "l")+`}`, map[string]string{"/users": "Member", "/labels": "Label"})
	renamed, ambiguous := matchComponents(old, new)
	require.Len(t, renamed, 1)
	assert.Equal(t, "User", renamed[0].Old)
	assert.Equal(t, "Member", renamed[0].New)
	assert.Equal(t, MatchSimilar, renamed[0].Match)
	assert.InDelta(t, 8.0/9, renamed[0].Score, 0.001, "8 leaves of 9 shared, referred from the same place")
	assert.Empty(t, ambiguous)

	other := `{"type":"object","properties":{"title":{"type":"string"},"done":{"type":"boolean"}}}`
	new = doc(t, `{"Task":`+other+`,"Label":`+fmt.Sprintf(labelSchema, "l")+`}`, map[string]string{"/labels": "Label", "/tasks": "Task"})
	renamed, ambiguous = matchComponents(old, new)
	assert.Empty(t, renamed)
	assert.Empty(t, ambiguous)
}

// A component whose name stays is not a rename, whatever happened to it.
func TestKeptNamesAreNotRenames(t *testing.T) {
	old := doc(t, `{"User":`+userSchema+`}`, map[string]string{"/users": "User"})
	new := doc(t, `{"User":`+fmt.Sprintf(labelSchema, "now a label")+`,"Member":`+userSchema+`}`, map[string]string{"/users": "Member"})
	renamed, ambiguous := matchComponents(old, new)
	assert.Empty(t, renamed)
	assert.Empty(t, ambiguous)
}
