package gemclient_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// invalid runs call against a server and a limiter that count, and returns the
// *ValidationError; nothing may reach either.
func invalid(t *testing.T, call func(context.Context, *gemclient.Client) error) *gemclient.ValidationError {
	t.Helper()
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	limiter := &countingLimiter{}
	c := newClient(t, s, gemclient.WithLimiter(limiter))
	err := call(context.Background(), c)
	var verr *gemclient.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.True(t, gemclient.IsValidation(err))
	assert.Zero(t, s.Count(), "nothing sent")
	assert.Zero(t, limiter.waits.Load(), "no rate-limit token spent")
	return verr
}

func TestValidationBeforeSending(t *testing.T) {
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = "c" + strings.Repeat("x", i)
	}
	cases := []struct {
		name string
		call func(context.Context, *gemclient.Client) error
		want []gemclient.Violation
		text string
	}{
		{
			name: "page_size over 100",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(101)})
				return err
			},
			want: []gemclient.Violation{{In: "query", Field: "page_size", Rule: "maximum", Limit: "100", Message: "must be at most 100"}},
			text: "gemclient: ListCandidates (GET /v0/candidates): invalid request, not sent: page_size: must be at most 100",
		},
		{
			name: "21 candidate ids (the overlay's prose-derived bound)",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{CandidateIDs: ids})
				return err
			},
			want: []gemclient.Violation{{In: "query", Field: "candidate_ids", Rule: "maxItems", Limit: "20", Message: "must have at most 20 items"}},
		},
		{
			name: "note over 10000 characters",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, err := c.CreateNote(ctx, gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: strings.Repeat("é", 10001)})
				return err
			},
			want: []gemclient.Violation{{In: "body", Field: "/content", Rule: "maxLength", Limit: "10000", Message: "longer than maximum length 10000"}},
			text: "content: longer than maximum length 10000",
		},
		{
			name: "missing required field (raw body through Do)",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.Do(ctx, "POST", "/v0/candidates", []byte(`{"first_name":"Ann"}`), nil)
			},
			want: []gemclient.Violation{{In: "body", Field: "/created_by", Rule: "required", Message: "missing required field"}},
			text: "created_by: missing required field",
		},
		{
			name: "missing nested required field (raw body through Do)",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.Do(ctx, "POST", "/v0/candidates", map[string]any{"created_by": "u1", "emails": []any{map[string]any{"is_primary": true}}}, nil)
			},
			want: []gemclient.Violation{{In: "body", Field: "/emails/0/email_address", Rule: "required", Message: "missing required field"}},
		},
		{
			name: "a raw body of the wrong type (Do)",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.Do(ctx, "POST", "/v0/notes", json.RawMessage(`{"candidate_id":"c1","user_id":"u1","content":7}`), nil)
			},
			want: []gemclient.Violation{{In: "body", Field: "/content", Rule: "type", Limit: "string", Message: "must be of type string"}},
		},
		{
			name: "query string through Do",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.Do(ctx, "GET", "/v0/candidates?page_size=500&page=x&sort=sideways&candidate_ids="+strings.Join(ids, ","), nil, nil)
			},
			want: []gemclient.Violation{
				{In: "query", Field: "page", Rule: "type", Limit: "integer", Message: "must be of type integer"},
				{In: "query", Field: "sort", Rule: "enum", Limit: "asc, desc", Message: "must be one of: asc, desc"},
				{In: "query", Field: "candidate_ids", Rule: "maxItems", Limit: "20", Message: "must have at most 20 items"},
				{In: "query", Field: "page_size", Rule: "maximum", Limit: "100", Message: "must be at most 100"},
			},
		},
		{
			name: "an empty path parameter",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, err := c.GetCandidate(ctx, "")
				return err
			},
			want: []gemclient.Violation{{In: "path", Field: "candidate_id", Rule: "minLength", Limit: "1", Message: "must not be empty"}},
			text: "gemclient: GetCandidate (GET /v0/candidates/): invalid request, not sent: candidate_id: must not be empty",
		},
		{
			name: "an empty path parameter through Do",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.Do(ctx, "GET", "/v0/candidates//notes", nil, nil)
			},
			want: []gemclient.Violation{{In: "path", Field: "candidate_id", Rule: "minLength", Limit: "1", Message: "must not be empty"}},
		},
		{
			name: "a path parameter that would climb out of its path",
			call: func(ctx context.Context, c *gemclient.Client) error {
				return c.DeleteCandidateEvent(ctx, "c1", "..")
			},
			want: []gemclient.Violation{{In: "path", Field: "event_id", Rule: "format", Limit: "path segment", Message: `must not be "." or ".."`}},
		},
		{
			name: "required ids left empty",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, err := c.CreateNote(ctx, gen.NoteCreate{CandidateID: "c1", UserID: "", Content: "hi"})
				return err
			},
			want: []gemclient.Violation{{In: "body", Field: "/user_id", Rule: "format", Limit: "ObjectID", Message: "must not be empty (an ObjectID)"}},
		},
		{
			name: "a nullable update field set to a value too long, and a bad date",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, err := c.UpdateCandidate(ctx, "c1", gen.CandidateUpdate{
					Title:   gen.Value(strings.Repeat("t", 256)),
					DueDate: gen.Value(gen.DueDate{Date: "2026-13-01", UserID: "u1"}),
				})
				return err
			},
			want: []gemclient.Violation{
				{In: "body", Field: "/due_date/date", Rule: "format", Limit: "date", Message: "must be a date (yyyy-mm-dd)"},
				{In: "body", Field: "/title", Rule: "maxLength", Limit: "255", Message: "longer than maximum length 255"},
			},
		},
		{
			name: "every violation at once",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, _, err := c.ListProjects(ctx, &gen.ListProjectsParams{PageSize: gemclient.Ptr(0), Page: gemclient.Ptr(0), Sort: gemclient.Ptr(gen.SortOrder("sideways"))})
				return err
			},
			want: []gemclient.Violation{
				{In: "query", Field: "sort", Rule: "enum", Limit: "asc, desc", Message: "must be one of: asc, desc"},
				{In: "query", Field: "page", Rule: "minimum", Limit: "1", Message: "must be at least 1"},
				{In: "query", Field: "page_size", Rule: "minimum", Limit: "1", Message: "must be at least 1"},
			},
		},
		{
			name: "nested body field",
			call: func(ctx context.Context, c *gemclient.Client) error {
				_, err := c.CreateCandidate(ctx, gen.CandidateCreate{CreatedBy: "u1", Emails: []gen.Email{{EmailAddress: strings.Repeat("a", 300)}}})
				return err
			},
			want: []gemclient.Violation{{In: "body", Field: "/emails/0/email_address", Rule: "maxLength", Limit: "255", Message: "longer than maximum length 255"}},
			text: "emails.0.email_address: longer than maximum length 255",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			verr := invalid(t, tc.call)
			assert.ElementsMatch(t, tc.want, verr.Violations)
			if tc.text != "" {
				assert.Contains(t, verr.Error(), tc.text)
			}
			fields := gemclient.FieldErrors(verr)
			for _, v := range tc.want {
				key := strings.ReplaceAll(strings.TrimPrefix(v.Field, "/"), "/", ".")
				assert.Contains(t, fields[key], v.Message)
			}
		})
	}
}

// The message names the rule and the limit, never the value (long, or personal data).
func TestValidationErrorDoesNotQuoteTheValue(t *testing.T) {
	verr := invalid(t, func(ctx context.Context, c *gemclient.Client) error {
		_, err := c.CreateNote(ctx, gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "PRIVATE" + strings.Repeat("x", 10000)})
		return err
	})
	assert.NotContains(t, verr.Error(), "PRIVATE")
}

// /v0/candidates/events is its own operation, not GetCandidate("events"), and ids with
// escaped characters route to their operation.
func TestRoutingPrefersLiteralSegments(t *testing.T) {
	verr := invalid(t, func(ctx context.Context, c *gemclient.Client) error {
		_, _, err := c.ListEvents(ctx, &gen.ListEventsParams{PageSize: gemclient.Ptr(500)})
		return err
	})
	assert.Equal(t, "ListEvents", verr.Operation)

	verr = invalid(t, func(ctx context.Context, c *gemclient.Client) error {
		_, _, err := c.ListCandidateNotes(ctx, "a/b?c=d", &gen.ListCandidateNotesParams{PageSize: gemclient.Ptr(500)})
		return err
	})
	assert.Equal(t, "ListCandidateNotes", verr.Operation)
}
