package gemtest_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// last_updated_at and updated_after agree: a candidate never updated has null and is not
// found by updated_after (the default), or has its creation time and is found
// (WithLastUpdatedOnCreate); an update sets both, strict or inclusive.
func TestLastUpdatedAtAndUpdatedAfterAgree(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []gemtest.Option
		onCreate bool
	}{
		{"null until updated", nil, false},
		{"set on create", []gemtest.Option{gemtest.WithLastUpdatedOnCreate()}, true},
		{"null until updated, inclusive", []gemtest.Option{gemtest.WithInclusiveTimeFilters()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, clock := start(t, tc.opts...)
			c := client(t, srv)
			ctx := context.Background()
			fresh := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
			changed := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
			clock.Advance(time.Hour)
			r := call(t, srv, http.MethodPut, "/v0/candidates/"+changed, object{"title": "CTO"})
			require.Equal(t, http.StatusOK, r.status)

			got, _ := srv.Fake.Candidate(fresh)
			if tc.onCreate {
				assert.Equal(t, epoch, got.LastUpdatedAt.Time())
			} else {
				assert.Nil(t, got.LastUpdatedAt)
			}
			got, _ = srv.Fake.Candidate(changed)
			assert.Equal(t, epoch.Add(time.Hour), got.LastUpdatedAt.Time())

			updatedAfter := func(ts time.Time) []string {
				items, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{UpdatedAfter: gemclient.Ptr(gen.UnixTimeOf(ts)), Sort: gemclient.Ptr(gen.SortOrderAsc)})
				require.NoError(t, err)
				var ids []string
				for _, it := range items {
					ids = append(ids, it.GetID())
				}
				return ids
			}
			want := []string{changed}
			if tc.onCreate {
				want = []string{fresh, changed}
			}
			assert.Equal(t, want, updatedAfter(epoch.Add(-time.Second)))
			assert.Equal(t, []string{changed}, updatedAfter(epoch.Add(time.Minute)))
		})
	}
}

// The Date header follows the fake's clock, like the times in its bodies.
func TestDateHeaderFollowsTheFakesClock(t *testing.T) {
	srv, clock := start(t)
	r := call(t, srv, http.MethodGet, "/v0/users", nil)
	date, err := http.ParseTime(r.header.Get("Date"))
	require.NoError(t, err)
	assert.Equal(t, epoch, date)
	clock.Advance(90 * time.Minute)
	r = call(t, srv, http.MethodGet, "/v0/nowhere", nil)
	date, err = http.ParseTime(r.header.Get("Date"))
	require.NoError(t, err)
	assert.Equal(t, epoch.Add(90*time.Minute), date, "errors too")
}

// Churn every n-th request is deterministic: the same seed and requests make the same
// changes, each as the API makes it, and the clock moves by Step per change.
func TestChurnEveryRequests(t *testing.T) {
	run := func() ([]gen.Candidate, []gen.Project, []gen.ProjectCandidateMembershipLog, gemtest.ChurnStats, time.Time) {
		clock := gemtest.NewManualClock(epoch)
		srv, _ := start(t, gemtest.WithClock(clock.Now), gemtest.WithChurn(gemtest.Churn{
			EveryRequests: 2, Batch: 3, Seed: 7, Clock: clock, Step: 100 * time.Millisecond,
		}))
		project, err := srv.Fake.AddProject(gen.ProjectCreate{Name: "P", UserID: srv.UserID})
		require.NoError(t, err)
		for range 30 {
			require.NoError(t, firstErr(srv.Fake.AddCandidate(gen.CandidateCreate{CreatedBy: srv.UserID, ProjectIDs: []string{*project.ID}})))
		}
		for range 40 {
			call(t, srv, http.MethodGet, "/v0/users", nil)
		}
		return srv.Fake.Candidates(), srv.Fake.Projects(), srv.Fake.MembershipLog(), srv.Fake.ChurnStats(), clock.Now()
	}
	cands, projects, log, stats, now := run()
	// 40 requests, a batch every 2: 20 batches of 3 changes tried (the clock shows all 60);
	// an addition of a member or a removal from an empty project changes nothing and does
	// not count, so at most 60 are made.
	assert.LessOrEqual(t, stats.Total(), 20*3, "%+v", stats)
	assert.Equal(t, epoch.Add(6*time.Second), now, "a step per change tried")
	for _, n := range []int{stats.Creates, stats.Updates, stats.Deletes, stats.Adds, stats.Removes, stats.ProjectCreates, stats.ProjectUpdates} {
		assert.Positive(t, n, "every kind happens: %+v", stats)
	}
	assert.Equal(t, 30+stats.Creates-stats.Deletes, len(cands))
	for _, c := range cands {
		if c.LastUpdatedAt != nil {
			assert.False(t, c.LastUpdatedAt.Time().Before(c.CreatedAt.Time()))
		}
	}
	c2, p2, l2, s2, _ := run()
	assert.Equal(t, stats, s2)
	assert.Equal(t, cands, c2, "the same seed and requests: the same changes")
	assert.Equal(t, projects, p2)
	assert.Equal(t, log, l2)
}

// ChurnNow makes the changes asked for, with WithChurn's weights, after StopChurn too;
// StopChurn stops the triggers.
func TestChurnNowAndStop(t *testing.T) {
	srv, _ := start(t, gemtest.WithChurn(gemtest.Churn{EveryRequests: 1, Updates: 1, Seed: 1}))
	for range 5 {
		require.NoError(t, firstErr(srv.Fake.AddCandidate(gen.CandidateCreate{CreatedBy: srv.UserID})))
	}
	srv.Fake.StopChurn()
	call(t, srv, http.MethodGet, "/v0/users", nil)
	assert.Zero(t, srv.Fake.ChurnStats().Total(), "stopped before any request")
	made := srv.Fake.ChurnNow(7)
	assert.Equal(t, gemtest.ChurnStats{Updates: 7}, made)
	updated := slices.DeleteFunc(srv.Fake.Candidates(), func(c gen.Candidate) bool { return c.LastUpdatedAt == nil })
	assert.NotEmpty(t, updated)
	srv.Fake.StopChurn() // again: nothing happens
}

// Churn at a rate runs on its own until stopped; a bounded wait for its first changes.
func TestChurnAtARate(t *testing.T) {
	srv, _ := start(t, gemtest.WithChurn(gemtest.Churn{Rate: 200, Creates: 1}))
	deadline := time.Now().Add(10 * time.Second)
	for srv.Fake.ChurnStats().Creates < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	srv.Fake.StopChurn()
	stopped := srv.Fake.ChurnStats()
	assert.GreaterOrEqual(t, stopped.Creates, 3)
	assert.Equal(t, stopped.Creates, srv.Fake.CandidateCount())
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, stopped, srv.Fake.ChurnStats(), "nothing after StopChurn")
}

func firstErr[T any](_ T, err error) error { return err }
