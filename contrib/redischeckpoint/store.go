package redischeckpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gem-go/gem-go/gemclient"
)

// Defaults of the options.
const (
	DefaultLeaseTTL  = 15 * time.Second
	DefaultKeyPrefix = "gem-go:feed:"
	DefaultTimeout   = 2 * time.Second
)

// Store is a gemclient.CheckpointStore and gemclient.CheckpointLease in Redis. Use one
// Store per Feed and replica, and Close it when the replica stops. It is safe for
// concurrent use.
type Store struct {
	rdb     redis.UniversalClient
	name    string
	prefix  string
	keys    []string // checkpoint, lease, fence
	ttl     time.Duration
	timeout time.Duration
	token   string

	mu         sync.Mutex
	lease      string    // "<token>:<term>" while held, else ""
	validUntil time.Time // local clock: held until then
	renewing   bool
	closed     bool
	stop       chan struct{}
	done       chan struct{}
}

// Option configures New.
type Option func(*Store) error

// WithLeaseTTL sets how long the lease outlives its holder's last extension (default 15
// s; at least 100 ms): how long a dead replica keeps the others waiting, and how long a
// replica may be paused or cut off before it must stop delivering.
func WithLeaseTTL(d time.Duration) Option {
	return func(s *Store) error {
		if d < 100*time.Millisecond {
			return fmt.Errorf("redischeckpoint: WithLeaseTTL(%v): at least 100ms", d)
		}
		s.ttl = d
		return nil
	}
}

// WithKeyPrefix sets the prefix of the Redis keys (default "gem-go:feed:").
func WithKeyPrefix(p string) Option {
	return func(s *Store) error {
		s.prefix = p
		return nil
	}
}

// WithTimeout bounds every Redis operation (default 2 s).
func WithTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("redischeckpoint: WithTimeout(%v): need a positive timeout", d)
		}
		s.timeout = d
		return nil
	}
}

// New returns the Store of the feed named name (the same on every replica of a fleet,
// different for each feed) in the Redis rdb talks to.
func New(rdb redis.UniversalClient, name string, opts ...Option) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("redischeckpoint: nil Redis client")
	}
	if name == "" || strings.ContainsAny(name, "{}") {
		return nil, fmt.Errorf("redischeckpoint: feed name %q: need a name without braces", name)
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	s := &Store{rdb: rdb, name: name, prefix: DefaultKeyPrefix, ttl: DefaultLeaseTTL, timeout: DefaultTimeout, token: hex.EncodeToString(token)}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	base := s.prefix + "{" + s.name + "}:"
	s.keys = []string{base + "checkpoint", base + "lease", base + "fence"}
	return s, nil
}

// acquire takes the lease, or extends it when this Store's token holds it, and returns
// the lease's value ("<token>:<term>"), or false when another holds it.
var acquire = redis.NewScript(`
local cur = redis.call('GET', KEYS[2])
if cur then
  if string.sub(cur, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
    return cur
  end
  return false
end
local lease = ARGV[1] .. ':' .. redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], lease, 'PX', ARGV[2])
return lease
`)

// extend extends the lease if it is still lease; 1 if so.
var extend = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
`)

// save stores the checkpoint if the lease is still lease; 1 if so.
var save = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// release deletes the lease if it is still lease.
var release = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then
  return redis.call('DEL', KEYS[2])
end
return 0
`)

// bounded runs f under the Store's timeout.
func (s *Store) bounded(ctx context.Context, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return f(ctx)
}

