"""The access matrix: each role, on its own subtree and outside it, for reads and commands.

The tree (tests/builders.py): province → commune → {grassroots → {cell, other_cell,
residence_cell}, other_grassroots → far_cell}. Users: a secretary of `cell` and one of
`far_cell`, an officer of each grassroots committee, a department officer of the commune, an
auditor of each grassroots committee, an administrator of the whole tree.

"Reached" means the call passed every access check and the process or the domain answered it
(a 2xx, or a refusal with a rule of the domain: CASE-STAGE, ADM-VERIFY, TRF-TEMP…). Refused
calls (403, 404) write nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import pytest_asyncio

from domain.organization import Organization
from domain.values import CellSetting, OrgKind
from infra.api.access import LEVEL, commands_of
from infra.users import Role
from tests.api.conftest import TODAY, Stack, applicant
from tests.api.test_papers import voted_case
from tests.builders import ctx

USERS = (
    "secretary",
    "far_secretary",
    "grassroots",
    "far_grassroots",
    "department",
    "auditor",
    "far_auditor",
    "admin",
)


@dataclass
class Cases:
    own: str  # a case at `cell`
    far: str  # a case at `far_cell`
    transfer: str  # a transfer from `cell` to `far_cell`


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cases(stack: Stack) -> Cases:
    own = await stack.open_case("admin", stack.world.cell)
    far = await stack.open_case("admin", stack.world.far_cell)
    (member,) = stack.world.add_members(stack.world.cell, 1)
    stack.project()
    transfer = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(member),
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": str(stack.world.far_cell),
            "trigger_on": TODAY.isoformat(),
            "on": TODAY.isoformat(),
        },
        headers=stack.as_("admin"),
    )
    assert transfer.status_code == 201, transfer.text
    stack.project()
    return Cases(own["subject_id"], far["subject_id"], transfer.json()["subject_id"])


Call = Callable[[Stack, Cases, str], Awaitable[httpx.Response]]


def get(path: Callable[[Stack, Cases], str]) -> Call:
    async def call(stack: Stack, cases: Cases, user: str) -> httpx.Response:
        return await stack.http.get(path(stack, cases), headers=stack.as_(user))

    return call


def post(path: Callable[[Stack, Cases], str], body: Callable[[Stack, Cases], Any]) -> Call:
    async def call(stack: Stack, cases: Cases, user: str) -> httpx.Response:
        return await stack.http.post(
            path(stack, cases), json=body(stack, cases), headers=stack.as_(user)
        )

    return call


def step(kind: str, **args: Any) -> Call:
    return post(
        lambda s, c: f"/api/cases/{c.own}/steps",
        lambda s, c: {"kind": kind, "on": TODAY.isoformat(), "args": args},
    )


# --- issue 15: a batch of dissolutions, started once per stack by the administrator ---
BATCHES: dict[int, str] = {}


@pytest_asyncio.fixture(scope="module", loop_scope="session", autouse=True)
async def batch(stack: Stack) -> str:
    """A batch dissolving a cell of one member of the grassroots committee, ended before
    any row runs (its moves write nothing while a row counts what was written)."""
    batch_id = await batch_of(stack)
    for _ in range(300):
        progress = await stack.http.get(f"/api/dissolutions/{batch_id}", headers=stack.as_("admin"))
        if progress.json()["done"]:
            return batch_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"the batch did not end: {progress.text}")


async def batch_of(stack: Stack) -> str:
    if id(stack) not in BATCHES:
        app, world = stack.app, stack.world
        cell = app.register_organization(
            ctx(),
            kind=OrgKind.cell,
            name="Chi bộ Cơ quan (thử quyền)",
            parent_id=world.grassroots,
            established_on=date(2005, 1, 5),
            setting=CellSetting.commune_agency,
        )
        (member,) = world.add_members(cell, 1)
        stack.project()
        started = await stack.http.post(
            "/api/dissolutions",
            json={
                "on": TODAY.isoformat(),
                "cells": [
                    {
                        "cell_id": str(cell),
                        "moves": [{"member_id": str(member), "to_cell_id": str(world.cell)}],
                    }
                ],
            },
            headers=stack.as_("admin"),
        )
        assert started.status_code == 202, started.text
        BATCHES[id(stack)] = started.json()["batch_id"]
    return BATCHES[id(stack)]


def batch_call(method: str, tail: str) -> Call:
    async def call(stack: Stack, cases: Cases, user: str) -> httpx.Response:
        url = f"/api/dissolutions/{await batch_of(stack)}{tail}"
        return await stack.http.request(method, url, headers=stack.as_(user))

    return call


# --- issue 16: papers. A paper of a case of the cell, issued once per stack by the administrator
PAPERS: dict[str, str] = {}


@pytest_asyncio.fixture(scope="module", loop_scope="session", autouse=True)
async def own_paper(stack: Stack) -> str:
    if "own" not in PAPERS:
        case = voted_case(stack)
        issued = await stack.http.post(
            f"/api/cases/{case.case_id}/papers",
            json={"kind": "cell_resolution", "on": "2025-12-05"},
            headers=stack.as_("admin"),
        )
        assert issued.status_code == 201, issued.text
        PAPERS["own"] = issued.json()["id"]
    return PAPERS["own"]


def docx_as_json(call: Call, media: str = "application/vnd.openxml") -> Call:
    """A download answers a DOCX (or a PDF), the matrix reads JSON: a 200 stands for itself."""

    async def wrapped(stack: Stack, cases: Cases, user: str) -> httpx.Response:
        response = await call(stack, cases, user)
        if response.status_code == 200:
            assert response.headers["content-type"].startswith(media)
            return httpx.Response(200, json={})
        return response

    return wrapped


def verify_from(code: str) -> Call:
    """A code checked from an address of the user's own (misses are counted per address)."""

    async def call(stack: Stack, cases: Cases, user: str) -> httpx.Response:
        async with stack.fresh(f"10.17.0.{USERS.index(user) + 1}") as client:
            return await client.get(f"/api/verify/{code}", headers=stack.as_(user))

    return call


