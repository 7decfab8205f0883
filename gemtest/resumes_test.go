package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// upload posts a multipart form with one file part.
func upload(t *testing.T, srv *gemtest.Server, path, field, filename string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("note", "a form field, ignored"))
	part, err := w.CreateFormFile(field, filename)
	require.NoError(t, err)
	_, _ = part.Write(content)
	require.NoError(t, w.Close())
	return callRaw(t, srv, http.MethodPost, path, w.FormDataContentType(), buf.Bytes())
}

// A resume is uploaded as multipart resume_file, listed, and downloaded from its
// download_url without an API key, byte for byte.
func TestUploadResume(t *testing.T) {
	srv, _ := start(t)
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	pdf := []byte("%PDF-1.7\n% a resume\n")
	r := upload(t, srv, "/v0/candidates/"+id+"/uploaded_resumes/"+srv.UserID, "resume_file", "Ada Lovelace.pdf", pdf)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var res gen.UploadedResume
	r.json(t, &res)
	assert.Equal(t, "Ada Lovelace.pdf", *res.Filename)
	assert.Equal(t, id, *res.CandidateID)

	list := get[[]gen.UploadedResume](t, srv, "/v0/candidates/"+id+"/uploaded_resumes")
	assert.Equal(t, []gen.UploadedResume{res}, list)

	resp, err := srv.Client().Get(*res.DownloadURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	assert.Equal(t, pdf, got)
}

// The file is checked before anything else: present, .pdf/.doc/.docx, at most 10 MB. A
// request that is not multipart has no file (docs/gem-api.md §2.7).
func TestUploadResumeErrors(t *testing.T) {
	// The gateway's 10 MB payload limit would answer a 10 MB file's request itself
	// (TestUploadOverTheGatewayLimit); lifted here to reach the fake's own check.
	srv, _ := start(t, gemtest.WithMaxRequestBody(11<<20))
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	path := "/v0/candidates/" + id + "/uploaded_resumes/" + srv.UserID
	for _, tc := range []struct {
		name, field, filename string
		size                  int
		want                  string
	}{
		{"no file", "cv", "cv.pdf", 10, "Missing data for required field."},
		{"wrong format", "resume_file", "cv.txt", 10, "Allowed formats are: .pdf, .doc, .docx."},
		{"too large", "resume_file", "cv.docx", 10<<20 + 1, "File size cannot exceed 10MB."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(t, srv, path, tc.field, tc.filename, make([]byte, tc.size))
			require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
			assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":{"files":{"resume_file":["`+tc.want+`"]}}}`, string(r.body))
		})
	}
	// A body that is not multipart/form-data has no files to webargs, whatever it holds.
	for _, contentType := range []string{"application/json", "application/pdf", "", "multipart/form-data", "text/plain; charset=utf-8"} {
		r := callRaw(t, srv, http.MethodPost, path, contentType, []byte(`{"resume_file":"JVBERi0xLjQ="}`))
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%q: %s", contentType, r.body)
		assert.JSONEq(t, `{"code":422,"status":"Unprocessable Entity","errors":{"files":{"resume_file":["Missing data for required field."]}}}`, string(r.body), "%q", contentType)
	}
	r := upload(t, srv, "/v0/candidates/"+id+"/uploaded_resumes/dXNlcnM6OTk=", "resume_file", "cv.doc", []byte("x"))
	assert.Equal(t, http.StatusNotFound, r.status, "unknown user: %s", r.body)
	r = upload(t, srv, path, "resume_file", "cv.doc", make([]byte, 10<<20))
	assert.Equal(t, http.StatusCreated, r.status, "exactly 10 MB is allowed: %s", r.body)
}

// A resume of exactly 10 MB passes Gem's own check, but with its multipart envelope the
// request is over the gateway's 10 MB payload limit: the gateway's 413. Before the limit
// was the gateway's, an oversized upload answered 422 "security requirements failed".
func TestUploadOverTheGatewayLimit(t *testing.T) {
	srv, _ := start(t)
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	path := "/v0/candidates/" + id + "/uploaded_resumes/" + srv.UserID
	for _, size := range []int{10 << 20, 12 << 20} {
		r := upload(t, srv, path, "resume_file", "cv.pdf", make([]byte, size))
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		assert.JSONEq(t, `{"message":"Request Too Long"}`, string(r.body))
	}
	assert.Empty(t, get[[]gen.UploadedResume](t, srv, "/v0/candidates/"+id+"/uploaded_resumes"))
}

