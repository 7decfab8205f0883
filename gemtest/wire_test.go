package gemtest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/route"
)

// wireWalk sends requests to a fake and checks every 2xx body against the response schema
// of the operation it reached in Gem's published document: every declared key present, at
// any depth, and no list null unless the document says nullable (gemtest.WireProblems,
// docs/gem-api.md §2.8).
type wireWalk struct {
	t      *testing.T
	srv    *gemtest.Server
	routes *route.Table
	// served counts the 2xx answers per operation ("GET /v0/candidates/{candidate_id}").
	served map[string]int
	// checked, problems and bad count the bodies checked, the keys found wrong and the
	// bodies with any; distinct holds each wrong key once per operation, list indexes
	// dropped ("GET /v0/candidates [].work_info: missing").
	checked, problems, bad int
	distinct               map[string]bool
}

func newWireWalk(t *testing.T, srv *gemtest.Server) *wireWalk {
	doc, err := api.Load()
	require.NoError(t, err)
	return &wireWalk{t: t, srv: srv, routes: route.New(doc), served: map[string]int{}, distinct: map[string]bool{}}
}

// send sends a JSON request (body nil for none), requires a 2xx and checks it.
func (w *wireWalk) send(method, path string, body any) response {
	w.t.Helper()
	return w.check(method, path, call(w.t, w.srv, method, path, body))
}

// create is send for a POST that creates something; it returns the new object's id.
func (w *wireWalk) create(path string, body any) string {
	w.t.Helper()
	var got struct {
		ID string `json:"id"`
	}
	w.send(http.MethodPost, path, body).json(w.t, &got)
	require.NotEmpty(w.t, got.ID, "POST %s", path)
	return got.ID
}

func (w *wireWalk) check(method, target string, r response) response {
	w.t.Helper()
	u, err := url.Parse(target)
	require.NoError(w.t, err)
	rt, _, _ := w.routes.Find(method, u.EscapedPath())
	require.NotNil(w.t, rt, "%s %s is not an operation of the document", method, target)
	require.True(w.t, r.status >= 200 && r.status < 300, "%s %s: %d %s", method, target, r.status, r.body)
	w.served[method+" "+rt.Path]++
	resp := rt.Operation.Responses.Status(r.status)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
		assert.Empty(w.t, r.body, "%s %s: a body where the document declares none", method, target)
		return r
	}
	problems, err := gemtest.WireProblems(resp.Value.Content.Get("application/json").Schema.Value, r.body)
	require.NoError(w.t, err, "%s %s: %s", method, target, r.body)
	w.checked++
	if len(problems) > 0 {
		w.bad++
		w.problems += len(problems)
		for _, p := range problems {
			w.distinct[method+" "+rt.Path+" "+listIndex.ReplaceAllString(p, "[]")] = true
		}
		w.t.Errorf("%s %s: %d keys not as Gem sends them:\n  %s", method, target, len(problems), strings.Join(problems, "\n  "))
	}
	return r
}

// listIndex is a list index in a problem's path.
var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

// everyOperationServed fails for each operation of the document the walk did not see
// answer 2xx.
func (w *wireWalk) everyOperationServed() {
	w.t.Helper()
	for _, rt := range w.routes.Routes() {
		assert.Positive(w.t, w.served[rt.Method+" "+rt.Path], "%s %s was not exercised", rt.Method, rt.Path)
	}
}

