package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// projectName is the project the quickstart uses; it is reused when it exists.
const projectName = "gem-go quickstart"

// people are the candidates the quickstart creates. Fixed LinkedIn handles make the run
// repeatable against a real Gem: the second time, Gem answers with the existing ones.
var people = []struct{ first, last, handle, email, title string }{
	{"Ada", "Lovelace", "gem-go-quickstart-ada", "ada@example.com", "Analyst"},
	{"Grace", "Hopper", "gem-go-quickstart-grace", "grace@example.com", "Rear Admiral"},
	{"Alan", "Turing", "gem-go-quickstart-alan", "alan@example.com", "Researcher"},
}

// run is the tour itself. userID is the Gem user to act as; empty means the team's first.
func run(ctx context.Context, c *gemclient.Client, userID string, out io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	// 1. Users: every page, through the iterator.
	var users []gen.User
	for u, err := range c.ListUsersAll(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		users = append(users, *u)
	}
	if len(users) == 0 {
		return errors.New("the team has no users")
	}
	if userID == "" {
		userID = users[0].GetID()
	}
	say("users      %d on the team; acting as %s", len(users), describeUser(users, userID))

	// 2. Candidates: CreateOrGetCandidate turns Gem's duplicate-candidate 400 into the
	//    existing candidate, so creating the first person twice is not an error.
	var ids []string
	for i, p := range append(people, people[0]) {
		body := gen.CandidateCreate{
			CreatedBy:      userID,
			FirstName:      gemclient.Ptr(p.first),
			LastName:       gemclient.Ptr(p.last),
			LinkedInHandle: gemclient.Ptr(p.handle),
			Title:          gemclient.Ptr(p.title),
			Emails:         []gen.Email{{EmailAddress: p.email}},
		}
		cand, created, err := c.CreateOrGetCandidate(ctx, body)
		if err != nil {
			return fmt.Errorf("create %s %s: %w", p.first, p.last, err)
		}
		verb := "created   "
		if !created {
			verb = "existing  "
			if i == len(people) {
				verb = "duplicate "
			}
		}
		say("%s %s %s (%s)", verb, p.first, p.last, cand.GetID())
		if i < len(people) {
			ids = append(ids, cand.GetID())
		}
	}

	// 3. A partial update: only the fields sent change, and null clears one.
	updated, err := c.UpdateCandidate(ctx, ids[0], gen.CandidateUpdate{
		Title:    gen.Value("Chief Analyst"),
		Location: gen.Null[string](),
	})
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	say("updated    %s %s: title %q, location cleared", updated.GetFirstName(), updated.GetLastName(), updated.GetTitle())

	// 4. A project, found by name or created, and the candidates added to it. AddToProject
	//    batches ids and counts "already in the project" as done, so it is idempotent.
	projectID, created, err := findOrCreateProject(ctx, c, userID)
	if err != nil {
		return err
	}
	say("project    %q (%s), %s", projectName, projectID, map[bool]string{true: "created", false: "found"}[created])
	for range 2 {
		change, err := c.AddToProject(ctx, projectID, ids, "")
		if err != nil {
			return fmt.Errorf("add to project: %w", err)
		}
		say("membership added %d, already there %d", len(change.Changed), len(change.Unchanged))
	}

	// 5. Every candidate on the team, four pages at a time under the shared rate limit,
	//    yielded in order.
	total := 0
	for _, err := range c.ListCandidatesAll(ctx, nil, gemclient.Workers(4)) {
		if err != nil {
			return fmt.Errorf("walk candidates: %w", err)
		}
		total++
	}
	say("walked     %d candidates (4 workers, page order kept)", total)

	// 6. Errors are values to inspect, not status codes to switch on.
	_, err = c.GetCandidate(ctx, "no-such-candidate")
	var apiErr *gemclient.APIError
	switch {
	case gemclient.IsNotFound(err) && errors.As(err, &apiErr):
		say("not found  GET %s: %d, gemclient.IsNotFound is true", apiErr.Path, apiErr.StatusCode)
	case err != nil:
		return fmt.Errorf("get a missing candidate: %w", err)
	default:
		return errors.New("get a missing candidate: no error")
	}
	_, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(500)})
	var invalid *gemclient.ValidationError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("page_size 500: want a *gemclient.ValidationError, got %v", err)
	}
	say("invalid    %v (caught before sending)", strings.TrimSpace(err.Error()))
	return nil
}

func findOrCreateProject(ctx context.Context, c *gemclient.Client, userID string) (id string, created bool, err error) {
	for p, err := range c.ListProjectsAll(ctx, &gen.ListProjectsParams{UserID: &userID}) {
		if err != nil {
			return "", false, fmt.Errorf("list projects: %w", err)
		}
		if p.GetName() == projectName {
			return p.GetID(), false, nil
		}
	}
	p, err := c.CreateProject(ctx, gen.ProjectCreate{UserID: userID, Name: projectName})
	if err != nil {
		return "", false, fmt.Errorf("create project: %w", err)
	}
	return p.GetID(), true, nil
}

func describeUser(users []gen.User, id string) string {
	for _, u := range users {
		if u.GetID() == id {
			return fmt.Sprintf("%s <%s> (%s)", u.GetName(), u.GetEmail(), id)
		}
	}
	return id
}
