package gemclient

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client in New.
type Option func(*settings) error

// settings is what the options set; New turns it into a Client.
type settings struct {
	baseURL          string
	httpClient       *http.Client
	limiter          Limiter
	maxRetries       int
	backoffBase      time.Duration
	backoffMax       time.Duration
	attemptTimeout   time.Duration
	maxResponseBytes int64
	logger           *slog.Logger
	userAgent        string
	appSecret        string
	insecureHTTP     bool
	observer         Observer
}

// Defaults of the options.
const (
	DefaultBaseURL        = "https://api.gem.com"
	DefaultMaxRetries     = 4
	DefaultBackoffBase    = 500 * time.Millisecond
	DefaultBackoffMax     = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
)

func defaultSettings() settings {
	return settings{
		baseURL:          DefaultBaseURL,
		maxRetries:       DefaultMaxRetries,
		backoffBase:      DefaultBackoffBase,
		backoffMax:       DefaultBackoffMax,
		attemptTimeout:   DefaultAttemptTimeout,
		maxResponseBytes: DefaultMaxResponseBytes,
		logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// WithBaseURL sets the server, default https://api.gem.com; an empty baseURL means the
// default, so WithBaseURL(os.Getenv("GEM_BASE_URL")) works whether the variable is set or
// not. A path prefix is kept (a proxy at https://proxy.example/gem serves
// /gem/v0/candidates); a base URL ending in /v0 is refused, since every operation's path
// starts with it. Plain http:// is refused unless the host is loopback or
// WithInsecureHTTP is given; credentials in the URL are refused.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) error {
		if baseURL == "" {
			baseURL = DefaultBaseURL
		}
		s.baseURL = baseURL
		return nil
	}
}

// WithHTTPClient sets the HTTP client that sends each attempt; its Timeout, if any, applies
// per attempt as well. The Client uses a shallow copy that refuses redirects: the API key
// is a custom header, which net/http would forward to any host a redirect names.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("gemclient: WithHTTPClient: nil client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRateLimit replaces the default token bucket (20 requests/s, burst 500) with one of
// perSecond and burst, shared by every goroutine using the Client. Like the default, it
// implements Pauser: a 429 holds every caller for the Retry-After or a short pause.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) error {
		if perSecond <= 0 || burst < 1 {
			return fmt.Errorf("gemclient: WithRateLimit(%g, %d): need a positive rate and a burst of at least 1", perSecond, burst)
		}
		s.limiter = newLocalLimiter(perSecond, burst)
		return nil
	}
}

// WithLimiter sets the Limiter, for instance one shared by several Clients or replicas.
// rate.NewLimiter(rate.Inf, 0) disables client-side pacing. A Limiter that implements
// Pauser is paused on a 429; one that does not leaves each 429 to back off alone.
func WithLimiter(l Limiter) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("gemclient: WithLimiter: nil limiter")
		}
		s.limiter = l
		return nil
	}
}

// WithMaxRetries sets how many times a failed attempt may be retried (default 4; 0
// disables retries).
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return fmt.Errorf("gemclient: WithMaxRetries(%d): negative", n)
		}
		s.maxRetries = n
		return nil
	}
}

// WithBackoff sets the exponential backoff between retries: attempt n waits a random
// duration in [0, min(max, base·2ⁿ)] ("full jitter"). A Retry-After header replaces the
// computed wait; one longer than max ends the retries and the 429 is returned with its
// RetryAfter, for the caller to schedule. When the Limiter is a Pauser (the default is),
// a 429 pauses it instead, for every caller: for the Retry-After, else for 100 ms after a
// request's first 429, doubling after its later ones, at most max; the retry then waits
// for the pause in the Limiter and does not sleep besides. Defaults 500ms and 30s; max is
// at most 24h.
func WithBackoff(base, max time.Duration) Option {
	return func(s *settings) error {
		if base <= 0 || max < base || max > maxWait {
			return fmt.Errorf("gemclient: WithBackoff(%v, %v): need 0 < base <= max <= %v", base, max, maxWait)
		}
		s.backoffBase, s.backoffMax = base, max
		return nil
	}
}

// WithMaxResponseBytes bounds the body of a successful answer, counted after
// decompression (default DefaultMaxResponseBytes, 16 MiB). A longer one, or one whose
// Content-Length says so, fails the call with a *ResponseTooLargeError and is not
// retried: a server streaming without end or a compressed bomb cannot exhaust memory.
// The body's arrays are counted before decoding as well, all together at most one element
// per 256 bytes of n (see ResponseTooLargeError).
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("gemclient: WithMaxResponseBytes(%d): need a positive limit", n)
		}
		s.maxResponseBytes = n
		return nil
	}
}

// WithAttemptTimeout bounds each attempt, reading the response included (default 30s; 0
// disables it). The caller's context bounds the whole call, retries included.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("gemclient: WithAttemptTimeout(%v): negative", d)
		}
		s.attemptTimeout = d
		return nil
	}
}

// WithLogger sets where the Client logs: one Debug line per attempt with method, path,
// status (or transport error), attempt number and the wait before the next one. Headers,
// bodies, query strings and credentials are never logged. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l != nil {
			s.logger = l
		}
		return nil
	}
}

// WithUserAgent puts product (e.g. "acme-sync/1.2") before the SDK's own User-Agent.
func WithUserAgent(product string) Option {
	return func(s *settings) error {
		s.userAgent = product
		return nil
	}
}

// WithApplicationSecret sends X-Application-Secret with every request, which partner
// integrations need beside the customer's key (docs/gem-api.md §2.1). Like the key, it
// never appears in errors, logs or formatted output.
func WithApplicationSecret(secret string) Option {
	return func(s *settings) error {
		s.appSecret = secret
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL to a host that is not loopback, which
// would send the key in clear text. Loopback (tests, a local fake) never needs it.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.insecureHTTP = true
		return nil
	}
}
