package gemclient_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// gzipped compresses body at the best ratio, as a bomb would be.
func gzipped(t testing.TB, body []byte) []byte {
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// repeated is open, then n times elem separated by commas, then closing.
func repeated(open, elem, closing string, n int) []byte {
	b := make([]byte, 0, len(open)+n*(len(elem)+1)+len(closing))
	b = append(b, open...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, elem...)
	}
	return append(b, closing...)
}

// writeGzip answers 200 with a gzip-compressed JSON body; the client's transport asked
// for gzip and decompresses it transparently.
func writeGzip(w http.ResponseWriter, compressed []byte, pagination string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	if pagination != "" {
		w.Header().Set("X-Pagination", pagination)
	}
	_, _ = w.Write(compressed)
}

// allocated is how many bytes of heap f allocated (runtime.MemStats.TotalAlloc, which
// counts what the GC has freed since: a decode that builds a 2 GB slice shows here
// whatever the GC does meanwhile).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// bombElements is the number of `{}` in the bomb: 7.2 MB of JSON, 7 KiB of gzip, which
// decoded into 2.3 GB of []gen.Candidate before bodies were checked.
const bombElements = 2_400_000

// A list of millions of empty objects, a few KiB of gzip, is refused before decoding: a
// page holds at most the page size asked for (Gem's default of 20 when the request has
// none). Sequentially, with Workers(4) (the bomb on every page after the first), and
// through the generated client's parser. Before: the sequential call allocated about
// 2.3 GB and succeeded; see the CHANGELOG for the measurements.
func TestGzipBombOfEmptyObjectsIsRefused(t *testing.T) {
	raw := repeated("[", "{}", "]", bombElements)
	bomb := gzipped(t, raw)
	t.Logf("bomb: %d bytes of gzip, %d bytes of JSON", len(bomb), len(raw))
	page1, _ := json.Marshal(candidates(1, 100))
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 1 {
			meta, _ := json.Marshal(flaskPagination(500, 1, 100))
			w.Header().Set("X-Pagination", string(meta))
			writeJSON(w, http.StatusOK, string(page1))
			return
		}
		meta, _ := json.Marshal(flaskPagination(500, max(page, 1), 20))
		writeGzip(w, bomb, string(meta))
	})
	c := newClient(t, s)
	ctx := context.Background()
	bodyCost := readCost(len(raw))

	var err error
	heap := allocated(func() { _, _, err = c.ListCandidates(ctx, nil) })
	t.Logf("sequential, page_size absent: %d bytes allocated: %v", heap, err)
	tooLarge := requireTooLarge(t, err, "$", 20)
	assert.Contains(t, tooLarge.Bound, "Gem's default, 20")
	assert.Contains(t, err.Error(), "ListCandidates")
	assert.Less(t, heap, bodyCost)

	heap = allocated(func() { _, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(100)}) })
	t.Logf("sequential, page_size=100: %d bytes allocated: %v", heap, err)
	requireTooLarge(t, err, "$", 100)
	assert.Less(t, heap, bodyCost)

	var n int
	heap = allocated(func() {
		for _, e := range c.ListCandidatesAll(ctx, nil, gemclient.Workers(4)) {
			if e != nil {
				err = e
				break
			}
			n++
		}
	})
	t.Logf("Workers(4): %d items, then %d bytes allocated in all: %v", n, heap, err)
	assert.Equal(t, 100, n, "page 1's items, then the error")
	requireTooLarge(t, err, "$", 100)
	assert.Less(t, heap, 4*bodyCost, "at most the 4 workers' bodies in flight")

	var out json.RawMessage
	heap = allocated(func() {
		err = c.Do(ctx, "GET", "/v0/candidates?page=2", nil, &out)
	})
	t.Logf("Do: %d bytes allocated: %v", heap, err)
	assert.Nil(t, out)
	requireTooLarge(t, err, "$", 20)
	assert.Less(t, heap, bodyCost)
}

// readCost bounds what reading a body of n bytes allocates, the bound the tests hold
// refused bodies to: the body itself is read (the byte limit is not the bound at stake),
// into a buffer that doubles up to its size (and, under the race detector, often
// without the pool's).
func readCost(n int) uint64 { return uint64(4*n + 16<<20) }

