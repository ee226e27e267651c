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
export MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR := false
export RAY_USAGE_STATS_ENABLED := 0
export TSCL_DATA_MIRROR ?= $(abspath ../shared/data)

# Settings of the experiment / registry targets (override on the command line: make experiment DATASET=...).
CONFIG ?= ecg
DOMAIN ?= ecg
DATASET ?= mitdb
ARGS ?=
SPACE ?= ecg_ts2vec
MODEL_NAME ?= ecg-encoder
ALIAS ?= champion
METRIC ?= val_macro_f1
INPUT ?= $(TSCL_DATA_MIRROR)/ecg/wfdb/mitdb/100
OUTPUT ?= embeddings/$(notdir $(INPUT)).parquet
UI_PORT ?= 5000
# make experiment registers the best run of this data set and domain (by $(METRIC), a validation
# score: for the ECG default the 10%-label leave-patients-out CV macro-F1) as $(MODEL_NAME)@$(ALIAS).
REGISTER_WHERE ?= --where dataset=$(DATASET) --where domain=$(DOMAIN) \
	$(if $(filter ecg,$(CONFIG)),--where eval.protocol=patient_cv,)

.PHONY: setup test test-all test-gpu lint format data bench bench-quick bench-report bench-ui clean experiment docs sweep register embed ui

setup: $(STAMP)

# Re-install only when pyproject.toml changes; the stamp records the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-all: $(STAMP)
	$(BIN)/python -m pytest -q --runslow

lint: $(STAMP)
	$(BIN)/ruff check tscl tests benchmarks examples
	$(BIN)/ruff format --check tscl tests benchmarks examples

format: $(STAMP)
	$(BIN)/ruff format tscl tests benchmarks
	$(BIN)/ruff check --fix tscl tests benchmarks

# Fetch every catalogued data set into the cache: from the local mirror when it exists, else from the source.
data: $(STAMP)
	if [ -d "$(TSCL_DATA_MIRROR)" ]; then $(BIN)/tscl data fetch --all --mirror "$(TSCL_DATA_MIRROR)"; \
	else $(BIN)/tscl data fetch --all; fi

# The main job: fetch what the data set needs, pretrain, evaluate once on the test split, log it all to MLflow.
experiment: $(STAMP)
	if [ -d "$(TSCL_DATA_MIRROR)" ]; then $(BIN)/tscl data fetch $(DATASET) --mirror "$(TSCL_DATA_MIRROR)"; \
	else $(BIN)/tscl data fetch $(DATASET); fi
	$(BIN)/tscl pretrain --config $(CONFIG) domain=$(DOMAIN) dataset=$(DATASET) --evaluate $(ARGS)
	$(BIN)/tscl register --best $(METRIC) $(REGISTER_WHERE) --name $(MODEL_NAME) --alias $(ALIAS)
	@echo "Look at it: make ui, then open http://127.0.0.1:$(UI_PORT) (store: $(CURDIR)/mlflow.db)"

# What the README shows of the default experiment: its printed summary and confusion matrix (docs/).
docs: $(STAMP)
	mkdir -p docs && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/tscl pretrain --config $(CONFIG) domain=$(DOMAIN) dataset=$(DATASET) --evaluate $(ARGS) \
		--run-dir "$$tmp/run" tracking.uri=sqlite:///$$tmp/mlflow.db | tee "$$tmp/summary.txt" && \
	sed -n '/test split\|leave-patients-out CV/,/^run folder/p' "$$tmp/summary.txt" | sed '$$d' > docs/experiment_summary.txt && \
	cp "$$tmp/run/figures/confusion_matrix.png" docs/experiment_confusion_matrix.png && \
	if [ -f "$$tmp/run/figures/predicted_strip.png" ]; then cp "$$tmp/run/figures/predicted_strip.png" docs/experiment_predicted_strip.png; fi

sweep: $(STAMP)
	$(BIN)/tscl sweep --space tune/$(SPACE).yaml $(ARGS)

# Promote the best run of the experiment (by a validation metric, never a test one) under $(MODEL_NAME)@$(ALIAS).
register: $(STAMP)
	test -f mlflow.db || $(MAKE) experiment  # first command on a fresh machine: make a run to register
	$(BIN)/tscl register --best $(METRIC) --name $(MODEL_NAME) --alias $(ALIAS)

embed: $(STAMP)
	test -f mlflow.db || $(MAKE) register  # first command on a fresh machine: run and register first
	$(BIN)/tscl embed --model models:/$(MODEL_NAME)@$(ALIAS) --input $(INPUT) --output $(OUTPUT)

ui: $(STAMP)
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(BIN)/mlflow server --host 127.0.0.1 --port $(UI_PORT) --workers 1 \
		--backend-store-uri sqlite:///$(CURDIR)/mlflow.db --default-artifact-root $(CURDIR)/mlartifacts

# Every benchmark suite (benchmarks/registry.py) at full / quick settings: results/*.json, one MLflow run
# per suite (benchmarks/results/mlflow.db), then benchmarks/RESULTS.md. SUITES="a b" runs only those.
BENCH_SUITES = $(if $(SUITES),--suite $(SUITES),)
# BENCH_THREADS=1 on a machine others are using (two threads then stall each other).
BENCH_THREADS ?= $(shell nproc)
# Both first fetch the catalogued data sets (make data: from the local mirror when there is one).
# make bench-quick runs BENCH_JOBS suites at once, one torch thread each (under 15 minutes on 2 cores).
BENCH_JOBS ?= $(shell nproc)
# pytorch-lifestream, the events suite's CoLES peer, beside tscl: its own requirements would downgrade
# omegaconf (pyproject.toml), so it goes in without them and what its CoLES imports under the versions already installed.
PEERS := $(VENV)/.peers
$(PEERS): $(STAMP)
	$(BIN)/pip install --quiet --no-deps pytorch-lifestream==0.7.0
	$(BIN)/pip install --quiet pytorch-lightning torchmetrics transformers -c <($(BIN)/pip freeze --exclude-editable)
	touch $(PEERS)

bench: $(STAMP) $(PEERS) data
	nice -n 10 $(BIN)/python -m benchmarks run --threads $(BENCH_THREADS) $(BENCH_SUITES)

bench-quick: $(STAMP) $(PEERS) data
	nice -n 10 $(BIN)/python -m benchmarks run --quick --jobs $(BENCH_JOBS) --threads 1 $(BENCH_SUITES)

bench-report: $(STAMP)
	$(BIN)/python -m benchmarks report

bench-ui: $(STAMP)
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(BIN)/mlflow server --host 127.0.0.1 --port $(UI_PORT) --workers 1 \
		--backend-store-uri sqlite:///$(CURDIR)/benchmarks/results/mlflow.db \
		--default-artifact-root $(CURDIR)/benchmarks/results/mlartifacts

# The CUDA path (tests marked gpu; they skip with a reason without a GPU).
test-gpu: $(STAMP)
	$(BIN)/python -m pytest -q -m gpu -rs

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
