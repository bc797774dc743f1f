"""Which cells a dissolution may offer, and where their members are suggested to go
(docs/rulebook.md §6; ORG-DISSOLVE, ORG-DISSOLVE-TRANSFER, ORG-TREE, TRF-KIND), through the
real application on the in-memory recorder.

The world (tests/builders.py): `world.cell` (hamlet, 9 members), `world.other_cell` (commune
agency, 4) and `world.residence_cell` (hamlet, 3) under `world.grassroots`; `world.far_cell`
(school, 3) under `world.other_grassroots`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain import policy
from domain.values import CellSetting, OrgKind, TransferKind, TransferReason
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx

ON = date(2026, 3, 9)
LINKED = date(2025, 2, 17)


def new_org(world: World, kind: OrgKind, parent: UUID, setting: CellSetting | None) -> UUID:
    return world.app.register_organization(
        ctx(),
        kind=kind,
        name=f"{kind} {uuid4().hex[:6]}",
        parent_id=parent,
        established_on=date(2020, 1, 6),
        setting=setting,
    )


# --- the predicate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "other_cells", "refusal"),
    [
        # A grassroots cell is its own grassroots organization: never another cell in it.
        pytest.param(OrgKind.grassroots_cell, None, "ORG-DISSOLVE", id="grassroots-cell"),
        pytest.param(OrgKind.grassroots_cell, 3, "ORG-DISSOLVE", id="grassroots-cell-counted"),
        # A cell alone in its grassroots organization: nowhere to move its members.
        pytest.param(OrgKind.cell, 0, "ORG-DISSOLVE", id="alone"),
        pytest.param(OrgKind.cell, 1, None, id="one-other"),
        pytest.param(OrgKind.cell, None, None, id="not-counted"),
    ],
)
def test_a_cell_is_dissolvable_only_with_another_cell_of_its_grassroots_organization(
    kind: OrgKind, other_cells: int | None, refusal: str | None
) -> None:
    if refusal is None:
        policy.check_dissolvable(kind, other_cells)
    else:
        with refused(refusal):
            policy.check_dissolvable(kind, other_cells)


def test_the_commune_agency_cell_may_be_offered_and_the_others_say_why_not(
    world: World,
) -> None:
    app = world.app
    grassroots_cell = new_org(
        world, OrgKind.grassroots_cell, world.commune, CellSetting.health_station
    )
    assert app.dissolution_refusal(world.other_cell, ON, other_cells=2) is None

    cases = {
        grassroots_cell: "ORG-DISSOLVE",  # a grassroots cell, whatever the tree says
        world.grassroots: "ORG-TREE",  # a committee is not dissolved here
    }
    for org_id, rule in cases.items():
        refusal = app.dissolution_refusal(org_id, ON)
        assert refusal is not None and refusal.rule_id == rule
    # The cell before it existed (registered 2005-01-05).
    before = app.dissolution_refusal(world.other_cell, date(2004, 12, 31), other_cells=2)
    assert before is not None and before.rule_id == "ORG-TREE"
    # The only cell of its grassroots organization, as the caller's tree counts it.
    alone = app.dissolution_refusal(world.far_cell, ON, other_cells=0)
    assert alone is not None and alone.rule_id == "ORG-DISSOLVE"


def test_a_cell_with_a_transfer_under_way_is_not_offered(world: World) -> None:
    app = world.app
    app.start_transfer(
        ctx(),
        transfer_id=uuid4(),
        member_id=world.members[world.other_cell][0],
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=world.far_cell,
        trigger_on=date(2026, 3, 2),
        on=date(2026, 3, 2),
    )
    refusal = app.dissolution_refusal(world.other_cell, ON, other_cells=2)
    assert refusal is not None and refusal.rule_id == "ORG-DISSOLVE-TRANSFER"


def test_a_grassroots_cell_is_refused_even_with_nobody_to_move(world: World) -> None:
    app = world.app
    empty = new_org(world, OrgKind.grassroots_cell, world.commune, CellSetting.school)
    with writes_nothing(app), refused("ORG-DISSOLVE"):
        app.check_dissolution(empty, ON, [])


# --- the suggestions -----------------------------------------------------------------------------


def test_members_are_suggested_the_residence_cell_of_their_link_in_the_same_grassroots(
    world: World,
) -> None:
    app = world.app
    agency = world.members[world.other_cell]  # 4 members
    elsewhere = new_org(world, OrgKind.cell, world.other_grassroots, CellSetting.hamlet)
    closed = new_org(world, OrgKind.cell, world.grassroots, CellSetting.hamlet)
    app.link_residence(ctx(), agency[0], world.residence_cell, LINKED)  # suggested
    app.link_residence(ctx(), agency[1], elsewhere, LINKED)  # another grassroots: TRF-KIND
    app.link_residence(ctx(), agency[2], closed, LINKED)  # dissolved by then
    app.dissolve_organization(ctx(), closed, date(2026, 1, 5))
    # agency[3]: no link, the officer chooses.

    suggested = app.suggested_moves(world.other_cell, ON)

    assert suggested == {
        agency[0]: world.residence_cell,
        agency[1]: None,
        agency[2]: None,
        agency[3]: None,
    }
