package gemclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gem-go/gem-go/gen"
)

// pass is one Poll: it reads the lists concurrently and delivers their changes from one
// goroutine, in order, recording each accepted change in the checkpoint ck.
type pass struct {
	f       *Feed
	c       *Client
	ck      *checkpoint
	handler func(context.Context, Change) error
	lister  *lister
	lease   CheckpointLease // nil unless the store has one
	overlap int64
	changed bool // ck holds something new to save

	// createdFrom is where the created list starts this pass: a candidate created from
	// then on that was never delivered is new (its version would be in ck.Seen, which keeps
	// what the overlap can read again).
	createdFrom int64
	// readAt is when the version of a candidate delivered this pass was read, so that an
	// older read of the same second does not replace it.
	readAt map[string]time.Time
	known  map[string]bool // with reconcile: ck.Known
}

// fatal is an error that ends the whole pass: the handler's, or a lost lease.
type fatal struct{ err error }

func (e *fatal) Error() string { return e.err.Error() }

func newPass(f *Feed, ck *checkpoint, handler func(context.Context, Change) error) *pass {
	p := &pass{
		f: f, c: f.c, ck: ck, handler: handler, overlap: f.cfg.overlap,
		lister: &lister{gate: newGate(new(requestTiming)), stats: &f.stats},
		readAt: map[string]time.Time{},
	}
	p.lister.inclusive.Store(ck.Inclusive)
	p.lease, _ = f.store.(CheckpointLease)
	if p.reconciling() {
		p.known = make(map[string]bool, len(ck.Known))
		for _, id := range ck.Known {
			p.known[id] = true
		}
	}
	return p
}

func (p *pass) follows(kinds ...ChangeKind) bool {
	for _, k := range kinds {
		if p.f.cfg.follow[k] {
			return true
		}
	}
	return false
}

// reconciling reports whether deletes are followed: the checkpoint keeps the known ids.
func (p *pass) reconciling() bool {
	return p.f.cfg.reconcileEvery > 0 && p.follows(CandidateDeleted)
}

// from is a list's lower bound this pass: its cursor minus the overlap, or Since for its
// first read (0: everything).
func (p *pass) from(cursor *int64) int64 {
	if cursor == nil {
		return p.f.cfg.since
	}
	return max(0, *cursor-p.overlap)
}

// stream is one list of the pass: its producer sends the deliveries, which the pass runs
// in order on its own goroutine.
type stream struct {
	ch      chan func(context.Context) error
	produce func(ctx context.Context, send func(func(context.Context) error) bool)
}

