package gemtest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gem-go/gem-go/gen"
)

// Churn makes the fake change its own data while it serves, as the other users and
// integrations of a Gem team do: it creates, updates and deletes candidates, adds them to
// and removes them from projects, and creates and renames projects, each change exactly
// as the API would make it (timestamps by the fake's clock, membership log entries,
// last_updated_at). It tests code that reads Gem while Gem changes: offset pages shift
// under a walk, a list grows and shrinks between two requests. Pass it to WithChurn.
//
// Changes happen on either trigger, or both: before every EveryRequests-th API request
// (deterministic: the same seed and the same requests make the same changes), and Rate
// times a second from a goroutine of the fake's (real time). Fake.ChurnNow makes changes
// on demand; Fake.StopChurn stops both triggers (Server.Close does) and Fake.StartChurn
// starts them again.
type Churn struct {
	// EveryRequests makes Batch changes before every n-th API request the fake serves
	// (downloads not counted); 0 for none.
	EveryRequests int
	// Rate makes Batch changes Rate times a second, by the wall clock; 0 for none.
	Rate float64
	// Batch is how many changes each trigger makes (default 1).
	Batch int
	// The weights of each kind of change; all zero means each kind equally often.
	// Candidates are picked at random among all; added to and removed from random
	// projects; deleted as DELETE /v0/candidates/{id} does, leaving their projects
	// without a log entry (docs/gem-api.md §4).
	Creates, Updates, Deletes, Adds, Removes, ProjectCreates, ProjectUpdates int
	// Seed seeds the choices.
	Seed uint64
	// Clock and Step, when both are set, advance Clock by Step after every change, so that
	// time passes with the changes (many within one second when Step is small).
	Clock *ManualClock
	Step  time.Duration
}

// ChurnStats counts the changes Churn made, by kind.
type ChurnStats struct {
	Creates, Updates, Deletes, Adds, Removes, ProjectCreates, ProjectUpdates int
}

// Total is the number of changes.
func (s ChurnStats) Total() int {
	return s.Creates + s.Updates + s.Deletes + s.Adds + s.Removes + s.ProjectCreates + s.ProjectUpdates
}

// WithChurn makes the fake change its data while it serves (see Churn).
func WithChurn(c Churn) Option {
	return func(cfg *config) error { cfg.churn = &c; return nil }
}

// churner makes a Fake's Churn changes.
type churner struct {
	f     *Fake
	cfg   Churn
	kinds []churnKind // each kind repeated by its weight

	mu      sync.Mutex // guards everything below
	rng     *rand.Rand
	n       int // changes made, for names
	stats   ChurnStats
	stopped bool
	stop    chan struct{}
	done    chan struct{}
}

type churnKind int

const (
	churnCreate churnKind = iota
	churnUpdate
	churnDelete
	churnAdd
	churnRemove
	churnProjectCreate
	churnProjectUpdate
)

func newChurner(f *Fake, c Churn) *churner {
	ch := &churner{f: f, cfg: c, rng: rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))}
	if ch.cfg.Batch < 1 {
		ch.cfg.Batch = 1
	}
	weights := []int{c.Creates, c.Updates, c.Deletes, c.Adds, c.Removes, c.ProjectCreates, c.ProjectUpdates}
	if c.Creates+c.Updates+c.Deletes+c.Adds+c.Removes+c.ProjectCreates+c.ProjectUpdates == 0 {
		weights = []int{1, 1, 1, 1, 1, 1, 1}
	}
	for k, w := range weights {
		for range w {
			ch.kinds = append(ch.kinds, churnKind(k))
		}
	}
	ch.start()
	return ch
}

// start starts the timer of a Rate; the caller holds mu or owns ch.
func (ch *churner) start() {
	if ch.cfg.Rate > 0 {
		ch.stop, ch.done = make(chan struct{}), make(chan struct{})
		go ch.timed(ch.stop, ch.done, time.Duration(float64(time.Second)/ch.cfg.Rate))
	}
}

// onRequest makes a batch before every EveryRequests-th request (n counts them from 1).
func (ch *churner) onRequest(n int64) {
	if ch.cfg.EveryRequests <= 0 || n%int64(ch.cfg.EveryRequests) != 0 {
		return
	}
	ch.make(ch.cfg.Batch, true)
}

