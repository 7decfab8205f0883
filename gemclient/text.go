package gemclient

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Bounds, in runes, of the server's text in APIError.Error(): the fields keep it whole.
const (
	maxMessageRunes = 200
	maxStatusRunes  = 80
	maxFieldsRunes  = 300
)

// cleanText makes server text safe for one line of a log or a terminal: terminal escape
// sequences are dropped, other control and bidirectional-override characters and runs of
// white space become one space, invalid UTF-8 becomes U+FFFD, and the result is cut at max
// runes with an ellipsis.
func cleanText(s string, max int) string {
	var b strings.Builder
	runes, space := 0, false
	for i := 0; i < len(s) && runes <= max; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b || r == 0x9b { // ESC, CSI: skip the whole sequence
			i += escapeLen(s[i:], size)
			continue
		}
		i += size
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Bidi_Control, r) {
			space = runes > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			runes++
			space = false
		}
		if r == utf8.RuneError && size == 1 {
			r = unicode.ReplacementChar
		}
		b.WriteRune(r)
		runes++
	}
	if runes > max {
		out := []rune(b.String())[:max-1]
		return string(out) + "…"
	}
	return b.String()
}

// escapeLen is the length of the terminal escape sequence at the start of s, whose
// introducer (ESC or the 8-bit CSI) is size bytes: CSI (ESC [ ... final byte), OSC, DCS and
// the other string sequences (ESC ] ... BEL or ESC \), or ESC and one character.
func escapeLen(s string, size int) int {
	csi := size > 1 // U+009B
	i := size
	if !csi {
		if i >= len(s) {
			return i
		}
		switch s[i] {
		case '[':
			csi = true
			i++
		case ']', 'P', '^', '_', 'X':
			for i++; i < len(s); i++ {
				if s[i] == 0x07 {
					return i + 1
				}
				if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
			}
			return i
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			return i + n
		}
	}
	for ; i < len(s); i++ { // parameters and intermediates, then the final byte
		switch c := s[i]; {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c < 0x20 || c > 0x7e:
			return i // not a well-formed sequence: stop before the stray byte
		}
	}
	return i
}

// normalized is one view of a text as the redactor searches it (see views), with, for
// each byte of it, the span of the original it comes from.
type normalized struct {
	text     string
	from, to []int32 // nil: text is the original itself
}

// span is the span of the original that text[i:j] (j > i) comes from.
func (n normalized) span(i, j int) [2]int {
	if n.from == nil {
		return [2]int{i, j}
	}
	return [2]int{int(n.from[i]), int(n.to[j-1])}
}

// views returns the ways a reader may come to see s, each with its map back to s: s
// itself; s with its JSON and Go escapes decoded (\uXXXX with surrogate pairs,
// \UXXXXXXXX, \xNN, octal \NNN, \n and the other one-letter ones), and decoded again
// when that leaves a backslash (text escaped inside escaped text, as net/http quotes a
// status line); and each of those without what does not show (see invisible), once with
// terminal escape sequences dropped whole as cleanText drops them and once with only
// their invisible introducer dropped, as a log viewer shows them. Printable ASCII without
// backslash or space has one view, itself.
func views(s string) []normalized {
	n := normalized{text: s}
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return []normalized{n}
	}
	var out []normalized
	for level := 0; ; level++ {
		out = append(out, n)
		if hidden, sequences := hasInvisible(n.text); hidden {
			out = append(out, dropInvisible(n, true))
			if sequences {
				out = append(out, dropInvisible(n, false))
			}
		}
		if level == 2 || strings.IndexByte(n.text, '\\') < 0 {
			return out
		}
		next, changed := unescape(n)
		if !changed {
			return out
		}
		n = next
	}
}

// hasInvisible reports whether s holds an invisible character, and whether it holds a
// terminal escape sequence's introducer (ESC or CSI).
func hasInvisible(s string) (hidden, sequences bool) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				hidden, sequences = true, sequences || c == 0x1b
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			hidden, sequences = true, sequences || r == 0x9b
		}
		i += size
	}
	return hidden, sequences
}

// builder accumulates a normalized text and its map to the original.
type builder struct {
	text     []byte
	from, to []int32
}

func newBuilder(size int) builder {
	return builder{text: make([]byte, 0, size), from: make([]int32, 0, size), to: make([]int32, 0, size)}
}

// add appends piece (one character), which comes from in.text[i:j].
func (b *builder) add(in normalized, i, j int, piece string) {
	start := len(b.text)
	b.text = append(b.text, piece...)
	from, to := int32(i), int32(j)
	if in.from != nil {
		from, to = in.from[i], in.to[j-1]
	}
	for range len(b.text) - start {
		b.from = append(b.from, from)
		b.to = append(b.to, to)
	}
}

