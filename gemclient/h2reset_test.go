package gemclient_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// h2ResetServer is a minimal HTTP/2 server written against the frame format (RFC 9113 §4,
// §6), so the tests need no HTTP/2 library: it reads each request to its end (HEADERS or
// DATA with END_STREAM), counts it, and resets the stream with PROTOCOL_ERROR, as a proxy
// does on a malformed upstream answer after the origin acted. Go's HTTP/2 client re-sends
// a request on such a reset by itself (golang/go#47635).
//
// It counts at most maxRequests requests and then stops answering, so a client that loops
// is bounded by its own deadline; connections close when the test ends.
type h2ResetServer struct {
	URL      string
	requests atomic.Int64
	ln       net.Listener
	mu       sync.Mutex
	conns    []net.Conn
	closed   bool
	wg       sync.WaitGroup
}

const h2ResetMaxRequests = 5000

// newH2ResetServer serves HTTP/2 over TLS when tlsConf is set (ALPN h2), else h2c with
// prior knowledge, on a loopback port.
func newH2ResetServer(t *testing.T, tlsConf *tls.Config) *h2ResetServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h2ResetServer{ln: ln, URL: "http://" + ln.Addr().String()}
	if tlsConf != nil {
		s.ln = tls.NewListener(ln, tlsConf)
		s.URL = "https://" + ln.Addr().String()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.closed { // accepted while the test ended: the cleanup did not see it
				s.mu.Unlock()
				_ = conn.Close()
				return
			}
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			_ = conn.SetDeadline(time.Now().Add(time.Minute)) // a bound, whatever the client does
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = s.ln.Close()
		s.mu.Lock()
		s.closed = true
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// Requests is how many complete requests reached the server.
func (s *h2ResetServer) Requests() int { return int(s.requests.Load()) }

const (
	h2FrameData         = 0x0
	h2FrameHeaders      = 0x1
	h2FrameRSTStream    = 0x3
	h2FrameSettings     = 0x4
	h2FramePing         = 0x6
	h2FlagEndStream     = 0x1
	h2FlagAck           = 0x1
	h2ErrCodeProtocol   = 0x1
	h2ClientPrefaceSize = 24 // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
)

func (s *h2ResetServer) serve(conn net.Conn) {
	defer conn.Close()
	preface := make([]byte, h2ClientPrefaceSize)
	if _, err := io.ReadFull(conn, preface); err != nil || string(preface) != "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" {
		return
	}
	write := func(typ, flags byte, stream uint32, payload []byte) error {
		hdr := make([]byte, 9, 9+len(payload))
		hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
		hdr[3], hdr[4] = typ, flags
		binary.BigEndian.PutUint32(hdr[5:], stream)
		_, err := conn.Write(append(hdr, payload...))
		return err
	}
	if write(h2FrameSettings, 0, 0, nil) != nil {
		return
	}
	hdr := make([]byte, 9)
	for {
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return
		}
		length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		typ, flags, stream := hdr[3], hdr[4], binary.BigEndian.Uint32(hdr[5:])&0x7fffffff
		payload := make([]byte, length)
		if _, err := io.ReadFull(conn, payload); err != nil {
			return
		}
		var err error
		switch {
		case typ == h2FrameSettings && flags&h2FlagAck == 0:
			err = write(h2FrameSettings, h2FlagAck, 0, nil)
		case typ == h2FramePing && flags&h2FlagAck == 0:
			err = write(h2FramePing, h2FlagAck, 0, payload)
		case (typ == h2FrameHeaders || typ == h2FrameData) && flags&h2FlagEndStream != 0:
			// The request is complete: the origin acted on it. Then the reset.
			if s.requests.Add(1) > h2ResetMaxRequests {
				continue
			}
			err = write(h2FrameRSTStream, 0, stream, binary.BigEndian.AppendUint32(nil, h2ErrCodeProtocol))
		}
		if err != nil {
			return
		}
	}
}

// selfSignedTLS returns a server TLS config offering h2 with a fresh certificate for
// 127.0.0.1, and a client that trusts it and negotiates HTTP/2 with it.
func selfSignedTLS(t *testing.T) (*tls.Config, *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos:   []string{"h2"},
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return server, &http.Client{Transport: tr}
}

// h2cClient speaks HTTP/2 without TLS (prior knowledge), as Go 1.24's Protocols allows.
func h2cClient(t *testing.T) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// A stream reset after the request reached the server must not make the HTTP/2 transport
// send it again by itself: every send passes the limiter and the retry policy, a POST is
// sent once (the server may have acted), a GET once per attempt the policy allows.
func TestHTTP2ResetIsNotResentByTheTransport(t *testing.T) {
	for _, proto := range []string{"tls", "h2c"} {
		t.Run(proto, func(t *testing.T) {
			setup := func(t *testing.T, opts ...gemclient.Option) (*h2ResetServer, *gemclient.Client, *countingLimiter) {
				var srv *h2ResetServer
				var hc *http.Client
				if proto == "tls" {
					conf, client := selfSignedTLS(t)
					srv, hc = newH2ResetServer(t, conf), client
				} else {
					srv, hc = newH2ResetServer(t, nil), h2cClient(t)
				}
				lim := &countingLimiter{}
				base := []gemclient.Option{gemclient.WithBaseURL(srv.URL), gemclient.WithHTTPClient(hc), gemclient.WithLimiter(lim)}
				c, err := gemclient.New(testKey, append(base, opts...)...)
				require.NoError(t, err)
				gemclient.SetSleep(c, new(sleeps).sleep)
				return srv, c, lim
			}
			// A bound for the failure before the fix, when the transport loops until the
			// deadline; with the fix each call returns after the first reset.
			bounded := func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				t.Cleanup(cancel)
				return ctx
			}
			t.Run("POST", func(t *testing.T) {
				srv, c, lim := setup(t, gemclient.WithMaxRetries(3))
				_, err := c.CreateNote(bounded(t), gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "hi"})
				require.Error(t, err)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
				assert.Contains(t, err.Error(), "reset the HTTP/2 stream")
				assert.Equal(t, 1, srv.Requests(), "a POST reaches the server once")
				assert.Equal(t, int64(1), lim.waits.Load())
			})
			t.Run("GET", func(t *testing.T) {
				srv, c, lim := setup(t, gemclient.WithMaxRetries(2))
				_, err := c.GetCandidate(bounded(t), "c1")
				require.Error(t, err)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
				assert.Equal(t, 3, srv.Requests(), "once per attempt: the first and 2 retries")
				assert.Equal(t, int64(3), lim.waits.Load(), "every send passed the limiter")
			})
		})
	}
}

// The guard leaves working HTTP/2 alone: requests sharing a connection, in sequence and
// concurrently, each reach the server once and succeed.
func TestHTTP2CallsStillSucceed(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusCreated, `{"id":"n1","candidate_id":"c1","user_id":"u1","content":"hi","timestamp":1}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":"c1"}`)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := gemclient.New(testKey, gemclient.WithBaseURL(srv.URL), gemclient.WithHTTPClient(srv.Client()),
		gemclient.WithLimiter(rate.NewLimiter(rate.Inf, 0)), gemclient.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	for range 5 {
		require.NoError(t, getCandidate(c))
		_, err := c.CreateNote(ctx, gen.NoteCreate{CandidateID: "c1", UserID: "u1", Content: "hi"})
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { errs <- getCandidate(c) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(30), n.Load())
}
