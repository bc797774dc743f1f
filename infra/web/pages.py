"""The pages of the week's questions, from the read models (projections.queries.ReadModel):
Trang chủ (what needs my action), Bảng tiến trình (the stage board), Chỉ tiêu (the quota
dashboard, as of any past day), Cảnh báo (stalled and escalated, worst first) and Chuyển sinh
hoạt (transfers in transit). Every organization asked for must be inside the user's subtree,
as in the API (outside: NOT-FOUND)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.commands.admission import ExtendDecisionDeadline
from domain.stages import Stage, TransferStage
from domain.transfer import Transfer
from infra.api import queries
from infra.api.access import ACKNOWLEDGE, OPEN_CASE, breakdowns_shown, may
from infra.api.queries import as_of_model
from infra.importing.columns import fold
from infra.mail import undeliverable
from infra.notifications import notifications
from infra.web.boards import MAX_OFFSET, finished_page
from infra.web.charts import admissions_chart
from infra.web.i18n import dmy, end_of, parse_dmy
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute, redirect, safe_next
from infra.web.views import CardView, by_deadline, card_views
from projections.queries import OPEN_STAGES, Quota, ReadModel
from projections.rows import BREAKDOWNS
from projections.seal import GroupSeal

router = APIRouter(route_class=WebRoute, include_in_schema=False)

BOARD_PAGE = 300  # cards on one page of the board
TODO = 15  # cards on the home page


# --- home ----------------------------------------------------------------------------------------


def my_notifications(w: Web, limit: int = 10) -> list[dict[str, Any]]:
    """The notices sent to the user's organization, not yet acknowledged, newest first."""
    if w.user.org_id is None:
        return []
    rows = [r for r in w.s.notifications.for_org(w.user.org_id) if r.acknowledged_at is None]
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return [
        {
            "key": r.key,
            "subject_id": r.subject_id,
            "level": r.level,
            "kind": r.kind,
            "rule_id": r.rule_id,
            "message": r.message_en if w.lang == "en" else r.message_vi,
            "created": dmy(r.created_at),
        }
        for r in rows[:limit]
    ]


@router.get("/")
def home(w: WebContext) -> HTMLResponse:
    """What needs the user's action: the cases its units hold (the case's holder is its
    organization or below), overdue first, then the nearest deadline; probations and transfers
    that are late; its notifications."""
    org = w.org()
    model = ReadModel(w.s.engine)
    today = w.today
    held = [
        c
        for c in model.stage_board(org.id, today)
        if c.responsible_id is None or w.orgs.inside(c.responsible_id)
    ]
    stalled = model.stalled(org.id, today)
    late_others = [c for c in stalled if c.kind != "admission"]
    todo = by_deadline(held + late_others, today)[:TODO]
    return w.render(
        "home.html",
        org=org,
        todo=card_views(todo, w),
        stalled=len(stalled),
        notifications=my_notifications(w),
        picker=[],
    )


# --- board ---------------------------------------------------------------------------------------


@router.get("/board")
def board(
    w: WebContext,
    org: UUID | None = None,
    cell: str = "",
    overdue: bool = False,
    group: str = "",
    offset: int = 0,
) -> HTMLResponse:
    """Columns by stage; cards coloured by working days left; filters: cell, overdue only,
    breakdown group."""
    unit = w.org(org)
    cell_row = w.org(cell) if cell else None
    chosen_group = group if group in BREAKDOWNS else None
    offset = max(offset, 0)
    cards = sealed_read_model(w).stage_board(
        unit.id,
        w.today,
        cell_id=cell_row.id if cell_row else None,
        overdue_only=overdue,
        group=chosen_group,
        limit=BOARD_PAGE + 1,
        offset=offset,
    )
    more = len(cards) > BOARD_PAGE
    views = card_views(cards[:BOARD_PAGE], w)
    columns = [(stage, [v for v in views if v.card.stage == stage]) for stage in OPEN_STAGES]
    return w.render(
        "board.html",
        org=unit,
        columns=columns,
        count=len(views),
        cells=w.orgs.cells(unit),
        cell=cell_row,
        overdue=overdue,
        group=chosen_group or "",
        groups=BREAKDOWNS,
        offset=offset,
        more=more,
        page_size=BOARD_PAGE,
        may_open=may(w.user, OPEN_CASE),
    )


# --- quota ---------------------------------------------------------------------------------------


