package gemclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/gem-go/gem-go/gen"
)

// Feed turns polling Gem into a stream of changes: candidates created, updated and
// deleted, projects created and changed, candidates added to and removed from projects.
// Gem's v0 API has no webhooks; a Feed polls it with few requests and delivers every
// change to a handler once per version, keeping its place in a CheckpointStore.
//
// # What a pass reads
//
// Each pass (Poll) reads, concurrently, at the Client's rate limit:
//
//   - candidates created since the checkpoint (created_after) and updated since it
//     (updated_after; a new candidate is not assumed to show up there, so both are read);
//   - every project, diffed against the versions delivered (projects are few, and carry no
//     update time);
//   - for each watched project (WatchProjects), its membership log since the checkpoint
//     (changed_after): Gem needs a project or a candidate in that request, so membership
//     costs one request per watched project per pass;
//   - every ReconcileEvery(n) passes, the id of every candidate, to report those deleted:
//     nothing else shows a delete. Ids missing from that listing are looked up (20 a
//     request) before they are reported, so a listing that shifted while others wrote
//     reports no live candidate as deleted.
//
// An idle pass costs one request per list: two for candidates, one for projects, one per
// watched project. After N changes it costs about ceil(N/100) more (see
// BenchmarkFeedPass); the reconcile pass lists every candidate (ceil(candidates/100)).
//
// # Guarantees
//
// Every change Gem shows is delivered, at least once, and a version of a resource is not
// delivered twice unless a pass failed before it could record the delivery:
//
//   - Gem's Date header, never the local clock, sets the cursors, so a client whose clock
//     is off by minutes loses nothing; each pass reads again from its cursor minus the
//     overlap (Overlap, a minute by default), and what the overlap reads again is
//     recognised by (id, version) and not delivered twice.
//   - Lists that change while they are read (offset pages shift when others create or
//     delete) are read so that no item is skipped: see ErrIncomplete for the one case a
//     pass cannot finish, which the next pass retries.
//   - The checkpoint advances past a change only once the handler accepted it. A handler
//     error ends the pass; the checkpoint keeps what was accepted, and the next pass
//     delivers the rest again. A crash before the checkpoint is saved delivers again all
//     that pass delivered. Change.Key is the same each time, so a handler can be
//     idempotent. A change delivered again after a failure carries the resource as Gem
//     has it then: Gem keeps no history, so a Feed delivers states, not diffs.
//
// The Feed relies on none of what Gem leaves open (docs/gem-api.md §2.3, §2.4, §5):
// whether *_after and *_before are strict or inclusive (it reads a second before its
// cursors and de-duplicates, and learns from answers which they are), the default sort
// order (it always asks for sort=asc and relies on no order for completeness), how pages
// behave while the list changes, or the membership log's action names (anything but
// "add..." and "remov..." is MembershipChanged). It relies on timestamps in unix seconds
// (§2.3), on Gem's Date header being within a second of the times Gem stamps on what it
// changes (the overlap covers changes that become visible later than their time says),
// and on the X-Pagination total (§2.0); without a Date header the cursors advance only to
// the newest change read.
type Feed struct {
	c     *Client
	store CheckpointStore
	cfg   feedConfig
	mu    sync.Mutex // one pass at a time
	stats readStats
}

// ChangeKind says what changed.
type ChangeKind string

// The kinds of change a Feed delivers.
const (
	CandidateCreated  ChangeKind = "candidate.created"
	CandidateUpdated  ChangeKind = "candidate.updated"
	CandidateDeleted  ChangeKind = "candidate.deleted" // with ReconcileEvery
	ProjectCreated    ChangeKind = "project.created"
	ProjectUpdated    ChangeKind = "project.updated"
	MembershipAdded   ChangeKind = "membership.added"   // of a watched project
	MembershipRemoved ChangeKind = "membership.removed" // of a watched project
	// MembershipChanged is a membership log entry whose action is neither "add..." nor
	// "remov..." (the actions are undocumented, docs/gem-api.md §1.15); see
	// Change.Membership.
	MembershipChanged ChangeKind = "membership.changed"
)

var changeKinds = []ChangeKind{CandidateCreated, CandidateUpdated, CandidateDeleted, ProjectCreated,
	ProjectUpdated, MembershipAdded, MembershipRemoved, MembershipChanged}

