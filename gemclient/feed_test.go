package gemclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// feedEpoch is the fake's clock in the feed tests: far from this machine's clock, which the
// feed must never read for its cursors.
var feedEpoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// feedGem is a fake Gem for the feed tests: a manual clock, no rate limit, and a client
// that counts its requests through the fake's stats.
type feedGem struct {
	srv   *gemtest.Server
	fake  *gemtest.Fake
	clock *gemtest.ManualClock
	c     *gemclient.Client
	user  string
}

func newFeedGem(t testing.TB, start time.Time, opts ...gemtest.Option) *feedGem {
	t.Helper()
	clock := gemtest.NewManualClock(start)
	base := []gemtest.Option{gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now)}
	srv := gemtest.NewServer(t, append(base, opts...)...)
	return &feedGem{srv: srv, fake: srv.Fake, clock: clock, c: feedClient(t, srv), user: srv.UserID}
}

// feedClient is a client of srv without client-side pacing.
func feedClient(t testing.TB, srv *gemtest.Server) *gemclient.Client {
	t.Helper()
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)))
	require.NoError(t, err)
	return c
}

// seed adds n candidates, one a second, and returns their ids.
func (g *feedGem) seed(t testing.TB, n int, projects ...string) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		c, err := g.fake.AddCandidate(gen.CandidateCreate{CreatedBy: g.user, FirstName: gemclient.Ptr(fmt.Sprintf("Seed %d", i)), ProjectIDs: projects})
		require.NoError(t, err)
		ids[i] = *c.ID
		g.clock.Advance(time.Second)
	}
	return ids
}

func (g *feedGem) project(t testing.TB, name string) string {
	t.Helper()
	p, err := g.fake.AddProject(gen.ProjectCreate{Name: name, UserID: g.user})
	require.NoError(t, err)
	return *p.ID
}

func (g *feedGem) requests() int64 { return g.fake.Stats().Requests }

