package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gemfake serves the demo data on a free port with the given key, and stops when its
// context ends.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-api-key", "k1,k2", "-seed", "demo", "-rate", "0"}, &stdout, &stderr, func(url string) { urls <- url })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	assert.Contains(t, stdout.String(), "GEM_BASE_URL="+url+"\n")
	assert.Contains(t, stdout.String(), "GEM_API_KEY=k1\n")
	// The printed user id is one the fake accepts as created_by.
	m := regexp.MustCompile(`GEM_USER_ID=(\S+)\n`).FindStringSubmatch(stdout.String())
	require.Len(t, m, 2, "a user id is printed")
	assert.Contains(t, func() string { _, b := getUsers(t, url, "k1"); return b }(), `"id":"`+m[1]+`"`)

	get := func(key string) (int, string) { return getUsers(t, url, key) }
	status, body := get("k2")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Priya Raman")
	status, _ = get("other")
	assert.Equal(t, http.StatusForbidden, status)

	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, stdout.String(), "gemfake: stopped")
}

// getUsers lists the users of the fake at url with key.
func getUsers(t *testing.T, url, key string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url+"/v0/users", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-seed", "nope"},
		{"-fault-rate", "2"},
		{"-rate", "-1"},
		{"-addr", "127.0.0.1:0", "extra"},
		{"-bogus"},
	} {
		err := run(t.Context(), args, io.Discard, io.Discard, nil)
		assert.Error(t, err, "%v", args)
	}
}
