# Set-up is part of every target: a fresh clone needs nothing but python3 (≥ 3.11) and make.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: setup test lint up check-postgres check-chromium check-libreoffice clean

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

## The README's test command: set-up, linters, then every test against the real components,
## one worker per core, each test file on one worker (its module fixtures start once).
test: lint check-postgres check-chromium check-libreoffice
	$(PY) -m pytest -n auto --dist loadfile

check-postgres:
	@scripts/ensure-postgres

## The browser tests drive Debian's Chromium (installed with apt when missing, never skipped).
check-chromium:
	@scripts/ensure-chromium

## The papers' PDF is their DOCX converted by LibreOffice (installed with apt when missing).
check-libreoffice:
	@scripts/ensure-libreoffice

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

## The main job: Temporal, the worker, the projector and the API (docs/running.md); Ctrl-C stops.
up: setup check-libreoffice
	@$(VENV)/bin/dangvien up
