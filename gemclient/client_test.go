package gemclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

func TestNewRefusesMissingOrUnusableKey(t *testing.T) {
	for _, key := range []string{"", "   ", "\n"} {
		_, err := gemclient.New(key)
		require.Error(t, err, "%q", key)
		assert.Contains(t, err.Error(), "missing API key")
	}
	_, err := gemclient.New("abc def")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "abc def")

	_, err = gemclient.New(testKey, gemclient.WithApplicationSecret("bad\nsecret"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "bad\nsecret")

	c, err := gemclient.New(" " + testKey + "\n") // a key read from a file with its newline
	require.NoError(t, err)
	assert.NotNil(t, c)
}

func TestNewChecksTheBaseURL(t *testing.T) {
	cases := []struct {
		url  string
		opts []gemclient.Option
		want string // error substring; "" means accepted
	}{
		{url: "https://api.gem.com"},
		{url: ""}, // the default: WithBaseURL(os.Getenv("GEM_BASE_URL")) with the variable unset
		{url: "https://proxy.example/gem/"},
		{url: "http://127.0.0.1:8080"},
		{url: "http://localhost:8080/prefix"},
		{url: "http://[::1]:8080"},
		{url: "http://gem.internal", want: "clear text"},
		{url: "http://gem.internal", opts: []gemclient.Option{gemclient.WithInsecureHTTP()}},
		{url: "ftp://api.gem.com", want: "scheme"},
		{url: "https://user:hunter2@proxy.example", want: "credentials"},
		{url: "https://api.gem.com?x=1", want: "query"},
		{url: "https://", want: "no host"},
		{url: "https://%zz", want: "not a valid URL"},
		// Every path starts with /v0: a base URL ending in it would double it, a 404 on
		// every call (gemfake's first line used to print one).
		{url: "http://127.0.0.1:8080/v0", want: "ends in /v0"},
		{url: "https://proxy.example/gem/v0/", want: "ends in /v0"},
		{url: "https://proxy.example/v0gem"},
	}
	for _, tc := range cases {
		_, err := gemclient.New(testKey, append(tc.opts, gemclient.WithBaseURL(tc.url))...)
		if tc.want == "" {
			assert.NoError(t, err, tc.url)
			continue
		}
		if assert.Error(t, err, tc.url) {
			assert.Contains(t, err.Error(), tc.want, tc.url)
			assert.NotContains(t, err.Error(), "hunter2")
		}
	}
}

// No error about the base URL quotes any part of it (it may hold a token in its host, path
// or a mistyped port): url.Parse's errors quote the bad escape, port or host character.
func TestBaseURLErrorsQuoteNothing(t *testing.T) {
	for _, u := range []string{
		"https://%zzTOKEN", "https://h/%TOKEN", "https://host:TOKEN", "https://TO KEN.example",
		"http://TOKEN.example", "https://TOKEN\x7f.example", "https://[TOKEN", "TOKEN:x", "ht tp://TOKEN",
		"https://TOKEN:pw@host", "https://host?TOKEN=1", "ftp://TOKEN",
	} {
		_, err := gemclient.New(testKey, gemclient.WithBaseURL(u))
		if assert.Error(t, err, "%q", u) {
			assert.Contains(t, err.Error(), "WithBaseURL", "%q", u)
			assert.NotContains(t, err.Error(), "TOKEN", "%q", u)
			assert.NotContains(t, err.Error(), "%zz", "%q", u)
			assert.NotContains(t, err.Error(), `"`, "%q: nothing quoted", u)
		}
	}
}

// An empty base URL is the default one, not an error and not a relative URL.
func TestEmptyBaseURLIsTheDefault(t *testing.T) {
	c, err := gemclient.New(testKey, gemclient.WithBaseURL(""))
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(c), "BaseURL: "+gemclient.DefaultBaseURL)
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, opt := range map[string]gemclient.Option{
		"rate":        gemclient.WithRateLimit(0, 10),
		"burst":       gemclient.WithRateLimit(10, 0),
		"limiter":     gemclient.WithLimiter(nil),
		"retries":     gemclient.WithMaxRetries(-1),
		"backoff":     gemclient.WithBackoff(2, 1),
		"timeout":     gemclient.WithAttemptTimeout(-1),
		"http client": gemclient.WithHTTPClient(nil),
		"user agent":  gemclient.WithUserAgent("acme\r\nX-Injected: 1"),
	} {
		_, err := gemclient.New(testKey, opt)
		assert.Error(t, err, name)
	}
}

// Every request goes under the base URL's path prefix with the key, the optional
// application secret and the User-Agent.
func TestRequestsCarryPrefixAndHeaders(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"abc"}`)
	})
	c := newClient(t, s, gemclient.WithUserAgent("acme-sync/1.2"), gemclient.WithApplicationSecret(testSecret))
	cand, err := c.GetCandidate(context.Background(), "abc")
	require.NoError(t, err)
	assert.Equal(t, "abc", *cand.ID)

	plain := newClient(t, s)
	_, err = plain.GetCandidate(context.Background(), "a/b c=")
	require.NoError(t, err)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v0/candidates/abc", reqs[0].Path)
	assert.Equal(t, testKey, reqs[0].Header.Get("X-API-Key"))
	assert.Equal(t, testSecret, reqs[0].Header.Get("X-Application-Secret"))
	assert.True(t, strings.HasPrefix(reqs[0].Header.Get("User-Agent"), "acme-sync/1.2 gem-go/"), reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, "/v0/candidates/a%2Fb%20c=", reqs[1].Path, "ids are path-escaped (docs/gem-api.md §2.2)")
	assert.Empty(t, reqs[1].Header.Values("X-Application-Secret"))
}

// A redirect is not followed: net/http would forward X-API-Key to the other host.
func TestRedirectsAreNotFollowed(t *testing.T) {
	elsewhere := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+prefix+"/v0/candidates/abc", http.StatusFound)
	})
	_, err := newClient(t, s).GetCandidate(context.Background(), "abc")
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.Zero(t, elsewhere.Count())
}

// Do goes through the same pipeline: the key, typed errors, the operation it names.
func TestDoUsesThePipeline(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"code":404,"status":"Not Found"}`)
	})
	c := newClient(t, s)
	var out gen.Candidate
	err := c.Do(context.Background(), http.MethodGet, "/v0/candidates/nope", nil, &out)
	assert.True(t, gemclient.IsNotFound(err))
	var apiErr *gemclient.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, gemclient.OpGetCandidate, apiErr.Operation)
	assert.Equal(t, testKey, s.Requests()[0].Header.Get("X-API-Key"))
	assert.Equal(t, "/v0/candidates/nope", s.Requests()[0].Path)
}

// A 2xx body that is not the documented JSON is an error naming the request, not a panic
// or a zero value.
func TestMalformedSuccessBody(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":`) })
	_, err := newClient(t, s).GetCandidate(context.Background(), "abc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GET "+prefix+"/v0/candidates/abc: decoding the response")
}
