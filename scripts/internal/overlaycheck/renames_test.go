package overlaycheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// checkAgainst checks spec and overlayPath with base as the base document.
func checkAgainst(t *testing.T, spec, overlayPath string, base []byte) *Report {
	t.Helper()
	r, err := Check(spec, overlayPath, WithBase("base.json", base), WithGeneratorConfig(repoConfig))
	require.NoError(t, err)
	return r
}

// settle applies the report's suggestion to the overlay and checks again.
func settle(t *testing.T, r *Report, spec, overlayPath string, base []byte) *Report {
	t.Helper()
	fixed, err := r.Renames.ApplyTo(readFile(t, overlayPath))
	require.NoError(t, err)
	path := writeTemp(t, "overlay.yaml", fixed)
	after := checkAgainst(t, spec, path, base)
	assert.True(t, after.Clean(), after.Markdown())
	assert.False(t, generatorFails(t, spec, path))
	return after
}

func TestRenamedSchemaGetsItsGoName(t *testing.T) {
	base := readFile(t, testdata+"base.json")
	spec := testdata + "renamed-schema.json"
	r := checkAgainst(t, spec, fixtureOverlay, base)
	require.NotNil(t, r.Renames)
	assert.Equal(t, []Rename{{Section: "schemas", Old: "User", New: "Member", GoName: "User", Match: MatchSame, Score: 1}}, r.Renames.Renamed)
	assert.Empty(t, r.Renames.Retargets, "the fixture overlay names no component")
	entry := "  - target: \"$.components.schemas.Member\"\n    update: {x-go-name: User}\n"
	require.Len(t, r.Renames.Entries, 1)
	assert.Equal(t, entry, r.Renames.Entries[0].Text)
	assert.False(t, r.Clean(), "the strict overlay still applies, but the Go type would be renamed")
	assert.Empty(t, r.Unmatched)
	md := r.Markdown()
	assert.Contains(t, md, "| schemas | `User` | `Member` | `User` | same definition |\n")
	assert.Contains(t, md, "```yaml\n  # Add after the last action:\n  # Components Gem renamed (overlaycheck, against base.json)")
	assert.Contains(t, md, entry+"```\n")

	after := settle(t, r, spec, fixtureOverlay, base)
	assert.Contains(t, after.Markdown(), "Every operation has an operationId and every overlay action matches the document.\n\n## Renamed components (1)")
	assert.Contains(t, after.Markdown(), "The overlay keeps every Go type name.")
}

// When Gem renames a component a second time, the x-go-name entry of the first rename
// is rewritten like any other action, and nothing is added.
func TestSecondRenameMovesTheNameEntry(t *testing.T) {
	base := readFile(t, testdata+"renamed-schema.json")
	spec := writeTemp(t, "openapi.json", []byte(strings.ReplaceAll(string(base), "Member", "Person")))
	ov := overlayWith(t, "  - target: \"$.components.schemas.Member\"\n    update: {x-go-name: User}\n")
	r := checkAgainst(t, spec, ov, base)
	require.Len(t, r.Renames.Renamed, 1)
	assert.Equal(t, "User", r.Renames.Renamed[0].GoName, "the Go name the overlay gave Member")
	assert.Empty(t, r.Renames.Entries)
	require.Len(t, r.Renames.Retargets, 1)
	assert.Equal(t, Retarget{Action: 7, Line: 27, Target: "$.components.schemas.Member",
		Text: "  - target: \"$.components.schemas.Person\"\n    update: {x-go-name: User}\n"}, r.Renames.Retargets[0])
	assert.Equal(t, []Action{{Number: 7, Target: "$.components.schemas.Member"}}, r.Unmatched)
	assert.Contains(t, r.Markdown(), "- action 7: `target: \"$.components.schemas.Member\"`: it names a renamed component, rewritten below\n")
	assert.Contains(t, r.Markdown(), "  # Replaces action 7 (line 27, target \"$.components.schemas.Member\"):\n  - target: \"$.components.schemas.Person\"\n")

	after := settle(t, r, spec, ov, base)
	assert.Equal(t, "User", after.Renames.Renamed[0].GoName)
}

