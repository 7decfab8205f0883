package gemtest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gem-go/gem-go/gemtest"
)

// fuzzRequest builds the request FuzzServeHTTP sends, or nil when net/http would not
// parse it off the wire (httptest.NewRequest panics then).
func fuzzRequest(method, target string, body []byte) (req *http.Request) {
	defer func() {
		if recover() != nil {
			req = nil
		}
	}()
	return httptest.NewRequest(method, target, bytes.NewReader(body))
}

// FuzzServeHTTP sends arbitrary requests (method, path and query, body, Content-Type, how
// the key is sent) through Fake.ServeHTTP, with no http.Server in between. Whatever comes
// in, the fake must not panic, must answer a valid status other than 500 (no faults are
// injected, so a 500 is a bug), and must answer the API's paths with a JSON body (none
// with a 204); every
// response to a documented operation must also match Gem's document
// (WithResponseValidation). Downloads (/_gemtest/files/) answer a file, S3's XML 403 or a
// plain 404. The seeds run with every go test; longer runs:
//
//	go test -run '^$' -fuzz '^FuzzServeHTTP$' -fuzztime 60s ./gemtest
func FuzzServeHTTP(f *testing.F) {
	const user, cand, proj = "dXNlcnM6MQ==", "Y2FuZGlkYXRlczox", "UHJvamVjdDox"
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	part, _ := mw.CreateFormFile("resume_file", "cv.pdf")
	_, _ = part.Write([]byte("%PDF-1.7"))
	_ = mw.Close()
	type seed struct {
		method, target, body, contentType string
		key                               uint8
	}
	for _, s := range []seed{
		{"GET", "/v0/users", "", "", 0},
		{"GET", "/v0/users?page=4611686018427387905&page_size=2", "", "", 0},
		{"GET", "/v0/candidates?page=9223372036854775807&page_size=100&sort=asc", "", "", 0},
		{"GET", "/v0/candidates?page=0&page_size=101&sort=sideways&created_after=-1", "", "", 0},
		{"GET", "/v0/candidates?candidate_ids=" + strings.Repeat(cand+",", 25) + "&email=a@b", "", "", 0},
		{"GET", "/v0/candidates?candidate_ids=a&candidate_ids=b&linked_in_handle=x&updated_after=1", "", "", 0},
		{"GET", "/v0/candidates/" + cand, "", "", 0},
		{"GET", "/v0/candidates/%zz", "", "", 0},
		{"GET", "/v0/candidates/a%2Fb/notes", "", "", 0},
		{"GET", "/v0/candidates//notes", "", "", 0},
		{"GET", "/v0/candidates/events", "", "", 0},
		{"GET", "/v0/candidates/" + cand + "/events?page=2", "", "", 0},
		{"POST", "/v0/candidates", `{"created_by":"` + user + `","first_name":"Ada","emails":[{"email_address":"ada@example.com","is_primary":true}]}`, "application/json", 0},
		{"POST", "/v0/candidates", `{"created_by":"` + user + `","linked_in_handle":"dup","project_ids":["` + proj + `"]}`, "application/json", 0},
		{"POST", "/v0/candidates", `{"created_by":1,"headline":"x","emails":[{}],"custom_fields":[{"custom_field_id":"x","value":[1]}]}`, "application/json", 0},
		{"POST", "/v0/candidates", `{"created_by":`, "application/json", 0},
		{"POST", "/v0/candidates", `[1,2,3]`, "application/vnd.api+json", 0},
		{"POST", "/v0/candidates", `{"created_by":"` + user + `"}`, "text/plain", 0},
		{"PUT", "/v0/candidates/" + cand, `{"title":null,"due_date":{"date":"2025-13-45","user_id":"` + user + `"}}`, "application/json", 0},
		{"DELETE", "/v0/candidates/" + cand, `{"on_behalf_of_user_id":"` + user + `","permanently_remove_contact_info":true}`, "application/json", 0},
		{"PUT", "/v0/projects/" + proj + "/candidates", `{"candidate_ids":["` + cand + `"],"user_id":"` + user + `"}`, "application/json", 0},
		{"DELETE", "/v0/projects/" + proj + "/candidates", `{"candidate_ids":[]}`, "application/json", 0},
		{"GET", "/v0/project_candidate_membership_log", "", "", 0},
		{"GET", "/v0/projects/" + proj + "/sequences", "", "", 0},
		{"POST", "/v0/projects/" + proj + "/sequences", `{}`, "application/json", 0},
		{"POST", "/v0/projects/" + proj + "/project_field_options", `{"project_field_id":"x","operation":"add"}`, "application/json", 0},
		{"PATCH", "/v0/custom_fields/x", `{"name":"  "}`, "application/json", 0},
		{"POST", "/v0/candidates/" + cand + "/uploaded_resumes/" + user, upload.String(), mw.FormDataContentType(), 0},
		{"POST", "/v0/candidates/" + cand + "/uploaded_resumes/" + user, "--x\r\n", "multipart/form-data; boundary=x", 0},
		{"GET", "/v0/data_export", "", "", 0},
		{"GET", "/_gemtest/files/uploaded_resumes/1/cv.pdf", "", "", 1},
		{"GET", "/_gemtest/files/data_export/x/0/a.csv?Expires=1&Signature=x", "", "", 1},
		{"OPTIONS", "/v0/users", "", "", 0},
		{"BREW", "/v0/users", "", "", 0},
		{"GET", "/v0/nowhere?x=%zz", "", "", 0},
		{"GET", "/", "", "", 0},
		{"GET", "/v0/users", "", "", 1},
		{"GET", "/v0/users", "", "", 2},
		{"GET", "/v0/users", "", "", 3},
	} {
		f.Add(s.method, s.target, []byte(s.body), s.contentType, s.key)
	}
	f.Fuzz(func(t *testing.T, method, target string, body []byte, contentType string, key uint8) {
		req := fuzzRequest(method, target, body)
		if req == nil {
			return
		}
		clock := gemtest.NewManualClock(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
		fake, err := gemtest.New(gemtest.WithSeed("demo"), gemtest.WithoutRateLimit(), gemtest.WithClock(clock.Now),
			gemtest.WithResponseValidation(t))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		switch key % 4 {
		case 0:
			req.Header.Set("X-API-Key", fake.APIKey())
		case 1: // no key
		case 2:
			req.Header.Set("Authorization", "Bearer "+fake.APIKey())
		case 3:
			req.Header.Set("X-API-Key", contentType) // anything, empty or too long included
		}
		w := httptest.NewRecorder()
		fake.ServeHTTP(w, req) // a panic fails the fuzz target
		if w.Code < 100 || w.Code > 599 || w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s: status %d: %s", method, target, w.Code, w.Body)
		}
		if strings.HasPrefix(req.URL.Path, "/_gemtest/files/") {
			switch w.Code {
			case http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
			default:
				t.Fatalf("%s %s: download status %d", method, target, w.Code)
			}
			return
		}
		if w.Code == http.StatusNoContent {
			if w.Body.Len() > 0 {
				t.Fatalf("%s %s: 204 with a body: %q", method, target, w.Body)
			}
			return
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: status %d with Content-Type %q: %s", method, target, w.Code, ct, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: status %d, body is not JSON: %q", method, target, w.Code, w.Body)
		}
	})
}
