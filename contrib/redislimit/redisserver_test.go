package redislimit_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// redisServer is a private redis-server on a free loopback port, without persistence,
// stopped when the test ends.
type redisServer struct {
	tb   testing.TB
	bin  string
	dir  string
	Port int
	Addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// findRedisServer returns the redis-server binary, or skips the test when there is none,
// unless GEM_REQUIRE_REDIS is set (for CI), which makes its absence a failure.
func findRedisServer(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	msg := "redis-server not found in PATH or /usr/bin (Debian: apt-get install -y redis-server)"
	if os.Getenv("GEM_REQUIRE_REDIS") != "" {
		tb.Fatal(msg + "; GEM_REQUIRE_REDIS is set, so this is a failure")
	}
	tb.Skip(msg + "; set GEM_REQUIRE_REDIS=1 to make this a failure")
	return ""
}

// startRedis starts a redis-server on a free loopback port.
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	s := &redisServer{tb: tb, bin: findRedisServer(tb), dir: tb.TempDir()}
	var err error
	for range 3 { // the free port may be taken between picking and binding
		s.Port = freePort(tb)
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
		if err = s.start(); err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
	}
	tb.Fatalf("starting redis-server: %v", err)
	return nil
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs redis-server on s.Port and waits until it answers PING.
func (s *redisServer) start() error {
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--daemonize", "no", "--loglevel", "warning", "--logfile", "")
	var out strings.Builder
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return err
	}
	exited := make(chan struct{})
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(exited) }(s.cmd)
	s.done = exited
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("redis-server exited: %s", out.String())
		default:
		}
		if ping(s.Addr) == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-exited
	s.cmd = nil
	return fmt.Errorf("redis-server on %s did not answer PING within 5s: %s", s.Addr, out.String())
}

// ping sends PING over a fresh connection.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING: %q", line)
	}
	return nil
}

// Stop kills the server (SIGKILL, like a crash) and waits until it is gone. Stopping a
// stopped server does nothing.
func (s *redisServer) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Hang stops the server (SIGSTOP) without closing its connections: it accepts nothing
// and answers nothing until Resume, like a Redis stuck on a slow disk or swapping.
func (s *redisServer) Hang() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// Resume continues a hung server (SIGCONT), which then answers what it was sent meanwhile.
func (s *redisServer) Resume() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// Restart stops the server and starts a new, empty one on the same port. It may be
// called from any goroutine.
func (s *redisServer) Restart() error {
	s.Stop()
	var err error
	for range 50 { // the port is free again at once (SO_REUSEADDR), but be patient
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("restarting redis-server on %s: %w", s.Addr, err)
}

// Client returns a go-redis client for the server, closed when the test ends: each
// replica of the tests has its own. The maintenance notifications of Redis Enterprise
// are off: a plain redis-server does not know the command.
func (s *redisServer) Client() *redis.Client {
	rdb := redis.NewClient(&redis.Options{
		Addr:                     s.Addr,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	s.tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Keys returns every key in the server and its value, by SCAN.
func (s *redisServer) Keys(ctx context.Context) (map[string]string, error) {
	rdb := s.Client()
	keys := map[string]string{}
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		v, err := rdb.Get(ctx, iter.Val()).Result()
		if err != nil && err != redis.Nil {
			return nil, err
		}
		keys[iter.Val()] = v
	}
	return keys, iter.Err()
}
