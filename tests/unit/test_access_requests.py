"""Access requests in the record (domain/access_request.py, docs/privacy.md): recorded once per
command key with who asked, when, how and on which ground; refused before anything is written
when the requester is not named, the day has not come or the ground does not apply; each file
handed over an answer with its fingerprint and its actor."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.access_request import (
    AccessGround,
    AccessRequest,
    RequestChannel,
    RequestedBy,
    Requester,
)
from domain.values import Role
from tests.builders import World, ctx
from tests.unit.test_admission import open_case, refused

TODAY = date(2026, 3, 10)


def record(world: World, person: UUID, key: str = "", **changes: Any) -> UUID:
    args: dict[str, Any] = {
        "request_id": uuid4(),
        "person_id": person,
        "requested_by": RequestedBy.data_subject,
        "requester_name": "Nguyễn Thị Hoa",
        "requester_capacity": "",
        "channel": RequestChannel.in_person,
        "received_on": date(2026, 3, 2),
        "today": TODAY,
        **changes,
    }
    return world.app.record_access_request(
        ctx(Role.org_department_officer, world.commune, key), **args
    )


def test_a_request_is_recorded_with_who_asked_how_and_its_ground_once_per_key(
    world: World,
) -> None:
    person = open_case(world).person_id
    request_id = uuid4()
    record(world, person, "k-1", request_id=request_id)
    before = world.app.recorder.max_notification_id()
    assert record(world, person, "k-1", request_id=request_id) == request_id
    assert world.app.recorder.max_notification_id() == before  # a repeat writes nothing
    (request,) = world.app.access_requests_of(person)
    assert request.id == request_id
    assert request.ground is AccessGround.pdp_law_2025  # the one in force on the day
    assert (request.channel, request.received_on) == (RequestChannel.in_person, date(2026, 3, 2))
    (event,) = world.app.history(request_id)
    assert event.name == "AccessRequest.AccessRequested"
    assert (event.actor.role, event.actor.org_id) == (Role.org_department_officer, world.commune)
    assert event.effective_on == date(2026, 3, 2)
    assert event.facts["requester"] == Requester("Nguyễn Thị Hoa", "")  # one personal value


def test_a_request_received_before_the_law_rests_on_the_decree_of_2023(world: World) -> None:
    person = open_case(world).person_id
    record(world, person, received_on=date(2025, 11, 20))
    (request,) = world.app.access_requests_of(person)
    assert request.ground is AccessGround.pdp_decree_2023
    with refused(world.app, "PDP-GROUND"):
        record(world, person, received_on=date(2025, 11, 20), ground=AccessGround.pdp_law_2025)
    with refused(world.app, "PDP-GROUND"):
        record(world, person, received_on=date(2023, 1, 5))


def test_a_request_names_its_requester_and_a_representative_their_capacity(
    world: World,
) -> None:
    person = open_case(world).person_id
    with refused(world.app, "PDP-REQUESTER"):
        record(world, person, requester_name="  ")
    with refused(world.app, "PDP-REQUESTER"):
        record(world, person, requested_by=RequestedBy.representative, requester_name="Trần Văn B")
    record(
        world,
        person,
        requested_by=RequestedBy.representative,
        requester_name="Trần Văn B",
        requester_capacity="Giấy ủy quyền số 12/UQ",
    )
    assert world.app.access_requests_of(person)[0].requester_capacity == "Giấy ủy quyền số 12/UQ"


def test_a_request_is_recorded_once_it_was_received_not_before(world: World) -> None:
    person = open_case(world).person_id
    with refused(world.app, "DATE-ORDER"):
        record(world, person, received_on=date(2026, 3, 11))
    assert world.app.access_requests_of(person) == []


def test_each_file_handed_over_is_an_answer_with_its_fingerprint_and_actor(world: World) -> None:
    person = open_case(world).person_id
    request_id = record(world, person)
    by = ctx(Role.org_department_officer, world.commune)
    world.app.record_access_answer(by, request_id, sha256="ab" * 32, size=1234, on=TODAY)
    request = world.app.load(AccessRequest, request_id)
    assert request.answered and request.answers[0].sha256 == "ab" * 32
    assert request.answers[0].by == by.actor
    last = world.app.history(request_id)[-1]
    assert (last.name, last.facts["sha256"], last.actor) == (
        "AccessRequest.AccessAnswered",
        "ab" * 32,
        by.actor,
    )
    with refused(world.app, "DATE-ORDER"):
        world.app.record_access_answer(
            ctx(), request_id, sha256="cd" * 32, size=1, on=date(2026, 3, 1)
        )
