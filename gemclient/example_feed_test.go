package gemclient_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// Keeping a copy of Gem: the first pass copies every candidate and project; each later
// pass brings what changed since, in a few requests, and the checkpoint file keeps the
// feed's place across restarts. A service calls feed.Run(ctx, time.Minute, handle) to
// poll on a schedule; here, two passes against the fake Gem.
func ExampleFeed() {
	fake, err := gemtest.New(gemtest.WithSeed("demo"))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := gemclient.New(fake.APIKey(), gemclient.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gem-feed")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	feed, err := gemclient.NewFeed(c, gemclient.FileCheckpoint(filepath.Join(dir, "checkpoint.json")),
		gemclient.ReconcileEvery(60)) // list every id once an hour, to see deletes
	if err != nil {
		log.Fatal(err)
	}
	candidates := map[string]gen.Candidate{}
	projects := map[string]string{}
	handle := func(ctx context.Context, ch gemclient.Change) error {
		// At least once: a change may come again after a failure, with the same ch.Key().
		switch ch.Kind {
		case gemclient.CandidateCreated, gemclient.CandidateUpdated:
			candidates[ch.ID] = *ch.Candidate
		case gemclient.CandidateDeleted:
			delete(candidates, ch.ID)
		case gemclient.ProjectCreated, gemclient.ProjectUpdated:
			projects[ch.ID] = ch.Project.GetName()
		}
		return nil // an error stops the pass; the next one delivers this change again
	}
	ctx := context.Background()
	if err := feed.Poll(ctx, handle); err != nil {
		log.Fatal(err)
	}
	fmt.Println("copied", len(candidates), "candidates and", len(projects), "projects")

	// Someone changes a candidate in Gem; the next pass brings it.
	someone := fake.Candidates()[7].GetID()
	if _, err := c.UpdateCandidate(ctx, someone, gen.CandidateUpdate{Title: gen.Value("Head of Data")}); err != nil {
		log.Fatal(err)
	}
	err = feed.Poll(ctx, func(ctx context.Context, ch gemclient.Change) error {
		fmt.Println(ch.Kind, ch.Candidate.GetTitle())
		return handle(ctx, ch)
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// copied 60 candidates and 5 projects
	// candidate.updated Head of Data
}
