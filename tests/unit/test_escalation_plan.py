"""Who hears of a stalled step, and when (policy.ESCALATION_LADDERS, Dangvien.open_deadline)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import policy
from tests.builders import World, ctx
from tests.unit.test_admission import open_case


@pytest.mark.parametrize(
    ("rule_id", "due", "reminder", "above", "department"),
    [
        # ADM-DECIDE due Friday 2030-03-22: 10 WD before is 2030-03-08; the day after is
        # Monday 2030-03-25; 10 WD after: Mar 25–29 (5), Apr 1–5 (10) → 2030-04-05.
        pytest.param(
            "ADM-DECIDE",
            date(2030, 3, 22),
            date(2030, 3, 8),
            date(2030, 3, 25),
            date(2030, 4, 5),
            id="decide",
        ),
        # ADM-CEREMONY due 2030-02-20 across Tết 2030: 5 WD before → 2030-02-13; then
        # 2030-02-21; 10 WD after: Feb 21–22, 25–Mar 1, Mar 4–6 → 2030-03-06.
        pytest.param(
            "ADM-CEREMONY",
            date(2030, 2, 20),
            date(2030, 2, 13),
            date(2030, 2, 21),
            date(2030, 3, 6),
            id="ceremony-across-tet",
        ),
        # TRF-PRESENT due Tuesday 2025-04-29: 5 WD before counts the make-up Saturday
        # 2025-04-26: Apr 28, 26, 25, 24, 23 → 2025-04-23; Apr 30 and May 1–2 are off, so
        # the day after is Monday 2025-05-05; 10 WD after: May 5–9 (5), 12–16 (10) → 05-16.
        pytest.param(
            "TRF-PRESENT",
            date(2025, 4, 29),
            date(2025, 4, 23),
            date(2025, 5, 5),
            date(2025, 5, 16),
            id="present-around-30-april",
        ),
    ],
)
def test_a_ladder_reminds_then_escalates_on_working_days(
    rule_id: str, due: date, reminder: date, above: date, department: date
) -> None:
    cell, grassroots, commune = uuid4(), uuid4(), uuid4()
    plan = policy.escalation_plan(rule_id, due, cell, grassroots, commune)
    assert [(s.level, s.fires_on, s.target) for s in plan] == [
        (policy.Level.reminder, reminder, cell),
        (policy.Level.unit_above, above, grassroots),
        (policy.Level.organization_department, department, commune),
    ]
    assert {s.due for s in plan} == {due}


@pytest.mark.parametrize(
    ("due", "told_on"),
    [
        # Wednesday 2030-02-20: Feb 19 (1), 18 (2), the weekend skipped, Friday 15 (3).
        pytest.param(date(2030, 2, 20), date(2030, 2, 15), id="over-a-weekend"),
        # Friday 2030-02-08: Feb 7 (1); Tết Feb 4–6, the weekend, the eves Jan 31 and Feb 1
        # off; Jan 30 (2), Tuesday Jan 29 (3).
        pytest.param(date(2030, 2, 8), date(2030, 1, 29), id="over-tet"),
        # Tuesday 2025-04-29: Apr 28 (1), the make-up Saturday 26 (2), Friday 25 (3).
        pytest.param(date(2025, 4, 29), date(2025, 4, 25), id="make-up-saturday"),
    ],
)
def test_the_unit_holding_a_deadline_hears_three_working_days_before_it(
    due: date, told_on: date
) -> None:
    cell = uuid4()
    soon = policy.due_soon("ADM-CEREMONY", due, cell)
    assert (soon.fires_on, soon.target, soon.due) == (told_on, cell, due)
    assert policy.working_days_overdue(due, told_on) == -policy.DUE_SOON_WD


def test_every_deadline_rule_with_a_ladder_is_a_rule_of_the_rulebook() -> None:
    assert set(policy.ESCALATION_LADDERS) <= set(policy.RULES)


def test_a_dossier_warns_before_its_certificate_lapses(world: World) -> None:
    case = open_case(world, on=date(2025, 9, 1))
    world.app.record_certificate(ctx(), case.case_id, "45/GCN", date(2021, 3, 15))
    deadline = world.app.open_deadline(case.case_id, date(2025, 9, 2))
    # ADM-CERT: valid through 2026-03-15 (60 months); the cell answers for it.
    assert deadline is not None
    assert (deadline.rule_id, deadline.due) == ("ADM-CERT", date(2026, 3, 15))
    assert deadline.start == date(2021, 3, 15)  # the certificate's date, not the case's opening
    assert (deadline.responsible, deadline.above) == (world.cell, world.grassroots)
    assert deadline.department == world.commune  # competent since 2025-07-01


def test_an_introducer_letter_lapsing_first_runs_from_the_letter_s_date(world: World) -> None:
    case = open_case(world, on=date(2025, 9, 1))
    world.app.record_certificate(ctx(), case.case_id, "45/GCN", date(2025, 8, 20))
    letter = case.introduction(world.members[world.cell][0], letter_on=date(2025, 2, 10))
    world.app.assign_introducer(ctx(), case.case_id, 1, letter)
    deadline = world.app.open_deadline(case.case_id, date(2025, 9, 2))
    # ADM-DOSSIER-AGE: the letter of 2025-02-10 counts through 2026-02-10, before the
    # certificate of 2025-08-20 lapses (2030-08-20).
    assert deadline is not None
    assert (deadline.rule_id, deadline.start, deadline.due) == (
        "ADM-DOSSIER-AGE",
        date(2025, 2, 10),
        date(2026, 2, 10),
    )


def test_an_escalation_is_recorded_once_per_rung_and_due_date(world: World) -> None:
    case = open_case(world, on=date(2025, 9, 1))
    world.app.record_certificate(ctx(), case.case_id, "45/GCN", date(2021, 3, 15))
    (first, *_) = world.app.escalation_plan(case.case_id, date(2026, 2, 1))
    assert world.app.escalate(ctx(), case.case_id, first, date(2026, 2, 13)) is True
    assert world.app.escalate(ctx(), case.case_id, first, date(2026, 2, 14)) is False
    remaining = world.app.escalation_plan(case.case_id, date(2026, 2, 14))
    assert [s.level for s in remaining] == [1, 2]
