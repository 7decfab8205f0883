package gemtest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemtest"
	"github.com/gem-go/gem-go/gen"
)

// Adding and removing candidates is all or nothing: one conflicting id fails the batch
// with the documented 400 listing the conflicting ids, and nothing changes. Every
// addition and removal is logged, including those of POST /v0/candidates's project_ids.
func TestProjectMembership(t *testing.T) {
	srv, clock := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Platform"})
	a := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "project_ids": []string{project}})
	b := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	c := mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID})
	path := "/v0/projects/" + project + "/candidates"

	clock.Advance(time.Minute)
	r := call(t, srv, http.MethodPut, path, object{"candidate_ids": []string{b, a, c}})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"Candidates with the ids are already in the project",
		"errors":{"json":{"candidate_ids":["`+a+`"]}}}`, string(r.body))
	assert.Equal(t, []string{a}, srv.Fake.ProjectCandidateIDs(project), "nothing added")

	r = call(t, srv, http.MethodPut, path, object{"candidate_ids": []string{b, c, b}})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	assert.Equal(t, []string{a, b, c}, srv.Fake.ProjectCandidateIDs(project))
	assert.Equal(t, []string{project}, getCandidate(t, srv, b).ProjectIDs)

	clock.Advance(time.Minute)
	r = call(t, srv, http.MethodDelete, path, object{"candidate_ids": []string{a, "Y2FuZGlkYXRlczo5OQ=="}})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"Candidates with the ids are not in the project",
		"errors":{"json":{"candidate_ids":["Y2FuZGlkYXRlczo5OQ=="]}}}`, string(r.body))
	r = call(t, srv, http.MethodDelete, path, object{"candidate_ids": []string{a}})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	assert.Equal(t, []string{b, c}, srv.Fake.ProjectCandidateIDs(project))

	t0 := int(epoch.Unix())
	assert.Equal(t, []gen.ProjectCandidateMembershipLog{
		{CandidateID: &a, ProjectID: &project, Action: ptr("add"), Timestamp: ptr(gen.UnixTime(t0))},
		{CandidateID: &b, ProjectID: &project, Action: ptr("add"), Timestamp: ptr(gen.UnixTime(t0 + 60))},
		{CandidateID: &c, ProjectID: &project, Action: ptr("add"), Timestamp: ptr(gen.UnixTime(t0 + 60))},
		{CandidateID: &a, ProjectID: &project, Action: ptr("remove"), Timestamp: ptr(gen.UnixTime(t0 + 120))},
	}, srv.Fake.MembershipLog())

	log := get[[]gen.ProjectCandidateMembershipLog](t, srv, "/v0/project_candidate_membership_log?candidate_id="+a+"&sort=asc")
	require.Len(t, log, 2)
	assert.Equal(t, "remove", *log[1].Action)
	log = get[[]gen.ProjectCandidateMembershipLog](t, srv, "/v0/project_candidate_membership_log?project_id="+project+"&changed_after="+strconv.Itoa(t0))
	assert.Len(t, log, 3, "changed_after is strict")

	members := get[[]gen.ProjectCandidateMembership](t, srv, path+"?added_before="+strconv.Itoa(t0+60)+"&sort=asc")
	assert.Empty(t, members, "a was removed; b and c were added at t0+60")
	members = get[[]gen.ProjectCandidateMembership](t, srv, path+"?sort=asc")
	assert.Equal(t, []gen.ProjectCandidateMembership{{CandidateID: &b, AddedAt: ptr(gen.UnixTime(t0 + 60))}, {CandidateID: &c, AddedAt: ptr(gen.UnixTime(t0 + 60))}}, members)
}

// WithMembershipActions changes the log's action strings.
func TestMembershipActionsOption(t *testing.T) {
	srv, _ := start(t, gemtest.WithMembershipActions("added", "removed"))
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})
	mustCreate(t, srv, "/v0/candidates", object{"created_by": srv.UserID, "project_ids": []string{project}})
	assert.Equal(t, "added", *srv.Fake.MembershipLog()[0].Action)
}

