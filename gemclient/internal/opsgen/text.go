package main

import (
	"strings"

	"github.com/gem-go/gem-go/internal/gensafe"
)

// docText makes text from the document safe for a // comment (gensafe.Comment): refused
// when it holds control or invisible formatting characters (a line break in a summary
// would end the comment and start code), else its whitespace flattened to single spaces.
func docText(s string) (string, error) { return gensafe.Comment(s) }

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
