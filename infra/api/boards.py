"""The boards of probation and of transfers (projections/boards.py), beside the admission
board (`GET /api/orgs/{id}/board`), with its filters: the day, a cell, overdue only; and
pages (`limit`, `offset`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.queries import Today, read_model, visible
from infra.api.schemas import CardOut
from projections.boards import Boards, ProbationCard, TransferCard

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