func TestRenamesNeedTheGeneratorConfig(t *testing.T) {
	_, err := Check(testdata+"renamed-schema.json", fixtureOverlay, WithBase("base.json", readFile(t, testdata+"base.json")))
	assert.ErrorContains(t, err, "the generator's configuration is needed")

	r, err := Check(testdata+"renamed-schema.json", fixtureOverlay)
	require.NoError(t, err)
	assert.Nil(t, r.Renames, "no base, no rename check")
	assert.True(t, r.Clean())
}

// smallDoc is a loadable document with the given schemas, the listed ones returned by
// GET /<name>.
func smallDoc(t *testing.T, schemas map[string]any, returned ...string) []byte {
	t.Helper()
	paths := map[string]any{}
	for _, name := range returned {
		paths["/"+strings.ToLower(name)] = map[string]any{"get": map[string]any{"operationId": "Get" + name, "responses": map[string]any{"200": map[string]any{
			"description": "ok",
			"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + name}}},
		}}}}
	}
	data, err := json.Marshal(map[string]any{
		"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "v0"},
		"paths": paths, "components": map[string]any{"schemas": schemas},
	})
	require.NoError(t, err)
	return data
}

func TestAmbiguousAndUnpredictedRenamesAreReported(t *testing.T) {
	label := func(d string) any {
		return decodeDoc(t, `{"type":"object","description":"`+d+`","properties":{"id":{"type":"string"}}}`)
	}
	union := decodeDoc(t, `{"type":"object","properties":{"v":{"oneOf":[{"type":"string"},{"type":"integer"}]}}}`)
	// A and B are referred to from nowhere, so only their descriptions tell them apart.
	base := smallDoc(t, map[string]any{"A": label("a"), "B": label("b"), "Value": union}, "Value")
	spec := strings.NewReplacer(`"A":`, `"X":`, `"B":`, `"Y":`, `schemas/A"`, `schemas/X"`, `schemas/B"`, `schemas/Y"`,
		`"description":"a"`, `"description":"x"`, `"description":"b"`, `"description":"y"`,
		`"Value":`, `"ValueSchema":`, `schemas/Value"`, `schemas/ValueSchema"`).Replace(string(base))
	ov := writeTemp(t, "overlay.yaml", []byte("overlay: 1.1.0\ninfo:\n  title: t\n  version: v\nactions:\n  - target: $.info\n    update:\n      title: y\n"))
	r := checkAgainst(t, writeTemp(t, "openapi.json", []byte(spec)), ov, base)
	assert.Equal(t, []Ambiguity{{Section: "schemas", Old: []string{"A", "B"}, New: []string{"X", "Y"}}}, r.Renames.Ambiguous)
	assert.False(t, r.Clean())
	md := r.Markdown()
	assert.Contains(t, md, "### Ambiguous (1)\n")
	assert.Contains(t, md, "- schemas: `A`, `B` became one of `X`, `Y`\n")
	assert.Contains(t, md, "components.schemas.ValueSchema has oneOf/anyOf")
	assert.Contains(t, md, "  - target: \"$.components.schemas.ValueSchema\"\n    update: {x-go-name: Value}\n")
}

func TestApplyToNeedsBlockActions(t *testing.T) {
	r := &Renames{Entries: []Entry{{Text: "  - target: x\n"}}}
	_, err := r.ApplyTo([]byte("overlay: 1.1.0\nactions:\n  - {target: $.info, update: {title: y}}\n"))
	assert.ErrorContains(t, err, "paste the entries by hand")
	_, err = r.ApplyTo([]byte("overlay: 1.1.0\nactions: []\n"))
	assert.ErrorContains(t, err, "no actions")
	_, err = r.ApplyTo([]byte("overlay: 1.1.0\n"))
	assert.ErrorContains(t, err, "no list of actions")

	same, err := (&Renames{}).ApplyTo([]byte("anything"))
	require.NoError(t, err)
	assert.Equal(t, "anything", string(same), "a settled check changes nothing")
}

