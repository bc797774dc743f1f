"""The member register, from the read model: members found by the blind index of their
names, by person, unit and status, counted per unit; the roll of a cell on any day.

The read model holds no name: a name is searched by the keyed hashes of its folded tokens
(domain/names.py), which the caller computes with the application's key. Names to show are
read from the record by the caller, for the page shown only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.stages import Status
from projections.tables import Tables, tables, under
from projections.versions import check_shape, live_version

PAGE = 50  # members on a page of results


@dataclass(frozen=True)
class Found:
    """A member as the register lists them (no personal data: the caller adds the name)."""

    member_id: UUID
    person_id: UUID
    cell_id: UUID
    status: str
    joined_on: date
    full_from: date | None
    struck_off_on: date | None


@dataclass(frozen=True)
class Search:
    """One page of members found, and how many in all and in each unit below the one
    searched (today's tree); `here` counts those on the unit's own roll (a cell's)."""

    total: int
    units: dict[UUID, int]
    here: int
    members: list[Found]


@dataclass(frozen=True)
class OnRoll:
    """A member on a cell's roll on a day, with their status that day."""

    member_id: UUID
    person_id: UUID
    status: Status
    joined_on: date
    probation_ends: date
    full_from: date | None
    since: date  # on this cell's roll since


class Register:
    """Queries of the member register over one version of the read model (the live one),
    refused (ReadModelOutdated) when that version was built before it kept them."""

    def __init__(self, engine: sa.Engine, version: int | None = None) -> None:
        self.engine = engine
        self.t: Tables = tables(version or live_version(engine))

    def _check(self) -> None:
        check_shape(self.engine, self.t.version)

    def search(
        self,
        path: str,
        *,
        tokens: frozenset[int] = frozenset(),
        person_id: UUID | None = None,
        status: str | None = None,
        limit: int = PAGE,
        offset: int = 0,
    ) -> Search:
        """Members under the organization of `path` ("": the whole tree) whose name holds
        every token, of the person, of the status; a page of them in tree order."""
        self._check()
        m = self.t.members
        where: list[sa.ColumnElement[bool]] = []
        if path and (tokens or person_id):
            # Found through the people: the subtree read off each one found (a condition no
            # index serves), so the planner starts from them, not from every member below.
            where.append(sa.func.substr(m.c.path, 1, len(path)) == path)
        elif path:
            where.append(under(m.c.path, path))
        if status is not None:
            where.append(m.c.status == status)
        if person_id is not None:
            where.append(m.c.person_id == person_id)
        if tokens:
            names = self.t.name_tokens
            having = [
                sa.select(names.c.person_id).where(names.c.token == token)
                for token in sorted(tokens)
            ]
            every = having[0] if len(having) == 1 else sa.intersect(*having)
            where.append(m.c.person_id.in_(every))
        depth = len(path) + 1
        unit = sa.func.substr(m.c.path, depth, 36) if path else sa.func.substr(m.c.path, 2, 36)
        with self.engine.connect() as conn:
            counted = conn.execute(
                sa.select(unit, sa.func.count()).where(*where).group_by(unit)
            ).all()
            rows = conn.execute(
                sa.select(
                    m.c.id,
                    m.c.person_id,
                    m.c.cell_id,
                    m.c.status,
                    m.c.joined_on,
                    m.c.full_from,
                    m.c.struck_off_on,
                )
                .where(*where)
                .order_by(m.c.path, m.c.id)
                .limit(limit)
                .offset(offset)
            ).all()
        units = {UUID(u): int(n) for u, n in counted if u}
        here = sum(int(n) for u, n in counted if not u)
        return Search(sum(units.values()) + here, units, here, [Found(*r) for r in rows])

    def roll_on(self, cell_id: UUID, on: date) -> list[OnRoll]:
        """Who was on the cell's roll on `on` (effective dates: the ceremony, transfers
        accepted, dissolution moves, the striking off), probationary and full alike."""
        self._check()
        s, m = self.t.memberships, self.t.members
        rows = conn_rows(
            self.engine,
            sa.select(
                s.c.member_id,
                m.c.person_id,
                m.c.joined_on,
                m.c.probation_ends,
                m.c.full_from,
                s.c.from_on,
            )
            .join(m, m.c.id == s.c.member_id)
            .where(
                s.c.cell_id == cell_id,
                s.c.from_on <= on,
                sa.or_(s.c.until_on.is_(None), s.c.until_on > on),
            )
            .order_by(m.c.joined_on, s.c.member_id),
        )
        return self._on_roll(rows, on)

    def listed(self, member_ids: list[UUID], on: date) -> list[OnRoll]:
        """Members of today's roll (`ReadModel.roll`) as `roll_on` gives them (since: the
        day they joined: today's roll is read from the members' rows)."""
        m = self.t.members
        rows = conn_rows(
            self.engine,
            sa.select(
                m.c.id,
                m.c.person_id,
                m.c.joined_on,
                m.c.probation_ends,
                m.c.full_from,
                m.c.joined_on,
            )
            .where(m.c.id.in_(member_ids))
            .order_by(m.c.joined_on, m.c.id),
        )
        return self._on_roll(rows, on)

    @staticmethod
    def _on_roll(rows: list[Any], on: date) -> list[OnRoll]:
        return [
            OnRoll(
                member_id,
                person,
                Status.full if full_from is not None and full_from <= on else Status.probationary,
                joined,
                ends,
                full_from,
                since,
            )
            for member_id, person, joined, ends, full_from, since in rows
        ]


def conn_rows(engine: sa.Engine, statement: sa.Select[Any]) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(statement).all())
