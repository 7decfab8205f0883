package gemtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gem-go/gem-go/gemtest"
)

// A Fake is an http.Handler: serve it and call it like Gem. In a test, gemtest.NewServer(t)
// does this in one line and closes the server when the test ends.
func Example() {
	fake, err := gemtest.New()
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v0/users", nil)
	req.Header.Set("X-API-Key", fake.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(resp.Header.Get("X-Pagination"))
	fmt.Print(string(body))
	// Output:
	// 200 OK
	// {"total": 1, "total_pages": 1, "first_page": 1, "last_page": 1, "page": 1}
	// [{"email":"test.user@example.com","id":"dXNlcnM6MQ==","name":"Test User"}]
}
