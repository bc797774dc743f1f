"""The member register, from the read model: members found by the blind index of their
names, by person, unit and status, counted per unit; the roll of a cell on any day.

The read model holds no name: a name is searched by the keyed hashes of its folded tokens
(domain/names.py), which the caller computes with the application's key. Names to show are
read from the record by the caller, for the page shown only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
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
        where = [m.c.status == status] if status is not None else []
        with self.engine.connect() as conn:
            if tokens:
                return self._named(conn, path, tokens, person_id, status, limit, offset)
            if person_id is None:
                return self._listed(conn, path, where, limit, offset)
            # A person's members: a handful, read by the person's index and sorted here.
            found = sorted(
                (p, i)
                for p, i in conn.execute(
                    sa.select(m.c.path, sa.cast(m.c.id, sa.String)).where(
                        m.c.person_id == person_id, *where
                    )
                )
                if p.startswith(path)
            )
            paths = Counter(p for p, _ in found)
            page = [UUID(i) for _, i in found[offset : offset + limit]]
            return self._counted(conn, path, paths, page)

    def _named(
        self,
        conn: sa.Connection,
        path: str,
        tokens: frozenset[int],
        person_id: UUID | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> Search:
        """Members whose name holds every token, from the index (token, path, member,
        status) alone, in its order (tree order). One token (thousands of members for a
        common word): counted per unit below in SQL and the page read from the index,
        neither leaving it. More: each token's range in the subtree, intersected in the
        index's order (SQLite merges them: MERGE (INTERSECT); a probe per member of one
        range for the others cost 20 times more), read once (every word of a name rarely
        matches more than a thousand members of a province), counted and paged here."""
        mt, m = self.t.member_tokens, self.t.members
        where = [under(mt.c.path, path)] if path else []
        if status is not None:
            where.append(mt.c.status == status)
        if person_id is not None:
            where.append(mt.c.member_id.in_(sa.select(m.c.id).where(m.c.person_id == person_id)))
        arms = [
            sa.select(mt.c.path, mt.c.member_id).where(mt.c.token == token, *where)
            for token in sorted(tokens)
        ]
        if len(arms) > 1:
            found = conn.execute(sa.intersect(*arms).order_by(sa.text("1, 2"))).all()
            paths = Counter(str(p) for p, _ in found)
            page = [UUID(str(i)) for _, i in found[offset : offset + limit]]
            return self._counted(conn, path, paths, page)
        (token,) = tokens
        where.append(mt.c.token == token)
        # The unit directly below `path`: the next id of the path (`/…/id/`, ids of 36
        # characters), "" on the unit's own roll.
        unit = sa.func.substr(mt.c.path, len(path) + 1, 36) if path else sa.literal("")
        counted = conn.execute(sa.select(unit, sa.func.count()).where(*where).group_by(unit))
        units = {str(u): int(n) for u, n in counted}
        here = units.pop("", 0)
        listed = conn.execute(
            sa.select(mt.c.member_id)
            .where(*where)
            .order_by(mt.c.path, mt.c.member_id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return Search(
            here + sum(units.values()),
            {UUID(u): n for u, n in units.items()},
            here,
            self._rows(conn, list(listed)),
        )

    def _people(self, tokens: frozenset[int]) -> sa.Select[Any]:
        """The people whose name holds every token: the first token's people, each checked
        for the others by the index's key (token, person) (the finished transfers' search,
        projections/boards.py)."""
        first, *others = sorted(tokens)
        names = self.t.name_tokens
        query = sa.select(names.c.person_id).where(names.c.token == first)
        for n, token in enumerate(others):
            other = names.alias(f"other_{n}")
            query = query.join(
                other, sa.and_(other.c.person_id == names.c.person_id, other.c.token == token)
            )
        return query

    def _counted(
        self, conn: sa.Connection, path: str, paths: Mapping[str, int], page: list[UUID]
    ) -> Search:
        """The counts per path of a subtree as counts per unit directly below it (and on
        its own roll), with the page's rows."""
        units: Counter[str] = Counter()
        start = len(path)
        for p, n in paths.items():
            units[p[start:].split("/", 1)[0]] += n
        here = units.pop("", 0)
        counts = {UUID(u): n for u, n in units.items()}
        return Search(sum(paths.values()), counts, here, self._rows(conn, page))

    def _listed(
        self,
        conn: sa.Connection,
        path: str,
        where: list[sa.ColumnElement[bool]],
        limit: int,
        offset: int,
    ) -> Search:
        """Every member of the subtree (of a status): counted unit by unit below, each an
        index range; a page in tree order."""
        m, o = self.t.members, self.t.orgs
        parent = UUID(path.rstrip("/").rsplit("/", 1)[-1]) if path else None
        end = sa.func.substr(o.c.path, 1, sa.func.length(o.c.path) - 1).concat("0")
        counted = (
            sa.select(sa.func.count())
            .where(m.c.path >= o.c.path, m.c.path < end, *where)
            .scalar_subquery()
        )
        below = conn.execute(sa.select(o.c.id, counted).where(o.c.parent_id == parent)).all()
        units = {u: int(n) for u, n in below if n}
        here = 0
        if path:
            here = int(
                conn.execute(
                    sa.select(sa.func.count()).where(m.c.path == path, *where)
                ).scalar_one()
            )
        scope = [under(m.c.path, path)] if path else []
        page = conn.execute(
            sa.select(m.c.id)
            .where(*scope, *where)
            .order_by(m.c.path, m.c.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return Search(sum(units.values()) + here, units, here, self._rows(conn, list(page)))

    def _rows(self, conn: sa.Connection, member_ids: list[UUID]) -> list[Found]:
        """The page's members, in the page's order."""
        if not member_ids:
            return []
        m = self.t.members
        rows = conn.execute(
            sa.select(
                m.c.id,
                m.c.person_id,
                m.c.cell_id,
                m.c.status,
                m.c.joined_on,
                m.c.full_from,
                m.c.struck_off_on,
            ).where(m.c.id.in_(member_ids))
        )
        by_id = {r.id: Found(*r) for r in rows}
        return [by_id[i] for i in member_ids]

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