// requireTooLarge asserts err is a *ResponseTooLargeError for array with limit, and
// returns it.
func requireTooLarge(t *testing.T, err error, array string, limit int64) *gemclient.ResponseTooLargeError {
	t.Helper()
	var tooLarge *gemclient.ResponseTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, array, tooLarge.Array)
	assert.Equal(t, limit, tooLarge.Limit)
	assert.Contains(t, err.Error(), strconv.FormatInt(limit, 10), "the error names the limit")
	return tooLarge
}

// candidates is items from to to of a list, as the fake's list tests number them.
func candidates(from, to int) []gen.Candidate {
	var items []gen.Candidate
	for i := from; i <= to; i++ {
		items = append(items, gen.Candidate{ID: gemclient.Ptr(fmt.Sprintf("c%04d", i))})
	}
	return items
}

// Arrays inside the items are bounded too: a candidate with a million empty emails, and
// a page of 100 candidates whose 9,000 empty custom fields each (under the bound for one
// array) add up past the bound on all elements together, are refused before decoding
// and not retried. Before: 128 MB and 574 MB allocated, and both calls succeeded.
func TestNestedArraysAreBounded(t *testing.T) {
	manyEmails := repeated(`{"id":"c1","emails":[`, "{}", "]}", 1_000_000)
	candidate := string(repeated(`{"id":"c1","custom_fields":[`, "{}", "]}", 9000))
	multiplied := repeated("[", candidate, "]", 100)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		body  []byte
		call  func(*gemclient.Client) error
		array string
		limit int64
	}{
		{"a million emails", manyEmails, func(c *gemclient.Client) error {
			_, err := c.GetCandidate(ctx, "c1")
			return err
		}, "$.emails", 10000},
		{"custom fields × candidates", multiplied, func(c *gemclient.Client) error {
			_, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(100)})
			return err
		}, "all arrays together", gemclient.DefaultMaxResponseBytes / 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := gzipped(t, tc.body)
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeGzip(w, bomb, "") })
			c := newClient(t, s)
			var err error
			heap := allocated(func() { err = tc.call(c) })
			t.Logf("%d bytes of gzip, %d of JSON: %d bytes allocated: %v", len(bomb), len(tc.body), heap, err)
			requireTooLarge(t, err, tc.array, tc.limit)
			assert.Less(t, heap, readCost(len(tc.body)))
			assert.Len(t, s.Requests(), 1, "not retried")
		})
	}
}

// At the bound on all elements together, the worst body accepted (100 candidates of 654
// empty custom fields, a few hundred bytes of gzip) stays within tens of MB decoded; one
// element more is refused.
func TestWorstAcceptedShape(t *testing.T) {
	const limit = gemclient.DefaultMaxResponseBytes / 256
	ctx := context.Background()
	for _, extra := range []int{0, 1} {
		fields := (limit - 100) / 100 // 100 candidates and their custom fields
		body := repeated("[", string(repeated(`{"id":"c1","custom_fields":[`, "{}", "]}", fields)), "]", 100)
		if extra > 0 {
			body = repeated("[", string(repeated(`{"id":"c1","custom_fields":[`, "{}", "]}", fields+1)), "]", 100)
		}
		bomb := gzipped(t, body)
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeGzip(w, bomb, "") })
		c := newClient(t, s)
		var err error
		var items []gen.Candidate
		heap := allocated(func() {
			items, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(100)})
		})
		t.Logf("%d custom fields each, %d bytes of gzip: %d bytes allocated: %v", fields+extra, len(bomb), heap, err)
		if extra == 0 {
			require.NoError(t, err)
			assert.Len(t, items[99].CustomFields, fields)
			assert.Less(t, heap, uint64(40<<20))
		} else {
			requireTooLarge(t, err, "all arrays together", limit)
		}
	}
}

