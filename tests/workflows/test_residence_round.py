"""The yearly residence-contact round (213-QĐ/TW, docs/rulebook.md §5): every residence cell is
asked for its comments on the working members linked to it; those still missing when the
answer window closes are escalated to the cell's grassroots committee."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import pytest_asyncio
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    WorkflowHandle,
)
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.calendar import VIETNAM
from domain.member import Member
from infra.notifications import Notifications
from infra.temporal import (
    RESIDENCE_SCHEDULE_ID,
    EncryptionCodec,
    dev_server_flags,
    ensure_residence_schedule,
)
from tests.builders import World, ctx
from tests.workflows.conftest import (
    TEST_AUTHORITY,
    TEST_PAYLOAD_KEY,
    eventually,
    instant,
    travel_to,
    until,
    venv_binary,
)
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE, ResidenceRoundResult, ResidenceRoundStart
from workflows.processes import ResidenceRoundWorkflow
from workflows.worker import build_worker


def link_workers(world: World, on: date) -> list[UUID]:
    """Three members of the commune-agency cell keep contact with the hamlet cell they live in."""
    working = world.members[world.other_cell][:3]
    for member in working:
        world.app.link_residence(ctx(), member, world.residence_cell, on)
    return working


def escalations(app: Dangvien, member: UUID) -> list[tuple[str, int, UUID, date, date]]:
    """(rule, level, organization told, due date, day it fired) from the member's record."""
    return [
        (
            h.facts["rule_id"],
            h.facts["level"],
            h.facts["target_org_id"],
            h.facts["due"],
            h.effective_on,
        )
        for h in app.history(member)
        if h.name.endswith(".Escalated")
    ]


def _rows(notifications: Notifications, org: UUID, count: int) -> list[Any] | None:
    """The organization's notifications once there are `count` of them (one per member)."""
    rows = notifications.for_org(org)
    return rows if len(rows) >= count else None


