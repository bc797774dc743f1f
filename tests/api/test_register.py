"""The member register through the API: a name typed without accents finds the member, with
their name for the roles that may see it; a citizen ID travels in the body, never in the
address; nothing outside the user's subtree is found; the roll of a cell on a past day names
who was on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import pytest
import pytest_asyncio

from domain.values import TransferKind, TransferReason
from tests.api.conftest import PASSWORD, Stack
from tests.builders import World, ctx, person_data
from tests.unit.test_members_and_transfers import complete_transfer

NAME = "Phùng Thị Đoan Trang"  # no other member of the stack has these words
FAR_NAME = "Phùng Văn Đoan"
MOVED_ON = date(2018, 10, 15)


@dataclass
class Registered:
    member: str
    citizen_id: str
    far_member: str
    far_citizen_id: str


def add(world: World, name: str, cell: UUID, joined: date) -> tuple[str, str]:
    data = person_data(full_name=name)
    person = world.app.register_person(ctx(), data, joined)
    member = world.app.register_member(
        ctx(),
        person_id=person,
        cell_id=cell,
        joined_on=joined,
        decided_on=joined,
        full_from=date(joined.year + 1, joined.month, joined.day),
    )
    return str(member), data.citizen_id


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def registered(stack: Stack) -> Registered:
    w = stack.world
    member, citizen_id = add(w, NAME, w.cell, date(2012, 4, 2))
    far, far_citizen_id = add(w, FAR_NAME, w.far_cell, date(2012, 4, 2))
    complete_transfer(  # from `cell` to `residence_cell` on 2018-10-15
        w,
        UUID(member),
        TransferKind.internal,
        TransferReason.reorganisation,
        [w.cell, w.grassroots, w.residence_cell],
        start_on=date(2018, 10, 1),
        accept_on=MOVED_ON,
    )
    stack.project()
    return Registered(member, citizen_id, far, far_citizen_id)


async def search(stack: Stack, user: str, **body: Any) -> httpx.Response:
    return await stack.http.post("/api/members/search", json=body, headers=stack.as_(user))


async def test_a_name_typed_without_accents_finds_the_member_with_their_name(
    stack: Stack, registered: Registered
) -> None:
    found = await search(stack, "secretary", q="phung thi doan trang")
    assert found.status_code == 200, found.json()
    body = found.json()
    # The secretary of `cell` no longer holds the member (moved to `residence_cell`).
    assert body["total"] == 0
    found = await search(stack, "grassroots", q="PHUNG doan")
    body = found.json()
    assert [m["member_id"] for m in body["members"]] == [registered.member]
    assert body["members"][0]["name"] == NAME
    assert body["members"][0]["cell_name"] == "Chi bộ thôn Tây"
    assert body["units"] == [
        {"org_id": str(stack.world.residence_cell), "name": "Chi bộ thôn Tây", "members": 1}
    ]
    # The member of the other grassroots organization is simply not there.
    assert registered.far_member not in {m["member_id"] for m in body["members"]}
    everywhere = (await search(stack, "department", q="phung doan")).json()
    assert {m["member_id"] for m in everywhere["members"]} == {
        registered.member,
        registered.far_member,
    }
    assert everywhere["total"] == 2


async def test_a_citizen_id_in_the_body_finds_the_member_only_inside_the_subtree(
    stack: Stack, registered: Registered
) -> None:
    mine = (await search(stack, "grassroots", citizen_id=registered.citizen_id)).json()
    assert [m["member_id"] for m in mine["members"]] == [registered.member]
    outside = (await search(stack, "grassroots", citizen_id=registered.far_citizen_id)).json()
    assert (outside["total"], outside["members"], outside["units"]) == (0, [], [])
    # No route takes it in the address (here the GET reads as a member id that is none).
    refused = await stack.http.get(
        "/api/members/search",
        params={"citizen_id": registered.citizen_id},
        headers=stack.as_("grassroots"),
    )
    assert refused.status_code == 422
    assert registered.citizen_id not in refused.text


async def test_an_auditor_lists_members_without_names_and_may_not_search_people(
    stack: Stack, registered: Registered
) -> None:
    listed = (
        await search(stack, "auditor", org_id=str(stack.world.residence_cell), status="full")
    ).json()
    assert registered.member in {m["member_id"] for m in listed["members"]}
    assert {m["name"] for m in listed["members"]} == {None}
    refused = await search(stack, "auditor", q="phung")
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-ROLE")


async def test_the_roll_on_a_past_day_names_who_was_on_it(
    stack: Stack, registered: Registered
) -> None:
    w = stack.world
    before = await stack.http.get(
        f"/api/orgs/{w.cell}/roll", params={"on": "2018-09-30"}, headers=stack.as_("secretary")
    )
    assert before.status_code == 200, before.json()
    body = before.json()
    assert body["on"] == "2018-09-30"
    named = {m["member_id"]: m["name"] for m in body["members"]}
    assert named[registered.member] == NAME
    assert registered.member in body["full"]
    assert body["away"] is None
    after = await stack.http.get(
        f"/api/orgs/{w.cell}/roll", params={"on": MOVED_ON.isoformat()}, headers=stack.as_("admin")
    )
    assert registered.member not in {m["member_id"] for m in after.json()["members"]}
    today = await stack.http.get(f"/api/orgs/{w.residence_cell}/roll", headers=stack.as_("auditor"))
    listed = {m["member_id"]: m for m in today.json()["members"]}
    assert listed[registered.member]["name"] is None  # auditors see no names
    assert today.json()["away"] == []


@pytest.mark.parametrize(
    "on", ["2018-13-01", "30/09/2018", "9999-01-01", "1200-01-01", "yesterday", ""]
)
async def test_a_bad_day_for_a_roll_is_refused_in_the_structured_shape(
    stack: Stack, registered: Registered, on: str
) -> None:
    response = await stack.http.get(
        f"/api/orgs/{stack.world.cell}/roll", params={"on": on}, headers=stack.as_("secretary")
    )
    assert response.status_code == 422, response.text
    assert response.json()["rule_id"] == "REQUEST-INVALID"


# --- the web's pages ----------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def log_in(web: httpx.AsyncClient, user: str) -> None:
    login = await web.post("/api/auth/login", json={"username": user, "password": PASSWORD})
    assert login.status_code == 200, login.text


async def test_the_register_page_finds_a_name_typed_without_accents_and_shows_the_roll_on_a_day(
    stack: Stack, registered: Registered
) -> None:
    async with stack.fresh() as web:
        await log_in(web, "grassroots")
        listed = await web.get("/members")
        assert listed.status_code == 200
        assert "Danh sách đảng viên" in listed.text and "Chi bộ thôn Tây" in listed.text
        token = CSRF.search(listed.text)
        assert token is not None
        found = await web.post("/members", data={"csrf": token[1], "q": "phung thi doan"})
        assert found.status_code == 200, found.text
        assert NAME in found.text and f'href="/members/{registered.member}"' in found.text
        assert "Tìm thấy 1 đảng viên" in found.text
        bad = await web.post("/members", data={"csrf": token[1], "citizen_id": "12ab"})
        assert bad.status_code == 422 and 'id="err-citizen_id"' in bad.text
        forged = await web.post("/members", data={"csrf": "0" * 64, "q": "phung"})
        assert forged.status_code == 403 and NAME not in forged.text

        roll = await web.get("/roll", params={"org": str(stack.world.cell), "on": "30/09/2018"})
        assert roll.status_code == 200, roll.text
        assert "Những gì đúng vào ngày này" in roll.text and NAME in roll.text
        assert 'value="30/09/2018"' in roll.text
        later = await web.get("/roll", params={"org": str(stack.world.cell), "on": "15/10/2018"})
        assert NAME not in later.text
        wrong = await web.get("/roll", params={"org": str(stack.world.cell), "on": "31/02/2018"})
        assert wrong.status_code == 422 and 'id="err-on"' in wrong.text
        far = await web.get("/roll", params={"org": str(stack.world.far_cell)})
        assert far.status_code == 404

    async with stack.fresh() as web:
        await log_in(web, "auditor")
        listed = await web.get("/members", params={"org": str(stack.world.residence_cell)})
        assert listed.status_code == 200
        assert 'name="q"' not in listed.text and NAME not in listed.text
