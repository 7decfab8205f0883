// Command gemfake serves a fake Gem API v0 (package gemtest) over HTTP, so services in
// any language can be tested against it without Gem:
//
//	go run ./cmd/gemfake -addr 127.0.0.1:8080 [-api-key k1,k2] [-seed demo]
//	    [-rate 20 -burst 500] [-fault-rate 0.2 -fault-seed 1] [-latency 0s]
//	    [-max-body 10485760] [-max-stored-file-bytes 67108864] [-public-url https://gem.test]
//	    [-read-header-timeout 5s -read-timeout 15s -write-timeout 1m -idle-timeout 15s]
//
// It prints the base URL, a key it accepts and a user id to create things as
// (GEM_USER_ID). The download_url of resumes and data export files names the address a
// client's connection reached (never the request's Host header), or -public-url. Connections that stall (no request, a body that stops coming, an idle
// keep-alive) are closed after the timeouts. On SIGINT or SIGTERM it stops accepting
// connections, lets the requests in flight finish (for at most -shutdown-timeout) and
// exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gem-go/gem-go/gemtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "gemfake:", err)
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done, then shuts down. ready, when not nil, gets
// the base URL once the server listens.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(url string)) error {
	fs := flag.NewFlagSet("gemfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	keys := fs.String("api-key", "", "comma-separated X-API-Key values to accept (default: any non-empty key)")
	seed := fs.String("seed", "", "data set to start with: demo (default: one user; see gemtest.WithSeed)")
	rate := fs.Float64("rate", gemtest.DefaultRatePerSecond, "requests per second per key (0: no rate limit)")
	burst := fs.Int("burst", gemtest.DefaultBurst, "burst per key")
	faultRate := fs.Float64("fault-rate", 0, "share of requests to fail: 429s, 5xxs and dropped connections, evenly")
	faultSeed := fs.Int64("fault-seed", 1, "seed of the fault sequence")
	latency := fs.Duration("latency", 0, "latency added to every request")
	verbose := fs.Bool("v", false, "log every request")
	maxBody := fs.Int64("max-body", gemtest.DefaultMaxRequestBody, "largest request body in bytes; larger ones get the gateway's 413")
	maxFiles := fs.Int64("max-stored-file-bytes", gemtest.DefaultMaxStoredFileBytes, "bytes of uploaded resumes and data export files kept; the oldest are dropped beyond (their downloads answer 404)")
	publicURL := fs.String("public-url", "", "base URL of download_url links, e.g. behind a proxy (default: the address each connection reached)")
	// Timeouts, so that stalled clients cannot hold connections: the request line and
	// headers, the whole request (a 10 MB upload included), the response (it must exceed
	// -latency) and an idle keep-alive connection.
	readHeaderTimeout := fs.Duration("read-header-timeout", 5*time.Second, "time to read a request's headers")
	readTimeout := fs.Duration("read-timeout", 15*time.Second, "time to read a whole request, body included")
	writeTimeout := fs.Duration("write-timeout", time.Minute, "time from the end of a request's headers to the end of its response (more than -latency)")
	idleTimeout := fs.Duration("idle-timeout", 15*time.Second, "how long an idle keep-alive connection is kept")
	shutdownTimeout := fs.Duration("shutdown-timeout", 5*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for name, d := range map[string]time.Duration{
		"read-header-timeout": *readHeaderTimeout, "read-timeout": *readTimeout, "write-timeout": *writeTimeout,
		"idle-timeout": *idleTimeout, "shutdown-timeout": *shutdownTimeout,
	} {
		if d <= 0 {
			return fmt.Errorf("-%s %v: want a positive duration", name, d)
		}
	}
	if *latency >= *writeTimeout {
		return fmt.Errorf("-latency %v must be less than -write-timeout %v, or no response would be written", *latency, *writeTimeout)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts := []gemtest.Option{
		gemtest.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
		gemtest.WithSeed(*seed),
		gemtest.WithRateLimit(*rate, *burst),
		gemtest.WithMaxRequestBody(*maxBody),
		gemtest.WithMaxStoredFileBytes(*maxFiles),
	}
	if *publicURL != "" {
		opts = append(opts, gemtest.WithPublicURL(*publicURL))
	}
	if *rate == 0 {
		opts = append(opts, gemtest.WithoutRateLimit())
	}
	if *keys != "" {
		opts = append(opts, gemtest.WithAPIKeys(strings.Split(*keys, ",")...))
	}
	faults := gemtest.UniformFaults(*faultSeed, *faultRate)
	faults.Latency = *latency
	opts = append(opts, gemtest.WithFaults(faults))
	fake, err := gemtest.New(opts...)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           fake,
		ReadHeaderTimeout: *readHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(stderr, nil), slog.LevelWarn),
	}
	// GEM_USER_ID is a user of the fake's team, for the created_by, user_id and
	// on_behalf_of_user_id fields that most writes require.
	// The base URL a client wants is the server itself: every path starts with /v0.
	fmt.Fprintf(stdout, "gemfake: serving Gem API v0 (/v0/...) at base URL %s\nGEM_BASE_URL=%s\nGEM_API_KEY=%s\nGEM_USER_ID=%s\n", url, url, fake.APIKey(), fake.DefaultUserID())
	if ready != nil {
		ready(url)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Graceful: no new connections, idle ones closed, requests in flight finish; those
	// still running after -shutdown-timeout are cut off.
	shutdown, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		fmt.Fprintf(stderr, "gemfake: requests still in flight after %v; closing their connections\n", *shutdownTimeout)
		_ = srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "gemfake: stopped")
	return nil
}
