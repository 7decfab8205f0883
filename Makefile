# gem-go maintainer commands. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
GO ?= go
# Maintainer tools are pinned in tools/go.mod (a module of its own; see tools/tools.go).
# Packages with go:generate lines; every generator writes ${GEN_OUTDIR}<name>.gen.go.
GENERATE_PKGS := ./internal/genspec/... ./gen/... ./internal/genserver/... ./gemclient/...

.PHONY: gofmt test-jsonv2 bench-jsonv2 demo test test-steps redis-check vet lint staticcheck test-race test-race-steps go-line go-line-exact generate verify-generated update-spec spec-diff api-diff govulncheck overlay-check fuzz bench bench-redis

## demo: run examples/quickstart against the embedded fake Gem server (no key, no network).
## With GEM_API_KEY (and optionally GEM_BASE_URL) set it names what it would write to that
## account and stops; `make demo DEMO_FLAGS=-write` writes it.
DEMO_FLAGS ?=
demo:
	$(GO) run ./examples/quickstart $(DEMO_FLAGS)

## TESTFLAGS are added to every go test: passing results of packages none of whose inputs
## changed are reused from go test's cache (tests that use files through other processes
## declare them: scripts/internal/testinputs), so a second make test reruns what a change
## touched; TESTFLAGS=-count=1 reruns everything.
TESTFLAGS ?=

## test: in every module (the SDK, contrib/*, scripts): vet, the tests (fuzz targets run
## their seed corpus), the go line, the drift gate, and that a release installs with go get
## (scripts/internal/modproxy). CI runs it, then staticcheck (lint, below) and the same tests
## under the race detector (test-race, below). The steps run in parallel
## (TEST_JOBS at once, default: the cores + 1, as tests also wait), each one's output printed
## whole when it ends.
## The tests of contrib/redislimit and contrib/redischeckpoint start a private redis-server:
## without one on the PATH (or at /usr/bin/redis-server) make test fails at once. GEM_REQUIRE_REDIS=0 runs everything else
## and skips those tests, saying so at the end; CI (.ci/run) never sets it.
TEST_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
test: redis-check
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-steps
	@if [ "$(GEM_REQUIRE_REDIS)" = 0 ]; then \
	  echo "make test: passed, but the Redis tests (contrib/redislimit, contrib/redischeckpoint) were SKIPPED (GEM_REQUIRE_REDIS=0): this is not a CI pass"; fi

