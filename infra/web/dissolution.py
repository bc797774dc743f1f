"""Giải thể chi bộ, the wizard, for one cell or many on one date: pick the cells (only those
the domain lets go: `check_dissolvable`; "select all of this kind", e.g. every commune-agency
cell) → review where each member goes, cell by cell and commune by commune (suggested from
their 213 residence link, any other cell of the same grassroots organization), with the totals
→ one confirmation → the progress of the whole batch. It is the API's own batch
(`infra.api.dissolutions`: the DissolutionBatchWorkflow): the same role (department officers
and above), the same checks, all or nothing, the same idempotent workflows; the progress is read
from them, so it survives a reload and a restart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError, RuleViolation
from domain.stages import OFF_ROLL
from infra.api import dissolutions, queries
from infra.api.access import DISSOLVE, may
from infra.api.dissolutions import BatchCellIn, DissolutionBatchIn
from infra.api.errors import role_refused, scope_refused
from infra.api.schemas import MoveIn
from infra.web.i18n import dmy, parse_dmy
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.starts import form_key
from infra.web.views import member_names, short
from projections.projector import live_version
from projections.tables import tables

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REFRESH_SECONDS = 2
RESIDENTIAL = ("hamlet", "residential_group")
MAX_CELLS = 500
MAX_PICK = 400  # cells listed at once; above, a narrower unit is asked for


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


def siblings(w: Web, cell: OrgRow, leaving: frozenset[UUID] = frozenset()) -> list[OrgRow]:
    """The live cells a member of the cell may move to: the others of its grassroots
    organization (TRF-KIND), but those the same batch dissolves."""
    return [
        c
        for c in w.orgs.ordered(list(w.orgs.by_id.values()))
        if c.is_cell
        and c.live
        and c.id != cell.id
        and c.id not in leaving
        and c.grassroots_id == cell.grassroots_id
    ]


def cell_ids(raw: list[str]) -> list[UUID]:
    found: list[UUID] = []
    for value in raw[:MAX_CELLS]:
        try:
            ident = UUID(value)
        except ValueError:
            continue
        if ident not in found:
            found.append(ident)
    return found


# --- step 1: pick ----------------------------------------------------------------------------


def pick_page(w: Web, unit: OrgRow, chosen: list[UUID], setting: str, day: date) -> dict[str, Any]:
    """The cells under the unit grouped by grassroots organization: those the domain lets
    go, to tick (with their roll size), and the others with the rule that keeps them."""
    sizes = roll_sizes(w)
    offered: dict[str, list[dict[str, Any]]] = {}
    kept: list[dict[str, str]] = []
    settings: set[str] = set()
    cells = w.orgs.cells(unit)
    too_many = len(cells) > MAX_PICK  # each is asked of the domain: a province is too many
    for cell in [] if too_many else cells:
        refusal = w.s.app.dissolution_refusal(cell.id, day, len(siblings(w, cell)))
        name = w.orgs.qualified(cell)
        if refusal is not None:
            kept.append({"name": name, "rule_id": refusal.rule_id, "why": refusal.message(w.lang)})
            continue
        if cell.setting:
            settings.add(cell.setting)
        group = w.orgs.name(cell.grassroots_id)
        offered.setdefault(group, []).append(
            {
                "id": str(cell.id),
                "name": name,
                "setting": w.label("setting", cell.setting) if cell.setting else "",
                "members": sizes.get(cell.id, 0),
                "checked": cell.id in chosen or (setting != "" and cell.setting == setting),
            }
        )
    return {
        "org": unit,
        "groups": list(offered.items()),
        "kept": kept,
        "settings": [(s, w.label("setting", s)) for s in sorted(settings)],
        "setting": setting,
        "on": dmy(day),
        "too_many": too_many,
    }


@router.get("/dissolve")
def pick(w: WebContext, request: Request, org: UUID | None = None, on: str = "") -> Response:
    """Step 1. `?cells=<id>` (repeatable, or the former `?cell=`) comes with cells ticked —
    an organization's page links here so; `?setting=commune_agency` ticks every cell of that
    kind."""
    may_dissolve(w)
    params = request.query_params
    chosen = cell_ids(params.getlist("cells") + params.getlist("cell"))
    for cell_id in chosen:
        w.org(cell_id)  # outside the subtree: NOT-FOUND, as an unknown one
    unit = w.org(org)
    day = parse_dmy(on) if on else w.today
    page = pick_page(w, unit, chosen, params.get("setting", ""), day or w.today)
    error = None if day is not None else w.t("error.date")
    return w.render("dissolve_pick.html", 422 if error else 200, error=error, **page)


# --- step 2: review ---------------------------------------------------------------------------


@dataclass
class Review:
    """What the review page shows and the confirmation sends."""

    on: str
    cells: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field → message
    error: str | None = None
    confirmed: bool = False  # the box, as the officer left it

    def moves(self) -> list[BatchCellIn]:
        return [
            BatchCellIn(
                cell_id=c["id"],
                moves=[
                    MoveIn(member_id=UUID(r["member_id"]), to_cell_id=UUID(r["chosen"]))
                    for r in c["rows"]
                    if r["chosen"]
                ],
            )
            for c in self.cells
        ]

    def totals(self, w: Web) -> dict[str, Any]:
        rows = [r for c in self.cells for r in c["rows"]]
        per = Counter(r["chosen"] for r in rows if r["chosen"])
        return {
            "cells": len(self.cells),
            "members": len(rows),
            "unplaced": sum(1 for r in rows if not r["chosen"]),
            "per_destination": sorted(
                ((w.orgs.qualified_name(to), n) for to, n in per.items()),
                key=lambda pair: (-pair[1], pair[0]),
            ),
        }


def review_of(w: Web, ids: list[UUID], day: date, chosen: dict[str, str] | None) -> Review:
    """Each cell with its members, each member with the cell suggested by the domain (the 213
    link) or the one the officer chose; destinations named with their commune, the residence
    cells first."""
    review = Review(dmy(day))
    cells = w.orgs.ordered([w.org(i) for i in ids])
    leaving = frozenset(c.id for c in cells)
    app = w.s.app
    everyone: list[UUID] = []
    for cell in cells:
        if not cell.is_cell:
            raise RuleViolation(
                "ORG-TREE", "Chỉ giải thể chi bộ ở đây", "Only a cell is dissolved here"
            )
        places = siblings(w, cell, leaving)
        allowed = {str(c.id) for c in places}
        refusal = app.dissolution_refusal(cell.id, day, len(siblings(w, cell)))
        suggested = app.suggested_moves(cell.id, day) if refusal is None and cell.live else {}
        everyone += suggested
        # ORG-DISSOLVE-TRANSFER: the members whose transfer holds the cell, each with its link
        leaving_now = app.transfers_under_way(cell.id, day) if refusal is not None else {}
        everyone += leaving_now.values()
        rows = []
        for member_id, to in suggested.items():
            hint = str(to) if to else ""
            choice = (chosen or {}).get(str(member_id), hint if hint in allowed else "")
            rows.append(
                {
                    "member_id": str(member_id),
                    "suggested": hint,
                    "chosen": choice if choice in allowed else "",
                }
            )
        review.cells.append(
            {
                "id": cell.id,
                "name": w.orgs.qualified(cell),
                "commune": w.orgs.name(cell.grassroots_id),
                "rows": rows,
                "refusal": refusal.message(w.lang) if refusal else None,
                "leaving": [
                    {"member_id": str(m), "transfer_id": str(t)} for t, m in leaving_now.items()
                ],
                "places": [
                    (
                        w.t("dissolve.residence_cells"),
                        [p for p in places if p.setting in RESIDENTIAL],
                    ),
                    (
                        w.t("dissolve.other_cells"),
                        [p for p in places if p.setting not in RESIDENTIAL],
                    ),
                ],
            }
        )
    names = member_names(app, w.s.engine, everyone) if w.sees_people else {}
    for c in review.cells:
        for r in c["rows"] + c["leaving"]:
            r["name"] = names.get(UUID(r["member_id"])) or short(UUID(r["member_id"]))
        c["rows"].sort(key=lambda r: r["name"])
    return review


def render_review(w: Web, review: Review, key: str | None, status: int = 200) -> HTMLResponse:
    return w.render(
        "dissolve_review.html",
        status,
        review=review,
        totals=review.totals(w),
        qualified=w.orgs.qualified,
        key=key or str(uuid4()),
    )


@router.get("/dissolve/review")
async def review(w: WebContext, request: Request, on: str = "") -> HTMLResponse:
    """Step 2: every cell ticked, where each member goes (adjustable), the totals."""
    may_dissolve(w)
    ids = cell_ids(request.query_params.getlist("cells"))
    day = parse_dmy(on) if on else w.today
    found = await run_in_threadpool(review_of, w, ids, day or w.today, None)
    if day is None:
        found.errors["on"] = w.t("error.date")
    if not ids:
        found.error = w.t("dissolve.none_picked")
    return render_review(w, found, None, 422 if found.errors or found.error else 200)


@router.post("/dissolve/review")
async def confirm(request: Request, w: WebContext) -> Response:
    """Step 3: one confirmation for the whole batch; every member has a destination and the
    box is ticked, then the API's batch command (all or nothing)."""
    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    w.check_csrf(form)
    may_dissolve(w)
    ids = cell_ids([v for v in data.getlist("cells") if isinstance(v, str)])
    if not all(w.orgs.inside(i) for i in ids):  # named in the body: as the API's command
        raise scope_refused()
    day = parse_dmy(form.get("on", ""))
    chosen = {k.removeprefix("move."): v for k, v in form.items() if k.startswith("move.")}
    found = await run_in_threadpool(review_of, w, ids, day or w.today, chosen)
    key = form_key(form)
    found.confirmed = "confirm" in form
    if form.get("action") == "update":  # the officer changed choices: the totals again
        return render_review(w, found, key)
    if day is None:
        found.errors["on"] = w.t("error.date")
    for c in found.cells:
        for r in c["rows"]:
            if not r["chosen"]:
                found.errors[r["member_id"]] = f"ORG-DISSOLVE · {w.t('dissolve.missing')}"
    if "confirm" not in form:
        found.errors["confirm"] = w.t("confirm.required")
    if not ids:
        found.error = w.t("dissolve.none_picked")
    if found.errors or found.error or day is None:
        return render_review(w, found, key, 422)
    body = DissolutionBatchIn(on=day, cells=found.moves())
    try:
        batch = await dissolutions.dissolve_batch(body, w.user, w.s, key)
    except DomainError as refusal:
        if refusal.rule_id in ("NOT-FOUND", "ACCESS-SCOPE", "ACCESS-ROLE"):
            raise
        where = str(refusal.details.get("cell_id", ""))
        if refusal.rule_id == "RULES-PERIOD":
            found.errors["on"] = refusal.message(w.lang)
        elif where:
            found.errors[f"cell.{where}"] = refusal.message(w.lang)
        else:
            found.error = refusal.message(w.lang)
        return render_review(w, found, key, 422)
    return redirect(f"/dissolve/batches/{batch.batch_id}")


