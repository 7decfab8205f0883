package gemtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// The deprecated event lists answer 403 as the live API does; WithEventLists serves them.
func TestEventListsAreDeprecated(t *testing.T) {
	srv, _ := start(t)
	fx := makeFixtures(t, srv)
	for _, path := range []string{"/v0/candidates/events", "/v0/candidates/" + fx.member + "/events"} {
		r := call(t, srv, http.MethodGet, path, nil)
		assert.Equal(t, http.StatusForbidden, r.status)
		assert.JSONEq(t, `{"code":403,"status":"Forbidden","message":"Events are deprecated"}`, string(r.body))
	}

	srv, _ = start(t, gemtest.WithEventLists())
	fx = makeFixtures(t, srv)
	assert.Equal(t, []string{fx.event}, listIDs(t, srv, "/v0/candidates/"+fx.member+"/events"))
	assert.Empty(t, listIDs(t, srv, "/v0/candidates/"+fx.outsider+"/events"))
}

// Only manual touchpoints can be created and deleted.
func TestManualTouchpoints(t *testing.T) {
	srv, _ := start(t)
	fx := makeFixtures(t, srv)
	path := "/v0/candidates/" + fx.member + "/events"
	body := object{"timestamp": 1700000000, "user_id": fx.user, "project_id": fx.project, "sequence_id": fx.sequence,
		"type": "sequences", "subtype": "follow_up", "contact_medium": "phone_call"}
	r := call(t, srv, http.MethodPost, path, body)
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)

	var e gen.CandidateEvent
	r = call(t, srv, http.MethodGet, path+"/"+fx.event, nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(t, &e)
	assert.Equal(t, gen.CandidateEventTypeManualTouchpoints, *e.Type)
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/v0/candidates/"+fx.outsider+"/events/"+fx.event, nil).status,
		"an event is found under its own candidate only")
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodDelete, path+"/"+fx.event, nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, path+"/"+fx.event, nil).status)

	demo, _ := start(t, gemtest.WithSeed("demo"), gemtest.WithEventLists())
	events := get[[]gen.CandidateEvent](t, demo, "/v0/candidates/events?page_size=1")
	require.Len(t, events, 1)
	require.Equal(t, gen.CandidateEventTypeSequences, *events[0].Type)
	r = call(t, demo, http.MethodDelete, "/v0/candidates/"+*events[0].CandidateID+"/events/"+*events[0].ID, nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "a sequence event cannot be deleted: %s", r.body)
}

// Notes are created, listed per candidate by timestamp, read and deleted.
func TestNotes(t *testing.T) {
	srv, clock := start(t)
	fx := makeFixtures(t, srv)
	clock.Advance(time.Minute)
	second := mustCreate(t, srv, "/v0/notes", object{"candidate_id": fx.member, "user_id": fx.user, "content": "Offer call.", "is_private": true})
	assert.Equal(t, []string{second, fx.note}, listIDs(t, srv, "/v0/candidates/"+fx.member+"/notes"))
	n := get[gen.Note](t, srv, "/v0/notes/"+second)
	assert.True(t, *n.IsPrivate)
	assert.Equal(t, epoch.Add(time.Minute), n.GetTimestamp())

	r := call(t, srv, http.MethodPost, "/v0/notes", object{"candidate_id": "Y2FuZGlkYXRlczo5OQ==", "user_id": fx.user, "content": "?"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"Candidate not found.","errors":{"json":{"candidate_id":["Candidate not found."]}}}`, string(r.body))

	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodDelete, "/v0/notes/"+second, nil).status)
	assert.Equal(t, []string{fx.note}, listIDs(t, srv, "/v0/candidates/"+fx.member+"/notes"))
}

// GET /v0/data_export returns the most recent export, whose files download; with none
// it is a 404.
func TestDataExport(t *testing.T) {
	srv, clock := start(t)
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/v0/data_export", nil).status)
	srv.Fake.AddDataExport(gemtest.ExportFile{Name: "old", Content: []byte("a\n")})
	clock.Advance(time.Minute)
	id := srv.Fake.AddDataExport(gemtest.ExportFile{Name: "candidate_info", Content: []byte("id,name\n1,Ada\n")})
	e := get[gen.DataExport](t, srv, "/v0/data_export")
	assert.Equal(t, id, *e.ID)
	require.Len(t, e.Files, 1)
	f := (e.Files)[0]
	assert.Equal(t, "candidate_info", *f.Name)
	resp, err := srv.Client().Get(*f.DownloadURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/csv", resp.Header.Get("Content-Type"))
}
