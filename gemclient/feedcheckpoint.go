package gemclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// CheckpointStore keeps a Feed's checkpoint between passes and restarts: Load returns
// what Save last stored (nil, and no error, when nothing was ever saved), Save replaces
// it. The checkpoint is opaque bytes (JSON, versioned): cursors, the versions delivered
// within the overlap window, the projects' versions, and with ReconcileEvery the ids of
// the candidates delivered. A Save that returns nil must have stored the whole value.
//
// FileCheckpoint is the default; contrib/redischeckpoint keeps it in Redis, with a lease
// so that one replica of a fleet polls at a time (see CheckpointLease).
type CheckpointStore interface {
	Load(ctx context.Context) ([]byte, error)
	Save(ctx context.Context, checkpoint []byte) error
}

// CheckpointLease is implemented by a CheckpointStore that lets one replica poll at a
// time. Its Load fails (with an error wrapping ErrNotLeaseholder) while another replica
// holds the lease, and its Save is refused once this one lost it. LeaseHeld reports,
// without a round trip, whether this replica still holds it: Poll checks it before each
// change it delivers and ends the pass when it fails, so that a replica that lost its
// lease (paused too long, cut off from the store) stops delivering.
type CheckpointLease interface {
	LeaseHeld() error
}

// ErrNotLeaseholder is wrapped by the error of a CheckpointLease store's Load or Save
// when another replica holds the lease, or this one lost it. Run waits for its next pass.
var ErrNotLeaseholder = errors.New("gemclient: feed: another replica holds the feed's lease")

// CheckpointError is a stored checkpoint that cannot be read: not a Feed's, or of a newer
// format. Poll delivers nothing and does not overwrite it.
type CheckpointError struct {
	Err error
}

// Error says why the checkpoint cannot be read.
func (e *CheckpointError) Error() string {
	return "gemclient: feed: the stored checkpoint cannot be read: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *CheckpointError) Unwrap() error { return e.Err }

// FileCheckpoint keeps the checkpoint in the file at path, replaced atomically by each
// Save: written to a temporary file in the same directory, synced, renamed over path, and
// the directory synced, so that after a crash the file holds the old checkpoint or the
// new one, whole. A missing file is an empty checkpoint (the first pass). Use one file per
// Feed and one process per file: it has no lease.
func FileCheckpoint(path string) CheckpointStore {
	return &fileCheckpoint{path: path}
}

type fileCheckpoint struct {
	path string
	mu   sync.Mutex
}

// Load reads the file; nil when there is none.
func (f *fileCheckpoint) Load(context.Context) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// Save replaces the file atomically.
func (f *fileCheckpoint) Save(_ context.Context, data []byte) (err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("gemclient: FileCheckpoint: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("gemclient: FileCheckpoint: %w", err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced; some systems cannot sync a
	// directory, and the rename has happened either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// checkpointFormat is the version of the checkpoint's JSON this code writes and reads.
const checkpointFormat = 1

// checkpoint is what a Feed keeps between passes. Times are Gem's, in unix seconds.
type checkpoint struct {
	Format int   `json:"format"`
	Passes int64 `json:"passes"`
	// Inclusive: an answer showed Gem's *_after and *_before filters inclusive.
	Inclusive bool `json:"inclusive_filters,omitempty"`
	// Created and Updated are the candidate lists' cursors: every candidate created
	// (updated) before it that Gem showed was delivered. nil before the list's first
	// complete read.
	Created *int64 `json:"candidates_created_cursor,omitempty"`
	Updated *int64 `json:"candidates_updated_cursor,omitempty"`
	// Seen is the version delivered of each candidate changed within the overlap window.
	Seen map[string]string `json:"candidates_seen,omitempty"`
	// Known (with ReconcileEvery) is every candidate delivered and not deleted, or listed
	// by the first reconcile pass (Reconciled).
	Known      []string `json:"candidates_known,omitempty"`
	Reconciled bool     `json:"reconciled,omitempty"`
	// Projects is the version delivered of every project.
	Projects map[string]string `json:"projects,omitempty"`
	// Members is each watched project's membership log.
	Members map[string]*memberCheckpoint `json:"memberships,omitempty"`
}

// memberCheckpoint is one project's membership log: its cursor and the entries delivered
// within the overlap window (key → time).
type memberCheckpoint struct {
	Cursor *int64           `json:"cursor,omitempty"`
	Seen   map[string]int64 `json:"seen,omitempty"`
}

func decodeCheckpoint(data []byte) (*checkpoint, error) {
	ck := &checkpoint{Format: checkpointFormat}
	if len(data) > 0 {
		if err := json.Unmarshal(data, ck); err != nil {
			return nil, &CheckpointError{Err: err}
		}
		if ck.Format != checkpointFormat {
			return nil, &CheckpointError{Err: fmt.Errorf("format %d, this version of gemclient reads %d", ck.Format, checkpointFormat)}
		}
	}
	if ck.Seen == nil {
		ck.Seen = map[string]string{}
	}
	if ck.Projects == nil {
		ck.Projects = map[string]string{}
	}
	if ck.Members == nil {
		ck.Members = map[string]*memberCheckpoint{}
	}
	return ck, nil
}

func (ck *checkpoint) encode() []byte {
	slices.Sort(ck.Known)
	data, _ := json.Marshal(ck) // maps of strings and numbers: cannot fail
	return data
}

// member is project id's membership checkpoint, created when missing.
func (ck *checkpoint) member(id string) *memberCheckpoint {
	m := ck.Members[id]
	if m == nil {
		m = &memberCheckpoint{Seen: map[string]int64{}}
		ck.Members[id] = m
	}
	if m.Seen == nil {
		m.Seen = map[string]int64{}
	}
	return m
}

// versionTime is the time a candidate version starts with ("<time>.<hash>").
func versionTime(v string) int64 {
	head, _, _ := strings.Cut(v, ".")
	t, _ := strconv.ParseInt(head, 10, 64)
	return t
}