func (b *builder) done() normalized {
	return normalized{text: string(b.text), from: b.from, to: b.to}
}

// unescape decodes one level of escapes in in.text; changed is false when it has none.
func unescape(in normalized) (out normalized, changed bool) {
	s := in.text
	b := newBuilder(len(s))
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			if r, n := decodeEscape(s[i:]); n > 0 {
				b.add(in, i, i+n, string(r))
				i += n
				changed = true
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b.add(in, i, i+size, s[i:i+size])
		i += size
	}
	return b.done(), changed
}

// decodeEscape decodes the escape at the start of s (which begins with a backslash):
// the rune and the escape's length, or 0 when s does not begin with one.
func decodeEscape(s string) (rune, int) {
	if len(s) < 2 {
		return 0, 0
	}
	hex := func(digits string) (rune, bool) {
		v, err := strconv.ParseUint(digits, 16, 32)
		return rune(v), err == nil
	}
	switch c := s[1]; c {
	case 'u':
		if len(s) < 6 {
			return 0, 0
		}
		r, ok := hex(s[2:6])
		if !ok {
			return 0, 0
		}
		if utf16.IsSurrogate(r) {
			if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
				if low, ok := hex(s[8:12]); ok {
					if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
						return pair, 12
					}
				}
			}
			return utf8.RuneError, 6
		}
		return r, 6
	case 'U':
		if len(s) < 10 {
			return 0, 0
		}
		if r, ok := hex(s[2:10]); ok && utf8.ValidRune(r) {
			return r, 10
		}
		return 0, 0
	case 'x':
		if len(s) < 4 {
			return 0, 0
		}
		if r, ok := hex(s[2:4]); ok {
			if r >= utf8.RuneSelf { // a byte of invalid UTF-8, as %q spells it
				r = utf8.RuneError
			}
			return r, 4
		}
		return 0, 0
	}
	if r, ok := oneLetterEscapes[s[1]]; ok {
		return r, 2
	}
	if len(s) >= 4 && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) && s[1] <= '3' { // Go's \033
		r := rune(s[1]-'0')<<6 | rune(s[2]-'0')<<3 | rune(s[3]-'0')
		if r >= utf8.RuneSelf {
			r = utf8.RuneError
		}
		return r, 4
	}
	return 0, 0
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

var oneLetterEscapes = map[byte]rune{
	'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f', 'v': '\v', 'a': '\a',
	'/': '/', '\\': '\\', '"': '"', '\'': '\'',
}

// dropInvisible drops invisible characters from in.text, and when sequences is true
// terminal escape sequences whole.
func dropInvisible(in normalized, sequences bool) normalized {
	s := in.text
	b := newBuilder(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case sequences && (r == 0x1b || r == 0x9b):
			i += escapeLen(s[i:], size)
		case invisible(r):
			i += size
		default:
			b.add(in, i, i+size, s[i:i+size])
			i += size
		}
	}
	return b.done()
}

// invisible reports whether r does not show, or shows as space: control characters,
// white space, format characters (zero-width spaces and joiners, bidirectional marks,
// the soft hyphen, the byte order mark), variation selectors, and the combining grapheme
// joiner and Hangul fillers, which render as nothing.
func invisible(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r <= ' ' || r == 0x7f
	case unicode.IsControl(r), unicode.IsSpace(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	}
	switch r {
	case 0x034f, 0x115f, 0x1160, 0x3164, 0xffa0:
		return true
	}
	return false
}

// withoutIncompleteEnd is s without what a cut may have left unfinished at its end: an
// escape missing some of its characters, or a character missing some of its bytes.
func withoutIncompleteEnd(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 && len(s)-i < 12 {
		rest := s[i:]
		if _, n := decodeEscape(rest); n == 0 && isEscapePrefix(rest) {
			s = s[:i]
		}
	}
	for k := 1; k < utf8.UTFMax && k <= len(s); k++ {
		if utf8.RuneStart(s[len(s)-k]) {
			if !utf8.FullRuneInString(s[len(s)-k:]) {
				s = s[:len(s)-k]
			}
			break
		}
	}
	return s
}

// isEscapePrefix reports whether s (a backslash and at most 11 more bytes) could be the
// start of an escape decodeEscape decodes.
func isEscapePrefix(s string) bool {
	if len(s) == 1 {
		return true
	}
	if isOctal(s[1]) && s[1] <= '3' {
		return len(s) < 4 && strings.Trim(s[1:], "01234567") == ""
	}
	digits, max := s[2:], 0
	switch s[1] {
	case 'u':
		max = 4
	case 'U':
		max = 8
	case 'x':
		max = 2
	default:
		return false
	}
	if len(digits) >= max {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(digits[i])) {
			return false
		}
	}
	return true
}
