package gemtest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gem-go/gem-go/gen"
)

// Option configures a Fake or a Server. As in gemclient, redislimit and otelgem, an option
// is a function that sets a field of the constructor's settings and may refuse a value;
// New returns the first refusal (NewServer fails the test with it).
type Option func(*config) error

// DefaultAPIKey is the key Fake.APIKey reports when WithAPIKeys is not used. Like a real Gem
// key it is 40 alphanumerics (reference, "Authentication"). Any other non-empty key is
// accepted too unless WithAPIKeys restricts them.
const DefaultAPIKey = "gemtestFakeKey00000000000000000000000000"

// Gem's documented per-key limits (reference, "Rate Limits"; docs/gem-api.md §2.6).
const (
	DefaultRatePerSecond = 20
	DefaultBurst         = 500
)

// DefaultMaxRequestBody is the largest request body the fake accepts by default: AWS API
// Gateway's payload limit for a REST API, 10 MB (taken as 10 MiB), which Gem's gateway
// applies before its origin sees the request (docs/gem-api.md §2.1).
const DefaultMaxRequestBody = 10 << 20

// DefaultMaxStoredFileBytes is how many bytes of uploaded resumes and data export files
// the fake keeps by default (WithMaxStoredFileBytes): 64 MiB, six resumes of Gem's largest
// (10 MB) or hundreds of usual ones.
const DefaultMaxStoredFileBytes = 64 << 20

// SelectValues says what the fake accepts as the value of a single_select or multi_select
// custom field on POST and PUT /v0/candidates.
type SelectValues int

const (
	// SelectByValueOrID accepts option values and option ids (the default). The reference
	// says values, a source that used the API says ids; docs/gem-api.md §1.6 leaves it open.
	SelectByValueOrID SelectValues = iota
	// SelectByValue accepts only option values, as the reference's custom field text says.
	SelectByValue
	// SelectByID accepts only option ids, as one client observed (docs/gem-api.md §1.6, SK).
	SelectByID
)

// DuplicateShape selects the body of the 400 a duplicate linked_in_handle gets on
// POST /v0/candidates (docs/gem-api.md §2.5).
type DuplicateShape int

const (
	// DuplicateObserved is the body seen on the live API (the default):
	// {"code":400,"errors":{"duplicate_candidate":{"id":...,"li_handle":...}},
	// "message":"Candidate with LinkedIn handle \"...\" already exists.","status":"Bad Request"}.
	DuplicateObserved DuplicateShape = iota
	// DuplicateDocumented uses the reference's key, linked_in_handle, instead of li_handle,
	// in the same envelope.
	DuplicateDocumented
)

type config struct {
	apiKeys         []string
	rateLimited     bool
	ratePerSecond   float64
	burst           int
	retryAfter      bool
	faults          Faults
	seed            string
	clock           func() time.Time
	tb              testing.TB
	logger          *slog.Logger
	defaultSort     gen.SortOrder
	inclusive       bool
	selectValues    SelectValues
	pfoStatus       int
	duplicateShape  DuplicateShape
	addAction       string
	removeAction    string
	eventLists      bool
	notFoundText    bool
	publicURL       string
	maxBody         int64
	maxFileBytes    int64
	downloadExpiry  time.Duration
	ownerCheck      bool
	projectSeqs     bool
	updatedOnCreate bool
	churn           *Churn
}

func defaultConfig() config {
	return config{
		rateLimited:   true,
		ratePerSecond: DefaultRatePerSecond,
		burst:         DefaultBurst,
		clock:         time.Now,
		logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The default order of lists is undocumented; AG defaults to desc, PD reads element
		// [0] as the newest and PY's mock sorts descending: desc by creation (docs/gem-api.md §2.4).
		defaultSort: gen.SortOrderDesc,
		// Success status of POST /v0/projects/{id}/project_field_options is undocumented
		// (the document lists only 422 and default); 204 like the other write-only calls
		// (docs/gem-api.md §1.13, §5).
		pfoStatus: http.StatusNoContent,
		// Membership log actions are undocumented: a TypeScript client types them
		// 'add' | 'remove', PY's mock uses "added"/"removed" (docs/gem-api.md §1.15, §5).
		addAction:    "add",
		removeAction: "remove",
		maxBody:      DefaultMaxRequestBody,
		maxFileBytes: DefaultMaxStoredFileBytes,
		// download_url lifetime: undocumented; boto3's default for pre-signed URLs.
		downloadExpiry: DefaultDownloadURLExpiry,
		// Both observed live (docs/gem-api.md §2.5): see WithoutCandidateOwnerCheck and
		// WithoutProjectSequencesRoute.
		ownerCheck:  true,
		projectSeqs: true,
	}
}

