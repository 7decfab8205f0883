package gemtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// epoch is the tests' clock start: fixed, so timestamps are known.
var epoch = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// start serves a fake with response validation on, no rate limit and a manual clock
// (unless opts override them).
func start(t *testing.T, opts ...gemtest.Option) (*gemtest.Server, *gemtest.ManualClock) {
	t.Helper()
	clock := gemtest.NewManualClock(epoch)
	base := []gemtest.Option{gemtest.WithResponseValidation(t), gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now)}
	return gemtest.NewServer(t, append(base, opts...)...), clock
}

// client is the SDK's client for srv, sending its API key, without retries.
func client(t *testing.T, srv *gemtest.Server) *gemclient.Client {
	t.Helper()
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL), gemclient.WithHTTPClient(srv.Client()), gemclient.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// response is a raw response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v.
func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// call sends method path with body (JSON-encoded unless nil) and srv's API key.
func call(t *testing.T, srv *gemtest.Server, method, path string, body any) response {
	t.Helper()
	return callWith(t, srv, method, path, body, http.Header{"X-API-Key": {srv.APIKey}})
}

// rawBody is a request body sent as is, with the Content-Type the header gives.
type rawBody []byte

// callWith sends method path with header and body: JSON-encoded (with Content-Type
// application/json) unless nil or a rawBody.
func callWith(t *testing.T, srv *gemtest.Server, method, path string, body any, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	req.Header = header.Clone()
	switch b := body.(type) {
	case nil:
	case rawBody:
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.ContentLength = int64(len(b))
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.ContentLength = int64(len(data))
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// object is a JSON object, for request bodies and loose assertions.
type object = map[string]any

// mustCreate creates what path creates and returns the created object's id.
func mustCreate(t *testing.T, srv *gemtest.Server, path string, body any) string {
	t.Helper()
	r := call(t, srv, http.MethodPost, path, body)
	require.Equal(t, http.StatusCreated, r.status, "POST %s: %s", path, r.body)
	var got struct {
		ID string `json:"id"`
	}
	r.json(t, &got)
	require.NotEmpty(t, got.ID)
	return got.ID
}

func ptr[T any](v T) *T { return &v }

// hasNext reports whether an X-Pagination header names a next page.
func hasNext(t *testing.T, header string) bool {
	t.Helper()
	var meta gen.PaginationMetadata
	require.NoError(t, json.Unmarshal([]byte(header), &meta), header)
	return meta.NextPage != nil
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

// get reads path, which must answer 200, into a T.
func get[T any](t *testing.T, srv *gemtest.Server, path string) T {
	t.Helper()
	r := call(t, srv, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, r.status, "GET %s: %s", path, r.body)
	var v T
	r.json(t, &v)
	return v
}