// Load takes or extends the lease and returns the checkpoint (nil when none was saved).
// While another replica holds the lease it returns an error wrapping
// gemclient.ErrNotLeaseholder.
func (s *Store) Load(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errors.New("redischeckpoint: Load on a closed Store")
	}
	s.mu.Unlock()
	sent := time.Now()
	var lease string
	err := s.bounded(ctx, func(ctx context.Context) error {
		v, err := acquire.Run(ctx, s.rdb, s.keys, s.token, s.ttl.Milliseconds()).Text()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		lease = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("redischeckpoint: taking the lease of %q: %w", s.name, err)
	}
	s.mu.Lock()
	if lease == "" {
		s.lease = ""
		s.mu.Unlock()
		return nil, fmt.Errorf("redischeckpoint: feed %q: %w", s.name, gemclient.ErrNotLeaseholder)
	}
	s.lease, s.validUntil = lease, s.until(sent)
	if !s.renewing {
		s.renewing, s.stop, s.done = true, make(chan struct{}), make(chan struct{})
		go s.renew(s.stop, s.done)
	}
	s.mu.Unlock()
	var data []byte
	err = s.bounded(ctx, func(ctx context.Context) error {
		v, err := s.rdb.Get(ctx, s.keys[0]).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		data = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("redischeckpoint: reading the checkpoint of %q: %w", s.name, err)
	}
	return data, nil
}

// until is when a lease extended by a command sent at sent is no longer certainly held:
// Redis counts its time to live from later than sent; a tenth is kept for the clocks'
// rates and for the pause between a check and what follows it.
func (s *Store) until(sent time.Time) time.Time { return sent.Add(s.ttl - s.ttl/10) }

// renew extends the lease every third of its time to live while it is held.
func (s *Store) renew(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(s.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		lease := s.lease
		s.mu.Unlock()
		if lease == "" {
			continue
		}
		sent := time.Now()
		var ok bool
		err := s.bounded(context.Background(), func(ctx context.Context) error {
			n, err := extend.Run(ctx, s.rdb, s.keys, lease, s.ttl.Milliseconds()).Int()
			ok = n == 1
			return err
		})
		s.mu.Lock()
		switch {
		case s.lease != lease: // Load took a new term meanwhile
		case err == nil && ok:
			s.validUntil = s.until(sent)
		case err == nil:
			s.lease = "" // another replica holds it now
		} // a Redis error: the lease lapses locally at validUntil unless a retry succeeds
		s.mu.Unlock()
	}
}

// LeaseHeld reports, from this Store's clock and without a round trip, whether it still
// holds the lease (see the package's documentation); otherwise an error wrapping
// gemclient.ErrNotLeaseholder.
func (s *Store) LeaseHeld() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == "" || !time.Now().Before(s.validUntil) {
		return fmt.Errorf("redischeckpoint: feed %q: the lease lapsed: %w", s.name, gemclient.ErrNotLeaseholder)
	}
	return nil
}

// Save stores the checkpoint if this Store still holds the lease of the term its Load
// took; otherwise it stores nothing and returns an error wrapping
// gemclient.ErrNotLeaseholder.
func (s *Store) Save(ctx context.Context, checkpoint []byte) error {
	s.mu.Lock()
	lease := s.lease
	s.mu.Unlock()
	if lease == "" {
		return fmt.Errorf("redischeckpoint: feed %q: not saved: %w", s.name, gemclient.ErrNotLeaseholder)
	}
	var ok bool
	err := s.bounded(ctx, func(ctx context.Context) error {
		n, err := save.Run(ctx, s.rdb, s.keys, lease, checkpoint).Int()
		ok = n == 1
		return err
	})
	if err != nil {
		return fmt.Errorf("redischeckpoint: saving the checkpoint of %q: %w", s.name, err)
	}
	if !ok {
		s.mu.Lock()
		if s.lease == lease {
			s.lease = ""
		}
		s.mu.Unlock()
		return fmt.Errorf("redischeckpoint: feed %q: not saved, the lease passed to another replica: %w", s.name, gemclient.ErrNotLeaseholder)
	}
	return nil
}

// Close stops extending the lease and releases it, if held, so that another replica can
// take over at once. The Store cannot be used afterwards.
func (s *Store) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	lease, stop, done := s.lease, s.stop, s.done
	s.lease = ""
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	if lease == "" {
		return nil
	}
	return s.bounded(ctx, func(ctx context.Context) error {
		return release.Run(ctx, s.rdb, s.keys, lease).Err()
	})
}

var (
	_ gemclient.CheckpointStore = (*Store)(nil)
	_ gemclient.CheckpointLease = (*Store)(nil)
)
