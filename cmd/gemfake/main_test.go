package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gen"
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
		{"-read-timeout", "0s"},
		{"-idle-timeout", "-1s"},
		{"-latency", "2s", "-write-timeout", "1s"},
		{"-max-body", "0"},
		{"-max-stored-file-bytes", "0"},
		{"-public-url", "files.example.com"},
	} {
		err := run(t.Context(), args, io.Discard, io.Discard, nil)
		assert.Error(t, err, "%v", args)
	}
}

// serve runs gemfake with args on a free loopback port until the test ends; it returns
// the base URL and a function that stops it and returns run's error.
func serve(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-rate", "0"}, args...), &stdout, &stderr, func(url string) { urls <- url })
	}()
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { _ = stop() })
	select {
	case url := <-urls:
		return url, stop
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
		return "", nil
	}
}

// Connections that stall are closed by the server's timeouts: one that never sends a
// request (-read-header-timeout), one whose body stops coming (-read-timeout: the
// gateway's 400, then closed) and an idle keep-alive one (-idle-timeout). Before the
// timeouts, 666 of 1,000 such connections were still open after 20 s.
func TestStalledConnectionsAreClosed(t *testing.T) {
	url, _ := serve(t, "-read-header-timeout", "100ms", "-read-timeout", "300ms", "-idle-timeout", "200ms")
	addr := strings.TrimPrefix(url, "http://")
	kinds := map[string]func(net.Conn){
		"no request": func(net.Conn) {},
		"stalled body": func(c net.Conn) {
			fmt.Fprint(c, "POST /v0/candidates HTTP/1.1\r\nHost: gemfake\r\nX-API-Key: k\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		},
		"idle keep-alive": func(c net.Conn) {
			fmt.Fprint(c, "GET /v0/users HTTP/1.1\r\nHost: gemfake\r\nX-API-Key: k\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
		},
	}
	var wg sync.WaitGroup
	for name, stall := range kinds {
		for range 10 {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			stall(c)
			wg.Go(func() {
				// Far beyond the timeouts: reaching this deadline means the server kept the
				// connection open.
				_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
				_, err := io.Copy(io.Discard, c)
				var ne net.Error
				assert.False(t, errors.As(err, &ne) && ne.Timeout(), "%s: the connection is still open", name)
			})
		}
	}
	wg.Wait()
}

// A request in flight when gemfake is told to stop still gets its response; then the
// server exits cleanly. The request is known to be in flight when the server answers
// "100 Continue": the fake is reading its body.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	url, stop := serve(t)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	body := `{"first_name":"Ada"}`
	fmt.Fprintf(c, "POST /v0/candidates HTTP/1.1\r\nHost: gemfake\r\nX-API-Key: k\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(body))
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", line)
	_, _ = br.ReadString('\n')

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	require.Eventually(t, func() bool {
		c2, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err == nil {
			c2.Close()
		}
		return err != nil
	}, 10*time.Second, 5*time.Millisecond, "shutting down: the listener is closed")
	fmt.Fprint(c, body)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "the fake's answer (created_by is missing): %s", data)
	require.NoError(t, <-stopped)
	_, err = http.Get(url + "/v0/users")
	assert.Error(t, err, "no longer listening")
}

// gemfake stops on SIGTERM (and SIGINT) as well as when run's context ends: the signal
// goes to a child process running main, which exits 0 after "gemfake: stopped".
func TestSignalStops(t *testing.T) {
	if os.Getenv("GEMFAKE_MAIN") == "1" {
		os.Args = []string{"gemfake", "-addr", "127.0.0.1:0", "-rate", "0"}
		main()
		return
	}
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSignalStops$")
		cmd.Env = append(os.Environ(), "GEMFAKE_MAIN=1")
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines := bufio.NewScanner(out)
		var url string
		for url == "" && lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), "GEM_BASE_URL="); ok {
				url = u
			}
		}
		require.NotEmpty(t, url, "gemfake printed its URL")
		status, _ := getUsers(t, url, "k")
		require.Equal(t, http.StatusOK, status)
		require.NoError(t, cmd.Process.Signal(sig))
		var rest strings.Builder
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		require.NoError(t, cmd.Wait(), "%v: exit status", sig)
		assert.Contains(t, rest.String(), "gemfake: stopped", "%v", sig)
	}
}

// A request still in flight after -shutdown-timeout does not keep gemfake from stopping:
// its connection is closed.
func TestShutdownTimeout(t *testing.T) {
	url, stop := serve(t, "-shutdown-timeout", "100ms")
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	fmt.Fprint(c, "POST /v0/candidates HTTP/1.1\r\nHost: gemfake\r\nX-API-Key: k\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", line, "the request is in flight")
	require.NoError(t, stop()) // the body never comes
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.Copy(io.Discard, br)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection was closed")
}

// getJSON GETs path from the fake at url with the request's Host set to host (when not
// empty) and decodes the answer into v.
func getJSON(t *testing.T, url, path, host string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+path, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("X-API-Key", "k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}

// download_url names the address gemfake listens on whatever the request's Host says,
// or -public-url.
func TestDownloadURLs(t *testing.T) {
	url, _ := serve(t, "-seed", "demo")
	var export gen.DataExport
	getJSON(t, url, "/v0/data_export", "evil.example", &export)
	assert.True(t, strings.HasPrefix(*export.Files[0].DownloadURL, url+"/_gemtest/files/"), *export.Files[0].DownloadURL)

	url, _ = serve(t, "-seed", "demo", "-public-url", "https://gem.test/files")
	getJSON(t, url, "/v0/data_export", "", &export)
	assert.True(t, strings.HasPrefix(*export.Files[0].DownloadURL, "https://gem.test/files/_gemtest/files/"), *export.Files[0].DownloadURL)
}

// -max-stored-file-bytes bounds what gemfake keeps: a resume larger than the demo export's
// files pushes them out, and their downloads answer 404.
func TestMaxStoredFileBytes(t *testing.T) {
	url, _ := serve(t, "-seed", "demo", "-max-stored-file-bytes", "10000")
	var export gen.DataExport
	getJSON(t, url, "/v0/data_export", "", &export)
	status := func(u string) int {
		resp, err := http.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, status(*export.Files[0].DownloadURL))

	var users []gen.User
	getJSON(t, url, "/v0/users", "", &users)
	var candidates []gen.Candidate
	getJSON(t, url, "/v0/candidates?page_size=1", "", &candidates)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("resume_file", "cv.pdf")
	require.NoError(t, err)
	_, _ = part.Write(make([]byte, 20000))
	require.NoError(t, w.Close())
	req, err := http.NewRequest(http.MethodPost, url+"/v0/candidates/"+*candidates[0].ID+"/uploaded_resumes/"+*users[0].ID, &body)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "k")
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, http.StatusNotFound, status(*export.Files[0].DownloadURL))
}