// Change is one change a Feed delivers.
type Change struct {
	Kind ChangeKind
	// ID is the candidate's id (candidate and membership kinds) or the project's.
	ID string
	// ProjectID is the project of a membership change.
	ProjectID string
	// Candidate is the candidate as Gem returned it, for CandidateCreated and
	// CandidateUpdated; nil otherwise.
	Candidate *gen.Candidate
	// Project is the project as Gem returned it, for ProjectCreated and ProjectUpdated.
	Project *gen.Project
	// Membership is the membership log entry, for the membership kinds.
	Membership *gen.ProjectCandidateMembershipLog
	// Version identifies the state delivered: a candidate's is its last_updated_at (or
	// created_at) and a hash of the whole candidate, so two changes within one second are
	// two versions; a project's is a hash of it; a membership change's its time and its
	// place among identical entries of that second. Empty for deletes.
	Version string
	// At is when Gem says the change happened (created_at, last_updated_at, the log
	// entry's timestamp) or, for what Gem does not date (a project's update, a delete),
	// Gem's Date when the Feed read it.
	At time.Time
}

// Key identifies the change: the same Key for the same change however often it is
// delivered ("candidate.updated/<id>/<version>", "membership.added/<project>/<candidate>/
// <version>", "candidate.deleted/<id>"), for handlers that must be idempotent.
func (ch Change) Key() string {
	switch {
	case ch.ProjectID != "":
		return string(ch.Kind) + "/" + ch.ProjectID + "/" + ch.ID + "/" + ch.Version
	case ch.Version == "":
		return string(ch.Kind) + "/" + ch.ID
	}
	return string(ch.Kind) + "/" + ch.ID + "/" + ch.Version
}

// FeedOption configures a Feed in NewFeed.
type FeedOption func(*feedConfig) error

type feedConfig struct {
	follow         map[ChangeKind]bool
	explicit       bool // Follow was given
	projects       []string
	overlap        int64 // seconds
	reconcileEvery int
	since          int64
	logger         *slog.Logger
}

// DefaultOverlap is how far before its cursors a pass reads again by default: changes
// that Gem stamps with a time but shows only later (a long transaction) are still read.
const DefaultOverlap = time.Minute

// Follow makes the Feed deliver only the given kinds (all by default; CandidateDeleted
// needs ReconcileEvery, the membership kinds WatchProjects). Lists no followed kind needs
// are not read: following only CandidateCreated reads one list a pass.
func Follow(kinds ...ChangeKind) FeedOption {
	return func(c *feedConfig) error {
		c.follow, c.explicit = map[ChangeKind]bool{}, true
		for _, k := range kinds {
			if !isChangeKind(k) {
				return fmt.Errorf("gemclient: Follow: unknown change kind %q", k)
			}
			c.follow[k] = true
		}
		return nil
	}
}

func isChangeKind(k ChangeKind) bool {
	for _, known := range changeKinds {
		if k == known {
			return true
		}
	}
	return false
}

// WatchProjects makes the Feed read the membership log of each project, one request per
// project per pass (Gem's log needs a project or a candidate filter), and deliver
// MembershipAdded and MembershipRemoved. A candidate deleted while in a project leaves no
// log entry in Gem's log as far as anyone knows (docs/gem-api.md §4): take CandidateDeleted
// as leaving every project.
func WatchProjects(projectIDs ...string) FeedOption {
	return func(c *feedConfig) error {
		for _, id := range projectIDs {
			if id == "" {
				return errors.New("gemclient: WatchProjects: empty project id")
			}
		}
		c.projects = append(c.projects, projectIDs...)
		return nil
	}
}

// Overlap sets how far before its cursors each pass reads again (default DefaultOverlap,
// a minute), for changes Gem shows later than the time it stamps on them. What it reads
// again is recognised and not delivered twice; a longer overlap costs requests only when
// more than a page of changes falls in it.
func Overlap(d time.Duration) FeedOption {
	return func(c *feedConfig) error {
		if d < 0 {
			return fmt.Errorf("gemclient: Overlap(%v): negative", d)
		}
		c.overlap = int64(math.Ceil(d.Seconds()))
		return nil
	}
}

// Since makes the first pass (an empty checkpoint) deliver only what changed after t, by
// Gem's clock. By default the first pass delivers every candidate and project as created,
// which is the copy to start a mirror from.
func Since(t time.Time) FeedOption {
	return func(c *feedConfig) error {
		c.since = max(0, t.Unix())
		return nil
	}
}

