"""Transfers: a row per transfer, with the paths of the cells it leaves and reaches (a
province's transfers are every partition's: the first one writes them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.stages import TransferStage
from domain.transfer import Transfer
from projections.orgtree import OrgTree
from projections.views import Batch, PathColumn, Scope, View


def transfer_row(
    transfer: Transfer, from_path: str, to_path: str | None, destination_path: str
) -> dict[str, Any]:
    deadline = transfer.current_deadline()
    hops = transfer.hops
    finished = transfer.cancelled_on or transfer.ended_on
    if finished is None and transfer.stage is TransferStage.completed:
        finished = transfer.accepted_on
    return {
        "id": transfer.id,
        "member_id": transfer.member_id,
        "kind": str(transfer.kind),
        "stage": str(transfer.stage),
        "from_cell_id": transfer.from_cell_id,
        "from_path": from_path,
        "to_cell_id": transfer.to_cell_id,
        "to_path": to_path,
        "started_on": transfer.started_on,
        "letter_on": transfer.letter_on,
        "presented_on": transfer.presented_on,
        "accepted_on": transfer.accepted_on,
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "escalation_level": transfer.escalation_level(deadline),
        "destination_id": transfer.destination_org_id,
        "destination_path": destination_path,
        "hops": len(hops),
        "letter_at_id": hops[-1].to_org_id if hops else transfer.from_cell_id,
        "returns_on": transfer.returns_on,
        "finished_on": finished,
    }


class Transfers(View):
    kind = Transfer
    shared = True

    def __init__(self, scope: Scope, tree: OrgTree) -> None:
        self.scope, self.tree = scope, tree

    def path_columns(self, conn: sa.Connection) -> Sequence[PathColumn]:
        if not self.scope.writes_shared:
            return []
        t = self.scope.t
        return [
            (t.transfers, t.transfers.c.from_path, []),
            (t.transfers, t.transfers.c.to_path, []),
            (t.transfers, t.transfers.c.destination_path, []),
        ]

    def write(
        self, conn: sa.Connection, aggregates: list[tuple[UUID, Any]], batch: Batch
    ) -> list[UUID]:
        path = self.tree.path
        rows = [
            transfer_row(
                r,
                path(r.from_cell_id),
                path(r.to_cell_id) if r.to_cell_id else None,
                path(r.destination_org_id),
            )
            for _, r in aggregates
        ]
        self.scope.upsert(conn, self.scope.t.transfers, rows)
        return []
