package gemtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// filesPrefix is where the fake serves the files behind the download_url fields it hands
// out (resumes, data export files). Like pre-signed storage URLs, they need no API key and
// are never rate limited or faulted; what grants access is the URL's signature.
const filesPrefix = "/_gemtest/files/"

// DefaultDownloadURLExpiry is how long a download_url the fake hands out stays valid. Gem
// does not say; its files are presumably in S3 behind pre-signed URLs (docs/gem-api.md
// §1.14), and boto3's generate_presigned_url, the likely signer of a Flask service on AWS,
// defaults to an hour.
const DefaultDownloadURLExpiry = time.Hour

func pathEscape(s string) string { return url.PathEscape(s) }

// fileSigner signs download URLs as a pre-signed storage URL is signed: an expiry time and
// an HMAC-SHA256 of the path and that time, keyed with a secret drawn from crypto/rand
// when the fake is made. Without the secret a URL cannot be made or altered, so file ids,
// sequential as they are, cannot be guessed into downloads; and a URL stops working when
// it expires, by the fake's clock (WithClock), so tests can expire one without waiting.
type fileSigner struct {
	secret [32]byte
	expiry time.Duration
	now    func() time.Time
}

func newFileSigner(expiry time.Duration, now func() time.Time) *fileSigner {
	s := &fileSigner{expiry: expiry, now: now}
	_, _ = rand.Read(s.secret[:]) // crypto/rand.Read never fails (Go 1.24+)
	return s
}

func (s *fileSigner) signature(path string, expires int64) string {
	mac := hmac.New(sha256.New, s.secret[:])
	mac.Write([]byte(path + "\n" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// sign returns the query that makes path (escaped, under filesPrefix) downloadable until
// the expiry: Expires (unix seconds) and Signature, as S3's query-string authentication
// names them.
func (s *fileSigner) sign(path string) string {
	expires := s.now().Add(s.expiry).Unix()
	return "Expires=" + strconv.FormatInt(expires, 10) + "&Signature=" + s.signature(path, expires)
}

// check reports why a download is refused ("" when it is not): S3's AccessDenied
// messages for a missing or wrong signature and for an expired URL.
func (s *fileSigner) check(path string, q url.Values) string {
	expires, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("Signature")), []byte(s.signature(path, expires))) {
		return "Query-string authentication requires the Signature and Expires parameters, and they must be valid"
	}
	if s.now().Unix() > expires {
		return "Request has expired"
	}
	return ""
}

// downloadURL is the absolute, signed URL of a file the fake serves, for this request.
func (f *Fake) downloadURL(base string, path string) string {
	return base + filesPrefix + path + "?" + f.files.sign(path)
}

// storedFile is the content of an uploaded resume or a data export file, kept for its
// download_url until the fake's file budget drops it (fileStore).
type storedFile struct {
	data    []byte
	dropped bool
}

// fileStore keeps the contents of stored files within limit bytes in all
// (WithMaxStoredFileBytes): keeping a file drops the oldest files' contents until the
// total fits, but never the file just kept, so a single file larger than the limit is kept
// alone. Their records (a resume's metadata, an export's file names) stay listed. Before
// the limit, every upload was kept: 40 uploads of 9 MiB left a live heap of 370 MiB
// (BenchmarkUploadRetention; 73 MiB with the default limit).
type fileStore struct {
	limit   int64
	size    int64
	queue   []*storedFile // oldest first
	dropped int64
}

// keep stores data and drops the oldest contents beyond the limit.
func (fs *fileStore) keep(data []byte) *storedFile {
	f := &storedFile{data: data}
	fs.queue = append(fs.queue, f)
	fs.size += int64(len(data))
	for fs.size > fs.limit && len(fs.queue) > 1 {
		old := fs.queue[0]
		fs.queue[0] = nil
		fs.queue = fs.queue[1:]
		fs.size -= int64(len(old.data))
		old.data, old.dropped = nil, true
		fs.dropped++
	}
	return f
}

// serveFile serves a download: uploaded_resumes/<id>/<filename> or
// data_export/<id>/<index>/<name>.csv, when the URL's signature is valid and unexpired.
// Refusals are S3's XML errors: 403 AccessDenied for a bad or expired signature, and 404
// NoSuchKey for a file the fake does not have, or no longer keeps (dropped, oldest first,
// to stay within WithMaxStoredFileBytes). 404 is what S3 answers for a pre-signed URL whose
// object is gone; docs/gem-api.md §1.14 guesses Gem's download URLs are pre-signed storage
// URLs, and how long Gem keeps the files behind them is not documented.
func (f *Fake) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), filesPrefix)
	if why := f.files.check(path, r.URL.Query()); why != "" {
		s3Error(w, http.StatusForbidden, "AccessDenied", why)
		return
	}
	parts := strings.Split(path, "/")
	var contentType, name string
	var data []byte
	found := false
	s := f.lock()
	switch {
	case len(parts) == 3 && parts[0] == "uploaded_resumes":
		if res, ok := s.resumes.get(parts[1]); ok && !res.content.dropped {
			contentType, name, data, found = res.contentType, res.filename, res.content.data, true
		}
	case len(parts) == 4 && parts[0] == "data_export":
		e, ok := s.exports.get(parts[1])
		i, err := strconv.Atoi(parts[2])
		if ok && err == nil && i >= 0 && i < len(e.files) && !e.files[i].content.dropped {
			contentType, name, data, found = "text/csv", e.files[i].name+".csv", e.files[i].content.data, true
		}
	}
	f.unlock()
	if !found {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
}

// s3Error writes an error as S3 does: XML with a Code and a Message.
func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>"))
}