func (c *config) check() error {
	for _, k := range c.apiKeys {
		if k == "" {
			return fmt.Errorf("gemtest: WithAPIKeys: empty key")
		}
		if len(k) > maxKeyLength {
			return fmt.Errorf("gemtest: WithAPIKeys: a key longer than %d characters, which the gateway never issues", maxKeyLength)
		}
	}
	if c.rateLimited && (c.ratePerSecond <= 0 || c.burst < 1) {
		return fmt.Errorf("gemtest: WithRateLimit(%v, %d): rate must be > 0 and burst >= 1", c.ratePerSecond, c.burst)
	}
	if c.pfoStatus != http.StatusOK && c.pfoStatus != http.StatusNoContent {
		return fmt.Errorf("gemtest: WithProjectFieldOptionsStatus(%d): want 200 or 204", c.pfoStatus)
	}
	if c.downloadExpiry <= 0 {
		return fmt.Errorf("gemtest: WithDownloadURLExpiry(%v): want a positive duration", c.downloadExpiry)
	}
	if c.publicURL != "" {
		u, err := url.Parse(c.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("gemtest: WithPublicURL(%q): want an absolute http or https URL without user, query or fragment", c.publicURL)
		}
	}
	if c.maxBody < 1 {
		return fmt.Errorf("gemtest: WithMaxRequestBody(%d): want at least 1 byte", c.maxBody)
	}
	if c.maxFileBytes < 1 {
		return fmt.Errorf("gemtest: WithMaxStoredFileBytes(%d): want at least 1 byte", c.maxFileBytes)
	}
	if c.addAction == "" || c.removeAction == "" {
		return fmt.Errorf("gemtest: WithMembershipActions: empty action")
	}
	if c.seed != "" && seeds[c.seed] == nil {
		return fmt.Errorf("gemtest: unknown seed %q (known: %v)", c.seed, seedNames())
	}
	return c.faults.check()
}

// WithAPIKeys accepts only the given X-API-Key values; any other key gets the gateway's
// 403. By default every non-empty key of at most 128 characters (AWS API Gateway's longest)
// is accepted.
func WithAPIKeys(keys ...string) Option {
	return func(c *config) error { c.apiKeys = append([]string(nil), keys...); return nil }
}

// WithRateLimit sets the per-key token bucket: perSecond tokens a second, burst at most.
// The default is Gem's 20/s with a burst of 500. The bucket refills by the fake's clock
// (WithClock), so tests can exhaust and refill it without sleeping.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		c.rateLimited = true
		c.ratePerSecond = perSecond
		c.burst = burst
		return nil
	}
}

// WithoutRateLimit turns the per-key rate limiter off.
func WithoutRateLimit() Option {
	return func(c *config) error { c.rateLimited = false; return nil }
}

// WithRetryAfter makes the rate limiter's 429s carry a Retry-After header (whole seconds
// until a token is free). Off by default: no public source reports Gem sending it
// (docs/gem-api.md §2.6).
func WithRetryAfter() Option {
	return func(c *config) error { c.retryAfter = true; return nil }
}

// WithFaults injects faults (see Faults). Off by default.
func WithFaults(f Faults) Option {
	return func(c *config) error { c.faults = f; return nil }
}

// WithSeed fills the fake with a named data set before it serves. The one there is, "demo",
// is realistic demo data: users, projects, candidates with memberships, custom and project
// fields, sequences, notes and a data export. An unknown name fails New, naming the known
// ones.
func WithSeed(name string) Option {
	return func(c *config) error { c.seed = name; return nil }
}

// WithClock sets the clock behind timestamps (created_at, added_at, ...) and the rate
// limiter's refill. The default is time.Now. See ManualClock.
func WithClock(now func() time.Time) Option {
	return func(c *config) error { c.clock = now; return nil }
}

// WithResponseValidation validates every response the fake sends against Gem's
// document (api/openapi.json), every successful one for every declared key too (none left
// out, no list null; docs/gem-api.md §2.8), and every X-Pagination header against
// flask-smorest's rules, and reports each mismatch with tb.Errorf.
func WithResponseValidation(tb testing.TB) Option {
	return func(c *config) error { c.tb = tb; return nil }
}

// WithLogger logs every request (at Debug) and every injected fault (at Info) to l. The
// default, and nil, discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithDefaultSort sets the order of lists whose request has no sort parameter. The default
// is desc (newest first), a guess (docs/gem-api.md §2.4).
func WithDefaultSort(order gen.SortOrder) Option {
	return func(c *config) error { c.defaultSort = order; return nil }
}

// WithInclusiveTimeFilters makes the *_after and *_before filters inclusive (>= and <=).
// By default they are strict (> and <), as PY's mock has it; Gem does not say (docs/gem-api.md §2.3).
func WithInclusiveTimeFilters() Option {
	return func(c *config) error { c.inclusive = true; return nil }
}

// WithLastUpdatedOnCreate makes a new candidate's last_updated_at its creation time, so
// that updated_after finds candidates created after the time as well as those updated.
// By default a candidate never updated has last_updated_at null and updated_after does
// not find it: Gem types the field nullable and does not say when (docs/gem-api.md §1.15),
// so a client must not assume either.
func WithLastUpdatedOnCreate() Option {
	return func(c *config) error { c.updatedOnCreate = true; return nil }
}

