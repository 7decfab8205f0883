# gem-go maintainer commands. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
GO ?= go
# Maintainer tools are pinned in tools/go.mod (a module of its own; see tools/tools.go).
TOOL := $(GO) run -modfile=$(CURDIR)/tools/go.mod
STATICCHECK := $(TOOL) honnef.co/go/tools/cmd/staticcheck

.PHONY: demo test vet staticcheck test-race test-scripts generate verify-generated bench

## demo: run examples/quickstart against the embedded fake Gem server (no key, no network);
## with GEM_API_KEY (and optionally GEM_BASE_URL) set it talks to that server instead.
demo:
	$(GO) run ./examples/quickstart

## test: everything CI runs: vet, staticcheck, race tests, scripts' tests, drift gate.
test: vet staticcheck test-race test-scripts verify-generated

vet:
	$(GO) vet ./...

staticcheck:
	$(STATICCHECK) ./...

test-race:
	$(GO) test -race -count=1 ./...

test-scripts:
	cd scripts && $(GO) vet ./... && $(GO) test -race -count=1 ./...

## generate: regenerate gen/ from api/openapi.json + api/overlay.yaml + oapi-codegen.yaml.
generate:
	$(GO) generate ./gen/...

## verify-generated: regenerate into a scratch directory and name every file of gen/ that
## differs from what api/, the overlay and the config produce now.
verify-generated:
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	GEN_OUTDIR="$$scratch/" $(GO) generate ./gen/... || exit 1; \
	status=0; \
	for f in "$$scratch"/*.gen.go; do \
	  name=$$(basename "$$f"); \
	  if ! cmp -s "$$f" "gen/$$name"; then \
	    echo "verify-generated: gen/$$name differs from what api/openapi.json, api/overlay.yaml and oapi-codegen.yaml generate; run 'make generate' and commit it"; \
	    diff -u "gen/$$name" "$$f" | head -20; status=1; \
	  fi; \
	done; \
	for f in gen/*.gen.go; do \
	  [ -e "$$scratch/$$(basename "$$f")" ] || { echo "verify-generated: $$f is no longer generated; delete it"; status=1; }; \
	done; \
	[ $$status -eq 0 ] && echo "verify-generated: gen/ is in step with api/ and the config"; exit $$status

## bench: the SDK's benchmarks (ratios are reported by the benchmarks themselves).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./gemclient/...