// download_url is pre-signed: it needs no key, but without its signature, with another
// file's id, from another fake or after it expires it is S3's 403 AccessDenied. Before, the
// URL was /_gemtest/files/uploaded_resumes/<sequential id>/<name>, downloadable by anyone
// forever. A fresh listing hands out a fresh URL.
func TestDownloadURLsAreSignedAndExpire(t *testing.T) {
	srv, clock := start(t, gemtest.WithDownloadURLExpiry(10*time.Minute))
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	path := "/v0/candidates/" + id + "/uploaded_resumes/" + srv.UserID
	var first, second gen.UploadedResume
	upload(t, srv, path, "resume_file", "a.pdf", []byte("%PDF a")).json(t, &first)
	upload(t, srv, path, "resume_file", "b.pdf", []byte("%PDF b")).json(t, &second)

	download := func(url string) (int, string) {
		t.Helper()
		status, body := download(t, srv, url)
		return status, string(body)
	}
	denied := func(url, why string) {
		t.Helper()
		status, body := download(url)
		assert.Equal(t, http.StatusForbidden, status, url)
		assert.Contains(t, body, "<Code>AccessDenied</Code>", url)
		assert.Contains(t, body, why, url)
	}
	status, body := download(*first.DownloadURL)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "%PDF a", body)

	u, err := url.Parse(*first.DownloadURL)
	require.NoError(t, err)
	assert.NotEmpty(t, u.Query().Get("Signature"))
	assert.Equal(t, itoa(int(epoch.Add(10*time.Minute).Unix())), u.Query().Get("Expires"))
	unsigned := *u
	unsigned.RawQuery = ""
	denied(unsigned.String(), "Signature")
	// The other resume's path with this one's signature: ids cannot be walked.
	other, err := url.Parse(*second.DownloadURL)
	require.NoError(t, err)
	other.RawQuery = u.RawQuery
	denied(other.String(), "Signature")
	// A later expiry with the same signature.
	q := u.Query()
	q.Set("Expires", itoa(int(epoch.Add(time.Hour).Unix())))
	tampered := *u
	tampered.RawQuery = q.Encode()
	denied(tampered.String(), "Signature")
	// Another fake has another secret, though the ids and paths are the same.
	srv2, _ := start(t)
	id2 := mustCreate(t, srv2, "/v0/candidates", object{"created_by": srv2.UserID})
	require.Equal(t, id, id2)
	upload(t, srv2, "/v0/candidates/"+id2+"/uploaded_resumes/"+srv2.UserID, "resume_file", "a.pdf", []byte("%PDF other"))
	elsewhere := *u
	elsewhere.Host = strings.TrimPrefix(srv2.URL, "http://")
	denied(elsewhere.String(), "Signature")

	clock.Advance(10 * time.Minute)
	status, _ = download(*first.DownloadURL)
	assert.Equal(t, http.StatusOK, status, "valid up to its Expires second")
	clock.Advance(time.Second)
	denied(*first.DownloadURL, "Request has expired")
	fresh := get[[]gen.UploadedResume](t, srv, "/v0/candidates/"+id+"/uploaded_resumes")
	require.Len(t, fresh, 2)
	status, _ = download(*fresh[1].DownloadURL)
	assert.Equal(t, http.StatusOK, status, "a fresh listing, a fresh URL")

	_, err = gemtest.New(gemtest.WithDownloadURLExpiry(0))
	assert.Error(t, err)
}

