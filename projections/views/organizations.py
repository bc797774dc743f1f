"""Organizations: their rows (with path and grassroots organization), their yearly targets,
and a commune's hamlets with the cells serving each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.organization import AdmissionTarget, Organization
from projections.orgtree import Moves, OrgTree
from projections.views import Batch, Scope, View


def org_row(org: Organization, path: str, grassroots_id: UUID | None) -> dict[str, Any]:
    return {
        "id": org.id,
        "kind": str(org.kind),
        "name": org.name,
        "setting": str(org.setting) if org.setting else None,
        "parent_id": org.parent_id,
        "path": path,
        "grassroots_id": grassroots_id,
        "registered_on": org.registered_on,
        "dissolved_on": org.dissolved_on,
        "may_admit": org.may_admit,
    }


def target_rows(org: Organization) -> list[dict[str, Any]]:
    rows = []
    for year, target in org.targets.items():
        assert isinstance(target, AdmissionTarget)
        rows.append(
            {
                "org_id": org.id,
                "year": year,
                "admissions": target.admissions,
                "count": target.count,
                "rate_percent": target.rate_percent,
                "start_of_year_members": target.start_of_year_members,
            }
        )
    return rows


def hamlet_rows(commune: Organization, served_by: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"commune_id": commune.id, "key": key, "name": name, "cell_ids": served_by.get(key, [])}
        for key, name in commune.hamlets.items()
    ]


class Organizations(View):
    kind = Organization
    shared = True

    def __init__(self, scope: Scope, tree: OrgTree, peek: Callable[[UUID], Any]) -> None:
        self.scope, self.tree, self.peek = scope, tree, peek
        self.served_by: dict[UUID, dict[str, list[str]]] = {}  # commune → hamlet → cells
        self._communes: set[UUID] = set()  # whose hamlets' rows the batch changed

    def load(self, conn: sa.Connection) -> None:
        t = self.scope.t
        self.tree.load(conn, t)
        self.served_by = {}
        hamlets = sa.select(t.hamlets.c.commune_id, t.hamlets.c.key, t.hamlets.c.cell_ids)
        for commune_id, key, cells in conn.execute(hamlets):
            self.served_by.setdefault(commune_id, {})[key] = list(cells)

    def forget(self) -> None:
        self._communes.clear()

    def applied(self, org: Organization, event: Any, moves: Moves) -> None:
        """An organization as an event left it: its place in the tree, the hamlets it serves."""
        self.tree.track(org, moves)
        if type(event).__name__ == "HamletsServed" and org.serves:
            commune, keys = org.serves
            self.served_by.setdefault(commune, {})
            # Off every hamlet it served, of any commune (a cell moved to another commune
            # leaves its old commune's rows too).
            for other, hamlets in self.served_by.items():
                for served in hamlets.values():
                    if str(org.id) in served:
                        served.remove(str(org.id))
                        self._communes.add(other)
            for key in keys:
                self.served_by[commune].setdefault(key, []).append(str(org.id))

    def moved(self, conn: sa.Connection, moves: Moves) -> None:
        if not self.scope.writes_shared:
            return
        t = self.scope.t
        conn.execute(
            sa.update(t.orgs)
            .where(t.orgs.c.id == sa.bindparam("org"))
            .values(path=sa.bindparam("new_path"), grassroots_id=sa.bindparam("top")),
            [
                {"org": org_id, "new_path": path, "top": self.tree.grassroots(org_id)}
                for org_id, path in moves.moved.items()
            ],
        )

    def write(
        self, conn: sa.Connection, aggregates: list[tuple[UUID, Any]], batch: Batch
    ) -> list[UUID]:
        orgs: list[dict[str, Any]] = []
        targets: list[dict[str, Any]] = []
        for org_id, org in aggregates:
            orgs.append(org_row(org, self.tree.path(org_id), self.tree.grassroots(org_id)))
            targets.extend(target_rows(org))
            if org.hamlets:
                self._communes.add(org_id)
            if org.serves:
                self._communes.add(org.serves[0])
        self.scope.upsert(conn, self.scope.t.orgs, orgs)
        if targets:
            self.scope.upsert(conn, self.scope.t.targets, targets)
        return []

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        hamlets: list[dict[str, Any]] = []
        for commune in self._communes:
            org = self.peek(commune)
            if isinstance(org, Organization) and org.hamlets:
                hamlets.extend(hamlet_rows(org, self.served_by.get(commune, {})))
        self._communes.clear()
        if hamlets:
            self.scope.upsert(conn, self.scope.t.hamlets, hamlets)
