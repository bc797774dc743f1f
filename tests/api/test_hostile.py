"""Tried as a hostile user would: a cell secretary on the other side of the tree cannot take
over, correct or probe a person recorded outside their subtree, and learns nothing from the
answer but that the record is held elsewhere."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.member import Member
from domain.person import Person
from infra.security_events import PROBES_PER_HOUR
from tests.api.conftest import TODAY, Stack, applicant


def person_of_case(stack: Stack, case_id: str) -> UUID:
    return stack.app.load(AdmissionCase, UUID(case_id)).person_id


def person_of(stack: Stack, member_id: Any) -> Person:
    return stack.app.load(Person, stack.app.load(Member, member_id).person_id)


async def opening(stack: Stack, name: str, cell: Any, **person: Any) -> Any:
    return await stack.http.post(
        "/api/cases",
        json={"cell_id": str(cell), "on": TODAY.isoformat(), "person": applicant(**person)},
        headers=stack.as_(name),
    )


async def test_a_person_recorded_elsewhere_is_neither_taken_over_nor_corrected(
    stack: Stack,
) -> None:
    world = stack.world
    opened = await stack.open_case("secretary", world.cell, full_name="Lê Văn Sáu")
    person_id = person_of_case(stack, opened["subject_id"])
    citizen = stack.app.load(Person, person_id).data.citizen_id
    before = stack.written()
    hijack = await opening(
        stack, "far_secretary", world.far_cell, citizen_id=citizen, full_name="Kẻ Mạo Danh"
    )
    assert (hijack.status_code, hijack.json()["rule_id"]) == (403, "PERSON-ELSEWHERE")
    assert "Lê Văn Sáu" not in hijack.text
    assert stack.written() == before
    assert stack.app.load(Person, person_id).data.full_name == "Lê Văn Sáu"
    # Nor can they read the person's timeline, nor correct the record: unknown to them.
    timeline = await stack.http.get(
        f"/api/people/{person_id}/timeline", headers=stack.as_("far_secretary")
    )
    assert timeline.status_code == 404
    correction = await stack.http.post(
        f"/api/people/{person_id}/correction",
        json={"on": TODAY.isoformat(), "person": applicant(citizen_id=citizen)},
        headers=stack.as_("far_grassroots"),
    )
    assert (correction.status_code, correction.json()["rule_id"]) == (404, "NOT-FOUND")
    assert stack.written() == before


async def test_the_refusal_is_the_same_for_a_member_a_case_and_a_closed_case_elsewhere(
    stack: Stack,
) -> None:
    world = stack.world
    member = person_of(stack, world.members[world.cell][0]).data.citizen_id
    case = await stack.open_case("secretary", world.cell)
    in_progress = stack.app.load(Person, person_of_case(stack, case["subject_id"]))
    closed = await stack.open_case("secretary", world.cell)
    await stack.step("secretary", closed["subject_id"], "withdraw", reason="Rút hồ sơ")
    ended = stack.app.load(Person, person_of_case(stack, closed["subject_id"]))
    answers = [
        await opening(stack, "far_secretary", world.far_cell, citizen_id=citizen)
        for citizen in (member, in_progress.data.citizen_id, ended.data.citizen_id)
    ]
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].json()["rule_id"] == "PERSON-ELSEWHERE"


async def test_probing_people_elsewhere_is_recorded_and_then_refused(stack: Stack) -> None:
    world = stack.world
    citizen = person_of(stack, world.members[world.cell][1]).data.citizen_id
    security = stack.services.security
    seen = security.recent(stack.users["far_grassroots"].id, "PERSON-ELSEWHERE")
    answers = [
        (await opening(stack, "far_grassroots", world.far_cell, citizen_id=citizen)).status_code
        for _ in range(PROBES_PER_HOUR + 2 - seen)
    ]
    assert answers[-1] == 429
    assert set(answers[: PROBES_PER_HOUR - seen]) == {403}
    assert security.recent(stack.users["far_grassroots"].id, "PERSON-ELSEWHERE") == PROBES_PER_HOUR


async def test_a_person_is_corrected_by_their_own_subtree_only_through_the_correction(
    stack: Stack,
) -> None:
    world = stack.world
    opened = await stack.open_case("secretary", world.cell, full_name="Phạm Thị Bảy")
    person_id = person_of_case(stack, opened["subject_id"])
    citizen = stack.app.load(Person, person_id).data.citizen_id
    again = await opening(stack, "secretary", world.cell, citizen_id=citizen, full_name="Khác")
    assert again.status_code == 409  # CASE-UNIQUE: and the record is not silently rewritten
    assert stack.app.load(Person, person_id).data.full_name == "Phạm Thị Bảy"
    corrected = await stack.http.post(
        f"/api/people/{person_id}/correction",
        json={
            "on": TODAY.isoformat(),
            "person": applicant(citizen_id=citizen, full_name="Phạm Thị Tám"),
        },
        headers=stack.as_("grassroots"),
    )
    assert corrected.status_code == 200, corrected.text
    assert stack.app.load(Person, person_id).data.full_name == "Phạm Thị Tám"


async def test_a_case_that_does_not_open_leaves_no_person_behind(stack: Stack) -> None:
    world = stack.world
    before = stack.written()
    refused = await stack.http.post(
        "/api/cases",
        json={"cell_id": str(world.grassroots), "on": TODAY.isoformat(), "person": applicant()},
        headers=stack.as_("grassroots"),
    )
    assert refused.json()["rule_id"] == "ORG-TREE"
    assert stack.written() == before
