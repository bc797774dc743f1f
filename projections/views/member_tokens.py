"""The blind index per member: each token of a member's name (the person's `name_tokens`)
beside the member's path and status, so that a name search reads the members of a subtree
holding a token as one index range, in tree order (projections/register.py).

Derived in SQL from the members' rows and the people's tokens, after both are written: for
the members written in the batch, those of the people named or corrected in it, and those
under a subtree that moved. The partitions of a rebuild leave it empty (a member's person
may be another partition's, its tokens not yet written); the rebuild fills it in one
statement once they are done (`fill`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.member import Member
from projections.tables import Tables, under
from projections.views import Batch, Scope, View

CHUNK = 500  # ids bound a statement at a time


def _derived(t: Tables, *where: sa.ColumnElement[bool]) -> sa.Insert:
    m, n, mt = t.members, t.name_tokens, t.member_tokens
    rows = (
        sa.select(m.c.id, n.c.token, m.c.path, m.c.status)
        .join(n, n.c.person_id == m.c.person_id)
        .where(*where)
    )
    return sa.insert(mt).from_select(["member_id", "token", "path", "status"], rows)


def fill(conn: sa.Connection, t: Tables) -> None:
    """Every member's tokens, from scratch."""
    conn.execute(sa.delete(t.member_tokens))
    conn.execute(_derived(t))


def refresh(conn: sa.Connection, t: Tables, members: sa.ColumnElement[bool]) -> None:
    """The tokens of the members matching `members` (a condition on the members' table),
    derived again."""
    mt, m = t.member_tokens, t.members
    conn.execute(sa.delete(mt).where(mt.c.member_id.in_(sa.select(m.c.id).where(members))))
    conn.execute(_derived(t, members))


def _chunked(ids: Iterable[UUID], condition: Callable[[list[UUID]], Any]) -> Iterable[Any]:
    listed = list(ids)
    for first in range(0, len(listed), CHUNK):
        yield condition(listed[first : first + CHUNK])


class MemberTokens(View):
    """Runs after the members' and the people's rows of the batch (the last view)."""

    def __init__(self, scope: Scope, named: Callable[[], Iterable[UUID]]) -> None:
        self.scope, self.named = scope, named

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        if self.scope.partition is not None:
            return
        t = self.scope.t
        m = t.members
        written = [i for i, agg in batch.touched.items() if type(agg) is Member]
        for condition in _chunked(written, m.c.id.in_):
            refresh(conn, t, condition)
        for condition in _chunked(self.named(), m.c.person_id.in_):
            refresh(conn, t, condition)
        for _, new in batch.moves.reparented:
            refresh(conn, t, under(m.c.path, new))
