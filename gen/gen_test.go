package gen_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/gen"
)

// Every operation of api/openapi.json, found by walking the document, has an operationId
// from the overlay and a generated client method and server method. An operation added to
// the document without regenerating (or without an overlay name) fails here.
func TestEveryOperationIsGenerated(t *testing.T) {
	published, err := api.Load()
	require.NoError(t, err)
	generated, err := gen.GetSwagger()
	require.NoError(t, err, "the embedded, overlaid document")

	client := reflect.TypeOf(&gen.ClientWithResponses{})
	strict := reflect.TypeOf((*gen.StrictServerInterface)(nil)).Elem()
	count := 0
	for path, item := range published.Paths.Map() {
		for method := range item.Operations() {
			count++
			name := method + " " + path
			genItem := generated.Paths.Find(path)
			require.NotNil(t, genItem, "%s is in api/openapi.json but not in gen/: run make generate", name)
			genOp := genItem.GetOperation(method)
			require.NotNil(t, genOp, "%s is in api/openapi.json but not in gen/: run make generate", name)
			id := genOp.OperationID
			require.NotEmpty(t, id, "%s has no operationId: add one to api/overlay.yaml", name)

			_, plain := client.MethodByName(id + "WithResponse")
			_, withBody := client.MethodByName(id + "WithBodyWithResponse")
			assert.True(t, plain || withBody, "%s (%s): no client method", name, id)
			_, served := strict.MethodByName(id)
			assert.True(t, served, "%s (%s): no strict server method", name, id)
		}
	}
	assert.Equal(t, 46, count)
	assert.Equal(t, len(generated.Paths.Map()), len(published.Paths.Map()), "gen/ has paths the document no longer has: run make generate")
}

// PUT /v0/candidates/{id} changes only the fields sent, and null clears a field. The
// generated request type keeps the three states apart: absent, null and a value.
func TestNullableThreeStates(t *testing.T) {
	update := gen.CandidateUpdate{
		FirstName: nullable.NewNullableWithValue("Ann"),
		Title:     nullable.NewNullNullable[string](),
		DueDate:   nullable.NewNullNullable[gen.DueDate](),
	}
	body, err := json.Marshal(update)
	require.NoError(t, err)
	assert.JSONEq(t, `{"first_name":"Ann","title":null,"due_date":null}`, string(body))

	var back gen.CandidateUpdate
	require.NoError(t, json.Unmarshal([]byte(`{"first_name":"Ann","title":null}`), &back))
	assert.Equal(t, "Ann", back.FirstName.MustGet())
	assert.True(t, back.Title.IsSpecified() && back.Title.IsNull(), "title: explicit null")
	assert.False(t, back.LastName.IsSpecified(), "last_name: absent")
}

// The overlay gives every sort parameter one shared type and typed enums their values.
func TestSharedEnums(t *testing.T) {
	var p gen.ListCandidatesParams
	assert.Equal(t, reflect.TypeOf((*gen.SortOrder)(nil)), reflect.TypeOf(p.Sort))
	assert.True(t, gen.SortOrderDesc.Valid())
	assert.False(t, gen.SortOrder("sideways").Valid())
	assert.False(t, gen.CandidateSource("").Valid(), "no <nil> member from apispec's null enum value")
	assert.True(t, strings.HasPrefix(string(gen.ContactMediumLiConnectRequest), "li_"))
}