@router.get("/dissolve/{cell_id}")
def single(cell_id: UUID, w: WebContext, on: str = "") -> Response:
    """The former one-cell review: the review of a batch of one."""
    may_dissolve(w)
    cell = w.org(cell_id)
    return redirect("/dissolve/review?" + urlencode({"cells": str(cell.id), "on": on}))


# --- step 4: progress ------------------------------------------------------------------------


@router.get("/dissolve/batches/{batch_id}")
async def batch_progress(batch_id: UUID, w: WebContext) -> HTMLResponse:
    """Each cell's state, the members moved, the failed moves with their rule; the page
    refreshes until every cell is dissolved or failed."""
    return await render_batch(w, batch_id)


async def render_batch(
    w: Web,
    batch_id: UUID,
    status: int = 200,
    decisions_error: str | None = None,
    decisions_on: str | None = None,
) -> HTMLResponse:
    """The batch's page; with its cells' dissolution decisions (issue 16) once it is done."""
    from infra.web.orgpapers import batch_offer

    found = await dissolutions.dissolution_batch(batch_id, w.user, w.s)
    failing = [f.member_id for c in found.cells for f in c.failures]
    names = (
        await run_in_threadpool(member_names, w.s.app, w.s.engine, failing) if w.sees_people else {}
    )
    percent = round(100 * found.moved / found.members) if found.members else 100
    offer = await run_in_threadpool(batch_offer, w, found)
    if decisions_on is not None:
        offer["on"] = decisions_on
    return w.render(
        "dissolve_progress.html",
        status,
        papers=offer,
        decisions_error=decisions_error,
        key=str(uuid4()),
        sees_people=w.sees_people,
        batch=found,
        name_of=lambda m: names.get(m) or short(m),
        cell_name=w.orgs.qualified_name,
        percent=percent,
        may_retry=may(w.user, DISSOLVE),
        refresh=None if found.done else REFRESH_SECONDS,
    )


@router.post("/dissolve/batches/{batch_id}/retry")
async def batch_retry(batch_id: UUID, request: Request, w: WebContext) -> Response:
    w.check_csrf(await request.form())
    await dissolutions.retry_batch(batch_id, w.user, w.s)
    return redirect(f"/dissolve/batches/{batch_id}")


@router.get("/dissolve/{cell_id}/progress")
async def progress(cell_id: UUID, w: WebContext) -> HTMLResponse:
    """One cell's dissolution (started alone through the API, or within a batch)."""
    cell = await run_in_threadpool(w.org, cell_id)
    found = await queries.dissolution_progress(cell_id, w.user, w.s)
    return w.render(
        "dissolve_cell_progress.html",
        cell=cell,
        cell_name=w.orgs.qualified(cell),
        progress=found,
        percent=round(100 * found.moved / found.total) if found.total else 100,
        refresh=None if found.dissolved else REFRESH_SECONDS,
    )


@router.post("/dissolve/{cell_id}/retry")
async def retry(cell_id: UUID, request: Request, w: WebContext) -> Response:
    w.check_csrf(await request.form())
    await dissolutions.retry_dissolution(cell_id, w.user, w.s)
    return redirect(f"/dissolve/{cell_id}/progress")
