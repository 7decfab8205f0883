package gemtest

import (
	"github.com/gem-go/gem-go/gen"
)

// The methods below read and seed the fake's state directly, without HTTP, the gateway
// (key, rate limit) or faults. Reads return snapshots: copies rendered as the API would
// render them, safe to keep while the fake goes on serving.

// AddUser adds a user (the API has no call that creates users) and returns it.
func (f *Fake) AddUser(name, email string) gen.User {
	s := f.lock()
	defer f.unlock()
	u := &user{meta: s.newMeta(kindUser, f.now()), name: name, email: email}
	s.users.add(u)
	return u.render()
}

// AddSequence adds a sequence owned by userID (the API cannot create sequences).
func (f *Fake) AddSequence(name, userID string) (gen.Sequence, error) {
	s := f.lock()
	defer f.unlock()
	if !s.userExists(userID) {
		return gen.Sequence{}, invalidReference("User", "user_id")
	}
	q := &sequence{meta: s.newMeta(kindSequence, f.now()), name: name, userID: userID}
	s.sequences.add(q)
	return q.render(), nil
}

// AddDataExport adds a data export, from now on the most recent one GET /v0/data_export
// returns, and returns its id. Its files' download_urls serve their Content, which counts
// against WithMaxStoredFileBytes like uploaded resumes.
func (f *Fake) AddDataExport(files ...ExportFile) string {
	s := f.lock()
	defer f.unlock()
	return s.addDataExport(f.now(), files)
}

// AddCandidate creates a candidate exactly as POST /v0/candidates does (the same checks,
// duplicate detection, project additions and membership log), which is the fast way to
// seed thousands.
func (f *Fake) AddCandidate(body gen.CandidateCreate) (gen.Candidate, error) {
	s := f.lock()
	defer f.unlock()
	c, err := f.createCandidate(s, body)
	if err != nil {
		return gen.Candidate{}, err
	}
	return s.renderCandidate(c), nil
}

// AddProject creates a project exactly as POST /v0/projects does.
func (f *Fake) AddProject(body gen.ProjectCreate) (gen.Project, error) {
	s := f.lock()
	defer f.unlock()
	p, err := f.createProject(s, body)
	if err != nil {
		return gen.Project{}, err
	}
	return s.renderProject(p), nil
}

// Users returns every user, oldest first.
func (f *Fake) Users() []gen.User {
	s := f.lock()
	defer f.unlock()
	return mapSlice(s.users.list, (*user).render)
}

// Candidates returns every candidate, oldest first, as GET /v0/candidates/{id} renders it.
func (f *Fake) Candidates() []gen.Candidate {
	s := f.lock()
	defer f.unlock()
	return mapSlice(s.candidates.list, s.renderCandidate)
}

// CandidateCount returns how many candidates there are.
func (f *Fake) CandidateCount() int {
	s := f.lock()
	defer f.unlock()
	return s.candidates.len()
}

// Candidate returns one candidate, and whether it exists.
func (f *Fake) Candidate(id string) (gen.Candidate, bool) {
	s := f.lock()
	defer f.unlock()
	c, ok := s.candidates.get(id)
	if !ok {
		return gen.Candidate{}, false
	}
	return s.renderCandidate(c), true
}

// Projects returns every project, oldest first.
func (f *Fake) Projects() []gen.Project {
	s := f.lock()
	defer f.unlock()
	return mapSlice(s.projects.list, s.renderProject)
}

// ProjectCandidateIDs returns the ids of a project's candidates in the order they were
// added (nil for an unknown project).
func (f *Fake) ProjectCandidateIDs(projectID string) []string {
	s := f.lock()
	defer f.unlock()
	p, ok := s.projects.get(projectID)
	if !ok {
		return nil
	}
	return mapSlice(p.members.list, func(m *membership) string { return m.id })
}

// MembershipLog returns the project candidate membership log, oldest first.
func (f *Fake) MembershipLog() []gen.ProjectCandidateMembershipLog {
	s := f.lock()
	defer f.unlock()
	return mapSlice(s.log.list, (*logEntry).render)
}
