"""Members: a row per member (status as shown, probation, deadline, the cell hosting a
member away on a temporary transfer), and a row per stay on a cell's roll (the roll of any
past day)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.member import Member
from domain.standing import member_standing
from projections.orgtree import OrgTree
from projections.views import Batch, PathColumn, Scope, View


def member_row(member: Member, path: str, host_cell_id: UUID | None) -> dict[str, Any]:
    deadline = member.current_deadline()
    exempt_until = max((e.ends_on for e in member.exemptions), default=None)
    return {
        "id": member.id,
        "person_id": member.person_id,
        "cell_id": member.cell_id,
        "path": path,
        "status": str(member_standing(member)),
        "joined_on": member.ceremony_on,
        "probation_ends": member.probation_ends,
        "full_from": member.full_from,
        "recognized_on": member.recognized_on,
        "struck_off_on": member.struck_off_on,
        "residence_cell_id": member.residence_cell_id,
        "host_cell_id": host_cell_id,
        "exempt_until": exempt_until,
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "escalation_level": member.escalation_level(deadline),
        "failed_votes": member.failed_votes,
    }


def membership_rows(
    member_id: UUID, member: Member, path_of: Callable[[UUID], str]
) -> list[dict[str, Any]]:
    """Each stay on a cell's roll; stays are only ever added, so upserts keep them exact."""
    return [
        {
            "member_id": member_id,
            "seq": seq,
            "cell_id": cell_id,
            "path": path_of(cell_id),
            "from_on": since,
            "until_on": until,
        }
        for seq, (cell_id, since, until) in enumerate(member.periods())
    ]


class Members(View):
    kind = Member

    def __init__(self, scope: Scope, tree: OrgTree, peek: Callable[[UUID], Any]) -> None:
        self.scope, self.tree, self.peek = scope, tree, peek

    def path_columns(self, conn: sa.Connection) -> Sequence[PathColumn]:
        t = self.scope.t
        return [
            (t.members, t.members.c.path, self.scope.owned(t.members.c.id, conn)),
            (
                t.memberships,
                t.memberships.c.path,
                self.scope.owned(t.memberships.c.member_id, conn),
            ),
        ]

    def write(
        self, conn: sa.Connection, aggregates: list[tuple[UUID, Any]], batch: Batch
    ) -> list[UUID]:
        rows, stays = [], []
        path = self.tree.path
        for member_id, member in aggregates:
            host = None
            if member.away_transfer_id is not None:
                host = self.peek(member.away_transfer_id).to_cell_id
            rows.append(member_row(member, path(member.cell_id), host))
            stays += membership_rows(member_id, member, path)
        self.scope.upsert(conn, self.scope.t.members, rows)
        self.scope.upsert(conn, self.scope.t.memberships, stays)
        return []
