"""The web's pages that start a process, in-process on the API's stack: opening a case from the
board, and starting, then cancelling, a member's transfer. Each form is the API's request body,
goes through the API's own command, and a refusal comes back beside the field it judges with
its rule id — writing nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest_asyncio

from domain.admission import AdmissionCase
from domain.member import Member
from domain.person import Person
from domain.transfer import Transfer, TransferStage
from tests.api.conftest import PASSWORD, TODAY, Stack, applicant

DAY = TODAY.strftime("%d/%m/%Y")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def session(stack: Stack, name: str) -> httpx.AsyncClient:
    client = stack.fresh()
    response = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


@pytest_asyncio.fixture(loop_scope="session")
async def secretary(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "secretary")
    yield client
    await client.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def department(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "department")
    yield client
    await client.aclose()


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], page: str | None = None
) -> httpx.Response:
    """A form as the browser sends it: with the CSRF token of the page it is on."""
    shown = await client.get(page or path)
    token = CSRF.search(shown.text)
    assert token, shown.text[:500]
    return await client.post(path, data={"csrf": token.group(1), **data})


def error_beside(html: str, field: str) -> str:
    """The error shown beside a field of a start form (its id: f-<name, dots as dashes>)."""
    found = re.search(rf'id="err-f-{re.escape(field.replace(".", "-"))}">([^<]*)<', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def person_form(cell: UUID, **overrides: str) -> dict[str, str]:
    person = applicant()
    return {
        "cell_id": str(cell),
        "on": DAY,
        "person.full_name": person["full_name"],
        "person.birth_date": "12/07/1998",
        "person.citizen_id": person["citizen_id"],
        "person.gender": "female",
        "person.ethnicity": "Kinh",
        "person.address": person["address"],
        "person.education": "upper_secondary",
        "person.youth_union_member": "on",
        **overrides,
    }


async def test_a_secretary_opens_a_case_from_the_board_at_their_own_cell_only(
    stack: Stack, secretary: httpx.AsyncClient
) -> None:
    world = stack.world
    board = await secretary.get("/board")
    assert 'href="/cases/new?cell=' in board.text and "+ Mở hồ sơ" in board.text
    page = await secretary.get("/cases/new")
    assert page.status_code == 200
    assert f'value="{world.cell}"' in page.text
    assert f'value="{world.far_cell}"' not in page.text  # only where the role may open one
    for name in ("person.full_name", "person.citizen_id", "person.education", "helper_member_id"):
        assert f'name="{name}"' in page.text

    opened = await post_form(
        secretary, "/cases/new", person_form(world.cell, **{"person.full_name": "Lò Thị Én"})
    )
    assert opened.status_code == 303
    case_id = UUID(opened.headers["location"].split("/")[2].split("?")[0])
    case = stack.app.load(AdmissionCase, case_id)
    assert case.cell_id == world.cell and case.opened_on == TODAY
    assert stack.app.load(Person, case.person_id).data.full_name == "Lò Thị Én"
    shown = await secretary.get(opened.headers["location"])
    assert "Đã ghi nhận: Mở hồ sơ" in shown.text and "Lò Thị Én" in shown.text


async def test_a_bad_person_form_is_refused_field_by_field_and_writes_nothing(
    stack: Stack, secretary: httpx.AsyncClient
) -> None:
    world = stack.world
    before = stack.written()
    bad = person_form(
        world.cell,
        **{"person.full_name": " ", "person.citizen_id": "12ab", "person.birth_date": "31/02/1998"},
    )
    refused = await post_form(secretary, "/cases/new", bad)
    assert refused.status_code == 422
    assert error_beside(refused.text, "person.full_name") == "Bắt buộc"
    assert error_beside(refused.text, "person.citizen_id").startswith("Số CCCD gồm 12 chữ số")
    assert error_beside(refused.text, "person.birth_date") == "Ngày theo dạng dd/mm/yyyy"
    assert 'value="12ab"' in refused.text  # what was typed is shown again

    # Someone recorded at another grassroots organization: the API's own refusal, beside the
    # citizen ID, and nothing of that person is shown.
    far = await stack.open_case("admin", world.far_cell, full_name="Vi Văn Xa")
    citizen = stack.app.load(
        Person, stack.app.load(AdmissionCase, UUID(far["subject_id"])).person_id
    ).data.citizen_id
    before = stack.written()
    elsewhere = await post_form(
        secretary, "/cases/new", person_form(world.cell, **{"person.citizen_id": citizen})
    )
    assert elsewhere.status_code == 422
    assert error_beside(elsewhere.text, "person.citizen_id").startswith("[PERSON-ELSEWHERE]")
    assert "Vi Văn Xa" not in elsewhere.text
    assert stack.written() == before

    # In English, and a day no rule set governs: beside the date, with its rule id.
    secretary.cookies.set("lang", "en")
    early = await post_form(secretary, "/cases/new", person_form(world.cell, on="04/01/2010"))
    secretary.cookies.delete("lang")
    assert early.status_code == 422
    assert error_beside(early.text, "on").startswith("[RULES-PERIOD]")
    assert "Open an admission case" in early.text
    assert stack.written() == before


async def test_an_officer_starts_a_transfer_from_a_member_s_page_and_cancels_it_once_confirmed(
    stack: Stack, department: httpx.AsyncClient
) -> None:
    world = stack.world
    (member,) = world.add_members(world.cell, 1)
    stack.project()
    page = await department.get(f"/members/{member}")
    assert f'href="/members/{member}/transfer"' in page.text
    form = await department.get(f"/members/{member}/transfer")
    assert '<optgroup label="' in form.text
    assert f'value="{world.cell}"' not in form.text  # not to the member's own cell

    start = {
        "kind": "temporary",
        "reason": "work_away",
        "destination_org_id": str(world.far_cell),
        "trigger_on": DAY,
        "on": DAY,
    }
    before = stack.written()
    refused = await post_form(department, f"/members/{member}/transfer", start)
    assert refused.status_code == 422
    assert error_beside(refused.text, "returns_on").startswith("[TRF-TEMP]")
    assert stack.written() == before

    started = await post_form(
        department,
        f"/members/{member}/transfer",
        {**start, "kind": "official", "reason": "new_job"},
    )
    assert started.status_code == 303, started.text[:2000]
    transfer_id = UUID(started.headers["location"].split("/")[2].split("?")[0])
    transfer = stack.app.load(Transfer, transfer_id)
    assert transfer.member_id == member and transfer.destination_org_id == world.far_cell

    # Cancelling cannot be undone: the page says so, and the box must be ticked.
    path = f"/transfers/{transfer_id}"
    shown = await department.get(path)
    assert "Hủy là không hoàn tác được" in shown.text
    before = stack.written()
    unconfirmed = await post_form(
        department, f"{path}/steps/cancel_transfer", {"on": DAY, "key": "k1"}, page=path
    )
    assert unconfirmed.status_code == 422
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.text
    assert stack.written() == before
    cancelled = await post_form(
        department,
        f"{path}/steps/cancel_transfer",
        {"on": DAY, "key": "k2", "confirm": "on"},
        page=path,
    )
    assert cancelled.status_code == 303
    assert stack.app.load(Transfer, transfer_id).stage is TransferStage.cancelled
    assert stack.app.load(Member, member).cell_id == world.cell

    stack.project()
    finished = await department.get("/transfers?state=finished")
    assert path in finished.text
    searched = await department.get("/transfers", params={"state": "finished", "q": "khong co ai"})
    assert path not in searched.text


async def test_the_receiving_side_is_not_offered_a_cancellation_and_is_refused_one(
    stack: Stack,
) -> None:
    world = stack.world
    (member,) = world.add_members(world.cell, 1)
    stack.project()
    started = await stack.http.post(
        "/api/transfers",
        json=start_body(member, world.far_cell),
        headers=stack.as_("department"),
    )
    assert started.status_code == 201, started.text
    transfer_id = started.json()["subject_id"]
    stack.project()

    receiving = await session(stack, "far_department")
    page = await receiving.get(f"/transfers/{transfer_id}")
    await receiving.aclose()
    assert page.status_code == 200
    assert 'id="step-cancel_transfer"' not in page.text
    before = stack.written()
    refused = await stack.http.post(
        f"/api/transfers/{transfer_id}/steps",
        json={"kind": "cancel_transfer", "on": TODAY.isoformat(), "args": {}},
        headers=stack.as_("far_department"),
    )
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "TRF-CANCEL")
    assert stack.written() == before


def start_body(member: Any, destination: Any) -> dict[str, Any]:
    return {
        "member_id": str(member),
        "kind": "official",
        "reason": "new_job",
        "destination_org_id": str(destination),
        "trigger_on": TODAY.isoformat(),
        "on": TODAY.isoformat(),
    }