// ReconcileEvery makes every n-th pass list every candidate's id and deliver
// CandidateDeleted for those delivered before and gone: nothing else in Gem's API shows a
// delete. The first pass with it lists the ids without reporting (it learns what exists),
// and the checkpoint then keeps the id of every candidate delivered.
func ReconcileEvery(n int) FeedOption {
	return func(c *feedConfig) error {
		if n < 1 {
			return fmt.Errorf("gemclient: ReconcileEvery(%d): need at least 1", n)
		}
		c.reconcileEvery = n
		return nil
	}
}

// FeedLogger sets where Run logs the passes that failed (at Warn; passes skipped because
// another replica holds the lease at Debug). The default discards.
func FeedLogger(l *slog.Logger) FeedOption {
	return func(c *feedConfig) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// NewFeed returns a Feed that reads Gem through c (its rate limiter included: the Feed
// shares Gem's 20 requests/s with everything else using c) and keeps its checkpoint in
// store, FileCheckpoint(path) for one process.
func NewFeed(c *Client, store CheckpointStore, opts ...FeedOption) (*Feed, error) {
	if c == nil {
		return nil, errors.New("gemclient: NewFeed: nil Client")
	}
	if store == nil {
		return nil, errors.New("gemclient: NewFeed: nil CheckpointStore (use FileCheckpoint(path))")
	}
	cfg := feedConfig{
		overlap: int64(DefaultOverlap / time.Second),
		logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.follow == nil {
		cfg.follow = map[ChangeKind]bool{}
		for _, k := range changeKinds {
			cfg.follow[k] = true
		}
	}
	if cfg.explicit && cfg.follow[CandidateDeleted] && cfg.reconcileEvery == 0 {
		return nil, errors.New("gemclient: NewFeed: following CandidateDeleted needs ReconcileEvery(n)")
	}
	if cfg.explicit && (cfg.follow[MembershipAdded] || cfg.follow[MembershipRemoved]) && len(cfg.projects) == 0 {
		return nil, errors.New("gemclient: NewFeed: following membership changes needs WatchProjects(ids...)")
	}
	return &Feed{c: c, store: store, cfg: cfg}, nil
}

// Poll runs one pass: it delivers to handler, one at a time and in order (projects,
// candidates created, candidates updated, memberships, deletes), every change since the
// stored checkpoint, and saves the checkpoint advanced past what handler accepted. A
// handler error ends the pass and is returned (errors.Is finds it); what it did not
// accept is delivered again by the next pass. Errors reading a list end that list only;
// Poll returns them all. Saving uses a context of its own (10 s) so that a cancelled ctx
// does not lose what was delivered.
func (f *Feed) Poll(ctx context.Context, handler func(context.Context, Change) error) error {
	if handler == nil {
		return errors.New("gemclient: Feed.Poll: nil handler")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	data, err := f.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("gemclient: feed: loading the checkpoint: %w", err)
	}
	ck, err := decodeCheckpoint(data)
	if err != nil {
		return err
	}
	p := newPass(f, ck, handler)
	runErr := p.run(ctx)
	if !p.changed {
		return runErr
	}
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := f.store.Save(saveCtx, ck.encode()); err != nil {
		return errors.Join(runErr, fmt.Errorf("gemclient: feed: saving the checkpoint: %w", err))
	}
	return runErr
}

// Run polls every interval (the first pass at once) until ctx ends, and then returns
// ctx's error. A pass that fails is logged (FeedLogger) and the next one tries again; a
// pass skipped because another replica holds the lease (ErrNotLeaseholder) is the normal
// state of a standby. Run returns early only with a *CheckpointError: no later pass can
// read that checkpoint either.
func (f *Feed) Run(ctx context.Context, every time.Duration, handler func(context.Context, Change) error) error {
	if every <= 0 {
		return fmt.Errorf("gemclient: Feed.Run: interval %v: need a positive interval", every)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		err := f.Poll(ctx, handler)
		var ckErr *CheckpointError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &ckErr):
			return err
		case errors.Is(err, ErrNotLeaseholder):
			f.cfg.logger.DebugContext(ctx, "gem feed: another replica holds the lease", "error", err.Error())
		case err != nil:
			f.cfg.logger.WarnContext(ctx, "gem feed: pass failed; the next pass retries", "error", err.Error())
		}
		t.Reset(every)
	}
}