// update gives the candidates ids a new title, through the API, eight at a time.
func (g *feedGem) update(t testing.TB, ids []string, title string) {
	t.Helper()
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				if _, err := g.c.UpdateCandidate(context.Background(), id, gen.CandidateUpdate{Title: gen.Value(title)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
}

// mirror is what a service keeping a copy of Gem builds from a feed's changes, and what
// it was given: every Key with the number of times it was delivered.
type mirror struct {
	mu         sync.Mutex
	candidates map[string]gen.Candidate
	projects   map[string]gen.Project
	members    map[string]map[string]bool // project → candidates
	keys       map[string]int
	kinds      map[gemclient.ChangeKind]int
	order      []string // keys in delivery order
}

func newMirror() *mirror {
	return &mirror{candidates: map[string]gen.Candidate{}, projects: map[string]gen.Project{},
		members: map[string]map[string]bool{}, keys: map[string]int{}, kinds: map[gemclient.ChangeKind]int{}}
}

// apply is a feed handler.
func (m *mirror) apply(_ context.Context, ch gemclient.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[ch.Key()]++
	m.kinds[ch.Kind]++
	m.order = append(m.order, ch.Key())
	switch ch.Kind {
	case gemclient.CandidateCreated, gemclient.CandidateUpdated:
		m.candidates[ch.ID] = *ch.Candidate
	case gemclient.CandidateDeleted:
		delete(m.candidates, ch.ID)
		for _, set := range m.members {
			delete(set, ch.ID) // a deleted candidate leaves its projects without a log entry
		}
	case gemclient.ProjectCreated, gemclient.ProjectUpdated:
		m.projects[ch.ID] = *ch.Project
	case gemclient.MembershipAdded:
		if m.members[ch.ProjectID] == nil {
			m.members[ch.ProjectID] = map[string]bool{}
		}
		m.members[ch.ProjectID][ch.ID] = true
	case gemclient.MembershipRemoved:
		delete(m.members[ch.ProjectID], ch.ID)
	default:
		return fmt.Errorf("unexpected change %s", ch.Key())
	}
	return nil
}

// repeated returns the keys delivered more than once.
func (m *mirror) repeated() []string {
	var out []string
	for k, n := range m.keys {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	slices.Sort(out)
	return out
}

// canonical is a candidate as the candidate lists report its changes, in JSON (empty
// and absent lists alike): its project_ids move with memberships, which are followed as
// membership changes.
func canonical(c gen.Candidate) string {
	c.ProjectIDs = nil
	data, _ := json.Marshal(c)
	return string(data)
}

// assertMirrors checks that m holds exactly what the fake holds: candidates (their
// project_ids aside), projects, and the members of the watched projects.
func assertMirrors(t *testing.T, m *mirror, g *feedGem, watched []string) {
	t.Helper()
	want := map[string]string{}
	for _, c := range g.fake.Candidates() {
		want[*c.ID] = canonical(c)
	}
	got := map[string]string{}
	for id, c := range m.candidates {
		got[id] = canonical(c)
	}
	assert.Equal(t, len(want), len(got), "candidates")
	for id, c := range want {
		if !assert.Equal(t, c, got[id], "candidate %s", id) {
			break
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("candidate %s is in the mirror, not in Gem", id)
			break
		}
	}
	wantProjects, gotProjects := map[string]string{}, map[string]string{}
	for _, p := range g.fake.Projects() {
		data, _ := json.Marshal(p)
		wantProjects[*p.ID] = string(data)
	}
	for id, p := range m.projects {
		data, _ := json.Marshal(p)
		gotProjects[id] = string(data)
	}
	assert.Equal(t, wantProjects, gotProjects, "projects")
	for _, p := range watched {
		want := map[string]bool{}
		for _, id := range g.fake.ProjectCandidateIDs(p) {
			want[id] = true
		}
		got := maps.Clone(m.members[p])
		if got == nil {
			got = map[string]bool{}
		}
		assert.Equal(t, want, got, "members of %s", p)
	}
}

func newFeed(t testing.TB, c *gemclient.Client, store gemclient.CheckpointStore, opts ...gemclient.FeedOption) *gemclient.Feed {
	t.Helper()
	if store == nil {
		store = gemclient.FileCheckpoint(filepath.Join(t.TempDir(), "feed.json"))
	}
	f, err := gemclient.NewFeed(c, store, opts...)
	require.NoError(t, err)
	return f
}

// The first pass copies everything, as created, once; a pass after nothing changed
// delivers nothing and costs one request per list.
func TestFeedFirstPassCopiesGem(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	projects := []string{g.project(t, "Backend"), g.project(t, "Design")}
	g.seed(t, 150, projects[0])
	g.seed(t, 120, projects[1])
	g.clock.Advance(time.Minute)
	m := newMirror()
	f := newFeed(t, g.c, nil, gemclient.WatchProjects(projects...))
	require.NoError(t, f.Poll(context.Background(), m.apply))
	assertMirrors(t, m, g, projects)
	assert.Empty(t, m.repeated())
	assert.Equal(t, map[gemclient.ChangeKind]int{gemclient.CandidateCreated: 270, gemclient.ProjectCreated: 2, gemclient.MembershipAdded: 270}, m.kinds)

	g.clock.Advance(2 * time.Minute)
	before := g.requests()
	require.NoError(t, f.Poll(context.Background(), m.apply))
	assert.Equal(t, int64(3+len(projects)), g.requests()-before, "idle: candidates created, updated, projects, one per watched project")
	assert.Equal(t, 272+270, len(m.order), "nothing more delivered")
}

// feedWorld is one way Gem may behave where the reference is silent, for the feed's
// guarantees to hold under each (docs/gem-api.md §2.3, §2.4, §1.15).
type feedWorld struct {
	name string
	opts []gemtest.Option
}

// feedWorlds are the combinations of strict or inclusive filters, either default order
// and last_updated_at set on create or not: all eight, or (half) four that take each
// value of each twice.
func feedWorlds(half bool) []feedWorld {
	var out []feedWorld
	for _, inclusive := range []bool{false, true} {
		for _, sort := range []gen.SortOrder{gen.SortOrderDesc, gen.SortOrderAsc} {
			for _, onCreate := range []bool{false, true} {
				if half && onCreate != (inclusive != (sort == gen.SortOrderAsc)) {
					continue
				}
				w := feedWorld{name: "strict", opts: []gemtest.Option{gemtest.WithDefaultSort(sort)}}
				if inclusive {
					w.name, w.opts = "inclusive", append(w.opts, gemtest.WithInclusiveTimeFilters())
				}
				w.name += "/" + string(sort)
				if onCreate {
					w.name, w.opts = w.name+"/updated-on-create", append(w.opts, gemtest.WithLastUpdatedOnCreate())
				}
				out = append(out, w)
			}
		}
	}
	return out
}

// Nothing lost, nothing delivered twice, while Gem changes during every pass: candidates
// created, updated and deleted, members added and removed, projects created and renamed,
// several changes a second (offset pages shift under the walks), under strict and
// inclusive filters, either default order, last_updated_at set on create or not. Then,
// with the churn stopped and the overlap passed, the copy is Gem.
func TestFeedUnderChurn(t *testing.T) {
	for _, w := range feedWorlds(false) {
		t.Run(w.name, func(t *testing.T) {
			// Before every request the fake serves, two changes, 100 ms apart by its clock:
			// several a second, during every pass (seeding is not a request).
			clock := gemtest.NewManualClock(feedEpoch)
			churn := gemtest.Churn{EveryRequests: 1, Batch: 2, Seed: 42, Clock: clock, Step: 100 * time.Millisecond}
			g := newFeedGem(t, feedEpoch, append(w.opts, gemtest.WithClock(clock.Now), gemtest.WithChurn(churn))...)
			g.clock = clock
			projects := []string{g.project(t, "A"), g.project(t, "B"), g.project(t, "C")}
			g.seed(t, 200, projects[0])
			g.seed(t, 200, projects[1], projects[2])
			g.seed(t, 200)
			m := newMirror()
			f := newFeed(t, g.c, nil, gemclient.WatchProjects(projects...), gemclient.ReconcileEvery(3))
			ctx := context.Background()
			for pass := range 10 {
				require.NoError(t, f.Poll(ctx, m.apply), "pass %d", pass)
			}
			g.fake.StopChurn()
			g.clock.Advance(2 * time.Minute)
			for range 3 { // a reconcile pass among them
				require.NoError(t, f.Poll(ctx, m.apply))
			}
			assertMirrors(t, m, g, projects)
			assert.Empty(t, m.repeated(), "no change delivered twice")
			st := g.fake.ChurnStats()
			bands, seconds := gemclient.FeedRereads(f)
			// How often a walk was disturbed depends on how the changes fall between its
			// requests; TestReadListDetectsAShift makes it happen for certain.
			t.Logf("%d changes made (%+v); lists read again as bands %d, seconds walked %d; delivered %v", st.Total(), st, bands, seconds, m.kinds)
			assert.Positive(t, m.kinds[gemclient.CandidateDeleted])
			assert.Positive(t, m.kinds[gemclient.MembershipRemoved])
		})
	}
}

// Many changes within one second: 350 candidates created in one second, 250 of them
// updated in another, 200 added to a project and 60 removed in a third, with churn
// during the passes. Under strict and inclusive filters, nothing lost, nothing twice.
func TestFeedManyChangesWithinOneSecond(t *testing.T) {
	for _, w := range feedWorlds(true) {
		t.Run(w.name, func(t *testing.T) {
			// Every third request, a change of any kind but project creation: most hit the
			// bulk second's candidates, while the feed walks them.
			churn := gemtest.Churn{EveryRequests: 3, Seed: 5, Updates: 2, Deletes: 1, Adds: 1, Removes: 1, Creates: 1}
			g := newFeedGem(t, feedEpoch, append(w.opts, gemtest.WithChurn(churn))...)
			g.fake.StopChurn() // until the bulk changes are made
			ctx := context.Background()
			project := g.project(t, "Bulk")
			ids := g.seed(t, 0)
			for i := range 350 {
				c, err := g.fake.AddCandidate(gen.CandidateCreate{CreatedBy: g.user, FirstName: gemclient.Ptr(fmt.Sprint("Same second ", i))})
				require.NoError(t, err)
				ids = append(ids, *c.ID)
			}
			m := newMirror()
			f := newFeed(t, g.c, nil, gemclient.WatchProjects(project), gemclient.ReconcileEvery(1))
			require.NoError(t, f.Poll(ctx, m.apply), "the second is not over: nothing yet")
			g.clock.Advance(10 * time.Second)
			g.update(t, ids[:250], "Bulk-updated")
			g.clock.Advance(10 * time.Second)
			_, err := g.c.AddToProject(ctx, project, ids[:200], "")
			require.NoError(t, err)
			_, err = g.c.RemoveFromProject(ctx, project, ids[100:160], "")
			require.NoError(t, err)
			g.clock.Advance(10 * time.Second)
			// A change of the bulk second just before the pass: the updated list cannot tell
			// it from a change during its walk, and reads the second again, for certain.
			_, err = g.c.UpdateCandidate(ctx, ids[300], gen.CandidateUpdate{Title: gen.Value("Just now")})
			require.NoError(t, err)
			g.fake.StartChurn()
			for range 3 {
				if err := f.Poll(ctx, m.apply); err != nil {
					// A second that keeps changing under the walks may stay unread for a
					// pass; nothing of it is delivered and the next pass reads it again.
					require.ErrorIs(t, err, gemclient.ErrIncomplete)
				}
			}
			g.fake.StopChurn()
			g.clock.Advance(2 * time.Minute)
			require.NoError(t, f.Poll(ctx, m.apply))
			assertMirrors(t, m, g, []string{project})
			assert.Empty(t, m.repeated())
			st := g.fake.ChurnStats()
			bands, seconds := gemclient.FeedRereads(f)
			t.Logf("churn %+v; lists read again as bands %d, seconds walked %d; delivered %v", st, bands, seconds, m.kinds)
			assert.GreaterOrEqual(t, m.kinds[gemclient.CandidateCreated], 350-st.Deletes)
			assert.GreaterOrEqual(t, m.kinds[gemclient.MembershipAdded], 200)
			assert.GreaterOrEqual(t, m.kinds[gemclient.MembershipRemoved], 60)
			assert.Positive(t, seconds, "the bulk second was walked again")
		})
	}
}

// The client's clock is minutes (or years) off Gem's: the cursors follow Gem's Date
// header, so nothing is lost or repeated, and the checkpoint holds Gem's times.
func TestFeedClientClockOff(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	for _, skew := range []time.Duration{-7 * time.Minute, 7 * time.Minute, -2 * 365 * 24 * time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			gemNow := now.Add(skew)
			clock := gemtest.NewManualClock(gemNow)
			g := newFeedGem(t, gemNow, gemtest.WithClock(clock.Now),
				gemtest.WithChurn(gemtest.Churn{EveryRequests: 1, Batch: 2, Seed: 3, Clock: clock, Step: 200 * time.Millisecond}))
			g.clock = clock
			project := g.project(t, "P")
			g.seed(t, 150, project)
			path := filepath.Join(t.TempDir(), "feed.json")
			m := newMirror()
			f := newFeed(t, g.c, gemclient.FileCheckpoint(path), gemclient.WatchProjects(project), gemclient.ReconcileEvery(2))
			for range 6 {
				require.NoError(t, f.Poll(context.Background(), m.apply))
				g.clock.Advance(20 * time.Second)
			}
			g.fake.StopChurn()
			g.clock.Advance(2 * time.Minute)
			require.NoError(t, f.Poll(context.Background(), m.apply))
			require.NoError(t, f.Poll(context.Background(), m.apply))
			assertMirrors(t, m, g, []string{project})
			assert.Empty(t, m.repeated())

			ck := readCheckpoint(t, path)
			gemTime := g.clock.Now()
			for _, name := range []string{"candidates_created_cursor", "candidates_updated_cursor"} {
				at := time.Unix(int64(ck[name].(float64)), 0)
				assert.WithinRange(t, at, gemTime.Add(-time.Minute), gemTime, "%s follows Gem's clock, not this machine's", name)
			}
		})
	}
}

// readCheckpoint decodes a file checkpoint's JSON.
func readCheckpoint(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := gemclient.FileCheckpoint(path).Load(context.Background())
	require.NoError(t, err)
	var ck map[string]any
	require.NoError(t, json.Unmarshal(data, &ck))
	return ck
}

// A handler error ends the pass; the next pass delivers again from the change it refused,
// with the same Key, and skips nothing; what the handler accepted is not delivered again.
func TestFeedHandlerErrorRedelivers(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	project := g.project(t, "P")
	g.seed(t, 230, project)
	g.clock.Advance(time.Minute)
	m := newMirror()
	f := newFeed(t, g.c, nil, gemclient.WatchProjects(project))
	refuse := errors.New("warehouse unavailable")
	var refused []string
	failing := func(n int) func(context.Context, gemclient.Change) error {
		calls := 0
		return func(ctx context.Context, ch gemclient.Change) error {
			calls++
			if calls == n {
				refused = append(refused, ch.Key())
				return refuse
			}
			return m.apply(ctx, ch)
		}
	}
	err := f.Poll(context.Background(), failing(120))
	require.ErrorIs(t, err, refuse)
	assert.Len(t, m.order, 119)
	err = f.Poll(context.Background(), failing(200))
	require.ErrorIs(t, err, refuse)
	assert.Equal(t, refused[0], m.order[119], "the refused change comes first again, with the same Key")
	require.NoError(t, f.Poll(context.Background(), m.apply))
	assert.Equal(t, refused[1], m.order[119+199])
	assertMirrors(t, m, g, []string{project})
	assert.Empty(t, m.repeated(), "what was accepted is not delivered again")
	assert.Len(t, m.order, 1+230+230)
}

// failingStore fails its Saves while failing is set, like a process that dies after
// delivering and before its checkpoint is written.
type failingStore struct {
	gemclient.CheckpointStore
	mu      sync.Mutex
	failing bool
}

func (s *failingStore) Save(ctx context.Context, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		return errors.New("crashed before the checkpoint was written")
	}
	return s.CheckpointStore.Save(ctx, data)
}

