package resumefile

import "testing"

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"cv.pdf":               "application/pdf",
		"CV.PDF":               "application/pdf",
		`C:\Users\ada\cv.docx`: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"dir/old.doc":          "application/msword",
		"cv.txt":               "",
		"cv.pdf.exe":           "",
		"pdf":                  "",
		"":                     "",
	} {
		got, ok := ContentType(name)
		if got != want || ok != (want != "") {
			t.Errorf("ContentType(%q) = %q, %v; want %q, %v", name, got, ok, want, want != "")
		}
	}
}
