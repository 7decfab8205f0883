package gemtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/internal/route"
)

// backAs says where a body field comes back when not under its own name: key in each
// resource read back, and the value expected there. With spread, the field's value is a
// list and each of its items comes back in a resource of its own (a list of options).
type backAs func(sent any) (key string, want any, spread bool)

// comesBackAs lists the body fields that come back under another key or in another shape,
// by "<request schema>.<field>". Every other field comes back as itself, under its name.
var comesBackAs = map[string]backAs{
	// Gem builds a profile from each URL (reference).
	"CandidateCreate.profile_urls": urlsAsProfiles,
	"CandidateUpdate.profile_urls": urlsAsProfiles,
	// A value names its field with custom_field_id; the candidate lists the field's id.
	"CandidateCreate.custom_fields": customFieldValues,
	"CandidateUpdate.custom_fields": customFieldValues,
	// Option values become options, each its own resource where options are listed.
	"CustomFieldCreate.option_values":       optionValues,
	"ProjectFieldCreate.options":            optionValues,
	"CustomFieldOptionCreate.option_values": each("value"),
	"ProjectFieldOptionCreate.options":      each("value"),
	// A project's candidates and its project field values are listed one per id.
	"ProjectCandidatesUpdate.candidate_ids":       each("candidate_id"),
	"ProjectFieldOptionAssociationUpdate.options": each("option_id"),
	// The uploaded file's name.
	"UploadedResumeCreate.resume_file": func(v any) (string, any, bool) { return "filename", v, false },
}

// notStored lists the body fields that are instructions rather than data, with why.
var notStored = map[string]string{
	"CandidateCreate.autofill":                      "asks Gem to fill in missing fields",
	"ProjectCandidatesUpdate.user_id":               "the user making the change, checked for write access",
	"ProjectFieldOptionAssociationUpdate.operation": "says whether to add or remove",
}

func urlsAsProfiles(v any) (string, any, bool) {
	var profiles []any
	for _, u := range v.([]any) {
		profiles = append(profiles, object{"url": u})
	}
	return "profiles", profiles, false
}

func customFieldValues(v any) (string, any, bool) {
	var values []any
	for _, item := range v.([]any) {
		m := item.(map[string]any)
		values = append(values, object{"id": m["custom_field_id"], "value": m["value"]})
	}
	return "custom_fields", values, false
}

func optionValues(v any) (string, any, bool) {
	var opts []any
	for _, s := range v.([]any) {
		opts = append(opts, object{"value": s})
	}
	return "options", opts, false
}

// each is a list field whose items come back one per resource, under key.
func each(key string) backAs {
	return func(v any) (string, any, bool) { return key, v, true }
}

// bodyVariant is one of the requests an operation's body needs to carry every field once, where
// one request cannot: a project field value is text for a text field and options for a
// select field. set replaces values, drop leaves fields out.
type bodyVariant struct {
	set  object
	drop []string
}

// Every field a create or update body of Gem's published document carries comes back in
// the resource it wrote, read back with the document's GET: under its own name as it was
// sent, or where comesBackAs says; notStored lists the few that are instructions. The
// operations and their fields come from the document, each field filled (booleans true,
// strings unique), so a field Gem adds to a body fails here until the fake stores and
// returns it. Deletes write nothing to read back.
func TestWrittenFieldsComeBack(t *testing.T) {
	doc, err := api.Load()
	require.NoError(t, err)
	routes := route.New(doc)
	count := 0
	for _, rt := range routes.Routes() {
		if rt.Operation.RequestBody == nil || rt.Method == http.MethodDelete {
			continue
		}
		count++
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			srv, _ := start(t, gemtest.WithoutCandidateOwnerCheck())
			rc := &roundTrip{t: t, srv: srv, fx: makeFixtures(t, srv), routes: routes}
			rc.other = *srv.Fake.AddUser("Grace Hopper", "grace@example.com").ID
			name, schema, multipartBody := requestSchema(t, rt.Operation.RequestBody.Value)
			variants := []bodyVariant{{}}
			if name == "ProjectFieldOptionAssociationUpdate" {
				textField := mustCreate(t, srv, "/v0/project_fields", object{"name": "Manager", "field_type": "text"})
				variants = []bodyVariant{
					{set: object{"project_field_id": textField}, drop: []string{"options"}},
					{set: object{"project_field_id": rc.fx.projectField}, drop: []string{"text"}},
				}
			}
			target := rt.Path
			for _, p := range slices.Concat(rt.PathItem.Parameters, rt.Operation.Parameters) {
				if p.Value.In == openapi3.ParameterInPath {
					target = strings.ReplaceAll(target, "{"+p.Value.Name+"}", rc.fx.id(p.Value.Name, rt.Method))
				}
			}
			carried := map[string]bool{}
			for _, v := range variants {
				body := rc.object(schema)
				for _, k := range v.drop {
					delete(body, k)
				}
				for k, val := range v.set {
					body[k] = val
				}
				var r response
				if multipartBody {
					r = rc.upload(target, body)
				} else {
					r = call(t, srv, rt.Method, target, body)
				}
				require.True(t, r.status >= 200 && r.status < 300, "%s %s: %d %s", rt.Method, target, r.status, r.body)
				back := rc.readBack(target, r)
				for field, sent := range jsonValue(t, body).(map[string]any) {
					carried[field] = true
					if _, ok := notStored[name+"."+field]; ok {
						continue
					}
					key, want, spread := field, sent, false
					if as, ok := comesBackAs[name+"."+field]; ok {
						key, want, spread = as(sent)
					}
					assert.True(t, comesBack(back, key, want, spread), "%s.%s sent %s, not in %s as %q: %s",
						name, field, mustJSON(t, sent), rt.Method+" "+rt.Path, key, mustJSON(t, back))
				}
			}
			for field := range schema.Properties {
				assert.True(t, carried[field], "%s.%s was never sent", name, field)
			}
		})
	}
	assert.Positive(t, count, "the operations come from the document")
}