def sealed_read_model(w: Web) -> ReadModel:
    """The live read model with the key that opens people's sealed breakdown groups (the
    board's filter by group, a quota asked of a past day of its year: issue 18)."""
    return ReadModel(w.s.engine, seal=GroupSeal.of(w.s.app))


@dataclass(frozen=True)
class QuotaReport:
    """A unit's quota, its children's, and its months, on a day (live or as of it)."""

    org: OrgRow
    year: int
    day: date
    as_of: bool
    quota: Quota
    units: list[tuple[OrgRow, Quota]]
    months: list[int]
    model: ReadModel


def quota_report(w: Web, org: OrgRow, year: int | None, day: date) -> QuotaReport:
    """Live for today; for a past day the read model is replayed from the record as it was
    known at the end of that day (the API's `as_of_model`, bounded the same way)."""
    past = day < w.today
    model = as_of_model(w.s.app, end_of(day)) if past else sealed_read_model(w)
    year = year or day.year
    quota = model.quota(org.id, year, day)  # LookupError: not registered yet on that day
    units = []
    for child in w.orgs.children(org):
        try:
            units.append((child, model.quota(child.id, year, day)))
        except LookupError:
            continue
    months = model.admissions_by_month(org.id, year, day)
    return QuotaReport(org, year, day, past, quota, units, months, model)


def chosen_day(w: Web, on: str) -> tuple[date, str | None]:
    """The day asked for (dd/mm/yyyy), today when none; an error for a bad one or a future."""
    if not on:
        return w.today, None
    day = parse_dmy(on)
    if day is None or day.year < 1930:
        return w.today, w.t("error.date")
    return min(day, w.today), None


def chosen_year(year: str) -> int | None:
    """The year typed (1930…2100), or None for the year of the day asked."""
    return int(year) if year.strip().isdigit() and 1930 <= int(year) <= 2100 else None


@router.get("/quota")
def quota(w: WebContext, org: UUID | None = None, year: str = "", on: str = "") -> HTMLResponse:
    return quota_page(w, org, year, on)


