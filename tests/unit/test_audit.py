"""Audit: a person's whole timeline, and any record as it stood at a past moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.admission import AdmissionCase, Stage
from domain.transfer import Hop
from domain.values import TransferKind, TransferReason
from tests.builders import World, ctx
from tests.unit.test_admission import open_case


def test_a_persons_timeline_spans_the_case_the_membership_and_its_transfers(
    world: World,
) -> None:
    app = world.app
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    case.decide()
    member_id = case.ceremony()
    transfer = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=transfer,
        member_id=member_id,
        kind=TransferKind.internal,
        reason=TransferReason.residence_change,
        destination_org_id=world.other_cell,
        trigger_on=date(2026, 3, 2),
        on=date(2026, 3, 2),
    )
    app.forward_letter(ctx(), transfer, Hop(world.cell, world.other_cell, "9/GT", date(2026, 3, 3)))
    app.present_letter(ctx(), transfer, date(2026, 3, 4))
    app.accept_transfer(ctx(), transfer, date(2026, 3, 5))

    timeline = app.timeline(case.person_id)
    kinds = [kind for kind, _ in timeline]
    assert {"person", "case", "member", "transfer"} <= set(kinds)
    names = [entry.name for _, entry in timeline]
    for expected in (
        "Person.Registered",
        "AdmissionCase.Opened",
        "AdmissionCase.CellVoted",
        "AdmissionCase.CeremonyHeld",
        "Member.Admitted",
        "Transfer.Started",
        "Transfer.Accepted",
        "Member.CellChanged",
    ):
        assert expected in names
    recorded = [entry.recorded_at for _, entry in timeline]
    assert recorded == sorted(recorded)
    assert all(entry.actor.user_id and entry.rule_set for _, entry in timeline)
    ceremony = next(e for _, e in timeline if e.name == "AdmissionCase.CeremonyHeld")
    assert ceremony.effective_on == date(2026, 2, 3)  # the act's date, not the recording's


def test_a_case_is_read_as_the_record_knew_it_at_a_past_moment(world: World) -> None:
    app = world.app
    before_anything = datetime.now(UTC)
    case = open_case(world)
    case.dossier()
    at_the_vote = datetime.now(UTC)
    case.cell_vote()
    assert app.as_of(AdmissionCase, case.case_id, before_anything) is None
    earlier = app.as_of(AdmissionCase, case.case_id, at_the_vote)
    assert earlier is not None and earlier.stage is Stage.cell_vote
    now = app.as_of(AdmissionCase, case.case_id, datetime.now(UTC))
    assert now is not None and now.stage is Stage.committee_vote
