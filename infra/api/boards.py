"""The boards of probation and of transfers (projections/boards.py), beside the admission
board (`GET /api/orgs/{id}/board`), with its filters: the day, a cell, overdue only; and
pages (`limit`, `offset`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from infra.api.access import may_see_personal_data
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.errors import ApiError
from infra.api.queries import Today, read_model, visible
from infra.api.register import query_tokens
from infra.api.schemas import CardOut
from infra.api.services import Services
from infra.importing.columns import fold
from infra.users import User
from projections.boards import Boards, ProbationCard, TransferCard
from projections.queries import Card

router = APIRouter(prefix="/api", tags=["reads"], responses=REFUSALS)

Limit = Annotated[int, Query(ge=1, le=1000, description="Cards on a page (300 by default)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Cards skipped")]


class ProbationCardOut(CardOut):
    due: Literal["review", "decision", "deadlock"]
    probation_ends: date
    failed_votes: int


class TransferCardOut(CardOut):
    hop: Literal["not_sent", "forwarded", "letter_issued", "presented", "active"]
    transfer_kind: str
    hops: int
    letter_at_id: UUID | None
    destination_id: UUID | None
    to_cell_id: UUID | None
    returns_on: date | None
    direction: Literal["out", "in", "within"]


def _probation_out(c: ProbationCard) -> ProbationCardOut:
    return ProbationCardOut.model_validate(
        {**c.card._asdict(), "due": c.due}
        | {"probation_ends": c.probation_ends, "failed_votes": c.failed_votes}
    )


def _transfer_out(c: TransferCard) -> TransferCardOut:
    extra = c._asdict()
    del extra["card"]
    extra["transfer_kind"] = extra.pop("kind")
    return TransferCardOut.model_validate({**c.card._asdict(), **extra})


@router.get("/orgs/{org_id}/board/probation")
def probation_board(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    today: Today = None,
    cell_id: UUID | None = None,
    overdue_only: bool = False,
    due: Literal["review", "decision", "deadlock"] | None = None,
    limit: Limit = 300,
    offset: Offset = 0,
) -> list[ProbationCardOut]:
    """Members on probation in the subtree by what is due — the cell's review vote
    (PRB-REVIEW), the committee's decision (PRB-DECIDE), a deadlock (PRB-DEADLOCK: the upper
    committee decides) —, with the end of probation, the deadline, working days left, the
    escalation and the failed votes; overdue first."""
    model = read_model(s, user, org_id)
    if cell_id is not None:
        visible(s, user, cell_id)
    cards = Boards(model).probation(
        org_id,
        today or s.today(),
        cell_id=cell_id,
        overdue_only=overdue_only,
        due=due,
        limit=limit,
        offset=offset,
    )
    return [_probation_out(c) for c in cards]


@router.get("/orgs/{org_id}/board/transfers")
def transfer_board(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    today: Today = None,
    cell_id: UUID | None = None,
    overdue_only: bool = False,
    hop: Literal["not_sent", "forwarded", "letter_issued", "presented", "active"] | None = None,
    limit: Limit = 300,
    offset: Offset = 0,
) -> list[TransferCardOut]:
    """Transfers in flight that the subtree sends or receives (from the start, by their
    destination), by where the letter is — not sent on yet (TRF-START), forwarded hop by
    hop, held by the member (TRF-PRESENT), presented, a temporary stay —, each with its own
    deadline and working days left; overdue first. Finished ones:
    `GET /api/orgs/{id}/transfers?stage=completed&stage=cancelled`."""
    model = read_model(s, user, org_id)
    if cell_id is not None:
        visible(s, user, cell_id)
    cards = Boards(model).transfers(
        org_id,
        today or s.today(),
        cell_id=cell_id,
        overdue_only=overdue_only,
        hop=hop,
        limit=limit,
        offset=offset,
    )
    return [_transfer_out(c) for c in cards]


# --- finished transfers, searched ----------------------------------------------------------------

FINISHED_PAGE = 50


class TransferSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: UUID
    q: str | None = Field(None, max_length=200)
    page: int = Field(1, ge=1, le=10_000)


class TransferSearchOut(BaseModel):
    total: int
    page: int
    pages: int
    page_size: int
    transfers: list[CardOut]


def finished_transfers(
    s: Services, user: User, org_id: UUID, q: str | None, page: int, today: date
) -> tuple[int, list[Card]]:
    """Transfers completed or cancelled that the unit sent or received, the latest finished
    first, a page of them and how many in all; `q` finds a member by name (whole words,
    through the blind index: for the roles that may see people) or an organization by any
    part of its name (the one left, bound for or reached). A name that cannot be searched
    (SEARCH-NAME) is refused only when no organization matches either."""
    model = read_model(s, user, org_id)
    tokens, org_ids = frozenset[int](), list[UUID]()
    wanted = fold(q or "").strip()
    if wanted:
        orgs = model.t.orgs
        with s.engine.connect() as conn:
            names = conn.execute(sa.select(orgs.c.id, orgs.c.name)).all()
        org_ids = [i for i, name in names if wanted in fold(name)]
        if may_see_personal_data(user):
            try:
                tokens = query_tokens(s.app, q or "")
            except ApiError:
                if not org_ids:
                    raise
        if not tokens and not org_ids:
            return 0, []
    return Boards(model).finished(
        org_id,
        today,
        tokens=tokens,
        org_ids=org_ids,
        limit=FINISHED_PAGE,
        offset=(page - 1) * FINISHED_PAGE,
    )


@router.post("/transfers/search")
def search_transfers(body: TransferSearchIn, user: CurrentUser, s: Svc) -> TransferSearchOut:
    """Finished transfers (completed, cancelled) of a unit, however old, 50 a page, searched
    by the member's name or an organization's (posted: a name stays out of addresses)."""
    total, cards = finished_transfers(s, user, body.org_id, body.q, body.page, s.today())
    return TransferSearchOut(
        total=total,
        page=body.page,
        pages=max(1, -(-total // FINISHED_PAGE)),
        page_size=FINISHED_PAGE,
        transfers=[CardOut.model_validate(c) for c in cards],
    )
