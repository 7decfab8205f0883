package gemclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/resumefile"
)

// MaxResumeSize is the largest resume Gem accepts: "10 MB" (docs/gem-api.md §2.7), taken
// as 10 MiB.
const MaxResumeSize = resumefile.MaxSize

// UploadResumeFile uploads a resume for a candidate on behalf of userID, read from r and
// named filename. It builds the multipart/form-data body Gem expects (one part,
// resume_file) in memory, so a retry resends it intact, after checking what Gem would
// refuse: a name not ending in .pdf, .doc or .docx, an empty file, or one over
// MaxResumeSize. Those come back as a *ValidationError naming resume_file and the limit,
// before anything is sent or a rate-limit token spent. It calls [Client.UploadResume].
func (c *Client) UploadResumeFile(ctx context.Context, candidateID, userID, filename string, r io.Reader, opts ...CallOption) (*gen.UploadedResume, error) {
	const field = "/resume_file"
	refused := func(v Violation) error {
		path := "/v0/candidates/" + url.PathEscape(candidateID) + "/uploaded_resumes/" + url.PathEscape(userID)
		return &ValidationError{Operation: OpUploadResume, Method: http.MethodPost, Path: path, Violations: []Violation{v}}
	}
	ctype, ok := resumefile.ContentType(filename)
	if !ok {
		return nil, refused(Violation{In: "body", Field: field, Rule: "fileType", Limit: ".pdf, .doc, .docx",
			Message: "must be a .pdf, .doc or .docx file"})
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxResumeSize+1))
	if err != nil {
		return nil, fmt.Errorf("gemclient: UploadResumeFile: reading the file: %w", err)
	}
	switch {
	case len(data) > MaxResumeSize:
		return nil, refused(Violation{In: "body", Field: field, Rule: "maxSize", Limit: strconv.Itoa(MaxResumeSize),
			Message: "larger than the maximum size of 10 MB"})
	case len(data) == 0:
		return nil, refused(Violation{In: "body", Field: field, Rule: "minSize", Limit: "1", Message: "empty file"})
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="resume_file"; filename="%s"`, quote.Replace(filepath.Base(filename))))
	h.Set("Content-Type", ctype)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("gemclient: UploadResumeFile: building the form: %w", err)
	}
	// A *bytes.Reader gives the request a GetBody, so every attempt sends the same bytes.
	return c.UploadResume(ctx, candidateID, userID, w.FormDataContentType(), bytes.NewReader(body.Bytes()), opts...)
}
