"""Bảng dự bị and Bảng chuyển sinh hoạt: the probation and transfer boards beside the admission
board (/board), from the read model (projections/boards.py), with the same filters (a cell,
overdue only) and pages. Every organization asked for is inside the user's subtree, as in the
API (outside: NOT-FOUND)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from domain.errors import DomainError
from domain.transfer import Transfer
from infra.api.boards import FINISHED_PAGE, finished_transfers
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute
from infra.web.views import CardView, card_views
from projections.boards import PROBATION_DUES, TRANSFER_HOPS, Boards, ProbationCard, TransferCard
from projections.queries import ReadModel

router = APIRouter(route_class=WebRoute, include_in_schema=False)

BOARD_PAGE = 300  # cards on one page, as the admission board
MAX_OFFSET = 1_000_000  # a larger one would overflow the database's integers


@dataclass(frozen=True)
class ProbationView:
    view: CardView
    entry: ProbationCard


@dataclass(frozen=True)
class TransferView:
    view: CardView
    entry: TransferCard
    letter_at: str  # the organization holding the letter now
    bound_for: str  # the receiving cell, or the destination until the letter names one


@router.get("/board/probation")
def probation_board(
    w: WebContext, org: UUID | None = None, cell: str = "", overdue: bool = False, offset: int = 0
) -> HTMLResponse:
    """Members on probation, a column for what is due: the review vote, the decision, a
    deadlock; overdue first."""
    unit = w.org(org)
    cell_row = w.org(cell) if cell else None
    offset = min(max(offset, 0), MAX_OFFSET)
    found = Boards(ReadModel(w.s.engine)).probation(
        unit.id,
        w.today,
        cell_id=cell_row.id if cell_row else None,
        overdue_only=overdue,
        limit=BOARD_PAGE + 1,
        offset=offset,
    )
    page = found[:BOARD_PAGE]
    views = [
        ProbationView(v, e)
        for v, e in zip(card_views([e.card for e in page], w), page, strict=True)
    ]
    columns = [(due, [v for v in views if v.entry.due == due]) for due in PROBATION_DUES]
    filters = Filters(unit, cell_row, overdue, offset, more=len(found) > BOARD_PAGE)
    return board_page(w, "probation", filters, columns, len(views))


@router.get("/board/transfers")
def transfer_board(
    w: WebContext, org: UUID | None = None, cell: str = "", overdue: bool = False, offset: int = 0
) -> HTMLResponse:
    """Transfers in flight sent or received by the subtree, a column for where the letter
    is, each card with its own deadline; overdue first."""
    unit = w.org(org)
    cell_row = w.org(cell) if cell else None
    offset = min(max(offset, 0), MAX_OFFSET)
    found = Boards(ReadModel(w.s.engine)).transfers(
        unit.id,
        w.today,
        cell_id=cell_row.id if cell_row else None,
        overdue_only=overdue,
        limit=BOARD_PAGE + 1,
        offset=offset,
    )
    page = found[:BOARD_PAGE]
    name = w.orgs.name
    views = [
        TransferView(v, e, name(e.letter_at_id), name(e.to_cell_id or e.destination_id))
        for v, e in zip(card_views([e.card for e in page], w), page, strict=True)
    ]
    columns = [(hop, [v for v in views if v.entry.hop == hop]) for hop in TRANSFER_HOPS]
    filters = Filters(unit, cell_row, overdue, offset, more=len(found) > BOARD_PAGE)
    return board_page(w, "transfers", filters, columns, len(views))


@dataclass(frozen=True)
class Filters:
    """What a board shows: the unit, a cell of it or all, overdue only, the page."""

    unit: OrgRow
    cell: OrgRow | None
    overdue: bool
    offset: int
    more: bool  # a next page


def board_page(
    w: Web, tab: str, f: Filters, columns: list[tuple[str, list[Any]]], count: int
) -> HTMLResponse:
    """A board's page: its columns of cards, its filters, its tab."""
    return w.render(
        f"board_{tab}.html",
        org=f.unit,
        columns=columns,
        count=count,
        cells=w.orgs.cells(f.unit),
        cell=f.cell,
        overdue=f.overdue,
        offset=f.offset,
        more=f.more,
        page_size=BOARD_PAGE,
        tab=tab,
    )


# --- finished transfers: every one, searched through the index ------------------------------------


def finished_page(w: Web, unit: OrgRow, q: str, offset: int, states: list[str]) -> HTMLResponse:
    """Transfers completed or cancelled, the latest finished first, 50 a page, however old;
    searched as the API searches them (`infra.api.boards.finished_transfers`): by the
    member's name or an organization's. A refusal shows beside the search field."""
    errors: dict[str, str] = {}
    page = offset // FINISHED_PAGE + 1
    try:
        total, cards = finished_transfers(w.s, w.user, unit.id, q, page, w.today)
    except DomainError as error:
        message = error.en if w.lang == "en" else error.vi
        errors["q"] = f"[{error.rule_id}] {message}"
        total, cards = 0, []
    views = card_views(cards, w)
    return w.render(
        "transfers.html",
        status=422 if errors else 200,
        org=unit,
        views=views,
        details={v.card.id: w.s.app.load(Transfer, v.card.id) for v in views},
        orgs_name=w.orgs.name,
        state="finished",
        states=states,
        q=q,
        errors=errors,
        limited=False,
        total=total,
        offset=(page - 1) * FINISHED_PAGE,
        page_size=FINISHED_PAGE,
    )
