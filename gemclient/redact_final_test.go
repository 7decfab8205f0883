package gemclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// escapeAll spells every character of s as a JSON \u escape.
func escapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// splitWith puts sep (JSON text) after every fifth character of s.
func splitWith(s, sep string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%5 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The ways a server may spell a credential in JSON text so that it comes out whole after
// decoding or after cleaning: every character \u-escaped, or split by terminal escapes,
// control characters or invisible ones.
var credentialSpellings = map[string]func(string) string{
	"\\u-escaped":        escapeAll,
	"\\u-escaped halves": func(s string) string { return s[:20] + escapeAll(s[20:]) },
	"ANSI SGR":           func(s string) string { return splitWith(s, `\u001b[31m`) },
	"ANSI OSC":           func(s string) string { return splitWith(s, `\u001b]0;title\u0007`) },
	"raw ANSI":           func(s string) string { return splitWith(s, "\x1b[0m") }, // not JSON: a proxy's
	"BEL":                func(s string) string { return splitWith(s, `\u0007`) },
	"NUL and CRLF":       func(s string) string { return splitWith(s, `\u0000\r\n`) },
	"zero-width space":   func(s string) string { return splitWith(s, `\u200b`) },
	"word joiner, BOM":   func(s string) string { return splitWith(s, `\u2060\ufeff`) },
	"soft hyphen, RLO":   func(s string) string { return splitWith(s, `\u00ad\u202e`) },
}

// leakPattern finds a credential however it is spelled in a final string: escapes
// decoded, terminal sequences dropped, then everything but letters and digits dropped
// (both test credentials are letters and digits).
func leaks(out string) bool {
	decoded := regexp.MustCompile(`\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})`).ReplaceAllStringFunc(out, func(m string) string {
		n, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(n))
	})
	decoded = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]|\x1b\\][^\x07]*\x07").ReplaceAllString(decoded, "")
	alnum := regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(decoded, "")
	return strings.Contains(alnum, testKey) || strings.Contains(alnum, testSecret)
}

// A credential the server spells so that decoding or cleaning joins it (\u-escaped, split
// by terminal escapes, control or zero-width characters) is redacted from every final
// string: Error(), FieldErrors' keys and messages, Message, Status, Body, Errors, the
// X-Pagination header of a *PageInfoError, and the debug log, whether it is in Gem's
// message, in the keys or the messages of its errors object (nested), or split across
// two messages of one field (joined by Error()). Before, every one of these spellings
// leaked through one output or more (TestRedactionAfterDecodingAndCleaning logs the
// count).
func TestRedactionAfterDecodingAndCleaning(t *testing.T) {
	places := map[string]func(k, s string) string{
		"message": func(k, s string) string {
			return `{"code":400,"status":"Bad ` + k + `","message":"key ` + k + ` secret ` + s + `"}`
		},
		"errors keys": func(k, s string) string {
			return `{"code":422,"errors":{"json":{"` + k + `":["bad"],"x":{"` + s + `":["bad"]}}}}`
		},
		"errors messages, nested": func(k, s string) string {
			return `{"code":422,"errors":{"json":{"emails":{"0":{"email_address":["` + k + `","` + s + `"]}}},"query":{"q":["` + s + `"]}}}`
		},
	}
	var names []string
	for name := range credentialSpellings {
		names = append(names, name)
	}
	sort.Strings(names)
	leaked := 0
	for place, body := range places {
		for _, name := range names {
			spell := credentialSpellings[name]
			t.Run(place+"/"+name, func(t *testing.T) {
				payload := body(spell(testKey), spell(testSecret))
				s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnprocessableEntity)
					_, _ = w.Write([]byte(payload))
				})
				var logs bytes.Buffer
				c := newClient(t, s, gemclient.WithApplicationSecret(testSecret), gemclient.WithMaxRetries(0),
					gemclient.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				err := getCandidate(c)
				var apiErr *gemclient.APIError
				require.ErrorAs(t, err, &apiErr)
				outputs := map[string]string{
					"Error()": err.Error(), "%+v": fmt.Sprintf("%+v", err), "Message": apiErr.Message, "Status": apiErr.Status,
					"Body": string(apiErr.Body), "Errors": string(apiErr.Errors), "FieldErrors": fmt.Sprint(gemclient.FieldErrors(err)),
					"log": logs.String(),
				}
				for what, out := range outputs {
					if leaks(out) {
						leaked++
						t.Errorf("%s leaks a credential: %.300q", what, out)
					}
				}
				assert.Contains(t, string(apiErr.Body), "[redacted]", "redacted, not dropped")
			})
		}
	}
	// Split across two messages of one field, which Error() joins with a space.
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnprocessableEntity, `{"errors":{"json":{"f":["`+testKey[:20]+`","`+testKey[20:]+`"]}}}`)
	})
	err := getCandidate(newClient(t, s, gemclient.WithMaxRetries(0)))
	if leaks(err.Error()) {
		leaked++
		t.Errorf("Error() joins a credential split across two messages: %q", err)
	}
	t.Logf("%d outputs leaked", leaked)
}