// A crash between delivery and checkpoint: the next process delivers again everything
// the lost pass delivered, with the same Keys, and nothing is skipped.
func TestFeedCrashBeforeCheckpointRedelivers(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	project := g.project(t, "P")
	ids := g.seed(t, 150, project)
	g.clock.Advance(time.Minute)
	store := &failingStore{CheckpointStore: gemclient.FileCheckpoint(filepath.Join(t.TempDir(), "feed.json"))}
	m := newMirror()
	require.NoError(t, newFeed(t, g.c, store, gemclient.WatchProjects(project)).Poll(context.Background(), m.apply))

	g.update(t, ids[:120], "Director")
	g.clock.Advance(time.Minute)
	store.failing = true
	lost := newMirror()
	err := newFeed(t, g.c, store, gemclient.WatchProjects(project)).Poll(context.Background(), lost.apply)
	require.Error(t, err)
	assert.Equal(t, 120, lost.kinds[gemclient.CandidateUpdated])

	store.failing = false // the process restarts
	again := newMirror()
	require.NoError(t, newFeed(t, feedClient(t, g.srv), store, gemclient.WatchProjects(project)).Poll(context.Background(), again.apply))
	assert.Equal(t, lost.order, again.order, "the same changes, in the same order, with the same Keys")
	for _, ch := range again.candidates {
		m.candidates[*ch.ID] = ch
	}
	assertMirrors(t, m, g, []string{project})
}

