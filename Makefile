# bigmap-kg: two commands for a new user — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
SHARED := $(abspath ../shared/anchors/ontologies)

.PHONY: run build test lint validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[serve,dev]"
	rm -f $(VENV)/.installed-* && touch $@

## run: install into .venv, build the graph into var/store and print its summary
run: build

build: $(STAMP)
	$(BIN)/bigmap-kg build

validate: $(STAMP)
	$(BIN)/bigmap-kg validate --no-warnings

## test: install the dev extras and run the test suite (the import catalog is used when ../shared exists)
test: $(STAMP)
	$(BIN)/ruff check src tests
	BIGMAP_KG_IMPORTS=$(if $(wildcard $(SHARED)),$(SHARED),) $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf var $(VENV)