// user_id must be able to write to the project: its owner, or anyone for a shared
// project. Otherwise the observed 400; without user_id the call succeeds.
func TestProjectWriteAccess(t *testing.T) {
	srv, _ := start(t)
	owner := srv.UserID
	other := *srv.Fake.AddUser("Other", "other@example.com").ID
	personal := mustCreate(t, srv, "/v0/projects", object{"user_id": owner, "name": "Mine"})
	shared := mustCreate(t, srv, "/v0/projects", object{"user_id": owner, "name": "Ours", "privacy_type": "shared"})
	id := mustCreate(t, srv, "/v0/candidates", object{"created_by": other}) // other's own candidate

	r := call(t, srv, http.MethodPut, "/v0/projects/"+personal+"/candidates", object{"candidate_ids": []string{id}, "user_id": other})
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"User does not have the permission to perform the action."}`, string(r.body))
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodPut, "/v0/projects/"+shared+"/candidates", object{"candidate_ids": []string{id}, "user_id": other}).status)
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodPut, "/v0/projects/"+personal+"/candidates", object{"candidate_ids": []string{id}}).status)

	assert.Equal(t, []string{shared}, listIDs(t, srv, "/v0/projects?writable_by="+other))
	assert.Equal(t, []string{shared, personal}, listIDs(t, srv, "/v0/projects?readable_by="+owner))
	assert.Equal(t, []string{shared, personal}, listIDs(t, srv, "/v0/projects?user_id="+owner))
}

// Observed live (docs/gem-api.md §2.5): sending user_id to add a candidate that another
// user owns is the 400 "User does not have the permission to perform the action.", even
// where user_id may write to the project; the same call without user_id is a 204. One
// such candidate fails the whole batch. WithoutCandidateOwnerCheck lifts the rule.
func TestAddingAnotherUsersCandidate(t *testing.T) {
	srv, _ := start(t)
	owner := srv.UserID
	other := *srv.Fake.AddUser("Other", "other@example.com").ID
	shared := mustCreate(t, srv, "/v0/projects", object{"user_id": owner, "name": "Ours", "privacy_type": "shared"})
	mine := mustCreate(t, srv, "/v0/candidates", object{"created_by": other})
	theirs := mustCreate(t, srv, "/v0/candidates", object{"created_by": owner})
	path := "/v0/projects/" + shared + "/candidates"

	r := call(t, srv, http.MethodPut, path, object{"candidate_ids": []string{mine, theirs}, "user_id": other})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.JSONEq(t, `{"code":400,"status":"Bad Request","message":"User does not have the permission to perform the action."}`, string(r.body))
	assert.Empty(t, get[[]gen.ProjectCandidateMembership](t, srv, path), "all or nothing")
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodPut, path, object{"candidate_ids": []string{mine}, "user_id": other}).status, "its own candidate")
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodPut, path, object{"candidate_ids": []string{theirs}}).status, "without user_id")
	r = call(t, srv, http.MethodDelete, path, object{"candidate_ids": []string{theirs}, "user_id": other})
	assert.Equal(t, http.StatusBadRequest, r.status, "removing: %s", r.body)

	srv, _ = start(t, gemtest.WithoutCandidateOwnerCheck())
	owner = srv.UserID
	other = *srv.Fake.AddUser("Other", "other@example.com").ID
	shared = mustCreate(t, srv, "/v0/projects", object{"user_id": owner, "name": "Ours", "privacy_type": "shared"})
	theirs = mustCreate(t, srv, "/v0/candidates", object{"created_by": owner})
	assert.Equal(t, http.StatusNoContent, call(t, srv, http.MethodPut, "/v0/projects/"+shared+"/candidates", object{"candidate_ids": []string{theirs}, "user_id": other}).status)
}

// GET /v0/projects/{id}/sequences is a 405 on the live API (docs/gem-api.md §2.5), which
// implies a POST route outside the document: every other method is that 405, with
// werkzeug's Allow; the POST, whose shape is unknown, is a 501 that says so.
// WithoutProjectSequencesRoute makes the path a plain 404. The gateway comes first.
func TestProjectSequencesRoute(t *testing.T) {
	srv, _ := start(t)
	project := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "P"})
	path := "/v0/projects/" + project + "/sequences"
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r := call(t, srv, method, path, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, method)
		assert.Equal(t, "POST", r.header.Get("Allow"), method)
		assert.JSONEq(t, `{"code":405,"status":"Method Not Allowed"}`, string(r.body), method)
	}
	r := call(t, srv, http.MethodPost, path, object{"name": "Outreach"})
	assert.Equal(t, http.StatusNotImplemented, r.status)
	assert.Contains(t, string(r.body), `"code":501`)
	assert.Equal(t, http.StatusForbidden, callWith(t, srv, http.MethodGet, path, nil, http.Header{}).status, "no key")
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/v0/projects//sequences", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, path+"/x", nil).status)

	srv, _ = start(t, gemtest.WithoutProjectSequencesRoute())
	r = call(t, srv, http.MethodGet, path, nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.JSONEq(t, `{"code":404,"status":"Not Found"}`, string(r.body))
}

// PATCH changes only what it sends; description null clears it; archived projects
// filter.
func TestUpdateProject(t *testing.T) {
	srv, _ := start(t)
	id := mustCreate(t, srv, "/v0/projects", object{"user_id": srv.UserID, "name": "Old", "description": "Backfill"})
	var p gen.Project
	r := call(t, srv, http.MethodPatch, "/v0/projects/"+id, object{"is_archived": true, "description": nil})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &p)
	assert.Equal(t, "Old", *p.Name)
	assert.Equal(t, gen.PrivacyTypePersonal, *p.PrivacyType, "the default")
	assert.True(t, p.Description == nil)
	assert.True(t, *p.IsArchived)
	assert.Equal(t, []string{id}, listIDs(t, srv, "/v0/projects?is_archived=true"))
	assert.Empty(t, listIDs(t, srv, "/v0/projects?is_archived=false"))
}
