package gemtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server is a Fake served over HTTP on a loopback port, for tests.
type Server struct {
	// URL is the base URL, like https://api.gem.com: the API is under URL + "/v0/".
	URL string
	// APIKey is a key the server accepts (Fake.APIKey).
	APIKey string
	// UserID is a user to create things as (Fake.DefaultUserID).
	UserID string
	// Fake is the fake behind the server, for reading and seeding its state.
	Fake *Fake

	srv *httptest.Server
}

// NewServer starts a Fake configured by opts on a loopback port and closes it when the
// test ends. Invalid options fail the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	f, err := New(opts...)
	if err != nil {
		tb.Fatalf("gemtest.NewServer: %v", err)
	}
	srv := httptest.NewServer(f)
	s := &Server{URL: srv.URL, APIKey: f.APIKey(), UserID: f.DefaultUserID(), Fake: f, srv: srv}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the fake's churn (WithChurn) and shuts the server down, waiting for
// requests in flight. It is safe to call more than once.
func (s *Server) Close() {
	s.Fake.StopChurn()
	s.srv.Close()
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }
