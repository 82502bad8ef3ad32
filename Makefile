# examd — GNU make. `make run` serves the demo on http://localhost:8080;
# `make test` runs go vet and every test (database, end-to-end, browser).
# Both find or start PostgreSQL themselves: see scripts/ensure-postgres.sh.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
BIN      := bin/examd
RUN_PORT ?= 8080
FUZZTIME ?= 10s
# package:FuzzTarget pairs that `make fuzz` runs, one after the other
FUZZ_TARGETS := candidates:FuzzNationalID handlers:FuzzRegisterBody

# admin URL of a PostgreSQL server for the tests: TEST_DATABASE_URL when set, else
# whatever ensure-postgres.sh finds or starts (a shell snippet for the recipes).
TEST_DB = $${TEST_DATABASE_URL:-$$(scripts/ensure-postgres.sh)}

.PHONY: help run test build vet fmt fuzz clean pg-stop

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

fuzz: ## short fuzz runs (FUZZTIME=10s each) of the national ID and the registration body
	@db="$(TEST_DB)"; \
	for t in $(FUZZ_TARGETS); do \
		pkg=./$${t%%:*} name=$${t#*:}; \
		if ! $(GO) test -list "^$${name}\$$" "$$pkg" | grep -x "$$name" >/dev/null; then \
			echo "make fuzz: no fuzz target $$name in $$pkg" >&2; exit 1; \
		fi; \
		echo "==> fuzz $$name in $$pkg for $(FUZZTIME)"; \
		TEST_DATABASE_URL="$$db" $(GO) test -run='^$$' -fuzz="^$${name}\$$" -fuzztime=$(FUZZTIME) "$$pkg"; \
	done

pg-stop: ## stop the private PostgreSQL cluster in .pgdata/, if one runs
	@scripts/pg-stop.sh

clean: ## remove build and test output (not the database in .pgdata/)
	rm -rf bin
	rm -f coverage.out coverage.html *.coverprofile *.test
