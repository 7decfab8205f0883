// Package gemclient is the Go client for the Gem recruiting API v0.
//
// It gives a service every operation of Gem's OpenAPI document as a typed method, with what
// it needs around them: authentication, a client-side token bucket shared by every
// goroutine, retries with backoff, checks of each request against the document before it
// is sent, typed errors, pagination iterators (optionally concurrent) and helpers for Gem's
// rough edges. The models are in package gen.
//
//	c, err := gemclient.New(os.Getenv("GEM_API_KEY"))
//	cand, err := c.GetCandidate(ctx, id)
//	fmt.Println(cand.GetFirstName(), cand.GetCreatedAt())
//	for cand, err := range c.ListCandidatesAll(ctx, nil) { ... }
//	_, err = c.UpdateCandidate(ctx, id, gen.CandidateUpdate{Title: gen.Value("Analyst")})
//
// Share one Client per API key: it holds the key's rate limiter. Models and parameters
// are in package gen: responses are plain structs with nil-safe accessors, optional
// request fields take Ptr(v), and the fields of update bodies that Gem can clear take
// gen.Value(v) or gen.Null[T]().
//
// Every operation of the document is a method named after its operationId (see
// operations.gen.go and validate.gen.go, generated from the document by internal/opsgen):
// one page for a list operation plus an ...All iterator, the decoded 2xx body otherwise.
// Every method takes CallOptions last (RetrySafe, Header, MaxRetries, ResponseHeader; PageSize
// and Workers for the iterators). Any answer that is not 2xx comes back as an *APIError, a
// request the document forbids as a *ValidationError, so callers never switch on status
// codes. [Client.Do] sends anything else through the same pipeline.
//
// A Feed (NewFeed) turns polling into a stream of changes for services that keep a copy
// of Gem or react to it: candidates created, updated and deleted, projects, and project
// membership, each delivered once per version, with its place kept in a CheckpointStore.
//
// Facts about Gem's behaviour that the code relies on cite "docs/gem-api.md §n", the
// project's account of Gem API v0 as observed by public clients (docs/gem-api.md in the
// repository).
package gemclient

// GEN_OUTDIR is unset normally, so the file is written here; `make verify-generated` sets
// it to a scratch directory and compares.
//
//go:generate go run ./internal/opsgen -gen ../gen/gem.gen.go -outdir ${GEN_OUTDIR}.
