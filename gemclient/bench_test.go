package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// floorCandidate is the floor the SDK's model is measured against: the struct a careful Go
// developer would write by hand for Gem's candidate, pointers for what may be absent or
// null, decoded by encoding/json with nothing in between.
type floorCandidate struct {
	ID                    *string  `json:"id"`
	CreatedAt             *int64   `json:"created_at"`
	CreatedBy             *string  `json:"created_by"`
	LastUpdatedAt         *int64   `json:"last_updated_at"`
	CandidateGreenhouseID *string  `json:"candidate_greenhouse_id"`
	FirstName             *string  `json:"first_name"`
	LastName              *string  `json:"last_name"`
	Nickname              *string  `json:"nickname"`
	Weblink               *string  `json:"weblink"`
	PhoneNumber           *string  `json:"phone_number"`
	Location              *string  `json:"location"`
	LinkedInHandle        *string  `json:"linked_in_handle"`
	Company               *string  `json:"company"`
	Title                 *string  `json:"title"`
	School                *string  `json:"school"`
	SourcedFrom           *string  `json:"sourced_from"`
	GemSource             *string  `json:"gem_source"`
	ProjectIDs            []string `json:"project_ids"`
	DueDate               *struct {
		Date, UserID string
		Note         *string
	} `json:"due_date"`
	Emails []struct {
		EmailAddress string `json:"email_address"`
		IsPrimary    *bool  `json:"is_primary"`
	} `json:"emails"`
	Profiles []struct {
		Network  string  `json:"network"`
		URL      string  `json:"url"`
		Username *string `json:"username"`
	} `json:"profiles"`
	CustomFields []struct {
		ID             string   `json:"id"`
		Name           string   `json:"name"`
		Scope          string   `json:"scope"`
		ProjectID      *string  `json:"project_id"`
		ValueType      string   `json:"value_type"`
		Value          any      `json:"value"`
		ValueOptionIDs []string `json:"value_option_ids"`
	} `json:"custom_fields"`
	WorkInfo []struct {
		Company       *string `json:"company"`
		Title         *string `json:"title"`
		IsCurrent     *bool   `json:"is_current"`
		WorkStartDate *string `json:"work_start_date"`
		WorkEndDate   *string `json:"work_end_date"`
	} `json:"work_info"`
	EducationInfo []struct {
		School       *string `json:"school"`
		Degree       *string `json:"degree"`
		FieldOfStudy *string `json:"field_of_study"`
		StartDate    *string `json:"start_date"`
		EndDate      *string `json:"end_date"`
	} `json:"education_info"`
}

// candidatesPage is a page of 100 realistic candidates as Gem sends it.
func candidatesPage() []byte {
	page := make([]map[string]any, 100)
	for i := range page {
		page[i] = benchCandidate(i)
	}
	body, _ := json.Marshal(page)
	return body
}