// The file checkpoint survives a restart: a new process (client and feed) delivers only
// what changed since.
func TestFeedRestartReadsOnlyNewChanges(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	ids := g.seed(t, 140)
	g.clock.Advance(time.Minute)
	path := filepath.Join(t.TempDir(), "feed.json")
	m := newMirror()
	require.NoError(t, newFeed(t, g.c, gemclient.FileCheckpoint(path)).Poll(context.Background(), m.apply))
	assert.Equal(t, 140, m.kinds[gemclient.CandidateCreated])

	g.clock.Advance(5 * time.Minute)
	_, err := g.c.UpdateCandidate(context.Background(), ids[7], gen.CandidateUpdate{Title: gen.Value("CTO")})
	require.NoError(t, err)
	created := g.seed(t, 3)
	g.clock.Advance(time.Minute)
	after := newMirror()
	require.NoError(t, newFeed(t, feedClient(t, g.srv), gemclient.FileCheckpoint(path)).Poll(context.Background(), after.apply))
	want := []string{created[0], created[1], created[2], ids[7]}
	var got []string
	for _, k := range after.order {
		parts := strings.Split(k, "/") // kind/id/version
		got = append(got, parts[1])
		kind := gemclient.CandidateCreated
		if parts[1] == ids[7] {
			kind = gemclient.CandidateUpdated
		}
		assert.Equal(t, string(kind), parts[0])
	}
	assert.Equal(t, want, got)
}

