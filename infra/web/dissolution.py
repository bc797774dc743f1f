"""Giải thể chi bộ, the wizard: pick a cell → review where each member goes (suggested from
their 213 residence link, adjustable to any other cell of the same grassroots organization) →
confirm → watch the moves. It is the API's own dissolution (`infra.api.commands.dissolve`,
the DissolutionWorkflow): the same role (department officers and above), the same checks
(ORG-DISSOLVE, TRF-KIND, ORG-DISSOLVE-TRANSFER: the members with a transfer under way are
shown, each with a link to its transfer), the same idempotent workflow."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import quote
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError, RuleViolation
from domain.member import Member
from domain.stages import OFF_ROLL
from domain.transfer import Transfer
from infra.api import commands, queries
from infra.api.access import DISSOLVE, may
from infra.api.errors import role_refused
from infra.api.schemas import DissolutionIn, MoveIn
from infra.web.i18n import dmy, parse_dmy
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.views import member_names, short
from projections.projector import live_version
from projections.tables import tables

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REFRESH_SECONDS = 2


def may_dissolve(w: Web) -> None:
    if not may(w.user, DISSOLVE):
        raise role_refused(DISSOLVE)


def roll_sizes(w: Web) -> Counter[UUID]:
    """Members on each cell's roll (probationary and full), from the read model."""
    members = tables(live_version(w.s.engine)).members
    with w.s.engine.connect() as conn:
        rows = conn.execute(
            sa.select(members.c.cell_id, sa.func.count())
            .where(members.c.status.not_in(OFF_ROLL))
            .group_by(members.c.cell_id)
        ).all()
    return Counter({cell: int(n) for cell, n in rows})


@router.get("/dissolve")
def pick(
    w: WebContext, org: UUID | None = None, cell: UUID | None = None, on: str = ""
) -> Response:
    """Step 1: the cells of the organization, with how many members each would move."""
    may_dissolve(w)
    if cell is not None:
        return redirect(f"/dissolve/{cell}?on={quote(on)}")
    unit = w.org(org)
    sizes = roll_sizes(w)
    cells = [(c, sizes.get(c.id, 0)) for c in w.orgs.cells(unit)]
    return w.render("dissolve_pick.html", org=unit, cells=cells, on=dmy(w.today))


def destinations(w: Web, cell: OrgRow) -> list[OrgRow]:
    """Where a member of the cell may go: another live cell of its grassroots organization
    (an internal transfer, TRF-KIND)."""
    return [
        c
        for c in w.orgs.ordered(list(w.orgs.by_id.values()))
        if c.is_cell and c.live and c.id != cell.id and c.grassroots_id == cell.grassroots_id
    ]


def preview(w: Web, cell: OrgRow, day: date, chosen: dict[str, str] | None) -> dict[str, Any]:
    """Who moves where: the suggestions of `workflows.views.dissolution_preview`, or what the
    officer chose."""
    moves = queries.dissolution_preview(cell.id, w.user, w.s, day)
    allowed = {str(c.id) for c in destinations(w, cell)}
    # Names of the user's own members only: one bound for the cell may come from elsewhere.
    scope, app = w.s.scope, w.s.app
    ours = [
        m.member_id for m in moves if scope.inside(w.user, app.load(Member, m.member_id).cell_id)
    ]
    names = member_names(app, w.s.engine, ours) if w.sees_people else {}
    rows = []
    for m in moves:
        suggested = str(m.to_cell_id) if m.to_cell_id else ""
        choice = (chosen or {}).get(str(m.member_id), suggested)
        rows.append(
            {
                "member_id": str(m.member_id),
                "name": names.get(m.member_id) or short(m.member_id),
                "suggested": suggested,
                "chosen": choice if choice in allowed else "",  # none of the list: to choose
                "transfer_id": str(m.transfer_id) if m.transfer_id else "",
                "leaving": m.transfer_id is not None
                and app.load(Transfer, m.transfer_id).from_cell_id == cell.id,
            }
        )
    return {
        "cell": cell,
        "rows": rows,
        "in_transit": sum(1 for r in rows if r["transfer_id"]),
        "destinations": destinations(w, cell),
        "on": dmy(day),
    }


def the_cell(w: Web, cell_id: UUID) -> OrgRow:
    cell = w.org(cell_id)
    if not cell.is_cell:
        raise RuleViolation(
            "ORG-TREE", "Chỉ giải thể chi bộ ở đây", "Only a cell is dissolved here"
        )
    return cell


@router.get("/dissolve/{cell_id}")
async def review(cell_id: UUID, w: WebContext, on: str = "") -> HTMLResponse:
    """Step 2: the preview, one destination per member (adjustable)."""
    may_dissolve(w)
    cell = await run_in_threadpool(the_cell, w, cell_id)
    day = parse_dmy(on) if on else w.today
    error = None if day is not None else w.t("error.date")
    found = await run_in_threadpool(preview, w, cell, day or w.today, None)
    return w.render("dissolve_review.html", 422 if error else 200, errors={}, error=error, **found)


@router.post("/dissolve/{cell_id}")
async def confirm(cell_id: UUID, request: Request, w: WebContext) -> Response:
    """Step 3: every member has a destination, then the dissolution starts."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    may_dissolve(w)
    cell = await run_in_threadpool(the_cell, w, cell_id)
    day = parse_dmy(form.get("on", ""))
    chosen = {k.removeprefix("move."): v for k, v in form.items() if k.startswith("move.")}
    found = await run_in_threadpool(preview, w, cell, day or w.today, chosen)
    found["here"] = f"/dissolve/{cell.id}"
    if day is None:
        return w.render("dissolve_review.html", 422, errors={}, error=w.t("error.date"), **found)
    # A member with a transfer under way has no move here: the domain refuses the whole
    # dissolution, naming each transfer (ORG-DISSOLVE-TRANSFER), until it is resolved.
    moving = [r for r in found["rows"] if not r["transfer_id"]]
    missing = {r["member_id"]: w.t("dissolve.missing") for r in moving if not r["chosen"]}
    if missing:
        return w.render("dissolve_review.html", 422, errors=missing, error=None, **found)
    body = DissolutionIn(
        on=day,
        moves=[
            MoveIn(member_id=UUID(r["member_id"]), to_cell_id=UUID(r["chosen"])) for r in moving
        ],
    )
    try:
        await commands.dissolve(cell.id, body, w.user, w.s)
    except DomainError as refusal:
        if refusal.rule_id in ("NOT-FOUND", "ACCESS-SCOPE", "ACCESS-ROLE"):
            raise
        return w.render(
            "dissolve_review.html", 422, errors={}, error=refusal.message(w.lang), **found
        )
    return redirect(f"/dissolve/{cell.id}/progress")


@router.get("/dissolve/{cell_id}/progress")
async def progress(cell_id: UUID, w: WebContext) -> HTMLResponse:
    """Step 4: how many moved, which failed; the page refreshes until the cell is dissolved."""
    cell = await run_in_threadpool(w.org, cell_id)
    found = await queries.dissolution_progress(cell_id, w.user, w.s)
    percent = round(100 * found.moved / found.total) if found.total else 100
    return w.render(
        "dissolve_progress.html",
        cell=cell,
        progress=found,
        percent=percent,
        refresh=None if found.dissolved else REFRESH_SECONDS,
    )


@router.post("/dissolve/{cell_id}/retry")
async def retry(cell_id: UUID, request: Request, w: WebContext) -> Response:
    w.check_csrf(await request.form())
    await commands.retry_dissolution(cell_id, w.user, w.s)
    return redirect(f"/dissolve/{cell_id}/progress")
