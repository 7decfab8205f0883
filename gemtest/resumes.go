package gemtest

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
	"github.com/gem-go/gem-go/internal/resumefile"
)

// resume is an uploaded resume file and what Gem records about it.
type resume struct {
	meta
	candidateID string
	userID      string
	filename    string
	contentType string
	content     *storedFile
}

// render is the resume with its download_url, a URL the fake itself serves without an API
// key but signed and expiring, as a pre-signed storage URL is (docs/gem-api.md §1.14
// guesses Gem's are pre-signed; see fileSigner).
func (r *resume) render(f *Fake, base string) gen.UploadedResume {
	return gen.UploadedResume{
		ID: ptr(r.id), CandidateID: ptr(r.candidateID), CreatedAt: unixTime(r.created),
		UserID: ptr(r.userID), Filename: &r.filename,
		DownloadURL: ptr(f.downloadURL(base, "uploaded_resumes/"+r.id+"/"+pathEscape(r.filename))),
	}
}

// ListUploadedResumes lists a candidate's resumes by creation time.
func (a api) ListUploadedResumes(ctx context.Context, req genserver.ListUploadedResumesRequestObject) (genserver.ListUploadedResumesResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	l := listing{order: p.Sort, after: p.CreatedAfter, before: p.CreatedBefore}
	base := requestBase(ctx)
	render := func(r *resume) gen.UploadedResume { return r.render(a.Fake, base) }
	body, header, err := ofCandidate(a.Fake, s, req.CandidateID, &s.resumes, l, p.Page, p.PageSize, render)
	if err != nil {
		return nil, err
	}
	return genserver.ListUploadedResumes200JSONResponse{Body: body, Headers: genserver.ListUploadedResumes200ResponseHeaders{XPagination: header}}, nil
}

// UploadResume stores a resume uploaded as multipart/form-data field resume_file. The
// file is checked first, as webargs parses the files location before the view runs: a
// missing file, another format or more than 10 MB is a 422 under errors.files.resume_file
// (the location is webargs'; the messages are the reference's own sentences). Then the
// candidate and the user in the path must exist (404). A file of 10 MB reaches this check
// only when WithMaxRequestBody lifts the gateway's limit: with its multipart envelope the
// request is over 10 MB, which the gateway answers with 413 first.
func (a api) UploadResume(ctx context.Context, req genserver.UploadResumeRequestObject) (genserver.UploadResumeResponseObject, error) {
	name, data, err := readResumeFile(req.Body)
	if err != nil {
		return nil, err
	}
	s := a.lock()
	defer a.unlock()
	if _, ok := s.candidates.get(req.CandidateID); !ok {
		return nil, a.notFound("Candidate")
	}
	if !s.userExists(req.UserID) {
		return nil, a.notFound("User")
	}
	r := &resume{
		meta: s.newMeta(kindResume, a.now()), candidateID: req.CandidateID, userID: req.UserID,
		filename: name, contentType: contentType(name), content: s.files.keep(data),
	}
	s.resumes.add(r)
	return genserver.UploadResume201JSONResponse(r.render(a.Fake, requestBase(ctx))), nil
}

// readResumeFile finds the resume_file file part (a part without a filename is a form
// field, not a file, to Flask) and checks it.
func readResumeFile(mr *multipart.Reader) (string, []byte, error) {
	invalid := func(msg string) (string, []byte, error) {
		fe := fieldErrors{}
		fe.add(msg, "resume_file")
		return "", nil, unprocessable("files", fe)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return invalid("Missing data for required field.")
		}
		if err != nil {
			return "", nil, smorestError(http.StatusBadRequest, "Invalid multipart body.", nil)
		}
		if part.FormName() != "resume_file" || part.FileName() == "" {
			continue
		}
		name := path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
		if _, ok := resumefile.ContentType(name); !ok {
			return invalid("Allowed formats are: .pdf, .doc, .docx.")
		}
		data, err := io.ReadAll(io.LimitReader(part, resumefile.MaxSize+1))
		if err != nil {
			return "", nil, smorestError(http.StatusBadRequest, "Invalid multipart body.", nil)
		}
		if len(data) > resumefile.MaxSize {
			return invalid("File size cannot exceed 10MB.")
		}
		return name, data, nil
	}
}

// contentType is the Content-Type the download serves an accepted resume with.
func contentType(name string) string {
	ctype, _ := resumefile.ContentType(name)
	return ctype
}