// Suggestions that rest on similarity alone, and ambiguous components, are reported
// without failing the check: a removal next to an unrelated addition could never be
// settled otherwise.
func TestUnsureRenamesDoNotFailTheCheck(t *testing.T) {
	label := func(d string) any {
		return decodeDoc(t, `{"type":"object","description":"`+d+`","properties":{"id":{"type":"string"}}}`)
	}
	user := decodeDoc(t, userSchema)
	grown := decodeDoc(t, `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"email":{"type":"string","format":"email"},"name":{"type":"string","nullable":true},"phone":{"type":"string"}}}`)
	base := smallDoc(t, map[string]any{"A": label("a"), "B": label("b"), "User": user}, "User")
	spec := strings.NewReplacer(`"A":`, `"X":`, `"B":`, `"Y":`, `"description":"a"`, `"description":"x"`, `"description":"b"`, `"description":"y"`,
		`"User":`, `"Member":`, `schemas/User"`, `schemas/Member"`).Replace(string(smallDoc(t, map[string]any{"A": label("a"), "B": label("b"), "User": grown}, "User")))
	ov := writeTemp(t, "overlay.yaml", []byte("overlay: 1.1.0\ninfo:\n  title: t\n  version: v\nactions:\n  - target: $.components.schemas.User.properties.email\n    update:\n      x-go-type-skip-optional-pointer: true\n"))
	r := checkAgainst(t, writeTemp(t, "openapi.json", []byte(spec)), ov, base)
	require.Len(t, r.Renames.Renamed, 1)
	assert.Equal(t, MatchSimilar, r.Renames.Renamed[0].Match)
	assert.Equal(t, []Ambiguity{{Section: "schemas", Old: []string{"A", "B"}, New: []string{"X", "Y"}}}, r.Renames.Ambiguous)
	require.Len(t, r.Renames.Entries, 1)
	assert.True(t, r.Renames.Entries[0].Unsure)
	require.Len(t, r.Renames.Retargets, 1)
	assert.True(t, r.Renames.Retargets[0].Unsure)
	assert.False(t, r.Renames.Pending())
	assert.False(t, r.Renames.Settled())
	// The action naming User matches nothing: that fails the check, as it fails generation.
	assert.Len(t, r.Unmatched, 1)
	md := r.Markdown()
	assert.Contains(t, md, "| schemas | `User` | `Member` | `User` | similar (0.89): check it |\n")
	assert.Contains(t, md, unsureComment+"  - target: \"$.components.schemas.Member\"\n    update: {x-go-name: User}\n")
	assert.Contains(t, md, "All of them rest on pairs matched by similarity only, so they do not fail the check")
	assert.Contains(t, md, "They do not fail the check; goapidiff shows what they do to the Go API.")

	fixed, err := r.Renames.ApplyTo(readFile(t, ov))
	require.NoError(t, err)
	after := checkAgainst(t, writeTemp(t, "openapi.json", []byte(spec)), writeTemp(t, "overlay.yaml", fixed), base)
	assert.True(t, after.Clean(), after.Markdown())
	assert.NotEmpty(t, after.Renames.Ambiguous, "still reported")
}

func TestRenamedBareRefIsANote(t *testing.T) {
	schemas := map[string]any{"User": decodeDoc(t, userSchema), "Owner": decodeDoc(t, `{"$ref":"#/components/schemas/User"}`)}
	base := smallDoc(t, schemas, "User", "Owner")
	spec := strings.NewReplacer(`"Owner":`, `"Holder":`, `schemas/Owner"`, `schemas/Holder"`).Replace(string(base))
	ov := writeTemp(t, "overlay.yaml", []byte("overlay: 1.1.0\ninfo:\n  title: t\n  version: v\nactions:\n  - target: $.info\n    update:\n      title: y\n"))
	r := checkAgainst(t, writeTemp(t, "openapi.json", []byte(spec)), ov, base)
	assert.Equal(t, []Rename{{Section: "schemas", Old: "Owner", New: "Holder", GoName: "Owner", Match: MatchSame, Score: 1}}, r.Renames.Renamed)
	assert.Empty(t, r.Renames.Entries)
	assert.Equal(t, []string{"components.schemas.Holder is only a $ref: oapi-codegen ignores x-go-name there and names the alias it generates after the component, so the Go type Owner becomes Holder; this check suggests nothing for it."}, r.Renames.Notes)
}
