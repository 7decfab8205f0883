package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// benchFake is a fake holding n realistic candidates, created ten to a second (so
// created_at has ties), served in process without rate limit. start is the first
// candidate's created_at.
func benchFake(b *testing.B, n int) (f *gemtest.Fake, start int64) {
	b.Helper()
	clock := gemtest.NewManualClock(time.Unix(1_700_000_000, 0))
	f, err := gemtest.New(gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	user := f.DefaultUserID()
	for i := range n {
		if i%10 == 0 && i > 0 {
			clock.Advance(time.Second)
		}
		_, err := f.AddCandidate(gen.CandidateCreate{
			CreatedBy:      user,
			FirstName:      ptr("Ada"),
			LastName:       ptr("Lovelace " + strconv.Itoa(i)),
			Title:          ptr("Staff Engineer"),
			Company:        ptr("Analytical Engines"),
			Location:       ptr("London"),
			LinkedInHandle: ptr("ada-" + strconv.Itoa(i)),
			Emails:         []gen.Email{{EmailAddress: "ada" + strconv.Itoa(i) + "@example.com", IsPrimary: ptr(true)}},
			ProfileURLs:    []string{"https://github.com/ada" + strconv.Itoa(i)},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return f, 1_700_000_000
}

// getPage serves one GET through Fake.ServeHTTP and returns the number of items, whether
// X-Pagination names a next page and how long ServeHTTP took.
func getPage(b *testing.B, f *gemtest.Fake, target string) (int, bool, time.Duration) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("X-API-Key", f.APIKey())
	w := httptest.NewRecorder()
	start := time.Now()
	f.ServeHTTP(w, req)
	took := time.Since(start)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
	}
	var meta gen.PaginationMetadata
	if err := json.Unmarshal([]byte(w.Header().Get("X-Pagination")), &meta); err != nil {
		b.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &items); err != nil {
		b.Fatal(err)
	}
	return len(items), meta.NextPage != nil, took
}

// walkPair walks every page of 100 candidates of large (oldest first), which holds largeN
// candidates, and in lockstep walks small, which holds smallN, as many times as it takes
// to read as many pages (largeN a multiple of smallN): one page of each in turn,
// alternating which goes first. Every page holds 100 candidates, so the ratio of a pair's
// times (large over small) is the ratio of the per-candidate costs of the two walks; it
// returns those ratios and each walk's mean time per candidate, all spent in
// Fake.ServeHTTP.
func walkPair(b *testing.B, small, large *gemtest.Fake, smallN, largeN int) (ratios []float64, perSmall, perLarge time.Duration) {
	var ts, tl time.Duration
	nSmall, nLarge := 0, 0
	walk := func(f *gemtest.Fake, page, pages int, n *int) time.Duration {
		items, next, took := getPage(b, f, "/v0/candidates?sort=asc&page_size=100&page="+strconv.Itoa(page))
		*n += items
		if next != (page < pages) {
			b.Fatalf("page %d of %d: next page %v", page, pages, next)
		}
		return took
	}
	smallPages, largePages := smallN/100, largeN/100
	for i := range largePages {
		var s, l time.Duration
		if i%2 == 0 {
			s = walk(small, i%smallPages+1, smallPages, &nSmall)
			l = walk(large, i+1, largePages, &nLarge)
		} else {
			l = walk(large, i+1, largePages, &nLarge)
			s = walk(small, i%smallPages+1, smallPages, &nSmall)
		}
		ratios = append(ratios, float64(l)/float64(s))
		ts, tl = ts+s, tl+l
	}
	if nSmall != largeN || nLarge != largeN {
		b.Fatalf("walked %d and %d candidates, want %d each", nSmall, nLarge, largeN)
	}
	return ratios, ts / time.Duration(nSmall), tl / time.Duration(nLarge)
}

// pagePairs serves the same spread of pages of 100 (newest first, the default order) from
// each fake, interleaved page by page, and returns the ratio of each pair's times (large
// over small) and the mean time per page of each. filter, when set, is added to every
// request; the pages spread over smallN and largeN candidates.
func pagePairs(b *testing.B, small, large *gemtest.Fake, smallN, largeN int, filter string) (ratios []float64, perSmall, perLarge time.Duration) {
	const count = 40
	var ts, tl time.Duration
	for i := range count {
		target := func(n int) string {
			return "/v0/candidates?page_size=100&page=" + strconv.Itoa(1+i*(n/100)/count) + filter
		}
		var s, l time.Duration
		if i%2 == 0 {
			_, _, s = getPage(b, small, target(smallN))
			_, _, l = getPage(b, large, target(largeN))
		} else {
			_, _, l = getPage(b, large, target(largeN))
			_, _, s = getPage(b, small, target(smallN))
		}
		ratios = append(ratios, float64(l)/float64(s))
		ts, tl = ts+s, tl+l
	}
	return ratios, ts / count, tl / count
}

// BenchmarkWalkCandidates measures how the fake's cost grows with what it stores, in one
// run: the per-candidate cost of walking every page of 100 at 50,000 stored candidates
// against 5,000 (walk-ratio), the cost of a page at 10,000 stored against 1,000
// (page-ratio; its inverse is the throughput ratio) and of a page filtered by a
// created_after/created_before window that matches the same 1,000 candidates at both sizes
// (filtered-page-ratio). The two sides are measured interleaved, a page of one and then a
// page of the other, alternating which goes first, so noise on a shared machine hits
// both alike; each ratio is the median over those pairs (the ns/ figures are means, and
// noisier). Goal: every ratio within 1.5.
//
//	go test -run '^$' -bench WalkCandidates -benchtime 3x ./gemtest
func BenchmarkWalkCandidates(b *testing.B) {
	small, _ := benchFake(b, 5_000)
	large, _ := benchFake(b, 50_000)
	pageSmall, t0 := benchFake(b, 1_000)
	pageLarge, _ := benchFake(b, 10_000)
	// 1,000 candidates at both sizes: the first 100 seconds.
	window := fmt.Sprintf("&created_after=%d&created_before=%d", t0-1, t0+100)
	var walks, pagesR, filtered []float64
	var walkSmall, walkLarge, pageS, pageL, filtS, filtL time.Duration
	b.ResetTimer()
	for range b.N {
		r, ws, wl := walkPair(b, small, large, 5_000, 50_000)
		walks = append(walks, r...)
		r, ps, pl := pagePairs(b, pageSmall, pageLarge, 1_000, 10_000, "")
		pagesR = append(pagesR, r...)
		r, fs, fl := pagePairs(b, pageSmall, pageLarge, 1_000, 1_000, window)
		filtered = append(filtered, r...)
		walkSmall, walkLarge, pageS, pageL, filtS, filtL = walkSmall+ws, walkLarge+wl, pageS+ps, pageL+pl, filtS+fs, filtL+fl
	}
	b.StopTimer()
	median := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	n := float64(b.N)
	b.ReportMetric(float64(walkSmall.Nanoseconds())/n, "ns/candidate@5k")
	b.ReportMetric(float64(walkLarge.Nanoseconds())/n, "ns/candidate@50k")
	b.ReportMetric(median(walks), "walk-ratio")
	b.ReportMetric(float64(pageS.Nanoseconds())/n, "ns/page@1k")
	b.ReportMetric(float64(pageL.Nanoseconds())/n, "ns/page@10k")
	b.ReportMetric(median(pagesR), "page-ratio")
	b.ReportMetric(float64(filtS.Nanoseconds())/n, "ns/filtered-page@1k")
	b.ReportMetric(float64(filtL.Nanoseconds())/n, "ns/filtered-page@10k")
	b.ReportMetric(median(filtered), "filtered-page-ratio")
}

// BenchmarkCreateCandidate is POST /v0/candidates through Fake.ServeHTTP with a realistic
// body: the gateway, validation against the document and the create.
func BenchmarkCreateCandidate(b *testing.B) {
	f, err := gemtest.New(gemtest.WithoutRateLimit())
	if err != nil {
		b.Fatal(err)
	}
	body := func(i int) string {
		return `{"created_by":"` + f.DefaultUserID() + `","first_name":"Ada","last_name":"Lovelace","nickname":"Ada",` +
			`"title":"Staff Engineer","company":"Analytical Engines","location":"London","school":"Home",` +
			`"linked_in_handle":"ada-` + strconv.Itoa(i) + `","phone_number":"+44 20 7946 0000",` +
			`"emails":[{"email_address":"ada` + strconv.Itoa(i) + `@example.com","is_primary":true},{"email_address":"a` + strconv.Itoa(i) + `@example.org"}],` +
			`"profile_urls":["https://github.com/ada","https://example.com/ada"],` +
			`"education_info":[{"school":"Home","degree":"None","field_of_study":"Mathematics","start_date":"1830-01-01","end_date":"1835-01-01"}],` +
			`"work_info":[{"company":"Engines","title":"Engineer","is_current":true,"work_start_date":"2020-01-01"}]}`
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/v0/candidates", strings.NewReader(body(i)))
		req.Header.Set("X-API-Key", f.APIKey())
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		f.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// unknownFieldsBody is a POST /v0/candidates body of about size bytes: created_by and
// then unknown fields "x0000000":0, "x0000001":0, ... It returns the body and how many
// unknown fields it holds.
func unknownFieldsBody(userID string, size int) ([]byte, int) {
	var sb strings.Builder
	sb.WriteString(`{"created_by":"` + userID + `"`)
	n := 0
	for sb.Len() < size-16 {
		fmt.Fprintf(&sb, `,"x%07d":0`, n)
		n++
	}
	sb.WriteString("}")
	return []byte(sb.String()), n
}

// BenchmarkUnknownFieldsAnswer is the 422 for a 9.5 MB body of unknown fields, the largest
// the gateway lets through, and for one of 0.95 MB, served interleaved (alternating which
// goes first): answer-bytes is the size of the large body's answer, fields the number of
// unknown fields in it, ns/field@... the time ServeHTTP takes per field and
// per-field-ratio the median over the pairs of the large body's time per field over the
// small one's (1 when the cost is linear in the body). The floor is decoding the same
// bodies into an interface value, as the fake must before anything else, measured the
// same way in the same run: decode-per-field-ratio (a map of 730,000 keys costs more per
// key than one of 73,000: caches and the garbage collector). ns/op is one round of all
// four.
//
//	go test -run '^$' -bench UnknownFieldsAnswer -benchtime 3x ./gemtest
func BenchmarkUnknownFieldsAnswer(b *testing.B) {
	f, err := gemtest.New(gemtest.WithoutRateLimit())
	if err != nil {
		b.Fatal(err)
	}
	serve := func(body []byte) (time.Duration, int) {
		req := httptest.NewRequest(http.MethodPost, "/v0/candidates", bytes.NewReader(body))
		req.Header.Set("X-API-Key", f.APIKey())
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		start := time.Now()
		f.ServeHTTP(w, req)
		took := time.Since(start)
		if w.Code != http.StatusUnprocessableEntity {
			b.Fatalf("%d %.200s", w.Code, w.Body)
		}
		return took, w.Body.Len()
	}
	small, smallFields := unknownFieldsBody(f.DefaultUserID(), 950_000)
	large, largeFields := unknownFieldsBody(f.DefaultUserID(), 9_500_000)
	decode := func(body []byte) (time.Duration, int) {
		start := time.Now()
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), 0
	}
	// pair times fn on both bodies, alternating which goes first, and returns the ratio
	// of the per-field times (large over small).
	pair := func(i int, fn func([]byte) (time.Duration, int), ts, tl *time.Duration) float64 {
		var s, l time.Duration
		if i%2 == 0 {
			s, _ = fn(small)
			l, _ = fn(large)
		} else {
			l, _ = fn(large)
			s, _ = fn(small)
		}
		*ts, *tl = *ts+s, *tl+l
		return (float64(l) / float64(largeFields)) / (float64(s) / float64(smallFields))
	}
	var ratios, floor []float64
	var ts, tl, ds, dl time.Duration
	b.ResetTimer()
	for i := range b.N {
		ratios = append(ratios, pair(i, serve, &ts, &tl))
		floor = append(floor, pair(i, decode, &ds, &dl))
	}
	b.StopTimer()
	_, answer := serve(large)
	median := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	n := float64(b.N)
	b.ReportMetric(float64(len(large)), "request-bytes")
	b.ReportMetric(float64(largeFields), "fields")
	b.ReportMetric(float64(answer), "answer-bytes")
	b.ReportMetric(float64(ts.Nanoseconds())/n/float64(smallFields), "ns/field@0.95MB")
	b.ReportMetric(float64(tl.Nanoseconds())/n/float64(largeFields), "ns/field@9.5MB")
	b.ReportMetric(median(ratios), "per-field-ratio")
	b.ReportMetric(float64(dl.Nanoseconds())/n/float64(largeFields), "decode-ns/field@9.5MB")
	b.ReportMetric(median(floor), "decode-per-field-ratio")
}

// BenchmarkUploadRetention uploads 40 resumes of 9 MiB through Fake.ServeHTTP with the
// default options and reports what the fake keeps: kept-MiB (Stats.StoredFileBytes,
// within DefaultMaxStoredFileBytes) and heap-MiB, the live heap after a garbage
// collection, the fake and the request body included.
//
//	go test -run '^$' -bench UploadRetention -benchtime 1x ./gemtest
func BenchmarkUploadRetention(b *testing.B) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("resume_file", "cv.pdf")
	if err != nil {
		b.Fatal(err)
	}
	_, _ = part.Write(bytes.Repeat([]byte("%PDF"), 9<<20/4))
	_ = w.Close()
	var kept, heap float64
	for range b.N {
		f, err := gemtest.New(gemtest.WithoutRateLimit())
		if err != nil {
			b.Fatal(err)
		}
		c, err := f.AddCandidate(gen.CandidateCreate{CreatedBy: f.DefaultUserID()})
		if err != nil {
			b.Fatal(err)
		}
		for range 40 {
			req := httptest.NewRequest(http.MethodPost, "/v0/candidates/"+*c.ID+"/uploaded_resumes/"+f.DefaultUserID(), bytes.NewReader(body.Bytes()))
			req.Header.Set("X-API-Key", f.APIKey())
			req.Header.Set("Content-Type", w.FormDataContentType())
			rec := httptest.NewRecorder()
			f.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		kept, heap = float64(f.Stats().StoredFileBytes)/(1<<20), float64(ms.HeapAlloc)/(1<<20)
		runtime.KeepAlive(f)
	}
	b.ReportMetric(kept, "kept-MiB")
	b.ReportMetric(heap, "heap-MiB")
}
