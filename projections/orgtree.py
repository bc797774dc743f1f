"""The organization tree as the read model knows it: every organization's path (its
ancestors' ids, from the root), kind and parent, kept in memory by the projector and moved
with its subtree when an organization is re-parented.

It answers domain.tree's lookup (`Tree`) with the tree as it stands now, whatever the date
asked: the rows show where things are today (docs/readmodels.md)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain import tree as rules
from domain.organization import Organization
from domain.values import OrgKind
from projections.tables import Tables, subtree_end


@dataclass
class Moves:
    """The re-parented subtrees of a batch: each move's old and new path prefix, in the
    order they moved, and every moved organization's new path."""

    reparented: list[tuple[str, str]] = field(default_factory=list)
    moved: dict[UUID, str] = field(default_factory=dict)


class OrgTree:
    """Paths, kinds and parents of every organization projected (a `domain.tree.Tree`)."""

    def __init__(self) -> None:
        self.paths: dict[UUID, str] = {}
        self.kinds: dict[UUID, OrgKind] = {}
        self.parents: dict[UUID, UUID | None] = {}
        self.children: dict[UUID, set[UUID]] = {}  # to find a moved subtree
        self.admitting: set[UUID] = set()

    def load(self, conn: sa.Connection, t: Tables) -> None:
        """The tree as the organizations' rows hold it (at the tracking position)."""
        self.paths, self.kinds, self.parents, self.children = {}, {}, {}, {}
        self.admitting = set()
        orgs = sa.select(
            t.orgs.c.id, t.orgs.c.path, t.orgs.c.kind, t.orgs.c.may_admit, t.orgs.c.parent_id
        )
        for org_id, path, kind, may_admit, parent_id in conn.execute(orgs):
            self.paths[org_id], self.kinds[org_id] = path, OrgKind(kind)
            self.parents[org_id] = parent_id
            if parent_id is not None:
                self.children.setdefault(parent_id, set()).add(org_id)
            if may_admit:
                self.admitting.add(org_id)

    # --- domain.tree.Tree: the tree of today, whatever the date ---

    def parent_on(self, org_id: UUID, on: date) -> UUID | None:
        return self.parents.get(org_id)

    def kind(self, org_id: UUID) -> OrgKind | None:
        return self.kinds.get(org_id)

    def may_admit(self, org_id: UUID) -> bool:
        return org_id in self.admitting

    # --- questions ---

    def path(self, org_id: UUID) -> str:
        path = self.paths.get(org_id)
        return f"/{org_id}/" if path is None else path

    def grassroots(self, org_id: UUID) -> UUID | None:
        if org_id not in self.paths:
            return None
        return rules.grassroots_of(self, org_id, date.today())

    def subtree(self, org_id: UUID) -> Iterator[UUID]:
        """The organization and everything under it."""
        stack = [org_id]
        while stack:
            found = stack.pop()
            yield found
            stack.extend(self.children.get(found, ()))

    # --- changes ---

    def track(self, org: Organization, moves: Moves) -> None:
        """The organization as an event left it; a new parent moves its subtree."""
        org_id, parent_id = org.id, org.parent_id  # properties: read once
        parent_path = self.paths.get(parent_id, "/") if parent_id else "/"
        new_path = f"{parent_path}{org_id}/"
        old_path = self.paths.get(org_id)
        if old_path is not None and old_path != new_path:
            moves.reparented.append((old_path, new_path))
            for other in self.subtree(org_id):
                path = self.paths[other]
                if path.startswith(old_path):
                    self.paths[other] = new_path + path[len(old_path) :]
                    moves.moved[other] = self.paths[other]
        self.paths[org_id] = new_path
        old_parent = self.parents.get(org_id)
        if old_parent != parent_id:
            if old_parent is not None:
                self.children[old_parent].discard(org_id)
            if parent_id is not None:
                self.children.setdefault(parent_id, set()).add(org_id)
            self.parents[org_id] = parent_id
        self.kinds[org_id] = org.kind
        if org.may_admit:
            self.admitting.add(org_id)


def move_paths(
    conn: sa.Connection,
    reparented: list[tuple[str, str]],
    columns: Sequence[tuple[sa.Table, sa.Column[Any], list[sa.ColumnElement[bool]]]],
) -> None:
    """Every path under a moved prefix takes the new prefix, in the order the moves came:
    one statement per path column (with the condition of the rows it may touch), run for
    each move (index-served ranges, `tables.under`)."""
    if not reparented:
        return
    old, end = sa.bindparam("old", type_=sa.String), sa.bindparam("end", type_=sa.String)
    new = sa.bindparam("new", type_=sa.String)
    moves = [{"old": o, "end": subtree_end(o), "new": n} for o, n in reparented]
    for table, column, owned in columns:
        conn.execute(
            sa.update(table)
            .where(column >= old, column < end, *owned)
            .values({column.key: new + sa.func.substr(column, sa.func.length(old) + 1)}),
            moves,
        )
