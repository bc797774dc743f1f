"""The daily seal of the whole log (docs/security.md, "Tamper evidence"): a Temporal schedule
starts the SealWorkflow every day at 23:00 Vietnam time (DANGVIEN_SEAL_AT); its activity
verifies the store and seals what was recorded since the last seal. A day with nothing new
adds no seal; a store that does not verify is never sealed.

On the dev server (the time-skipping test server has no schedules), with a worker over a
SQLite store that chains every event, as `dangvien worker` runs it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleHandle,
    WorkflowFailureError,
)
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.calendar import VIETNAM
from domain.values import CellSetting, OrgKind
from infra.bootstrap import audit_key, build_app, sealer
from infra.chain import audit
from infra.chain.ledger import open_ledger
from infra.chain.proofs import AuditKeys, Seal
from infra.notifications import Notifications
from infra.settings import Settings
from infra.temporal import (
    SEAL_SCHEDULE_ID,
    EncryptionCodec,
    dev_server_flags,
    ensure_seal_schedule,
)
from tests.builders import World, build_world, ctx
from tests.workflows.conftest import TEST_AUTHORITY, TEST_PAYLOAD_KEY, until, venv_binary
from tests.workflows.dissolution_stack import sqlite_settings
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE, Sealed
from workflows.worker import build_worker


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return sqlite_settings(tmp_path / "data")


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    world = build_world(build_app(settings), cell_members=3)
    yield world
    world.app.close()


@dataclass
class Daily:
    client: Client
    schedule: ScheduleHandle


@pytest_asyncio.fixture
async def daily(
    settings: Settings, world: World, notifications: Notifications
) -> AsyncIterator[Daily]:
    """The real dev server (real clock), a worker with the store's sealer, and the schedule
    as every worker start makes it."""
    async with (
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=venv_binary("temporal"),
            dev_server_extra_args=list(dev_server_flags()),
            data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
        ) as dev,
        build_worker(
            dev.client,
            world.app,
            notifications.notify,
            TEST_AUTHORITY,
            task_queue=TASK_QUEUE,
            sealer=sealer(settings),
        ),
    ):
        await ensure_seal_schedule(dev.client, time(23, 0))
        await ensure_seal_schedule(dev.client, time(23, 0))  # a restart: the same schedule
        handle = dev.client.get_schedule_handle(SEAL_SCHEDULE_ID)
        yield Daily(dev.client, handle)
        await handle.delete()


def seals(settings: Settings) -> list[Seal]:
    ledger = open_ledger(settings)
    try:
        return ledger.seals()
    finally:
        ledger.close()


def events(app: Dangvien) -> int:
    return int(app.recorder.max_notification_id() or 0)


async def fire(daily: Daily) -> Sealed:
    """Trigger the schedule now, as its hour would, and wait for that run's answer."""
    schedule = daily.schedule
    done = len((await schedule.describe()).info.recent_actions)
    await schedule.trigger()

    async def started() -> bool:
        return len((await schedule.describe()).info.recent_actions) > done

    await until(started, seconds=20)
    action = (await schedule.describe()).info.recent_actions[done].action
    assert isinstance(action, ScheduleActionExecutionStartWorkflow)
    handle = daily.client.get_workflow_handle(action.workflow_id, result_type=Sealed)
    return await handle.result()


def next_times(at: time, count: int) -> list[datetime]:
    now = datetime.now(VIETNAM)
    first = datetime.combine(now.date(), at, VIETNAM)
    if first <= now:
        first += timedelta(days=1)
    return [(first + timedelta(days=n)).astimezone(UTC) for n in range(count)]


async def test_the_log_is_sealed_every_day_at_the_hour_set_and_a_day_with_nothing_new_adds_none(
    daily: Daily, settings: Settings, world: World
) -> None:
    app = world.app
    info = (await daily.schedule.describe()).info
    assert info.next_action_times[:2] == next_times(time(23), 2)
    assert info.last_updated_at is None  # the second worker start changed nothing

    first = await fire(daily)
    assert (first.new, first.tree_size, first.problem) == (True, events(app), "")
    assert [s.tree_size for s in seals(settings)] == [events(app)]

    again = await fire(daily)  # nothing recorded since
    assert (again.new, again.tree_size) == (False, first.tree_size)
    assert len(seals(settings)) == 1

    app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Mới",
        parent_id=world.grassroots,
        established_on=date(2026, 1, 5),
        setting=CellSetting.hamlet,
    )
    next_day = await fire(daily)
    assert (next_day.new, next_day.tree_size) == (True, events(app))
    assert [s.tree_size for s in seals(settings)] == [first.tree_size, events(app)]
    ledger = open_ledger(settings)
    try:
        report = audit.verify(ledger, AuditKeys(audit_key(settings)))
    finally:
        ledger.close()
    assert (report.problem, report.seals, report.unsealed) == (None, 2, 0)

    # The hour is a setting: a worker started with another one moves the schedule.
    await ensure_seal_schedule(daily.client, time(1, 30))
    moved = (await daily.schedule.describe()).info
    assert moved.next_action_times[0] == next_times(time(1, 30), 1)[0]
    assert moved.last_updated_at is not None


async def test_a_store_that_does_not_verify_is_not_sealed_and_the_run_fails_saying_where(
    daily: Daily, settings: Settings, world: World
) -> None:
    with closing(sqlite3.connect(settings.data_dir / "events.sqlite")) as db:
        db.execute("UPDATE stored_events SET topic = topic || ' ' WHERE rowid = 5")
        db.commit()
    with pytest.raises(WorkflowFailureError) as failed:
        await fire(daily)
    assert "not sealed: position 5" in str(failed.value.cause)
    assert seals(settings) == []