// WithSelectValues sets what select-type custom field values may name: option values,
// option ids or either (the default; docs/gem-api.md §1.6).
func WithSelectValues(s SelectValues) Option {
	return func(c *config) error { c.selectValues = s; return nil }
}

// WithProjectFieldOptionsStatus sets the success status of
// POST /v0/projects/{id}/project_field_options: 204 (the default) or 200, both with an
// empty body; the document does not say (docs/gem-api.md §1.13).
func WithProjectFieldOptionsStatus(code int) Option {
	return func(c *config) error { c.pfoStatus = code; return nil }
}

// WithDuplicateCandidateShape selects the body of the duplicate-candidate 400.
func WithDuplicateCandidateShape(s DuplicateShape) Option {
	return func(c *config) error { c.duplicateShape = s; return nil }
}

// WithMembershipActions sets the action strings of the project candidate membership log.
// The default is "add" and "remove", a guess (docs/gem-api.md §1.15).
func WithMembershipActions(add, remove string) Option {
	return func(c *config) error { c.addAction, c.removeAction = add, remove; return nil }
}

// WithEventLists serves the deprecated event lists (GET /v0/candidates/events and
// GET /v0/candidates/{id}/events) as documented, paginated. By default they answer 403
// "Events are deprecated", as the live API does (docs/gem-api.md §2.5).
func WithEventLists() Option {
	return func(c *config) error { c.eventLists = true; return nil }
}

// WithNotFoundMessages adds a message ("Candidate not found.") to 404 bodies. By default
// they are flask-smorest's bare {"code":404,"status":"Not Found"}; whether Gem adds a
// message is open (docs/gem-api.md §2.5, §5).
func WithNotFoundMessages() Option {
	return func(c *config) error { c.notFoundText = true; return nil }
}

// WithPublicURL sets the base URL the fake puts into download_url fields: an absolute
// http or https URL, to which the fake adds its files' paths. By default it is the
// address of the listener each request's connection reached (http://127.0.0.1:port for a
// Server), never the request's Host header; set it when the fake is mounted under a path
// prefix, behind a proxy, or listens on an address its clients do not use.
func WithPublicURL(base string) Option {
	return func(c *config) error { c.publicURL = base; return nil }
}

// WithMaxRequestBody sets the largest request body, in bytes, the fake accepts; a larger
// one is the gateway's 413 {"message":"Request Too Long"}, whether its Content-Length
// declares it or it arrives chunked. The default is DefaultMaxRequestBody (10 MB), so a
// resume of exactly 10 MB, which Gem's own check allows, does not fit through the gateway
// with its multipart envelope, as on the real API (a guess: the limit is AWS's); raise the
// limit to reach the fake's own resume checks with such files.
func WithMaxRequestBody(n int64) Option {
	return func(c *config) error { c.maxBody = n; return nil }
}

// WithMaxStoredFileBytes sets how many bytes of uploaded resumes and data export files
// the fake keeps for their download_urls, default DefaultMaxStoredFileBytes (64 MiB).
// Beyond it the oldest files' contents are dropped (never the newest, so a single file
// larger than n is kept alone); their records stay listed, and their download_urls answer
// S3's 404 NoSuchKey, as for a stored object that is gone. Stats reports what is kept and
// how many were dropped.
func WithMaxStoredFileBytes(n int64) Option {
	return func(c *config) error { c.maxFileBytes = n; return nil }
}

// WithDownloadURLExpiry sets how long the download_url of a resume or a data export file
// stays valid, by the fake's clock (WithClock). The default is DefaultDownloadURLExpiry
// (an hour, a guess). The URLs are signed with a secret of the fake's own, so they cannot
// be guessed from the ids in them; an expired or altered one gets S3's 403 AccessDenied.
func WithDownloadURLExpiry(d time.Duration) Option {
	return func(c *config) error { c.downloadExpiry = d; return nil }
}

// WithoutCandidateOwnerCheck lets a user_id that can write to a project add and remove
// candidates it does not own (created_by another user). By default that is Gem's 400 "User
// does not have the permission to perform the action.", as observed live when adding
// (docs/gem-api.md §2.5); without user_id the same call succeeds either way.
func WithoutCandidateOwnerCheck() Option {
	return func(c *config) error { c.ownerCheck = false; return nil }
}

// WithoutProjectSequencesRoute makes /v0/projects/{project_id}/sequences a 404 like any
// path outside Gem's document. By default GET (and every method but POST) there is the
// 405 Method Not Allowed the live API answers, which implies an undocumented POST route
// (docs/gem-api.md §2.5); the fake does not model that POST and answers it 501.
func WithoutProjectSequencesRoute() Option {
	return func(c *config) error { c.projectSeqs = false; return nil }
}
