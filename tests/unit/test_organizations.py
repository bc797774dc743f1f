"""The organization tree (docs/rulebook.md §6, §0 the 2025-07-01 reorganisation), dissolutions,
admission targets (§7) and the audit history, through the real application on eventsourcing's
in-memory recorder.

The world (tests/builders.py), registered 2005-01-05: province → district → commune; the
grassroots committees `world.grassroots` and `world.other_grassroots` under the district until
2025-06-30 and under `world.commune` from 2025-07-01 (the commune then under the province, the
district dissolved). Cells: `world.cell` (hamlet, 9 members), `world.other_cell` (commune
agency, 4) and `world.residence_cell` (hamlet, 3) under `world.grassroots`; `world.far_cell`
(school, 3) under `world.other_grassroots`.

Every expected value is worked out by hand in a comment; none is computed by the code under
test.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from uuid import UUID, uuid4

import pytest

from domain import policy
from domain.admission import check_step
from domain.commands import STEPS
from domain.errors import RuleViolation
from domain.member import Member
from domain.organization import AdmissionTarget, Organization, check_parent
from domain.stages import Stage
from domain.transfer import Hop
from domain.values import CellSetting, OrgKind, Role, TransferKind, TransferReason
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx, person_data
from workflows.views import dissolution_preview

LAST_DISTRICT_DAY = date(2025, 6, 30)
REORGANISED = date(2025, 7, 1)


# --- helpers -----------------------------------------------------------------------------------


def org(world: World, org_id: UUID) -> Organization:
    return world.app.load(Organization, org_id)


def register(
    world: World,
    kind: OrgKind,
    parent: UUID | None,
    on: date,
    *,
    may_admit: bool = False,
    setting: CellSetting | None = None,
) -> UUID:
    return world.app.register_organization(
        ctx(),
        kind=kind,
        name=f"{kind} {uuid4().hex[:6]}",
        parent_id=parent,
        established_on=on,
        setting=setting or (CellSetting.hamlet if kind is OrgKind.cell else None),
        may_admit=may_admit,
    )


# --- ORG-TREE: registering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "parent", "on", "refused_by"),
    [
        # §6: a cell sits under a grassroots or intermediate committee, never higher.
        pytest.param(OrgKind.cell, "province", date(2026, 1, 5), "ORG-TREE", id="cell-province"),
        pytest.param(OrgKind.cell, "commune", date(2026, 1, 5), "ORG-TREE", id="cell-commune"),
        pytest.param(OrgKind.cell, "grassroots", date(2026, 1, 5), None, id="cell-grassroots"),
        pytest.param(
            OrgKind.intermediate_committee,
            "commune",
            date(2026, 1, 5),
            "ORG-TREE",
            id="intermediate-commune",
        ),
        pytest.param(
            OrgKind.intermediate_committee,
            "grassroots",
            date(2026, 1, 5),
            None,
            id="intermediate-grassroots",
        ),
        # Only the province committee has no parent.
        pytest.param(OrgKind.province_committee, None, date(2026, 1, 5), None, id="province"),
        pytest.param(OrgKind.grassroots_committee, None, date(2026, 1, 5), "ORG-TREE", id="orphan"),
        # §0: the district tier exists until 2025-06-30 and not from 2025-07-01.
        pytest.param(
            OrgKind.district_committee,
            "province",
            LAST_DISTRICT_DAY,
            None,
            id="district-on-2025-06-30",
        ),
        pytest.param(
            OrgKind.district_committee,
            "province",
            REORGANISED,
            "ORG-TREE",
            id="district-on-2025-07-01",
        ),
        pytest.param(
            OrgKind.commune_committee,
            "district",
            LAST_DISTRICT_DAY,
            None,
            id="under-district-on-2025-06-30",
        ),
        pytest.param(
            OrgKind.commune_committee,
            "district",
            REORGANISED,
            "ORG-TREE",
            id="under-district-on-2025-07-01",
        ),
        pytest.param(
            OrgKind.grassroots_committee,
            "commune",
            REORGANISED,
            None,
            id="grassroots-under-commune",
        ),
    ],
)
def test_an_organization_is_registered_only_under_a_parent_of_the_kind_section_6_allows(
    world: World, kind: OrgKind, parent: str | None, on: date, refused_by: str | None
) -> None:
    parent_id = getattr(world, parent) if parent else None
    if refused_by is None:
        registered = org(world, register(world, kind, parent_id, on))
        assert registered.parent_on(on) == parent_id
        assert registered.exists_on(on)
        return
    with writes_nothing(world.app), refused(refused_by):
        register(world, kind, parent_id, on)


@pytest.mark.parametrize(
    ("parent_exists_from", "parent_dissolved_on", "registered_on", "refused_by"),
    [
        # The parent grassroots committee exists 2020-01-06 .. 2025-08-01 (exclusive).
        pytest.param(date(2020, 1, 6), date(2025, 8, 1), date(2025, 7, 31), None, id="open"),
        # Not yet registered on 2019-12-02.
        pytest.param(
            date(2020, 1, 6), date(2025, 8, 1), date(2019, 12, 2), "ORG-TREE", id="before"
        ),
        # Dissolved on 2025-08-01: no new cell under it from that day.
        pytest.param(
            date(2020, 1, 6), date(2025, 8, 1), date(2025, 8, 1), "ORG-TREE", id="dissolved"
        ),
    ],
)
def test_an_organization_is_registered_or_moved_only_under_a_parent_that_exists_that_day(
    world: World,
    parent_exists_from: date,
    parent_dissolved_on: date,
    registered_on: date,
    refused_by: str | None,
) -> None:
    """§6: the tree stays a tree of existing organizations; a cell under a dissolved
    grassroots committee would belong to no grassroots organization."""
    app = world.app
    parent = register(world, OrgKind.grassroots_committee, world.commune, parent_exists_from)
    app.dissolve_organization(ctx(), parent, parent_dissolved_on)
    # A memberless cell to move, registered long before.
    movable = register(world, OrgKind.cell, world.grassroots, date(2010, 1, 4))

    if refused_by is None:
        register(world, OrgKind.cell, parent, registered_on)
        app.reparent_organization(ctx(), movable, parent, registered_on)
        assert org(world, movable).parent_on(registered_on) == parent
        return
    with writes_nothing(app), refused(refused_by):
        register(world, OrgKind.cell, parent, registered_on)
    with writes_nothing(app), refused(refused_by):
        app.reparent_organization(ctx(), movable, parent, registered_on)


# --- ORG-TREE: moving -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "refused_by"),
    [
        pytest.param(LAST_DISTRICT_DAY, None, id="2025-06-30"),
        pytest.param(REORGANISED, "ORG-TREE", id="2025-07-01"),
        pytest.param(date(2025, 8, 15), "ORG-TREE", id="2025-08-15"),
    ],
)
def test_an_organization_is_moved_under_a_district_only_before_2025_07_01(
    world: World, on: date, refused_by: str | None
) -> None:
    app = world.app
    # A grassroots committee registered under the commune committee on 2020-01-06.
    moved = register(world, OrgKind.grassroots_committee, world.commune, date(2020, 1, 6))
    if refused_by is None:
        app.reparent_organization(ctx(), moved, world.district, on)
        assert org(world, moved).parent_on(on) == world.district
        assert org(world, moved).parent_on(date(2025, 6, 29)) == world.commune
        return
    with writes_nothing(app), refused(refused_by):
        app.reparent_organization(ctx(), moved, world.district, on)


@pytest.mark.parametrize(
    ("moved", "new_parent"),
    [
        # Under itself.
        pytest.param("grassroots", "grassroots", id="itself"),
        # Under its own cell.
        pytest.param("grassroots", "cell", id="its-cell"),
        # The commune committee under the grassroots committee that sits under it (2025-08).
        pytest.param("commune", "grassroots", id="its-grassroots"),
        # The province under anything.
        pytest.param("province", "commune", id="province-under-commune"),
    ],
)
def test_an_organization_cannot_be_moved_under_itself_or_its_own_descendant(
    world: World, moved: str, new_parent: str
) -> None:
    app = world.app
    with writes_nothing(app), refused("ORG-TREE"):
        app.reparent_organization(
            ctx(), getattr(world, moved), getattr(world, new_parent), date(2025, 8, 1)
        )
    # Nothing changed: the grassroots committee is still under the commune committee.
    assert org(world, world.grassroots).parent_on(date(2025, 8, 1)) == world.commune


@pytest.mark.parametrize(
    ("on", "refused_by"),
    [
        # world.grassroots last changed parent on 2025-07-01: an earlier change is refused.
        pytest.param(date(2025, 6, 30), "ORG-TREE", id="day-before-last-change"),
        pytest.param(date(2024, 1, 2), "ORG-TREE", id="long-before"),
        # The same day or later is a new change.
        pytest.param(REORGANISED, None, id="same-day"),
        pytest.param(date(2025, 8, 15), None, id="later"),
    ],
)
def test_a_change_of_parent_cannot_take_effect_before_the_previous_one(
    world: World, on: date, refused_by: str | None
) -> None:
    app = world.app
    second_commune = register(world, OrgKind.commune_committee, world.province, date(2005, 1, 5))
    if refused_by is None:
        app.reparent_organization(ctx(), world.grassroots, second_commune, on)
        grassroots = org(world, world.grassroots)
        assert grassroots.parent_on(on) == second_commune
        # The history before is untouched: the district until 2025-06-30.
        assert grassroots.parent_on(LAST_DISTRICT_DAY) == world.district
        return
    with writes_nothing(app), refused(refused_by):
        app.reparent_organization(ctx(), world.grassroots, second_commune, on)


# --- parent_on and the competent committee across 2025-07-01 ---------------------------------


@pytest.mark.parametrize(
    ("child", "on", "parent"),
    [
        pytest.param("grassroots", date(2005, 1, 5), "district", id="grassroots-2005"),
        pytest.param("grassroots", LAST_DISTRICT_DAY, "district", id="grassroots-2025-06-30"),
        pytest.param("grassroots", REORGANISED, "commune", id="grassroots-2025-07-01"),
        pytest.param("other_grassroots", date(2026, 1, 5), "commune", id="other-2026"),
        pytest.param("commune", LAST_DISTRICT_DAY, "district", id="commune-2025-06-30"),
        pytest.param("commune", REORGANISED, "province", id="commune-2025-07-01"),
        # A cell never moved: the same parent throughout.
        pytest.param("cell", date(2010, 1, 4), "grassroots", id="cell-2010"),
        pytest.param("cell", date(2026, 1, 5), "grassroots", id="cell-2026"),
    ],
)
def test_the_parent_of_an_organization_is_answered_by_date(
    world: World, child: str, on: date, parent: str
) -> None:
    assert org(world, getattr(world, child)).parent_on(on) == getattr(world, parent)


def test_the_district_exists_until_2025_06_30(world: World) -> None:
    district = org(world, world.district)
    assert district.exists_on(LAST_DISTRICT_DAY)
    assert not district.exists_on(REORGANISED)


@pytest.mark.parametrize(
    ("on", "competent"),
    [
        # Before 2025-07-01 the grassroots committee's directly-superior committee is the
        # district committee; from then on the commune committee (§0).
        pytest.param(date(2016, 8, 1), "district", id="2016"),
        pytest.param(LAST_DISTRICT_DAY, "district", id="2025-06-30"),
        pytest.param(REORGANISED, "commune", id="2025-07-01"),
        pytest.param(date(2026, 3, 10), "commune", id="2026"),
    ],
)
def test_the_competent_committee_of_a_cell_is_the_district_before_2025_07_01_and_the_commune_after(
    world: World, on: date, competent: str
) -> None:
    assert world.app.competent_committee(world.cell, on).id == getattr(world, competent)
    # The cell of the other grassroots organization has the same superior.
    assert world.app.competent_committee(world.far_cell, on).id == getattr(world, competent)


def test_a_grassroots_committee_authorised_to_admit_is_its_own_competent_committee(
    world: World,
) -> None:
    on = date(2025, 9, 1)
    enterprise = register(
        world, OrgKind.grassroots_committee, world.commune, date(2025, 8, 1), may_admit=True
    )
    cell = register(
        world, OrgKind.cell, enterprise, date(2025, 8, 1), setting=CellSetting.enterprise
    )
    # Under an intermediate committee the grassroots committee is still the one that counts.
    intermediate = register(world, OrgKind.intermediate_committee, enterprise, date(2025, 8, 1))
    deep_cell = register(world, OrgKind.cell, intermediate, date(2025, 8, 1))

    assert world.app.competent_committee(cell, on).id == enterprise
    assert world.app.competent_committee(deep_cell, on).id == enterprise
    # Its directly-superior committee is the commune committee; the cell's is itself.
    assert world.app.directly_superior(enterprise, on) == world.commune
    assert world.app.directly_superior(cell, on) == enterprise
    assert world.app.directly_superior(deep_cell, on) == intermediate
    # Only a grassroots organization can be authorised to admit.
    with writes_nothing(world.app), refused("ORG-TREE") as caught:
        register(world, OrgKind.cell, enterprise, date(2025, 8, 1), may_admit=True)
    assert caught.value.details["field"] == "may_admit"


@pytest.mark.parametrize(
    ("may_admit", "competent"),
    [
        # A grassroots cell (chi bộ cơ sở) holds its members itself: its superior decides ...
        pytest.param(False, "commune", id="grassroots-cell"),
        # ... unless it is authorised to admit.
        pytest.param(True, "self", id="grassroots-cell-authorised"),
    ],
)
def test_a_grassroots_cell_is_judged_as_its_own_grassroots_organization(
    world: World, may_admit: bool, competent: str
) -> None:
    on = date(2025, 9, 1)
    grassroots_cell = register(
        world, OrgKind.grassroots_cell, world.commune, date(2025, 8, 1), may_admit=may_admit
    )
    expected = grassroots_cell if competent == "self" else getattr(world, competent)
    assert world.app.competent_committee(grassroots_cell, on).id == expected


def test_a_cell_under_an_intermediate_committee_has_the_grassroots_superior_as_competent(
    world: World,
) -> None:
    intermediate = register(
        world, OrgKind.intermediate_committee, world.grassroots, date(2020, 1, 6)
    )
    cell = register(world, OrgKind.cell, intermediate, date(2020, 1, 6))
    # 2024: the district; 2026: the commune (world.grassroots moved on 2025-07-01).
    assert world.app.competent_committee(cell, date(2024, 1, 2)).id == world.district
    assert world.app.competent_committee(cell, date(2026, 1, 5)).id == world.commune


@pytest.mark.parametrize(
    ("on", "deciding", "refused_by"),
    [
        # An act of 2025-06-30 is judged by the tree of 2025-06-30: the district decides.
        pytest.param(LAST_DISTRICT_DAY, "district", None, id="2025-06-30-district"),
        pytest.param(LAST_DISTRICT_DAY, "commune", "ADM-DECIDE", id="2025-06-30-commune"),
        pytest.param(LAST_DISTRICT_DAY, "grassroots", "ADM-DECIDE", id="2025-06-30-grassroots"),
        # From 2025-07-01 the commune committee decides; the district no longer exists.
        pytest.param(REORGANISED, "commune", None, id="2025-07-01-commune"),
        pytest.param(REORGANISED, "district", "ADM-DECIDE", id="2025-07-01-district"),
        pytest.param(REORGANISED, "province", "ADM-DECIDE", id="2025-07-01-province"),
        pytest.param(REORGANISED, "grassroots", "ADM-DECIDE", id="2025-07-01-grassroots"),
    ],
)
def test_the_deciding_committee_is_judged_by_the_date_of_the_decision(
    world: World, on: date, deciding: str, refused_by: str | None
) -> None:
    competent = world.app.competent_committee(world.cell, on)
    decider = org(world, getattr(world, deciding))

    def check() -> None:
        policy.check_deciding_committee(decider.kind, competent.id == decider.id, on)

    if refused_by is None:
        check()
        return
    with refused(refused_by):
        check()


@pytest.mark.parametrize(
    ("on", "refused_by"),
    [
        # Even a district committee named as competent cannot decide once the tier is gone.
        pytest.param(LAST_DISTRICT_DAY, None, id="2025-06-30"),
        pytest.param(REORGANISED, "ADM-DECIDE", id="2025-07-01"),
    ],
)
def test_a_district_committee_never_decides_from_2025_07_01(
    on: date, refused_by: str | None
) -> None:
    if refused_by is None:
        policy.check_deciding_committee(OrgKind.district_committee, True, on)
        return
    with refused(refused_by):
        policy.check_deciding_committee(OrgKind.district_committee, True, on)


# --- ORG-DISSOLVE ------------------------------------------------------------------------------

STARTED = date(2026, 3, 2)  # Monday
PRESENTED = date(2026, 3, 5)
ACCEPTED = date(2026, 3, 6)
DISSOLVED = date(2026, 3, 9)


def move_internally(world: World, member_id: UUID, to_cell: UUID) -> None:
    """An internal transfer: start → the letter to the new cell → present → accept."""
    app = world.app
    transfer_id = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=member_id,
        kind=TransferKind.internal,
        reason=TransferReason.reorganisation,
        destination_org_id=to_cell,
        trigger_on=STARTED,
        on=STARTED,
    )
    app.forward_letter(ctx(), transfer_id, Hop(world.cell, to_cell, "GGT-nội bộ", STARTED))
    app.present_letter(ctx(), transfer_id, PRESENTED)
    app.accept_transfer(ctx(), transfer_id, ACCEPTED)


def rolls_holding(world: World, member_id: UUID, on: date) -> int:
    cells = (world.cell, world.other_cell, world.residence_cell, world.far_cell)
    return sum(member_id in org(world, c).members_on(on) for c in cells)


@pytest.mark.parametrize(
    ("moved", "remaining"),
    [
        # world.cell has 9 members: none moved, 9 remain.
        pytest.param(0, 9, id="none-moved"),
        # 8 moved: 9 − 8 = 1 remains.
        pytest.param(8, 1, id="one-left"),
    ],
)
def test_a_cell_with_members_on_its_roll_cannot_be_dissolved(
    world: World, moved: int, remaining: int
) -> None:
    app = world.app
    for someone in world.members[world.cell][:moved]:
        move_internally(world, someone, world.residence_cell)

    with writes_nothing(app), refused("ORG-DISSOLVE") as refusal:
        app.dissolve_organization(ctx(), world.cell, DISSOLVED)

    assert refusal.value.details["remaining"] == remaining
    assert org(world, world.cell).exists_on(DISSOLVED)


def test_a_cell_dissolves_once_every_member_has_moved_and_nobody_is_lost_or_counted_twice(
    world: World,
) -> None:
    app = world.app
    # §6: the members go to the cells of their residence: 5 to the commune agency's cell,
    # 4 to the other hamlet's cell.
    leaving = world.members[world.cell]
    for someone in leaving[:5]:
        move_internally(world, someone, world.other_cell)
    for someone in leaving[5:]:
        move_internally(world, someone, world.residence_cell)

    # Dated before the moves took effect (2026-03-06), the 9 are still on its roll.
    with writes_nothing(app), refused("ORG-DISSOLVE") as refusal:
        app.dissolve_organization(ctx(), world.cell, PRESENTED)
    assert refusal.value.details["remaining"] == 9

    app.dissolve_organization(ctx(), world.cell, DISSOLVED, merged_into=world.other_cell)

    cell = org(world, world.cell)
    assert cell.exists_on(date(2026, 3, 8))
    assert not cell.exists_on(DISSOLVED)
    assert cell.merged_into == world.other_cell
    # Rolls on the day of dissolution: cell 0, other 4 + 5 = 9, residence 3 + 4 = 7, far 3.
    counts = tuple(
        len(org(world, c).members_on(DISSOLVED))
        for c in (world.cell, world.other_cell, world.residence_cell, world.far_cell)
    )
    assert counts == (0, 9, 7, 3)
    assert sum(counts) == 19  # 9 + 4 + 3 + 3 registered by the builder
    for people in world.members.values():
        for someone in people:
            assert rolls_holding(world, someone, DISSOLVED) == 1
    assert {app.load(Member, m).cell_id for m in leaving[:5]} == {world.other_cell}
    assert {app.load(Member, m).cell_id for m in leaving[5:]} == {world.residence_cell}
    # A dissolved cell takes nobody in.
    newcomer = app.register_person(ctx(), person_data(), DISSOLVED)
    with writes_nothing(app), refused("ORG-TREE"):
        app.register_member(
            ctx(),
            person_id=newcomer,
            cell_id=world.cell,
            joined_on=DISSOLVED,
            decided_on=date(2026, 2, 23),
            full_from=None,
        )


def test_a_cell_hosting_a_temporary_guest_cannot_be_dissolved_until_the_guest_returns(
    world: World,
) -> None:
    app = world.app
    host = register(world, OrgKind.cell, world.other_grassroots, date(2025, 8, 1))
    guest = world.members[world.cell][0]
    transfer_id = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=guest,
        kind=TransferKind.temporary,
        reason=TransferReason.work_away,
        destination_org_id=host,
        trigger_on=date(2026, 1, 5),
        on=date(2026, 1, 5),
        returns_on=date(2026, 7, 5),
    )
    app.forward_letter(ctx(), transfer_id, Hop(world.cell, host, "GGT-tạm thời", date(2026, 1, 5)))
    app.present_letter(ctx(), transfer_id, date(2026, 1, 9))
    app.accept_transfer(ctx(), transfer_id, date(2026, 1, 12))

    with writes_nothing(app), refused("ORG-DISSOLVE") as refusal:
        app.dissolve_organization(ctx(), host, date(2026, 3, 2))
    assert refusal.value.details["remaining"] == 1

    app.end_temporary_transfer(ctx(), transfer_id, date(2026, 3, 2))
    app.dissolve_organization(ctx(), host, date(2026, 3, 2))
    assert not org(world, host).exists_on(date(2026, 3, 2))


# --- ORG-DISSOLVE-TRANSFER, TRF-IN-FLIGHT: transfers under way -------------------------------


def begin(
    world: World,
    member_id: UUID,
    kind: TransferKind,
    destination: UUID,
    *,
    path: tuple[UUID, ...] = (),
    accept_on: date | None = None,
) -> UUID:
    """Start a transfer on STARTED, forward its letter along `path`, and accept it (present
    the day before) when `accept_on` is given."""
    app = world.app
    transfer_id = uuid4()
    reason = {
        TransferKind.official: TransferReason.new_job,
        TransferKind.internal: TransferReason.residence_change,
        TransferKind.temporary: TransferReason.work_away,
    }[kind]
    app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=member_id,
        kind=kind,
        reason=reason,
        destination_org_id=destination,
        trigger_on=STARTED,
        on=STARTED,
        returns_on=date(2026, 9, 1) if kind is TransferKind.temporary else None,
    )
    for number, (here, there) in enumerate(pairwise(path), start=1):
        app.forward_letter(ctx(), transfer_id, Hop(here, there, f"{number}-GGT", STARTED))
    if accept_on is not None:
        app.present_letter(ctx(), transfer_id, STARTED)
        app.accept_transfer(ctx(), transfer_id, accept_on)
    return transfer_id


def everyone_to(world: World, cell: UUID, to: UUID, on: date) -> list[tuple[UUID, UUID]]:
    return [(m, to) for m in sorted(org(world, cell).members_on(on))]


@pytest.mark.parametrize(
    ("case", "resolve"),
    [
        # A member of the cell leaves for another province: the letter is at the grassroots.
        pytest.param("official-out", "cancel", id="official-out-cancelled"),
        pytest.param("official-out", "accept", id="official-out-completed"),
        # A member of the commune agency's cell moves into the cell (its roll will not have
        # them until acceptance, so no move of the dissolution would carry them).
        pytest.param("internal-in", "cancel", id="internal-in-cancelled"),
        # A member from the other grassroots organization: the letter, sent to the grassroots
        # committee, is addressed down to the cell.
        pytest.param("letter-in", "cancel", id="letter-addressed-to-the-cell-cancelled"),
        # A member of the cell away for work, and a guest of the cell from far away.
        pytest.param("away", "end", id="member-away-returns"),
        pytest.param("guest", "end", id="guest-returns"),
    ],
)
def test_a_dissolution_is_refused_naming_each_transfer_under_way_until_it_is_resolved(
    world: World, case: str, resolve: str
) -> None:
    """§4, §6: a dissolution moves nobody while a transfer out of, into or away from the cell
    is under way; the refusal names each member and transfer; the department completes,
    ends or cancels it first."""
    app = world.app
    ours, theirs = world.members[world.cell][0], world.members[world.far_cell][0]
    neighbour = world.members[world.other_cell][0]
    up_and_over = (world.cell, world.grassroots, world.commune, world.other_grassroots)
    down_to_us = (world.far_cell, world.other_grassroots, world.commune, world.grassroots)
    member_id, transfer_id = {
        "official-out": lambda: (
            ours,
            begin(world, ours, TransferKind.official, world.far_cell, path=up_and_over[:2]),
        ),
        "internal-in": lambda: (
            neighbour,
            begin(world, neighbour, TransferKind.internal, world.cell),
        ),
        "letter-in": lambda: (
            theirs,
            begin(
                world,
                theirs,
                TransferKind.official,
                world.grassroots,
                path=(*down_to_us, world.cell),
            ),
        ),
        "away": lambda: (
            ours,
            begin(
                world,
                ours,
                TransferKind.temporary,
                world.far_cell,
                path=(world.cell, world.far_cell),
                accept_on=PRESENTED,
            ),
        ),
        "guest": lambda: (
            theirs,
            begin(
                world,
                theirs,
                TransferKind.temporary,
                world.cell,
                path=(world.far_cell, world.cell),
                accept_on=PRESENTED,
            ),
        ),
    }[case]()
    moves = everyone_to(world, world.cell, world.other_cell, DISSOLVED)

    with writes_nothing(app), refused("ORG-DISSOLVE-TRANSFER") as refusal:
        app.check_dissolution(world.cell, DISSOLVED, moves)
    assert refusal.value.details["transfers"] == [
        {"transfer_id": str(transfer_id), "member_id": str(member_id)}
    ]
    shown = {
        p["member_id"]: p["transfer_id"] for p in dissolution_preview(app, world.cell, DISSOLVED)
    }
    assert shown[str(member_id)] == str(transfer_id)
    assert [t for t in shown.values() if t] == [str(transfer_id)]

    if resolve == "cancel":
        app.cancel_transfer(ctx(), transfer_id, "giải thể chi bộ", PRESENTED)
    elif resolve == "end":
        app.end_temporary_transfer(ctx(), transfer_id, PRESENTED)
    else:  # the far cell receives the letter and accepts the member
        for number, (here, there) in enumerate(
            [
                (world.grassroots, world.commune),
                (world.commune, world.other_grassroots),
                (world.other_grassroots, world.far_cell),
            ],
            start=3,
        ):
            app.forward_letter(ctx(), transfer_id, Hop(here, there, f"{number}-GGT", STARTED))
        app.present_letter(ctx(), transfer_id, PRESENTED)
        app.accept_transfer(ctx(), transfer_id, PRESENTED)

    moves = everyone_to(world, world.cell, world.other_cell, DISSOLVED)
    app.check_dissolution(world.cell, DISSOLVED, moves)
    assert all(p["transfer_id"] is None for p in dissolution_preview(app, world.cell, DISSOLVED))
    # The dissolution moves the member only while still on the cell's roll: not one carried
    # away by their own transfer (moved once, by it), nor one who never arrived.
    still_ours = case in ("official-out", "away") and resolve != "accept"
    assert (member_id in dict(moves)) is still_ours


def test_a_member_has_one_transfer_under_way_at_a_time(world: World) -> None:
    app = world.app
    member_id = world.members[world.cell][0]
    first = begin(world, member_id, TransferKind.official, world.far_cell)

    with writes_nothing(app), refused("TRF-IN-FLIGHT") as refusal:
        begin(world, member_id, TransferKind.internal, world.residence_cell)
    assert refusal.value.details["transfer_ids"] == [str(first)]

    app.cancel_transfer(ctx(), first, "đổi nơi công tác", PRESENTED)
    second = begin(world, member_id, TransferKind.internal, world.residence_cell)
    assert org(world, world.cell).in_flight == {second: member_id}
    assert org(world, world.residence_cell).in_flight == {second: member_id}


def test_a_transfer_is_accepted_only_while_the_member_is_in_the_cell_it_left(
    world: World,
) -> None:
    """A history recorded before cells counted their transfers under way: the member was
    moved by a reorganisation while an older transfer was open; accepting that transfer
    would move them a second time."""
    app = world.app
    member_id = world.members[world.cell][0]
    stale = begin(
        world,
        member_id,
        TransferKind.internal,
        world.residence_cell,
        path=(world.cell, world.residence_cell),
    )
    for cell_id in (world.cell, world.residence_cell):  # as an older history has it
        cell = org(world, cell_id)
        cell.close_transfer(stale, app.stamp(ctx(), STARTED))
        app.save(cell)
    move_internally(world, member_id, world.other_cell)
    app.present_letter(ctx(), stale, PRESENTED)

    with writes_nothing(app), refused("TRF-IN-FLIGHT"):
        app.accept_transfer(ctx(), stale, ACCEPTED)
    assert app.load(Member, member_id).cell_id == world.other_cell


# --- ORG-TARGET ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "admissions"),
    [
        # A province's absolute target (§7).
        pytest.param(AdmissionTarget(2026, count=2000), 2000, id="absolute"),
        # 7% of 1,234 = 86.38: a target is a floor, so 87.
        pytest.param(
            AdmissionTarget(2026, rate_percent=7, start_of_year_members=1234), 87, id="7pct-1234"
        ),
        # 7% of 1,000 = 70 exactly: no rounding.
        pytest.param(
            AdmissionTarget(2026, rate_percent=7, start_of_year_members=1000), 70, id="7pct-1000"
        ),
        # 7.5% of 1,234 = 92.55 → 93.
        pytest.param(
            AdmissionTarget(2026, rate_percent=7.5, start_of_year_members=1234),
            93,
            id="7.5pct-1234",
        ),
        # 0.5% of 9,470 = 47.35 → 48.
        pytest.param(
            AdmissionTarget(2026, rate_percent=0.5, start_of_year_members=9470),
            48,
            id="0.5pct-9470",
        ),
        pytest.param(AdmissionTarget(2026, count=0), 0, id="zero"),
    ],
)
def test_an_admission_target_is_a_number_or_a_rate_rounded_up(
    world: World, target: AdmissionTarget, admissions: int
) -> None:
    world.app.set_target(ctx(), world.province, target, date(2026, 1, 10))
    recorded = org(world, world.province).targets[2026]
    assert recorded == target
    assert recorded.admissions == admissions


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(
            AdmissionTarget(2026, count=90, rate_percent=7, start_of_year_members=1234), id="both"
        ),
        pytest.param(AdmissionTarget(2026), id="neither"),
        pytest.param(AdmissionTarget(2026, count=-1), id="negative"),
    ],
)
def test_a_target_with_both_or_neither_a_number_and_a_rate_is_refused(
    world: World, target: AdmissionTarget
) -> None:
    with writes_nothing(world.app), refused("ORG-TARGET"):
        world.app.set_target(ctx(), world.province, target, date(2026, 1, 10))
    assert org(world, world.province).targets == {}


def test_a_later_target_for_the_same_year_replaces_the_earlier_and_the_history_keeps_both(
    world: World,
) -> None:
    app = world.app
    first = AdmissionTarget(2026, count=2000)
    other_year = AdmissionTarget(2025, count=1800)
    second = AdmissionTarget(2026, rate_percent=7, start_of_year_members=1234)
    app.set_target(ctx(), world.province, other_year, date(2025, 1, 10))
    app.set_target(ctx(), world.province, first, date(2026, 1, 10))
    app.set_target(ctx(), world.province, second, date(2026, 3, 2))

    targets = org(world, world.province).targets
    assert targets == {2025: other_year, 2026: second}
    assert targets[2026].admissions == 87  # 86.38 rounded up
    history = [
        (h.effective_on, h.facts["target"])
        for h in app.history(world.province)
        if h.name == "Organization.TargetSet"
    ]
    assert history == [
        (date(2025, 1, 10), other_year),
        (date(2026, 1, 10), first),
        (date(2026, 3, 2), second),
    ]


# --- Rename and the audit history ---------------------------------------------------------------


def test_a_rename_is_a_new_event_and_the_history_lists_every_name_with_actor_and_date(
    world: World,
) -> None:
    app = world.app
    officer = ctx(Role.grassroots_officer, world.grassroots)
    app.rename_organization(officer, world.cell, "Chi bộ thôn Đông Bắc", date(2025, 9, 1))
    # Renaming to the name it already has records nothing.
    with writes_nothing(app):
        app.rename_organization(ctx(), world.cell, "Chi bộ thôn Đông Bắc", date(2025, 9, 2))

    assert org(world, world.cell).name == "Chi bộ thôn Đông Bắc"
    names = [
        (h.name, h.facts["name"], h.effective_on, h.actor.role, h.actor.org_id)
        for h in app.history(world.cell)
        if h.name in ("Organization.Registered", "Organization.Renamed")
    ]
    assert names == [
        # Registered by the builder's administrator (org id 0) on 2005-01-05.
        (
            "Organization.Registered",
            "Chi bộ thôn Đông",
            date(2005, 1, 5),
            Role.administrator,
            UUID(int=0),
        ),
        (
            "Organization.Renamed",
            "Chi bộ thôn Đông Bắc",
            date(2025, 9, 1),
            Role.grassroots_officer,
            world.grassroots,
        ),
    ]
    versions = [h.version for h in app.history(world.cell)]
    assert versions == sorted(versions)
    renamed = next(h for h in app.history(world.cell) if h.name == "Organization.Renamed")
    assert renamed.command_key == officer.command_key
    # The act of 2025-09-01 is stamped with the rule set in force then.
    assert renamed.rule_set == "2025-07-01"


def test_a_dissolved_organization_cannot_be_renamed(world: World) -> None:
    with writes_nothing(world.app), refused("ORG-TREE"):
        world.app.rename_organization(ctx(), world.district, "Huyện ủy mới", date(2025, 9, 1))


def test_refusals_name_stages_steps_and_kinds_in_words_never_in_code() -> None:
    """A refusal is read by an officer: the stage, the step and the kind of organization are
    named as the web names them (domain/labels.py), in either language."""
    with pytest.raises(RuleViolation) as stage:
        check_step(Stage.introducers, STEPS["hold_ceremony"])
    assert "“Người giới thiệu”" in stage.value.vi and "“Tổ chức lễ kết nạp”" in stage.value.vi
    assert "“Introducers”" in stage.value.en and "“Hold the ceremony”" in stage.value.en
    with pytest.raises(RuleViolation) as tree:
        check_parent(OrgKind.cell, OrgKind.commune_committee, date(2026, 1, 5))
    assert tree.value.vi == "Chi bộ không thể trực thuộc Đảng ủy xã/phường"
    assert tree.value.en == "A cell cannot sit under a commune committee"
    for error in (stage.value, tree.value):
        for code in ("introducers", "hold_ceremony", "commune_committee"):
            assert code not in error.vi + error.en
