# tscl: every target installs what it needs on first use (see `make setup`).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MLFLOW_DISABLE_TELEMETRY := true
export RAY_AUTH_MODE := disabled
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER := 0
export RAY_AIR_NEW_OUTPUT := 0
export TSCL_DATA_MIRROR ?= $(abspath ../shared/data)

.PHONY: setup test test-all lint format data bench clean

setup: $(STAMP)

# Re-install only when pyproject.toml changes; the stamp records the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q --runslow

lint: $(STAMP)
	$(BIN)/ruff check tscl tests benchmarks
	$(BIN)/ruff format --check tscl tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format tscl tests benchmarks
	$(BIN)/ruff check --fix tscl tests benchmarks

# Fetch every catalogued data set into the cache: from the local mirror when it exists, else from the source.
data: $(STAMP)
	if [ -d "$(TSCL_DATA_MIRROR)" ]; then $(BIN)/tscl data fetch --all --mirror "$(TSCL_DATA_MIRROR)"; \
	else $(BIN)/tscl data fetch --all; fi

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
