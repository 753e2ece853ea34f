# Every target sets itself up on a machine that has only Python 3.11, make and pip:
# uv is taken from PATH, or installed into .tools/ (a local tool environment) when missing,
# and the project environment (.venv) is built from the committed uv.lock.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)

# The machine's interpreter only; uv must never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

VENV := .venv
BIN := $(VENV)/bin

.PHONY: help demo test lint bench chaos clean

help:
	@echo "make demo   - set up and run Silta on its embedded default (sandboxes, sample data, two tenants, two full syncs)"
	@echo "make test   - set up, lint, type-check and run the test suite"
	@echo "make lint   - ruff, mypy --strict and the dependency audit"
	@echo "make bench  - every benchmark (~14 min); results in bench/results/, see docs/performance.md"
	@echo "make chaos  - the long samples: the stateful fault test with 2,000 examples (figures in bench/results/chaos.json), 50 SIGKILLs, 600 settings per entry point"

$(TOOLS)/bin/uv:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Silta needs Python 3.11 or newer, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --locked: fail instead of silently re-resolving when pyproject.toml and uv.lock disagree.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --all-groups
	@touch $@

demo: $(VENV)/.synced
	$(BIN)/silta demo

lint: $(VENV)/.synced
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src
	$(BIN)/python -m tests.security.audit --uv $(UV)

# The suite on two pytest-xdist workers: it mostly waits (the sandboxes' latency,
# subprocesses, compressed clocks), so two processes about halve its time on two cores.
# The longest tests start first (tests/conftest.py), so the two workers end together.
TEST_WORKERS ?= 2

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: $(VENV)/.synced
	$(BIN)/python -m bench

# The long samples that make test keeps small: the state machine of tests/chaos with the
# long profile (random seeds: each run explores new programs; its figures are printed and
# kept, and docs/reliability.md quotes the last ones), then the SIGKILL test with 50 kills
# (25 in make test) and the settings property test with 600 examples per entry point (40).
chaos: $(VENV)/.synced
	mkdir -p bench/results
	rc=0; SILTA_HYPOTHESIS_PROFILE=chaos SILTA_CHAOS_REPORT=bench/results/chaos.json \
		$(BIN)/pytest -p no:cacheprovider -q tests/chaos || rc=$$?; \
		$(BIN)/python -m tests.chaos.figures bench/results/chaos.json; \
		SILTA_HYPOTHESIS_PROFILE=chaos SILTA_CRASH_KILLS=50 \
		$(BIN)/pytest -p no:cacheprovider -q -s tests/crash tests/test_settings_strict.py \
		|| rc=$$?; exit $$rc

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
