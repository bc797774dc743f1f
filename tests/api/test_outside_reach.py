"""Every route of the API and of the web, tried from outside: each scoped role against the
records of another commune (a case, a member, a transfer, people, organizations, an account,
a notice), and against ids no record of the kind has (nobody's, or another kind of record's).

For every route and role: nothing is written; the refusal is the structured one (the API's
`{rule_id, message, lang}`, the web's refusal page), never a 500; and the answer for a record
outside is the answer for an unknown id (status, rule id, message but for the id), so no
answer tells a member from a case elsewhere from nobody. The rule (docs/security.md, "Scope
and people"):

- a record its path names (or its query: `?org=`, `?case_id=`) and not reached answers
  404 NOT-FOUND, for reads and writes alike;
- what a write names in its body and must reach (the cell of a new case and its helper, the
  member of a transfer, the organization of an account) answers 403 ACCESS-SCOPE, unknown or
  elsewhere;
- a role that may not issue a command at all answers 403 ACCESS-ROLE wherever it points.

A new route fails `test_every_route_is_declared` until it is declared below with how to reach
it from outside (or why it names no one else's record).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.member import Member
from domain.paper import Paper, PaperKind
from domain.person import Person
from domain.services.store import Store
from domain.values import CellSetting, OrgKind
from infra.api.access import (
    ACKNOWLEDGE,
    DISSOLVE,
    MANAGE_USERS,
    OPEN_CASE,
    REGISTER_MEMBER,
    REGISTER_ORG,
    START_TRANSFER,
    may,
)
from infra.users import Role
from tests.api.conftest import PASSWORD, TODAY, Stack
from tests.builders import ctx, person_data
from workflows.messages import Notification

DAY = TODAY.isoformat()
UNKNOWN = "0badc0de-0000-4000-8000-00000000beef"  # no record has it
UNKNOWN_TOKEN = "0123456789abcdef"
NAMED = {  # what no record is called, for what is not named by a record's id
    "citizen": "079999999999",
    "user": "khong.ai.ca",
    "token": UNKNOWN_TOKEN,
    "notice": "no-such-notice",
}

# The scoped roles, each with its own subtree; the far commune is outside every one of them.
ROLES: dict[str, tuple[Role, str]] = {
    "secretary": (Role.cell_secretary, "cell"),
    "grassroots": (Role.grassroots_officer, "grassroots"),
    "auditor": (Role.auditor, "grassroots"),
    "department": (Role.department_officer, "commune"),
    "commune_admin": (Role.administrator, "commune"),
}


ENGLISH = {"grassroots": "en", "department": "en"}  # the others ask in Vietnamese


@dataclass
class Far:
    """The records of another commune, and the ids to try."""

    commune: UUID
    grassroots: UUID
    cell: UUID
    case: str
    member: str
    transfer: str
    member_person: str  # a member's person
    case_person: str  # a person with a case in progress
    member_citizen: str
    username: str
    token_id: str
    notice: str
    paper: str = ""  # a paper of the far case (issue 16)

    def outside(self, target: str) -> list[str]:
        """The records outside of the kind a route addresses (people: a member and one with
        a case in progress, so neither is told from the other nor from nobody)."""
        found: dict[str, list[object]] = {
            "case": [self.case],
            "member": [self.member],
            "transfer": [self.transfer],
            "person": [self.member_person, self.case_person],
            "citizen": [self.member_citizen],
            "org": [self.grassroots, self.cell],
            "cell": [self.cell],
            "user": [self.username],
            "token": [self.token_id],
            "notice": [self.notice],
            "paper": [self.paper],
        }
        return [str(v) for v in found[target]]

    def unknown(self, target: str) -> list[str]:
        """Ids of no record of the kind: one nobody recorded, and (for ids of the record)
        one of another kind of record."""
        if target in NAMED:
            return [NAMED[target]]
        return [UNKNOWN, self.member if target == "case" else self.case]


HIDDEN, REFUSED, SAME = "hidden", "refused", "same"


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    json: Any = None
    form: dict[str, Any] | None = None  # a web form (its CSRF token is added)


@dataclass(frozen=True)
class Reach:
    """How a route is called with the id of a record, and what every role gets from
    outside: HIDDEN 404 NOT-FOUND, REFUSED 403 ACCESS-SCOPE, SAME an answer that is no
    refusal (a redirect, "0 acknowledged") and the same for all. `command`: the route asks
    first whether the role may issue it (a role that may not: 403 ACCESS-ROLE, whatever the
    id). `masks`: what else the answer may name for the id (the web's search of a citizen ID
    leads to the person's id)."""

    target: str
    call: Callable[[str, str], Request]  # (the id, the cell of the user's own subtree)
    answer: str = HIDDEN
    command: str | None = None
    masks: Callable[[Stack, str], list[str]] = field(default=lambda stack, v: [])


def get(url: str, target: str, answer: str = HIDDEN, command: str | None = None) -> Reach:
    return Reach(target, lambda v, own: Request("GET", fill(url, v, own)), answer, command)


def post(
    url: str, target: str, body: Any, answer: str = HIDDEN, command: str | None = None
) -> Reach:
    return Reach(
        target,
        lambda v, own: Request("POST", fill(url, v, own), json=fill(body, v, own)),
        answer,
        command,
    )


def form(
    url: str, target: str, data: Any, answer: str = HIDDEN, command: str | None = None
) -> Reach:
    return Reach(
        target,
        lambda v, own: Request("POST", fill(url, v, own), form=fill(data, v, own)),
        answer,
        command,
    )


def fill(template: Any, v: str, own: str) -> Any:
    """The address or body with the id in place of every "{}", and the user's own cell in
    place of "{own}" (to reach what a route asks after the organization it acts at)."""
    if isinstance(template, dict):
        return {k: fill(x, v, own) for k, x in template.items()}
    if isinstance(template, list):
        return [fill(x, v, own) for x in template]
    if isinstance(template, str):
        return template.replace("{own}", own).replace("{}", v)
    return template


def step(kind: str) -> dict[str, Any]:
    return {"kind": kind, "on": DAY, "args": {}}


def person_body() -> dict[str, Any]:
    return {
        "full_name": "Đỗ Văn Ngoài",
        "birth_date": "1997-02-03",
        "citizen_id": "079000777001",
        "gender": "male",
        "ethnicity": "Kinh",
        "religion": None,
        "address": "Thôn Bắc",
        "education": "upper_secondary",
        "occupation": "farmer",
    }


def person_form(cell: str) -> dict[str, str]:
    """The web's form of a new case (infra/web/starts.py): the person's fields dotted."""
    person = {f"person.{k}": v for k, v in person_body().items() if v is not None}
    return {
        "cell_id": cell,
        "on": "04/03/2030",
        **person,
        "person.birth_date": "03/02/1997",
    }


MOMENT = f"moment={DAY}T12:00:00"
PUBLIC = "public"  # no login needed; names no record
OWN = "own"  # the user's own account and session, or the whole store's seal: no one else's

API: dict[tuple[str, str], Reach | list[Reach] | str] = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/token"): PUBLIC,
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/auth/logout"): OWN,
    ("GET", "/api/me"): OWN,
    ("POST", "/api/me/password"): OWN,
    ("GET", "/api/me/tokens"): OWN,
    ("GET", "/api/audit/seal"): OWN,
    ("GET", "/api/users"): OWN,  # the accounts of the administrator's subtree
    ("DELETE", "/api/me/tokens/{token_id}"): Reach(
        "token", lambda v, own: Request("DELETE", f"/api/me/tokens/{v}"), HIDDEN
    ),
    ("POST", "/api/users"): post(
        "/api/users",
        "org",
        {"username": "ke.la", "role": "auditor", "org_id": "{}"},
        REFUSED,
        command=MANAGE_USERS,
    ),
    ("POST", "/api/users/{username}/password"): post(
        "/api/users/{}/password", "user", {"password": "mật-khẩu-mới-dài"}, command=MANAGE_USERS
    ),
    ("GET", "/api/users/{username}/login"): get(
        "/api/users/{}/login", "user", command=MANAGE_USERS
    ),
    ("POST", "/api/users/{username}/unlock"): post(
        "/api/users/{}/unlock", "user", None, command=MANAGE_USERS
    ),
    ("GET", "/api/users/{username}/tokens"): get(
        "/api/users/{}/tokens", "user", command=MANAGE_USERS
    ),
    ("DELETE", "/api/users/{username}/tokens/{token_id}"): Reach(
        "user",
        lambda v, own: Request("DELETE", f"/api/users/{v}/tokens/{UNKNOWN_TOKEN}"),
        HIDDEN,
        command=MANAGE_USERS,
    ),
    ("POST", "/api/cases/{case_id}/steps"): post(
        "/api/cases/{}/steps", "case", step("submit_application")
    ),
    ("POST", "/api/members/{member_id}/steps"): post(
        "/api/members/{}/steps", "member", step("link_residence")
    ),
    ("POST", "/api/transfers/{transfer_id}/steps"): post(
        "/api/transfers/{}/steps", "transfer", step("present_letter")
    ),
    ("POST", "/api/cases"): [
        post(
            "/api/cases",
            "cell",
            {"cell_id": "{}", "on": DAY, "person": person_body()},
            REFUSED,
            command=OPEN_CASE,
        ),
        post(  # at the user's own cell, with a helper from elsewhere
            "/api/cases",
            "member",
            {"cell_id": "{own}", "on": DAY, "person": person_body(), "helper_member_id": "{}"},
            REFUSED,
            command=OPEN_CASE,
        ),
    ],
    ("POST", "/api/transfers"): post(
        "/api/transfers",
        "member",
        {
            "member_id": "{}",
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": UNKNOWN,
            "trigger_on": DAY,
            "on": DAY,
        },
        REFUSED,
        command=START_TRANSFER,
    ),
    ("POST", "/api/people/{person_id}/correction"): post(
        "/api/people/{}/correction", "person", {"on": DAY, "person": person_body()}
    ),
    ("POST", "/api/orgs/{org_id}/targets"): post(
        "/api/orgs/{}/targets", "org", {"year": 2030, "on": DAY, "count": 3}
    ),
    ("POST", "/api/orgs/{org_id}/dissolution"): post(
        "/api/orgs/{}/dissolution", "cell", {"on": DAY, "moves": []}
    ),
    ("POST", "/api/orgs/{org_id}/dissolution/retry"): post(
        "/api/orgs/{}/dissolution/retry", "cell", None
    ),
    # --- registration (infra/api/registration.py) ---
    ("POST", "/api/orgs"): post(
        "/api/orgs",
        "org",
        {"parent_id": "{}", "kind": "cell", "name": "Chi bộ thử", "on": DAY, "setting": "hamlet"},
        REFUSED,
        command=REGISTER_ORG,
    ),
    ("POST", "/api/orgs/{org_id}/name"): post(
        "/api/orgs/{}/name", "org", {"name": "Tên mới", "on": DAY}
    ),
    ("POST", "/api/orgs/{org_id}/parent"): [
        post("/api/orgs/{}/parent", "org", {"parent_id": "{own}", "on": DAY}),
        post(  # the user's own cell moved under a parent elsewhere
            "/api/orgs/{own}/parent",
            "org",
            {"parent_id": "{}", "on": DAY},
            REFUSED,
            command=REGISTER_ORG,
        ),
    ],
    ("POST", "/api/orgs/{org_id}/dissolve"): [
        post("/api/orgs/{}/dissolve", "org", {"on": DAY}),
        post(  # the user's own cell merged into a cell elsewhere
            "/api/orgs/{own}/dissolve",
            "org",
            {"on": DAY, "merged_into": "{}"},
            REFUSED,
            command=REGISTER_ORG,
        ),
    ],
    ("POST", "/api/orgs/{org_id}/hamlets"): post(
        "/api/orgs/{}/hamlets", "org", {"name": "Thôn Thử", "on": DAY}
    ),
    ("POST", "/api/orgs/{org_id}/served-hamlets"): post(
        "/api/orgs/{}/served-hamlets", "cell", {"keys": [], "on": DAY}
    ),
    ("POST", "/api/members"): post(
        "/api/members",
        "cell",
        {"cell_id": "{}", "person": person_body(), "decided_on": DAY, "joined_on": DAY},
        REFUSED,
        command=REGISTER_MEMBER,
    ),
    ("GET", "/api/orgs"): get("/api/orgs?under={}", "org"),
    ("GET", "/api/orgs/{org_id}"): get("/api/orgs/{}", "org"),
    ("GET", "/api/orgs/{org_id}/quota"): get("/api/orgs/{}/quota?year=2030", "org"),
    ("GET", "/api/orgs/{org_id}/board"): [
        get("/api/orgs/{}/board", "org"),
        get("/api/orgs/{own}/board?cell_id={}", "cell"),
    ],
    ("GET", "/api/orgs/{org_id}/stalled"): get("/api/orgs/{}/stalled", "org"),
    ("GET", "/api/orgs/{org_id}/roll"): [
        get("/api/orgs/{}/roll", "cell"),
        get("/api/orgs/{}/roll?on=2018-09-30", "cell"),
    ],
    ("POST", "/api/members/search"): post("/api/members/search", "org", {"org_id": "{}"}),
    ("GET", "/api/orgs/{org_id}/cells-below-minimum"): get(
        "/api/orgs/{}/cells-below-minimum", "org"
    ),
    ("GET", "/api/orgs/{org_id}/transfers"): get("/api/orgs/{}/transfers", "org"),
    ("GET", "/api/orgs/{org_id}/transfers-in-transit"): get(
        "/api/orgs/{}/transfers-in-transit", "org"
    ),
    ("GET", "/api/orgs/{org_id}/coverage"): get("/api/orgs/{}/coverage", "org"),
    ("GET", "/api/orgs/{org_id}/notifications"): get("/api/orgs/{}/notifications", "org"),
    ("POST", "/api/notifications/acknowledge"): post(
        "/api/notifications/acknowledge", "notice", {"keys": ["{}"]}, SAME, command=ACKNOWLEDGE
    ),
    ("GET", "/api/orgs/{org_id}/dissolution/preview"): get(
        "/api/orgs/{}/dissolution/preview", "cell"
    ),
    ("GET", "/api/orgs/{org_id}/dissolution"): get("/api/orgs/{}/dissolution", "cell"),
    # --- the probation and transfer boards (issue 15) ---
    ("GET", "/api/orgs/{org_id}/board/probation"): [
        get("/api/orgs/{}/board/probation", "org"),
        get("/api/orgs/{own}/board/probation?cell_id={}", "cell"),
    ],
    ("GET", "/api/orgs/{org_id}/board/transfers"): [
        get("/api/orgs/{}/board/transfers", "org"),
        get("/api/orgs/{own}/board/transfers?cell_id={}", "cell"),
    ],
    ("POST", "/api/transfers/search"): post(
        "/api/transfers/search", "org", {"org_id": "{}", "q": "nguyen"}
    ),
    ("GET", "/api/cases/{case_id}"): get("/api/cases/{}", "case"),
    ("GET", "/api/members/{member_id}"): get("/api/members/{}", "member"),
    ("GET", "/api/transfers/{transfer_id}"): get("/api/transfers/{}", "transfer"),
    ("GET", "/api/cases/{case_id}/history"): get("/api/cases/{}/history", "case"),
    ("GET", "/api/members/{member_id}/history"): get("/api/members/{}/history", "member"),
    ("GET", "/api/transfers/{transfer_id}/history"): get("/api/transfers/{}/history", "transfer"),
    ("GET", "/api/people/{person_id}/timeline"): get("/api/people/{}/timeline", "person"),
    ("GET", "/api/cases/{case_id}/as-of"): get(f"/api/cases/{{}}/as-of?{MOMENT}", "case"),
    ("GET", "/api/members/{member_id}/as-of"): get(f"/api/members/{{}}/as-of?{MOMENT}", "member"),
    ("GET", "/api/transfers/{transfer_id}/as-of"): get(
        f"/api/transfers/{{}}/as-of?{MOMENT}", "transfer"
    ),
    # --- issue 15: dissolution at scale. A batch's id is no record of the tree: an unknown
    # one (here a cell's id, or nobody's) answers as a batch elsewhere does (tested with a
    # real batch in tests/api/test_dissolutions.py).
    ("POST", "/api/dissolutions"): [
        post(
            "/api/dissolutions",
            "cell",
            {"on": DAY, "cells": [{"cell_id": "{}", "moves": []}]},
            REFUSED,
            command=DISSOLVE,
        ),
        post(  # the user's own cell, its members sent elsewhere
            "/api/dissolutions",
            "cell",
            {
                "on": DAY,
                "cells": [
                    {"cell_id": "{own}", "moves": [{"member_id": UNKNOWN, "to_cell_id": "{}"}]}
                ],
            },
            REFUSED,
            command=DISSOLVE,
        ),
    ],
    ("GET", "/api/dissolutions/{batch_id}"): get("/api/dissolutions/{}", "cell"),
    ("POST", "/api/dissolutions/{batch_id}/retry"): post(
        "/api/dissolutions/{}/retry", "cell", None
    ),
    # --- a vote's numbers before it is recorded (issue 15, item 8) ---
    ("GET", "/api/cases/{case_id}/ballot"): get("/api/cases/{}/ballot?on=2030-03-04", "case"),
    ("GET", "/api/members/{member_id}/ballot"): get(
        "/api/members/{}/ballot?on=2030-03-04", "member"
    ),
    # --- papers (issue 16, infra/api/papers.py): a paper is its case's; the code is public
    ("POST", "/api/cases/{case_id}/papers"): post(
        "/api/cases/{}/papers", "case", {"kind": "cell_resolution", "on": DAY}
    ),
    ("POST", "/api/members/{member_id}/papers"): post(
        "/api/members/{}/papers", "member", {"kind": "recognition_decision", "on": DAY}
    ),
    ("POST", "/api/transfers/{transfer_id}/papers"): post(  # the letter (task "letter")
        "/api/transfers/{}/papers", "transfer", {"kind": "transfer_letter", "on": DAY}
    ),
    ("GET", "/api/papers/{paper_id}"): get("/api/papers/{}", "paper"),
    ("GET", "/api/papers/{paper_id}.docx"): get("/api/papers/{}.docx", "paper"),
    ("GET", "/api/papers/{paper_id}.pdf"): get("/api/papers/{}.pdf", "paper"),
    ("POST", "/api/papers/{paper_id}/supersede"): post(
        "/api/papers/{}/supersede", "paper", {"on": DAY, "reason": "Sửa"}
    ),
    # anyone holding a paper; names no record but by its code, which tells no case outside
    # (tests/api/test_papers.py)
    ("GET", "/api/verify/{code}"): PUBLIC,
    # papers about an organization (issue 16, infra/api/orgpapers.py): its own
    ("POST", "/api/orgs/{org_id}/papers"): [
        post("/api/orgs/{}/papers", "cell", {"kind": "dissolution_decision", "on": DAY}),
        post("/api/orgs/{}/papers", "org", {"kind": "quota_report", "on": DAY, "year": 2030}),
    ],
    ("GET", "/api/orgs/{org_id}/papers"): get("/api/orgs/{}/papers", "org"),
    # --- e-mail of notices (issue 16, item 5) ---
    ("GET", "/api/me/email"): OWN,
    ("POST", "/api/me/email"): OWN,
    ("POST", "/api/users/{username}/email"): post(
        "/api/users/{}/email", "user", {"email": "ai@donvi.vn"}, command=MANAGE_USERS
    ),
    ("GET", "/api/orgs/{org_id}/undeliverable"): get("/api/orgs/{}/undeliverable", "org"),
}


