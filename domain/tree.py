"""Questions about the organization tree, answered once for every reader of it: the grassroots
organization of a unit, the directly-superior committee of a unit, the committee competent to
admit, who holds a case at its stage (docs/rules.md, ADM-DECIDE).

Pure functions over a `Tree`, a small lookup: the application answers it from Organization
aggregates (the tree on a date), the projector from the tree it keeps in memory (the tree as
the read model knows it), so both derive a holder the same way."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

from domain.admission import HOLDERS, Stage
from domain.values import OrgKind


class Tree(Protocol):
    """What the tree questions need to know of the organizations."""

    def parent_on(self, org_id: UUID, on: date) -> UUID | None:
        """The organization's parent on a date (None: a root, or unknown)."""
        ...

    def kind(self, org_id: UUID) -> OrgKind | None:
        """The organization's kind (None: unknown)."""
        ...

    def may_admit(self, org_id: UUID) -> bool:
        """Whether the organization is a grassroots committee authorised to admit."""
        ...


def grassroots_of(tree: Tree, org_id: UUID, on: date) -> UUID | None:
    """The grassroots organization a unit belongs to on a date: itself if it is one, else
    its nearest ancestor that is (None: none is)."""
    found: UUID | None = org_id
    while found is not None:
        kind = tree.kind(found)
        if kind is not None and kind.is_grassroots:
            return found
        found = tree.parent_on(found, on)
    return None


def directly_superior(tree: Tree, org_id: UUID, on: date) -> UUID | None:
    """The directly-superior committee (cấp ủy cấp trên trực tiếp) of a unit on a date: the
    committee it sits under then. Of a cell, its intermediate or grassroots committee (who
    approves a later ceremony, ADM-CEREMONY); of a grassroots organization, the commune/ward
    committee from 2025-07-01, a district committee before (who decides, ADM-DECIDE)."""
    return tree.parent_on(org_id, on)


def competent_committee(tree: Tree, grassroots_id: UUID, on: date) -> UUID | None:
    """ADM-DECIDE / PRB-DECIDE: the grassroots committee if authorised to admit, otherwise
    its directly-superior committee on that date (a role in the tree, never a tier).
    PRB-DEADLOCK: after three failed votes this same committee, directly superior to the
    cell and competent, decides without the cell's resolution."""
    if tree.may_admit(grassroots_id):
        return grassroots_id
    return directly_superior(tree, grassroots_id, on)


def holder(tree: Tree, stage: Stage, cell_id: UUID, grassroots_id: UUID, on: date) -> UUID | None:
    """The organization holding a case at its stage on a date (domain.admission.HOLDERS):
    it answers for the stage's deadline. None once the case is closed."""
    if stage.is_closed:
        return None
    role = HOLDERS.get(stage, "cell")
    if role == "intermediate":
        return directly_superior(tree, cell_id, on)
    if role == "grassroots":
        return grassroots_id
    if role == "competent":
        return competent_committee(tree, grassroots_id, on)
    return cell_id


# The stages whose holder depends on where an organization stands in the tree, and which of
# the case's organizations decides it: after a unit moves, cases at these stages under it are
# held anew (the other stages are held by the case's own cell or grassroots organization).
TREE_HELD: dict[Stage, str] = {
    stage: ("cell" if role == "intermediate" else "grassroots")
    for stage, role in HOLDERS.items()
    if role in ("intermediate", "competent")
}
