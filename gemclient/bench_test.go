package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// benchCandidate is a candidate with most fields set, as Gem returns them.
func benchCandidate(i int) map[string]any {
	id := fmt.Sprintf("Y2FuZGlkYXRlczo%07d", i)
	return map[string]any{
		"id": id, "created_at": 1700000000 + i, "created_by": "dXNlcnM6MTI=", "last_updated_at": 1700001000 + i,
		"first_name": "Ada", "last_name": fmt.Sprintf("Lovelace %d", i), "nickname": nil, "title": "Staff Engineer",
		"company": "Analytical Engines", "location": "London", "school": "Home", "phone_number": nil,
		"linked_in_handle": fmt.Sprintf("ada-%d", i), "weblink": "https://www.gem.com/candidate/" + id,
		"sourced_from": "SeekOut", "gem_source": nil, "candidate_greenhouse_id": nil, "due_date": nil,
		"project_ids": []string{"UHJvamVjdDox", "UHJvamVjdDoy"},
		"emails":      []map[string]any{{"email_address": fmt.Sprintf("ada%d@example.com", i), "is_primary": true}},
		"profiles":    []map[string]any{{"network": "linkedin", "url": "https://linkedin.com/in/ada", "username": "ada"}},
		"custom_fields": []map[string]any{{"id": "Q3VzdG9tRmllbGQ6MQ==", "name": "Level", "scope": "team",
			"value_type": "single_select", "value": "Senior", "value_option_ids": []string{"Q3VzdG9tRmllbGRPcHRpb246Mw=="}}},
		"work_info": []map[string]any{{"company": "Engines", "title": "Engineer", "is_current": true,
			"work_start_date": "2020-01-01", "work_end_date": nil}},
		"education_info": []map[string]any{{"school": "Home", "degree": "None", "field_of_study": "Mathematics",
			"start_date": "1830-01-01", "end_date": "1835-01-01"}},
	}
}

// BenchmarkListCandidatesPage compares one page of 100 candidates through gemclient
// (validation, limiter, pipeline, generated parsing) with plain net/http + encoding/json
// decoding into the same []gen.Candidate, against the same httptest server, alternating
// the two in one loop. Goal: time-ratio <= 1.10, alloc-ratio <= 1.25. The allocation
// counts include the server's, which both sides share.
func BenchmarkListCandidatesPage(b *testing.B) {
	page := make([]map[string]any, 100)
	for i := range page {
		page[i] = benchCandidate(i)
	}
	body, _ := json.Marshal(page)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Pagination", `{"total":100,"total_pages":1,"first_page":1,"last_page":1,"page":1}`)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: transport}
	c, err := gemclient.New(testKey, gemclient.WithBaseURL(srv.URL), gemclient.WithHTTPClient(hc),
		gemclient.WithLimiter(rate.NewLimiter(1e9, 1e9))) // the real token bucket, never empty
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	params := &gen.ListCandidatesParams{PageSize: ptr(100)}
	viaSDK := func() {
		items, info, err := c.ListCandidates(ctx, params)
		if err != nil || len(items) != 100 || info.Total != 100 {
			b.Fatal("gemclient", err, len(items))
		}
	}
	raw := func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v0/candidates?page_size=100", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("X-API-Key", testKey)
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal("raw", err)
		}
		var items []gen.Candidate
		err = json.NewDecoder(resp.Body).Decode(&items)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err != nil || len(items) != 100 {
			b.Fatal("raw", err, len(items))
		}
	}
	sdkAllocs, rawAllocs := testing.AllocsPerRun(200, viaSDK), testing.AllocsPerRun(200, raw)

	b.ReportAllocs()
	b.ResetTimer()
	var sdkTime, rawTime time.Duration
	for i := range b.N {
		first, second, firstTime, secondTime := viaSDK, raw, &sdkTime, &rawTime
		if i%2 == 1 {
			first, second, firstTime, secondTime = raw, viaSDK, &rawTime, &sdkTime
		}
		start := time.Now()
		first()
		mid := time.Now()
		second()
		*firstTime += mid.Sub(start)
		*secondTime += time.Since(mid)
	}
	b.StopTimer()
	b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(sdkTime)/float64(rawTime), "time-ratio")
	b.ReportMetric(sdkAllocs, "sdk-allocs/op")
	b.ReportMetric(rawAllocs, "raw-allocs/op")
	b.ReportMetric(sdkAllocs/rawAllocs, "alloc-ratio")
}