// The bounds keep every real answer: a full page of 100 candidates with every field at
// its longest, a page of 100 notes of 10,000 escaped emoji (Gem's largest page), the
// fake's answers (gemtest_test.go walks them), and a list shorter than its page.
func TestShapeBoundsKeepRealAnswers(t *testing.T) {
	full := fullCandidatesPage(100)
	notes := notesPage(100)
	t.Logf("full candidates page: %d bytes; notes page: %d bytes", len(full), len(notes))
	require.Less(t, len(notes), gemclient.DefaultMaxResponseBytes)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		meta, _ := json.Marshal(flaskPagination(100, 1, 100))
		w.Header().Set("X-Pagination", string(meta))
		switch {
		case strings.HasSuffix(r.URL.Path, "/notes"):
			writeJSON(w, http.StatusOK, string(notes))
		default:
			writeJSON(w, http.StatusOK, string(full))
		}
	})
	c := newClient(t, s)
	ctx := context.Background()
	items, _, err := c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(100)})
	require.NoError(t, err)
	assert.Len(t, items, 100)
	assert.Len(t, items[99].Emails, 20)
	notesItems, _, err := c.ListCandidateNotes(ctx, "c1", &gen.ListCandidateNotesParams{PageSize: gemclient.Ptr(100)})
	require.NoError(t, err)
	assert.Len(t, notesItems, 100)
	assert.Equal(t, 10000, len([]rune(*notesItems[0].Content)))

	// One element more than asked for is refused.
	_, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(99)})
	requireTooLarge(t, err, "$", 99)
}

// fullCandidatesPage is n candidates with every field of the document set, strings at
// their maxLength (255) or a realistic length where the document has none, 20 emails,
// 20 project ids, and several profiles, custom fields, work and education entries.
func fullCandidatesPage(n int) []byte {
	long := func(prefix string, i int) string {
		s := fmt.Sprintf("%s %d ", prefix, i)
		return s + strings.Repeat("x", 255-len(s))
	}
	page := make([]map[string]any, n)
	for i := range page {
		c := benchCandidate(i)
		for _, k := range []string{"first_name", "last_name", "nickname", "title", "company", "location", "school", "phone_number", "linked_in_handle", "candidate_greenhouse_id"} {
			c[k] = long(k, i)
		}
		c["gem_source"] = "SeekOut"
		c["due_date"] = map[string]any{"date": "2026-01-01", "user_id": "dXNlcnM6MTI=", "note": strings.Repeat("n", 2000)}
		var emails []map[string]any
		var projects []string
		for j := range 20 {
			emails = append(emails, map[string]any{"email_address": fmt.Sprintf("%s@example.com", long("e", j)[:240]), "is_primary": j == 0})
			projects = append(projects, fmt.Sprintf("cHJvamVjdHM6%08d", j))
		}
		c["emails"], c["project_ids"] = emails, projects
		var fields, work, education, profiles []map[string]any
		for j := range 10 {
			fields = append(fields, map[string]any{"id": "Q3VzdG9tRmllbGQ6MQ==", "name": long("field", j), "scope": "team", "project_id": nil,
				"custom_field_category": "text", "value_type": "multi_select", "value": []string{"a", "b"},
				"value_option_ids": []string{"Q3VzdG9tRmllbGRPcHRpb246Mw==", "Q3VzdG9tRmllbGRPcHRpb246NA=="}})
			work = append(work, map[string]any{"company": long("company", j), "title": long("title", j), "is_current": j == 0,
				"work_start_date": "2020-01-01", "work_end_date": "2021-01-01"})
			education = append(education, map[string]any{"school": long("school", j), "degree": "BSc", "field_of_study": long("study", j),
				"parsed_university": long("university", j), "parsed_school": long("school", j), "parsed_major_1": "Mathematics",
				"parsed_major_2": "Physics", "start_date": "2010-01-01", "end_date": "2014-01-01"})
			profiles = append(profiles, map[string]any{"network": "linkedin", "url": "https://www.linkedin.com/in/" + long("p", j), "username": long("u", j)})
		}
		c["custom_fields"], c["work_info"], c["education_info"], c["profiles"] = fields, work, education, profiles
		page[i] = c
	}
	body, _ := json.Marshal(page)
	return body
}

// notesPage is n notes of 10,000 emoji each (NoteCreate.content's maxLength), escaped
// as Gem's JSON (ensure_ascii) sends them: 12 bytes a character.
func notesPage(n int) []byte {
	content := strings.Repeat(`\ud83d\ude00`, 10000)
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"n%d","candidate_id":"c1","user_id":"u1","timestamp":1700000000,"content":"%s"}`, i, content)
	}
	b.WriteByte(']')
	return b.Bytes()
}