// What a pass costs: one request per list when idle; after N updates among the stored
// candidates, ceil(N/100) pages, one request to check that nobody changed a candidate
// while they were read, and one for the created list.
func TestFeedPassCost(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	projects := []string{g.project(t, "A"), g.project(t, "B"), g.project(t, "C")}
	ids := g.seed(t, 1000, projects[0])
	g.clock.Advance(time.Minute)
	ctx := context.Background()
	m := newMirror()
	f := newFeed(t, g.c, nil, gemclient.WatchProjects(projects...))
	require.NoError(t, f.Poll(ctx, m.apply))
	pass := func() int64 {
		g.clock.Advance(5 * time.Minute)
		before := g.requests()
		require.NoError(t, f.Poll(ctx, m.apply))
		return g.requests() - before
	}
	pass()
	assert.Equal(t, int64(2+1+3), pass(), "idle: created, updated, projects, 3 membership logs")
	for _, n := range []int{100, 250} {
		g.clock.Advance(5 * time.Minute)
		g.update(t, ids[:n], fmt.Sprint("Title ", n))
		updated := m.kinds[gemclient.CandidateUpdated]
		want := int64(2 + 1 + 3) // one page each
		if n > 100 {
			want += int64((n+99)/100-1) + 1 // more pages, and the check
		}
		assert.Equal(t, want, pass(), "after %d updates", n)
		assert.Equal(t, n, m.kinds[gemclient.CandidateUpdated]-updated)
	}
	assert.Empty(t, m.repeated())
}