// download GETs url, a download_url, without an API key (it needs none).
func download(t *testing.T, srv *gemtest.Server, url string) (int, []byte) {
	t.Helper()
	resp, err := srv.Client().Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// download_url's host is the listener's address (or WithPublicURL), never the request's
// Host header. Before, a request with Host: evil.example made the fake hand out
// http://evil.example/_gemtest/files/... to whoever read the answer.
func TestDownloadURLHostIsNotTheRequests(t *testing.T) {
	srv, _ := start(t)
	srv.Fake.AddDataExport(gemtest.ExportFile{Name: "projects", Content: []byte("id\n")})
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	upload(t, srv, "/v0/candidates/"+id+"/uploaded_resumes/"+srv.UserID, "resume_file", "a.pdf", []byte("%PDF a"))
	listener, err := url.Parse(srv.URL)
	require.NoError(t, err)

	getWithHost := func(path, host string) []byte {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("X-API-Key", srv.APIKey)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		return body
	}
	for _, host := range []string{"evil.example", "evil.example:443", "127.0.0.1:1"} {
		var resumes []gen.UploadedResume
		require.NoError(t, json.Unmarshal(getWithHost("/v0/candidates/"+id+"/uploaded_resumes", host), &resumes))
		var export gen.DataExport
		require.NoError(t, json.Unmarshal(getWithHost("/v0/data_export", host), &export))
		for _, raw := range []string{*resumes[0].DownloadURL, *export.Files[0].DownloadURL} {
			u, err := url.Parse(raw)
			require.NoError(t, err)
			assert.Equal(t, listener.Host, u.Host, "Host: %s gave %s", host, raw)
			assert.Equal(t, "http", u.Scheme)
		}
	}

	// Served without a listener, the fake names a host that never resolves.
	f, err := gemtest.New()
	require.NoError(t, err)
	f.AddDataExport(gemtest.ExportFile{Name: "projects"})
	req := httptest.NewRequest(http.MethodGet, "http://evil.example/v0/data_export", nil)
	req.Header.Set("X-API-Key", f.APIKey())
	w := httptest.NewRecorder()
	f.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
	assert.Contains(t, w.Body.String(), `"download_url":"http://gemtest.invalid/_gemtest/files/data_export/`)

	for _, bad := range []string{"files.example.com", "ftp://files.example.com", "https://", "https://x.example/?a=b", "https://x.example/?", "https://u:p@x.example", "https://x.example/#f", "://x"} {
		_, err := gemtest.New(gemtest.WithPublicURL(bad))
		assert.Error(t, err, "WithPublicURL(%q)", bad)
	}
	_, err = gemtest.New(gemtest.WithPublicURL("https://files.example.com/gem/"))
	assert.NoError(t, err)
}

// Uploaded resumes and data export files are kept within WithMaxStoredFileBytes, oldest
// dropped first: every upload still answers 201 and is listed, but a dropped file's
// download is S3's 404 NoSuchKey. Before, every upload was kept (BenchmarkUploadRetention:
// 40 of 9 MiB, a live heap of 370 MiB; 73 MiB with the default limit).
func TestStoredFilesAreCapped(t *testing.T) {
	const mib = 1 << 20
	srv, _ := start(t, gemtest.WithMaxStoredFileBytes(3*mib))
	srv.Fake.AddDataExport(gemtest.ExportFile{Name: "projects", Content: bytes.Repeat([]byte("p"), mib/2)})
	export := get[gen.DataExport](t, srv, "/v0/data_export")
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	path := "/v0/candidates/" + id + "/uploaded_resumes/" + srv.UserID
	var uploaded []gen.UploadedResume
	for i := range 10 {
		r := upload(t, srv, path, "resume_file", fmt.Sprintf("cv%d.pdf", i), bytes.Repeat([]byte{byte('a' + i)}, mib))
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		var res gen.UploadedResume
		r.json(t, &res)
		uploaded = append(uploaded, res)
		assert.LessOrEqual(t, srv.Fake.Stats().StoredFileBytes, int64(3*mib), "after upload %d", i)
	}
	st := srv.Fake.Stats()
	assert.Equal(t, int64(3*mib), st.StoredFileBytes)
	assert.Equal(t, int64(8), st.DroppedFiles, "the export's file and the 7 oldest resumes")
	assert.Len(t, get[[]gen.UploadedResume](t, srv, path[:strings.LastIndex(path, "/")]), 10, "all still listed")

	for i, res := range uploaded {
		status, body := download(t, srv, *res.DownloadURL)
		if i < 7 {
			assert.Equal(t, http.StatusNotFound, status, "resume %d", i)
			assert.Contains(t, string(body), "<Code>NoSuchKey</Code>")
		} else {
			assert.Equal(t, http.StatusOK, status, "resume %d", i)
			assert.Equal(t, bytes.Repeat([]byte{byte('a' + i)}, mib), body, "resume %d", i)
		}
	}
	status, _ := download(t, srv, *export.Files[0].DownloadURL)
	assert.Equal(t, http.StatusNotFound, status, "the export's file, the oldest")

	// A file larger than the limit is kept, alone.
	small, _ := start(t, gemtest.WithMaxStoredFileBytes(100))
	id = mustCreate(t, small, "/v0/candidates", object{"created_by": small.UserID})
	var big gen.UploadedResume
	upload(t, small, "/v0/candidates/"+id+"/uploaded_resumes/"+small.UserID, "resume_file", "big.pdf", make([]byte, 1000)).json(t, &big)
	status, _ = download(t, small, *big.DownloadURL)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, int64(1000), small.Fake.Stats().StoredFileBytes)

	_, err := gemtest.New(gemtest.WithMaxStoredFileBytes(0))
	assert.Error(t, err)
}
