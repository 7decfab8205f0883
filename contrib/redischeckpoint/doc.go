// Package redischeckpoint keeps a gemclient.Feed's checkpoint in Redis, with a lease, so
// that in a fleet of replicas exactly one polls Gem at a time and another takes over when
// it dies.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	store, err := redischeckpoint.New(rdb, "warehouse-sync")
//	defer store.Close(context.Background())
//	feed, err := gemclient.NewFeed(c, store, ...)
//	err = feed.Run(ctx, time.Minute, handle) // on every replica
//
// # The lease
//
// A Store's Load takes the lease (or extends it, when this Store holds it) and reads the
// checkpoint; while another replica holds the lease, Load fails with an error wrapping
// gemclient.ErrNotLeaseholder, and that replica's Run simply tries again at its next
// pass: it is a standby. The holder extends the lease in the background every third of
// its time to live (WithLeaseTTL, 15 s by default) as long as the Store is open; a replica
// that dies stops extending it, the lease expires, and the first standby to poll after
// that takes over: within the time to live plus the standby's polling interval.
//
// # Fencing
//
// A replica can lose its lease without dying: paused (a long garbage collection, a
// stopped container), or cut off from Redis. Two things keep it from doing harm:
//
//   - Save is one Lua script that stores the checkpoint only if the lease in Redis is
//     still this Store's, and this term's: every acquisition increments a fence counter,
//     and the lease holds the Store's random token and that term. A replica whose lease
//     expired, even if it was taken and lost again since, saves nothing; Save returns an
//     error wrapping gemclient.ErrNotLeaseholder.
//   - LeaseHeld (gemclient.CheckpointLease) answers from the Store's own clock, with no
//     round trip: the lease is held until its time to live, minus a tenth, after the last
//     extension Redis confirmed, counted from before it was sent. gemclient.Feed checks it
//     before every change it delivers, so a replica that lost its lease stops delivering
//     at the latest when the lease could have passed to another.
//
// Delivery stays at least once: a change delivered by a replica that then lost its lease
// before saving is delivered again by the next holder (with the same Change.Key).
//
// # Keys
//
// For a feed named name, with the prefix "gem-go:feed:" (WithKeyPrefix):
//
//	gem-go:feed:{name}:checkpoint   the checkpoint, as gemclient writes it
//	gem-go:feed:{name}:lease        "<token>:<term>", expiring
//	gem-go:feed:{name}:fence        the term counter
//
// The braces keep the three in one hash slot, so the scripts work on Redis Cluster. The
// checkpoint has no expiry: a Redis that persists its data (AOF or RDB) keeps the feed's
// place across its own restarts; one that does not starts the feed over (its first pass
// copies everything again).
//
// Every Redis operation is bounded by WithTimeout (2 s by default) whatever the client's
// own timeouts.
package redischeckpoint