def citizen_alias(stack: Stack, citizen: str) -> list[str]:
    """The person's id, derived from the citizen ID: where the web's search leads."""
    return [str(stack.app.person_id_for(citizen))]


WEB: dict[tuple[str, str], Reach | list[Reach] | str] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/start.js"): PUBLIC,
    ("GET", "/docs/assets"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("POST", "/logout"): OWN,
    ("GET", "/"): OWN,  # the user's own organization
    ("GET", "/account"): OWN,
    ("POST", "/account/password"): OWN,
    ("POST", "/account/tokens/{token_id}/revoke"): form(
        "/account/tokens/{}/revoke", "token", {}, SAME
    ),
    ("GET", "/board"): [get("/board?org={}", "org"), get("/board?org={own}&cell={}", "cell")],
    # --- the probation and transfer boards (issue 15) ---
    ("GET", "/board/probation"): [
        get("/board/probation?org={}", "org"),
        get("/board/probation?org={own}&cell={}", "cell"),
    ],
    ("GET", "/board/transfers"): [
        get("/board/transfers?org={}", "org"),
        get("/board/transfers?org={own}&cell={}", "cell"),
    ],
    ("POST", "/transfers"): form(
        "/transfers", "org", {"org": "{}", "state": "finished", "q": "nguyen"}
    ),
    ("GET", "/quota"): get("/quota?org={}", "org"),
    ("GET", "/inbox"): get("/inbox?org={}", "org"),
    ("GET", "/transfers"): get("/transfers?org={}", "org"),
    ("GET", "/members"): get("/members?org={}", "org"),
    ("POST", "/members"): form("/members", "org", {"org": "{}", "q": "nguyen"}),
    ("GET", "/roll"): get("/roll?org={}&on=30/09/2018", "org"),
    ("GET", "/export.xlsx"): get("/export.xlsx?org={}", "org"),
    ("POST", "/notifications/acknowledge"): form(
        "/notifications/acknowledge",
        "notice",
        {"key": "{}", "next": "/"},
        SAME,
        command=ACKNOWLEDGE,
    ),
    ("GET", "/cases/{ident}"): get("/cases/{}", "case"),
    ("GET", "/members/{ident}"): get("/members/{}", "member"),
    ("GET", "/transfers/{ident}"): get("/transfers/{}", "transfer"),
    ("POST", "/cases/{ident}/steps/{kind}"): form(
        "/cases/{}/steps/submit_application", "case", {"on": "04/03/2030"}
    ),
    ("POST", "/members/{ident}/steps/{kind}"): form(
        "/members/{}/steps/link_residence", "member", {"on": "04/03/2030"}
    ),
    ("POST", "/transfers/{ident}/steps/{kind}"): form(
        "/transfers/{}/steps/present_letter", "transfer", {"on": "04/03/2030"}
    ),
    ("GET", "/cases/new"): get("/cases/new?cell={}", "cell", command=OPEN_CASE),
    ("POST", "/cases/new"): [
        form("/cases/new", "cell", person_form("{}"), REFUSED, command=OPEN_CASE),
        form(  # at the user's own cell, with a helper from elsewhere
            "/cases/new",
            "member",
            {**person_form("{own}"), "helper_member_id": "{}"},
            REFUSED,
            command=OPEN_CASE,
        ),
    ],
    ("GET", "/members/{member_id}/transfer"): get(
        "/members/{}/transfer", "member", command=START_TRANSFER
    ),
    ("POST", "/members/{member_id}/transfer"): form(
        "/members/{}/transfer",
        "member",
        {
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": UNKNOWN,
            "trigger_on": "04/03/2030",
            "on": "04/03/2030",
        },
        command=START_TRANSFER,
    ),
    # --- registration (infra/web/registration.py) ---
    ("GET", "/orgs"): get("/orgs?org={}", "org"),
    ("POST", "/orgs/{org_id}/{action}"): [
        form("/orgs/{}/rename", "org", {"name": "Tên mới", "on": "04/03/2030"}),
        form(  # the user's own cell moved under a parent elsewhere
            "/orgs/{own}/parent",
            "org",
            {"parent_id": "{}", "on": "04/03/2030"},
            REFUSED,
            command=REGISTER_ORG,
        ),
    ],
    ("GET", "/members/new"): get("/members/new?cell={}", "cell", command=REGISTER_MEMBER),
    ("POST", "/members/new"): form(
        "/members/new",
        "cell",
        {
            **person_form("{}"),
            "decided_on": "04/03/2030",
            "joined_on": "04/03/2030",
        },
        REFUSED,
        command=REGISTER_MEMBER,
    ),
    ("GET", "/people/{person_id}/correction"): get("/people/{}/correction", "person"),
    ("POST", "/people/{person_id}/correction"): form(
        "/people/{}/correction",
        "person",
        {k: v for k, v in person_form("").items() if k != "cell_id"},
    ),
    ("GET", "/audit"): get("/audit?case_id={}&on=04/03/2030", "case"),
    ("POST", "/audit/person"): Reach(
        "citizen",
        lambda v, own: Request("POST", "/audit/person", form={"citizen_id": v}),
        HIDDEN,
        masks=citizen_alias,
    ),
    ("GET", "/people/{person_id}"): get("/people/{}", "person"),
    ("GET", "/dissolve"): [
        get("/dissolve?org={}", "org", command=DISSOLVE),
        get("/dissolve?cell={}", "cell", command=DISSOLVE),
        get("/dissolve?cells={}", "cell", command=DISSOLVE),  # a preselected cell (issue 15)
    ],
    ("GET", "/dissolve/{cell_id}"): get("/dissolve/{}", "cell", command=DISSOLVE),
    ("GET", "/dissolve/{cell_id}/progress"): get("/dissolve/{}/progress", "cell"),
    ("POST", "/dissolve/{cell_id}/retry"): form("/dissolve/{}/retry", "cell", {}),
    # --- issue 15: dissolution at scale ---
    ("GET", "/dissolve/review"): get("/dissolve/review?cells={}", "cell", command=DISSOLVE),
    ("POST", "/dissolve/review"): form(
        "/dissolve/review",
        "cell",
        {"cells": "{}", "on": "04/03/2030", "confirm": "on"},
        REFUSED,
        command=DISSOLVE,
    ),
    ("GET", "/dissolve/batches/{batch_id}"): get("/dissolve/batches/{}", "cell"),
    ("POST", "/dissolve/batches/{batch_id}/retry"): form("/dissolve/batches/{}/retry", "cell", {}),
    # --- papers (issue 16): the verify page, public like its API (tests/api/test_papers.py)
    ("GET", "/verify/{code}"): PUBLIC,
    ("POST", "/cases/{ident}/papers"): form(
        "/cases/{}/papers", "case", {"kind": "cell_resolution", "on": "04/03/2030"}
    ),
    ("POST", "/cases/{ident}/papers/{paper_id}/supersede"): form(  # a paper of nobody's
        "/cases/{}/papers/00000000-0000-4000-8000-0000000000aa/supersede",
        "case",
        {"on": "04/03/2030", "reason": "Sửa"},
    ),
    **{
        ("POST", f"/{collection}/{{ident}}/papers"): form(
            f"/{collection}/{{}}/papers", subject, {"kind": "cell_resolution", "on": "04/03/2030"}
        )
        for collection, subject in (("members", "member"), ("transfers", "transfer"))
    },
    **{
        ("POST", f"/{collection}/{{ident}}/papers/{{paper_id}}/supersede"): form(
            f"/{collection}/{{}}/papers/00000000-0000-4000-8000-0000000000aa/supersede",
            subject,
            {"on": "04/03/2030", "reason": "Sửa"},
        )
        for collection, subject in (("members", "member"), ("transfers", "transfer"))
    },
    # papers about an organization (issue 16, infra/web/orgpapers.py)
    ("POST", "/dissolve/{cell_id}/papers"): form(
        "/dissolve/{}/papers", "cell", {"on": "04/03/2030"}
    ),
    ("POST", "/dissolve/{cell_id}/papers/{paper_id}/supersede"): form(  # a paper of nobody's
        "/dissolve/{}/papers/00000000-0000-4000-8000-0000000000aa/supersede",
        "cell",
        {"on": "04/03/2030", "reason": "Sửa"},
    ),
    ("POST", "/dissolve/batches/{batch_id}/papers"): form(
        "/dissolve/batches/{}/papers", "cell", {"on": "04/03/2030"}
    ),
    ("POST", "/quota/{org_id}/{year}/papers"): form(
        "/quota/{}/2030/papers", "org", {"on": "04/03/2030"}
    ),
    ("POST", "/quota/{org_id}/{year}/papers/{paper_id}/supersede"): form(
        "/quota/{}/2030/papers/00000000-0000-4000-8000-0000000000aa/supersede",
        "org",
        {"on": "04/03/2030", "reason": "Sửa"},
    ),
    # --- e-mail of notices (issue 16, item 5) ---
    ("POST", "/account/email"): OWN,
}


