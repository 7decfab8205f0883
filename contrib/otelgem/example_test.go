package otelgem_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gem-go/gem-go/contrib/otelgem"
	"github.com/gem-go/gem-go/gemclient"
	"github.com/gem-go/gem-go/gemtest"
)

// A Client whose calls become spans. In a service, pass your TracerProvider and
// MeterProvider (or set the global ones and call otelgem.New()).
func Example() {
	fake, err := gemtest.New(gemtest.WithSeed("demo"))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	obs, err := otelgem.New(otelgem.WithTracerProvider(tp))
	if err != nil {
		log.Fatal(err)
	}
	c, err := gemclient.New(fake.APIKey(), gemclient.WithBaseURL(srv.URL), gemclient.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := c.ListCandidates(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
		for _, kv := range s.Attributes() {
			if kv.Key != "server.port" {
				fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// ListCandidates client
	//   http.request.method=GET
	//   url.template=/v0/candidates
	//   server.address=127.0.0.1
	//   gem.operation.id=ListCandidates
	//   http.response.status_code=200
}
