"""An admission case as a durable process, on the real Temporal test server."""

from __future__ import annotations

from datetime import date, time

import pytest
import structlog
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.admission import AdmissionCase
from domain.member import Member, Status
from domain.person import Person
from infra.notifications import Notifications
from tests.builders import World
from tests.workflows.conftest import instant, travel_to
from tests.workflows.steps import open_case


async def test_a_case_runs_from_source_to_recognition_as_a_full_member(
    env: WorkflowEnvironment, client: Client, world: World, notifications: Notifications
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    assert (await case.status()).stage == "course"
    await case.to_ceremony(date(2029, 12, 3), decided_on=date(2029, 12, 20))
    await case.step("receive_decision", date(2030, 1, 2))
    view = await case.step("hold_ceremony", date(2030, 1, 10))
    assert view.stage == "admitted"
    member_id = view.member_id
    assert member_id is not None
    member = world.app.load(Member, member_id)
    assert member.probation_ends == date(2031, 1, 10)  # PRB-LENGTH

    # The same workflow id continues as the probation.
    await case.wait_for("member")
    await travel_to(env, instant(date(2031, 1, 13), time(9)))
    # PRB-DOSSIER: the vote waits for its prerequisites; the process takes each step.
    before = world.app.recorder.max_notification_id()
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await case.step(
            "record_review_vote",
            date(2031, 1, 13),
            motion="recognize",
            votes_for=8,
            votes_against=1,
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    details = cause.details[0]
    assert details["rule_id"] == "PRB-DOSSIER" and details["vi"] and details["en"]
    assert world.app.recorder.max_notification_id() == before
    view = await case.recognition_papers(date(2031, 1, 13))
    assert "record_review_vote" in view.awaiting
    await case.step(
        "record_review_vote", date(2031, 1, 13), motion="recognize", votes_for=8, votes_against=1
    )
    # The cell's resolution makes the recognition the competent committee's to do (issue 16).
    told = [r for r in notifications.for_subject(member_id) if r.kind == "assignment"]
    assert [(r.org_id, r.rule_id) for r in told] == [(world.commune, "PRB-DECIDE")]
    assert "công nhận đảng viên chính thức" in told[0].message_vi
    await case.step("recognize", date(2031, 1, 20), decided_by=str(world.commune))
    result = await case.handle.result()
    assert result.stage == "full"
    assert world.app.load(Member, member_id).full_from == date(2031, 1, 10)  # PRB-EFFECTIVE
    assert world.app.load(Member, member_id).status_on(date(2031, 1, 10)) is Status.full
    assert world.app.load(AdmissionCase, case.case_id).ceremony_on == date(2030, 1, 10)


async def test_logs_carry_ids_and_never_personal_data(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    with structlog.testing.capture_logs() as logs:
        case = await open_case(client, world, date(2029, 12, 3))
        await case.dossier(date(2029, 12, 3))
    person = world.app.load(Person, case.person_id).data
    steps = [entry for entry in logs if entry.get("step")]
    assert {"declare_background", "summarize_comments"} <= {e["step"] for e in steps}
    assert all(e["workflow_id"] == case.workflow_id for e in steps)
    text = repr(logs)
    for secret in (person.full_name, person.citizen_id, "Nguyễn Văn Ba", "Lê Thị Tư"):
        assert secret not in text


async def test_temporal_stores_the_case_encrypted(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(date(2029, 12, 3), time(9)))
    case = await open_case(client, world, date(2029, 12, 3))
    await case.dossier(date(2029, 12, 3))  # relatives' names travel in an update
    history = (await case.handle.fetch_history()).to_json()
    assert "binary/encrypted" in history or "YmluYXJ5L2VuY3J5cHRlZA" in history
    for secret in ("Nguyễn Văn Ba", "Lê Thị Tư", "Nguyen Van Ba", "45/GCN"):
        assert secret not in history
    assert case.workflow_id == f"admission-{case.case_id}"  # an opaque id, no name
