package redislimit_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gem-go/gem-go/internal/redistest"
)

// redisServer is a private redis-server on a free loopback port, without persistence,
// stopped when the test ends (internal/redistest), with go-redis clients for it.
type redisServer struct {
	*redistest.Server
	tb testing.TB
}

// startRedis starts a redis-server on a free loopback port; without the binary the test
// skips, unless GEM_REQUIRE_REDIS is set.
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	return &redisServer{Server: redistest.Start(tb), tb: tb}
}

// Client returns a go-redis client for the server, closed when the test ends: each
// replica of the tests has its own. The maintenance notifications of Redis Enterprise
// are off: a plain redis-server does not know the command.
func (s *redisServer) Client() *redis.Client {
	rdb := redis.NewClient(&redis.Options{
		Addr:                     s.Addr,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	s.tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Keys returns every key in the server and its value, by SCAN.
func (s *redisServer) Keys(ctx context.Context) (map[string]string, error) {
	rdb := s.Client()
	keys := map[string]string{}
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		v, err := rdb.Get(ctx, iter.Val()).Result()
		if err != nil && err != redis.Nil {
			return nil, err
		}
		keys[iter.Val()] = v
	}
	return keys, iter.Err()
}
