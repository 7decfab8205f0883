package redischeckpoint_test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/contrib/redischeckpoint"
	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/internal/redistest"
)

func newStore(t *testing.T, addr string, opts ...redischeckpoint.Option) *redischeckpoint.Store {
	t.Helper()
	s, err := redischeckpoint.New(client(t, addr), "warehouse", opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// One Store holds the lease; the other's Load and Save are refused until the holder
// releases it.
func TestOneHolderAtATime(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	a, b := newStore(t, srv.Addr), newStore(t, srv.Addr)
	data, err := a.Load(ctx)
	require.NoError(t, err)
	assert.Nil(t, data, "no checkpoint yet")
	require.NoError(t, a.LeaseHeld())
	require.NoError(t, a.Save(ctx, []byte("first")))

	_, err = b.Load(ctx)
	require.ErrorIs(t, err, gemclient.ErrNotLeaseholder)
	require.ErrorIs(t, b.LeaseHeld(), gemclient.ErrNotLeaseholder)
	require.ErrorIs(t, b.Save(ctx, []byte("b")), gemclient.ErrNotLeaseholder)

	data, err = a.Load(ctx) // the holder's next pass extends its lease
	require.NoError(t, err)
	assert.Equal(t, "first", string(data))

	require.NoError(t, a.Close(ctx))
	data, err = b.Load(ctx)
	require.NoError(t, err, "released: taken over at once")
	assert.Equal(t, "first", string(data))
	require.NoError(t, b.Save(ctx, []byte("second")))
}

// The holder extends its lease in the background, so a standby never gets it while the
// holder lives, however long it polls; once the holder dies (its connection gone, its
// lease no longer extended), the lease expires and the standby takes over.
func TestTakeoverWhenTheHolderDies(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	// Extensions every ttl/3 leave 2/3 of the TTL of slack for a loaded machine.
	const ttl = time.Second
	holderClient := client(t, srv.Addr)
	holder, err := redischeckpoint.New(holderClient, "warehouse", redischeckpoint.WithLeaseTTL(ttl), redischeckpoint.WithTimeout(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close(ctx) })
	standby := newStore(t, srv.Addr, redischeckpoint.WithLeaseTTL(ttl))
	_, err = holder.Load(ctx)
	require.NoError(t, err)

	for end := time.Now().Add(2 * ttl); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		_, err := standby.Load(ctx)
		require.ErrorIs(t, err, gemclient.ErrNotLeaseholder, "the holder lives: no takeover")
		require.NoError(t, holder.LeaseHeld())
	}

	require.NoError(t, holderClient.Close()) // dies: no more extensions, no release
	died := time.Now()
	var took time.Duration
	for {
		if _, err := standby.Load(ctx); err == nil {
			took = time.Since(died)
			break
		}
		require.Less(t, time.Since(died), 10*time.Second, "no takeover")
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("taken over %v after the holder died (lease TTL %v)", took.Round(time.Millisecond), ttl)
	require.ErrorIs(t, holder.LeaseHeld(), gemclient.ErrNotLeaseholder, "the dead holder's own view has lapsed too")
}

// Fencing: a holder whose lease expired saves nothing, even after the lease was taken and
// lost again by another; a new Load takes a new term.
func TestFencing(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	a, b := newStore(t, srv.Addr), newStore(t, srv.Addr)
	rdb := client(t, srv.Addr)
	lease := "gem-go:feed:{warehouse}:lease"
	_, err := a.Load(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Save(ctx, []byte("a1")))

	require.NoError(t, rdb.Del(ctx, lease).Err()) // a's lease expires (a paused)
	require.ErrorIs(t, a.Save(ctx, []byte("a2")), gemclient.ErrNotLeaseholder, "expired and free: still not a's")
	_, err = b.Load(ctx)
	require.NoError(t, err)
	require.NoError(t, b.Save(ctx, []byte("b1")))
	require.ErrorIs(t, a.Save(ctx, []byte("a3")), gemclient.ErrNotLeaseholder)
	require.ErrorIs(t, a.LeaseHeld(), gemclient.ErrNotLeaseholder, "a refused save ends a's lease")

	require.NoError(t, rdb.Del(ctx, lease).Err()) // b's expires too
	data, err := a.Load(ctx)                      // a wakes up and polls again: a new term
	require.NoError(t, err)
	assert.Equal(t, "b1", string(data))
	require.ErrorIs(t, b.Save(ctx, []byte("b2")), gemclient.ErrNotLeaseholder)
	require.NoError(t, a.Save(ctx, []byte("a4")))
	got, err := rdb.Get(ctx, "gem-go:feed:{warehouse}:checkpoint").Result()
	require.NoError(t, err)
	assert.Equal(t, "a4", got)
	term, err := rdb.Get(ctx, "gem-go:feed:{warehouse}:fence").Int()
	require.NoError(t, err)
	assert.Equal(t, 3, term, "three acquisitions")
}

// The checkpoint survives a restart of the replica (a new Store) and, when Redis persists
// its data, a restart of Redis.
func TestCheckpointSurvivesRestarts(t *testing.T) {
	srv := startRedis(t, redistest.Persistent())
	ctx := context.Background()
	a := newStore(t, srv.Addr)
	_, err := a.Load(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Save(ctx, []byte(`{"format":1}`)))
	require.NoError(t, a.Close(ctx))
	require.NoError(t, srv.Restart())
	data, err := newStore(t, srv.Addr).Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"format":1}`, string(data))
}

// Only the three documented keys, all in one hash slot.
func TestKeys(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	s, err := redischeckpoint.New(client(t, srv.Addr), "sync", redischeckpoint.WithKeyPrefix("acme:"))
	require.NoError(t, err)
	_, err = s.Load(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, []byte("x")))
	keys, err := client(t, srv.Addr).Keys(ctx, "*").Result()
	require.NoError(t, err)
	sort.Strings(keys)
	assert.Equal(t, []string{"acme:{sync}:checkpoint", "acme:{sync}:fence", "acme:{sync}:lease"}, keys)
}

// Redis unreachable: Load and Save fail within the timeout, with an error that is not
// "another replica holds the lease".
func TestRedisUnavailable(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(redistest.FreePort(t))
	s := newStore(t, addr, redischeckpoint.WithTimeout(300*time.Millisecond))
	start := time.Now()
	_, err := s.Load(context.Background())
	require.Error(t, err)
	assert.False(t, errors.Is(err, gemclient.ErrNotLeaseholder))
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestNewRefuses(t *testing.T) {
	srv := startRedis(t)
	rdb := client(t, srv.Addr)
	for _, tc := range []struct {
		name string
		opts []redischeckpoint.Option
		want string
	}{
		{"", nil, "feed name"},
		{"a{b}", nil, "without braces"},
		{"ok", []redischeckpoint.Option{redischeckpoint.WithLeaseTTL(time.Millisecond)}, "at least 100ms"},
		{"ok", []redischeckpoint.Option{redischeckpoint.WithTimeout(0)}, "positive timeout"},
	} {
		_, err := redischeckpoint.New(rdb, tc.name, tc.opts...)
		assert.ErrorContains(t, err, tc.want)
	}
	_, err := redischeckpoint.New(nil, "x")
	assert.ErrorContains(t, err, "nil Redis client")
}
