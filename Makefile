# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Generate a sample community, replay it through the real pipeline, print the reports.
demo: $(STAMP)
	$(BIN)/innercircle demo

## The whole test suite (SQLite and PostgreSQL), plus ruff and mypy.
test: $(STAMP) postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

## Make sure the local PostgreSQL server is up (127.0.0.1:5432, trust auth).
postgres:
	@bash scripts/ensure-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) out data .pytest_cache .mypy_cache .ruff_cache
