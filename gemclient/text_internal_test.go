package gemclient

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain message", "plain message"},
		{"\x1b[31mred\x1b[0m text", "red text"},
		{"\x1b[38;5;196mcolour\x1b[m", "colour"},
		{"title\x1b]0;pwned\x07 after", "title after"},
		{"link \x1b]8;;http://evil\x1b\\here\x1b]8;;\x1b\\", "link here"},
		{"\x1bc reset", "reset"},
		{"\u009b2Jclear", "clear"},
		{"line one\nline two\r\n\tthree", "line one line two three"},
		{"bell\x07 and nul\x00 and del\x7f", "bell and nul and del"},
		{"bidi \u202eevil\u202c end", "bidi evil end"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"  \n leading and trailing \n ", "leading and trailing"},
		{"", ""},
		{"\x1b[", ""},
		{"\x1b[1;2\x01x", "x"},
	}
	for _, tc := range cases {
		if got := cleanText(tc.in, 100); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("é", 1000)
	got := cleanText(long, 10)
	if utf8.RuneCountInString(got) != 10 || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "ééééééééé") {
		t.Errorf("cut: %q", got)
	}
	if got := cleanText(strings.Repeat("x", 10), 10); got != strings.Repeat("x", 10) {
		t.Errorf("exactly max runes is not cut: %q", got)
	}
}
