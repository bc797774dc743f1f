"""Shared fixtures: the application on the in-memory store (unit) or on real SQLite and
PostgreSQL (integration, see tests/integration/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import structlog

from domain.application import Dangvien
from tests.builders import World, build_world

# pytest-xdist's workers start with COLUMNS=80, and a Rich console fixes its width from COLUMNS
# when it is built (the CLI's are built on import): without it, the width is read on each
# print, so the tests' CliRunner(env={"COLUMNS": …}) holds in a worker as in one process.
os.environ.pop("COLUMNS", None)


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """A command line test configures logging (its log lines to standard error, warnings and
    worse); a later test in the same worker must find the configuration it started with."""
    before = structlog.get_config()
    yield
    structlog.configure(**before)


@pytest.fixture
def memory_app() -> Dangvien:
    """eventsourcing's own in-memory recorder: the real application, no database."""
    return Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})


@pytest.fixture
def world(memory_app: Dangvien) -> World:
    return build_world(memory_app)