// requestSchema is the body's schema and its component name, and whether it is multipart.
func requestSchema(t *testing.T, rb *openapi3.RequestBody) (string, *openapi3.Schema, bool) {
	mt, multipartBody := rb.Content.Get("application/json"), false
	if mt == nil {
		mt, multipartBody = rb.Content.Get("multipart/form-data"), true
	}
	require.NotNil(t, mt, "a body neither JSON nor multipart")
	return path.Base(mt.Schema.Ref), mt.Schema.Value, multipartBody
}

// roundTrip builds bodies with every field filled and reads back what they wrote.
type roundTrip struct {
	t      *testing.T
	srv    *gemtest.Server
	fx     fixtures
	other  string // a second user, whose id a field must have stored to show it
	routes *route.Table
	n      int
}

// choices are the enum values (and free-form values) under which every other field of a
// body applies: a project scope takes project_id, a select type takes options, only
// manual touchpoints can be created, and the fixtures' custom field is a select with the
// option Referral.
var choices = object{
	"scope": "project", "value_type": "multi_select", "field_type": "multi_select",
	"type": "manual_touchpoints", "operation": "add", "value": "Referral",
}

func (rc *roundTrip) object(s *openapi3.Schema) object {
	out := object{}
	for name, p := range s.Properties {
		out[name] = rc.value(name, p.Value)
	}
	return out
}

func (rc *roundTrip) value(name string, s *openapi3.Schema) any {
	rc.n++
	if v, ok := choices[name]; ok {
		return v
	}
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.AllOf) == 1:
		return rc.value(name, s.AllOf[0].Value)
	case s.Type.Is(openapi3.TypeObject):
		return rc.object(s)
	case s.Type.Is(openapi3.TypeArray):
		return []any{rc.value(name, s.Items.Value)}
	case s.Type.Is(openapi3.TypeBoolean):
		return true // not the default, so a field left unstored shows
	case s.Type.Is(openapi3.TypeInteger):
		return epoch.Unix()
	}
	switch s.Format {
	case "ObjectID":
		switch name {
		case "created_by", "user_id", "on_behalf_of_user_id":
			return rc.other
		case "options":
			return rc.fx.projectFieldOption
		}
		id := rc.fx.id(name, http.MethodPut)
		require.NotEmpty(rc.t, id, "no fixture for %s", name)
		return id
	case "email":
		return fmt.Sprintf("someone%d@example.com", rc.n)
	case "url":
		return fmt.Sprintf("https://github.com/someone%d", rc.n)
	case "date":
		return fmt.Sprintf("2025-04-%02d", 1+rc.n%28)
	}
	return fmt.Sprintf("%s %d", strings.ReplaceAll(name, "_", " "), rc.n)
}

// upload sends body's fields as files of a multipart form, each named "<field>.pdf", and
// puts those names in body.
func (rc *roundTrip) upload(target string, body object) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for field := range body {
		part, err := w.CreateFormFile(field, field+".pdf")
		require.NoError(rc.t, err)
		_, _ = part.Write([]byte("%PDF-1.4\n"))
		body[field] = field + ".pdf"
	}
	require.NoError(rc.t, w.Close())
	return callRaw(rc.t, rc.srv, http.MethodPost, target, w.FormDataContentType(), buf.Bytes())
}

// readBack reads what a write to target stored with the document's GET: the created
// object (target/<id>), or target itself, or the list it was added to (target's parent);
// the first that exists. A list is read whole (page_size 100).
func (rc *roundTrip) readBack(target string, r response) []map[string]any {
	var created struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &created)
	for _, p := range []string{target + "/" + created.ID, target, path.Dir(target)} {
		if rt, _, _ := rc.routes.Find(http.MethodGet, p); rt != nil {
			back := get[any](rc.t, rc.srv, p+"?page_size=100")
			if list, ok := back.([]any); ok {
				var items []map[string]any
				for _, item := range list {
					items = append(items, item.(map[string]any))
				}
				return items
			}
			return []map[string]any{back.(map[string]any)}
		}
	}
	rc.t.Fatalf("no GET in the document reads back %s", target)
	return nil
}

// comesBack reports whether one of the resources carries want under key (each item of
// want in some resource, with spread).
func comesBack(back []map[string]any, key string, want any, spread bool) bool {
	wants := []any{want}
	if spread {
		wants = want.([]any)
	}
	for _, w := range wants {
		if !slices.ContainsFunc(back, func(res map[string]any) bool { return carries(w, res[key]) }) {
			return false
		}
	}
	return true
}

// carries reports whether got holds what was sent: every key of an object, every item of
// a list (in any order, among others), a scalar equal.
func carries(sent, got any) bool {
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range s {
			if !carries(v, g[k]) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok {
			return false
		}
		for _, item := range s {
			if !slices.ContainsFunc(g, func(x any) bool { return carries(item, x) }) {
				return false
			}
		}
		return true
	}
	return sent == got
}

// jsonValue is v as JSON decodes it (numbers float64, objects map[string]any).
func jsonValue(t *testing.T, v any) any {
	var out any
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, v)), &out))
	return out
}
