# meshguard. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/meshguard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: help build tools run down test e2e generate verify golden fuzz bench lint clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/meshguard
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/meshguard

# The local control plane of `make run` keeps its state (etcd data, logs,
# certificates, kubeconfig) here; `make down` removes it.
STATE ?= $(CURDIR)/.run/cluster

tools: ## build etcd, kube-apiserver and kubectl from Go modules, once, into ~/.cache/meshguard
	@test/tools/build.sh >/dev/null

run: build ## the main job: a local control plane with meshguard registered, and the seed's story played with kubectl
	@mkdir -p $(dir $(STATE)) && bin=$$(test/tools/build.sh) && \
	$(GO) run ./test/cluster/ctl up -state $(STATE) -bin "$$bin" -meshguard $(BIN) > $(STATE).env && \
	KUBECONFIG=$(STATE)/kubeconfig test/cluster/story.sh "$$bin/kubectl" && \
	echo && echo "# The control plane and meshguard keep running; make down stops them. kubectl for it: $$bin/kubectl" && \
	cat $(STATE).env

down: ## stop what make run started and remove its state
	@$(GO) run ./test/cluster/ctl down -state $(STATE) && rm -f $(STATE).env && echo "stopped; $(STATE) removed"

test: ## every test: Go and Rego unit tests, CLI contract, examples, generated docs, e2e on a real API server, short fuzzing
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@bin=$$(test/tools/build.sh) && \
	MESHGUARD_TOOLS_BIN="$$bin" MESHGUARD_E2E=required $(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) fuzz FUZZTIME=3000x FUZZMINIMIZETIME=100x

generate: ## regenerate docs/rules.md from the rule METADATA and examples
	$(GO) test ./policies -run TestRulesDoc -update -count=1

verify: generate ## fail when generated files are stale
	git diff --exit-code -- docs/rules.md README.md rego/catalog/catalog.rego

golden: ## rewrite the report golden files
	$(GO) test ./policies/report -update -count=1

# FUZZTIME and FUZZMINIMIZETIME take a duration (30s) or an execution count
# (3000x). `make test` uses counts: Go 1.26's fuzz coordinator can report a
# spurious "context deadline exceeded" when a duration ends while a worker is
# busy (golang/go#75804, fixed in Go 1.27), and a count has no deadline to race.
FUZZTIME ?= 30s
FUZZMINIMIZETIME ?= 10s
fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; \
	  done; \
	done

bench: build ## benchmarks: validate vs conftest, the webhook vs a stock OPA and through kube-apiserver, injection; writes docs/benchmarks.md
	test/bench/run.sh
	test/bench/webhook.sh
	test/bench/inject.sh

clean: ## remove build output
	rm -rf bin
