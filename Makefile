# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# `make demo` (and `make install`) install the runtime only; `make test` adds the
# development tools. Everything goes into .venv; `source .venv/bin/activate` puts
# `innercircle` on the PATH of that terminal.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: install demo test lint bench postgres clean

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	@echo "==> Installing Innercircle and its runtime dependencies into $(VENV) (about a minute the first time)"
	$(PIP) install --progress-bar on -e .
	@touch $(RUNTIME)
	@echo "==> Installed. To type \`innercircle …\` in this terminal: source $(VENV)/bin/activate"

$(DEV): $(RUNTIME)
	@echo "==> Installing the development tools (pytest, ruff, mypy, …) into $(VENV)"
	$(PIP) install --progress-bar on -e '.[dev]'
	@touch $(DEV)

## Install the runtime into .venv (then: source .venv/bin/activate).
install: $(RUNTIME)

## Generate a sample community, replay it through the real pipeline, print the reports.
demo: $(RUNTIME)
	$(BIN)/innercircle demo

## The whole test suite (SQLite and PostgreSQL), plus ruff and mypy.
test: $(DEV) postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

## Make sure the local PostgreSQL server is up (127.0.0.1:5432, trust auth).
postgres:
	@bash scripts/ensure-postgres.sh

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(RUNTIME)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) out data .pytest_cache .mypy_cache .ruff_cache
