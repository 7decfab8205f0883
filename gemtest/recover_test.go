package gemtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorsTB records Errorf instead of failing the test.
type errorsTB struct {
	testing.TB
	errors []string
}

func (tb *errorsTB) Errorf(format string, args ...any) {
	tb.errors = append(tb.errors, fmt.Sprintf(format, args...))
}

// A panic in an operation reaches neither the caller of ServeHTTP nor the client: it is a
// 500 in flask-smorest's shape, as Flask answers an unhandled exception, and reported to
// WithResponseValidation's tb, since it is a bug of the fake. A deliberately dropped
// connection (http.ErrAbortHandler) still aborts.
func TestPanicIsA500(t *testing.T) {
	tb := &errorsTB{TB: t}
	f, err := New(WithoutRateLimit(), WithResponseValidation(tb))
	require.NoError(t, err)
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Partial", "1")
		panic("boom")
	})
	req := httptest.NewRequest(http.MethodGet, "/v0/users", nil)
	req.Header.Set("X-API-Key", "k")
	w := httptest.NewRecorder()
	require.NotPanics(t, func() { f.ServeHTTP(w, req) })
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"code":500,"status":"Internal Server Error"}`, w.Body.String())
	assert.Empty(t, w.Header().Get("X-Partial"), "what the handler wrote before it panicked is dropped")
	require.Len(t, tb.errors, 1)
	assert.Contains(t, tb.errors[0], "GET /v0/users panicked: boom")

	f.handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { f.ServeHTTP(httptest.NewRecorder(), req) })
}
