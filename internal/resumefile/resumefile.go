// Package resumefile holds Gem's rules for resume files, which the reference states only in
// prose ("Allowed formats are: .pdf, .doc, .docx. File size cannot exceed 10MB.",
// POST /v0/candidates/{candidate_id}/uploaded_resumes/{user_id}): the client checks them
// before sending and the fake enforces them, from this one copy.
package resumefile

import (
	"path"
	"strings"
)

// MaxSize is the largest resume Gem accepts: "10MB", taken as 10 MiB.
const MaxSize = 10 << 20

// types maps each allowed extension to the media type of such a file.
var types = map[string]string{
	".pdf":  "application/pdf",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// ContentType reports the media type of an allowed resume file name (any directory part
// and the extension's case are ignored), and whether the name is allowed at all.
func ContentType(filename string) (string, bool) {
	ctype, ok := types[strings.ToLower(path.Ext(strings.ReplaceAll(filename, `\`, "/")))]
	return ctype, ok
}

// Formats lists the allowed extensions, for messages.
const Formats = ".pdf, .doc, .docx"