async def test_the_round_asks_the_residence_cell_then_escalates_the_comments_still_missing(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    app = world.app
    answered_early, answered_in_time, late = link_workers(world, date(2030, 9, 1))
    app.record_residence_comment(ctx(), answered_early, 2030, True, date(2030, 9, 20))

    await travel_to(env, instant(date(2030, 10, 1), time(9)))
    handle = await client.start_workflow(
        ResidenceRoundWorkflow.run,
        ResidenceRoundStart(year=2030, answer_within_days=45),
        id="residence-round-2030",
        task_queue=TASK_QUEUE,
    )
    # On opening: a reminder (level 0) to the residence cell for each comment still missing.
    rows = await eventually(lambda: _rows(notifications, world.residence_cell, 2))
    assert {(r.subject_id, r.level, r.rule_id) for r in rows} == {
        (answered_in_time, 0, "RES-COMMENT"),
        (late, 0, "RES-COMMENT"),
    }
    due = date(2030, 11, 15)  # 45 days from 2030-10-01
    assert {r.due for r in rows} == {due}
    assert notifications.for_subject(answered_early) == []

    # One more answers inside the window; the other does not.
    app.record_residence_comment(ctx(), answered_in_time, 2030, True, date(2030, 10, 20))
    await travel_to(env, instant(date(2030, 11, 15), time(23)))
    assert notifications.for_org(world.grassroots) == []  # not late before the day is over
    await travel_to(env, instant(date(2030, 11, 16), time(9)))
    result = await handle.result()
    assert result == ResidenceRoundResult(year=2030, asked=2, answered=1, escalated=1)

    # The late member's record: the reminder to the residence cell, then the grassroots
    # committee above it (level 1) the day after the window closed.
    assert escalations(app, late) == [
        ("RES-COMMENT", 0, world.residence_cell, due, date(2030, 10, 1)),
        ("RES-COMMENT", 1, world.grassroots, due, date(2030, 11, 16)),
    ]
    assert [(e[0], e[1]) for e in escalations(app, answered_in_time)] == [("RES-COMMENT", 0)]
    assert escalations(app, answered_early) == []
    assert app.load(Member, late).residence_comments == {}

    escalated = notifications.for_org(world.grassroots)
    assert [(r.subject_id, r.level, r.rule_id, r.due) for r in escalated] == [
        (late, 1, "RES-COMMENT", due)
    ]
    assert "RES-COMMENT" in escalated[0].message_vi and "15/11/2030" in escalated[0].message_vi
    assert [r.level for r in notifications.for_subject(late)] == [0, 1]
    assert [r.level for r in notifications.for_subject(answered_in_time)] == [0]


async def test_a_round_started_twice_the_same_day_records_and_notifies_each_member_once(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    linked = link_workers(world, date(2030, 9, 1))
    await travel_to(env, instant(date(2030, 10, 1), time(9)))
    handles = []
    for attempt in (1, 2):  # the schedule fired twice, or an officer restarted the round
        handles.append(
            await client.start_workflow(
                ResidenceRoundWorkflow.run,
                ResidenceRoundStart(year=2030, answer_within_days=45),
                id=f"residence-round-2030-{attempt}",
                task_queue=TASK_QUEUE,
            )
        )
        await until(lambda: _asked(handles[-1]))
    await travel_to(env, instant(date(2030, 11, 16), time(9)))
    for handle in handles:
        result = await handle.result()
        assert result == ResidenceRoundResult(2030, asked=3, answered=0, escalated=3)
    due = date(2030, 11, 15)
    for member in linked:
        assert [(e[1], e[3]) for e in escalations(world.app, member)] == [(0, due), (1, due)]
        assert [r.level for r in notifications.for_subject(member)] == [0, 1]
    assert len(notifications.for_org(world.residence_cell)) == 3
    assert len(notifications.for_org(world.grassroots)) == 3


async def _asked(handle: WorkflowHandle[Any, Any]) -> bool:
    """The round's opening activity (asking the residence cells) has completed."""
    history = await handle.fetch_history()
    return any(e.HasField("activity_task_completed_event_attributes") for e in history.events)


# --- the yearly schedule (the time-skipping server has no schedules: the dev server) -------


@pytest_asyncio.fixture
async def dev_client(app: Dangvien, notifications: Notifications) -> AsyncIterator[Client]:
    """The real dev server (real clock) with a worker over the test's application."""
    async with (
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=venv_binary("temporal"),
            dev_server_extra_args=list(dev_server_flags()),
            data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
        ) as dev,
        build_worker(dev.client, app, notifications.notify, TEST_AUTHORITY, task_queue=TASK_QUEUE),
    ):
        yield dev.client


async def test_the_yearly_schedule_fires_on_the_first_of_october_and_asks_for_that_year(
    dev_client: Client, world: World, notifications: Notifications
) -> None:
    now = datetime.now(VIETNAM)
    year = now.year
    commented, commented_last_year, silent = link_workers(world, date(year - 1, 9, 1))
    world.app.record_residence_comment(ctx(), commented, year, True, now.date())
    world.app.record_residence_comment(ctx(), commented_last_year, year - 1, True, now.date())

    await ensure_residence_schedule(dev_client)
    await ensure_residence_schedule(dev_client)  # every worker start: a no-op when it exists
    schedule = dev_client.get_schedule_handle(RESIDENCE_SCHEDULE_ID)
    try:
        info = (await schedule.describe()).info
        october = datetime(year, 10, 1, tzinfo=VIETNAM)
        next_october = october if now < october else october.replace(year=year + 1)
        assert info.next_action_times[:2] == [
            next_october.astimezone(UTC),
            next_october.replace(year=next_october.year + 1).astimezone(UTC),
        ]

        # Fire it now: `year=0` is the year the schedule fires in.
        await schedule.trigger()
        rows = await eventually(lambda: _rows(notifications, world.residence_cell, 2))
        assert {(r.subject_id, r.level) for r in rows} == {
            (commented_last_year, 0),
            (silent, 0),
        }
        assert {r.due for r in rows} == {now.date() + timedelta(days=45)}
        description = await schedule.describe()
        (action,) = description.info.recent_actions
        started = action.action
        assert isinstance(started, ScheduleActionExecutionStartWorkflow)
        assert started.workflow_id.startswith("residence-round")
        run = dev_client.get_workflow_handle(started.workflow_id)
        assert (await run.describe()).workflow_type == "ResidenceRoundWorkflow"
        await run.terminate("test over")
    finally:
        await schedule.delete()


async def test_every_notice_of_a_second_round_is_backed_by_an_event_on_the_record(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    # Two rounds for 2030 opened the same day with different answer windows (45 and 46
    # days): each due date is its own rung, recorded once and notified once.
    link_workers(world, date(2030, 9, 1))
    await travel_to(env, instant(date(2030, 10, 1), time(1)))
    for expected, days in ((3, 45), (6, 46)):
        await client.start_workflow(
            ResidenceRoundWorkflow.run,
            ResidenceRoundStart(year=2030, answer_within_days=days),
            id=f"residence-round-{days}",
            task_queue=TASK_QUEUE,
        )
        rows = await eventually(partial(_rows, notifications, world.residence_cell, expected))
    recorded = {
        (member, level, due)
        for member in world.members[world.other_cell][:3]
        for (_rule, level, _target, due, _on) in escalations(world.app, member)
    }
    assert {(r.subject_id, r.level, r.due) for r in rows} == recorded
    assert len(recorded) == 6  # 3 members × 2 due dates (2030-11-15 and 2030-11-16)
