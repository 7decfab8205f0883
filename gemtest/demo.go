package gemtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// seeds are the named data sets of WithSeed.
var seeds = map[string]func(*Fake){"demo": seedDemo}

// seedNames lists the data sets WithSeed knows.
func seedNames() []string {
	var names []string
	for name := range seeds {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Demo data: a small recruiting team's Gem, the same on every run but for timestamps,
// which end at the fake's clock.
const (
	demoCandidates = 60
	demoDays       = 90
	day            = 24 * 60 * 60
)

var (
	demoUsers = [][2]string{
		{"Priya Raman", "priya.raman@northwind.example"},
		{"Marcus Chen", "marcus.chen@northwind.example"},
		{"Sofia Alvarez", "sofia.alvarez@northwind.example"},
		{"Daniel Okafor", "daniel.okafor@northwind.example"},
		{"Hannah Weber", "hannah.weber@northwind.example"},
	}
	demoFirst     = []string{"Amara", "Ben", "Chloe", "Diego", "Elena", "Farah", "Gabriel", "Hiro", "Ines", "Jonas", "Kavya", "Liam", "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Samuel", "Tara"}
	demoLast      = []string{"Adeyemi", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Osei", "Petrova"}
	demoCompanies = []string{"Stripe", "Datadog", "Shopify", "Figma", "Cloudflare", "Spotify", "Atlassian", "Zalando", "Monzo", "GitLab"}
	demoTitles    = []string{"Senior Software Engineer", "Staff Engineer", "Backend Engineer", "Product Designer", "Engineering Manager", "Machine Learning Engineer", "Data Analyst", "Site Reliability Engineer"}
	demoSchools   = []string{"University of Waterloo", "TU Munich", "Georgia Tech", "University of Lagos", "ETH Zurich", "UC Berkeley"}
	demoPlaces    = []string{"New York, NY", "San Francisco, CA", "Berlin, Germany", "London, UK", "Toronto, Canada", "Remote"}
)

func seedDemo(f *Fake) {
	now := f.now()
	for _, u := range demoUsers {
		f.AddUser(u[0], u[1])
	}
	s := f.lock()
	defer f.unlock()
	users := s.users.list
	at := func(daysAgo float64) int64 { return now - int64(daysAgo*day) }
	rng := rand.New(rand.NewPCG(7, 42))

	projects := []*project{
		{ownerID: users[0].id, name: "Senior Backend Engineer, Platform", privacy: gen.PrivacyTypeShared, description: ptr("Go and Postgres; on-call rotation.")},
		{ownerID: users[2].id, name: "Product Designer, Growth", privacy: gen.PrivacyTypeShared},
		{ownerID: users[1].id, name: "Engineering Manager, Payments", privacy: gen.PrivacyTypeConfidential, description: ptr("Backfill; do not share outside the hiring team.")},
		{ownerID: users[3].id, name: "Sourcing: Staff ML Engineers", privacy: gen.PrivacyTypePersonal},
		{ownerID: users[0].id, name: "Data Analyst (2024)", privacy: gen.PrivacyTypeShared, archived: true},
	}
	for i, p := range projects {
		p.meta = s.newMeta(kindProject, at(demoDays+10-float64(i)))
		p.fields = map[string]fieldValue{}
		s.projects.add(p)
	}

	manager := addDemoProjectField(s, "Hiring Manager", gen.ProjectFieldTypeText, users[0].id, at(demoDays+20), nil)
	level := addDemoProjectField(s, "Level", gen.ProjectFieldTypeSingleSelect, users[0].id, at(demoDays+20), []string{"L3", "L4", "L5", "L6", "Staff"})
	places := addDemoProjectField(s, "Locations", gen.ProjectFieldTypeMultiSelect, users[0].id, at(demoDays+20), []string{"Remote (US)", "New York", "San Francisco", "Berlin", "London"})
	for i, p := range projects[:4] {
		p.fields[manager.id] = fieldValue{text: ptr(demoUsers[(i+1)%len(demoUsers)][0])}
		p.fields[level.id] = fieldValue{options: []string{level.options[2+i%3].id}}
		p.fields[places.id] = fieldValue{options: []string{places.options[0].id, places.options[1+i%4].id}}
	}

	source := addDemoCustomField(s, "Source Channel", gen.CustomFieldValueTypeSingleSelect, "", at(demoDays+15), []string{"Referral", "LinkedIn", "Conference", "Inbound", "Agency"})
	skills := addDemoCustomField(s, "Skills", gen.CustomFieldValueTypeMultiSelect, "", at(demoDays+15), []string{"Go", "Python", "Kubernetes", "React", "PostgreSQL", "Machine Learning", "Figma"})
	available := addDemoCustomField(s, "Available From", gen.CustomFieldValueTypeDate, "", at(demoDays+15), nil)
	legacy := addDemoCustomField(s, "Legacy ATS ID", gen.CustomFieldValueTypeText, "", at(demoDays+15), nil)
	legacy.hidden = true
	loop := addDemoCustomField(s, "Interview Loop", gen.CustomFieldValueTypeSingleSelect, projects[0].id, at(demoDays+5), []string{"Phone screen", "Technical", "Onsite", "Offer"})

	for i, name := range []string{"Backend outreach, 3 steps", "Design referrals", "EM Payments intro"} {
		s.sequences.add(&sequence{meta: s.newMeta(kindSequence, at(demoDays-float64(i))), name: name, userID: users[i].id})
	}

	for i := range demoCandidates {
		first, last := demoFirst[i%len(demoFirst)], demoLast[(i*7)%len(demoLast)]
		handle := strings.ToLower(fmt.Sprintf("%s-%s-%d", first, last, 1000+i*37))
		created := at(demoDays * float64(demoCandidates-i) / demoCandidates)
		c := &candidate{
			meta:      s.newMeta(kindCandidate, created),
			updated:   f.updatedOnCreate(created),
			createdBy: users[i%len(users)].id,
			firstName: ptr(first),
			lastName:  ptr(last),
			linkedIn:  ptr(handle),
			company:   ptr(demoCompanies[rng.IntN(len(demoCompanies))]),
			title:     ptr(demoTitles[rng.IntN(len(demoTitles))]),
			school:    ptr(demoSchools[rng.IntN(len(demoSchools))]),
			location:  ptr(demoPlaces[rng.IntN(len(demoPlaces))]),
			emails:    normalizeEmails([]gen.Email{{EmailAddress: strings.ToLower(first + "." + last + fmt.Sprint(i) + "@example.com")}}),
			profiles:  profilesFor([]string{"https://github.com/" + strings.ToLower(first+last)}, &handle),
			custom: map[string]fieldValue{
				source.id: {options: []string{source.options[rng.IntN(len(source.options))].id}},
				legacy.id: {text: ptr(fmt.Sprintf("GH-%05d", 31000+i))},
			},
		}
		if i%3 == 0 {
			c.custom[skills.id] = fieldValue{options: []string{skills.options[i%4].id, skills.options[4+i%3].id}}
		}
		if i%4 == 0 {
			c.custom[available.id] = fieldValue{text: ptr(fmt.Sprintf("2025-%02d-01", 1+i%12))}
		}
		if i%10 == 0 {
			c.updated = created + day
			c.due = &gen.DueDate{Date: dateOf(created + 7*day), UserID: c.createdBy, Note: ptr("Follow up after the first call.")}
		}
		s.candidates.add(c)
		s.handles[handle] = c.id
		for k, p := range projects {
			if (i+k)%4 == 0 {
				f.addMember(s, p, c, created+int64(k+1)*3600)
			}
		}
		if c.member(projects[0]) {
			c.custom[loop.id] = fieldValue{options: []string{loop.options[i%len(loop.options)].id}}
		}
		if i%5 == 0 {
			s.notes.add(&note{meta: s.newMeta(kindNote, created+2*3600), candidateID: c.id, userID: c.createdBy,
				content: fmt.Sprintf("Intro call with %s: strong on %s, wants to hear about the team.", first, *c.title)})
		}
		if i%6 == 0 {
			s.events.add(&event{meta: s.newMeta(kindEvent, created+3*3600), candidateID: c.id, userID: c.createdBy,
				projectID: projects[0].id, sequenceID: s.sequences.list[0].id, typ: gen.CandidateEventTypeSequences,
				subtype: gen.CandidateEventSubtypeFirstOutreach, medium: gen.ContactMediumEmail})
		}
	}
	s.addDataExport(at(1), demoExport(s))
}

func (c *candidate) member(p *project) bool { return slices.Contains(c.projects, p.id) }

func addDemoProjectField(s *store, name string, t gen.ProjectFieldType, userID string, created int64, options []string) *projectField {
	pf := &projectField{meta: s.newMeta(kindProjectField, created), name: name, fieldType: t, userID: userID}
	pf.options, _ = s.newOptions(kindProjectFieldOption, nil, options, created)
	s.projectFields.add(pf)
	return pf
}

func addDemoCustomField(s *store, name string, t gen.CustomFieldValueType, projectID string, created int64, options []string) *customField {
	cf := &customField{meta: s.newMeta(kindCustomField, created), name: name, valueType: t, scope: gen.CustomFieldScopeTeam, projectID: projectID}
	if projectID != "" {
		cf.scope = gen.CustomFieldScopeProject
	}
	cf.options, _ = s.newOptions(kindCustomFieldOption, nil, options, created)
	s.customFields.add(cf)
	return cf
}

// demoExport is a data export of candidates, projects and users as CSV.
func demoExport(s *store) []ExportFile {
	csv := func(header string, rows []string) []byte {
		return []byte(header + "\n" + strings.Join(rows, "\n") + "\n")
	}
	return []ExportFile{
		{Name: "candidate_info", Content: csv("id,first_name,last_name,email,company,title", mapSlice(s.candidates.list, func(c *candidate) string {
			return strings.Join([]string{c.id, *c.firstName, *c.lastName, c.emails[0].EmailAddress, *c.company, *c.title}, ",")
		}))},
		{Name: "projects", Content: csv("id,name,owner_id,privacy_type", mapSlice(s.projects.list, func(p *project) string {
			return strings.Join([]string{p.id, `"` + p.name + `"`, p.ownerID, string(p.privacy)}, ",")
		}))},
		{Name: "user_info", Content: csv("id,name,email", mapSlice(s.users.list, func(u *user) string {
			return strings.Join([]string{u.id, u.name, u.email}, ",")
		}))},
	}
}
