package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// readmeUsingIt is the README's "Using it" block, verbatim (TestReadmeMatchesTheCode keeps
// it so): it compiles here and runs against the fake.
func readmeUsingIt(ctx context.Context, id, userID string) error {
	// One Client per API key, shared by every goroutine: it holds the key's rate limiter.
	c, err := gemclient.New(os.Getenv("GEM_API_KEY"),
		gemclient.WithBaseURL(os.Getenv("GEM_BASE_URL"))) // empty means https://api.gem.com
	if err != nil {
		return err // an empty key is an error here, not a 403 later
	}

	// Every operation of Gem's document, named after it, with typed parameters and results.
	cand, err := c.GetCandidate(ctx, id)
	if err != nil {
		return err // a *gemclient.APIError: IsNotFound(err) for an id Gem does not know
	}
	fmt.Println(cand.GetFirstName(), cand.GetCreatedAt()) // "" and the zero time.Time when absent
	fmt.Printf("%+v\n", cand)                             // gen.Candidate{CreatedAt:2025-03-14T09:26:53Z, FirstName:"Ada", ...}

	// Every page, 100 at a time, fetched ahead concurrently (as many in flight as the rate
	// limiter and the round trip need) and still yielded in order; Workers(1): one at a time.
	params := &gen.ListCandidatesParams{Sort: gemclient.Ptr(gen.SortOrderAsc)}
	for cand, err := range c.ListCandidatesAll(ctx, params) {
		if err != nil {
			return err // the items before the error were yielded; nothing is lost
		}
		fmt.Println(cand.GetID())
	}

	// Create, or get the candidate Gem already has with that LinkedIn handle.
	cand, created, err := c.CreateOrGetCandidate(ctx, gen.CandidateCreate{
		CreatedBy:      userID,
		FirstName:      gemclient.Ptr("Ada"),
		LinkedInHandle: gemclient.Ptr("ada-lovelace"),
		Emails:         []gen.Email{{EmailAddress: "ada@example.com", IsPrimary: gemclient.Ptr(true)}},
	})
	if err != nil {
		return err
	}
	fmt.Println("created:", created)

	// PUT changes only what is sent: gen.Value sets a field, gen.Null clears it, and a field
	// left out stays as it is.
	_, err = c.UpdateCandidate(ctx, cand.GetID(), gen.CandidateUpdate{
		Title:    gen.Value("Analyst"),
		Location: gen.Null[string](),
	})
	if err != nil {
		return err
	}

	// Options for one call go last: retry a create you know is safe to repeat, add a header,
	// read the answer's headers. Anything without a method goes through Do, on the same
	// pipeline (checks, limiter, retries, typed errors).
	var header http.Header
	_, err = c.CreateNote(ctx, gen.NoteCreate{CandidateID: cand.GetID(), UserID: userID, Content: "Met at the meetup"},
		gemclient.RetrySafe(), gemclient.ResponseHeader(&header))
	if err != nil {
		return err
	}
	var raw json.RawMessage
	err = c.Do(ctx, http.MethodGet, "/v0/candidates?page_size=5", nil, &raw)
	if err != nil || len(raw) == 0 || header == nil {
		return fmt.Errorf("the README's calls failed: %w (raw %d bytes, header %v)", err, len(raw), header)
	}
	return nil
}

// The README's block runs against the fake, and is the code above, line for line (so it
// compiles).
func TestReadmeMatchesTheCode(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"))
	t.Setenv("GEM_API_KEY", srv.APIKey)
	t.Setenv("GEM_BASE_URL", srv.URL)
	first, _, err := newFakeClient(t, srv).ListCandidates(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, first)
	require.NoError(t, readmeUsingIt(context.Background(), first[0].GetID(), srv.UserID))

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	block := codeBlock(t, string(readme), "## Using it")
	_, block, ok := strings.Cut(block, ")\n\n") // after the import block
	require.True(t, ok)
	code, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	body := codeBlock(t, string(code), "func readmeUsingIt(")
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	assert.Contains(t, strings.Join(lines, "\n"), strings.TrimSpace(block), "README.md's \"Using it\" block differs from readmeUsingIt: copy one to the other")
}

// codeBlock is the first ```go block after heading in a README, or the body of the function
// declared by heading in Go source.
func codeBlock(t *testing.T, text, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(text, heading)
	require.True(t, ok, "no %q", heading)
	if strings.HasPrefix(heading, "func ") {
		_, rest, _ = strings.Cut(rest, "{\n")
		body, _, _ := strings.Cut(rest, "\n}\n")
		return body
	}
	_, rest, ok = strings.Cut(rest, "```go\n")
	require.True(t, ok)
	block, _, _ := strings.Cut(rest, "```")
	return block
}

func newFakeClient(t *testing.T, srv *gemtest.Server) *gemclient.Client {
	t.Helper()
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return c
}
