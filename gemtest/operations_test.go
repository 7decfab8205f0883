package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	neturl "net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// fixtures are objects of every kind, for the path parameters and ids of requests.
type fixtures struct {
	user, member, outsider, project, customField, customOption string
	projectField, projectFieldOption, note, event, sequence    string
}

func makeFixtures(t *testing.T, srv *gemtest.Server) fixtures {
	t.Helper()
	f := srv.Fake
	seq, err := f.AddSequence("Outreach", srv.UserID)
	require.NoError(t, err)
	fx := fixtures{user: srv.UserID, sequence: *seq.ID}
	fx.project = mustCreate(t, srv, "/v0/projects", object{"user_id": fx.user, "name": "Backend", "privacy_type": "shared"})
	fx.member = mustCreate(t, srv, "/v0/candidates", object{"created_by": fx.user, "first_name": "Ada", "project_ids": []string{fx.project}})
	fx.outsider = mustCreate(t, srv, "/v0/candidates", object{"created_by": fx.user, "first_name": "Grace"})
	fx.customField = mustCreate(t, srv, "/v0/custom_fields", object{"name": "Source", "value_type": "single_select", "scope": "team", "option_values": []string{"Referral"}})
	cf := get[gen.CustomField](t, srv, "/v0/custom_fields/"+fx.customField)
	fx.customOption = *(cf.Options)[0].ID
	fx.projectField = mustCreate(t, srv, "/v0/project_fields", object{"name": "Level", "field_type": "single_select", "options": []string{"L4"}})
	pf := get[gen.ProjectField](t, srv, "/v0/project_fields/"+fx.projectField)
	fx.projectFieldOption = *(pf.Options)[0].ID
	fx.note = mustCreate(t, srv, "/v0/notes", object{"candidate_id": fx.member, "user_id": fx.user, "content": "Met at GopherCon."})
	fx.event = mustCreate(t, srv, "/v0/candidates/"+fx.member+"/events", object{
		"timestamp": epoch.Unix(), "user_id": fx.user, "project_id": fx.project, "sequence_id": fx.sequence,
		"type": "manual_touchpoints", "subtype": "first_outreach", "contact_medium": "email",
	})
	f.AddDataExport(gemtest.ExportFile{Name: "candidate_info", Content: []byte("id\n")})
	return fx
}

// id names the object a parameter or body field refers to. Adding candidates to a project
// takes one not in it; removing, one in it.
func (fx fixtures) id(name, method string) string {
	switch name {
	case "candidate_id":
		return fx.member
	case "candidate_ids":
		if method == http.MethodDelete {
			return fx.member
		}
		return fx.outsider
	case "user_id", "created_by", "on_behalf_of_user_id", "readable_by", "writable_by":
		return fx.user
	case "project_id", "project_ids":
		return fx.project
	case "custom_field_id":
		return fx.customField
	case "option_id":
		return fx.customOption
	case "project_field_id":
		return fx.projectField
	case "project_field_option_id", "options":
		return fx.projectFieldOption
	case "note_id":
		return fx.note
	case "event_id":
		return fx.event
	case "sequence_id":
		return fx.sequence
	}
	return ""
}

// enumChoice picks the value an operation can succeed with where an enum has one: only
// manual touchpoints can be created. Otherwise the first value.
var enumChoice = map[string]string{"type": "manual_touchpoints"}

// example makes a valid value for schema, every property filled, ids from fx.
func (fx fixtures) example(t *testing.T, name, method string, s *openapi3.Schema) any {
	switch {
	case len(s.Enum) > 0:
		if v, ok := enumChoice[name]; ok {
			return v
		}
		return s.Enum[0]
	case len(s.AllOf) == 1:
		return fx.example(t, name, method, s.AllOf[0].Value)
	case s.Type == nil:
		return nil // a free-form value, such as a custom field's: null clears it
	case s.Type.Is(openapi3.TypeObject):
		obj := object{}
		for prop, ref := range s.Properties {
			obj[prop] = fx.example(t, prop, method, ref.Value)
		}
		return obj
	case s.Type.Is(openapi3.TypeArray):
		return []any{fx.example(t, name, method, s.Items.Value)}
	case s.Type.Is(openapi3.TypeBoolean):
		return false
	case s.Type.Is(openapi3.TypeInteger) && s.Max != nil:
		return int64(*s.Max)
	case s.Type.Is(openapi3.TypeInteger):
		return epoch.Unix()
	}
	switch s.Format {
	case "ObjectID":
		id := fx.id(name, method)
		require.NotEmpty(t, id, "no fixture for %s", name)
		return id
	case "email":
		return "someone@example.com"
	case "url":
		return "https://github.com/someone"
	case "date":
		return "2025-04-01"
	}
	return "example " + name
}

// Every operation of Gem's published document is served: a valid request (every body
// field filled, ids of real objects) gets the operation's documented 2xx, with the
// response validated against the document. The operations come from the document.
func TestEveryOperationIsServed(t *testing.T) {
	doc, err := api.Load()
	require.NoError(t, err)
	count := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			count++
			t.Run(method+" "+path, func(t *testing.T) {
				srv, _ := start(t, gemtest.WithEventLists())
				fx := makeFixtures(t, srv)
				url, query := path, neturl.Values{}
				for _, p := range append(item.Parameters, op.Parameters...) {
					switch p := p.Value; p.In {
					case openapi3.ParameterInPath:
						url = strings.ReplaceAll(url, "{"+p.Name+"}", fx.id(p.Name, method))
					case openapi3.ParameterInQuery:
						query.Set(p.Name, queryValue(fx.example(t, p.Name, method, p.Schema.Value)))
					}
				}
				req, err := http.NewRequest(method, srv.URL+url+"?"+query.Encode(), nil)
				require.NoError(t, err)
				if op.RequestBody != nil {
					setBody(t, req, fx, op.RequestBody.Value)
				}
				req.Header.Set("X-API-Key", srv.APIKey)
				resp, err := srv.Client().Do(req)
				require.NoError(t, err)
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.Contains(t, successStatuses(op), resp.StatusCode, "%s", body)
			})
		}
	}
	assert.Positive(t, count, "the operations come from the document; none is pinned here")
}

// queryValue is v in a query string: a list comma-separated (form, explode false).
func queryValue(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, item := range list {
			parts[i] = fmt.Sprint(item)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func setBody(t *testing.T, req *http.Request, fx fixtures, rb *openapi3.RequestBody) {
	if mt := rb.Content.Get("application/json"); mt != nil {
		b, err := json.Marshal(fx.example(t, "", req.Method, mt.Schema.Value))
		require.NoError(t, err)
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		return
	}
	mt := rb.Content.Get("multipart/form-data")
	require.NotNil(t, mt, "a body neither JSON nor multipart")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for name := range mt.Schema.Value.Properties {
		part, err := w.CreateFormFile(name, "resume.pdf")
		require.NoError(t, err)
		_, _ = part.Write([]byte("%PDF-1.4 fake"))
	}
	require.NoError(t, w.Close())
	req.Body = io.NopCloser(&buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
}

// successStatuses are an operation's documented 2xx statuses; an operation that documents
// none (POST /v0/projects/{id}/project_field_options) answers 204.
func successStatuses(op *openapi3.Operation) []int {
	var out []int
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int{http.StatusNoContent}
	}
	sort.Ints(out)
	return out
}
