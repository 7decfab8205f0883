package gemclient_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// Against the project's fake Gem (package gemtest), mounted under a path prefix: the
// integration flow of docs/gem-api.md §3 end to end.

func fakeGem(t *testing.T, opts ...gemtest.Option) (*gemtest.Fake, *gemclient.Client, *sleeps) {
	t.Helper()
	fake, err := gemtest.New(opts...)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, fake))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := gemclient.New(fake.APIKey(), gemclient.WithBaseURL(srv.URL+prefix), gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)))
	require.NoError(t, err)
	var rec sleeps
	gemclient.SetSleep(c, rec.sleep)
	return fake, c, &rec
}

func TestWithFakeCreateDuplicateAddToProject(t *testing.T) {
	for _, shape := range []gemtest.DuplicateShape{gemtest.DuplicateObserved, gemtest.DuplicateDocumented} {
		fake, c, _ := fakeGem(t, gemtest.WithDuplicateCandidateShape(shape))
		ctx := context.Background()
		user := fake.DefaultUserID()
		project, err := c.CreateProject(ctx, gen.ProjectCreate{Name: "Backend", UserID: user})
		require.NoError(t, err)

		body := gen.CandidateCreate{CreatedBy: user, LinkedInHandle: gemclient.Ptr("ada-l"),
			FirstName: gemclient.Ptr("Ada"), ProjectIDs: []string{*project.ID}}
		first, created, err := c.CreateOrGetCandidate(ctx, body)
		require.NoError(t, err)
		assert.True(t, created)
		again, created, err := c.CreateOrGetCandidate(ctx, body)
		require.NoError(t, err, "shape %d", shape)
		assert.False(t, created)
		assert.Equal(t, *first.ID, *again.ID)

		other, err := c.CreateCandidate(ctx, gen.CandidateCreate{CreatedBy: user})
		require.NoError(t, err)
		change, err := c.AddToProject(ctx, *project.ID, []string{*first.ID, *other.ID}, "")
		require.NoError(t, err)
		assert.Equal(t, []string{*other.ID}, change.Changed)
		assert.Equal(t, []string{*first.ID}, change.Unchanged, "already added by project_ids at creation")
		assert.ElementsMatch(t, []string{*first.ID, *other.ID}, fake.ProjectCandidateIDs(*project.ID))

		// An id Gem does not know is not "already in the project": the write is lost, and
		// the helper says so.
		_, err = c.AddToProject(ctx, *project.ID, []string{"Y2FuZGlkYXRlczo5OTk5"}, "")
		var merr *gemclient.MembershipError
		require.ErrorAs(t, err, &merr)
		assert.Equal(t, []string{"Y2FuZGlkYXRlczo5OTk5"}, merr.IDs)

		change, err = c.RemoveFromProject(ctx, *project.ID, []string{*other.ID, "Y2FuZGlkYXRlczo5OTk5"}, "")
		require.NoError(t, err)
		assert.Equal(t, []string{*other.ID}, change.Changed)
		assert.Equal(t, []string{*first.ID}, fake.ProjectCandidateIDs(*project.ID))
	}
}

func TestWithFakeListsAndLookups(t *testing.T) {
	fake, c, _ := fakeGem(t)
	ctx := context.Background()
	var created []string
	for i := range 250 {
		cand, err := fake.AddCandidate(gen.CandidateCreate{CreatedBy: fake.DefaultUserID(), FirstName: gemclient.Ptr(fmt.Sprint(i))})
		require.NoError(t, err)
		created = append(created, *cand.ID)
	}
	walk := func(opts ...gemclient.CallOption) []string {
		var ids []string
		for cand, err := range c.ListCandidatesAll(ctx, &gen.ListCandidatesParams{Sort: gemclient.Ptr(gen.SortOrderAsc)}, opts...) {
			require.NoError(t, err)
			ids = append(ids, *cand.ID)
		}
		return ids
	}
	assert.Equal(t, created, walk())
	assert.Equal(t, created, walk(gemclient.Workers(4), gemclient.PageSize(30)))

	want := append(slices.Clone(created[200:]), created[3]) // 51 ids: three requests
	got, err := c.GetCandidatesByIDs(ctx, append(slices.Clone(want), "Y2FuZGlkYXRlczo5OTk5OQ=="))
	require.NoError(t, err)
	var gotIDs []string
	for _, cand := range got {
		gotIDs = append(gotIDs, *cand.ID)
	}
	assert.Equal(t, want, gotIDs)

	_, err = c.GetCandidate(ctx, "Y2FuZGlkYXRlczo5OTk5OQ==")
	assert.True(t, gemclient.IsNotFound(err), err)

	_, _, err = c.ListCandidateEvents(ctx, created[0], nil)
	assert.True(t, gemclient.IsForbidden(err))
	assert.Contains(t, err.Error(), "Gem has deprecated this endpoint")

	res, err := c.UploadResumeFile(ctx, created[0], fake.DefaultUserID(), "cv.pdf", bytes.NewReader([]byte("%PDF-1.4 resume")))
	require.NoError(t, err)
	assert.Equal(t, "cv.pdf", *res.Filename)
}

// The fake's gateway throttles at 5/s with Retry-After; the client retries after the
// delay it names (the sleep hook moves the fake's clock instead of sleeping).
func TestWithFakeRateLimitIsRetried(t *testing.T) {
	clock := gemtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fake, c, _ := fakeGem(t, gemtest.WithClock(clock.Now), gemtest.WithRateLimit(5, 5), gemtest.WithRetryAfter())
	var waited time.Duration
	gemclient.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waited += d
		clock.Advance(d)
		return nil
	})
	for range 12 {
		_, _, err := c.ListUsers(context.Background(), nil)
		require.NoError(t, err)
	}
	stats := fake.Stats()
	assert.Positive(t, stats.RateLimited)
	assert.Equal(t, int64(12)+stats.RateLimited, stats.Requests)
	assert.Positive(t, waited)
}
