"""The boards of probation and of transfers, beside the admission board (ReadModel.stage_board):
what is due on each probation, where each transfer's letter is, each with its own deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa

from domain.stages import ON_PROBATION, Standing, TransferStage
from projections.log import uuid_from_hex
from projections.queries import Card, ReadModel
from projections.register import Register
from projections.tables import under

# What a probation awaits (the probation board's columns): the cell's recognition vote
# (PRB-REVIEW), the competent committee's decision (PRB-DECIDE), the upper committee after
# three failed votes (PRB-DEADLOCK).
PROBATION_DUES = ("review", "decision", "deadlock")
# Where a transfer in flight stands (the transfer board's columns): started, its letter not
# yet sent on (TRF-START); forwarded from hop to hop (no deadline of its own in the
# rulebook); held by the member for the receiving cell (TRF-PRESENT); presented, awaiting
# the cell's acceptance; a temporary stay under way (until its return date).
TRANSFER_HOPS = ("not_sent", "forwarded", "letter_issued", "presented", "active")
IN_FLIGHT = tuple(str(s) for s in TransferStage if not s.is_closed)


class ProbationCard(NamedTuple):
    card: Card  # kind "member": status as stage, PRB-REVIEW or PRB-DECIDE as deadline
    due: str  # one of PROBATION_DUES
    probation_ends: date
    failed_votes: int


class TransferCard(NamedTuple):
    card: Card  # kind "transfer": the sending cell as its cell
    hop: str  # one of TRANSFER_HOPS
    kind: str  # official | temporary | internal
    hops: int  # forwarded so many times
    letter_at_id: UUID | None  # the organization holding the letter now
    destination_id: UUID | None
    to_cell_id: UUID | None  # the receiving cell, once the letter names it
    returns_on: date | None  # a temporary stay's expected end
    direction: str  # out | in | within: seen from the organization asked about


def probation_due(status: str, deadline_rule: str | None) -> str:
    if status == str(Standing.deadlock):
        return "deadlock"
    return "decision" if deadline_rule == "PRB-DECIDE" else "review"


def transfer_hop(stage: str, hops: int) -> str:
    if stage == str(TransferStage.in_transit):
        return "forwarded" if hops else "not_sent"
    return stage


class Boards:
    """The probation and transfer boards over one version of the read model."""

    def __init__(self, model: ReadModel) -> None:
        self.model, self.t = model, model.t

    def probation(
        self,
        org_id: UUID,
        today: date,
        *,
        cell_id: UUID | None = None,
        overdue_only: bool = False,
        due: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProbationCard]:
        """Members on probation under the organization, overdue first, then the nearest
        deadline (a deadlock, which has none, last); `due` keeps one column."""
        m = self.t.members.c
        with self.model.engine.connect() as conn:
            path = self.model._path(conn, org_id)
            query = (
                self.model._card_query("member")
                .add_columns(m.probation_ends, m.failed_votes)
                .where(m.status.in_(tuple(str(s) for s in ON_PROBATION)), under(m.path, path))
            )
            if cell_id is not None:
                query = query.where(m.cell_id == cell_id)
            if overdue_only:
                query = query.where(m.deadline_due < today)
            if due == "deadlock":
                query = query.where(m.status == str(Standing.deadlock))
            elif due in ("review", "decision"):
                rule = "PRB-DECIDE" if due == "decision" else "PRB-REVIEW"
                query = query.where(m.status != str(Standing.deadlock), m.deadline_rule == rule)
            query = query.order_by(m.deadline_due.is_(None), m.deadline_due, m.probation_ends, m.id)
            if limit is not None:
                query = query.limit(limit).offset(offset)
            rows = conn.execute(query).all()
        cards = self.model._cards("member", _Rows([r[:10] for r in rows]), today)
        return [
            ProbationCard(card, probation_due(card.stage, card.deadline_rule), ends, failed)
            for card, (*_, ends, failed) in zip(cards, rows, strict=True)
        ]

    def transfers(
        self,
        org_id: UUID,
        today: date,
        *,
        cell_id: UUID | None = None,
        overdue_only: bool = False,
        hop: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TransferCard]:
        """Transfers in flight that the subtree sends, receives (its destination or receiving
        cell is in it, from the start) or whose letter it holds; overdue first, then the
        nearest deadline. `cell_id` keeps those leaving or bound for one cell."""
        r = self.t.transfers.c
        with self.model.engine.connect() as conn:
            path = self.model._path(conn, org_id)
            sending, receiving = (
                under(r.from_path, path),
                sa.or_(under(r.destination_path, path), under(r.to_path, path)),
            )
            query = (
                self.model._card_query("transfer")
                .add_columns(
                    r.hops,
                    r.kind,
                    r.letter_at_id,
                    r.destination_id,
                    r.to_cell_id,
                    r.returns_on,
                    sa.case((sending, 1), else_=0),
                    sa.case((receiving, 1), else_=0),
                )
                .where(r.stage.in_(IN_FLIGHT), sa.or_(sending, receiving))
            )
            if cell_id is not None:
                query = query.where(
                    sa.or_(
                        r.from_cell_id == cell_id,
                        r.to_cell_id == cell_id,
                        r.destination_id == cell_id,
                    )
                )
            if overdue_only:
                query = query.where(r.deadline_due < today)
            if hop == "not_sent":
                query = query.where(r.stage == str(TransferStage.in_transit), r.hops == 0)
            elif hop == "forwarded":
                query = query.where(r.stage == str(TransferStage.in_transit), r.hops > 0)
            elif hop is not None:
                query = query.where(r.stage == hop)
            query = query.order_by(r.deadline_due.is_(None), r.deadline_due, r.started_on, r.id)
            if limit is not None:
                query = query.limit(limit).offset(offset)
            rows = conn.execute(query).all()
        cards = self.model._cards("transfer", _Rows([row[:10] for row in rows]), today)
        found = []
        for card, row in zip(cards, rows, strict=True):
            hops, kind, letter_at, destination, to_cell, returns_on, out, into = row[10:]
            found.append(
                TransferCard(
                    card,
                    transfer_hop(card.stage, hops),
                    kind,
                    hops,
                    _uuid(letter_at),
                    _uuid(destination),
                    _uuid(to_cell),
                    returns_on,
                    "within" if out and into else ("out" if out else "in"),
                )
            )
        return found

    def finished(
        self,
        org_id: UUID,
        today: date,
        *,
        tokens: frozenset[int] = frozenset(),
        org_ids: Sequence[UUID] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[Card]]:
        """Transfers completed or cancelled that the subtree sent or received, the latest
        finished first, a page of them and how many in all; when searched, those of a member
        whose name holds every token (the blind index, projections/register.py) or leaving,
        bound for or received by one of the organizations."""
        r, members = self.t.transfers.c, self.t.members.c
        with self.model.engine.connect() as conn:
            path = self.model._path(conn, org_id)
            where = [
                r.stage.in_([str(s) for s in TransferStage if s.is_closed]),
                sa.or_(
                    under(r.from_path, path),
                    under(r.destination_path, path),
                    under(r.to_path, path),
                ),
            ]
            if tokens or org_ids:
                found: list[sa.ColumnElement[bool]] = []
                if tokens:
                    people = Register(self.model.engine, self.t.version)._people(tokens)
                    named = sa.select(members.id).where(members.person_id.in_(people))
                    found.append(r.member_id.in_(named))
                if org_ids:
                    ids = list(org_ids)
                    found += [r.from_cell_id.in_(ids), r.destination_id.in_(ids)]
                    found.append(r.to_cell_id.in_(ids))
                where.append(sa.or_(*found))
            total = conn.execute(
                sa.select(sa.func.count()).select_from(self.t.transfers).where(*where)
            ).scalar_one()
            page = conn.execute(
                self.model._card_query("transfer")
                .where(*where)
                .order_by(r.finished_on.desc(), r.started_on.desc(), r.id)
                .limit(limit)
                .offset(offset)
            )
            return int(total), self.model._cards("transfer", page, today)


class _Rows:
    """Rows already fetched, as `ReadModel._cards` reads a result."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def all(self) -> list[Any]:
        return self.rows


def _uuid(value: Any) -> UUID | None:
    if value is None or isinstance(value, UUID):
        return value
    return uuid_from_hex(str(value))