// comparePaired runs sdk and floor b.N times each, interleaved and alternating which goes
// first, and reports the median of the time ratios of blocks of pairs (so a burst of noise
// on a shared machine moves one block, not the result), and the ratio of allocations.
func comparePaired(b *testing.B, sdk, floor func()) {
	sdkAllocs, floorAllocs := testing.AllocsPerRun(100, sdk), testing.AllocsPerRun(100, floor)
	const block = 8
	var ratios []float64
	var sdkTotal, floorTotal, sdkBlock, floorBlock time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		first, second, firstTime, secondTime := sdk, floor, &sdkBlock, &floorBlock
		if i%2 == 1 {
			first, second, firstTime, secondTime = floor, sdk, &floorBlock, &sdkBlock
		}
		start := time.Now()
		first()
		mid := time.Now()
		second()
		*firstTime += mid.Sub(start)
		*secondTime += time.Since(mid)
		if (i+1)%block == 0 || i == b.N-1 {
			ratios = append(ratios, float64(sdkBlock)/float64(floorBlock))
			sdkTotal, floorTotal, sdkBlock, floorBlock = sdkTotal+sdkBlock, floorTotal+floorBlock, 0, 0
		}
	}
	b.StopTimer()
	slices.Sort(ratios)
	b.ReportMetric(float64(sdkTotal.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(floorTotal.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(ratios[len(ratios)/2], "time-ratio")
	b.ReportMetric(sdkAllocs, "sdk-allocs/op")
	b.ReportMetric(floorAllocs, "floor-allocs/op")
	b.ReportMetric(sdkAllocs/floorAllocs, "alloc-ratio")
}

// BenchmarkDecodeCandidates decodes one page of 100 realistic candidates into the SDK's
// []gen.Candidate and into the hand-written floorCandidate, interleaved. Goal: time-ratio
// <= 1.15, alloc-ratio <= 1.25.
func BenchmarkDecodeCandidates(b *testing.B) {
	body := candidatesPage()
	comparePaired(b, func() {
		var items []gen.Candidate
		if err := json.Unmarshal(body, &items); err != nil || len(items) != 100 {
			b.Fatal(err)
		}
	}, func() {
		var items []floorCandidate
		if err := json.Unmarshal(body, &items); err != nil || len(items) != 100 {
			b.Fatal(err)
		}
	})
}

// BenchmarkDecodeShape measures what counting a page's array elements before decoding
// (the bound against bodies that decode into far more than their size) adds to decoding
// it: one page of 100 realistic candidates scanned and decoded into []gen.Candidate,
// against the same page decoded alone, interleaved. Goal: time-ratio <= 1.10 (the scan
// is one pass that skips strings with bytes.IndexByte); the scan allocates nothing.
// page-bytes is the page's size, full-page-bytes that of a page with every field at its
// longest (the figures DefaultMaxResponseBytes is sized from).
func BenchmarkDecodeShape(b *testing.B) {
	body := candidatesPage()
	comparePaired(b, func() {
		if err := gemclient.CheckPageShape(body, 100); err != nil {
			b.Fatal(err)
		}
		var items []gen.Candidate
		if err := json.Unmarshal(body, &items); err != nil || len(items) != 100 {
			b.Fatal(err)
		}
	}, func() {
		var items []gen.Candidate
		if err := json.Unmarshal(body, &items); err != nil || len(items) != 100 {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(len(body)), "page-bytes")
	b.ReportMetric(float64(len(fullCandidatesPage(100))), "full-page-bytes")
}

// BenchmarkListCandidatesPage compares one page of 100 candidates through gemclient
// (validation, limiter, pipeline, decoding into []gen.Candidate) with the floor: plain
// net/http + encoding/json into []floorCandidate, against the same httptest server,
// interleaved. Goal: time-ratio <= 1.10. The allocation counts include the server's, which
// both sides share.
func BenchmarkListCandidatesPage(b *testing.B) {
	body := candidatesPage()
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
	params := &gen.ListCandidatesParams{PageSize: gemclient.Ptr(100)}
	comparePaired(b, func() {
		items, info, err := c.ListCandidates(ctx, params)
		if err != nil || len(items) != 100 || info.Total != 100 {
			b.Fatal("gemclient", err, len(items))
		}
	}, func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v0/candidates?page_size=100", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("X-API-Key", testKey)
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal("raw", err)
		}
		var items []floorCandidate
		err = json.NewDecoder(resp.Body).Decode(&items)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err != nil || len(items) != 100 {
			b.Fatal("raw", err, len(items))
		}
	})
}

// BenchmarkWalk1000Pages walks 1,000 pages of 100 candidates from a server that answers
// each request after 20 ms and enforces Gem-style limits itself (200 req/s, burst 50,
// 429 beyond), with the client's limiter at the same 200/50: once one page at a time,
// once with 16 workers. The analytic bound for the concurrent walk is
// (pages - burst)/rate + latency = 4.77 s. Goals: concurrent <= 1.15x the bound, >= 4x
// faster than sequential, no 429 surfaced (any error reaching the caller fails the
// benchmark; seq-429s and conc-429s count the ones the server sent each walk, all
// retried), the exact item set (checked item by item). It takes about 25 s and is
// skipped with -short. Run it ten times to see the spread, ideally on a loaded machine:
// a 429 costs the concurrent walk a pause of the client's limiter (100 ms), where it
// used to stall the walk's ordered window behind one page's exponential backoff:
//
//	go test -run '^$' -bench Walk1000Pages -benchtime 1x -count 10 ./gemclient
func BenchmarkWalk1000Pages(b *testing.B) {
	if testing.Short() {
		b.Skip("about 25 s; run without -short")
	}
	const (
		boundSeconds    = float64(walkPages-walkBurst)/walkRate + 0.020
		concurrentRatio = 1.15
	)
	var seq, conc time.Duration
	var seq429, conc429 int64
	for range b.N {
		s := walkCandidates(b, 0, 20*time.Millisecond, gemclient.Workers(1))
		c := walkCandidates(b, 0, 20*time.Millisecond, gemclient.Workers(walkWorkers))
		seq, conc, seq429, conc429 = seq+s.elapsed, conc+c.elapsed, seq429+s.throttled, conc429+c.throttled
	}
	seqS, concS := seq.Seconds()/float64(b.N), conc.Seconds()/float64(b.N)
	b.ReportMetric(seqS, "seq-s")
	b.ReportMetric(concS, "conc-s")
	b.ReportMetric(boundSeconds, "bound-s")
	b.ReportMetric(concS/boundSeconds, "conc/bound")
	b.ReportMetric(seqS/concS, "speedup")
	b.ReportMetric(float64(seq429)/float64(b.N), "seq-429s")
	b.ReportMetric(float64(conc429)/float64(b.N), "conc-429s")
	if concS/boundSeconds > concurrentRatio || seqS/concS < 4 {
		b.Logf("goal missed: conc/bound %.3f (goal <= %.2f), speedup %.2f (goal >= 4)", concS/boundSeconds, concurrentRatio, seqS/concS)
	}
}

// BenchmarkWalkDefaultWorkers is the walk of BenchmarkWalk1000Pages with default options
// (no Workers: Little's law sizes the workers from the limiter's 200/s and the first
// page's round trip), at 20 ms and at 200 ms of latency, interleaved. The bounds are
// (pages - burst)/rate + latency = 4.77 s and 4.95 s. Goals: each walk within 1.05x of
// its bound, and no more requests in flight than the rate needs: peak-20ms and peak-200ms
// are the most requests the server had at once, need-20ms and need-200ms what Little's
// law asks at the rate (rate x latency: 4 and 40; the burst lets up to 50 go at once at
// the start). Sequential, the 200 ms walk would take 200 s. About 10 s a run:
//
//	go test -run '^$' -bench WalkDefaultWorkers -benchtime 1x -count 5 ./gemclient
func BenchmarkWalkDefaultWorkers(b *testing.B) {
	if testing.Short() {
		b.Skip("about 10 s; run without -short")
	}
	latencies := []time.Duration{20 * time.Millisecond, 200 * time.Millisecond}
	elapsed := make([]time.Duration, len(latencies))
	peak := make([]int64, len(latencies))
	var throttled int64
	for i := range b.N {
		for j := range latencies {
			k := (j + i) % len(latencies) // alternate which goes first
			r := walkCandidates(b, 0, latencies[k])
			elapsed[k] += r.elapsed
			peak[k] = max(peak[k], r.peak)
			throttled += r.throttled
		}
	}
	for k, latency := range latencies {
		ms := fmt.Sprintf("%dms", latency.Milliseconds())
		bound := float64(walkPages-walkBurst)/walkRate + latency.Seconds()
		s := elapsed[k].Seconds() / float64(b.N)
		b.ReportMetric(s, "s-"+ms)
		b.ReportMetric(s/bound, "ratio-"+ms)
		b.ReportMetric(float64(peak[k]), "peak-"+ms)
		b.ReportMetric(walkRate*latency.Seconds(), "need-"+ms)
		if s/bound > 1.05 {
			b.Logf("goal missed at %v: %.3f x the bound (goal <= 1.05)", latency, s/bound)
		}
	}
	b.ReportMetric(float64(throttled)/float64(b.N), "429s")
}

// BenchmarkWalkOutOfPhase is the concurrent walk of BenchmarkWalk1000Pages when the
// gateway disagrees with the client's limiter from the start: another process on the key
// has just spent the gateway's burst, so the client's full bucket sends 50 requests the
// gateway refuses. The bound is then pages/rate + latency = 5.02 s; goal <= 1.15x. The
// first 429 pauses and empties the client's limiter, so the walk continues in phase with
// the gateway; with a limiter that cannot pause, each refused page backs off alone and the
// ordered window waits for the unluckiest:
//
//	go test -run '^$' -bench WalkOutOfPhase -benchtime 1x -count 10 ./gemclient
func BenchmarkWalkOutOfPhase(b *testing.B) {
	if testing.Short() {
		b.Skip("about 5 s; run without -short")
	}
	const boundSeconds = float64(walkPages)/walkRate + 0.020
	var conc time.Duration
	var conc429 int64
	for range b.N {
		c := walkCandidates(b, walkBurst, 20*time.Millisecond, gemclient.Workers(walkWorkers))
		conc, conc429 = conc+c.elapsed, conc429+c.throttled
	}
	concS := conc.Seconds() / float64(b.N)
	b.ReportMetric(concS, "conc-s")
	b.ReportMetric(boundSeconds, "bound-s")
	b.ReportMetric(concS/boundSeconds, "conc/bound")
	b.ReportMetric(float64(conc429)/float64(b.N), "conc-429s")
	if concS/boundSeconds > 1.15 {
		b.Logf("goal missed: conc/bound %.3f (goal <= 1.15)", concS/boundSeconds)
	}
}

// The walk benchmarks' server and client: 1,000 pages, 200 requests/s with a burst of 50
// on both sides, 16 workers for the concurrent walk of BenchmarkWalk1000Pages.
const (
	walkPages   = 1000
	walkRate    = 200
	walkBurst   = 50
	walkWorkers = 16
)

// walkResult is one walk: its time, the 429s the server sent, and the most requests the
// server had in flight at once.
type walkResult struct {
	elapsed         time.Duration
	throttled, peak int64
}

// walkCandidates walks every page from a server that answers each request after latency
// and enforces walkRate/walkBurst itself (429 beyond), of whose burst another process
// has spent spent tokens, with a client limited to the same walkRate/walkBurst. It fails
// b on any error reaching the caller or any item missing, repeated or out of range.
func walkCandidates(b *testing.B, spent int, latency time.Duration, opts ...gemclient.CallOption) walkResult {
	const (
		pages, size = walkPages, 100
		perSecond   = walkRate
		burst       = walkBurst
		total       = pages * size
	)
	gate := rate.NewLimiter(perSecond, burst) // the server's own limit, fresh each walk
	gate.AllowN(time.Now(), spent)            // what another process on the key spent
	var throttled, inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !gate.Allow() {
			throttled.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"Too Many Requests"}`)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
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
		i, _ := strconv.Atoi(cand.GetID()[1:])
		if i < 1 || i > total || seen[i] {
			b.Fatalf("item %s out of range or repeated", cand.GetID())
		}
		seen[i] = true
		n++
	}
	elapsed := time.Since(start)
	if n != total {
		b.Fatalf("%d items, want %d", n, total)
	}
	return walkResult{elapsed: elapsed, throttled: throttled.Load(), peak: peak.Load()}
}
