package gensafe_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gensafe"
)

func TestCommentFlattensWhiteSpace(t *testing.T) {
	for in, want := range map[string]string{
		"List candidates.":                         "List candidates.",
		"  List\tcandidates \r\n\n by\u00a0date  ": "List candidates by date",
		"x\n//go:generate sh -c 'touch pwned'":     "x //go:generate sh -c 'touch pwned'",
		"x\nfunc init() { panic(1) }":              "x func init() { panic(1) }",
		"a */ b /* c `d`":                          "a */ b /* c `d`",
		"":                                         "",
		"Añadir candidatos — 候補者":                  "Añadir candidatos — 候補者",
		"\n\n":                                     "",
		"one\u3000two":                             "one two",
		"<script>alert(1)</script> | @octocat":     "<script>alert(1)</script> | @octocat",
		"ends with a line\n//go:build ignore\npackage x": "ends with a line //go:build ignore package x",
	} {
		got, err := gensafe.Comment(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
}

// Characters that could end a comment line in some reader, hide code from a reviewer, or
// stop the compiler are refused, never passed on or silently dropped.
func TestCommentRefusesUnsafeCharacters(t *testing.T) {
	for name, in := range map[string]string{
		"NUL":                    "a\x00b",
		"escape":                 "a\x1b[31mb",
		"vertical tab":           "a\vb",
		"form feed":              "a\fb",
		"DEL":                    "a\x7fb",
		"next line (C1)":         "a\u0085b",
		"line separator":         "a\u2028//go:generate x",
		"paragraph separator":    "a\u2029b",
		"right-to-left override": "a\u202eb",
		"isolate":                "a\u2066b\u2069",
		"left-to-right mark":     "a\u200eb",
		"byte order mark":        "a\ufeffb",
		"invalid UTF-8":          "a\xffb",
		"replacement char":       "a\ufffdb",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gensafe.Comment(in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, gensafe.ErrUnsafeText), "%v", err)
		})
	}
}

func TestQuoteIsSafeEverywhere(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                `"plain"`,
		"a`b":                  `"a\x60b"`,
		"<script>":             `"\x3cscript\x3e"`,
		"line\nbreak\t\"q\"\\": `"line\nbreak\t\"q\"\\"`,
		"\u202e\u2028é\xff":    `"\u202e\u2028\u00e9\xff"`,
		"\U0001F600":           `"\U0001f600"`,
	} {
		assert.Equal(t, want, gensafe.Quote(in))
	}
	long := gensafe.Quote(string(make([]byte, 200)))
	assert.Contains(t, long, `..." (200 bytes)`)
}

func FuzzComment(f *testing.F) {
	for _, s := range []string{"List candidates.", "x\n//go:generate y", "a\u2028b", "a\xffb", "`*/`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := gensafe.Comment(s)
		if err != nil {
			return
		}
		for _, r := range got {
			if r == '\n' || r == '\r' || gensafe.UnsafeRune(r) {
				t.Fatalf("Comment(%q) = %q holds %U", s, got, r)
			}
		}
		src := "package p\n\n// " + got + "\nvar X int\n"
		if err := gensafe.CheckGoFile("p.go", []byte(src), gensafe.GoFile{Package: "p"}); err != nil {
			t.Fatalf("Comment(%q) = %q: %v", s, got, err)
		}
	})
}
