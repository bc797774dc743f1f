"""The organization tree as pages show it: names, tree order, the user's subtree.

Read from the live read model in one query per request (a province has a few thousand
organizations). Inside/outside follows the API's rule (infra/api/access.py `Scope`): an
organization is inside when its path starts with the path of the user's organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import sqlalchemy as sa

from projections.projector import live_version
from projections.tables import tables

CELL_KINDS = ("cell", "grassroots_cell")


@dataclass(frozen=True)
class OrgRow:
    id: UUID
    kind: str
    name: str
    parent_id: UUID | None
    path: str  # /root/…/id/
    grassroots_id: UUID | None
    dissolved_on: date | None
    setting: str | None = None  # where a cell works (CellSetting), for picking by kind

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def live(self) -> bool:
        return self.dissolved_on is None

    @property
    def residential(self) -> bool:
        """A hamlet's or residential group's cell: the cell of a 213 residence link."""
        return self.is_cell and self.setting in ("hamlet", "residential_group")


class Orgs:
    """Every organization, and the subtree of a root path ("" for the whole tree; None for
    an organization the read model does not know yet: nothing is inside)."""

    def __init__(self, rows: list[OrgRow], root: str | None) -> None:
        self.root = root
        self.by_id = {r.id: r for r in rows}
        names = {str(r.id): r.name.casefold() for r in rows}
        # Tree order: by the names along the path, so a unit comes before its children and
        # siblings come alphabetically.
        self._key = {
            r.id: tuple(names.get(part, part) for part in r.path.strip("/").split("/"))
            for r in rows
        }

    @classmethod
    def load(cls, engine: sa.Engine, root: str | None) -> Orgs:
        orgs = tables(live_version(engine)).orgs
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    orgs.c.id,
                    orgs.c.kind,
                    orgs.c.name,
                    orgs.c.parent_id,
                    orgs.c.path,
                    orgs.c.grassroots_id,
                    orgs.c.dissolved_on,
                    orgs.c.setting,
                )
            ).all()
        return cls([OrgRow(*r) for r in rows], root)

    def get(self, org_id: UUID | str | None) -> OrgRow | None:
        if org_id is None:
            return None
        try:
            return self.by_id.get(org_id if isinstance(org_id, UUID) else UUID(str(org_id)))
        except ValueError:
            return None

    def name(self, org_id: UUID | str | None) -> str:
        found = self.get(org_id)
        return found.name if found else (str(org_id)[:8] if org_id else "")

    def qualified(self, org: OrgRow) -> str:
        """An organization named with its grassroots organization, so that identically named
        cells of two communes are told apart ("Chi bộ thôn Đông — Đảng bộ xã Tân An")."""
        if org.grassroots_id is None or org.grassroots_id == org.id:
            return org.name
        return f"{org.name} — {self.name(org.grassroots_id)}"

    def qualified_name(self, org_id: UUID | str | None) -> str:
        found = self.get(org_id)
        return self.qualified(found) if found else self.name(org_id)

    def inside(self, org_id: UUID | None) -> bool:
        found = self.get(org_id)
        return found is not None and self.root is not None and found.path.startswith(self.root)

    def ordered(self, rows: list[OrgRow]) -> list[OrgRow]:
        return sorted(rows, key=lambda r: self._key[r.id])

    def subtree(self, top: OrgRow | None = None, *, live: bool = True) -> list[OrgRow]:
        """The organizations under `top` (itself included), or the user's whole subtree."""
        root = top.path if top is not None else self.root
        if root is None:
            return []
        return self.ordered(
            [r for r in self.by_id.values() if r.path.startswith(root) and (r.live or not live)]
        )

    def children(self, org: OrgRow) -> list[OrgRow]:
        return self.ordered([r for r in self.by_id.values() if r.parent_id == org.id and r.live])

    def cells(self, top: OrgRow) -> list[OrgRow]:
        return [r for r in self.subtree(top) if r.is_cell]

    def home(self, org_id: UUID | None) -> OrgRow | None:
        """The user's organization; for an administrator of the whole tree, its top."""
        if org_id is not None:
            return self.get(org_id)
        tops = [r for r in self.by_id.values() if r.parent_id is None and r.live]
        return self.ordered(tops)[0] if tops else None
