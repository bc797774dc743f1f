"""The tree questions (domain.tree) over a small tree held in dicts, the way the projector
holds its own: who holds a case at each stage, the competent committee, the grassroots."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain import standing, tree
from domain.admission import HOLDERS, Stage
from domain.member import Status
from domain.transfer import TransferStage
from domain.values import OrgKind

ON = date(2026, 1, 5)


class DictTree:
    def __init__(self) -> None:
        self.parents: dict[UUID, UUID | None] = {}
        self.kinds: dict[UUID, OrgKind] = {}
        self.admitting: set[UUID] = set()

    def add(self, kind: OrgKind, parent: UUID | None, may_admit: bool = False) -> UUID:
        org = uuid4()
        self.parents[org], self.kinds[org] = parent, kind
        if may_admit:
            self.admitting.add(org)
        return org

    def parent_on(self, org_id: UUID, on: date) -> UUID | None:
        return self.parents.get(org_id)

    def kind(self, org_id: UUID) -> OrgKind | None:
        return self.kinds.get(org_id)

    def may_admit(self, org_id: UUID) -> bool:
        return org_id in self.admitting


def test_who_holds_a_case_at_each_stage() -> None:
    t = DictTree()
    district = t.add(OrgKind.district_committee, None)
    grassroots = t.add(OrgKind.grassroots_committee, district)
    intermediate = t.add(OrgKind.intermediate_committee, grassroots)
    cell = t.add(OrgKind.cell, intermediate)
    assert tree.grassroots_of(t, cell, ON) == grassroots
    assert tree.grassroots_of(t, grassroots, ON) == grassroots
    assert tree.grassroots_of(t, district, ON) is None
    expected = {
        Stage.intermediate_appraisal: intermediate,
        Stage.committee_vote: grassroots,
        Stage.decision: district,  # the grassroots committee may not admit: its parent
    }
    for stage in Stage:
        held = tree.holder(t, stage, cell, grassroots, ON)
        if stage.is_closed:
            assert held is None
        else:
            assert held == expected.get(stage, cell), stage
    assert set(expected) == set(HOLDERS)
    assert {Stage.intermediate_appraisal: "cell", Stage.decision: "grassroots"} == tree.TREE_HELD


def test_a_grassroots_committee_authorised_to_admit_decides_itself() -> None:
    t = DictTree()
    commune = t.add(OrgKind.commune_committee, None)
    grassroots = t.add(OrgKind.grassroots_cell, commune, may_admit=True)
    assert tree.competent_committee(t, grassroots, ON) == grassroots
    assert tree.holder(t, Stage.decision, grassroots, grassroots, ON) == grassroots


def test_standing_names_the_shown_statuses_once() -> None:
    assert {str(s) for s in standing.Standing} == {*map(str, Status), "deadlock"}
    assert {standing.Standing.probationary, standing.Standing.deadlock} == standing.ON_PROBATION
    closed = {s for s in TransferStage if standing.transfer_is_closed(s)}
    assert closed == {TransferStage.completed, TransferStage.cancelled}
    assert not standing.TRANSFER_MOVING & closed