// Every response of every operation of Gem's published document carries every key its
// schema declares, nested objects and list items included, with lists [] when empty and
// unset scalars null: Gem's stack dumps every declared field (docs/gem-api.md §2.8). The
// walk creates the shapes that leave fields unset or lists empty (a candidate with only
// created_by and one with everything, text, date and select custom fields in team and
// project scope, text and select project fields, events with and without their optional
// fields, a resume, data exports with and without files) and reads each back through every
// operation that returns it; it fails if an operation of the document was not exercised.
// The walk is also run over the demo data. go test -v logs the counts.
func TestEveryResponseKeyIsOnTheWire(t *testing.T) {
	srv, _ := start(t, gemtest.WithEventLists())
	w := newWireWalk(t, srv)
	walkEverything(w)
	w.everyOperationServed()
	w.report()

	t.Run("demo data", func(t *testing.T) {
		srv, _ := start(t, gemtest.WithEventLists(), gemtest.WithSeed("demo"))
		w := newWireWalk(t, srv)
		for _, rt := range w.routes.Routes() {
			if rt.Method == http.MethodGet && !strings.Contains(rt.Path, "{") && rt.Path != "/v0/project_candidate_membership_log" {
				w.send(http.MethodGet, rt.Path+"?page_size=100", nil)
			}
		}
		require.NotEmpty(t, srv.Fake.Projects(), "the demo data has projects")
		require.NotEmpty(t, srv.Fake.Candidates(), "the demo data has candidates")
		for _, p := range srv.Fake.Projects() {
			w.send(http.MethodGet, "/v0/projects/"+*p.ID+"/project_field_options", nil)
			w.send(http.MethodGet, "/v0/project_candidate_membership_log?page_size=100&project_id="+*p.ID, nil)
		}
		for _, c := range srv.Fake.Candidates() {
			for _, list := range []string{"events", "notes", "uploaded_resumes"} {
				w.send(http.MethodGet, "/v0/candidates/"+*c.ID+"/"+list+"?page_size=100", nil)
			}
		}
		assert.Positive(t, w.checked, "bodies checked")
		w.report()
	})
}

// report logs the counts (go test -v shows them).
func (w *wireWalk) report() {
	w.t.Logf("%d bodies checked over %d operations: %d keys not as Gem sends them in %d bodies; %d distinct keys per operation",
		w.checked, len(w.served), w.problems, w.bad, len(w.distinct))
}