// A candidate deleted is reported once a reconcile pass lists the ids, and only then;
// a listing shifted by deletions while it is read reports no live candidate as deleted.
func TestFeedReconcileReportsOnlyTheDeleted(t *testing.T) {
	churn := gemtest.Churn{EveryRequests: 1, Batch: 2, Deletes: 1, Seed: 9}
	g := newFeedGem(t, feedEpoch, gemtest.WithChurn(churn))
	g.fake.StopChurn()
	g.seed(t, 700)
	g.clock.Advance(time.Minute)
	m := newMirror()
	f := newFeed(t, g.c, nil, gemclient.Follow(gemclient.CandidateCreated, gemclient.CandidateDeleted), gemclient.ReconcileEvery(2))
	ctx := context.Background()
	require.NoError(t, f.Poll(ctx, m.apply)) // copies; learns the ids
	assert.Zero(t, m.kinds[gemclient.CandidateDeleted])
	g.fake.StartChurn() // two deletes before every request from now on
	require.NoError(t, f.Poll(ctx, m.apply), "pass 2 reconciles, while its listing shifts")
	g.fake.StopChurn()
	deleted := m.kinds[gemclient.CandidateDeleted]
	assert.Positive(t, deleted)
	for id := range m.keys {
		parts := strings.Split(id, "/")
		if parts[0] == string(gemclient.CandidateDeleted) {
			_, alive := g.fake.Candidate(parts[1])
			assert.False(t, alive, "%s reported deleted and alive", parts[1])
		}
	}
	require.NoError(t, f.Poll(ctx, m.apply))
	require.NoError(t, f.Poll(ctx, m.apply)) // reconciles again: the deletes of pass 2
	assertMirrors(t, m, g, nil)
	assert.Equal(t, g.fake.ChurnStats().Deletes, m.kinds[gemclient.CandidateDeleted])
	assert.Empty(t, m.repeated())
}

