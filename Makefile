# examd — GNU make. `make run` serves the demo on http://localhost:8080;
# `make test` runs go vet and every test (database, end-to-end, browser).
# Both find or start PostgreSQL themselves: see scripts/ensure-postgres.sh.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
BIN      := bin/examd
RUN_PORT ?= 8080
FUZZTIME ?= 5s
# package:FuzzTarget pairs that `make fuzz` runs, one after the other (FUZZTIME each),
# from one test binary per package built once; failing inputs go to the package's
# testdata/fuzz as with go test -fuzz, and the corpus is go test's own cache
FUZZ_TARGETS := \
	candidates:FuzzNationalID candidates:FuzzNameAndMobile \
	receipts:FuzzVerify receipts:FuzzVerifyOneByteChanged \
	exam:FuzzParseCSV exam:FuzzParseJSON exam:FuzzJSONString \
	handlers:FuzzRegisterBody handlers:FuzzCandidateLoginBody handlers:FuzzOfficialLoginBody \
	handlers:FuzzOfficialCreateBody handlers:FuzzQuestionBody handlers:FuzzExamBody \
	handlers:FuzzAccommodationBody handlers:FuzzSaveAnswerBody handlers:FuzzObjectionBody handlers:FuzzFlatObject \
	handlers:FuzzResolveBody handlers:FuzzReceiptVerifyBody

# admin URL of a PostgreSQL server for the tests: TEST_DATABASE_URL when set, else
# whatever ensure-postgres.sh finds or starts (a shell snippet for the recipes).
TEST_DB = $${TEST_DATABASE_URL:-$$(scripts/ensure-postgres.sh)}

.PHONY: help run test build vet fmt fuzz clean pg-stop bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

build: ## build bin/examd
	$(GO) build -o $(BIN) ./cmd/examd

run: build ## PostgreSQL, database examd, migrate, demo data, serve on http://localhost:8080
	@RUN_PORT=$(RUN_PORT) scripts/run.sh $(BIN)

test: ## go vet, then go test -race against a real PostgreSQL (and headless Chromium)
	@echo "==> PostgreSQL"
	@db="$(TEST_DB)"; \
	chromium="$${CHROMIUM_PATH:-/usr/bin/chromium}"; \
	if [ ! -x "$$chromium" ]; then echo "==> warning: no Chromium at $$chromium; browser tests cannot run (apt-get install chromium)" >&2; fi; \
	echo "==> go vet ./..."; \
	$(GO) vet ./...; \
	echo "==> go test -race -count=1 ./...   TEST_DATABASE_URL=$$(sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<<"$$db")"; \
	TEST_DATABASE_URL="$$db" $(GO) test -race -count=1 ./...; \
	echo "==> all tests passed"

vet: ## go vet ./...
	$(GO) vet ./...

fmt: ## list Go files that gofmt would change (fails if any)
	@files=$$(find . -path './.*' -prune -o -path ./bin -prune -o -name '*.go' -print | xargs -r gofmt -l); \
	if [ -n "$$files" ]; then echo "gofmt would change these files (run gofmt -w on them):"; echo "$$files"; exit 1; fi; \
	echo "gofmt: all Go files formatted"

fuzz: ## short fuzz runs (FUZZTIME=5s each) of every JSON body, the import, names, mobiles, national IDs, receipts
	@db="$(TEST_DB)"; \
	bins=$$(mktemp -d); trap 'rm -rf "$$bins"' EXIT; \
	module=$$($(GO) list -m); cache=$$($(GO) env GOCACHE)/fuzz; \
	for pkg in $$(printf '%s\n' $(FUZZ_TARGETS) | cut -d: -f1 | sort -u); do \
		echo "==> build the fuzzing test binary of ./$$pkg"; \
		$(GO) test -c -fuzz=. -o "$$bins/$$pkg.test" "./$$pkg"; \
		listed=$$("$$bins/$$pkg.test" -test.list '^Fuzz'); \
		for t in $(FUZZ_TARGETS); do \
			if [ "$${t%%:*}" = "$$pkg" ] && ! grep -qx "$${t#*:}" <<<"$$listed"; then \
				echo "make fuzz: no fuzz target $${t#*:} in ./$$pkg" >&2; exit 1; \
			fi; \
		done; \
	done; \
	for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*} name=$${t#*:}; \
		echo "==> fuzz $$name in ./$$pkg for $(FUZZTIME)"; \
		if ! out=$$(cd "$$pkg" && TEST_DATABASE_URL="$$db" "$$bins/$$pkg.test" -test.run='^$$' -test.fuzz="^$$name\$$" \
				-test.fuzztime=$(FUZZTIME) -test.fuzzcachedir="$$cache/$$module/$$pkg" 2>&1); then \
			printf '%s\n' "$$out"; \
			if grep -q 'context deadline exceeded' <<<"$$out" && ! grep -q 'Failing input written to' <<<"$$out"; then \
				echo "==> $$name: a bare 'context deadline exceeded' and no failing input is Go 1.26's fuzz-deadline race (go.dev/issue/75804), not a finding"; \
			else \
				exit 1; \
			fi; \
		else \
			printf '%s\n' "$$out" | tail -n 2; \
		fi; \
	done

bench: build ## start storm, pgbench and answer flood on database examd_bench → docs/BENCHMARKS.md (BENCH_N=50000: the 50,000 sitting)
	$(GO) build -o bin/examload ./cmd/examload
	@scripts/bench.sh

.PHONY: bench-go
bench-go: ## go test -bench: the answer save through the real router on PostgreSQL (allocs/op), a start's draw and its batch's encoding, examload's HTTP client
	@db="$(TEST_DB)"; \
	TEST_DATABASE_URL="$$db" $(GO) test -run '^$$' -bench . -benchmem -benchtime $${BENCHTIME:-2s} ./handlers ./exam ./cmd/examload

.PHONY: crashtest
crashtest: ## kill -9 examd 12× and restart PostgreSQL under answer saves: nothing acknowledged may be lost (own PostgreSQL; see scripts/crashtest.sh)
	@GO="$(GO)" CRASH_PRIVATE_PG="$${CRASH_PRIVATE_PG:-1}" scripts/crashtest.sh

pg-stop: ## stop the private PostgreSQL cluster in .pgdata/, if one runs
	@scripts/pg-stop.sh

clean: ## remove build and test output (not the database in .pgdata/)
	rm -rf bin
	rm -f coverage.out coverage.html *.coverprofile *.test
