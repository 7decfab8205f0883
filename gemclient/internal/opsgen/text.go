package main

import (
	"fmt"
	"strings"
	"unicode"
)

// docText makes text from the document safe for a // comment: refused when it holds
// control or invisible formatting characters (a line break in a summary would end the
// comment and start code), else its whitespace flattened to single spaces.
func docText(s string) (string, error) {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.Is(unicode.Bidi_Control, r), r == '\ufeff':
			return "", fmt.Errorf("the text %q holds the character %U, which generated Go does not take", s, r)
		}
	}
	return strings.Join(strings.Fields(s), " "), nil
}

// comment wraps text into // lines of at most width columns (a word longer than that
// stays whole).
func comment(text string, width int) string {
	var b strings.Builder
	line := "//"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > width && line != "//" {
			b.WriteString(line)
			b.WriteByte('\n')
			line = "//"
		}
		line += " " + w
	}
	b.WriteString(line)
	b.WriteByte('\n')
	return b.String()
}

// paragraphs are comment paragraphs separated by a // line.
func paragraphs(width int, texts ...string) string {
	var parts []string
	for _, t := range texts {
		if t != "" {
			parts = append(parts, comment(t, width))
		}
	}
	return strings.Join(parts, "//\n")
}
