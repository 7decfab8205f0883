package redislimit_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gem-go/gem-go/contrib/redislimit"
	"github.com/gem-go/gem-go/gemclient"
)

// Every replica of a service that uses one Gem key shares the key's limit through Redis.
// With three replicas, each falls back to a third of the limit while Redis is down.
// (No Output: running it needs a Redis and a Gem; the tests start both.)
func Example() {
	apiKey := os.Getenv("GEM_API_KEY")
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		ContextTimeoutEnabled: true, // let go-redis itself stop at the decision timeout
	})
	defer rdb.Close()

	lim, err := redislimit.New(rdb, apiKey, // Gem's 20/s, burst 500
		redislimit.WithFallback(1.0/3),
		redislimit.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}
	c, err := gemclient.New(apiKey, gemclient.WithLimiter(lim))
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	users, _, err := c.ListUsers(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(users), "users")
}
