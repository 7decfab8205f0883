package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
)

// The tour against the fake, twice: the first run creates three candidates and one
// project holding them; the second, as against a real Gem, finds them and changes nothing.
func TestQuickstartIsRepeatable(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"), gemtest.WithResponseValidation(t))
	c, err := gemclient.New(srv.APIKey, gemclient.WithBaseURL(srv.URL))
	require.NoError(t, err)
	before := srv.Fake.CandidateCount()
	projects := len(srv.Fake.Projects())

	var first, second bytes.Buffer
	require.NoError(t, run(context.Background(), c, "", &first))
	assert.Equal(t, before+len(people), srv.Fake.CandidateCount(), "one candidate per person; the duplicate created none")
	assert.Len(t, srv.Fake.Projects(), projects+1)
	assert.Contains(t, first.String(), "duplicate  Ada Lovelace")
	assert.Contains(t, first.String(), "membership added 3, already there 0")
	assert.Contains(t, first.String(), "membership added 0, already there 3")
	assert.Contains(t, first.String(), "page_size: must be at most 100")

	require.NoError(t, run(context.Background(), c, "", &second))
	assert.Equal(t, before+len(people), srv.Fake.CandidateCount(), "a second run creates no candidate")
	assert.Len(t, srv.Fake.Projects(), projects+1, "a second run reuses the project")
	assert.NotContains(t, second.String(), "created ")
	assert.Contains(t, second.String(), "membership added 0, already there 3")

	var project string
	for _, p := range srv.Fake.Projects() {
		if p.GetName() == projectName {
			project = p.GetID()
		}
	}
	assert.Len(t, srv.Fake.ProjectCandidateIDs(project), len(people))
}

// Against anything but the embedded fake, the tour says what it would write and writes
// nothing without -write.
func TestQuickstartNeedsWriteForARealAccount(t *testing.T) {
	srv := gemtest.NewServer(t, gemtest.WithSeed("demo"))
	before, projects := srv.Fake.CandidateCount(), len(srv.Fake.Projects())
	var out bytes.Buffer
	require.NoError(t, start(context.Background(), srv.APIKey, srv.URL, false, &out), "a dry run is a success: make demo exits 0")
	assert.Contains(t, out.String(), "make demo DEMO_FLAGS=-write", "the hint names the make variable, not the flag alone")
	assert.Contains(t, out.String(), "creates up to 3 candidates")
	assert.Contains(t, out.String(), projectName)
	assert.Equal(t, before, srv.Fake.CandidateCount(), "nothing created")
	assert.Len(t, srv.Fake.Projects(), projects)

	out.Reset()
	require.NoError(t, start(context.Background(), srv.APIKey, srv.URL, true, &out))
	assert.Equal(t, before+len(people), srv.Fake.CandidateCount())
}

// With no key the tour runs against the embedded fake and needs no flag.
func TestQuickstartWithoutKeyUsesTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, start(context.Background(), "", "", false, &out))
	assert.Contains(t, out.String(), "embedded fake Gem server")
	assert.Contains(t, out.String(), "walked")
}
