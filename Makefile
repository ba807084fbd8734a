# bigmap-kg: two commands for a new user — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
SHARED := $(abspath ../shared/anchors)
# the import catalog for tests: the aligned ontologies and PaNET, when ../shared is beside us
IMPORTS := $(if $(wildcard $(SHARED)/ontologies),$(SHARED)/ontologies:$(SHARED)/metadata/samples/panet_PaNET.csv,)

PORT   ?= 8000
.PHONY: run build serve test test-fast lint validate java browser virtuoso bench clean check-ontology

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[serve,dev]"
	rm -f $(VENV)/.installed-* && touch $@

NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | md5sum | cut -c1-8)

## front-end packages from the npm registry (YASGUI for the SPARQL page, axe-core for the
## accessibility tests), never copied into git
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && \
	  rm -f node_modules/.installed-* && touch $@; \
	else echo "warning: npm not found; the SPARQL editor page will say how to install it"; fi

## run: install into .venv, build the graph into var/store, serve it on 127.0.0.1:$(PORT)
run: build serve

build: $(STAMP) $(NODE_STAMP) java
	$(BIN)/bigmap-kg build

serve: $(STAMP)
	$(BIN)/bigmap-kg serve --host 127.0.0.1 --port $(PORT)

## java: the HermiT reasoner needs a Java runtime; install Debian's when it is missing
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for the HermiT reasoner (apt)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq default-jre-headless >/dev/null \
	  || echo "warning: could not install Java; builds will skip reasoning"; }

validate: $(STAMP)
	$(BIN)/bigmap-kg validate --no-warnings

## test: install the dev extras and run the test suite (the import catalog is used when ../shared exists)
## browser: the page tests drive Debian's chromium with Playwright (never a downloaded browser)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests (apt)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || echo "warning: could not install chromium; the browser tests will be skipped"; }

## virtuoso: the remote-store tests also run against Debian's Virtuoso (started by the tests on
## 127.0.0.1 with a database in a temporary folder); installed when missing, best effort
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Debian's virtuoso-opensource for the remote-store tests (apt)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    virtuoso-opensource >/dev/null \
	  || echo "warning: could not install Virtuoso; its remote-store tests will be skipped"; }

## the suite in two processes (pytest-xdist), a test file per process at a time (its module
## fixtures — servers, stores — are made once); the session's store is built once for both;
## the 15 slowest steps are listed at the end (where the suite's time goes)
PYTEST := $(BIN)/pytest -q -n 2 --dist loadfile --durations=15

test: $(STAMP) $(NODE_STAMP) java browser virtuoso
	$(BIN)/ruff check src tests bench
	BIGMAP_KG_IMPORTS=$(IMPORTS) $(PYTEST)

## test-fast: the suite without the tests marked slow (wheel install, the browser tests,
## schemathesis, serve --workers and the other real-server smoke tests, the ontology classification)
test-fast: $(STAMP) $(NODE_STAMP) java browser virtuoso
	$(BIN)/ruff check src tests bench
	BIGMAP_KG_IMPORTS=$(IMPORTS) $(PYTEST) -m "not slow"

## check-ontology: HermiT + OWL 2 DL profile over our ontology merged with CHAMEO and the battery
## domain closure (the import catalog: $$BIGMAP_KG_IMPORTS, else ../shared/anchors); prints its time
check-ontology: $(STAMP) java
	@imports="$${BIGMAP_KG_IMPORTS:-$(IMPORTS)}"; \
	if [ -z "$$imports" ]; then echo "no import catalog: set BIGMAP_KG_IMPORTS (../shared/anchors is absent)"; exit 2; fi; \
	BIGMAP_KG_IMPORTS="$$imports" $(BIN)/bigmap-kg check-ontology

## bench: SPARQL latency/throughput against oxigraph server and rdflib-endpoint
bench: build
	$(BIN)/python -m pip install --quiet -e ".[serve,dev,bench]"
	$(BIN)/python bench/sparql_bench.py

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf var $(VENV)