def routes_of(stack: Stack) -> set[tuple[str, str]]:
    """Every method and path the application serves (a mount: its prefix, for GET)."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(stack.api.routes):
        path = str(route.path)
        if isinstance(route.original_route, Mount):
            found.add(("GET", path))
            continue
        found |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return found


def test_every_route_is_declared(stack: Stack) -> None:
    """A route added without saying how it is reached from outside fails here."""
    declared = set(API) | set(WEB)
    assert routes_of(stack) == declared


# --- the far commune ----------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def far(stack: Stack) -> Far:
    app, world = stack.app, stack.world
    since = date(2025, 7, 1)
    org = app.register_organization
    commune = org(
        ctx(),
        kind=OrgKind.commune_committee,
        name="Đảng ủy xã Bình Minh",
        parent_id=world.province,
        established_on=since,
    )
    grassroots = org(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name="Đảng bộ xã Bình Minh",
        parent_id=commune,
        established_on=since,
    )
    cells = [
        org(
            ctx(),
            kind=OrgKind.cell,
            name=name,
            parent_id=grassroots,
            established_on=since,
            setting=CellSetting.hamlet,
        )
        for name in ("Chi bộ thôn Bắc", "Chi bộ thôn Nam")
    ]
    members = []
    for _ in range(4):
        person = app.register_person(ctx(), person_data(), date(2026, 1, 5))
        members.append(
            app.register_member(
                ctx(),
                person_id=person,
                cell_id=cells[0],
                joined_on=date(2026, 1, 5),
                decided_on=date(2026, 1, 5),
                full_from=date(2027, 1, 5),
            )
        )
    stack.project()
    case = (await stack.open_case("admin", cells[0]))["subject_id"]
    moved = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(members[1]),
            "kind": "internal",
            "reason": "other",
            "destination_org_id": str(cells[1]),
            "trigger_on": DAY,
            "on": DAY,
        },
        headers=stack.as_("admin"),
    )
    assert moved.status_code == 201, moved.text
    member_person = app.load(Member, members[0]).person_id
    for name, (role, node) in ROLES.items():
        if name not in stack.users:
            stack.users[name] = stack.services.users.create(
                name, PASSWORD, role, getattr(world, node)
            )
            stack.tokens[name] = stack.services.users.issue_token(name)
        assert (stack.users[name].role, stack.users[name].org_id) == (role, getattr(world, node))
    far_user = stack.services.users.create(
        "bi.thu.binh.minh", PASSWORD, Role.cell_secretary, cells[0]
    )
    token = stack.services.users.issue_token(far_user.username)
    notice = f"far-notice-{cells[0]}"
    stack.services.notifications.notify(
        Notification(
            notice,
            cells[0],
            UUID(case),
            "ADM-APPLY",
            0,
            TODAY,
            datetime(2030, 3, 4, 9),
            "Thông báo thử",
            "A test notice",
        )
    )
    stack.project()
    return Far(
        commune=commune,
        grassroots=grassroots,
        cell=cells[0],
        case=case,
        member=str(members[0]),
        transfer=moved.json()["subject_id"],
        member_person=str(member_person),
        case_person=str(app.load(AdmissionCase, UUID(case)).person_id),
        member_citizen=app.load(Person, member_person).data.citizen_id,
        username=far_user.username,
        token_id=stack.services.users.token_id(token) or "",
        notice=notice,
        paper=str(far_paper(app, UUID(case), cells[0])),
    )


def far_paper(app: Dangvien, case_id: UUID, cell: UUID) -> UUID:
    """A paper of the far case, written straight into the record (the case has no vote to
    issue one from: what is tried here is only how the routes answer for it)."""
    paper = Paper(
        id=uuid4(),
        kind=PaperKind.cell_resolution,
        case_id=case_id,
        org_id=cell,
        year=2030,
        number=1,
        symbol="1-NQ/CB",
        place="Bình Minh",
        signatory_title="BÍ THƯ",
        facts={},
        replaces=None,
        stamp=Store.stamp(ctx(), TODAY),
    )
    app.save(paper)
    return paper.id


# --- the battery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    text: str  # the id (and its masks) replaced by "{id}"
    response: httpx.Response


async def tried(
    stack: Stack, far: Far, reach: Reach, send: Callable[[Request], Any]
) -> list[Answer]:
    """The route with each record outside, then with unknown ids: nothing written."""
    before = stack.written()
    answers = []
    for value in [*far.outside(reach.target), *far.unknown(reach.target)]:
        response = await send(reach.call(value, str(stack.world.cell)))
        text = response.text
        for alias in [value, *reach.masks(stack, value)]:
            text = text.replace(alias, "{id}")
        answers.append(Answer(response.status_code, text, response))
    assert stack.written() == before
    return answers


def expected(stack: Stack, role: str, reach: Reach) -> tuple[int, str | None]:
    """The status and rule id every answer must have (None: no refusal)."""
    if reach.command is not None and not may(stack.users[role], reach.command):
        return 403, "ACCESS-ROLE"
    return {HIDDEN: (404, "NOT-FOUND"), REFUSED: (403, "ACCESS-SCOPE"), SAME: (200, None)}[
        reach.answer
    ]


def reaches(declared: Reach | list[Reach] | str) -> list[Reach]:
    """The ways a route is tried (none for a public route or the user's own)."""
    return (
        [declared] if isinstance(declared, Reach) else [] if isinstance(declared, str) else declared
    )


def battery(routes: dict[tuple[str, str], Reach | list[Reach] | str]) -> list[Any]:
    return [
        pytest.param(reach, role, id=f"{role} {method} {path} ({reach.target})")
        for (method, path), declared in routes.items()
        for reach in reaches(declared)
        for role in ROLES
    ]


@pytest.mark.parametrize(("reach", "role"), battery(API))
async def test_the_api_answers_a_record_outside_as_it_answers_an_unknown_id(
    stack: Stack, far: Far, reach: Reach, role: str
) -> None:

    lang = ENGLISH.get(role, "vi")

    async def send(request: Request) -> httpx.Response:
        headers = {**stack.as_(role), "Accept-Language": lang}
        return await stack.http.request(
            request.method, request.url, json=request.json, headers=headers
        )

    answers = await tried(stack, far, reach, send)
    status, rule_id = expected(stack, role, reach)
    first = answers[0]
    assert first.status == status, first.text
    if rule_id is not None:
        body = first.response.json()
        assert body["rule_id"] == rule_id, body
        assert body["lang"] == lang and body["message"], body
    assert {(a.status, a.text) for a in answers} == {(first.status, first.text)}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browsers(
    stack: Stack, far: Far
) -> AsyncIterator[dict[str, tuple[httpx.AsyncClient, str]]]:
    """A logged-in browser of each role, with the CSRF token of its session's forms."""
    found = {}
    for role in ROLES:
        browser = stack.fresh()
        logged = await browser.post(
            "/api/auth/login", json={"username": role, "password": PASSWORD}
        )
        assert logged.status_code == 200, logged.text
        page = await browser.get("/account")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None, page.text
        found[role] = (browser, csrf.group(1))
    yield found
    for browser, _ in found.values():
        await browser.aclose()


@pytest.mark.parametrize(("reach", "role"), battery(WEB))
async def test_the_web_answers_a_record_outside_as_it_answers_an_unknown_id(
    stack: Stack,
    far: Far,
    browsers: dict[str, tuple[httpx.AsyncClient, str]],
    reach: Reach,
    role: str,
) -> None:
    browser, csrf = browsers[role]

    async def send(request: Request) -> httpx.Response:
        data = None if request.form is None else {**request.form, "csrf": csrf}
        return await browser.request(request.method, request.url, data=data, follow_redirects=True)

    answers = await tried(stack, far, reach, send)
    status, rule_id = expected(stack, role, reach)
    first = answers[0]
    assert first.status == status, first.text
    assert first.response.headers["content-type"].startswith("text/html")
    if rule_id is not None:
        assert f'<span class="rule">{rule_id}</span>' in first.text
    assert {(a.status, a.text) for a in answers} == {(first.status, first.text)}


async def test_the_notice_of_the_far_commune_is_still_unseen(stack: Stack, far: Far) -> None:
    """No acknowledgement from outside reached it (notices are no event of the record)."""
    (row,) = [r for r in stack.services.notifications.for_org(far.cell) if r.key == far.notice]
    assert row.acknowledged_at is None
