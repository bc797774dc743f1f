"""Transfers as durable processes on the real Temporal test server (docs/rulebook.md §4): the
letter's hops, presentation within TRF-PRESENT and its escalation ladder, acceptance, temporary
stays, refusals that change nothing.

The world (tests/builders.py): `world.cell` (hamlet, 9 full members) and `world.other_cell`
under `world.grassroots`; `world.far_cell` (school, 3 full members) under
`world.other_grassroots`; both grassroots committees sit under `world.commune` from 2025-07-01,
which is then their directly-superior (and competent) committee.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.application import Dangvien
from domain.commands.probation import Recognize, RecordReviewVote
from domain.member import Member, Status
from domain.organization import Organization
from domain.transfer import Transfer
from domain.values import HoldKind, Motion
from infra.api.schemas import parse_step
from infra.notifications import Notifications
from tests.builders import World, ctx
from tests.workflows.conftest import TEST_AUTHORITY, eventually, instant, travel_to
from tests.workflows.steps import SECRETARY, recognition_papers, signed_act
from workflows.messages import TASK_QUEUE, ProbationStart, TransferStart, View
from workflows.processes import ProbationWorkflow, TransferWorkflow


@dataclass
class TransferDriver:
    """One transfer driven as the users would: one update per human step."""

    client: Client
    transfer_id: UUID

    @property
    def handle(self) -> WorkflowHandle[Any, View]:
        return self.client.get_workflow_handle(f"transfer-{self.transfer_id}", result_type=View)

    async def step(self, kind: str, on: date, /, **args: Any) -> View:
        act = signed_act(parse_step(kind, on, args), self.transfer_id)
        result: View = await self.handle.execute_update("act", act, result_type=View)
        return result

    async def status(self) -> View:
        """The process's view (waiting until the starting activity has answered)."""
        while True:
            result: View | None = await self.handle.query("status", result_type=View)
            if result is not None:
                return result
            await asyncio.sleep(0.05)

    async def execution_status(self) -> WorkflowExecutionStatus:
        """Raw describe: the time-skipping server returns the unset DangvienDeadline search
        attribute in a form `WorkflowHandle.describe()` cannot decode (a test-server quirk)."""
        raw = await self.client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=self.client.namespace,
                execution=WorkflowExecution(workflow_id=self.handle.id),
            )
        )
        return WorkflowExecutionStatus(raw.workflow_execution_info.status)

    async def forward(self, path: list[UUID], on: date) -> View:
        """The letter hops along `path`, one update per hop (one letter number each)."""
        view: View | None = None
        for number, (here, there) in enumerate(pairwise(path), start=1):
            view = await self.hop(here, there, on, f"{number}-GGT")
        assert view is not None
        return view

    async def hop(self, here: UUID, there: UUID, on: date, letter_no: str = "GGT") -> View:
        return await self.step(
            "forward_letter", on, from_org_id=str(here), to_org_id=str(there), letter_no=letter_no
        )


async def start_transfer(
    client: Client,
    member_id: UUID,
    destination: UUID,
    on: date,
    *,
    kind: str = "official",
    reason: str = "new_job",
    returns_on: date | None = None,
    opened: bool = True,
) -> TransferDriver:
    """Start the workflow; with `opened`, wait until its start activity has answered (until
    then TransferWorkflow's validator refuses every step: see the note in the report)."""
    transfer = TransferDriver(client, uuid4())
    await client.start_workflow(
        TransferWorkflow.run,
        TEST_AUTHORITY.signed(
            TransferStart(
                transfer.transfer_id,
                member_id,
                kind,
                reason,
                destination,
                trigger_on=on,
                on=on,
                actor=SECRETARY,
                returns_on=returns_on,
            )
        ),
        id=f"transfer-{transfer.transfer_id}",
        task_queue=TASK_QUEUE,
    )
    if opened:
        await transfer.status()
    return transfer


def up_and_down(world: World) -> list[UUID]:
    """The letter's way from `world.cell` to `world.far_cell`: up the sending side to the
    commune committee (directly superior from 2025-07-01), down the receiving side."""
    return [world.cell, world.grassroots, world.commune, world.other_grassroots, world.far_cell]