OK, REACHED, ROLE, SCOPE, HIDDEN = 200, "reached", 403, "scope", 404
# Expected answer per user, in the order of USERS.
MATRIX: dict[str, tuple[Call, tuple[Any, ...]]] = {
    "read own case": (
        get(lambda s, c: f"/api/cases/{c.own}"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "read far case": (
        get(lambda s, c: f"/api/cases/{c.far}"),
        (HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK, OK),
    ),
    "history of own case": (
        get(lambda s, c: f"/api/cases/{c.own}/history"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    # --- a vote's numbers before it is recorded; a full member's standing steps (issue 15) ---
    "numbers of the cell's vote on the own case": (
        get(lambda s, c: f"/api/cases/{c.own}/ballot?votes_for=2&votes_against=1"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "numbers of the cell's review vote on a member of the cell": (
        get(lambda s, c: f"/api/members/{s.world.members[s.world.cell][0]}/ballot"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "a standing step on a full member of the cell (place a hold)": (
        post(
            lambda s, c: f"/api/members/{s.world.members[s.world.cell][2]}/steps",
            lambda s, c: {
                "kind": "place_hold",
                "on": TODAY.isoformat(),
                "args": {"kind": "complaint"},
            },
        ),
        (ROLE, HIDDEN, OK, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    # --- end of the issue 15 block ---
    "board of the grassroots committee": (
        get(lambda s, c: f"/api/orgs/{s.world.grassroots}/board"),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "roll of the cell": (
        get(lambda s, c: f"/api/orgs/{s.world.cell}/roll"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "finished transfers of the grassroots committee": (
        get(
            lambda s, c: f"/api/orgs/{s.world.grassroots}/transfers?stage=completed&stage=cancelled"
        ),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "roll of the cell on a past day": (
        get(lambda s, c: f"/api/orgs/{s.world.cell}/roll?on=2018-09-30"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "search the members of the cell by name": (
        post(
            lambda s, c: "/api/members/search",
            lambda s, c: {"q": "nguyen thi hoa", "org_id": str(s.world.cell)},
        ),
        (OK, HIDDEN, OK, HIDDEN, OK, ROLE, ROLE, OK),
    ),
    "list the members of the grassroots committee": (
        post(lambda s, c: "/api/members/search", lambda s, c: {"org_id": str(s.world.grassroots)}),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "quota of the commune": (
        get(lambda s, c: f"/api/orgs/{s.world.commune}/quota?year=2030"),
        (HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, OK),
    ),
    "a cell step (comment)": (
        step("record_comment", source="workplace_organizations"),
        (OK, HIDDEN, OK, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    "a grassroots step (certify the background)": (
        step("certify_background"),
        (ROLE, HIDDEN, REACHED, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "a department step (decide)": (
        step("decide", number="12-QĐ/ĐU", decided_by="00000000-0000-0000-0000-000000000001"),
        (ROLE, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "open a case at the cell": (
        post(
            lambda s, c: "/api/cases",
            lambda s, c: {
                "cell_id": str(s.world.cell),
                "on": TODAY.isoformat(),
                "person": applicant(),
            },
        ),
        (201, SCOPE, 201, SCOPE, 201, ROLE, ROLE, 201),
    ),
    "set a target of the grassroots committee": (
        post(
            lambda s, c: f"/api/orgs/{s.world.grassroots}/targets",
            lambda s, c: {"year": 2030, "on": TODAY.isoformat(), "count": 4},
        ),
        (HIDDEN, HIDDEN, 201, HIDDEN, 201, ROLE, HIDDEN, 201),
    ),
    "start a transfer of a member of the cell": (
        # a temporary transfer without its return date: TRF-TEMP, once access is granted
        post(
            lambda s, c: "/api/transfers",
            lambda s, c: {
                "member_id": str(s.world.members[s.world.cell][0]),
                "kind": "temporary",
                "reason": "work_away",
                "destination_org_id": str(s.world.far_cell),
                "trigger_on": TODAY.isoformat(),
                "on": TODAY.isoformat(),
            },
        ),
        (ROLE, ROLE, ROLE, ROLE, REACHED, ROLE, ROLE, REACHED),
    ),
    "cancel a transfer from the cell (TRF-CANCEL: the sending side)": (
        post(
            lambda s, c: f"/api/transfers/{c.transfer}/steps",
            lambda s, c: {"kind": "cancel_transfer", "on": TODAY.isoformat(), "args": {}},
        ),
        (ROLE, ROLE, ROLE, ROLE, REACHED, ROLE, ROLE, REACHED),
    ),
    "preview the dissolution of the commune-agency cell": (
        get(lambda s, c: f"/api/orgs/{s.world.other_cell}/dissolution/preview"),
        (HIDDEN, HIDDEN, ROLE, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    # --- the probation and transfer boards (issue 15) ---
    "probation board of the grassroots committee": (
        get(lambda s, c: f"/api/orgs/{s.world.grassroots}/board/probation"),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "probation board of the cell": (
        get(lambda s, c: f"/api/orgs/{s.world.cell}/board/probation?overdue_only=true"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "transfer board of the grassroots committee": (
        get(lambda s, c: f"/api/orgs/{s.world.grassroots}/board/transfers"),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "transfer board of the receiving cell (the transfer bound for it)": (
        get(lambda s, c: f"/api/orgs/{s.world.far_cell}/board/transfers?hop=not_sent"),
        (HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK, OK),
    ),
    "search the finished transfers of the grassroots committee": (
        post(
            lambda s, c: "/api/transfers/search",
            lambda s, c: {"org_id": str(s.world.grassroots), "q": "nguyen thi hoa"},
        ),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    # --- registration (infra/api/registration.py): the department of the commune, admins ---
    "register a cell under the grassroots committee": (
        post(
            lambda s, c: "/api/orgs",
            lambda s, c: {
                "parent_id": str(s.world.grassroots),
                "kind": "cell",
                "name": "Chi bộ thôn Thử",
                "on": TODAY.isoformat(),
                "setting": "hamlet",
            },
        ),
        (ROLE, ROLE, ROLE, ROLE, 201, ROLE, ROLE, 201),
    ),
    "rename the commune-agency cell (its own name again)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.other_cell}/name",
            lambda s, c: {
                "name": s.app.load(Organization, s.world.other_cell).name,
                "on": "2030-03-04",
            },
        ),
        (HIDDEN, HIDDEN, ROLE, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    "move the commune-agency cell (under the same committee again)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.other_cell}/parent",
            lambda s, c: {"parent_id": str(s.world.grassroots), "on": TODAY.isoformat()},
        ),
        (HIDDEN, HIDDEN, ROLE, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    "dissolve the grassroots committee (ORG-DISSOLVE: cells under it)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.grassroots}/dissolve",
            lambda s, c: {"on": TODAY.isoformat()},
        ),
        (HIDDEN, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "register a hamlet of the commune": (
        post(
            lambda s, c: f"/api/orgs/{s.world.commune}/hamlets",
            lambda s, c: {"name": "Thôn Thử", "on": TODAY.isoformat()},
        ),
        (HIDDEN, HIDDEN, HIDDEN, HIDDEN, 201, HIDDEN, HIDDEN, 201),
    ),
    "set the hamlets the cell serves (ORG-TREE: unknown hamlet)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.cell}/served-hamlets",
            lambda s, c: {"keys": ["khong-co"], "on": TODAY.isoformat()},
        ),
        (ROLE, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "register a member from a paper dossier at the cell": (
        post(
            lambda s, c: "/api/members",
            lambda s, c: {
                "cell_id": str(s.world.cell),
                "person": applicant(birth_date="1980-01-02"),
                "decided_on": "2020-03-01",
                "joined_on": "2020-03-20",
            },
        ),
        (ROLE, ROLE, ROLE, ROLE, 201, ROLE, ROLE, 201),
    ),
    "list the accounts": (
        get(lambda s, c: "/api/users"),
        (ROLE, ROLE, ROLE, ROLE, ROLE, ROLE, ROLE, OK),
    ),
    # --- issue 15: dissolution at scale ---
    "dissolve the commune-agency cell in a batch (its members left out: ORG-DISSOLVE)": (
        post(
            lambda s, c: "/api/dissolutions",
            lambda s, c: {
                "on": TODAY.isoformat(),
                "cells": [{"cell_id": str(s.world.other_cell), "moves": []}],
            },
        ),
        (ROLE, ROLE, ROLE, ROLE, REACHED, ROLE, ROLE, REACHED),
    ),
    "progress of a batch of the grassroots committee": (
        batch_call("GET", ""),
        (HIDDEN, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "retry a batch of the grassroots committee": (
        batch_call("POST", "/retry"),
        (HIDDEN, HIDDEN, ROLE, HIDDEN, 202, ROLE, HIDDEN, 202),
    ),
    # --- issue 16: papers ---
    "issue the cell's resolution on the own case (PAPER-STEP: no vote yet)": (
        post(
            lambda s, c: f"/api/cases/{c.own}/papers",
            lambda s, c: {"kind": "cell_resolution", "on": TODAY.isoformat()},
        ),
        (REACHED, HIDDEN, REACHED, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "issue the admission decision on the own case (PAPER-STEP: not decided)": (
        post(
            lambda s, c: f"/api/cases/{c.own}/papers",
            lambda s, c: {"kind": "admission_decision", "on": TODAY.isoformat()},
        ),
        (ROLE, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "issue the grassroots committee's resolution on the own case (PAPER-STEP: no vote)": (
        post(
            lambda s, c: f"/api/cases/{c.own}/papers",
            lambda s, c: {"kind": "grassroots_resolution", "on": TODAY.isoformat()},
        ),
        (ROLE, HIDDEN, REACHED, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "issue the recognition decision of a full member of the cell (PAPER-STEP: not recognised)": (
        post(
            lambda s, c: f"/api/members/{s.world.members[s.world.cell][0]}/papers",
            lambda s, c: {"kind": "recognition_decision", "on": TODAY.isoformat()},
        ),
        (ROLE, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "issue the letter of the transfer from the cell (its grassroots organization's)": (
        post(
            lambda s, c: f"/api/transfers/{c.transfer}/papers",
            lambda s, c: {"kind": "transfer_letter", "on": TODAY.isoformat()},
        ),
        (ROLE, ROLE, ROLE, ROLE, REACHED, ROLE, ROLE, REACHED),
    ),
    "read a paper of a case of the cell": (
        get(lambda s, c: f"/api/papers/{PAPERS['own']}"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "download a paper of a case of the cell": (
        docx_as_json(get(lambda s, c: f"/api/papers/{PAPERS['own']}.docx")),
        (OK, HIDDEN, OK, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    "print a paper of a case of the cell (its PDF)": (
        docx_as_json(get(lambda s, c: f"/api/papers/{PAPERS['own']}.pdf"), "application/pdf"),
        (OK, HIDDEN, OK, HIDDEN, OK, ROLE, HIDDEN, OK),
    ),
    "supersede a paper of a case of the cell (DATE-ORDER: before it was issued)": (
        post(
            lambda s, c: f"/api/papers/{PAPERS['own']}/supersede",
            lambda s, c: {"on": "2025-12-01", "reason": "Sửa"},
        ),
        (REACHED, HIDDEN, REACHED, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    # papers about an organization (infra/api/orgpapers.py)
    "issue the cell's dissolution decision (PAPER-STEP: not dissolved)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.cell}/papers",
            lambda s, c: {"kind": "dissolution_decision", "on": TODAY.isoformat()},
        ),
        (ROLE, HIDDEN, ROLE, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "issue the cell's quota report of next year (PAPER-STEP: not begun)": (
        post(
            lambda s, c: f"/api/orgs/{s.world.cell}/papers",
            lambda s, c: {"kind": "quota_report", "on": TODAY.isoformat(), "year": 2031},
        ),
        (REACHED, HIDDEN, REACHED, HIDDEN, REACHED, ROLE, HIDDEN, REACHED),
    ),
    "papers about the cell": (
        get(lambda s, c: f"/api/orgs/{s.world.cell}/papers"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
    "verify a code nobody was given": (
        verify_from("0000-0000-0000"),
        (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    ),
    # --- e-mail of notices (issue 16, item 5) ---
    "set one's own e-mail address": (
        post(lambda s, c: "/api/me/email", lambda s, c: {"email": "toi@donvi.vn"}),
        (OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    "set the secretary's e-mail address": (
        post(lambda s, c: "/api/users/secretary/email", lambda s, c: {"email": "bt@donvi.vn"}),
        (ROLE, ROLE, ROLE, ROLE, ROLE, ROLE, ROLE, OK),
    ),
    "undeliverable notices of the cell": (
        get(lambda s, c: f"/api/orgs/{s.world.cell}/undeliverable"),
        (OK, HIDDEN, OK, HIDDEN, OK, OK, HIDDEN, OK),
    ),
}


def expectations() -> list[tuple[str, str, Any]]:
    return [
        (name, user, answer)
        for name, (_, answers) in MATRIX.items()
        for user, answer in zip(USERS, answers, strict=True)
    ]


@pytest.mark.parametrize(("name", "user", "expected"), expectations())
async def test_the_access_matrix(
    stack: Stack, cases: Cases, name: str, user: str, expected: Any
) -> None:
    call, _ = MATRIX[name]
    before = stack.written()
    response = await call(stack, cases, user)
    status, body = response.status_code, response.json()

    if expected == REACHED:
        assert status in (200, 201, 409, 422), body
        assert status < 300 or body["rule_id"] not in ("ACCESS-ROLE", "ACCESS-SCOPE"), body
        assert status < 300 or "rule_id" in body, body
    elif expected == ROLE:
        assert (status, body["rule_id"]) == (403, "ACCESS-ROLE"), body
    elif expected == SCOPE:
        assert (status, body["rule_id"]) == (403, "ACCESS-SCOPE"), body
    elif expected == HIDDEN:
        assert (status, body["rule_id"]) == (404, "NOT-FOUND"), body
    else:
        assert status == expected, body
    if status >= 400:
        assert stack.written() == before


def test_auditors_may_issue_no_command_and_each_role_inherits_those_below() -> None:
    assert commands_of(Role.auditor) == frozenset()
    ladder = [Role.cell_secretary, Role.grassroots_officer, Role.department_officer]
    for lower, higher in zip(ladder, [*ladder[1:], Role.administrator], strict=True):
        assert commands_of(lower) < commands_of(higher)
    assert commands_of(Role.administrator) == frozenset(LEVEL)


async def test_what_a_reader_outside_sees_is_what_an_unknown_id_gets(
    stack: Stack, cases: Cases
) -> None:
    """A record outside the subtree is not revealed: same status and body as an unknown id."""
    unknown_id = "00000000-0000-0000-0000-0000000000ff"
    outside = await stack.http.get(f"/api/cases/{cases.far}", headers=stack.as_("secretary"))
    unknown = await stack.http.get(f"/api/cases/{unknown_id}", headers=stack.as_("secretary"))
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == {
        **unknown.json(),
        "message": unknown.json()["message"].replace(unknown_id, cases.far),
    }