func (ch *churner) timed(stop <-chan struct{}, done chan<- struct{}, every time.Duration) {
	defer close(done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ch.make(ch.cfg.Batch, true)
		}
	}
}

// make makes n changes, unless the triggers are stopped and this is one (not ChurnNow),
// and returns their counts.
func (ch *churner) make(n int, triggered bool) ChurnStats {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	var made ChurnStats
	for range n {
		if triggered && ch.stopped {
			break
		}
		ch.n++
		ch.one(ch.kinds[ch.rng.IntN(len(ch.kinds))], &made)
		if ch.cfg.Clock != nil && ch.cfg.Step > 0 {
			ch.cfg.Clock.Advance(ch.cfg.Step)
		}
	}
	ch.stats.Creates += made.Creates
	ch.stats.Updates += made.Updates
	ch.stats.Deletes += made.Deletes
	ch.stats.Adds += made.Adds
	ch.stats.Removes += made.Removes
	ch.stats.ProjectCreates += made.ProjectCreates
	ch.stats.ProjectUpdates += made.ProjectUpdates
	return made
}

// one makes a change of kind k, when there is something to change (a delete needs a
// candidate), counting it in made.
func (ch *churner) one(k churnKind, made *ChurnStats) {
	f := ch.f
	s := f.lock()
	defer f.unlock()
	now := f.now()
	cands, projects := s.candidates.list, s.projects.list
	pick := func(n int) int { return ch.rng.IntN(n) }
	switch {
	case k == churnCreate:
		body := gen.CandidateCreate{CreatedBy: f.defaultID, FirstName: ptr("Churn"), LastName: ptr(fmt.Sprint(ch.n))}
		if len(projects) > 0 && pick(3) == 0 {
			body.ProjectIDs = []string{projects[pick(len(projects))].id}
		}
		if _, err := f.createCandidate(s, body); err == nil {
			made.Creates++
		}
	case k == churnUpdate && len(cands) > 0:
		c := cands[pick(len(cands))]
		c.title, c.updated = ptr(fmt.Sprintf("Title %d", ch.n)), now
		made.Updates++
	case k == churnDelete && len(cands) > 0:
		s.deleteCandidate(cands[pick(len(cands))], false)
		made.Deletes++
	case k == churnAdd && len(cands) > 0 && len(projects) > 0:
		p, c := projects[pick(len(projects))], cands[pick(len(cands))]
		if !p.member(c.id) {
			f.addMember(s, p, c, now)
			made.Adds++
		}
	case k == churnRemove && len(projects) > 0:
		p := projects[pick(len(projects))]
		if members := p.members.list; len(members) > 0 {
			f.removeMember(s, p, s.candidates.byID[members[pick(len(members))].id], now)
			made.Removes++
		}
	case k == churnProjectCreate:
		if _, err := f.createProject(s, gen.ProjectCreate{Name: fmt.Sprintf("Churn project %d", ch.n), UserID: f.defaultID}); err == nil {
			made.ProjectCreates++
		}
	case k == churnProjectUpdate && len(projects) > 0:
		projects[pick(len(projects))].name = fmt.Sprintf("Renamed %d", ch.n)
		made.ProjectUpdates++
	}
}

// ChurnNow makes n changes now, as WithChurn's Churn describes them (its weights, seed and
// clock; each kind equally often without WithChurn), and returns their counts. It works
// after StopChurn too: only the triggers stop.
func (f *Fake) ChurnNow(n int) ChurnStats { return f.churn.make(n, false) }

// ChurnStats counts the changes made by churn so far.
func (f *Fake) ChurnStats() ChurnStats {
	f.churn.mu.Lock()
	defer f.churn.mu.Unlock()
	return f.churn.stats
}

// StopChurn stops WithChurn's triggers and waits for a change in progress. Changes made
// so far stay. Calling it again, or without WithChurn, does nothing.
func (f *Fake) StopChurn() {
	ch := f.churn
	ch.mu.Lock()
	already := ch.stopped
	ch.stopped = true
	stop, done := ch.stop, ch.done
	ch.mu.Unlock()
	if stop != nil && !already {
		close(stop)
		<-done
	}
}

// StartChurn starts WithChurn's triggers again after StopChurn, for instance once a test
// has set up its data. Requests are counted from the fake's start all along.
func (f *Fake) StartChurn() {
	ch := f.churn
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.stopped {
		ch.stopped = false
		ch.start()
	}
}
