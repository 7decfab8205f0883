package gemclient

import (
	"strings"
	"unicode"
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