// shuffled serves the fake's lists with each page's items in a random order and the
// sort parameter ignored: the feed relies on no order.
func shuffled(t *testing.T, fake http.Handler) http.Handler {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Del("sort")
		r.URL.RawQuery = q.Encode()
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var items []json.RawMessage
		if r.Method == http.MethodGet && json.Unmarshal(body, &items) == nil {
			mu.Lock()
			rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
			mu.Unlock()
			body, _ = json.Marshal(items)
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// Pages in no order, and no Date header: still nothing lost or repeated (without a Date
// the cursors advance to the newest change read).
func TestFeedReliesOnNoOrderAndNoDate(t *testing.T) {
	for _, noDate := range []bool{false, true} {
		t.Run(fmt.Sprintf("without Date %v", noDate), func(t *testing.T) {
			clock := gemtest.NewManualClock(feedEpoch)
			fake, err := gemtest.New(gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now), gemtest.WithDefaultSort(gen.SortOrderAsc),
				gemtest.WithChurn(gemtest.Churn{EveryRequests: 2, Seed: 11, Clock: clock, Step: 300 * time.Millisecond}))
			require.NoError(t, err)
			fake.StopChurn()
			h := shuffled(t, fake)
			if noDate {
				inner := h
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Date"] = nil // net/http adds none then
					inner.ServeHTTP(noDateWriter{w}, r)
				})
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			c, err := gemclient.New(fake.APIKey(), gemclient.WithBaseURL(srv.URL), gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)))
			require.NoError(t, err)
			var hdr http.Header
			_, _, err = c.ListUsers(context.Background(), nil, gemclient.ResponseHeader(&hdr))
			require.NoError(t, err)
			assert.Equal(t, noDate, hdr.Get("Date") == "", "Date: %q", hdr.Get("Date"))
			g := &feedGem{fake: fake, clock: clock, c: c, user: fake.DefaultUserID()}
			project := g.project(t, "P")
			g.seed(t, 400, project)
			g.clock.Advance(time.Minute)
			fake.StartChurn()
			m := newMirror()
			f := newFeed(t, c, nil, gemclient.WatchProjects(project), gemclient.ReconcileEvery(2))
			for range 6 {
				require.NoError(t, f.Poll(context.Background(), m.apply))
			}
			fake.StopChurn()
			g.clock.Advance(2 * time.Minute)
			require.NoError(t, f.Poll(context.Background(), m.apply))
			require.NoError(t, f.Poll(context.Background(), m.apply))
			assertMirrors(t, m, g, []string{project})
			assert.Empty(t, m.repeated())
		})
	}
}

// noDateWriter drops the Date header the fake sets.
type noDateWriter struct{ http.ResponseWriter }

func (w noDateWriter) WriteHeader(code int) {
	w.Header()["Date"] = nil
	w.ResponseWriter.WriteHeader(code)
}

// leasedStore is a store with a lease that is lost after a number of LeaseHeld checks.
type leasedStore struct {
	gemclient.CheckpointStore
	mu      sync.Mutex
	checks  int
	lostAt  int
	onCheck func(n int)
}

func (s *leasedStore) LeaseHeld() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks++
	if s.onCheck != nil {
		s.onCheck(s.checks)
	}
	if s.lostAt > 0 && s.checks >= s.lostAt {
		return fmt.Errorf("lease expired: %w", gemclient.ErrNotLeaseholder)
	}
	return nil
}

func (s *leasedStore) Save(ctx context.Context, data []byte) error {
	if err := s.LeaseHeld(); err != nil {
		return err
	}
	return s.CheckpointStore.Save(ctx, data)
}

