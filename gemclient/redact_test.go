package gemclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// A server or proxy that echoes the request's credentials, in every way one can: Gem's
// envelope, a gateway's HTML page, JSON- and URL-escaped, through the 1 MiB cut of an
// error body, in a malformed status line (net/http quotes it in its error), in the
// X-Pagination header (quoted by *PageInfoError). None of it reaches an error, its fields
// or the debug log.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	for _, creds := range []struct{ name, key, secret string }{
		{"plain", testKey, testSecret},
		// Characters that JSON, URL and HTML encode differently, so every form is tried.
		{"escapable", `KEY<&>"+/=\zq81Xw4r7TtY0pLmN3vB6cJ2hD5gF9`, `SECRET<&>"+/=\q7Wn2Ek9Lr4Tz6Yx1Vb3Nm8H`},
	} {
		t.Run(creds.name, func(t *testing.T) { testEchoedCredentials(t, creds.key, creds.secret) })
	}
}

func testEchoedCredentials(t *testing.T, key, secret string) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		k, sec := r.Header.Get("X-API-Key"), r.Header.Get("X-Application-Secret")
		require.Equal(t, key, k, "the server does get the key: the scan below is not vacuous")
		switch r.URL.Path {
		case "/v0/candidates/envelope":
			body, _ := json.Marshal(map[string]any{
				"code": 400, "status": "Bad key " + k, "message": "invalid key " + k + " for " + sec,
				"errors": map[string]any{"json": map[string]any{"x_api_key": []string{"echo " + k}}},
			})
			writeJSON(w, http.StatusBadRequest, string(body))
		case "/v0/candidates/minimal-json":
			esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
			writeJSON(w, http.StatusBadRequest, `{"message":"key `+esc.Replace(k)+` secret `+esc.Replace(sec)+`"}`)
		case "/v0/candidates/html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><pre>X-API-Key: %s\nX-Application-Secret: %s\nreferer: /x?key=%s&s=%s</pre></html>", k, sec, url.QueryEscape(k), url.QueryEscape(sec))
		case "/v0/candidates/cut":
			// The 1 MiB cut of an error body falls in the middle of the key.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "%s%s", strings.Repeat(".", 1<<20-len(k)/2), k)
		case "/v0/candidates/status-line":
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprintf(bw, "HTTP/1.1 2%s OK\r\nContent-Length: 0\r\n\r\n", k)
			_ = bw.Flush()
		case "/v0/candidates":
			w.Header().Set("X-Pagination", "echo "+k+" "+sec)
			writeJSON(w, http.StatusOK, `[{"id":"c1"}]`)
		default:
			writeJSON(w, http.StatusNotFound, `{}`)
		}
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := gemclient.New(key, gemclient.WithBaseURL(s.URL+prefix), gemclient.WithApplicationSecret(secret),
		gemclient.WithLogger(logger), gemclient.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()

	var outputs []string
	record := func(err error) {
		require.Error(t, err)
		outputs = append(outputs, err.Error(), fmt.Sprintf("%v|%+v|%#v|%s|%q", err, err, err, err, err))
		for e := err; e != nil; e = errors.Unwrap(e) {
			outputs = append(outputs, e.Error())
		}
		var apiErr *gemclient.APIError
		if errors.As(err, &apiErr) {
			e := apiErr
			outputs = append(outputs, e.Status, e.Message, string(e.Body), string(e.Errors), fmt.Sprint(gemclient.FieldErrors(err)))
			assert.Contains(t, string(e.Body), "[redacted]", "%s: the body is redacted, not dropped", e.Path)
		}
		var pageErr *gemclient.PageInfoError
		if errors.As(err, &pageErr) {
			e := pageErr
			outputs = append(outputs, e.Header)
			assert.Contains(t, e.Header, "[redacted]")
		}
	}
	for _, id := range []string{"envelope", "minimal-json", "html", "cut", "status-line"} {
		_, err := c.GetCandidate(ctx, id)
		record(err)
	}
	_, _, err = c.ListCandidates(ctx, nil)
	record(err)
	outputs = append(outputs, logs.String())
	assert.Contains(t, logs.String(), "malformed HTTP status code", "the status line's error was logged")

	forms := func(s string) []string {
		goJSON, _ := json.Marshal(s)
		return []string{s, s[:20], string(goJSON[1 : len(goJSON)-1]), url.QueryEscape(s)}
	}
	for _, out := range outputs {
		for _, f := range append(forms(key), forms(secret)...) {
			if strings.Contains(out, f) {
				t.Errorf("credential (form %q) leaked into: %.300s", f, out)
			}
		}
	}
}

// The headers a caller is given (ResponseHeader on success, APIError.Header on failure)
// carry no credential a server echoed back.
func TestHeadersGivenToCallersAreRedacted(t *testing.T) {
	status := http.StatusOK
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "key="+r.Header.Get("X-API-Key")+" secret="+r.Header.Get("X-Application-Secret"))
		w.Header().Set("X-Amzn-RequestId", "req-1")
		writeJSON(w, status, `{"id":"c1"}`)
	})
	c := newClient(t, s, gemclient.WithApplicationSecret(testSecret))
	var h http.Header
	_, err := c.GetCandidate(context.Background(), "c1", gemclient.ResponseHeader(&h))
	require.NoError(t, err)
	require.NotEmpty(t, h.Get("X-Echo"))
	status = http.StatusNotFound
	var failed http.Header
	_, err = c.GetCandidate(context.Background(), "c1", gemclient.ResponseHeader(&failed), gemclient.MaxRetries(0))
	var apiErr *gemclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "req-1", apiErr.RequestID)
	for _, header := range []http.Header{h, failed, apiErr.Header} {
		out := fmt.Sprintf("%v", header)
		assert.NotContains(t, out, testKey)
		assert.NotContains(t, out, testSecret)
		assert.Contains(t, out, "key=")
	}
	assert.Equal(t, testKey, s.Requests()[0].Header.Get("X-API-Key"), "the server did get the key")
}
