# gem-go maintainer commands. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
GO ?= go
# Maintainer tools are pinned in tools/go.mod (a module of its own; see tools/tools.go).
# Packages with go:generate lines; every generator writes ${GEN_OUTDIR}<name>.gen.go.
GENERATE_PKGS := ./gen/... ./internal/genserver/... ./gemclient/...

.PHONY: demo test vet staticcheck test-race go-line generate verify-generated update-spec spec-diff api-diff govulncheck overlay-check fuzz bench bench-redis

## demo: run examples/quickstart against the embedded fake Gem server (no key, no network).
## With GEM_API_KEY (and optionally GEM_BASE_URL) set it names what it would write to that
## account and stops; `make demo DEMO_FLAGS=-write` writes it.
DEMO_FLAGS ?=
demo:
	$(GO) run ./examples/quickstart $(DEMO_FLAGS)

## test: everything CI runs, in every module (the SDK, contrib/*, scripts): vet, staticcheck,
## race tests (fuzz targets run their seed corpus), the go line, the drift gate.
## contrib/redislimit's tests start a private redis-server; they skip without one unless
## GEM_REQUIRE_REDIS is set (CI sets it).
test: vet staticcheck test-race go-line verify-generated

# Every Go module of the repository: the SDK first, then contrib/* and scripts.
MODULES := . $(patsubst %/go.mod,%,$(sort $(wildcard contrib/*/go.mod))) scripts
# Modules SDK users build: the go-line check covers these.
USER_MODULES := . $(patsubst %/go.mod,%,$(sort $(wildcard contrib/*/go.mod)))
# staticcheck is built once from tools/go.mod and run in each module with that module's
# own dependencies.
STATICCHECK_BIN := $(CURDIR)/.bin/staticcheck

vet:
	@set -e; for m in $(MODULES); do echo "go vet ($$m)"; (cd $$m && $(GO) vet ./...); done

$(STATICCHECK_BIN): tools/go.mod tools/go.sum
	$(GO) build -modfile=$(CURDIR)/tools/go.mod -o $@ honnef.co/go/tools/cmd/staticcheck

staticcheck: $(STATICCHECK_BIN)
	@set -e; for m in $(MODULES); do echo "staticcheck ($$m)"; (cd $$m && $(STATICCHECK_BIN) ./...); done

test-race:
	@set -e; for m in $(MODULES); do echo "go test -race ($$m)"; (cd $$m && $(GO) test -race -count=1 ./...); done

## go-line: build and vet every module users build (tests included) with the exact Go
## release its go.mod claims as the minimum, fetched through the module proxy, so the claim
## stays true.
go-line:
	@set -e; for m in $(USER_MODULES); do line=$$(sed -n 's/^go //p' $$m/go.mod); \
	  echo "go vet with go$$line ($$m)"; (cd $$m && GOTOOLCHAIN=go$$line $(GO) vet ./...); done

## generate: regenerate gen/ from api/openapi.json + api/overlay.yaml + oapi-codegen.yaml.
generate:
	$(GO) generate $(GENERATE_PKGS)

## verify-generated: regenerate every *.gen.go into a scratch directory and name each
## committed file that differs from what api/, the overlay and the configs produce now
## (test fixtures under testdata/ excepted).
verify-generated:
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	GEN_OUTDIR="$$scratch/" $(GO) generate $(GENERATE_PKGS) || exit 1; \
	status=0; \
	for f in $$(git ls-files '*.gen.go' ':!*/testdata/*'); do \
	  fresh="$$scratch/$$(basename "$$f")"; \
	  if [ ! -e "$$fresh" ]; then \
	    echo "verify-generated: $$f is no longer generated; delete it"; status=1; \
	  elif ! cmp -s "$$fresh" "$$f"; then \
	    echo "verify-generated: $$f differs from what api/openapi.json, api/overlay.yaml and the generator configs produce; run 'make generate' and commit it"; \
	    diff -u "$$f" "$$fresh" | head -20; status=1; \
	  fi; \
	done; \
	for fresh in "$$scratch"/*.gen.go; do \
	  git ls-files --error-unmatch "*/$$(basename "$$fresh")" >/dev/null 2>&1 || { echo "verify-generated: $$(basename "$$fresh") is generated but not committed; run 'make generate' and commit it"; status=1; }; \
	done; \
	[ $$status -eq 0 ] && echo "verify-generated: generated code is in step with api/ and the configs"; exit $$status

## The spec-update loop (scripts/, its own module; see README "When Gem publishes changes").
update-spec:
	cd scripts && $(GO) run ./cmd/updatespec
# Built, not `go run`: go run turns specdiff's exit 2 ("cannot load") into 1 ("breaking").
spec-diff:
	cd scripts && $(GO) build -o ../bin/ ./cmd/specdiff && ../bin/specdiff HEAD:api/openapi.json ../api/openapi.json
## api-diff: the Go API of gen/ and gemclient/ against the last release tag (or HEAD).
api-diff:
	cd scripts && $(GO) build -o ../bin/ ./cmd/goapidiff && ../bin/goapidiff -fallback HEAD
## govulncheck: known vulnerabilities reachable from any module's code.
govulncheck:
	scripts/govulncheck
overlay-check:
	cd scripts && $(GO) run ./cmd/overlaycheck

## fuzz: each fuzz target for FUZZTIME (their seed corpora run in `make test` already):
## the client's response handling and X-Pagination parsing, the fake's handlers, the
## generators' document and comment checks, and the spec loop's normaliser (scripts/).
## A target is DIR:Name, DIR the package's directory from the root, in any module: the
## test runs in the module that holds DIR (the nearest go.mod above it).
FUZZTIME ?= 1m
FUZZ_TARGETS := gemclient:FuzzResponseHandling gemclient:FuzzParsePageInfo gemtest:FuzzServeHTTP \
	internal/gensafe:FuzzCheckDocument internal/gensafe:FuzzComment \
	scripts/internal/specfile:FuzzNormalize
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t#*:}; \
	  mod=$$pkg; while [ "$$mod" != . ] && [ ! -f "$$mod/go.mod" ]; do mod=$$(dirname "$$mod"); done; \
	  rel=$${pkg#"$$mod"}; rel=./$${rel#/}; [ "$$mod" != . ] || rel=./$$pkg; \
	  echo "fuzz $$name ($$rel in module $$mod, $(FUZZTIME))"; \
	  (cd "$$mod" && $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$rel"); done

## bench: the SDK's benchmarks, then the fake's (ratios are reported by the benchmarks
## themselves). The walks take about 25 s and 5 s; `make bench BENCH=Decode` runs one.
BENCH ?= .
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./gemclient/...
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime 3x -benchmem ./gemtest/...
## redislimit's decision cost (p50, p99) against a private redis-server.
bench-redis:
	cd contrib/redislimit && $(GO) test -run '^$$' -bench Decision -benchtime 20000x .