// A replica that loses its lease stops delivering at once and returns ErrNotLeaseholder;
// Run treats that as a standby's normal state and keeps trying.
func TestFeedStopsWhenTheLeaseIsLost(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	g.seed(t, 50)
	g.clock.Advance(time.Minute)
	store := &leasedStore{CheckpointStore: gemclient.FileCheckpoint(filepath.Join(t.TempDir(), "f.json")), lostAt: 11}
	m := newMirror()
	err := newFeed(t, g.c, store).Poll(context.Background(), m.apply)
	require.ErrorIs(t, err, gemclient.ErrNotLeaseholder)
	assert.Len(t, m.order, 9, "one check before the pass, one before each change")
	data, err := store.CheckpointStore.Load(context.Background())
	require.NoError(t, err)
	assert.Nil(t, data, "the checkpoint was not saved")

	// Run keeps trying as a standby, a pass each interval, until its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store.mu.Lock()
	until := store.checks + 3
	store.onCheck = func(n int) {
		if n == until {
			cancel() // three passes tried
		}
	}
	store.mu.Unlock()
	err = newFeed(t, g.c, store).Run(ctx, time.Millisecond, func(context.Context, gemclient.Change) error {
		t.Error("delivered without the lease")
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
}

// NewFeed and Run refuse what cannot work, with an error naming it.
func TestNewFeedRefuses(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	store := gemclient.FileCheckpoint(filepath.Join(t.TempDir(), "f.json"))
	for _, tc := range []struct {
		c     *gemclient.Client
		store gemclient.CheckpointStore
		opts  []gemclient.FeedOption
		want  string
	}{
		{nil, store, nil, "nil Client"},
		{g.c, nil, nil, "nil CheckpointStore"},
		{g.c, store, []gemclient.FeedOption{gemclient.ReconcileEvery(0)}, "ReconcileEvery(0)"},
		{g.c, store, []gemclient.FeedOption{gemclient.Overlap(-time.Second)}, "Overlap(-1s)"},
		{g.c, store, []gemclient.FeedOption{gemclient.WatchProjects("")}, "empty project id"},
		{g.c, store, []gemclient.FeedOption{gemclient.Follow("candidate.merged")}, `unknown change kind "candidate.merged"`},
		{g.c, store, []gemclient.FeedOption{gemclient.Follow(gemclient.CandidateDeleted)}, "needs ReconcileEvery"},
		{g.c, store, []gemclient.FeedOption{gemclient.Follow(gemclient.MembershipAdded)}, "needs WatchProjects"},
	} {
		_, err := gemclient.NewFeed(tc.c, tc.store, tc.opts...)
		assert.ErrorContains(t, err, tc.want)
	}
	f := newFeed(t, g.c, store)
	assert.ErrorContains(t, f.Poll(context.Background(), nil), "nil handler")
	assert.ErrorContains(t, f.Run(context.Background(), 0, newMirror().apply), "positive interval")
}

// A checkpoint that is not a feed's, or of a newer format, is an error that Run returns
// at once, and it is not overwritten.
func TestFeedUnreadableCheckpoint(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	path := filepath.Join(t.TempDir(), "f.json")
	for _, bad := range []string{`{"format":2}`, `not json`} {
		require.NoError(t, os.WriteFile(path, []byte(bad), 0o600))
		f := newFeed(t, g.c, gemclient.FileCheckpoint(path))
		var ckErr *gemclient.CheckpointError
		require.ErrorAs(t, f.Poll(context.Background(), newMirror().apply), &ckErr)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		require.ErrorAs(t, f.Run(ctx, time.Hour, newMirror().apply), &ckErr)
		cancel()
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, bad, string(data))
	}
}

// Run polls until its context ends, then returns the context's error.
func TestFeedRunPollsUntilCancelled(t *testing.T) {
	g := newFeedGem(t, feedEpoch)
	ids := g.seed(t, 3)
	g.clock.Advance(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	m := newMirror()
	f := newFeed(t, g.c, nil, gemclient.Follow(gemclient.CandidateCreated, gemclient.CandidateUpdated))
	err := f.Run(ctx, time.Millisecond, func(ctx context.Context, ch gemclient.Change) error {
		if err := m.apply(ctx, ch); err != nil {
			return err
		}
		switch {
		case len(m.order) == 3:
			// Change one while Run keeps polling; stop once it is delivered.
			g.clock.Advance(time.Minute)
			_, err := g.c.UpdateCandidate(ctx, ids[1], gen.CandidateUpdate{Title: gen.Value("VP")})
			g.clock.Advance(time.Minute)
			return err
		case ch.Kind == gemclient.CandidateUpdated:
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 4, len(m.order))
	assert.Equal(t, 1, m.kinds[gemclient.CandidateUpdated])
}

// Keys name the kind, the resource and the version.
func TestChangeKey(t *testing.T) {
	assert.Equal(t, "candidate.updated/c1/17.ab", gemclient.Change{Kind: gemclient.CandidateUpdated, ID: "c1", Version: "17.ab"}.Key())
	assert.Equal(t, "membership.added/p1/c1/17.2", gemclient.Change{Kind: gemclient.MembershipAdded, ID: "c1", ProjectID: "p1", Version: "17.2"}.Key())
	assert.Equal(t, "candidate.deleted/c1", gemclient.Change{Kind: gemclient.CandidateDeleted, ID: "c1"}.Key())
}