def roll(app: Dangvien, cell: UUID, on: date) -> set[UUID]:
    return app.load(Organization, cell).members_on(on)


def escalations(app: Dangvien, subject: UUID) -> list[tuple[str, int, UUID, date, date]]:
    """(rule, level, organization told, due date, day it fired) from the record."""
    return [
        (
            h.facts["rule_id"],
            h.facts["level"],
            h.facts["target_org_id"],
            h.facts["due"],
            h.effective_on,
        )
        for h in app.history(subject)
        if h.name.endswith(".Escalated")
    ]


def rule_of(error: BaseException) -> str:
    """The rule id a refusal carries (ApplicationError details, as the activities send it)."""
    cause: BaseException | None = error
    while isinstance(cause, (WorkflowUpdateFailedError, WorkflowFailureError, ActivityError)):
        cause = cause.cause
    assert isinstance(cause, ApplicationError), cause
    details = cause.details[0]
    assert isinstance(details, dict)
    assert details["vi"] and details["en"]
    return str(details["rule_id"])


# --- An official transfer of a probationer ------------------------------------------------------


async def test_a_probationer_transferred_officially_moves_roll_and_keeps_the_12_months(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    app = world.app
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    (probationer,) = world.add_members(world.cell, 1, joined_on=date(2029, 10, 1), full=False)
    # PRB-LENGTH: ceremony 2029-10-01 + 12 months → 2030-10-01.
    assert app.load(Member, probationer).probation_ends == date(2030, 10, 1)
    probation = await client.start_workflow(
        ProbationWorkflow.run,
        ProbationStart(probationer),
        id=f"probation-{probationer}",
        task_queue=TASK_QUEUE,
    )

    transfer = await start_transfer(client, probationer, world.far_cell, date(2029, 12, 3))
    assert (await transfer.status()).stage == "in_transit"
    view = await transfer.forward(up_and_down(world), date(2029, 12, 4))
    assert view.stage == "letter_issued"
    assert view.awaiting == ["cancel_transfer", "present_letter", "record_portal_reference"]
    # TRF-PRESENT: 30 WD from 2029-12-04 (not counted): Dec 5–7 (3), 10–14 (8), 17–21 (13),
    # 24–28 (18), 31 (19); Jan 1 off; Jan 2–4 (22), 7–11 (27), 14–16 (30) → 2030-01-16.
    assert view.deadline is not None
    assert (view.deadline.rule_id, view.deadline.due) == ("TRF-PRESENT", date(2030, 1, 16))
    assert view.deadline.responsible == world.far_cell
    await transfer.step("present_letter", date(2029, 12, 10))
    await transfer.step("accept_transfer", date(2029, 12, 11))

    result = await transfer.handle.result()
    assert (result.stage, result.closed) == ("completed", True)
    moved = app.load(Member, probationer)
    assert moved.cell_id == world.far_cell
    # One roll each day: the old one until the acceptance, the new one from it.
    assert probationer in roll(app, world.cell, date(2029, 12, 10))
    assert probationer not in roll(app, world.far_cell, date(2029, 12, 10))
    assert probationer not in roll(app, world.cell, date(2029, 12, 11))
    assert probationer in roll(app, world.far_cell, date(2029, 12, 11))
    assert len(roll(app, world.cell, date(2029, 12, 11))) == 9
    assert len(roll(app, world.far_cell, date(2029, 12, 11))) == 4
    # The transfer changes nothing of the clock (docs/rulebook.md §3): still 2030-10-01.
    assert moved.probation_ends == date(2030, 10, 1)
    assert moved.ceremony_on == date(2029, 10, 1)
    assert moved.status_on(date(2029, 12, 11)) is Status.probationary

    # The review is the new cell's: world.far_cell has 3 full members (the probationer does
    # not count), 2 for → 2 × 3 = 6 ≥ 2 × 3 (PRB-REVIEW); held the day after the end.
    await travel_to(env, instant(date(2030, 10, 2), time(9)))
    helper = world.members[world.far_cell][0]
    for paper in recognition_papers(date(2030, 10, 2), helper):
        await probation.execute_update("act", signed_act(paper, probationer), result_type=View)
    vote = RecordReviewVote(
        on=date(2030, 10, 2), motion=Motion.recognize, votes_for=2, votes_against=1
    )
    view = await probation.execute_update("act", signed_act(vote, probationer), result_type=View)
    assert view.org_id == world.far_cell
    _, ballot, passed = app.load(Member, probationer).review_ballots[-1]
    assert (ballot.on_roll, passed) == (3, True)
    # PRB-DECIDE: world.other_grassroots may not admit, so its directly-superior committee
    # (world.commune) decides; PRB-EFFECTIVE: full from the end of probation, 2030-10-01.
    await probation.execute_update(
        "act",
        signed_act(Recognize(on=date(2030, 10, 9), decided_by=world.commune), probationer),
        result_type=View,
    )
    assert (await probation.result()).stage == "full"
    assert app.load(Member, probationer).full_from == date(2030, 10, 1)


# --- TRF-PRESENT: the member does not present the letter ----------------------------------------


async def test_a_letter_not_presented_escalates_on_the_working_days_of_its_ladder_across_tet(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    app = world.app
    mover = world.members[world.cell][0]
    await travel_to(env, instant(date(2029, 12, 20), time(9)))
    transfer = await start_transfer(client, mover, world.far_cell, date(2029, 12, 20))
    view = await transfer.forward(up_and_down(world), date(2029, 12, 20))
    assert view.stage == "letter_issued"
    # TRF-PRESENT: 30 WD from the letter of Thursday 2029-12-20 (not counted): Dec 21 (1),
    # 24–28 (6), 31 (7); Jan 1 off; Jan 2–4 (10), 7–11 (15), 14–18 (20), 21–25 (25),
    # 28–30 (28); Jan 31 and Feb 1 (Tết eves) and Feb 4–6 (Tết) off; Feb 7 (29), Feb 8 (30)
    # → due Friday 2030-02-08.
    due = date(2030, 2, 8)
    assert view.deadline is not None and view.deadline.due == due

    # Reminder, 5 WD before the due date, to the receiving cell: Feb 7 (1); Feb 6, 5, 4, 1
    # and Jan 31 off; Jan 30 (2), 29 (3), 28 (4), 25 (5) → Friday 2030-01-25.
    await travel_to(env, instant(date(2030, 1, 24), time(23)))
    assert escalations(app, transfer.transfer_id) == []
    await travel_to(env, instant(date(2030, 1, 25), time(1)))
    fired = await eventually(lambda: escalations(app, transfer.transfer_id))
    assert fired == [("TRF-PRESENT", 0, world.far_cell, due, date(2030, 1, 25))]

    # The unit above (the receiving grassroots committee), the first working day after the due
    # date: Monday 2030-02-11.
    await travel_to(env, instant(date(2030, 2, 10), time(23)))
    assert len(escalations(app, transfer.transfer_id)) == 1
    await travel_to(env, instant(date(2030, 2, 11), time(1)))
    fired = await eventually(lambda: escalations(app, transfer.transfer_id)[1:])
    assert fired == [("TRF-PRESENT", 1, world.other_grassroots, due, date(2030, 2, 11))]

    # The competent committee's organization department (world.commune), 10 WD after the due
    # date: Feb 11–15 (5), 18–22 (10) → Friday 2030-02-22.
    await travel_to(env, instant(date(2030, 2, 21), time(23)))
    assert len(escalations(app, transfer.transfer_id)) == 2
    await travel_to(env, instant(date(2030, 2, 22), time(1)))
    fired = await eventually(lambda: escalations(app, transfer.transfer_id)[2:])
    assert fired == [("TRF-PRESENT", 2, world.commune, due, date(2030, 2, 22))]
    overdue = [h.facts["overdue_wd"] for h in app.history(transfer.transfer_id)[-3:]]
    assert overdue == [0, 1, 10]  # working days past the due date when each rung fired

    notices = notifications.for_subject(transfer.transfer_id)
    rows = [r for r in notices if r.kind == "escalation"]
    assert [(r.rule_id, r.level, r.org_id, r.due) for r in rows] == [
        ("TRF-PRESENT", 0, world.far_cell, due),
        ("TRF-PRESENT", 1, world.other_grassroots, due),
        ("TRF-PRESENT", 2, world.commune, due),
    ]
    assert "quá hạn 10 ngày làm việc" in rows[2].message_vi
    # Besides the ladder (issue 16): the letter made it the receiving cell's to do, and the
    # cell heard 3 working days ahead (on 2030-01-29, Tết skipped) that it was due soon.
    assert sorted((r.kind, r.org_id, r.level) for r in notices if r.kind != "escalation") == [
        ("assignment", world.far_cell, -1),
        ("due_soon", world.far_cell, -1),
    ]
    assert (await transfer.status()).escalation_level == 2

    # Presented late on Monday 2030-02-25: Feb 11–15 (5), 18–22 (10), 25 (11) WD late,
    # recorded on the event; nothing more escalates and the transfer completes.
    await travel_to(env, instant(date(2030, 2, 25), time(9)))
    await transfer.step("present_letter", date(2030, 2, 25))
    history = app.history(transfer.transfer_id)
    presented = [h.facts for h in history if h.name == "Transfer.LetterPresented"]
    assert presented == [{"overdue_wd": 11}]
    await transfer.step("accept_transfer", date(2030, 2, 26))
    assert (await transfer.handle.result()).stage == "completed"
    assert len(escalations(app, transfer.transfer_id)) == 3
    assert len(notifications.for_subject(transfer.transfer_id)) == 5  # nothing more told


# --- Refusals --------------------------------------------------------------------------------


async def test_a_refused_step_leaves_the_transfer_and_the_record_unchanged(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    app = world.app
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    transfer = await start_transfer(
        client, world.members[world.cell][0], world.far_cell, date(2029, 12, 3)
    )
    await transfer.hop(world.cell, world.grassroots, date(2029, 12, 4))
    before_view = await transfer.status()
    assert before_view.stage == "in_transit"
    before = app.recorder.max_notification_id()

    # The validator: the letter is still on its way; nobody can accept it yet (CASE-STAGE).
    with pytest.raises(WorkflowUpdateFailedError) as by_validator:
        await transfer.step("accept_transfer", date(2029, 12, 5))
    assert rule_of(by_validator.value) == "CASE-STAGE"
    assert app.recorder.max_notification_id() == before

    # The domain: the letter is at world.grassroots; a hop from world.commune does not go on
    # from where it is (TRF-KIND).
    with pytest.raises(WorkflowUpdateFailedError) as by_domain:
        await transfer.hop(world.commune, world.other_grassroots, date(2029, 12, 5))
    assert rule_of(by_domain.value) == "TRF-KIND"
    assert app.recorder.max_notification_id() == before
    assert len(app.load(Transfer, transfer.transfer_id).hops) == 1

    # Still running, unchanged, and the right step is accepted afterwards.
    assert await transfer.status() == before_view
    assert await transfer.execution_status() == WorkflowExecutionStatus.RUNNING
    view = await transfer.hop(world.grassroots, world.commune, date(2029, 12, 5))
    assert view.stage == "in_transit"
    assert (app.recorder.max_notification_id() or 0) > (before or 0)
    assert notifications.for_subject(transfer.transfer_id) == []


async def test_no_official_transfer_starts_while_the_member_is_under_inspection(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    app = world.app
    inspected = world.members[world.cell][0]
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    app.place_hold(ctx(), inspected, HoldKind.inspection, date(2029, 12, 1))
    before = app.recorder.max_notification_id()

    transfer = await start_transfer(
        client, inspected, world.far_cell, date(2029, 12, 3), opened=False
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await transfer.handle.result()
    assert rule_of(failed.value) == "TRF-HOLD"
    assert not app.exists(transfer.transfer_id)
    assert app.recorder.max_notification_id() == before
    assert app.load(Member, inspected).cell_id == world.cell
    assert notifications.for_subject(transfer.transfer_id) == []


# --- A temporary transfer ------------------------------------------------------------------------


async def test_a_temporary_transfer_makes_the_member_a_guest_of_the_host_until_the_return(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    app = world.app
    away = world.members[world.cell][0]
    await travel_to(env, instant(date(2030, 3, 4), time(9)))
    # TRF-TEMP: away for work from 2030-03-04 to 2030-09-04, 6 months (3 to under 12).
    transfer = await start_transfer(
        client,
        away,
        world.far_cell,
        date(2030, 3, 4),
        kind="temporary",
        reason="work_away",
        returns_on=date(2030, 9, 4),
    )
    await transfer.forward(up_and_down(world), date(2030, 3, 5))
    await transfer.step("present_letter", date(2030, 3, 6))
    view = await transfer.step("accept_transfer", date(2030, 3, 7))
    assert (view.stage, view.closed) == ("active", False)
    assert view.awaiting == ["end_temporary_transfer", "record_portal_reference"]
    assert view.deadline is None

    during = date(2030, 3, 7)
    member = app.load(Member, away)
    assert member.cell_id == world.cell
    assert member.away_transfer_id == transfer.transfer_id
    assert away in roll(app, world.cell, during)  # still on the home roll
    assert len(roll(app, world.cell, during)) == 9
    host = app.load(Organization, world.far_cell)
    assert away not in host.members_on(during)  # not counted by the host
    assert host.guests_on(during) == {away}

    await travel_to(env, instant(date(2030, 9, 4), time(9)))
    await transfer.step("end_temporary_transfer", date(2030, 9, 4))
    result = await transfer.handle.result()
    assert (result.stage, result.closed) == ("completed", True)
    assert app.load(Organization, world.far_cell).guests_on(date(2030, 9, 4)) == set()
    assert app.load(Member, away).away_transfer_id is None
    assert app.load(Member, away).cell_id == world.cell
    assert away in roll(app, world.cell, date(2030, 9, 4))


# --- Known defects (see the report; the markers go when production is fixed) -------------------


async def test_the_probation_ladder_follows_a_transferred_probationer_to_the_new_cell(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    app = world.app
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    (probationer,) = world.add_members(world.cell, 1, joined_on=date(2029, 10, 1), full=False)
    await client.start_workflow(
        ProbationWorkflow.run,
        ProbationStart(probationer),
        id=f"probation-{probationer}",
        task_queue=TASK_QUEUE,
    )
    transfer = await start_transfer(client, probationer, world.far_cell, date(2029, 12, 3))
    await transfer.forward(up_and_down(world), date(2029, 12, 4))
    await transfer.step("present_letter", date(2029, 12, 10))
    await transfer.step("accept_transfer", date(2029, 12, 11))
    await transfer.handle.result()

    # PRB-REVIEW: 30 WD from the end of probation, Tuesday 2030-10-01 (not counted), no
    # holiday in October–November 2030: Oct 2–4 (3), 7–11 (8), 14–18 (13), 21–25 (18),
    # Oct 28–Nov 1 (23), Nov 4–8 (28), 11–12 (30) → due 2030-11-12. The reminder, 5 WD
    # before: Nov 11, 8, 7, 6, 5 → 2030-11-05, to the cell the member now belongs to.
    await travel_to(env, instant(date(2030, 11, 5), time(1)))
    fired = await eventually(lambda: escalations(app, probationer))
    assert fired == [("PRB-REVIEW", 0, world.far_cell, date(2030, 11, 12), date(2030, 11, 5))]


async def test_a_step_sent_right_after_the_start_waits_for_the_transfer_to_open(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    transfer = await start_transfer(
        client, world.members[world.cell][0], world.far_cell, date(2029, 12, 3), opened=False
    )
    view = await transfer.hop(world.cell, world.grassroots, date(2029, 12, 4))
    assert (view.stage, len(view.awaiting)) == ("in_transit", 3)
