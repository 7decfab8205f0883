package gendoc

import (
	"strings"
	"testing"
)

func TestWrapComments(t *testing.T) {
	long := "// " + strings.Repeat("word ", 30) + "end"
	src := "package x\n\n" + long + "\n\t" + long + "\n//go:generate " + strings.Repeat("x", 120) + "\n//\tpreformatted " + strings.Repeat("y ", 60) + "\nvar x = 1 // " + strings.Repeat("z ", 60) + "\n"
	got := string(WrapComments([]byte(src), 100))
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "// ") && columns(line) > 100 {
			t.Errorf("not wrapped: %q", line)
		}
	}
	if strings.Count(got, "word") != 60 || !strings.Contains(got, "\t// word") {
		t.Errorf("words lost or indentation dropped:\n%s", got)
	}
	for _, keep := range []string{"//go:generate " + strings.Repeat("x", 120), "//\tpreformatted", "var x = 1 // z"} {
		if !strings.Contains(got, keep) {
			t.Errorf("%q changed:\n%s", keep, got)
		}
	}
}