# Every Go module of the repository: the SDK first, then contrib/* and scripts.
CONTRIB := $(patsubst %/go.mod,%,$(sort $(wildcard contrib/*/go.mod)))
MODULES := . $(CONTRIB) scripts
# Modules SDK users build: the go-line check covers these.
USER_MODULES := . $(CONTRIB)
# A module's name in target names: root for ".", else its directory with "-" for "/".
mod = $(if $(filter .,$1),root,$(subst /,-,$1))
# staticcheck (make lint) is built once from tools/go.mod and run in each module with that
# module's own dependencies.
STATICCHECK_BIN := $(CURDIR)/.bin/staticcheck

# The redis-server the Redis tests start; its absence fails make test before anything runs.
# The tests fail (not skip) without it when GEM_REQUIRE_REDIS is set, which it is unless 0.
ifeq ($(GEM_REQUIRE_REDIS),0)
unexport GEM_REQUIRE_REDIS
redis-check:
	@echo "make test: GEM_REQUIRE_REDIS=0: contrib/redislimit's Redis tests will be SKIPPED"
else
export GEM_REQUIRE_REDIS := 1
redis-check:
	@[ -x "$$(command -v redis-server)" ] || [ -x /usr/bin/redis-server ] || { \
	  echo "make test: redis-server not found (on the PATH or /usr/bin): contrib/redislimit's tests start a private one."; \
	  echo "  Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis),"; \
	  echo "  or run 'make test GEM_REQUIRE_REDIS=0' to skip those tests (not a CI pass)."; exit 1; }
endif

# Each step of each module is a target of its own, so that make -j runs independent ones
# together, and the prerequisites keep two steps from compiling the same thing at once (two
# go commands building the same package at the same time both compile it). A cold run is
# mostly compiling, so make test builds one configuration, the plain one, that every step
# shares: go vet first in the SDK's module (the standard library and the SDK's
# dependencies), then in the others (the order is below); the generators after the SDK's
# vet; each module's tests after its vet, without go test's own vet (-vet=off: go vet, which
# ran first, is a superset). The race detector is a second configuration of everything (make
# test-race took 6 min 31 s cold after make test; README, top), so it is a target of its
# own, which CI runs after make test. So is staticcheck (make lint): building it (213 packages
# of honnef.co/go/tools) and running it in each module (every dependency type-checked from
# source again) was a fifth of a cold make test's CPU; without it a cold make test took
# 421-481 s of CPU instead of 567-642, and make lint after it 132. Like vet, it reads the
# code and runs none of it.
#
# The go-line check is the vet: it runs with the Go in use, and vet's stdversion analyzer
# reports any use of the standard library newer than the module's go line (the compiler
# already refuses newer language features); `make go-line-exact` vets with exactly that
# release, fetched through the module proxy, and CI's workflow runs its tests on it.
goline = $(shell sed -n 's/^go //p' $1/go.mod)
# The scripts module's end-to-end runs of the maintainers' scripts (scripts/internal/shelltest:
# spec-update-pr, release, govulncheck; modproxy's go get from a release proxy; overlaycheck's
# regeneration of the all-renamed document) skip under -short in make test and run in
# make test-race: cold, they were a third of make test's CPU.
short = $(if $(filter scripts,$1),-short )
# Test binaries are linked without DWARF (run, never debugged; stack traces do not need it):
# a quarter less of each link, and make test links 32 of them.
NODWARF := -ldflags=-w
define module_steps
vet-$(call mod,$1):
	@echo "go vet ($1)"; cd $1 && $(GO) vet ./...
staticcheck-$(call mod,$1): $(STATICCHECK_BIN) vet-$(call mod,$1)
	@echo "staticcheck ($1)"; cd $1 && $(STATICCHECK_BIN) ./...
test-$(call mod,$1): vet-$(call mod,$1)
	@echo "go test $(call short,$1)($1)"; cd $1 && $(GO) test -vet=off $(NODWARF) $(call short,$1)$(TESTFLAGS) ./...
test-race-$(call mod,$1):
	@echo "go test -race ($1)"; cd $1 && $(GO) test -race -vet=off $(NODWARF) $(TESTFLAGS) ./...
go-line-exact-$(call mod,$1):
	@echo "go vet with go$(call goline,$1) ($1)"; cd $1 && GOTOOLCHAIN=go$(call goline,$1) $(GO) vet ./...
endef
$(foreach m,$(MODULES),$(eval $(call module_steps,$m)))
# The order that keeps shared compiling apart, the same for vet and for the race tests:
# the SDK's module first, then the others side by side, except that the contrib modules
# that use go-redis (the largest dependency to compile) go one after another.
REDIS_CONTRIB := $(patsubst %/go.mod,%,$(shell grep -l 'github.com/redis/go-redis' $(addsuffix /go.mod,$(CONTRIB))))
define after
$(foreach m,$(filter-out .,$(MODULES)),$(eval $1-$(call mod,$m): $1-root))
$(foreach m,$(REDIS_CONTRIB),$(if $(prev),$(eval $1-$(call mod,$m): $1-$(prev)))$(eval prev := $(call mod,$m)))
endef
$(foreach step,vet test-race,$(eval prev :=)$(eval $(call after,$(step))))

# make starts what is ready in this order: the Redis modules' tests early, as they also wait
# on their redis-servers and timers.
test-steps: gofmt $(foreach m,. $(REDIS_CONTRIB) $(filter-out $(REDIS_CONTRIB),$(CONTRIB)) scripts,test-$(call mod,$m)) verify-generated

## gofmt: every tracked Go file is gofmt'd (make test runs it).
gofmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "gofmt: these files need gofmt -w:"; echo "$$out"; exit 1; }

vet: $(foreach m,$(MODULES),vet-$(call mod,$m))

## lint: go vet and staticcheck in every module, each module's staticcheck after its vet (in
## the same order as make test's, so nothing is compiled twice at once), in parallel as make
## test's steps. CI runs it after make test, whose vet it finds in the build cache.
lint:
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target staticcheck

$(STATICCHECK_BIN): tools/go.mod tools/go.sum | vet-root
	$(GO) build -modfile=$(CURDIR)/tools/go.mod -o $@ honnef.co/go/tools/cmd/staticcheck

staticcheck: $(foreach m,$(MODULES),staticcheck-$(call mod,$m))

## test-race: every module's tests under the race detector (go test -race), in parallel as
## make test's steps; CI runs it after make test, whose vet it relies on. The Redis tests
## need redis-server, as in make test.
test-race: redis-check
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-race-steps
test-race-steps: $(foreach m,$(MODULES),test-race-$(call mod,$m))

## go-line: every module users build (tests included) uses nothing newer than the Go
## release its go.mod claims as the minimum: vet's stdversion analyzer with the Go in use
## (make vet and make test run it). go-line-exact: vet them with exactly that release,
## fetched through the module proxy (about 75 MB, once).
go-line: $(foreach m,$(USER_MODULES),vet-$(call mod,$m))
go-line-exact: $(foreach m,$(USER_MODULES),go-line-exact-$(call mod,$m))

## generate: regenerate gen/ from api/openapi.json + api/overlay.yaml + oapi-codegen.yaml.
generate:
	$(GO) generate $(GENERATE_PKGS)

## verify-generated: regenerate every *.gen.go into a scratch directory and name each
## committed file that differs from what api/, the overlay and the configs produce now
## (test fixtures under testdata/ excepted).
verify-generated: | $(if $(filter test-steps,$(MAKECMDGOALS)),vet-root)
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
## api-diff: the Go API of gen/, gemclient/, gemtest/ and contrib/* against the last release tag
## of each module (or HEAD).
api-diff:
	cd scripts && $(GO) build -o ../bin/ ./cmd/goapidiff && ../bin/goapidiff -fallback HEAD
## govulncheck: known vulnerabilities reachable from any module's code.
govulncheck:
	scripts/govulncheck
overlay-check:
	cd scripts && $(GO) run ./cmd/overlaycheck

## fuzz: each fuzz target for FUZZTIME (their seed corpora run in `make test` already):
## the client's response handling, X-Pagination parsing and redaction of escaped and split
## credentials, the fake's handlers, redislimit's rate conversion, the generators' document
## and comment checks, and the spec loop's normaliser (scripts/).
## A target is DIR:Name, DIR the package's directory from the root, in any module: the
## test runs in the module that holds DIR (the nearest go.mod above it).
FUZZTIME ?= 1m
FUZZ_TARGETS := gemclient:FuzzResponseHandling gemclient:FuzzParsePageInfo gemclient:FuzzRedactSpellings \
	gemtest:FuzzServeHTTP contrib/redislimit:FuzzLimitFor \
	internal/gensafe:FuzzCheckDocument internal/gensafe:FuzzComment \
	scripts/internal/specfile:FuzzNormalize
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t#*:}; \
	  mod=$$pkg; while [ "$$mod" != . ] && [ ! -f "$$mod/go.mod" ]; do mod=$$(dirname "$$mod"); done; \
	  rel=$${pkg#"$$mod"}; rel=./$${rel#/}; [ "$$mod" != . ] || rel=./$$pkg; \
	  echo "fuzz $$name ($$rel in module $$mod, $(FUZZTIME))"; \
	  (cd "$$mod" && $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$rel"); done

## test-jsonv2: the SDK's tests (the root module) with encoding/json's new implementation,
## GOEXPERIMENT=jsonv2 (Go 1.25+), which users may build with; CI runs it after make test.
test-jsonv2:
	GOEXPERIMENT=jsonv2 $(GO) test -count=1 ./...

## bench-jsonv2: what GOEXPERIMENT=jsonv2 gains: decoding a page of 100 candidates into
## []gen.Candidate built with it, against today's floor (the hand-written struct decoded by
## encoding/json v1), JSONV2_RUNS runs of each build interleaved; the median ratio and range.
JSONV2_RUNS ?= 5
bench-jsonv2:
	@for i in $$(seq $(JSONV2_RUNS)); do \
	  $(GO) test -run '^$$' -bench '^BenchmarkDecodeCandidates$$' -benchtime 300x ./gemclient | grep -o '[0-9.]* floor-ns/op' | sed 's/^/v1 /'; \
	  GOEXPERIMENT=jsonv2 $(GO) test -run '^$$' -bench '^BenchmarkDecodeCandidates$$' -benchtime 300x ./gemclient | grep -o '[0-9.]* sdk-ns/op' | sed 's/^/v2 /'; \
	done | awk '$$1 == "v1" { f[++n] = $$2 } $$1 == "v2" { s[++m] = $$2 } END { for (i = 1; i <= n; i++) print s[i] / f[i] }' \
	  | sort -n | awk '{ r[NR] = $$1 } END { printf "jsonv2 SDK decode / v1 floor: median %.2fx (%.2f-%.2f, %d interleaved runs each)\n", r[int((NR + 1) / 2)], r[1], r[NR], NR }'

## bench: the SDK's benchmarks, then the fake's (ratios are reported by the benchmarks
## themselves). The walks take about 25 s, 10 s and 5 s, the feed's passes about 10 s;
## `make bench BENCH=Decode` runs one.
BENCH ?= .
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem ./gemclient/...
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime 3x -benchmem ./gemtest/...
	@$(MAKE) --no-print-directory bench-jsonv2
## redislimit's decision cost (p50, p99) against a private redis-server.
bench-redis:
	cd contrib/redislimit && $(GO) test -run '^$$' -bench Decision -benchtime 20000x .
