// Command quickstart is gem-go's tour: it lists the team's users, creates candidates
// (one of them twice, to show how a duplicate is handled), adds them to a project, walks
// every candidate and shows a typed error.
//
// With no GEM_API_KEY it starts the fake Gem server from gemtest in-process, seeded with
// demo data: no key, no network. With GEM_API_KEY set (and optionally GEM_BASE_URL) it
// talks to that server instead; it is safe to run repeatedly there, since candidates are
// de-duplicated by LinkedIn handle and the project is found by name before being created.
//
//	go run ./examples/quickstart            # or: make demo
//	GEM_API_KEY=... go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/signal"

	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func start(ctx context.Context) error {
	key, base := os.Getenv("GEM_API_KEY"), os.Getenv("GEM_BASE_URL")
	var opts []gemclient.Option
	if key == "" {
		fake, err := gemtest.New(gemtest.WithSeed("demo"))
		if err != nil {
			return err
		}
		srv := httptest.NewServer(fake)
		defer srv.Close()
		key, base = fake.APIKey(), srv.URL
		fmt.Printf("No GEM_API_KEY: using the embedded fake Gem server at %s (demo data, no network).\n\n", srv.URL)
	} else if base != "" {
		fmt.Printf("Using the Gem API at %s.\n\n", base)
	} else {
		fmt.Printf("Using the Gem API at %s.\n\n", gemclient.DefaultBaseURL)
	}
	if base != "" {
		opts = append(opts, gemclient.WithBaseURL(base))
	}
	client, err := gemclient.New(key, opts...)
	if err != nil {
		return err
	}
	return run(ctx, client, os.Getenv("GEM_USER_ID"), os.Stdout)
}
