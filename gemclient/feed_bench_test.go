package gemclient_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/gem-go/gem-go/gemclient"
)

// slowTransport adds latency to every request, as the distance to Gem would.
type slowTransport struct {
	next    http.RoundTripper
	latency time.Duration
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	time.Sleep(s.latency)
	return s.next.RoundTrip(r)
}

// BenchmarkFeedPass measures what a feed pass costs among 50,000 stored candidates, after
// N = 0, 100 and 10,000 of them were updated, against walking them all
// (ListCandidatesAll, default options), with 20 ms added to every request and the
// client's limiter at 200 requests/s, burst 50. The feed follows candidates created and
// updated (two lists); its first pass, which copies the 50,000, is not measured. Reported
// per scenario: requests (req-N...) and milliseconds (ms-N...), the walk's (req-walk,
// ms-walk), and the time of the 10,000-change pass against the walk's. Goal: about
// ceil(N/100)+1 requests, not a walk. About 30 s a run:
//
//	go test -run '^$' -bench FeedPass -benchtime 1x -count 3 ./gemclient
func BenchmarkFeedPass(b *testing.B) {
	if testing.Short() {
		b.Skip("about 30 s; run without -short")
	}
	const stored = 50_000
	g := newFeedGem(b, feedEpoch)
	ids := g.seed(b, stored)
	g.clock.Advance(time.Hour)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	slow, err := gemclient.New(g.srv.APIKey, gemclient.WithBaseURL(g.srv.URL), gemclient.WithRateLimit(200, 50),
		gemclient.WithHTTPClient(&http.Client{Transport: slowTransport{transport, 20 * time.Millisecond}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	feed, err := gemclient.NewFeed(slow, gemclient.FileCheckpoint(filepath.Join(b.TempDir(), "feed.json")),
		gemclient.Follow(gemclient.CandidateCreated, gemclient.CandidateUpdated))
	if err != nil {
		b.Fatal(err)
	}
	delivered := 0
	count := func(context.Context, gemclient.Change) error { delivered++; return nil }
	if err := feed.Poll(ctx, count); err != nil {
		b.Fatal(err)
	}
	if delivered != stored {
		b.Fatalf("first pass delivered %d, want %d", delivered, stored)
	}
	// measure runs f and returns its requests and time.
	measure := func(f func()) (int64, time.Duration) {
		before, start := g.requests(), time.Now()
		f()
		return g.requests() - before, time.Since(start)
	}
	next := 0 // the next candidate to update
	update := func(n int) {
		batch := make([]string, n)
		for i := range batch {
			batch[i] = ids[(next+i)%stored]
		}
		next += n
		g.update(b, batch, fmt.Sprint("Title ", next))
	}
	scenarios := []int{0, 100, 10_000}
	reqs := map[int]int64{}
	took := map[int]time.Duration{}
	var walkReqs int64
	var walkTook time.Duration
	b.ResetTimer()
	for range b.N {
		for _, n := range scenarios {
			b.StopTimer()
			g.clock.Advance(5 * time.Minute) // the last pass's overlap is over
			update(n)
			g.clock.Advance(5 * time.Minute)
			delivered = 0
			b.StartTimer()
			r, d := measure(func() {
				if err := feed.Poll(ctx, count); err != nil {
					b.Fatal(err)
				}
			})
			if delivered != n {
				b.Fatalf("N=%d: %d changes delivered", n, delivered)
			}
			reqs[n], took[n] = reqs[n]+r, took[n]+d
		}
		r, d := measure(func() {
			n := 0
			for _, err := range slow.ListCandidatesAll(ctx, nil) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != stored {
				b.Fatalf("the walk read %d", n)
			}
		})
		walkReqs, walkTook = walkReqs+r, walkTook+d
	}
	per := func(v int64) float64 { return float64(v) / float64(b.N) }
	ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	for _, n := range scenarios {
		b.ReportMetric(per(reqs[n]), fmt.Sprintf("req-N%d", n))
		b.ReportMetric(ms(took[n]), fmt.Sprintf("ms-N%d", n))
	}
	b.ReportMetric(per(walkReqs), "req-walk")
	b.ReportMetric(ms(walkTook), "ms-walk")
	b.ReportMetric(float64(took[10_000])/float64(walkTook), "N10000/walk")
}
