package gemtest_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

func getCandidate(t *testing.T, srv *gemtest.Server, id string) gen.Candidate {
	t.Helper()
	return get[gen.Candidate](t, srv, "/v0/candidates/"+id)
}

// Ids are padded base64 of "<type>:<n>" and timestamps unix seconds (docs/gem-api.md §2.2, §2.3).
func TestIDsAndTimestamps(t *testing.T) {
	srv, _ := start(t)
	ids := map[string]string{}
	var last string
	for i := 1; i <= 10; i++ {
		last = mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
		ids[last] = "candidates:" + strconv.Itoa(i)
	}
	ids[srv.UserID] = "users:1"
	ids[mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})] = "Project:1"
	for id, want := range ids {
		raw, err := base64.StdEncoding.DecodeString(id)
		require.NoError(t, err, id)
		assert.Equal(t, want, string(raw))
	}
	assert.Equal(t, "Y2FuZGlkYXRlczoxMA==", last, "ids keep their padding")
	assert.Equal(t, "dXNlcnM6MQ==", srv.UserID)
	assert.Equal(t, epoch, srv.Fake.Candidates()[0].CreatedAt.Time())
}

// A created candidate has what was sent, every field present (null where unset), a
// profile for each URL and for its LinkedIn handle, and the first email primary.
func TestCreateCandidate(t *testing.T) {
	srv, _ := start(t)
	id := mustCreate(t, srv, "/v0/candidates", object{
		"created_by": srv.UserID, "first_name": "Ada", "last_name": "Lovelace", "linked_in_handle": "ada-lovelace",
		"emails":       []any{object{"email_address": "ada@example.com"}, object{"email_address": "ADA@example.com", "is_primary": true}, object{"email_address": "countess@example.org"}},
		"profile_urls": []string{"https://github.com/ada"}, "sourced_from": "SeekOut",
		"work_info": []any{object{"company": "Analytical Engines", "is_current": true}},
	})
	c := getCandidate(t, srv, id)
	assert.Equal(t, "Ada", *c.FirstName)
	assert.True(t, c.Title == nil, "unset fields are null")
	assert.Equal(t, gen.CandidateSourceSeekOut, *c.SourcedFrom)
	assert.Equal(t, []gen.Email{{EmailAddress: "ada@example.com", IsPrimary: ptr(true)}, {EmailAddress: "countess@example.org", IsPrimary: ptr(false)}}, c.Emails,
		"duplicates (ignoring case) dropped; with no primary left the first is primary")
	assert.Equal(t, []gen.Profile{
		{Network: "github", URL: "https://github.com/ada", Username: ptr("ada")},
		{Network: "linkedin", URL: "https://www.linkedin.com/in/ada-lovelace", Username: ptr("ada-lovelace")},
	}, c.Profiles)
	require.Len(t, c.WorkInfo, 1)
	assert.True(t, (c.WorkInfo)[0].Title == nil)
	assert.Equal(t, []string{}, c.ProjectIDs)
	assert.NotEmpty(t, *c.Weblink)
	assert.Nil(t, c.LastUpdatedAt, "never updated: null (docs/gem-api.md §1.15)")
}

// A second candidate with a LinkedIn handle already in Gem is the 400 seen live, with the
// existing candidate's id, and changes nothing: not even the projects it names (notes
// §2.5, §2.7). Handles match ignoring case.
func TestDuplicateCandidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []gemtest.Option
		key  string
	}{
		{"observed", nil, "li_handle"},
		{"documented", []gemtest.Option{gemtest.WithDuplicateCandidateShape(gemtest.DuplicateDocumented)}, "linked_in_handle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := start(t, tc.opts...)
			first := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "linked_in_handle": "omer-palombo-23307354"})
			project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})
			r := call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "linked_in_handle": "Omer-Palombo-23307354", "project_ids": []string{project}})
			require.Equal(t, http.StatusBadRequest, r.status)
			assert.JSONEq(t, `{"code":400,"status":"Bad Request",
				"errors":{"duplicate_candidate":{"id":"`+first+`","`+tc.key+`":"omer-palombo-23307354"}},
				"message":"Candidate with LinkedIn handle \"omer-palombo-23307354\" already exists."}`, string(r.body))
			assert.Equal(t, 1, srv.Fake.CandidateCount())
			assert.Empty(t, srv.Fake.ProjectCandidateIDs(project))
			assert.Empty(t, srv.Fake.MembershipLog())
		})
	}
}

// PUT changes only what it sends: null clears, emails and profile_urls replace the lists,
// due_date is set and cleared (docs/gem-api.md §2.7).
func TestUpdateCandidate(t *testing.T) {
	srv, clock := start(t)
	id := mustCreate(t, srv, "/v0/candidates", object{
		"created_by": srv.UserID, "first_name": "Ada", "title": "Analyst", "company": "Engines Ltd",
		"emails": []any{object{"email_address": "ada@example.com"}}, "profile_urls": []string{"https://github.com/ada"},
	})
	clock.Advance(time.Hour)
	r := call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{
		"title": nil, "nickname": "Countess", "emails": []any{object{"email_address": "new@example.com", "is_primary": true}},
		"profile_urls": []string{"https://twitter.com/ada"}, "due_date": object{"date": "2025-04-01", "user_id": srv.UserID},
	})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	c := getCandidate(t, srv, id)
	assert.Equal(t, "Ada", *c.FirstName, "not sent, unchanged")
	assert.Equal(t, "Engines Ltd", *c.Company, "not sent, unchanged")
	assert.True(t, c.Title == nil, "null clears")
	assert.Equal(t, "Countess", *c.Nickname)
	assert.Equal(t, []gen.Email{{EmailAddress: "new@example.com", IsPrimary: ptr(true)}}, c.Emails)
	assert.Equal(t, []gen.Profile{{Network: "twitter", URL: "https://twitter.com/ada", Username: ptr("ada")}}, c.Profiles)
	due := *c.DueDate
	assert.Equal(t, "2025-04-01", string(due.Date))
	assert.True(t, due.Note == nil)
	assert.Equal(t, epoch.Add(time.Hour), c.GetLastUpdatedAt())

	r = call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{"due_date": nil})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.True(t, getCandidate(t, srv, id).DueDate == nil, "due_date null clears it")

	r = call(t, srv, http.MethodPut, "/v0/candidates/"+id, object{"first_name": "Augusta", "due_date": object{"date": "2025-04-01", "user_id": "dXNlcnM6OTk="}})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Equal(t, "Ada", *getCandidate(t, srv, id).FirstName, "an invalid update changes nothing")
}

