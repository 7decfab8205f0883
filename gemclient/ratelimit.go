package gemclient

import "context"

// Limiter paces requests. Wait blocks until one request may be sent, or returns an error
// when ctx ends first. *rate.Limiter satisfies it; so can a limiter shared by a fleet of
// replicas that use one key (Gem's limit is per key, docs/gem-api.md §2.6).
//
// The Client calls Wait once per attempt, retries included, after the request passed
// validation, from every goroutine that uses the Client. A Limiter that also implements
// Pauser is paused when Gem answers 429 to a call it admitted.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Gem allows 20 requests per second with a burst of 500 per key, enforced by AWS API
// Gateway (docs/gem-api.md §2.6).
const (
	DefaultRatePerSecond = 20
	DefaultBurst         = 500
)

func defaultLimiter() Limiter { return newLocalLimiter(DefaultRatePerSecond, DefaultBurst) }
