# gridgov — two commands on a fresh machine: `make demo` and `make test`.
PYTHON := $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint serve bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the demo district (东城区) and serve it on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/gridgov demo
	$(BIN)/gridgov serve

## Run the whole suite on SQLite, and on PostgreSQL too when GRIDGOV_TEST_POSTGRES is set
test: $(STAMP)
	$(BIN)/ruff check gridgov tests
	BIN=$(BIN) scripts/run-tests

lint: $(STAMP)
	$(BIN)/ruff check gridgov tests

bench: $(STAMP)
	$(BIN)/gridgov bench locate

clean:
	rm -rf $(VENV) gridgov.sqlite3* staticfiles
