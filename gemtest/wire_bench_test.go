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

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/route"
)

// BenchmarkWirePage measures what answering with a page of 100 candidates written from
// the document's schema (writeWireBody) costs against encoding/json on the same models,
// which left keys out (what the generated responses did before): both write into an
// httptest.ResponseRecorder, are timed in turn on every iteration, alternating which goes
// first, and wire/json is the median of the pairs' ratios.
//
//	go test -run '^$' -bench WirePage ./gemtest
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
	var ratios []float64
	var tw, tj time.Duration
	var wireSize, jsonSize int
	b.ResetTimer()
	for i := range b.N {
		var w, j time.Duration
		if i%2 == 0 {
			w, j = timed(wire, &wireSize), timed(plain, &jsonSize)
		} else {
			j, w = timed(plain, &jsonSize), timed(wire, &wireSize)
		}
		ratios = append(ratios, float64(w)/float64(j))
		tw, tj = tw+w, tj+j
	}
	b.StopTimer()
	slices.Sort(ratios)
	b.ReportMetric(float64(tw.Nanoseconds())/float64(b.N), "ns/wire-page")
	b.ReportMetric(float64(tj.Nanoseconds())/float64(b.N), "ns/json-page")
	b.ReportMetric(ratios[len(ratios)/2], "wire/json")
	b.ReportMetric(float64(wireSize), "wire-bytes")
	b.ReportMetric(float64(jsonSize), "json-bytes")
}