def quota_page(
    w: Web,
    org: UUID | None,
    year: str,
    on: str,
    papers: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The quota page; with the year's report (issue 16: `papers`, its section as refused)."""
    from infra.web.orgpapers import quota_papers

    unit = w.org(org)
    day, error = chosen_day(w, on)
    try:
        report = quota_report(w, unit, chosen_year(year), day)
    except LookupError:  # nothing was known of the organization on that day
        error = w.t("quota.not_known", date=dmy(day))
        day = w.today
        report = quota_report(w, unit, chosen_year(year), day)
    known = 12 if report.year < day.year else (day.month if report.year == day.year else 0)
    q = report.quota
    shown = breakdowns_shown(w.sees_people, q.breakdowns)
    return w.render(
        "quota.html",
        status=422 if error else status,
        papers=papers or quota_papers(w, unit.id, report.year),
        key=str(uuid4()),
        org=unit,
        report=report,
        q=q,
        chart=admissions_chart(report.months, q.target, known),
        pipeline=[(s, q.pipeline[s]) for s in OPEN_STAGES if q.pipeline.get(s)],
        breakdowns=[(g, shown.get(g, 0)) for g in BREAKDOWNS],
        on=on if error else (dmy(day) if on else ""),
        day=dmy(day),
        error=error,
    )


# --- escalations ---------------------------------------------------------------------------------


def notices_of(w: Web, subject_ids: list[UUID]) -> dict[UUID, list[Any]]:
    """The notices about these records sent inside the user's subtree."""
    if not subject_ids:
        return {}
    n = notifications
    with w.s.engine.connect() as conn:
        rows = conn.execute(
            sa.select(n).where(n.c.subject_id.in_(subject_ids)).order_by(n.c.level)
        ).all()
    found: dict[UUID, list[Any]] = {}
    for row in rows:
        if w.orgs.inside(row.org_id):
            found.setdefault(row.subject_id, []).append(row)
    return found


def actions(w: Web, view: CardView) -> list[tuple[str, str]]:
    """The inbox's links to the forms a role may use on a late record."""
    card, found = view.card, []
    if card.kind == "admission":
        if card.stage in ExtendDecisionDeadline.stages and may(w.user, "extend_decision_deadline"):
            found.append(("inbox.extend", f"{view.href}#step-extend_decision_deadline"))
        if card.stage == Stage.ceremony and may(w.user, "approve_ceremony_delay"):
            found.append(("inbox.approve_delay", f"{view.href}#step-approve_ceremony_delay"))
    if card.kind == "member" and may(w.user, "extend_recognition_deadline"):
        found.append(("inbox.extend", f"{view.href}#step-extend_recognition_deadline"))
    return found


@router.get("/inbox")
def inbox(w: WebContext, org: UUID | None = None) -> HTMLResponse:
    unit = w.org(org)
    cards = ReadModel(w.s.engine).stalled(unit.id, w.today)
    views = card_views(cards, w)
    notices = notices_of(w, [c.id for c in cards])
    rows = []
    for v in views:
        sent = notices.get(v.card.id, [])
        seen = [n.acknowledged_at for n in sent if n.acknowledged_at is not None]
        rows.append(
            {
                "view": v,
                "actions": actions(w, v),
                "unacknowledged": [n.key for n in sent if n.acknowledged_at is None],
                "acknowledged": max(seen) if seen else None,
            }
        )
    return w.render(
        "inbox.html",
        org=unit,
        rows=rows,
        may_acknowledge=may(w.user, ACKNOWLEDGE),
        undeliverable=undeliverable(w.s.engine, unit.id),  # issue 16: refused addresses
    )


@router.post("/notifications/acknowledge")
async def acknowledge(request: Request, w: WebContext) -> Response:
    """Mark notices as seen (who acknowledged is not recorded: a notice is not a fact of the
    record). Only notices sent inside the user's subtree; auditors only read."""
    form = await request.form()
    w.check_csrf(form)
    queries.acknowledge(w.s, w.user, [str(k) for k in form.getlist("key")][:500])
    return redirect(safe_next(str(form.get("next", "/"))))


# --- transfers -----------------------------------------------------------------------------------


TRANSFER_STATES: dict[str, tuple[str, ...]] = {
    "transit": ("in_transit", "letter_issued"),
    "arrived": ("presented", "active"),
    "finished": ("completed", "cancelled"),
    "all": tuple(str(stage) for stage in TransferStage),
}
TRANSFERS_SHOWN = 200  # the latest started, of a state other than in transit


@router.get("/transfers")
def transfers(
    w: WebContext, org: UUID | None = None, state: str = "", q: str = "", offset: int = 0
) -> HTMLResponse:
    """Transfers sent or received by the subtree: in transit (by deadline), or in another
    state (the latest first), searched by the member's name or a cell's, accents ignored;
    the finished ones all of them, a page at a time (infra/web/boards.py)."""
    unit = w.org(org)
    state = state if state in TRANSFER_STATES else "transit"
    if state == "finished":
        start = min(max(offset, 0), MAX_OFFSET)
        return finished_page(w, unit, q.strip()[:100], start, list(TRANSFER_STATES))
    model = ReadModel(w.s.engine)
    if state == "transit":
        cards = by_deadline(model.transfers_in_transit(unit.id, w.today), w.today)
    else:
        cards = model.transfers(unit.id, w.today, TRANSFER_STATES[state], TRANSFERS_SHOWN)
    views = card_views(cards, w)
    details = {v.card.id: w.s.app.load(Transfer, v.card.id) for v in views}
    wanted = fold(q[:100])
    if wanted:
        name = w.orgs.name
        views = [
            v
            for v in views
            if any(
                wanted in fold(text)
                for text in (
                    v.title,
                    v.cell,
                    name(details[v.card.id].destination_org_id),
                    name(details[v.card.id].to_cell_id),
                )
            )
        ]
    return w.render(
        "transfers.html",
        org=unit,
        views=views,
        details=details,
        orgs_name=w.orgs.name,
        state=state,
        states=list(TRANSFER_STATES),
        q=q[:100],
        limited=state != "transit" and len(cards) >= TRANSFERS_SHOWN,
        shown=TRANSFERS_SHOWN,
    )


@router.post("/transfers")
async def search_transfers(
    request: Request,
    w: WebContext,
    org: Annotated[str, Form(max_length=40)] = "",
    state: Annotated[str, Form(max_length=20)] = "",
    q: Annotated[str, Form(max_length=100)] = "",
    offset: Annotated[str, Form(max_length=7)] = "0",
) -> HTMLResponse:
    """The search posted: a member's name stays out of the address (and of logs)."""
    w.check_csrf(await request.form())
    unit = w.org(org) if org else w.org()
    start = min(int(offset), MAX_OFFSET) if offset.isdigit() else 0
    q = q.replace("\x00", "")
    return await run_in_threadpool(transfers, w, unit.id, state, q, start)
