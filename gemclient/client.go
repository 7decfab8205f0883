package gemclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client calls Gem's API. It is safe for concurrent use; every goroutine using it shares
// its rate limiter. Create it with New.
//
// The credentials live in the authenticate closure and in the pipeline's redactor, which
// removes them from anything a server sends back; no way of printing a Client (or a value
// inside it, by reflection included) reaches them.
type Client struct {
	pipe *pipeline
	// baseURL is the base URL without its trailing slash; request paths start with one.
	baseURL      string
	authenticate func(http.Header)
	hasSecret    bool
}

// authenticator returns the function that adds the credentials and the User-Agent to
// each call's request.
func authenticator(apiKey, appSecret, userAgent string) func(http.Header) {
	return func(h http.Header) {
		h.Set("X-API-Key", apiKey)
		if appSecret != "" {
			h.Set("X-Application-Secret", appSecret)
		}
		h.Set("User-Agent", userAgent)
	}
}

// New returns a Client that authenticates with apiKey (Gem's X-API-Key; surrounding
// whitespace, such as a newline from a file, is ignored). A missing key is an error here,
// not a 403 later.
func New(apiKey string, opts ...Option) (*Client, error) {
	key := strings.TrimSpace(apiKey)
	if key == "" {
		return nil, errors.New("gemclient: missing API key: pass the key from Gem's Team Settings → API Keys (sent as X-API-Key)")
	}
	if !validHeaderValue(key) {
		return nil, errors.New("gemclient: the API key contains spaces or characters a header cannot carry")
	}
	s := defaultSettings()
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	if s.appSecret != "" && !validHeaderValue(s.appSecret) {
		return nil, errors.New("gemclient: WithApplicationSecret: the secret contains spaces or characters a header cannot carry")
	}
	if strings.ContainsFunc(s.userAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, errors.New("gemclient: WithUserAgent: control characters are not allowed")
	}
	base, err := parseBaseURL(s.baseURL, s.insecureHTTP)
	if err != nil {
		return nil, err
	}
	if s.limiter == nil {
		s.limiter = defaultLimiter()
	}
	port, _ := strconv.Atoi(base.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[base.Scheme]
	}
	pipe := &pipeline{
		serverAddress:    base.Hostname(),
		serverPort:       port,
		basePath:         strings.TrimSuffix(base.EscapedPath(), "/"),
		hc:               refusingRedirects(s.httpClient),
		limiter:          s.limiter,
		retry:            retryPolicy{maxRetries: s.maxRetries, base: s.backoffBase, max: s.backoffMax, now: time.Now},
		attemptTimeout:   s.attemptTimeout,
		maxResponseBytes: s.maxResponseBytes,
		logger:           s.logger,
		redact:           newRedactor(key, s.appSecret),
		sleep:            sleepCtx,
		observer:         s.observer,
	}
	ua := "gem-go/" + Version + " (+https://github.com/gem-go/gem-go)"
	if s.userAgent != "" {
		ua = s.userAgent + " " + ua
	}
	return &Client{
		pipe:         pipe,
		baseURL:      strings.TrimSuffix(base.String(), "/"),
		authenticate: authenticator(key, s.appSecret, ua),
		hasSecret:    s.appSecret != "",
	}, nil
}

// Format prints the Client without its credentials, for every verb (%v, %+v, %#v, %s):
// fmt would otherwise print unexported fields as they are.
func (c *Client) Format(f fmt.State, _ rune) {
	if c == nil {
		_, _ = io.WriteString(f, "<nil>")
		return
	}
	secret := ""
	if c.hasSecret {
		secret = ", ApplicationSecret: [redacted]"
	}
	_, _ = fmt.Fprintf(f, "gemclient.Client{BaseURL: %s, APIKey: [redacted]%s}", c.baseURL, secret)
}

// parseBaseURL checks the base URL. Its errors never quote it, nor any part of it: it
// could carry credentials (in the host of an internal proxy, a path token, a port typo).
func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("gemclient: WithBaseURL: not a valid URL: " + urlProblem(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("gemclient: WithBaseURL: the scheme must be https (or http for loopback)")
	case u.Host == "":
		return nil, errors.New("gemclient: WithBaseURL: no host")
	case u.User != nil:
		return nil, errors.New("gemclient: WithBaseURL: credentials in the URL are refused; authenticate to a proxy with WithHTTPClient")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("gemclient: WithBaseURL: a query or fragment is not allowed")
	case u.Scheme == "http" && !insecure && !hostIsLoopback(u.Hostname()):
		return nil, errors.New("gemclient: WithBaseURL: plain http to a host that is not loopback would send the API key in clear text; use https, or WithInsecureHTTP to insist")
	case path.Base(u.Path) == "v0":
		// Every operation's path starts with /v0 (/v0/candidates): a base URL ending in it
		// would send /v0/v0/candidates, a 404 on every call.
		return nil, errors.New("gemclient: WithBaseURL: the base URL ends in /v0, which every operation's path starts with already; give the server without it (https://api.gem.com, or the address gemfake prints as GEM_BASE_URL)")
	}
	return u, nil
}

// urlProblem says what url.Parse found wrong without the text it quotes: url.Parse's
// errors quote the bad escape, port or host character, and url.Error the whole URL.
func urlProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var escape url.EscapeError
	var host url.InvalidHostError
	switch msg := err.Error(); {
	case errors.As(err, &escape):
		return "a malformed %-escape"
	case errors.As(err, &host):
		return "a character not allowed in a host name"
	case strings.HasPrefix(msg, "invalid port"):
		return "an invalid port"
	case msg == "missing ']' in host":
		return msg
	case strings.ContainsAny(msg, "\"'`"):
		return "malformed" // a message of a newer Go that quotes something
	default:
		return msg // e.g. "missing protocol scheme", "net/url: invalid control character in URL"
	}
}

// hostIsLoopback reports whether host (without port) is localhost or a loopback address.
func hostIsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHeaderValue: visible ASCII only, so a key cannot inject a header or be mangled.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// refusingRedirects returns a shallow copy of hc (or a default client) that does not
// follow redirects: net/http forwards custom headers such as X-API-Key to whatever host a
// redirect names, and Gem's API does not redirect. A 3xx becomes an *APIError.
func refusingRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Concurrent pagination keeps several requests in flight to one host; the
		// default of 2 idle connections per host would close and redial most of them.
		t.MaxIdleConnsPerHost = 64
		c.Transport = t
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