// run reads every list the followed kinds need and delivers their changes.
func (p *pass) run(ctx context.Context) error {
	if p.lease != nil {
		if err := p.lease.LeaseHeld(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	streams := p.streams()
	var wg sync.WaitGroup
	for _, s := range streams {
		s.ch = make(chan func(context.Context) error, 4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(s.ch)
			s.produce(ctx, func(f func(context.Context) error) bool {
				select {
				case s.ch <- f:
					return true
				case <-ctx.Done():
					return false
				}
			})
		}()
	}
	var errs []error
deliver:
	for _, s := range streams {
		for f := range s.ch {
			err := f(ctx)
			var end *fatal
			switch {
			case err == nil:
				continue
			case errors.As(err, &end):
				errs = append(errs, end.err)
				break deliver
			case ctx.Err() != nil:
				errs = append(errs, ctx.Err())
				break deliver
			}
			errs = append(errs, err) // this list's; the others go on
			for range s.ch {
			}
		}
	}
	cancel()
	wg.Wait()
	p.finish()
	return errors.Join(errs...)
}

// streams are the lists the followed kinds need, in the order their changes are
// delivered. What the producers need of the checkpoint is read here, before they start:
// from then on only the delivering goroutine touches it.
func (p *pass) streams() []*stream {
	var out []*stream
	if p.follows(ProjectCreated, ProjectUpdated) {
		out = append(out, &stream{produce: p.projects})
	}
	firstRead := p.ck.Created == nil && p.ck.Updated == nil && p.f.cfg.since == 0
	created := p.follows(CandidateCreated)
	if created {
		p.createdFrom = p.from(p.ck.Created)
		out = append(out, &stream{produce: p.candidates(true, firstRead && p.follows(CandidateUpdated))})
	} else {
		p.createdFrom = 1<<63 - 1 // nothing is classified new: CandidateCreated is not followed
	}
	// The first read of everything delivers every candidate as created, in its current
	// version: the updated list would read them all again. It starts at the created
	// list's cursor instead.
	if p.follows(CandidateUpdated) && (!created || !firstRead) {
		out = append(out, &stream{produce: p.candidates(false, false)})
	}
	if p.follows(MembershipAdded, MembershipRemoved, MembershipChanged) {
		for _, id := range p.f.cfg.projects {
			out = append(out, &stream{produce: p.memberships(id, p.ck.member(id))})
		}
	}
	if p.reconciling() && (!p.ck.Reconciled || (p.ck.Passes+1)%int64(p.f.cfg.reconcileEvery) == 0) {
		out = append(out, &stream{produce: p.reconcile})
	}
	return out
}

// finish prunes what the overlap can no longer read again and records the pass.
func (p *pass) finish() {
	p.ck.Passes++
	p.ck.Inclusive = p.lister.inclusive.Load()
	p.changed = true
	if p.known != nil {
		p.ck.Known = p.ck.Known[:0]
		for id := range p.known {
			p.ck.Known = append(p.ck.Known, id)
		}
	}
	// A delivered version stays in Seen while a list can read it again: from the oldest
	// cursor minus the overlap, and a second for inclusive filters.
	var cursors []*int64
	if p.follows(CandidateCreated) {
		cursors = append(cursors, p.ck.Created)
	}
	if p.follows(CandidateUpdated) {
		cursors = append(cursors, p.ck.Updated)
	}
	if horizon, ok := oldest(cursors); ok {
		maps.DeleteFunc(p.ck.Seen, func(_, v string) bool { return versionTime(v) < horizon-p.overlap-2 })
	}
	for _, m := range p.ck.Members {
		if m.Cursor != nil {
			maps.DeleteFunc(m.Seen, func(_ string, t int64) bool { return t < *m.Cursor-p.overlap-2 })
		}
	}
}

// oldest is the earliest of cursors; false when there is none or one is unset.
func oldest(cursors []*int64) (int64, bool) {
	if len(cursors) == 0 {
		return 0, false
	}
	o := int64(1<<63 - 1)
	for _, c := range cursors {
		if c == nil {
			return 0, false
		}
		o = min(o, *c)
	}
	return o, true
}

// cursorOf is where a complete read moves its list's cursor: two seconds before Gem's
// Date at its first answer (what changes from then on is later, strict filters or
// inclusive), or without a Date the newest item read (never the local clock).
func cursorOf(r listResult, previous *int64) *int64 {
	c := r.date - 2
	if r.date == 0 {
		c = r.newest
	}
	if previous != nil {
		c = max(c, *previous)
	}
	if c <= 0 {
		return previous
	}
	return &c
}

// deliver gives one change to the handler, unless its kind is not followed (the caller
// records it either way, so it is not delivered later as another kind).
func (p *pass) deliver(ctx context.Context, ch Change) error {
	if !p.f.cfg.follow[ch.Kind] {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return &fatal{err}
	}
	if p.lease != nil {
		if err := p.lease.LeaseHeld(); err != nil {
			return &fatal{err}
		}
	}
	if err := p.handler(ctx, ch); err != nil {
		return &fatal{fmt.Errorf("gemclient: feed: the handler refused %s: %w", ch.Key(), err)}
	}
	p.changed = true
	return nil
}

// pagesOfCandidates sends each page a candidate list reads for delivery.
type pagesOfCandidates struct {
	ctx     context.Context
	send    func(func(context.Context) error) bool
	deliver func(context.Context, []gen.Candidate, time.Time) error
}

func (s *pagesOfCandidates) add(items []gen.Candidate, at time.Time) error {
	if len(items) == 0 {
		return nil
	}
	if !s.send(func(ctx context.Context) error { return s.deliver(ctx, items, at) }) {
		return s.ctx.Err()
	}
	return nil
}

// restart keeps what was sent: candidates are de-duplicated by version.
func (s *pagesOfCandidates) restart() {}

// candidates reads the candidates created (created) or updated since the list's cursor.
// alsoUpdated: this first read stands in for the updated list too (see streams).
func (p *pass) candidates(created, alsoUpdated bool) func(context.Context, func(func(context.Context) error) bool) {
	name, cursor := "candidates updated", &p.ck.Updated
	updatedAfter := p.from(p.ck.Updated)
	if created {
		name, cursor = "candidates created", &p.ck.Created
	}
	return func(ctx context.Context, send func(func(context.Context) error) bool) {
		c := p.c
		params := func(w window, page, size int) *gen.ListCandidatesParams {
			q := &gen.ListCandidatesParams{Sort: Ptr(gen.SortOrderAsc), Page: &page, PageSize: &size}
			setWindow(w, &q.CreatedAfter, &q.CreatedBefore)
			if !created && updatedAfter > 0 {
				q.UpdatedAfter = Ptr(gen.UnixTime(updatedAfter))
			}
			return q
		}
		src := &source[gen.Candidate]{
			name: name,
			fetch: func(ctx context.Context, w window, page int, opts ...CallOption) ([]gen.Candidate, *PageInfo, error) {
				return c.ListCandidates(ctx, params(w, page, feedPageSize), opts...)
			},
			quiet: func(ctx context.Context, w window, since int64, opts ...CallOption) ([]gen.Candidate, *PageInfo, error) {
				q := params(w, 1, 1)
				if created {
					q.CreatedAfter = Ptr(gen.UnixTime(max(w.after, since)))
				} else {
					q.UpdatedAfter = Ptr(gen.UnixTime(max(updatedAfter, since)))
				}
				return c.ListCandidates(ctx, q, opts...)
			},
			key:      func(c *gen.Candidate) int64 { return unix(c.CreatedAt) },
			id:       (*gen.Candidate).GetID,
			closable: created,
		}
		if !created {
			src.stamp = changedAt
		}
		w := window{}
		if created {
			w.after = p.createdFrom
		}
		pages := &pagesOfCandidates{ctx: ctx, send: send, deliver: p.deliverCandidates}
		res, err := readList(ctx, p.lister, src, w, pages)
		switch {
		case err != nil:
			send(func(context.Context) error { return err })
		case !res.complete:
			send(func(context.Context) error { return fmt.Errorf("%w: %s", ErrIncomplete, name) })
		default:
			send(func(context.Context) error {
				*cursor = cursorOf(res, *cursor)
				if alsoUpdated {
					p.ck.Updated = *cursor
				}
				return nil
			})
		}
	}
}

// setWindow sets a list's *_after and *_before parameters to w's bounds.
func setWindow(w window, after, before **gen.UnixTime) {
	if w.after > 0 {
		*after = Ptr(gen.UnixTime(w.after))
	}
	if w.before > 0 {
		*before = Ptr(gen.UnixTime(w.before))
	}
}

// changedAt is when a candidate last changed: last_updated_at, or created_at when it
// never was (null).
func changedAt(c *gen.Candidate) int64 {
	if t := unix(c.LastUpdatedAt); t != 0 {
		return t
	}
	return unix(c.CreatedAt)
}

// unix is a timestamp's seconds; 0 when absent.
func unix(t *gen.UnixTime) int64 {
	if t == nil {
		return 0
	}
	return int64(*t)
}

// versionOf is "<t>.<hash of v's JSON>": equal for equal states, different for two
// states of the same second.
func versionOf(t int64, v any) string {
	data, _ := json.Marshal(v) // gen's models always encode
	h := fnv.New64a()
	_, _ = h.Write(data)
	return strconv.FormatInt(t, 10) + "." + strconv.FormatUint(h.Sum64(), 16)
}

// candidateVersion is the version of a candidate last changed at t. Its project_ids are
// left out: they change with memberships, which the membership kinds report, and which
// Gem is not known to count as an update (last_updated_at).
func candidateVersion(t int64, c *gen.Candidate) string {
	without := *c
	without.ProjectIDs = nil
	return versionOf(t, &without)
}

// deliverCandidates delivers the candidates read at at whose version was not delivered.
func (p *pass) deliverCandidates(ctx context.Context, items []gen.Candidate, at time.Time) error {
	for i := range items {
		cand := &items[i]
		id := cand.GetID()
		if id == "" {
			continue
		}
		t := changedAt(cand)
		version := candidateVersion(t, cand)
		previous, seen := p.ck.Seen[id]
		if seen {
			pt := versionTime(previous)
			if previous == version || pt > t || (pt == t && p.readAt[id].After(at)) {
				continue // delivered, or older than what was
			}
		}
		kind := CandidateUpdated
		if !seen && unix(cand.CreatedAt) >= p.createdFrom {
			kind = CandidateCreated
		}
		err := p.deliver(ctx, Change{Kind: kind, ID: id, Candidate: cand, Version: version, At: time.Unix(t, 0).UTC()})
		if err != nil {
			return err
		}
		p.ck.Seen[id], p.readAt[id], p.changed = version, at, true
		if p.known != nil {
			p.known[id] = true
		}
	}
	return nil
}

// projects reads every project and delivers those whose version changed.
func (p *pass) projects(ctx context.Context, send func(func(context.Context) error) bool) {
	c := p.c
	params := func(w window, page, size int) *gen.ListProjectsParams {
		q := &gen.ListProjectsParams{Sort: Ptr(gen.SortOrderAsc), Page: &page, PageSize: &size}
		setWindow(w, &q.CreatedAfter, &q.CreatedBefore)
		return q
	}
	src := &source[gen.Project]{
		name: "projects",
		fetch: func(ctx context.Context, w window, page int, opts ...CallOption) ([]gen.Project, *PageInfo, error) {
			return c.ListProjects(ctx, params(w, page, feedPageSize), opts...)
		},
		quiet: func(ctx context.Context, w window, since int64, opts ...CallOption) ([]gen.Project, *PageInfo, error) {
			return c.ListProjects(ctx, params(window{after: max(w.after, since), before: w.before}, 1, 1), opts...)
		},
		key:      func(pr *gen.Project) int64 { return unix(pr.CreatedAt) },
		id:       (*gen.Project).GetID,
		closable: true,
	}
	var all collected[gen.Project]
	res, err := readList(ctx, p.lister, src, window{}, &all)
	if err != nil {
		send(func(context.Context) error { return err })
		return
	}
	send(func(ctx context.Context) error {
		for i := range all.items {
			pr := &all.items[i]
			id := pr.GetID()
			version := versionOf(unix(pr.CreatedAt), pr)
			previous := p.ck.Projects[id]
			if id == "" || previous == version {
				continue
			}
			ch := Change{Kind: ProjectUpdated, ID: id, Project: pr, Version: version, At: time.Unix(res.date, 0).UTC()}
			if previous == "" {
				ch.Kind, ch.At = ProjectCreated, pr.CreatedAt.Time()
			}
			if err := p.deliver(ctx, ch); err != nil {
				return err
			}
			p.ck.Projects[id] = version
		}
		if !res.complete {
			return fmt.Errorf("%w: projects", ErrIncomplete)
		}
		return nil
	})
}

// memberships reads a project's membership log since its cursor and delivers the entries
// not delivered.
func (p *pass) memberships(projectID string, m *memberCheckpoint) func(context.Context, func(func(context.Context) error) bool) {
	from := p.from(m.Cursor)
	return func(ctx context.Context, send func(func(context.Context) error) bool) {
		c := p.c
		params := func(w window, page, size int) *gen.ListProjectMembershipLogParams {
			q := &gen.ListProjectMembershipLogParams{ProjectID: &projectID, Sort: Ptr(gen.SortOrderAsc), Page: &page, PageSize: &size}
			setWindow(w, &q.ChangedAfter, &q.ChangedBefore)
			return q
		}
		src := &source[gen.ProjectCandidateMembershipLog]{
			name: "the membership log of project " + projectID,
			fetch: func(ctx context.Context, w window, page int, opts ...CallOption) ([]gen.ProjectCandidateMembershipLog, *PageInfo, error) {
				return c.ListProjectMembershipLog(ctx, params(w, page, feedPageSize), opts...)
			},
			quiet: func(ctx context.Context, w window, since int64, opts ...CallOption) ([]gen.ProjectCandidateMembershipLog, *PageInfo, error) {
				return c.ListProjectMembershipLog(ctx, params(window{after: max(w.after, since), before: w.before}, 1, 1), opts...)
			},
			key: func(e *gen.ProjectCandidateMembershipLog) int64 { return unix(e.Timestamp) },
			// Entries have no id; identical ones (the same candidate added twice within a
			// second) count as repeats, which a walk accepts only when read twice alike.
			id:       func(e *gen.ProjectCandidateMembershipLog) string { return membershipID(e) },
			closable: true,
		}
		var all collected[gen.ProjectCandidateMembershipLog]
		res, err := readList(ctx, p.lister, src, window{after: from}, &all)
		switch {
		case err != nil:
			send(func(context.Context) error { return err })
		case !res.complete:
			// Entries of a second that could not be read may come before those read: the
			// order of additions and removals matters, so nothing of this log is delivered.
			send(func(context.Context) error { return fmt.Errorf("%w: %s", ErrIncomplete, src.name) })
		default:
			send(func(ctx context.Context) error { return p.deliverMemberships(ctx, projectID, m, all.items, res) })
		}
	}
}

// membershipID is what tells log entries apart: candidate, action and time.
func membershipID(e *gen.ProjectCandidateMembershipLog) string {
	return e.GetCandidateID() + "/" + e.GetAction() + "/" + strconv.FormatInt(unix(e.Timestamp), 10)
}

// deliverMemberships delivers a project's log entries, as read (complete), that were not
// delivered. The version of an entry is its time and its place among identical entries.
func (p *pass) deliverMemberships(ctx context.Context, projectID string, m *memberCheckpoint, entries []gen.ProjectCandidateMembershipLog, res listResult) error {
	occurrence := map[string]int{}
	for i := range entries {
		e := &entries[i]
		id := membershipID(e)
		occurrence[id]++
		t := unix(e.Timestamp)
		version := strconv.FormatInt(t, 10) + "." + strconv.Itoa(occurrence[id])
		key := e.GetCandidateID() + "/" + e.GetAction() + "/" + version
		if _, done := m.Seen[key]; done {
			continue
		}
		kind := MembershipChanged
		switch action := strings.ToLower(e.GetAction()); {
		case strings.HasPrefix(action, "add"):
			kind = MembershipAdded
		case strings.HasPrefix(action, "remov"):
			kind = MembershipRemoved
		}
		ch := Change{Kind: kind, ID: e.GetCandidateID(), ProjectID: projectID, Membership: e, Version: version, At: time.Unix(t, 0).UTC()}
		if err := p.deliver(ctx, ch); err != nil {
			return err
		}
		m.Seen[key] = t
		if p.known != nil && kind == MembershipAdded {
			// A member the handler heard of: its delete is reported too, though the
			// candidate lists never showed it (deleted before they were read).
			p.known[ch.ID] = true
		}
	}
	m.Cursor = cursorOf(res, m.Cursor)
	return nil
}

// reconcile lists every candidate's id and delivers CandidateDeleted for each known one
// missing, once a lookup by id confirms it is gone. The first reconcile learns the ids.
func (p *pass) reconcile(ctx context.Context, send func(func(context.Context) error) bool) {
	c := p.c
	src := &source[gen.Candidate]{
		name: "every candidate",
		fetch: func(ctx context.Context, w window, page int, opts ...CallOption) ([]gen.Candidate, *PageInfo, error) {
			return c.ListCandidates(ctx, &gen.ListCandidatesParams{Sort: Ptr(gen.SortOrderAsc), Page: &page, PageSize: Ptr(feedPageSize)}, opts...)
		},
		key: func(c *gen.Candidate) int64 { return unix(c.CreatedAt) },
		id:  (*gen.Candidate).GetID,
	}
	read, err := walkPages(ctx, p.lister, src, window{}, nil, discard[gen.Candidate]{})
	if err != nil {
		send(func(context.Context) error { return err })
		return
	}
	send(func(ctx context.Context) error {
		if !p.ck.Reconciled {
			for id := range read.ids {
				p.known[id] = true
			}
			p.ck.Reconciled, p.changed = true, true
			return nil
		}
		var missing []string
		for id := range p.known {
			if read.ids[id] == 0 {
				missing = append(missing, id)
			}
		}
		gone, date, err := p.gone(ctx, missing)
		if err != nil {
			return err
		}
		for _, id := range gone {
			if err := p.deliver(ctx, Change{Kind: CandidateDeleted, ID: id, At: time.Unix(date, 0).UTC()}); err != nil {
				return err
			}
			delete(p.known, id)
			delete(p.ck.Seen, id)
		}
		return nil
	})
}

// gone returns the ids of ids that Gem no longer has, looked up 20 at a time (the most
// candidate_ids takes), and Gem's Date of the last lookup.
func (p *pass) gone(ctx context.Context, ids []string) ([]string, int64, error) {
	var out []string
	var date int64
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 20)]
		ids = ids[len(batch):]
		found := map[string]bool{}
		err := p.lister.gate.do(ctx, func(ctx context.Context) error {
			var h http.Header
			items, _, err := p.c.ListCandidates(ctx, &gen.ListCandidatesParams{CandidateIDs: batch, PageSize: Ptr(feedPageSize)}, ResponseHeader(&h))
			if err != nil {
				return fmt.Errorf("gemclient: feed: looking up candidates missing from the listing: %w", err)
			}
			date = max(date, dateOf(h))
			for i := range items {
				found[items[i].GetID()] = true
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		for _, id := range batch {
			if !found[id] {
				out = append(out, id)
			}
		}
	}
	return out, date, nil
}

// discard is a sink that keeps nothing.
type discard[T any] struct{}

func (discard[T]) add([]T, time.Time) error { return nil }
func (discard[T]) restart()                 {}