// walkEverything sends a request to every operation of the document, over objects of
// every shape, and reads every object back through each operation that returns it.
func walkEverything(w *wireWalk) {
	t, srv := w.t, w.srv
	user := srv.UserID
	other := *srv.Fake.AddUser("Grace Hopper", "grace@example.com").ID
	seq, err := srv.Fake.AddSequence("Outreach", user)
	require.NoError(t, err)
	w.send(http.MethodGet, "/v0/users", nil)
	w.send(http.MethodGet, "/v0/sequences", nil)
	w.send(http.MethodGet, "/v0/sequences/"+*seq.ID, nil)

	// Projects: the least a create takes, and everything.
	bare := w.create("/v0/projects", object{"user_id": user, "name": "Bare"})
	full := w.create("/v0/projects", object{"user_id": user, "name": "Backend", "privacy_type": "shared", "description": "Go and Postgres."})
	w.send(http.MethodPatch, "/v0/projects/"+bare, object{"description": nil, "is_archived": true})

	// Custom fields of every value type, in team and project scope.
	var customFields []string
	for _, body := range []object{
		{"name": "Legacy ID", "value_type": "text", "scope": "team"},
		{"name": "Available From", "value_type": "date", "scope": "team"},
		{"name": "Source", "value_type": "single_select", "scope": "team", "option_values": []string{"Referral", "Inbound"}},
		{"name": "Skills", "value_type": "multi_select", "scope": "team", "option_values": []string{"Go", "SQL", "Rust"}},
		{"name": "Loop Notes", "value_type": "text", "scope": "project", "project_id": full},
		{"name": "Loop", "value_type": "single_select", "scope": "project", "project_id": full, "option_values": []string{"Phone", "Onsite"}},
	} {
		customFields = append(customFields, w.create("/v0/custom_fields", body))
	}
	text, date, single, multi, projectText, projectSingle := customFields[0], customFields[1], customFields[2], customFields[3], customFields[4], customFields[5]
	w.send(http.MethodPatch, "/v0/custom_fields/"+text, object{"name": "Legacy ATS ID"})
	var added []gen.CustomFieldOption
	w.send(http.MethodPost, "/v0/custom_fields/"+multi+"/options", object{"option_values": []string{"Kubernetes"}}).json(t, &added)
	w.send(http.MethodPatch, "/v0/custom_fields/"+multi+"/options/"+*added[0].ID, object{"is_hidden": true})

	// Project fields of every type, with values on a project.
	pfText := w.create("/v0/project_fields", object{"name": "Hiring Manager", "field_type": "text"})
	pfSingle := w.create("/v0/project_fields", object{"name": "Level", "field_type": "single_select", "options": []string{"L4", "L5"}, "is_required": true})
	pfMulti := w.create("/v0/project_fields", object{"name": "Locations", "field_type": "multi_select", "options": []string{"Remote"}})
	w.send(http.MethodPatch, "/v0/project_fields/"+pfMulti, object{"name": "Offices"})
	var pfAdded []gen.ProjectFieldOption
	w.send(http.MethodPost, "/v0/project_fields/"+pfMulti+"/options", object{"options": []string{"Berlin", "London"}}).json(t, &pfAdded)
	w.send(http.MethodPatch, "/v0/project_fields/"+pfMulti+"/options/"+*pfAdded[1].ID, object{"is_hidden": true})
	pfLevel := get[gen.ProjectField](t, srv, "/v0/project_fields/"+pfSingle)
	for _, body := range []object{
		{"project_field_id": pfText, "operation": "add", "text": "Priya Raman"},
		{"project_field_id": pfSingle, "operation": "add", "options": []string{*pfLevel.Options[1].ID}},
		{"project_field_id": pfMulti, "operation": "add", "options": []string{*pfAdded[0].ID}},
	} {
		w.send(http.MethodPost, "/v0/projects/"+full+"/project_field_options", body)
	}

	// Candidates: only what a create requires; everything a create takes, with a value
	// of every custom field; one to delete.
	minimal := w.create("/v0/candidates", object{"created_by": user})
	complete := w.create("/v0/candidates", object{
		"created_by": user, "first_name": "Ada", "last_name": "Lovelace", "nickname": "Countess",
		"emails":           []any{object{"email_address": "ada@example.com", "is_primary": true}, object{"email_address": "countess@example.org"}},
		"linked_in_handle": "ada-lovelace", "title": "Analyst", "company": "Analytical Engines", "location": "London",
		"school": "Home", "phone_number": "+44 20 7946 0000", "profile_urls": []string{"https://github.com/ada"},
		"education_info": []any{object{"school": "Home"}, object{"school": "University of London", "degree": "None", "field_of_study": "Mathematics",
			"start_date": "1830-01-01", "end_date": "1835-01-01", "parsed_school": "UoL", "parsed_university": "UoL", "parsed_major_1": "Maths", "parsed_major_2": "Logic"}},
		"work_info":   []any{object{"company": "Engines"}, object{"company": "Babbage & Co", "title": "Engineer", "is_current": true, "work_start_date": "1840-01-01", "work_end_date": "1850-01-01"}},
		"project_ids": []string{full}, "sourced_from": "SeekOut",
		"custom_fields": []any{
			object{"custom_field_id": text, "value": "GH-31000"}, object{"custom_field_id": date, "value": "2025-04-01"},
			object{"custom_field_id": single, "value": "Referral"}, object{"custom_field_id": multi, "value": []string{"Go", "SQL"}},
			object{"custom_field_id": projectText, "value": "Strong"}, object{"custom_field_id": projectSingle, "value": "Onsite"},
		},
	})
	doomed := w.create("/v0/candidates", object{"created_by": other, "first_name": "Temp"})
	w.send(http.MethodPut, "/v0/candidates/"+complete, object{"due_date": object{"date": "2025-05-01", "user_id": user}})
	w.send(http.MethodPut, "/v0/candidates/"+minimal, object{"due_date": object{"date": "2025-05-01", "user_id": user, "note": "Call back."}, "title": nil})
	w.send(http.MethodPut, "/v0/projects/"+bare+"/candidates", object{"candidate_ids": []string{minimal, doomed}})
	w.send(http.MethodDelete, "/v0/projects/"+bare+"/candidates", object{"candidate_ids": []string{doomed}})

	// Events with and without their optional fields; notes; a resume.
	event := object{"timestamp": epoch.Unix(), "user_id": user, "project_id": full, "sequence_id": *seq.ID,
		"type": "manual_touchpoints", "subtype": "first_outreach", "contact_medium": "email"}
	w.create("/v0/candidates/"+complete+"/events", event)
	withAll := with(event, object{"on_behalf_of_user_id": other, "reply_status": "interested", "subtype": "reply"})
	w.create("/v0/candidates/"+complete+"/events", withAll)
	gone := w.create("/v0/candidates/"+minimal+"/events", event)
	w.send(http.MethodDelete, "/v0/candidates/"+minimal+"/events/"+gone, nil)
	w.create("/v0/notes", object{"candidate_id": complete, "user_id": user, "content": "Met at GopherCon.", "is_private": true})
	w.create("/v0/notes", object{"candidate_id": complete, "user_id": other, "content": "Second call."})
	note := w.create("/v0/notes", object{"candidate_id": minimal, "user_id": user, "content": "To delete."})
	w.send(http.MethodDelete, "/v0/notes/"+note, nil)
	w.check(http.MethodPost, "/v0/candidates/"+complete+"/uploaded_resumes/"+user,
		upload(t, srv, "/v0/candidates/"+complete+"/uploaded_resumes/"+user, "resume_file", "Ada Lovelace.pdf", []byte("%PDF-1.7\n")))
	srv.Fake.AddDataExport()
	w.send(http.MethodGet, "/v0/data_export", nil)
	srv.Fake.AddDataExport(gemtest.ExportFile{Name: "candidate_info", Content: []byte("id\n")}, gemtest.ExportFile{Name: "notes", Content: []byte("id\n")})
	w.send(http.MethodDelete, "/v0/candidates/"+doomed, object{"on_behalf_of_user_id": user})

	// Everything read back through every operation that returns it.
	w.send(http.MethodGet, "/v0/data_export", nil)
	w.send(http.MethodGet, "/v0/candidates?page_size=100", nil)
	w.send(http.MethodGet, "/v0/candidates/events?page_size=100", nil)
	for _, c := range []string{minimal, complete} {
		w.send(http.MethodGet, "/v0/candidates/"+c, nil)
		w.send(http.MethodGet, "/v0/project_candidate_membership_log?candidate_id="+c, nil)
		var events []gen.CandidateEvent
		w.send(http.MethodGet, "/v0/candidates/"+c+"/events", nil).json(t, &events)
		for _, e := range events {
			w.send(http.MethodGet, "/v0/candidates/"+c+"/events/"+*e.ID, nil)
		}
		var notes []gen.Note
		w.send(http.MethodGet, "/v0/candidates/"+c+"/notes", nil).json(t, &notes)
		for _, n := range notes {
			w.send(http.MethodGet, "/v0/notes/"+*n.ID, nil)
		}
		w.send(http.MethodGet, "/v0/candidates/"+c+"/uploaded_resumes", nil)
	}
	for _, p := range []string{bare, full} {
		w.send(http.MethodGet, "/v0/projects/"+p, nil)
		w.send(http.MethodGet, "/v0/projects/"+p+"/candidates", nil)
		w.send(http.MethodGet, "/v0/projects/"+p+"/project_field_options", nil)
	}
	w.send(http.MethodGet, "/v0/projects", nil)
	w.send(http.MethodGet, "/v0/custom_fields?page_size=100", nil)
	for _, cf := range customFields {
		w.send(http.MethodGet, "/v0/custom_fields/"+cf, nil)
		var opts []gen.CustomFieldOption
		w.send(http.MethodGet, "/v0/custom_fields/"+cf+"/options", nil).json(t, &opts)
		for _, o := range opts {
			w.send(http.MethodGet, "/v0/custom_fields/"+cf+"/options/"+*o.ID, nil)
		}
	}
	w.send(http.MethodGet, "/v0/project_fields", nil)
	for _, pf := range []string{pfText, pfSingle, pfMulti} {
		w.send(http.MethodGet, "/v0/project_fields/"+pf, nil)
		var opts []gen.ProjectFieldOption
		w.send(http.MethodGet, "/v0/project_fields/"+pf+"/options", nil).json(t, &opts)
		for _, o := range opts {
			w.send(http.MethodGet, "/v0/project_fields/"+pf+"/options/"+*o.ID, nil)
		}
	}
}

// with is base with over's keys set, a new object.
func with(base, over object) object {
	out := object{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
