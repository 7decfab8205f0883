package gen_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/enumcheck"
	"github.com/gem-go/gem-go/internal/genserver"
	"github.com/gem-go/gem-go/internal/genspec"
)

// Every operation of api/openapi.json, found by walking the document, has an operationId
// from the overlay and a method of the server interface the fake implements (gemclient's
// tests check its methods). An operation added to the document without regenerating (or
// without an overlay name) fails here.
func TestEveryOperationIsGenerated(t *testing.T) {
	published, err := api.Load()
	require.NoError(t, err)
	generated, err := genspec.GetSpec()
	require.NoError(t, err, "the embedded, overlaid document")

	strict := reflect.TypeOf((*genserver.StrictServerInterface)(nil)).Elem()
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

			_, served := strict.MethodByName(id)
			assert.True(t, served, "%s (%s): no strict server method", name, id)
		}
	}
	assert.Positive(t, count)
	assert.Equal(t, strict.NumMethod(), count, "the server interface has operations the document no longer has: run make generate")
	assert.Equal(t, len(generated.Paths.Map()), len(published.Paths.Map()), "gen/ has paths the document no longer has: run make generate")
}

// PUT /v0/candidates/{id} changes only the fields sent, and null clears a field. The
// generated update body keeps the three states apart on the wire: absent, null, a value.
func TestNullableThreeStates(t *testing.T) {
	update := gen.CandidateUpdate{
		FirstName: gen.Value("Ann"),
		Title:     gen.Null[string](),
		DueDate:   gen.Null[gen.DueDate](),
	}
	body, err := json.Marshal(update)
	require.NoError(t, err)
	assert.JSONEq(t, `{"first_name":"Ann","title":null,"due_date":null}`, string(body))

	var back gen.CandidateUpdate
	require.NoError(t, json.Unmarshal([]byte(`{"first_name":"Ann","title":null,"due_date":{"date":"2026-01-02","user_id":"u"}}`), &back))
	v, ok := back.FirstName.Get()
	assert.True(t, ok)
	assert.Equal(t, "Ann", v)
	assert.True(t, back.Title.IsSet() && back.Title.IsNull(), "title: explicit null")
	assert.False(t, back.LastName.IsSet(), "last_name: absent")
	due, ok := back.DueDate.Get()
	assert.True(t, ok)
	assert.Equal(t, gen.Date("2026-01-02"), due.Date)

	// An empty list is sendable in an update body: it clears the candidate's emails.
	body, err = json.Marshal(gen.CandidateUpdate{Emails: &[]gen.Email{}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"emails":[]}`, string(body))
}

// Every "or null" property of every update body (PUT and PATCH) is a gen.Nullable of the
// property's type, and every list in one is a pointer: found by walking the document, so an
// update body or a nullable field that Gem adds is checked without a list kept here.
func TestUpdateBodiesKeepThreeStates(t *testing.T) {
	doc, err := genspec.GetSpec()
	require.NoError(t, err)
	models := map[string]reflect.Type{}
	for _, v := range []any{gen.CandidateUpdate{}, gen.ProjectUpdate{}, gen.CustomFieldUpdate{}, gen.CustomFieldOptionUpdate{},
		gen.ProjectFieldUpdate{}, gen.ProjectFieldOptionUpdate{}, gen.ProjectCandidatesUpdate{}} {
		models[reflect.TypeOf(v).Name()] = reflect.TypeOf(v)
	}
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if (method != "PUT" && method != "PATCH") || op.RequestBody == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			name := strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
			typ, ok := models[name]
			if !ok {
				if len(mt.Schema.Value.Properties) > 0 {
					t.Errorf("%s %s: update body %s is not checked here: add it to the list above", method, path, name)
				}
				continue
			}
			for prop, s := range mt.Schema.Value.Properties {
				f := fieldByJSONName(typ, prop)
				require.NotNil(t, f, "%s.%s has no Go field", name, prop)
				switch {
				case s.Value.Nullable:
					checked++
					assert.True(t, strings.HasPrefix(f.Type.Name(), "Nullable["), "%s.%s is %s, want gen.Nullable", name, prop, f.Type)
				case s.Value.Type.Is(openapi3.TypeArray) && !slices.Contains(mt.Schema.Value.Required, prop):
					assert.Equal(t, reflect.Pointer, f.Type.Kind(), "%s.%s: a list in an update body must be a pointer, so [] can be sent", name, prop)
				}
			}
		}
	}
	assert.Positive(t, checked)
}

func fieldByJSONName(t reflect.Type, name string) *reflect.StructField {
	for i := range t.NumField() {
		f := t.Field(i)
		if strings.Split(f.Tag.Get("json"), ",")[0] == name {
			return &f
		}
	}
	return nil
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

// A response decodes into plain Go: pointers for optional and nullable fields (nil for
// absent and null), slices, timestamps readable as time.Time, and nil-safe accessors.
func TestResponseModels(t *testing.T) {
	var c gen.Candidate
	require.NoError(t, json.Unmarshal([]byte(`{"id":"Y2FuZGlkYXRlczox","first_name":"Ada","last_name":null,
		"created_at":1700000000,"last_updated_at":null,"emails":[{"email_address":"ada@example.com","is_primary":true}],
		"due_date":{"date":"2026-03-04","user_id":"u","note":null},"project_ids":null}`), &c))
	assert.Equal(t, "Y2FuZGlkYXRlczox", c.GetID())
	assert.Equal(t, "Ada", *c.FirstName)
	assert.Nil(t, c.LastName)
	assert.Equal(t, "", c.GetLastName())
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), c.CreatedAt.Time())
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), c.GetCreatedAt())
	assert.True(t, c.LastUpdatedAt.Time().IsZero(), "a nil timestamp is the zero time, not a panic")
	assert.True(t, c.Emails[0].GetIsPrimary())
	assert.Equal(t, "", c.GetDueDate().GetNote())
	d, err := c.GetDueDate().Date.Time()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), d)

	var none *gen.Candidate
	assert.Equal(t, "", none.GetFirstName(), "accessors are nil-safe")
	assert.Equal(t, "", none.GetDueDate().GetNote(), "and chain")
}

// %v and %+v of a model print field names and values, not pointers or maps.
func TestModelsPrintReadably(t *testing.T) {
	at := gen.UnixTime(1700000000)
	c := gen.Candidate{ID: ptr("c1"), FirstName: ptr("Ada"), CreatedAt: &at, Emails: []gen.Email{{EmailAddress: "ada@example.com"}}}
	for _, verb := range []string{"%v", "%+v", "%s"} {
		s := fmt.Sprintf(verb, c)
		assert.Equal(t, `gen.Candidate{CreatedAt:2023-11-14T22:13:20Z, Emails:[gen.Email{EmailAddress:"ada@example.com"}], FirstName:"Ada", ID:"c1"}`, s, verb)
	}
	assert.Contains(t, fmt.Sprintf("%v", &c), `FirstName:"Ada"`, "a pointer prints the same")
	u := gen.CandidateUpdate{Title: gen.Value("Analyst"), Location: gen.Null[string]()}
	assert.Equal(t, `gen.CandidateUpdate{Location:null, Title:Analyst}`, fmt.Sprint(u))
}

// Dates and timestamps convert both ways.
func TestDatesAndTimes(t *testing.T) {
	when := time.Date(2026, 11, 29, 13, 14, 15, 0, time.UTC)
	assert.Equal(t, gen.UnixTime(when.Unix()), gen.UnixTimeOf(when))
	assert.Equal(t, gen.Date("2026-11-29"), gen.DateOf(when))
	_, err := gen.Date("29/11/2026").Time()
	assert.Error(t, err, "a malformed date fails when converted, not when decoded")
	var d gen.DueDate
	assert.NoError(t, json.Unmarshal([]byte(`{"date":"soon","user_id":"u"}`), &d))
}

// gen/, internal/genserver and internal/genspec are generated by three configs (one config
// writes one file). All apply the same overlay, and every option that shapes names and
// types is the same in gen's and the server's, or the server code would refer to models
// that do not exist. (Their user-templates differ on purpose: each blanks what the other
// declares.)
func TestGeneratorConfigsAgree(t *testing.T) {
	load := func(path string) map[string]any {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, yaml.Unmarshal(data, &m))
		return m
	}
	models, server, spec := load("../oapi-codegen.yaml"), load("../internal/genserver/oapi-codegen.yaml"), load("../internal/genspec/oapi-codegen.yaml")
	assert.Equal(t, models["compatibility"], server["compatibility"])
	mo, so, eo := models["output-options"].(map[string]any), server["output-options"].(map[string]any), spec["output-options"].(map[string]any)
	overlay := func(dir string, m map[string]any) string {
		o, _ := m["overlay"].(map[string]any)
		require.NotNil(t, o, "%s: no overlay", dir)
		delete(m, "overlay")
		delete(m, "user-templates")
		return filepath.Clean(filepath.Join(dir, o["path"].(string)))
	}
	want := overlay("../gen", mo)
	assert.Equal(t, want, overlay("../internal/genserver", so), "the same overlay")
	assert.Equal(t, want, overlay("../internal/genspec", eo), "the same overlay")
	assert.Equal(t, mo, so)
}

func ptr[T any](v T) *T { return &v }

// The named enums of the overlay agree with every place that uses them (see
// internal/enumcheck; `make generate` runs the same check).
func TestNamedEnumsAgree(t *testing.T) {
	doc, err := genspec.GetSpec()
	require.NoError(t, err)
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	assert.NoError(t, enumcheck.Check(v))
	assert.Contains(t, string(data), `"x-go-type-name":"PrivacyType"`, "the check saw the overlay's names")
}

// Gem's document lists no null among the values of a nullable enum (apispec < 6.5); a
// null still decodes, as no value.
func TestNullableEnumDecodesNull(t *testing.T) {
	var c gen.Candidate
	require.NoError(t, json.Unmarshal([]byte(`{"sourced_from":null,"gem_source":"hireEZ"}`), &c))
	assert.Nil(t, c.SourcedFrom)
	assert.Equal(t, gen.CandidateSourceHireEZ, c.GetGemSource())
}

// What the overlay adds to Gem's document for the SDK: the apiKey requirement and the
// event lists' deprecation, which the methods' docs and the 403's message rely on.
func TestOverlayAddsSecurityAndDeprecation(t *testing.T) {
	doc, err := genspec.GetSpec()
	require.NoError(t, err)
	require.Len(t, doc.Security, 1)
	assert.Contains(t, doc.Security[0], "apiKey")
	for _, path := range []string{"/v0/candidates/events", "/v0/candidates/{candidate_id}/events"} {
		assert.True(t, doc.Paths.Find(path).Get.Deprecated, path)
	}
}
