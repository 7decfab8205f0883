// Command quickstart is gem-go's tour: it lists the team's users, creates candidates
// (one of them twice, to show how a duplicate is handled), updates one, adds them to a
// project, walks every candidate and shows typed errors.
//
// With no GEM_API_KEY it starts the fake Gem server from gemtest in-process, seeded with
// demo data: no key, no network. With GEM_API_KEY set (and optionally GEM_BASE_URL) it
// talks to that server instead, where the tour writes: three candidates, an update of one
// and a project named "gem-go quickstart", none of which it deletes. It then says what it
// would write and stops, unless -write is given. A second run with -write finds what the
// first created (candidates are de-duplicated by LinkedIn handle, the project is found by
// name) and creates nothing more.
//
//	go run ./examples/quickstart                          # or: make demo
//	GEM_API_KEY=... go run ./examples/quickstart          # says what it would write
//	GEM_API_KEY=... go run ./examples/quickstart -write   # writes it
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/signal"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
)

func main() {
	write := flag.Bool("write", false, "with GEM_API_KEY set: create the tour's candidates and project in that Gem account")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := start(ctx, os.Getenv("GEM_API_KEY"), os.Getenv("GEM_BASE_URL"), *write, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// notWritten is what a run against a real account without -write ends with: a dry run
// that did what it was asked is a success, so it exits 0 (make demo does not fail).
const notWritten = `
Nothing written. To write it: make demo DEMO_FLAGS=-write (or go run ./examples/quickstart -write).
To run the tour against the embedded fake instead: unset GEM_API_KEY.
`

func start(ctx context.Context, key, base string, write bool, out io.Writer) error {
	if key == "" {
		fake, err := gemtest.New(gemtest.WithSeed("demo"))
		if err != nil {
			return err
		}
		srv := httptest.NewServer(fake)
		defer srv.Close()
		key, base = fake.APIKey(), srv.URL
		fmt.Fprintf(out, "No GEM_API_KEY: using the embedded fake Gem server at %s (demo data, no network).\n\n", srv.URL)
	} else {
		if base == "" {
			base = gemclient.DefaultBaseURL
		}
		fmt.Fprintf(out, "Using the Gem API at %s with the key in GEM_API_KEY.\n", base)
		fmt.Fprintf(out, "The tour writes to that account and deletes nothing: it creates up to %d candidates\n", len(people))
		fmt.Fprintf(out, "(LinkedIn handles %s, %s, %s), sets the first one's title\n", people[0].handle, people[1].handle, people[2].handle)
		fmt.Fprintf(out, "and clears its location, and creates a project %q holding them.\n", projectName)
		if !write {
			fmt.Fprint(out, notWritten)
			return nil
		}
		fmt.Fprintln(out)
	}
	client, err := gemclient.New(key, gemclient.WithBaseURL(base))
	if err != nil {
		return err
	}
	return run(ctx, client, os.Getenv("GEM_USER_ID"), out)
}
