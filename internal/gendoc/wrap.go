package gendoc

import (
	"strings"
)

// WrapComments breaks the whole-line // comments of Go source that are wider than width
// columns (a tab counts four) at spaces, keeping their indentation. Directives (//go:...)
// and preformatted lines (// followed by a tab) are left as they are, and so is a single
// word longer than the width.
func WrapComments(src []byte, width int) []byte {
	lines := strings.Split(string(src), "\n")
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		indent := line[:len(line)-len(strings.TrimLeft(line, "\t "))]
		text, ok := strings.CutPrefix(line[len(indent):], "// ")
		if !ok || columns(line) <= width || strings.HasPrefix(text, "\t") {
			out = append(out, line)
			continue
		}
		cur := indent + "//"
		for _, w := range strings.Fields(text) {
			if columns(cur)+1+len(w) > width && cur != indent+"//" {
				out = append(out, cur)
				cur = indent + "//"
			}
			cur += " " + w
		}
		out = append(out, cur)
	}
	return []byte(strings.Join(out, "\n"))
}

func columns(s string) int {
	return len(s) + 3*strings.Count(s, "\t")
}
