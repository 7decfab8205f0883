package gemtest

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/route"
)

// BenchmarkWirePage measures what answering with a page of 100 candidates written from
// the document's schema (writeWireBody) costs against encoding/json on the same models,
// which left keys out (what the generated responses did before): both write into an
// httptest.ResponseRecorder, are timed in turn on every iteration, alternating which goes
// first, and wire/json is the median of the pairs' ratios.
//
//	go test -run '^$' -bench WirePage -benchtime 10x ./gemtest
func BenchmarkWirePage(b *testing.B) {
	f, err := New(WithoutRateLimit())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		n := strconv.Itoa(i)
		_, err := f.AddCandidate(gen.CandidateCreate{
			CreatedBy: f.DefaultUserID(), FirstName: ptr("Ada"), LastName: ptr("Lovelace " + n),
			Title: ptr("Staff Engineer"), Company: ptr("Analytical Engines"), Location: ptr("London"),
			LinkedInHandle: ptr("ada-" + n), Emails: []gen.Email{{EmailAddress: "ada" + n + "@example.com", IsPrimary: ptr(true)}},
			ProfileURLs:   []string{"https://github.com/ada" + n},
			EducationInfo: []gen.EducationInfo{{School: ptr("Home"), Degree: ptr("None")}},
			WorkInfo:      []gen.WorkInfo{{Company: ptr("Engines"), IsCurrent: ptr(true)}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	doc, err := document()
	if err != nil {
		b.Fatal(err)
	}
	rt, _, _ := route.New(doc).Find("GET", "/v0/candidates")
	_, resp := jsonSuccess(rt)
	schema := resp.Content.Get("application/json").Schema.Value
	page := reflect.ValueOf(f.Candidates())
	wire := func() int {
		w := httptest.NewRecorder()
		if err := writeWireBody(w, 200, schema, page); err != nil {
			b.Fatal(err)
		}
		return w.Body.Len()
	}
	plain := func() int { // what the generated Visit methods do
		w := httptest.NewRecorder()
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(page.Interface()); err != nil {
			b.Fatal(err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = buf.WriteTo(w)
		return w.Body.Len()
	}
	timed := func(fn func() int, size *int) time.Duration {
		start := time.Now()
		*size = fn()
		return time.Since(start)
	}
	const pairs = 200 // per iteration, so that make bench's -benchtime 3x has a median
	var ratios []float64
	var tw, tj time.Duration
	var wireSize, jsonSize int
	b.ResetTimer()
	for range b.N {
		for i := range pairs {
			var w, j time.Duration
			if i%2 == 0 {
				w, j = timed(wire, &wireSize), timed(plain, &jsonSize)
			} else {
				j, w = timed(plain, &jsonSize), timed(wire, &wireSize)
			}
			ratios = append(ratios, float64(w)/float64(j))
			tw, tj = tw+w, tj+j
		}
	}
	b.StopTimer()
	slices.Sort(ratios)
	pages := float64(b.N * pairs)
	b.ReportMetric(float64(tw.Nanoseconds())/pages, "ns/wire-page")
	b.ReportMetric(float64(tj.Nanoseconds())/pages, "ns/json-page")
	b.ReportMetric(ratios[len(ratios)/2], "wire/json")
	b.ReportMetric(float64(wireSize), "wire-bytes")
	b.ReportMetric(float64(jsonSize), "json-bytes")
}

// A key the document declares and the model has no field for fails the answer, naming the
// key, rather than going missing; a nil list is [] and a nil pointer null.
func TestWireJSON(t *testing.T) {
	schema := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"name": openapi3.NewStringSchema().NewRef(),
		"tags": openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()).NewRef(),
	}}
	type model struct {
		Name *string  `json:"name,omitempty"`
		Tags []string `json:"tags,omitempty"`
		Note *string  `json:"note,omitempty"`
	}
	data, err := wireJSON(schema, reflect.ValueOf(model{}))
	require.NoError(t, err)
	assert.Equal(t, `{"name":null,"tags":[]}`+"\n", string(data), "every declared key, only those")
	data, err = wireJSON(schema, reflect.ValueOf(&model{Name: ptr("<Ada> & \"Co\"\n"), Tags: []string{"go"}}))
	require.NoError(t, err)
	assert.Equal(t, `{"name":"<Ada> & \"Co\"\n","tags":["go"]}`+"\n", string(data), "escaped as JSON, not as HTML")

	withEmail := &openapi3.Schema{Type: schema.Type, Properties: openapi3.Schemas{"email": openapi3.NewStringSchema().NewRef()}}
	_, err = wireJSON(withEmail, reflect.ValueOf(model{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"email"`)
}
