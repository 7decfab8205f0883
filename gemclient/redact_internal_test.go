package gemclient

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The credentials of the redaction tests: a key as Gem issues them, and a secret with
// every character JSON, URLs and HTML escape differently.
const (
	fuzzKey    = "KEYSECRETzq81Xw4r7TtY0pLmN3vB6cJ2hD5gF9aS"
	fuzzSecret = `S<&>"+/=\q7Wn2Ek9Lr4Tz6Yx1Vb3Nm8H`
)

// spell writes secret with the characters whose bit is set in escapes (bit i%64 for
// character i) as \u escapes, and sep after every every-th character (every 0: never).
func spell(secret, sep string, every uint8, escapes uint64) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && every > 0 && i%int(every) == 0 {
			b.WriteString(sep)
		}
		if escapes&(1<<(i%64)) != 0 {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// renderings are what the strings the redactor returns become on their way to a
// reader: as they are, decoded as the content of a JSON string or of a Go string
// literal (when they are one), each cleaned as Error() cleans, with the characters that
// do not show dropped.
func renderings(s string) []string {
	out := []string{s}
	var decoded string
	if json.Unmarshal([]byte(`"`+s+`"`), &decoded) == nil {
		out = append(out, decoded)
	}
	if unquoted, err := strconv.Unquote(`"` + s + `"`); err == nil {
		out = append(out, unquoted)
	}
	for _, r := range out[:len(out):len(out)] {
		cleaned := cleanText(r, 1<<30)
		out = append(out, strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) {
				return -1
			}
			return r
		}, cleaned))
	}
	return out
}

// FuzzRedactSpellings builds text holding the key and the secret spelled in every way
// a server could make decoding or cleaning join them (characters \u-escaped, split by a
// separator every few characters), between arbitrary text, and checks what the
// redactor returns:
//
//   - no rendering of it (as is, JSON- or Go-decoded, cleaned as Error() cleans, without
//     invisible characters) holds a credential when the separator is invisible (when it
//     shows, the credential is not spelled: "KEY-SEC" is not the key);
//   - redacting is idempotent, and the JSON the text was stays JSON;
//   - a text without any character of the credentials is returned as it is.
//
// Its seeds run in every `go test`; `make fuzz` runs it for longer.
func FuzzRedactSpellings(f *testing.F) {
	for _, seed := range []struct {
		prefix, sep, suffix string
		every               uint8
		escapes             uint64
	}{
		{`{"message":"key `, "", `"}`, 0, 0},
		{`{"message":"key `, "", `"}`, 0, ^uint64(0)},
		{`{"errors":{"json":{"`, "", `":["bad"]}}}`, 0, 0xF0F0F0F0F0F0F0F0},
		{`{"message":"`, `\u001b[31m`, `"}`, 5, 0},
		{`{"message":"`, `\u001b]0;title\u0007`, `"}`, 3, 0},
		{"raw ", "\x1b[0m", " raw", 4, 0},
		{`{"m":"`, `\u0007`, `"}`, 1, 0},
		{`{"m":"`, `\u0000\r\n`, `"}`, 7, 1},
		{`{"m":"`, `\u200b`, `"}`, 2, 0},
		{`{"m":"`, "\u2060\ufeff", `"}`, 6, 0},
		{`{"m":"`, `\u00ad\u202e`, `"}`, 9, 0},
		{`{"m":"`, `\ufe0f`, `"}`, 2, 0},
		{`malformed HTTP status code "2`, `\x1b[1m`, `"`, 5, 0},
		{`status "2`, `\\u200b`, `"`, 5, 0},
		{`status "2`, `\033[0m`, `"`, 8, 0},
		{"", "  \t", "", 10, 0},
		{"", "-", "", 10, 0}, // a visible separator: not the key
		{`{"m":"\`, "", `\`, 0, 0},
	} {
		f.Add(seed.prefix, seed.sep, seed.suffix, seed.every, seed.escapes)
	}
	r := newRedactor(fuzzKey, fuzzSecret)
	f.Fuzz(func(t *testing.T, prefix, sep, suffix string, every uint8, escapes uint64) {
		if len(prefix)+len(sep)+len(suffix) > 1<<12 {
			t.Skip()
		}
		text := prefix + spell(fuzzKey, sep, every, escapes) + " and " + spell(fuzzSecret, sep, every, escapes) + suffix
		out := r.String(text)
		// The separator is invisible when nothing of it shows once decoded and cleaned.
		sepInvisible := false
		for _, rendering := range renderings(sep)[1:] {
			if rendering == "" {
				sepInvisible = true
			}
		}
		if every == 0 || sepInvisible {
			for _, rendering := range renderings(out) {
				if strings.Contains(rendering, fuzzKey) || strings.Contains(rendering, fuzzSecret) {
					t.Fatalf("a credential survives in %q\nredacted: %q\nrendered: %q", text, out, rendering)
				}
			}
		}
		if again := r.String(out); again != out {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
		if json.Valid([]byte(text)) && !json.Valid(r.Bytes([]byte(text), false)) {
			t.Fatalf("redacting broke the JSON %q: %q", text, r.Bytes([]byte(text), false))
		}
		// Arbitrary text without any character of the credentials is left alone.
		foreign := strings.Map(func(c rune) rune {
			if strings.ContainsRune(fuzzKey+fuzzSecret+`\`, c) {
				return -1
			}
			return c
		}, prefix+sep+suffix)
		if got := r.String(foreign); got != foreign {
			t.Fatalf("%q redacted into %q", foreign, got)
		}
	})
}

// The redactor finds what the pipeline's tests send, in these exact spellings, and
// leaves alone what only looks like a credential.
func TestRedactorSpellings(t *testing.T) {
	r := newRedactor(fuzzKey, fuzzSecret)
	for _, tc := range []struct{ in, want string }{
		{"key " + fuzzKey + ".", "key [redacted]."},
		{`"` + spell(fuzzKey, "", 0, ^uint64(0)) + `"`, `"[redacted]"`},
		{spell(fuzzKey, `\u001b[31m`, 5, 0) + "!", "[redacted]!"},
		{spell(fuzzKey, "\u200b", 1, 0), "[redacted]"},
		{strconv.Quote(spell(fuzzKey, "\x1b[1m", 5, 0)), `"[redacted]"`},                     // Go's %q of it
		{strconv.Quote(spell(fuzzKey, "", 0, 1<<40-1)), `"[redacted]"`},                      // escaped twice
		{"a " + fuzzKey[:20] + "-" + fuzzKey[20:], "a " + fuzzKey[:20] + "-" + fuzzKey[20:]}, // a visible split
		{fuzzKey[:39] + "x", fuzzKey[:39] + "x"},
		{"&lt;" + html.EscapeString(fuzzSecret), "&lt;[redacted]"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	// A body cut in a secret: the prefix at the end goes, however it is spelled.
	for _, cut := range []string{fuzzKey[:10], spell(fuzzKey[:10], `\u200b`, 2, 0), spell(fuzzKey[:10], "", 0, 1<<8-1) + `\u00`, fuzzKey[:10] + "\xe2\x80"} {
		if got := string(r.Bytes([]byte("x "+cut), true)); got != "x [redacted]" {
			t.Errorf("cut %q: %q", cut, got)
		}
	}
}
