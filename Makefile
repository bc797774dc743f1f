# Set-up is part of every target: a fresh clone needs nothing but python3 (≥ 3.11) and make.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: setup test lint up check-postgres clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lint: setup
	ruff check .
	ruff format --check .
	mypy
	lint-imports

## The README's test command: set-up, linters, then every test against the real components.
test: lint check-postgres
	$(PY) -m pytest

check-postgres:
	@scripts/ensure-postgres

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

## The main job. `dangvien up` (Temporal, worker, projector, API, web UI) arrives with the
## "Run it" issue; until then this shows what the installed command offers.
up: setup
	@$(VENV)/bin/dangvien --help
