// Package gensafe keeps the text of Gem's downloaded OpenAPI document from becoming code
// in what the generators write. The document is data from the network: a summary that
// holds a newline and "//go:generate sh -c ..." must not start a shell during
// `make generate`, a property name that holds a backtick must not close a struct tag.
//
// Every generator uses it, and it depends on the standard library only:
//
//   - CheckDocument runs before oapi-codegen (the first go:generate step of gen and
//     internal/genserver, through the gencheck command) and inside opsgen and modelgen, and
//     refuses a document with anything odd: names outside safe character sets, references
//     to other files or URLs, generator extensions anywhere but in the trusted overlay,
//     control characters in any text.
//   - Comment turns document text into the text of one `//` comment line.
//   - CheckGoFile parses a generated file and refuses init functions, //go: and //line
//     directives and imports outside the expected set, so generation fails if anything
//     slipped through the first two.
//
// scripts/cmd/updatespec runs CheckDocument on every download too, so a hostile document
// never reaches a pull request.
package gensafe

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsafeText is wrapped by every error that refuses a character of document text.
var ErrUnsafeText = errors.New("unsafe character")

// Comment returns s as the text of one `//` comment line: each run of white space
// (newlines included) becomes one space, and the ends are trimmed. It refuses text holding
// a character that has no place in generated source (see UnsafeRune), so a summary can
// neither end the comment line nor hide what follows it.
func Comment(s string) (string, error) {
	if err := checkText(s, true); err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(s), " "), nil
}

// UnsafeRune reports whether r may not appear in document text that reaches generated Go,
// even inside a comment or a string literal: control characters (C0 but tab, line feed and
// carriage return; DEL; C1, NEL included), the line and paragraph separators U+2028 and
// U+2029 (line breaks to some editors and to JavaScript, not to Go), the bidirectional
// controls that make source read differently from how it compiles, the byte order mark
// (the compiler refuses it past the start of a file) and invalid UTF-8.
func UnsafeRune(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	case '\u2028', '\u2029', // line and paragraph separators
		'\u061c', '\u200e', '\u200f', // Arabic letter mark, left-to-right and right-to-left marks
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', // embeddings and overrides
		'\u2066', '\u2067', '\u2068', '\u2069', // isolates
		'\ufeff',       // byte order mark
		utf8.RuneError: // invalid UTF-8, once decoded
		return true
	}
	return unicode.IsControl(r)
}

// checkText refuses unsafe runes, and line breaks and tabs too unless breaks is set.
func checkText(s string, breaks bool) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("%w: invalid UTF-8 at byte %d of %s", ErrUnsafeText, i, Quote(s))
			}
		}
		if UnsafeRune(r) {
			return fmt.Errorf("%w %U at byte %d of %s", ErrUnsafeText, r, i, Quote(s))
		}
		if !breaks && (r == '\n' || r == '\r' || r == '\t') {
			return fmt.Errorf("%w: a line break or tab (%U) at byte %d of %s, where one line of text belongs", ErrUnsafeText, r, i, Quote(s))
		}
	}
	return nil
}

// maxQuoted bounds how much of a value an error message shows.
const maxQuoted = 80

// Quote writes s for an error message, a log or a Markdown report: in double quotes, cut
// to 80 characters, with everything but printable ASCII escaped, and backticks, '<' and
// '>' too, so that a quoted value can neither close a code span or fenced block nor open
// an HTML tag wherever the message ends up.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, n := 0, 0; i < len(s); n++ {
		if n == maxQuoted {
			fmt.Fprintf(&b, `..." (%d bytes)`, len(s))
			return b.String()
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '`' || r == '<' || r == '>':
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
