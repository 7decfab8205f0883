package gemclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gen"
)

// exampleGem is a few lines of Gem for the examples: candidates to create (de-duplicated
// by LinkedIn handle), fetch, update and list 100 a page with flask-smorest's header.
func exampleGem() *httptest.Server {
	var mu sync.Mutex
	candidates := []map[string]any{}
	for i := 1; i <= 250; i++ {
		candidates = append(candidates, map[string]any{"id": fmt.Sprintf("c%d", i), "first_name": fmt.Sprintf("Candidate %d", i)})
	}
	candidates[0]["linked_in_handle"], candidates[0]["title"] = "ann-lee", "Engineer"
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	find := func(id string) map[string]any {
		for _, c := range candidates {
			if c["id"] == id {
				return c
			}
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v0/candidates", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		for _, c := range candidates {
			if h, ok := body["linked_in_handle"]; ok && c["linked_in_handle"] == h {
				reply(w, 400, map[string]any{"code": 400, "message": "Candidate already exists.",
					"errors": map[string]any{"duplicate_candidate": map[string]any{"id": c["id"], "li_handle": h}}})
				return
			}
		}
		body["id"] = fmt.Sprintf("c%d", len(candidates)+1)
		delete(body, "created_by")
		candidates = append(candidates, body)
		reply(w, 201, body)
	})
	mux.HandleFunc("GET /v0/candidates", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		page, size = max(page, 1), max(size, 20)
		pages := (len(candidates) + size - 1) / size
		meta := map[string]int{"total": len(candidates), "total_pages": pages, "first_page": 1, "last_page": pages, "page": page}
		if page < pages {
			meta["next_page"] = page + 1
		}
		header, _ := json.Marshal(meta)
		w.Header().Set("X-Pagination", string(header))
		reply(w, 200, candidates[min((page-1)*size, len(candidates)):min(page*size, len(candidates))])
	})
	mux.HandleFunc("GET /v0/candidates/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if c := find(r.PathValue("id")); c != nil {
			reply(w, 200, c)
			return
		}
		reply(w, 404, map[string]any{"code": 404, "status": "Not Found", "message": "Candidate not found"})
	})
	mux.HandleFunc("PUT /v0/candidates/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		c := find(r.PathValue("id"))
		var changes map[string]any
		_ = json.NewDecoder(r.Body).Decode(&changes)
		for k, v := range changes {
			if v == nil {
				delete(c, k) // null clears the field
			} else {
				c[k] = v
			}
		}
		reply(w, 200, c)
	})
	return httptest.NewServer(mux)
}

// exampleClient returns a Client for exampleGem and a function that stops it. Against Gem
// itself: c, err := gemclient.New(os.Getenv("GEM_API_KEY")).
func exampleClient() (*gemclient.Client, func()) {
	gem := exampleGem()
	c, err := gemclient.New("my-api-key", gemclient.WithBaseURL(gem.URL))
	if err != nil {
		log.Fatal(err)
	}
	return c, gem.Close
}

func ExampleClient_CreateCandidate() {
	// c, err := gemclient.New(os.Getenv("GEM_API_KEY")); here a stand-in for Gem:
	c, stop := exampleClient()
	defer stop()

	cand, err := c.CreateCandidate(context.Background(), gen.CandidateCreate{
		CreatedBy: "dXNlcnM6MQ==",
		FirstName: gemclient.Ptr("Grace"),
		Emails:    []gen.Email{{EmailAddress: "grace@example.com", IsPrimary: gemclient.Ptr(true)}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cand.GetID(), cand.GetFirstName())
	// Output: c251 Grace
}

func ExampleClient_ListCandidatesAll() {
	c, stop := exampleClient() // gemclient.New against a stand-in for Gem
	defer stop()

	// 100 a page; Workers(4) fetches the pages after the first concurrently, and the
	// candidates still come in order.
	var names []string
	for cand, err := range c.ListCandidatesAll(context.Background(), nil, gemclient.Workers(4)) {
		if err != nil {
			log.Fatal(err)
		}
		names = append(names, cand.GetFirstName())
	}
	fmt.Println(len(names), names[0], "...", names[len(names)-1])
	// Output: 250 Candidate 1 ... Candidate 250
}

// Upsert: create the candidate or find the one with the same LinkedIn handle, then update
// it; a null clears a field, an absent field is left alone.
func ExampleClient_CreateOrGetCandidate() {
	c, stop := exampleClient() // gemclient.New against a stand-in for Gem
	defer stop()
	ctx := context.Background()

	cand, created, err := c.CreateOrGetCandidate(ctx, gen.CandidateCreate{
		CreatedBy:      "dXNlcnM6MQ==",
		LinkedInHandle: gemclient.Ptr("ann-lee"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cand.GetID(), "created:", created, "title:", cand.GetTitle())

	cand, err = c.UpdateCandidate(ctx, cand.GetID(), gen.CandidateUpdate{
		Nickname: gen.Value("Annie"),
		Title:    gen.Null[string](),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cand.GetFirstName(), "/", cand.GetNickname(), "/ title set:", cand.Title != nil)
	// Output:
	// c1 created: false title: Engineer
	// Candidate 1 / Annie / title set: false
}

// Errors are values to inspect with errors.As, never status codes to switch on: Gem's
// answers are *APIError, requests the document forbids are *ValidationError, found before
// anything is sent.
func ExampleAPIError() {
	c, stop := exampleClient() // gemclient.New against a stand-in for Gem
	defer stop()
	ctx := context.Background()

	_, err := c.GetCandidate(ctx, "no-such-id")
	var apiErr *gemclient.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message, gemclient.IsNotFound(err))
	}
	fmt.Println(err)

	_, _, err = c.ListCandidates(ctx, &gen.ListCandidatesParams{PageSize: gemclient.Ptr(500)})
	var invalid *gemclient.ValidationError
	if errors.As(err, &invalid) {
		v := invalid.Violations[0]
		fmt.Println(v.In, v.Field, v.Rule, v.Limit, gemclient.IsValidation(err))
	}
	fmt.Println(strings.TrimPrefix(err.Error(), "gemclient: "))
	// Output:
	// 404 Candidate not found true
	// gemclient: GetCandidate (GET /v0/candidates/no-such-id): 404 Not Found: Candidate not found
	// query page_size maximum 100 true
	// ListCandidates (GET /v0/candidates): invalid request, not sent: page_size: must be at most 100
}

// A model prints its fields by name with %v and %+v; timestamps read as time.Time.
func ExampleClient_GetCandidate() {
	c, stop := exampleClient() // gemclient.New against a stand-in for Gem
	defer stop()

	cand, err := c.GetCandidate(context.Background(), "c1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", cand)
	fmt.Println(cand.GetLastName() == "", cand.GetCreatedAt().IsZero()) // absent: zero values, no panic
	// Output:
	// gen.Candidate{FirstName:"Candidate 1", ID:"c1", LinkedInHandle:"ann-lee", Title:"Engineer"}
	// true true
}
