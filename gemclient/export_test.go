package gemclient

import (
	"context"
	"time"
)

// Hooks for the external tests (package gemclient_test): they replace the clock and the
// wait between retries, so retry tests assert on the waits asked for without sleeping.

// SetSleep replaces how c waits before a retry.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) {
	c.pipe.sleep = sleep
}

// SetNow replaces the clock c uses to turn a Retry-After HTTP-date into a delay.
func SetNow(c *Client, now func() time.Time) { c.pipe.retry.now = now }

// FeedRereads returns how many lists f read again as bands since it was made, and how
// many single seconds it walked by offset (feedlist.go).
func FeedRereads(f *Feed) (bands, seconds int64) {
	return f.stats.bands.Load(), f.stats.seconds.Load()
}