// The same spellings in what reaches errors and logs other than an *APIError: the
// X-Pagination header quoted by a *PageInfoError, and a status line net/http quotes in
// its error (logged at Debug).
func TestRedactionOfHeadersAndTransportErrors(t *testing.T) {
	var names []string
	for name := range credentialSpellings {
		names = append(names, name)
	}
	sort.Strings(names)
	leaked := 0
	for _, name := range names {
		spell := credentialSpellings[name]
		t.Run(name, func(t *testing.T) {
			header := `{"total":"` + spell(testKey) + `","x":"` + spell(testSecret) + `"}`
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/status-line") {
					conn, bw, err := w.(http.Hijacker).Hijack()
					if err != nil {
						return
					}
					defer conn.Close()
					line := strings.NewReplacer(`\u001b`, "\x1b", `\u0007`, "\a", `\u0000`, "\x00", `\r\n`, "", `\u200b`, "\u200b", `\u2060`, "\u2060", `\ufeff`, "\ufeff", `\u00ad`, "\u00ad", `\u202e`, "\u202e").Replace(spell(testKey))
					fmt.Fprintf(bw, "HTTP/1.1 2%s OK\r\nContent-Length: 0\r\n\r\n", line)
					_ = bw.Flush()
					return
				}
				w.Header().Set("X-Pagination", header)
				writeJSON(w, http.StatusOK, `[{"id":"c1"}]`)
			})
			var logs bytes.Buffer
			c := newClient(t, s, gemclient.WithApplicationSecret(testSecret), gemclient.WithMaxRetries(0),
				gemclient.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			// A raw escape in a header fails in net/http (quoting the line): that error
			// is checked the same way.
			_, _, err := c.ListCandidates(context.Background(), nil)
			require.Error(t, err)
			outputs := map[string]string{"list error": err.Error()}
			var pageErr *gemclient.PageInfoError
			if errors.As(err, &pageErr) {
				outputs["Header"] = pageErr.Header
			} else {
				assert.Equal(t, "raw ANSI", name, "a *PageInfoError: %v", err)
			}
			_, statusErr := c.GetCandidate(context.Background(), "status-line")
			require.Error(t, statusErr)
			outputs["status line"], outputs["log"] = statusErr.Error(), logs.String()
			for what, out := range outputs {
				if leaks(out) {
					leaked++
					t.Errorf("%s leaks a credential: %.300q", what, out)
				}
			}
			var unwrapped []string
			for e := statusErr; e != nil; e = errors.Unwrap(e) {
				unwrapped = append(unwrapped, e.Error())
			}
			if leaks(strings.Join(unwrapped, "\n")) {
				t.Errorf("the chain of the status line's error leaks: %q", unwrapped)
			}
		})
	}
	t.Logf("%d outputs leaked", leaked)
}
