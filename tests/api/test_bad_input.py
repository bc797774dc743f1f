"""Bad input for every command: missing fields, wrong types, unknown ids, steps the stage does
not accept, another organization's records. Each gets a 4xx — with the rule id when a rule
refused it, `REQUEST-INVALID` with where and what when the body is malformed — and writes no
event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio

from domain.organization import Organization
from domain.values import CellSetting, OrgKind
from infra.api.app import create_api
from infra.api.services import Services
from tests.api.conftest import TODAY, Stack, applicant, free_port
from tests.builders import ctx

DAY = TODAY.isoformat()
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass
class Known:
    """Records of this module: a case at the course stage, a full member without a process, a
    transfer in transit (out of `other_cell`), the citizen ID of the case's applicant, and a
    cell no transfer touches (to dissolve)."""

    stack: Stack
    case: str
    citizen_id: str
    member: str
    transfer: str
    quiet_cell: str

    def org(self, name: str) -> str:
        return str(getattr(self.stack.world, name))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def known(stack: Stack) -> Known:
    person = applicant()
    case = await stack.http.post(
        "/api/cases",
        json={"cell_id": str(stack.world.cell), "on": DAY, "person": person},
        headers=stack.as_("secretary"),
    )
    member = str(stack.world.members[stack.world.cell][5])
    transfer = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(stack.world.members[stack.world.other_cell][0]),
            "kind": "official",
            "reason": "retirement",
            "destination_org_id": str(stack.world.far_cell),
            "trigger_on": DAY,
            "on": DAY,
        },
        headers=stack.as_("department"),
    )
    assert case.status_code == transfer.status_code == 201
    quiet = stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ Trạm y tế",
        parent_id=stack.world.grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.health_station,
    )
    stack.world.add_members(quiet, 3)
    stack.project()
    return Known(
        stack,
        case.json()["subject_id"],
        person["citizen_id"],
        member,
        transfer.json()["subject_id"],
        str(quiet),
    )


Body = Callable[[Known], Any]


@dataclass(frozen=True)
class Bad:
    user: str
    path: Callable[[Known], str]
    body: Body
    status: int
    rule_id: str | None  # None: a malformed request (REQUEST-INVALID, each problem's place)


def new_case(**changes: Any) -> Body:
    def body(k: Known) -> dict[str, Any]:
        return {"cell_id": k.org("cell"), "on": DAY, "person": applicant(), **changes}

    return body


def step(step_kind: str, on: str = DAY, /, **args: Any) -> Body:
    return lambda k: {"kind": step_kind, "on": on, "args": args}


def cases(k: Known) -> str:
    return "/api/cases"


def search(k: Known) -> str:
    return "/api/members/search"


def case_steps(k: Known) -> str:
    return f"/api/cases/{k.case}/steps"


def transfer_start(**changes: Any) -> Body:
    def body(k: Known) -> dict[str, Any]:
        return {
            "member_id": str(k.stack.world.members[k.stack.world.cell][6]),
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": k.org("far_cell"),
            "trigger_on": DAY,
            "on": DAY,
            **changes,
        }

    return body


def target(**fields: Any) -> Body:
    return lambda k: {"year": 2030, "on": DAY, **fields}


def dissolution(moves: Callable[[Known], list[dict[str, str]]]) -> Body:
    return lambda k: {"on": DAY, "moves": moves(k)}


def quiet_cell_members(k: Known) -> list[str]:
    """The roll of the cell no transfer touches."""
    cell = k.stack.app.load(Organization, UUID(k.quiet_cell))
    return sorted(str(m) for m in cell.members_on(TODAY))


BAD: dict[str, Bad] = {
    # --- open a case ---
    "case: no person": Bad(
        "secretary", cases, lambda k: {"cell_id": k.org("cell"), "on": DAY}, 422, None
    ),
    "case: cell id not a uuid": Bad("secretary", cases, new_case(cell_id="chi-bo-1"), 422, None),
    "case: birth date not a date": Bad(
        "secretary",
        cases,
        lambda k: {**new_case()(k), "person": applicant(birth_date="15/3/1995")},
        422,
        None,
    ),
    "case: unknown field": Bad("secretary", cases, new_case(priority="high"), 422, None),
    # a cell named in the body and not reached: unknown or elsewhere, the same refusal
    "case: unknown cell": Bad("secretary", cases, new_case(cell_id=UNKNOWN), 403, "ACCESS-SCOPE"),
    "case: another organization's cell": Bad(
        "secretary", cases, lambda k: new_case(cell_id=k.org("far_cell"))(k), 403, "ACCESS-SCOPE"
    ),
    "case: at a committee, not a cell": Bad(
        "grassroots", cases, lambda k: new_case(cell_id=k.org("grassroots"))(k), 422, "ORG-TREE"
    ),
    "case: before any rule set was in force": Bad(
        "secretary", cases, new_case(on="2010-01-04"), 422, "RULES-PERIOD"
    ),
    "case: the person already has a live case": Bad(
        "secretary",
        cases,
        lambda k: {
            **new_case()(k),
            "person": applicant(citizen_id=k.citizen_id, full_name="Đổi Tên"),
        },
        409,
        "CASE-UNIQUE",
    ),
    # --- a step of a case ---
    "step: missing argument": Bad("secretary", case_steps, step("record_certificate"), 422, None),
    "step: wrong type": Bad(
        "secretary",
        case_steps,
        step("record_cell_vote", votes_for="many", votes_against=0),
        422,
        None,
    ),
    "step: a number as a string": Bad(
        "secretary",
        case_steps,
        step("record_cell_vote", votes_for="7", votes_against=0),
        422,
        None,
    ),
    "step: a yes as a string": Bad(
        "secretary",
        case_steps,
        step("record_cell_vote", votes_for=7, votes_against=0, unit_has_youth_union="true"),
        422,
        None,
    ),
    "step: unknown kind": Bad("secretary", case_steps, step("approve_everything"), 422, None),
    "step: unknown argument": Bad(
        "secretary", case_steps, step("submit_application", urgent=True), 422, None
    ),
    "step: unknown value": Bad(
        "secretary", case_steps, step("record_comment", source="neighbours"), 422, None
    ),
    "step: a date out of range": Bad(
        "secretary", case_steps, step("submit_application", "1900-01-01"), 422, None
    ),
    "step: no such introducer slot": Bad(
        "secretary",
        case_steps,
        step("assign_introducer", slot=3, kind="full_member", letter_on=DAY),
        422,
        None,
    ),
    "step: unknown case": Bad(
        "secretary",
        lambda k: f"/api/cases/{UNKNOWN}/steps",
        step("submit_application"),
        404,
        "NOT-FOUND",
    ),
    "step: not at this stage": Bad(
        "secretary",
        case_steps,
        step("record_cell_vote", votes_for=7, votes_against=2),
        409,
        "CASE-STAGE",
    ),
    "step: refused by a rule": Bad(
        "secretary", case_steps, step("summarize_comments"), 422, "ADM-COMMENTS"
    ),
    "step: an introducer known too short a time": Bad(
        "secretary",
        case_steps,
        lambda k: step(
            "assign_introducer",
            slot=1,
            kind="full_member",
            letter_on=DAY,
            member_id=str(k.stack.world.members[k.stack.world.cell][0]),
            together_since="2029-12-01",
        )(k),
        422,
        "ADM-INTRO-TIME",
    ),
    "step: before any rule set was in force": Bad(
        "secretary",
        case_steps,
        step("record_certificate", "2000-01-01", number="1"),
        422,
        "RULES-PERIOD",
    ),
    "step: another organization's case": Bad(
        "far_secretary", case_steps, step("submit_application"), 404, "NOT-FOUND"
    ),
    "step: a full member introduces nobody unknown": Bad(
        "secretary",
        case_steps,
        step("assign_introducer", slot=1, kind="full_member", letter_on=DAY, member_id=UNKNOWN),
        404,
        "NOT-FOUND",
    ),
    # --- a step of a member ---
    "member step: unknown member": Bad(
        "secretary",
        lambda k: f"/api/members/{UNKNOWN}/steps",
        step("place_hold", kind="inspection"),
        404,
        "NOT-FOUND",
    ),
    "member step: unknown motion": Bad(
        "secretary",
        lambda k: f"/api/members/{k.member}/steps",
        step("record_review_vote", motion="promote", votes_for=5, votes_against=0),
        422,
        None,
    ),
    "member step: a full member has no process": Bad(
        "secretary",
        lambda k: f"/api/members/{k.member}/steps",
        step("record_review_vote", motion="recognize", votes_for=5, votes_against=0),
        409,
        "CASE-STAGE",
    ),
    "member step: another organization's member": Bad(
        "far_secretary",
        lambda k: f"/api/members/{k.member}/steps",
        step("complete_new_member_course", certificate_no="1/BD"),
        404,
        "NOT-FOUND",
    ),
    # --- a step of a transfer ---
    "transfer step: unknown transfer": Bad(
        "department",
        lambda k: f"/api/transfers/{UNKNOWN}/steps",
        step("present_letter"),
        404,
        "NOT-FOUND",
    ),
    "transfer step: missing argument": Bad(
        "grassroots",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        lambda k: {
            "kind": "forward_letter",
            "on": DAY,
            "args": {"from_org_id": k.org("other_cell")},
        },
        422,
        None,
    ),
    "transfer step: not at this stage": Bad(
        "department",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        step("accept_transfer"),
        409,
        "CASE-STAGE",
    ),
    "transfer step: a letter to nowhere": Bad(
        "grassroots",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        lambda k: {
            "kind": "forward_letter",
            "on": DAY,
            "args": {"from_org_id": k.org("other_cell"), "to_org_id": UNKNOWN},
        },
        404,
        "NOT-FOUND",
    ),
    "transfer step: another organization's transfer": Bad(
        "secretary",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        step("cancel_transfer"),
        404,
        "NOT-FOUND",
    ),
    "transfer step: cancelled by the receiving side": Bad(
        "far_department",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        step("cancel_transfer"),
        422,
        "TRF-CANCEL",
    ),
    "transfer step: a hop sent for another organization": Bad(
        "far_grassroots",
        lambda k: f"/api/transfers/{k.transfer}/steps",
        lambda k: {
            "kind": "forward_letter",
            "on": DAY,
            "args": {"from_org_id": k.org("other_cell"), "to_org_id": k.org("grassroots")},
        },
        403,
        "ACCESS-SCOPE",
    ),
    # --- start a transfer ---
    "transfer: unknown member": Bad(
        "department",
        lambda k: "/api/transfers",
        transfer_start(member_id=UNKNOWN),
        403,
        "ACCESS-SCOPE",
    ),
    "transfer: unknown destination": Bad(
        "department",
        lambda k: "/api/transfers",
        transfer_start(destination_org_id=UNKNOWN),
        404,
        "NOT-FOUND",
    ),
    "transfer: unknown kind": Bad(
        "department", lambda k: "/api/transfers", transfer_start(kind="sideways"), 422, None
    ),
    "transfer: temporary without a return date": Bad(
        "department",
        lambda k: "/api/transfers",
        transfer_start(kind="temporary", reason="work_away"),
        422,
        "TRF-TEMP",
    ),
    "transfer: internal to another grassroots organization": Bad(
        "department",
        lambda k: "/api/transfers",
        transfer_start(kind="internal", reason="other"),
        422,
        "TRF-KIND",
    ),
    # --- targets ---
    "target: a count as a string": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('grassroots')}/targets",
        target(count="5"),
        422,
        None,
    ),
    "target: a number and a rate": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('grassroots')}/targets",
        target(count=5, rate_percent=7.0, start_of_year_members=30),
        422,
        "ORG-TARGET",
    ),
    "target: neither": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('grassroots')}/targets",
        target(),
        422,
        "ORG-TARGET",
    ),
    "target: a negative number": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('grassroots')}/targets",
        target(count=-1),
        422,
        None,
    ),
    "target: a year that is no number": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('grassroots')}/targets",
        lambda k: {"year": "next", "on": DAY, "count": 3},
        422,
        None,
    ),
    "target: unknown organization": Bad(
        "grassroots", lambda k: f"/api/orgs/{UNKNOWN}/targets", target(count=3), 404, "NOT-FOUND"
    ),
    "target: another organization": Bad(
        "grassroots",
        lambda k: f"/api/orgs/{k.org('other_grassroots')}/targets",
        target(count=3),
        404,  # an organization its path names and not reached: unknown or elsewhere, the same
        "NOT-FOUND",
    ),
    # --- dissolution ---
    "dissolution: a member left behind": Bad(
        "department",
        lambda k: f"/api/orgs/{k.quiet_cell}/dissolution",
        dissolution(
            lambda k: [
                {"member_id": m, "to_cell_id": k.org("cell")} for m in quiet_cell_members(k)[1:]
            ]
        ),
        422,
        "ORG-DISSOLVE",
    ),
    "dissolution: to another grassroots organization": Bad(
        "department",
        lambda k: f"/api/orgs/{k.quiet_cell}/dissolution",
        dissolution(
            lambda k: [
                {"member_id": m, "to_cell_id": k.org("far_cell")} for m in quiet_cell_members(k)
            ]
        ),
        422,
        "TRF-KIND",
    ),
    "dissolution: a transfer under way out of the cell": Bad(
        "department",
        lambda k: f"/api/orgs/{k.org('other_cell')}/dissolution",
        dissolution(
            lambda k: [
                {"member_id": str(m), "to_cell_id": k.org("cell")}
                for m in k.stack.app.load(Organization, k.stack.world.other_cell).members_on(TODAY)
            ]
        ),
        422,
        "ORG-DISSOLVE-TRANSFER",
    ),
    "dissolution: no date": Bad(
        "department",
        lambda k: f"/api/orgs/{k.org('other_cell')}/dissolution",
        lambda k: {"moves": []},
        422,
        None,
    ),
    "dissolution: unknown cell": Bad(
        "department",
        lambda k: f"/api/orgs/{UNKNOWN}/dissolution",
        dissolution(lambda k: []),
        404,
        "NOT-FOUND",
    ),
    "dissolution: nothing to retry": Bad(
        "department",
        lambda k: f"/api/orgs/{k.org('cell')}/dissolution/retry",
        lambda k: None,
        404,
        "NOT-FOUND",
    ),
    # --- the member register ---
    "search: a name of no word": Bad(
        "secretary", search, lambda k: {"q": "?!"}, 422, "SEARCH-NAME"
    ),
    "search: too many words": Bad(
        "secretary",
        search,
        lambda k: {"q": " ".join(f"w{i}" for i in range(13))},
        422,
        "SEARCH-NAME",
    ),
    "search: a name too long": Bad("secretary", search, lambda k: {"q": "a" * 201}, 422, None),
    "search: a citizen ID of letters": Bad(
        "secretary", search, lambda k: {"citizen_id": "00120000abcd"}, 422, None
    ),
    "search: a citizen ID as a number": Bad(
        "secretary", search, lambda k: {"citizen_id": 1200000001}, 422, None
    ),
    "search: unknown status": Bad("secretary", search, lambda k: {"status": "retired"}, 422, None),
    "search: page zero": Bad("secretary", search, lambda k: {"page": 0}, 422, None),
    "search: unknown field": Bad("secretary", search, lambda k: {"name": "Hoa"}, 422, None),
    "search: unknown unit": Bad(
        "secretary", search, lambda k: {"org_id": UNKNOWN}, 404, "NOT-FOUND"
    ),
    "search: another organization's unit": Bad(
        "secretary", search, lambda k: {"org_id": k.org("far_cell")}, 404, "NOT-FOUND"
    ),
    "search: an auditor looks for a person": Bad(
        "auditor", search, lambda k: {"citizen_id": k.citizen_id}, 403, "ACCESS-ROLE"
    ),
    # --- accounts and login ---
    "login: no password": Bad(
        "secretary", lambda k: "/api/auth/login", lambda k: {"username": "secretary"}, 422, None
    ),
    "user: unknown role": Bad(
        "admin",
        lambda k: "/api/users",
        lambda k: {"username": "x.y", "role": "king", "org_id": k.org("cell")},
        422,
        None,
    ),
    # --- issue 15: dissolutions at scale (more in tests/api/test_dissolutions.py) ---
    "batch: a cell with a member left behind refuses the batch": Bad(
        "department",
        lambda k: "/api/dissolutions",
        lambda k: {
            "on": DAY,
            "cells": [
                {
                    "cell_id": k.quiet_cell,
                    "moves": [
                        {"member_id": m, "to_cell_id": k.org("cell")}
                        for m in quiet_cell_members(k)[1:]
                    ],
                }
            ],
        },
        422,
        "ORG-DISSOLVE",
    ),
    "batch: no date": Bad(
        "department",
        lambda k: "/api/dissolutions",
        lambda k: {"cells": [{"cell_id": k.quiet_cell, "moves": []}]},
        422,
        None,
    ),
    "batch: a cell not a uuid": Bad(
        "department",
        lambda k: "/api/dissolutions",
        lambda k: {"on": DAY, "cells": [{"cell_id": "chi-bo-co-quan", "moves": []}]},
        422,
        None,
    ),
}


@pytest.mark.parametrize("name", list(BAD))
async def test_bad_input_is_refused_and_writes_nothing(
    stack: Stack, known: Known, name: str
) -> None:
    bad = BAD[name]
    before = stack.written()
    accounts = len(stack.services.users.list_users())

    response = await stack.http.post(
        bad.path(known), json=bad.body(known), headers=stack.as_(bad.user)
    )

    body = response.json()
    assert response.status_code == bad.status, body
    if bad.rule_id is None:
        assert body["rule_id"] == "REQUEST-INVALID", body
        assert body["details"]["errors"] and all(e["loc"] for e in body["details"]["errors"])
        assert all("input" not in e for e in body["details"]["errors"])  # never the value sent
    else:
        assert (body["rule_id"], body["lang"]) == (bad.rule_id, "vi"), body
        assert body["message"]
    assert stack.written() == before
    assert len(stack.services.users.list_users()) == accounts


async def test_a_refusal_speaks_vietnamese_unless_english_is_asked_for(
    stack: Stack, known: Known
) -> None:
    path, body = f"/api/cases/{known.case}/steps", step("summarize_comments")(known)
    secretary = stack.as_("secretary")
    asked = {
        "vi": await stack.http.post(path, json=body, headers=secretary),
        "en": await stack.http.post(path, params={"lang": "en"}, json=body, headers=secretary),
        "en-header": await stack.http.post(
            path, json=body, headers={**secretary, "Accept-Language": "en-GB,en;q=0.9"}
        ),
        "vi-header": await stack.http.post(
            path, json=body, headers={**secretary, "Accept-Language": "vi-VN,vi;q=0.9"}
        ),
    }
    english = "Comments from the workplace organizations or the residence cell are missing"
    vietnamese = "Thiếu ý kiến nhận xét của đoàn thể nơi công tác hoặc chi ủy nơi cư trú"
    for response in asked.values():
        assert response.status_code == 422
        assert response.json()["rule_id"] == "ADM-COMMENTS"
        assert response.json()["details"] == {
            "missing": ["residence_cell", "workplace_organizations"]
        }
    assert {n: r.json()["message"] for n, r in asked.items()} == {
        "vi": vietnamese,
        "en": english,
        "en-header": english,
        "vi-header": vietnamese,
    }
    assert asked["en"].json()["lang"] == "en"
    # The refusals of the API itself speak both languages too.
    outside = await stack.http.get(
        f"/api/cases/{uuid4()}", params={"lang": "en"}, headers=secretary
    )
    assert outside.json()["message"].startswith("No admission case with id")
    unauthenticated = await stack.http.get("/api/me", headers={"Accept-Language": "en"})
    assert unauthenticated.json()["message"].startswith("Authentication required")


async def test_without_temporal_the_api_says_so_and_a_command_writes_nothing(
    stack: Stack, known: Known
) -> None:
    closed = free_port()  # nothing listens there
    services = Services.from_settings(
        replace(stack.settings, temporal_address=f"127.0.0.1:{closed}"), today=lambda: TODAY
    )
    api = create_api(stack.settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url="http://testserver"
    ) as http:
        health = await http.get("/api/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        assert health.json()["temporal"].startswith("unavailable")
        assert (health.json()["event_store"], health.json()["readmodel"]) == ("ok", "ok")

        before = stack.written()
        started = await http.post(
            "/api/cases",
            json={"cell_id": known.org("cell"), "on": DAY, "person": applicant()},
            headers=stack.as_("secretary"),
        )
        assert (started.status_code, started.json()["rule_id"]) == (503, "TEMPORAL-UNAVAILABLE")
        assert stack.written() == before
        # Reads need no Temporal.
        page = await http.get(f"/api/cases/{known.case}", headers=stack.as_("secretary"))
        assert page.status_code == 200
    services.app.close()


@pytest.mark.parametrize(
    "query",
    [
        "stage=lost",
        "limit=0",
        "limit=many",
        "today=2026-02-31",
        "stage=" + "&stage=".join(["active"] * 7),
    ],
)
async def test_a_bad_query_of_the_transfers_is_refused(
    stack: Stack, known: Known, query: str
) -> None:
    response = await stack.http.get(
        f"/api/orgs/{known.org('grassroots')}/transfers?{query}", headers=stack.as_("grassroots")
    )
    assert (response.status_code, response.json()["rule_id"]) == (422, "REQUEST-INVALID")


async def test_the_finished_transfers_are_listed_by_stage(stack: Stack, known: Known) -> None:
    path = f"/api/orgs/{known.org('grassroots')}/transfers"
    every = await stack.http.get(path, headers=stack.as_("grassroots"))
    in_transit = await stack.http.get(f"{path}?stage=in_transit", headers=stack.as_("grassroots"))
    assert every.status_code == in_transit.status_code == 200
    assert known.transfer in {c["id"] for c in in_transit.json()}
    assert {c["stage"] for c in in_transit.json()} == {"in_transit"}
    assert {c["id"] for c in in_transit.json()} <= {c["id"] for c in every.json()}
