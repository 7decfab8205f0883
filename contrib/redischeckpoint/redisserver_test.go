package redischeckpoint_test

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gem-go/gem-go/internal/redistest"
)

// client returns a go-redis client for addr, closed when the test ends: each replica of
// the tests has its own. The maintenance notifications of Redis Enterprise are off: a
// plain redis-server does not know the command.
func client(tb testing.TB, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{
		Addr:                     addr,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// startRedis starts a private redis-server (internal/redistest); without the binary the
// test skips, unless GEM_REQUIRE_REDIS is set.
func startRedis(tb testing.TB, opts ...redistest.Option) *redistest.Server {
	return redistest.Start(tb, opts...)
}
