package gemtest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// NewServer is one line; the server knows a valid key and a user; the SDK's client works
// against it unchanged.
func TestNewServer(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithResponseValidation(t))
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.Equal(t, gemtest.DefaultAPIKey, srv.APIKey)
	assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]{40}$`), gemtest.DefaultAPIKey, "shaped like Gem's keys")
	assert.Equal(t, srv.Fake.DefaultUserID(), srv.UserID)

	c := client(t, srv)
	_, err := c.CreateCandidate(t.Context(), gen.CandidateCreate{CreatedBy: srv.UserID})
	require.NoError(t, err)
	users, _, err := c.ListUsers(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, srv.UserID, users[0].GetID())

	srv.Close()
	srv.Close()
	_, _, err = c.ListUsers(t.Context(), nil)
	assert.Error(t, err, "closed")
}

// WithPublicURL sets the base of download URLs; WithLogger logs requests and faults.
func TestPublicURLAndLogger(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, _ := start(t, gemtest.WithPublicURL("https://files.example.com/gem/"), gemtest.WithLogger(logger))
	srv.Fake.AddDataExport(gemtest.ExportFile{Name: "projects"})
	e := get[gen.DataExport](t, srv, "/v0/data_export")
	assert.True(t, strings.HasPrefix(*(e.Files)[0].DownloadURL, "https://files.example.com/gem/_gemtest/files/data_export/"), *(e.Files)[0].DownloadURL)
	assert.Contains(t, logs.String(), "path=/v0/data_export status=200")
}

// recordingTB is a testing.TB that keeps what Errorf reports.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// WithResponseValidation reports a response that breaks the document: here a user whose
// email is not one, seeded behind the API's back.
func TestResponseValidationReports(t *testing.T) {
	tb := &recordingTB{TB: t}
	srv := gemtest.NewServer(t, gemtest.WithResponseValidation(tb))
	call(t, srv, "GET", "/v0/users", nil)
	assert.Empty(t, tb.errors)
	srv.Fake.AddUser("Broken", "not-an-email")
	call(t, srv, "GET", "/v0/users", nil)
	require.Len(t, tb.errors, 1)
	assert.Contains(t, tb.errors[0], "GET /v0/users does not match Gem's document")
	assert.Contains(t, tb.errors[0], "email")
}