// BenchmarkWalk1000Pages walks 1,000 pages of 100 candidates from a server that answers
// each request after 20 ms and enforces Gem-style limits itself (200 req/s, burst 50,
// 429 beyond), with the client's limiter at the same 200/50: once one page at a time,
// once with 16 workers. The analytic bound for the concurrent walk is
// (pages - burst)/rate + latency = 4.77 s. Goals: concurrent <= 1.15x the bound, >= 4x
// faster than sequential, no 429 surfaced (any error reaching the caller fails the
// benchmark; retried-429s counts the ones the server sent), the exact item set (checked
// item by item). It takes about 25 s and
// is skipped with -short:
//
//	go test -run '^$' -bench Walk1000Pages -benchtime 1x ./gemclient
func BenchmarkWalk1000Pages(b *testing.B) {
	if testing.Short() {
		b.Skip("about 25 s; run without -short")
	}
	const (
		pages, size     = 1000, 100
		perSecond       = 200
		burst           = 50
		latency         = 20 * time.Millisecond
		workers         = 16
		total           = pages * size
		boundSeconds    = float64(pages-burst)/perSecond + 0.020
		concurrentRatio = 1.15
	)
	walk := func(opts ...gemclient.PageOption) (time.Duration, int64) {
		gate := rate.NewLimiter(perSecond, burst) // the server's own limit, fresh each walk
		var throttled atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !gate.Allow() {
				throttled.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"message":"Too Many Requests"}`)
				return
			}
			time.Sleep(latency)
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			buf := []byte{'['}
			for i := (page-1)*size + 1; i <= page*size; i++ {
				if i > (page-1)*size+1 {
					buf = append(buf, ',')
				}
				buf = append(buf, `{"id":"c`...)
				buf = strconv.AppendInt(buf, int64(i), 10)
				buf = append(buf, `"}`...)
			}
			buf = append(buf, ']')
			meta := flaskPagination(total, page, size)
			header, _ := json.Marshal(meta)
			w.Header().Set("X-Pagination", string(header))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(buf)
		}))
		defer srv.Close()
		c, err := gemclient.New(testKey, gemclient.WithBaseURL(srv.URL), gemclient.WithRateLimit(perSecond, burst))
		if err != nil {
			b.Fatal(err)
		}
		seen := make([]bool, total+1)
		n := 0
		start := time.Now()
		for cand, err := range c.ListCandidatesAll(context.Background(), nil, opts...) {
			if err != nil {
				b.Fatalf("surfaced error (rate limited: %v): %v", gemclient.IsRateLimited(err), err)
			}
			i, _ := strconv.Atoi((*cand.Id)[1:])
			if i < 1 || i > total || seen[i] {
				b.Fatalf("item %s out of range or repeated", *cand.Id)
			}
			seen[i] = true
			n++
		}
		elapsed := time.Since(start)
		if n != total {
			b.Fatalf("%d items, want %d", n, total)
		}
		return elapsed, throttled.Load()
	}
	var seq, conc time.Duration
	var seq429, conc429 int64
	for range b.N {
		s, s429 := walk()
		c, c429 := walk(gemclient.Workers(workers))
		seq, conc, seq429, conc429 = seq+s, conc+c, seq429+s429, conc429+c429
	}
	seqS, concS := seq.Seconds()/float64(b.N), conc.Seconds()/float64(b.N)
	b.ReportMetric(seqS, "seq-s")
	b.ReportMetric(concS, "conc-s")
	b.ReportMetric(boundSeconds, "bound-s")
	b.ReportMetric(concS/boundSeconds, "conc/bound")
	b.ReportMetric(seqS/concS, "speedup")
	b.ReportMetric(float64(seq429+conc429)/float64(b.N), "retried-429s")
	if concS/boundSeconds > concurrentRatio || seqS/concS < 4 {
		b.Logf("goal missed: conc/bound %.3f (goal <= %.2f), speedup %.2f (goal >= 4)", concS/boundSeconds, concurrentRatio, seqS/concS)
	}
}
