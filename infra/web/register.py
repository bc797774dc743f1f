"""The member register (Đảng viên): members searched by name (typed with or without accents),
by citizen ID, by unit and status, with the count in each unit below; the roll of a cell on
any day, with names. The API's own search (`infra.api.register`): the same subtree, the same
refusals.

A name or a citizen ID is posted, never put in the address: it stays out of browsers'
histories and of logs. Listing a unit by status is a plain link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from domain.stages import Standing
from infra.api.access import OPEN_CASE, may
from infra.api.register import MAX_PAGE, Found, person_names, register, search_members
from infra.web.i18n import dmy, parse_dmy
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)

STATUSES = tuple(str(s) for s in Standing)
FIELD_OF = {"SEARCH-NAME": "q", "SEARCH-CITIZEN-ID": "citizen_id"}


@dataclass
class Asked:
    """The form as the user filled it (shown again with the results)."""

    q: str = ""
    citizen_id: str = ""
    org: OrgRow | None = None
    status: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


def results(w: Web, asked: Asked) -> dict[str, Any] | None:
    """The page of members found, with names and cells, and the counts per unit; None
    with the field's error when the name or the citizen ID cannot be searched."""
    try:
        found: Found = search_members(
            w.s,
            w.user,
            q=asked.q or None,
            citizen_id=asked.citizen_id or None,
            org_id=asked.org.id if asked.org else None,
            status=asked.status or None,
            page=asked.page,
        )
    except DomainError as error:
        where = FIELD_OF.get(error.rule_id)
        if where is None:
            raise
        asked.errors[where] = error.en if w.lang == "en" else error.vi
        return None
    orgs, s = w.orgs, found.search
    units = orgs.ordered([u for u in map(orgs.get, s.units) if u is not None])
    return {
        "total": s.total,
        "here": s.here,
        "units": [(u, s.units[u.id]) for u in units],
        "members": [
            {
                "id": m.member_id,
                "name": found.names.get(m.person_id),
                "cell": orgs.get(m.cell_id),
                "status": m.status,
                "joined": dmy(m.joined_on),
            }
            for m in s.members
        ],
        "page": found.page,
        "pages": found.pages,
    }


def search_page(w: Web, asked: Asked) -> HTMLResponse:
    found = results(w, asked)
    unit = asked.org or w.org()
    return w.render(
        "members.html",
        422 if asked.errors else 200,
        org=unit,
        asked=asked,
        found=found,
        # committees, and the cell asked for: a cell is reached through the counts per unit
        units=[o for o in w.orgs.subtree(live=False) if not o.is_cell or o.id == unit.id],
        statuses=STATUSES,
        may_search=w.sees_people,
    )


def page_number(text: str) -> int:
    return min(int(text), MAX_PAGE) if text.isdigit() and int(text) >= 1 else 1


@router.get("/members")
async def members(
    w: WebContext, org: UUID | None = None, status: str = "", page: str = "1"
) -> HTMLResponse:
    """The register of a unit (the user's by default), by status: no personal data asked."""
    asked = Asked(
        org=w.org(org) if org else None,
        status=status if status in STATUSES else "",
        page=page_number(page),
    )
    return await run_in_threadpool(search_page, w, asked)


@router.post("/members")
async def search(
    request: Request,
    w: WebContext,
    q: Annotated[str, Form(max_length=200)] = "",
    citizen_id: Annotated[str, Form(max_length=20)] = "",
    org: Annotated[str, Form(max_length=40)] = "",
    narrow: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    page: Annotated[str, Form(max_length=6)] = "1",
) -> HTMLResponse:
    """A search by name or citizen ID (posted: personal data stays out of the address);
    `narrow` is a unit chosen among the counts."""
    w.check_csrf(await request.form())
    unit = narrow or org
    asked = Asked(
        q=q.replace("\x00", "").strip(),
        citizen_id=citizen_id.strip(),
        org=w.org(unit) if unit else None,
        status=status if status in STATUSES else "",
        page=1 if narrow else page_number(page),
    )
    return await run_in_threadpool(search_page, w, asked)


# --- the roll of a cell on a day ------------------------------------------------------------------


@router.get("/roll")
async def roll(w: WebContext, org: UUID | None = None, on: str = "") -> HTMLResponse:
    """A cell's roll on a day (today by default): what was true on that day, by the
    effective dates of the ceremony, transfers accepted, dissolutions and striking off."""
    return await run_in_threadpool(roll_page, w, org, on)


def roll_page(w: Web, org: UUID | None, on: str) -> HTMLResponse:
    home = w.org()
    chosen = w.org(org) if org else home
    cell = chosen if chosen.is_cell else None
    day, error = w.today, None
    if on:
        parsed = parse_dmy(on)
        if parsed is None:
            error = w.t("error.date")
        else:
            day = parsed
    rows: list[dict[str, Any]] = []
    if cell is not None and error is None:
        listed = register(w.s).roll_on(cell.id, day)
        shown = person_names(w.s.app, (m.person_id for m in listed)) if w.sees_people else {}
        rows = [
            {
                "id": m.member_id,
                "name": shown.get(m.person_id),
                "status": str(m.status),
                "joined": dmy(m.joined_on),
                "since": dmy(m.since),
            }
            for m in listed
        ]
    return w.render(
        "roll.html",
        422 if error else 200,
        org=chosen,
        cell=cell,
        cells=[o for o in w.orgs.subtree(home, live=False) if o.is_cell],  # dissolved too
        on=on if error else dmy(day),
        day=dmy(day),
        error=error,
        rows=rows,
        full=sum(1 for r in rows if r["status"] == "full"),
        # "+ Mở hồ sơ" at a live cell, for the roles that open cases (as the board's "+")
        may_open=cell is not None and cell.live and may(w.user, OPEN_CASE),
    )