// Unknown ids are flask-smorest's bare 404; WithNotFoundMessages adds a message.
func TestUnknownIDs(t *testing.T) {
	srv, _ := start(t)
	r := call(t, srv, http.MethodGet, "/v0/candidates/Y2FuZGlkYXRlczo5OTk=", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.JSONEq(t, `{"code":404,"status":"Not Found"}`, string(r.body))

	srv, _ = start(t, gemtest.WithNotFoundMessages())
	r = call(t, srv, http.MethodGet, "/v0/projects/UHJvamVjdDo5", nil)
	assert.JSONEq(t, `{"code":404,"status":"Not Found","message":"Project not found."}`, string(r.body))

	r = call(t, srv, http.MethodGet, "/v0/nothing", nil)
	assert.JSONEq(t, `{"code":404,"status":"Not Found"}`, string(r.body), "unknown paths too")
}

// Deleting a candidate needs on_behalf_of_user_id; with permanently_remove_contact_info
// its handle and emails cannot come back.
func TestDeleteCandidate(t *testing.T) {
	srv, _ := start(t)
	body := object{"created_by": srv.UserID, "linked_in_handle": "ghost", "emails": []any{object{"email_address": "ghost@example.com"}}}
	id := mustCreate(t, srv, "/v0/candidates", body)
	r := call(t, srv, http.MethodDelete, "/v0/candidates/"+id, object{"on_behalf_of_user_id": srv.UserID})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/v0/candidates/"+id, nil).status)

	id = mustCreate(t, srv, "/v0/candidates", body)
	r = call(t, srv, http.MethodDelete, "/v0/candidates/"+id, object{"on_behalf_of_user_id": srv.UserID, "permanently_remove_contact_info": true})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = call(t, srv, http.MethodPost, "/v0/candidates", object{"created_by": srv.UserID, "emails": []any{object{"email_address": "Ghost@example.com"}}})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Zero(t, srv.Fake.CandidateCount())
}

// The list's filters, and its order: newest first by default (WithDefaultSort), and
// the time filters strict by default (WithInclusiveTimeFilters).
func TestListCandidatesFilters(t *testing.T) {
	srv, clock := start(t)
	other := srv.Fake.AddUser("Other", "other@example.com")
	var ids []string
	for i, who := range []string{srv.UserID, *other.ID, srv.UserID, srv.UserID} {
		ids = append(ids, mustCreate(t, srv, "/v0/candidates", object{
			"created_by": who, "linked_in_handle": "h" + strconv.Itoa(i),
			"emails": []any{object{"email_address": "person" + strconv.Itoa(i) + "@corp" + strconv.Itoa(i%2) + ".example"}},
		}))
		clock.Advance(time.Minute)
	}
	clock.Advance(time.Hour)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPut, "/v0/candidates/"+ids[0], object{"title": "CTO"}).status)
	t0 := epoch.Unix()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{ids[3], ids[2], ids[1], ids[0]}},
		{"?sort=asc", ids},
		{"?created_by=" + *other.ID, []string{ids[1]}},
		{"?linked_in_handle=H2", []string{ids[2]}},
		{"?email=person1@corp1.example", []string{ids[1]}},
		{"?candidate_ids=" + ids[0] + "," + ids[3], []string{ids[3], ids[0]}},
		{"?candidate_ids=" + ids[0] + "&candidate_ids=" + ids[3], []string{ids[0]}}, // webargs reads the first
		{"?candidate_ids=", []string{ids[3], ids[2], ids[1], ids[0]}},
		{"?sort=asc&sort=desc", ids},
		{"?created_after=" + strconv.FormatInt(t0+60, 10), []string{ids[3], ids[2]}},
		{"?created_before=" + strconv.FormatInt(t0+60, 10) + "&sort=asc", []string{ids[0]}},
		{"?updated_after=" + strconv.FormatInt(t0+300, 10), []string{ids[0]}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			assert.Equal(t, tc.want, listIDs(t, srv, "/v0/candidates"+tc.query))
		})
	}

	srv, clock = start(t, gemtest.WithInclusiveTimeFilters(), gemtest.WithDefaultSort(gen.SortOrderAsc))
	a := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	clock.Advance(time.Second)
	b := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	assert.Equal(t, []string{a, b}, listIDs(t, srv, "/v0/candidates?created_after="+strconv.FormatInt(t0, 10)+"&created_before="+strconv.FormatInt(t0+1, 10)))
}

// listIDs returns the ids of a list's first page.
func listIDs(t *testing.T, srv *gemtest.Server, path string) []string {
	t.Helper()
	r := call(t, srv, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var items []struct {
		ID string `json:"id"`
	}
	r.json(t, &items)
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}
