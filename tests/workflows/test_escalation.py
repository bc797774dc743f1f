"""Deadlines and escalation on the real Temporal test server: ladders fire on the right
working days, extensions move them, refusals change nothing, deadlocks go up."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.member import Member
from infra.notifications import Notifications
from tests.builders import World
from tests.workflows.conftest import eventually, instant, travel_to, until
from tests.workflows.steps import CaseDriver, open_case


def escalations(app: Dangvien, subject: UUID) -> list[tuple[str, int, UUID, date]]:
    """(rule, level, organization told, day it fired) from the record."""
    return [
        (h.facts["rule_id"], h.facts["level"], h.facts["target_org_id"], h.effective_on)
        for h in app.history(subject)
        if h.name.endswith(".Escalated")
    ]


async def test_the_ceremony_ladder_fires_on_the_right_working_days_across_tet(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    await case.step("receive_decision", date(2030, 1, 2))
    # ADM-CEREMONY: 30 WD from 2030-01-02 (not counted): Jan 3–4 (2), 7–11 (7), 14–18 (12),
    # 21–25 (17), 28–30 (20); Jan 31 and Feb 1 are Tết eves, Feb 4–6 Tết; Feb 7–8 (22),
    # 11–15 (27), 18–20 (30) → due 2030-02-20.
    assert (await case.status()).deadline.due == date(2030, 2, 20)  # type: ignore[union-attr]
    app = world.app

    # Reminder 5 WD before: Feb 19, 18, 15, 14, 13 → fires on 2030-02-13, to the cell.
    await travel_to(env, instant(date(2030, 2, 12), time(23)))
    assert escalations(app, case.case_id) == []
    await travel_to(env, instant(date(2030, 2, 13), time(1)))
    fired = await eventually(lambda: escalations(app, case.case_id))
    assert fired == [("ADM-CEREMONY", 0, world.cell, date(2030, 2, 13))]

    # The unit above, the first working day after the due date: Thursday 2030-02-21.
    await travel_to(env, instant(date(2030, 2, 21), time(1)))
    fired = await eventually(lambda: escalations(app, case.case_id)[1:])
    assert fired == [("ADM-CEREMONY", 1, world.grassroots, date(2030, 2, 21))]

    # The competent committee's organization department, 10 WD after the due date:
    # Feb 21–22 (2), 25–Mar 1 (7), Mar 4–6 (10) → 2030-03-06, to the commune committee.
    await travel_to(env, instant(date(2030, 3, 6), time(1)))
    fired = await eventually(lambda: escalations(app, case.case_id)[2:])
    assert fired == [("ADM-CEREMONY", 2, world.commune, date(2030, 3, 6))]
    late = app.history(case.case_id)[-1].facts["overdue_wd"]
    assert late == 10  # working days overdue when the department heard of it

    rows = [r for r in notifications.for_subject(case.case_id) if r.kind == "escalation"]
    assert [(r.level, r.org_id) for r in rows] == [
        (0, world.cell),
        (1, world.grassroots),
        (2, world.commune),
    ]
    assert "ADM-CEREMONY" in rows[2].message_vi and "quá hạn 10" in rows[2].message_vi
    view = await case.status()
    assert view.escalation_level == 2


async def test_an_extension_moves_the_decision_deadline_and_its_ladder(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.dossier(date(2029, 12, 3))
    await case.step("record_cell_vote", date(2029, 12, 20), votes_for=7, votes_against=2)
    # ADM-DECIDE: 60 WD from 2029-12-20 → 2030-03-22 (Jan 1 and Tết skipped); the reminder
    # 10 WD before: 2030-03-08.
    view = await case.step(
        "record_committee_vote", date(2029, 12, 27), committee_size=9, votes_for=8, votes_against=1
    )
    assert view.deadline is not None and view.deadline.due == date(2030, 3, 22)
    view = await case.step(
        "extend_decision_deadline", date(2030, 3, 1), extra_wd=30, reason="bổ sung thẩm tra"
    )
    # + 30 WD from 2030-03-22: Mar 25–29 (5), Apr 1–5 (10), 8–11 (14; Apr 12 Hùng Kings),
    # 15–19 (19), 22–26 (24), Apr 29 (25; Apr 30, May 1 off), May 2–3 (27), 6–8 (30)
    # → 2030-05-08; its reminder 10 WD before: May 7, 6, 3, 2, Apr 29, 26, 25, 24, 23, 22
    # → 2030-04-22.
    assert view.deadline is not None and view.deadline.due == date(2030, 5, 8)
    await travel_to(env, instant(date(2030, 3, 9), time(1)))  # past the old reminder
    await until(lambda: _level_is(case, -1))
    assert escalations(world.app, case.case_id) == []
    await travel_to(env, instant(date(2030, 4, 22), time(1)))
    fired = await eventually(lambda: escalations(world.app, case.case_id))
    assert fired == [("ADM-DECIDE", 0, world.commune, date(2030, 4, 22))]


async def _level_is(case: CaseDriver, level: int) -> bool:
    return (await case.status()).escalation_level == level


async def test_a_refused_step_leaves_the_case_and_the_record_unchanged(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    before_view = await case.status()
    before = world.app.recorder.max_notification_id()

    # The validator: the case is at the course stage, no decision yet (CASE-STAGE).
    with pytest.raises(WorkflowUpdateFailedError) as by_validator:
        await case.step("decide", date(2029, 12, 4), number="1", decided_by=str(world.commune))
    assert _rule(by_validator.value) == "CASE-STAGE"

    # The domain: an introducer who is no full member (a probationer) — ADM-INTRO-TIME.
    (probationer,) = world.add_members(world.cell, 1, joined_on=date(2029, 6, 1), full=False)
    before = world.app.recorder.max_notification_id()
    with pytest.raises(WorkflowUpdateFailedError) as by_domain:
        await case.step(
            "assign_introducer",
            date(2029, 12, 4),
            slot=1,
            kind="full_member",
            letter_on="2029-12-04",
            member_id=str(probationer),
            together_since="2015-01-01",
        )
    assert _rule(by_domain.value) == "ADM-INTRO-TIME"
    assert world.app.recorder.max_notification_id() == before
    assert await case.status() == before_view
    # The process goes on: the next right step is accepted.
    view = await case.step("record_certificate", date(2029, 12, 4), number="45/GCN")
    assert view.stage == "application"


def _rule(error: WorkflowUpdateFailedError) -> str:
    cause = error.cause
    assert isinstance(cause, ApplicationError)
    details = cause.details[0]
    assert isinstance(details, dict)
    assert details["vi"] and details["en"]
    return str(details["rule_id"])


async def _to_probation(env: WorkflowEnvironment, client: Client, world: World) -> CaseDriver:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    await case.step("receive_decision", date(2030, 1, 2))
    await case.step("hold_ceremony", date(2030, 1, 10))
    await case.wait_for("member")
    return case


async def test_a_probationer_is_struck_off_after_a_failed_review(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    case = await _to_probation(env, client, world)
    await travel_to(env, instant(date(2031, 1, 13), time(9)))
    await case.recognition_papers(date(2031, 1, 13))
    # 5 of 9 for recognition: 15 < 18, short of two thirds.
    view = await case.step(
        "record_review_vote", date(2031, 1, 13), motion="recognize", votes_for=5, votes_against=4
    )
    assert view.failed_votes == 1
    await case.step(
        "record_review_vote", date(2031, 1, 20), motion="strike_off", votes_for=7, votes_against=2
    )
    await case.step(
        "strike_off", date(2031, 2, 3), decided_by=str(world.commune), reason="không đủ tư cách"
    )
    result = await case.handle.result()
    assert result.stage == "struck_off"
    assert result.member_id is not None
    assert world.app.load(Member, result.member_id).struck_off_on == date(2031, 2, 3)


async def test_three_failed_votes_escalate_to_the_competent_committee_above_the_cell(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    case = await _to_probation(env, client, world)
    await travel_to(env, instant(date(2031, 1, 13), time(9)))
    await case.recognition_papers(date(2031, 1, 13))
    for day in (13, 20, 27):
        await travel_to(env, instant(date(2031, 1, day), time(9)))
        view = await case.step(
            "record_review_vote",
            date(2031, 1, day),
            motion="recognize",
            votes_for=5,
            votes_against=4,
        )
    assert view.failed_votes == 3
    member_id = view.member_id
    assert member_id is not None
    # PRB-DEADLOCK: at once, to the directly-superior committee that is competent (the
    # commune committee), which decides on the deadlock rather than on a cell resolution.
    fired = await eventually(lambda: escalations(world.app, member_id))
    assert fired == [("PRB-DEADLOCK", 3, world.commune, date(2031, 1, 27))]
    with pytest.raises(WorkflowUpdateFailedError) as refused:  # the cell no longer decides
        await case.step("recognize", date(2031, 2, 3), decided_by=str(world.commune))
    assert _rule(refused.value) == "PRB-DEADLOCK"
    await case.step(
        "recognize", date(2031, 2, 3), decided_by=str(world.commune), by_upper_committee=True
    )
    result = await case.handle.result()
    assert result.stage == "full"
    assert world.app.load(AdmissionCase, case.case_id).member_id == member_id
