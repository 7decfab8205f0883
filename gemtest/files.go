package gemtest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// filesPrefix is where the fake serves the files behind the download_url fields it hands
// out (resumes, data export files). Like pre-signed storage URLs, they need no API key and
// are never rate limited or faulted.
const filesPrefix = "/_gemtest/files/"

func pathEscape(s string) string { return url.PathEscape(s) }

// serveFile serves a download: uploaded_resumes/<id>/<filename> or
// data_export/<id>/<index>/<name>.csv.
func (f *Fake) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), filesPrefix), "/")
	var contentType, name string
	var data []byte
	found := false
	s := f.lock()
	switch {
	case len(parts) == 3 && parts[0] == "uploaded_resumes":
		if res, ok := s.resumes.get(parts[1]); ok {
			contentType, name, data, found = res.contentType, res.filename, res.data, true
		}
	case len(parts) == 4 && parts[0] == "data_export":
		e, ok := s.exports.get(parts[1])
		i, err := strconv.Atoi(parts[2])
		if ok && err == nil && i >= 0 && i < len(e.files) {
			contentType, name, data, found = "text/csv", e.files[i].Name+".csv", e.files[i].Content, true
		}
	}
	f.unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
}
