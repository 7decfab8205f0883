// Package gemtest is a fake Gem API v0 for tests: in memory, validated against Gem's
// published OpenAPI document (api/openapi.json), and shaped by what is known of the real
// API's behaviour. Comments cite Gem's API reference as "reference" and the project's
// account of the live API as "docs/gem-api.md §n" (docs/gem-api.md in the repository).
//
// In a test, one line starts it and the test's end closes it:
//
//	srv := gemtest.NewServer(t, gemtest.WithResponseValidation(t))
//	c, _ := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL))
//	// ... exercise the code under test with c (or any HTTP client sending
//	// X-API-Key: srv.APIKey to srv.URL) ...
//	if srv.Fake.CandidateCount() != 3 { ... }
//
// New returns the Fake itself, an http.Handler to mount anywhere; cmd/gemfake serves one
// for programs in any language.
//
// What it does, like Gem:
//   - every operation of the document (the fake implements the generated
//     server interface in internal/genserver, so a new operation does not compile until it is
//     served);
//   - every request validated with kin-openapi, answering webargs' 422 with marshmallow's
//     messages, "Unknown field." for unknown body fields (at most 100 listed, the rest
//     counted); unknown query parameters ignored;
//   - answers with every key the document declares, at any depth, as marshmallow dumps
//     them: null when unset, [] when empty (written from the document's schemas);
//   - ids as padded base64 of "<type>:<n>", timestamps in unix seconds;
//   - flask-smorest's pagination: bare arrays and its X-Pagination header, exactly;
//   - the documented semantics: duplicate candidates, all-or-nothing project membership
//     with its log, hidden (never deleted) fields and options, custom field values by
//     type, resumes and data exports with pre-signed, expiring download URLs it serves
//     (on the address the client connected to, or WithPublicURL; the newest
//     WithMaxStoredFileBytes of files kept, 64 MiB by default);
//   - what was observed live: the deprecated event lists' 403, the 400 for a user_id
//     adding a candidate another user owns, the 405 on GET /v0/projects/{id}/sequences;
//   - the gateway: X-API-Key (403 without a valid one), a per-key token bucket (429) and
//     the 10 MB payload limit (413);
//   - optional, seeded and repeatable faults: 429s, 5xxs, dropped connections, latency;
//   - optional churn (WithChurn): the fake changes its own data while it serves, as other
//     users of the team would, so that code reading Gem is tested while Gem changes;
//   - the Date header by its clock (WithClock), like every time it stamps.
//
// Where Gem's behaviour is unknown the fake makes a guess, says so in a comment next to
// it, and offers an Option to choose otherwise (WithDefaultSort, WithInclusiveTimeFilters,
// WithSelectValues, WithProjectFieldOptionsStatus, WithDuplicateCandidateShape,
// WithMembershipActions, WithEventLists, WithNotFoundMessages, WithRetryAfter,
// WithMaxRequestBody, WithDownloadURLExpiry, WithMaxStoredFileBytes,
// WithoutCandidateOwnerCheck, WithoutProjectSequencesRoute, WithLastUpdatedOnCreate).
//
// Lists cost what they serve: the store keeps every list in its order, so a page does
// not sort or scan what it does not show (BenchmarkWalkCandidates). FuzzServeHTTP sends
// arbitrary requests through the fake.
package gemtest
