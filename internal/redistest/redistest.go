// Package redistest starts a private redis-server for the tests of the contrib modules
// that use Redis: on a free loopback port, in a temporary directory, stopped when the
// test ends. It uses only the redis-server binary (Debian: apt-get install -y
// redis-server) and the standard library, so the SDK's module gains no dependency.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a private redis-server.
type Server struct {
	tb      testing.TB
	bin     string
	dir     string
	persist bool
	Port    int
	Addr    string
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has exited
}

// Option configures Start.
type Option func(*Server)

// Persistent makes the server write every command to an append-only file (fsync
// always), so that a restart (Restart) keeps the data. By default nothing is persisted
// and a restart empties the server.
func Persistent() Option { return func(s *Server) { s.persist = true } }

// Binary returns the redis-server binary, or skips the test when there is none, unless
// GEM_REQUIRE_REDIS is set (for CI), which makes its absence a failure.
func Binary(tb testing.TB) string {
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

// Start starts a redis-server on a free loopback port and stops it when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{tb: tb, bin: Binary(tb), dir: tb.TempDir()}
	for _, o := range opts {
		o(s)
	}
	var err error
	for range 3 { // the free port may be taken between picking and binding
		s.Port = FreePort(tb)
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
		if err = s.start(); err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
	}
	tb.Fatalf("starting redis-server: %v", err)
	return nil
}

// FreePort returns a loopback port nothing listens on (at the time).
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs redis-server on s.Port and waits until it answers PING.
func (s *Server) start() error {
	args := []string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--save", "",
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning", "--logfile", ""}
	if s.persist {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	s.cmd = exec.Command(s.bin, args...)
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
		if Ping(s.Addr) == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-exited
	s.cmd = nil
	return fmt.Errorf("redis-server on %s did not answer PING within 5s: %s", s.Addr, out.String())
}

// Ping sends PING over a fresh connection.
func Ping(addr string) error {
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
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Hang stops the server (SIGSTOP) without closing its connections: it accepts nothing
// and answers nothing until Resume, like a Redis stuck on a slow disk or swapping.
func (s *Server) Hang() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// Resume continues a hung server (SIGCONT), which then answers what it was sent meanwhile.
func (s *Server) Resume() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// Restart stops the server and starts a new one on the same port and directory: empty,
// unless Persistent. It may be called from any goroutine.
func (s *Server) Restart() error {
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
