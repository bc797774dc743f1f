"""Shared fixtures: the application on the in-memory store (unit) or on real SQLite and
PostgreSQL (integration, see tests/integration/conftest.py)."""

from __future__ import annotations

import pytest

from domain.application import Dangvien
from tests.builders import World, build_world


@pytest.fixture
def memory_app() -> Dangvien:
    """eventsourcing's own in-memory recorder: the real application, no database."""
    return Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})


@pytest.fixture
def world(memory_app: Dangvien) -> World:
    return build_world(memory_app)
