package redischeckpoint_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gem-go/gem-go/contrib/redischeckpoint"
	"github.com/gem-go/gem-go/gemclient"
)

// Every replica of a service runs this: one at a time polls Gem and delivers the changes,
// the others wait as standbys, and one of them takes over when the poller dies.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	store, err := redischeckpoint.New(rdb, "warehouse-sync")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close(context.Background()) // releases the lease: a standby takes over at once

	c, err := gemclient.New(os.Getenv("GEM_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	feed, err := gemclient.NewFeed(c, store, gemclient.ReconcileEvery(60))
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	err = feed.Run(ctx, time.Minute, func(ctx context.Context, ch gemclient.Change) error {
		log.Println(ch.Key()) // write it to the warehouse, idempotently by ch.Key()
		return nil
	})
	log.Println(err)
}
