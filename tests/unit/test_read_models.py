"""The read models (docs/rulebook.md §7 quotas and statistics; docs/readmodels.md), fed by
the projector from the in-memory event store into an in-memory SQLite database.

The scenario (tests/readmodel_scenario.py) is built through the application service; its table
says which case ends where. Every expected number below is worked out by hand in a comment from
that table and the Vietnamese working-day calendar; none is computed by the code under test.

Working days used below (docs/rulebook.md §1, domain/data/vn_calendar.toml): 2026 days off on
weekdays: Jan 1–2, Tết Feb 16–20, Apr 27 (Hùng Kings, observed), Apr 30, May 1, Aug 31,
Sep 1–2; Saturday Jan 10 and Saturday Aug 22 are worked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain import policy
from domain.application import Dangvien
from domain.member import Motion
from domain.organization import AdmissionTarget
from domain.person import Person
from domain.values import Gender, OrgKind
from projections.maintenance import compare, memory_engine
from projections.projector import Projector
from projections.queries import Card, Quota, ReadModel
from projections.seal import GroupSeal, SealBroken
from projections.views.people import unpack
from tests.breakdowns_reference import breakdowns_from_the_record
from tests.builders import build_world, ctx
from tests.readmodel_scenario import TODAY, Scenario, applicant, build_scenario, open_case_for

STAGES_OPEN = ("course", "application", "cell_vote", "decision", "ceremony")


def new_app() -> Dangvien:
    return Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})


class Projected:
    """A scenario, its projector and the read model over it."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.engine = memory_engine()
        self.projector = Projector(scenario.app, self.engine)
        self.catch_up()
        self.rm = ReadModel(self.engine, seal=GroupSeal.of(scenario.app))

    def catch_up(self) -> None:
        self.projector.run_until_caught_up()
        assert self.projector.lag() == 0

    def name(self, card: Card) -> str:
        """A card's case letter, transfer name or member role, for readable assertions."""
        names = {c.case_id: n for n, c in self.s.cases.items()}
        names |= {t: n for n, t in self.s.transfers.items()}
        return names.get(card.id, card.kind)

    def row(self, table: sa.Table, key: UUID) -> dict[str, object]:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(table).where(table.c.id == key)).one()
        return dict(found._mapping)


def summary(p: Projected, cards: list[Card]) -> list[tuple[object, ...]]:
    """What a department reads on a card (the fields this file checks)."""
    return [
        (
            p.name(c),
            c.stage,
            c.stage_since,
            c.days_in_stage,
            c.deadline_rule,
            c.deadline_due,
            c.working_days_left,
            c.escalation_level,
        )
        for c in cards
    ]


@pytest.fixture(scope="module")
def projected_once() -> Projected:
    """The scenario projected once, for the tests that only read."""
    return Projected(build_scenario(new_app()))


@pytest.fixture
def projected() -> Projected:
    """A fresh scenario, for the tests that record more events."""
    return Projected(build_scenario(new_app()))


# --- quota ----------------------------------------------------------------------------------------

# Historical conversions (the forecast), by hand from the scenario's closed cases.
#   A, B, D, L: course 2025-09-01, application 09-20, …, cell_vote 11-26, committee_vote 12-05,
#               decision 12-15, ceremony stage 2026-01-20; ceremony 2026-02-03.
#   C (shifted 11 months): course 2024-10-01, application 10-20, …, cell_vote 12-26,
#               decision 2025-01-10, ceremony stage 2025-02-20; ceremony 2025-03-03.
#   E: as A up to decision (2025-12-15), refused: reached every stage up to decision, no ceremony.
#   F: course 2026-02-10, withdrawn: reached course only.
# Conversion of a stage = admitted among the closed cases that reached it:
#   course 5/7 (A B C D L of A B C D E F L), application 5/6, cell_vote 5/6, decision 5/6,
#   ceremony 5/5.
# Median days from entering the stage to the ceremony (A B D L, C):
#   course: 155 (2025-09-01 → 2026-02-03) ×4, 153 → 155; G entered 2026-05-04 → ready 2026-10-06
#   application: 136 ×4, 134 → 136; K entered 2026-04-10 → ready 2026-08-24
#   cell_vote: 69 ×4, 67 → 69; J entered 2025-11-26 → 2026-02-03, before today → today
#   decision: 50 ×4, 52 → 50; H entered 2025-12-15 → 2026-02-03 → today
#   ceremony: 14 ×4 (01-20 → 02-03), 11 → 14; I entered 2026-05-20 → 2026-06-03 → today
# All are ready by 31 December 2026, so each open case adds its stage's conversion:
#   grassroots: G 5/7 + H 5/6 + I 1 + J 5/6 = 3.381 → 3 admitted + 3.381 = 6.381 → 6.4
#   commune: the grassroots' four + K 5/6 = 4.214 → 4 admitted + 4.214 = 8.214 → 8.2
FORECAST_GRASSROOTS = round(3 + 5 / 7 + 5 / 6 + 1 + 5 / 6, 1)
FORECAST_COMMUNE = round(4 + 5 / 7 + 5 / 6 + 1 + 5 / 6 + 5 / 6, 1)


def test_the_communes_quota_counts_its_whole_subtree_against_its_absolute_target(
    projected_once: Projected,
) -> None:
    p = projected_once
    quota = p.rm.quota(p.s.world.commune, 2026, TODAY)
    assert quota == Quota(
        org_id=p.s.world.commune,
        year=2026,
        target=8,  # set on the commune itself
        admitted=4,  # A, B, D, L: ceremonies on 2026-02-03 (D's striking off does not undo it)
        recognized=1,  # C: full from 2026-03-03 (end of the 12 months), decided 2026-03-20
        pipeline=dict.fromkeys(STAGES_OPEN, 1),  # G course, K application, J, H, I
        lost=2,  # E refused 2026-01-20, F withdrawn 2026-03-02
        struck_off=1,  # D on 2026-04-20
        breakdowns={
            "female": 2,  # A, D (B and L are men)
            "ethnic_minority": 2,  # A Tày, L Mường
            "religious": 1,  # B
            "youth_union": 1,  # B
            "private_sector_worker": 1,  # B
            "student": 1,  # A
        },
        forecast=FORECAST_COMMUNE,
    )
    assert FORECAST_COMMUNE == 8.2
    assert quota.percent == 50.0  # 4 of 8


def test_a_grassroots_quota_counts_only_its_cells_against_its_rate_target(
    projected_once: Projected,
) -> None:
    p = projected_once
    quota = p.rm.quota(p.s.world.grassroots, 2026, TODAY)
    # L, F and K belong to far_cell, under the other grassroots committee.
    assert quota == Quota(
        org_id=p.s.world.grassroots,
        year=2026,
        target=2,  # 7% of 17 start-of-year members = 1.19, rounded up (a target is a floor)
        admitted=3,  # A, B, D
        recognized=1,  # C
        pipeline={"course": 1, "cell_vote": 1, "decision": 1, "ceremony": 1},  # G, J, H, I
        lost=1,  # E
        struck_off=1,  # D
        breakdowns={
            "female": 2,
            "ethnic_minority": 1,  # A only
            "religious": 1,
            "youth_union": 1,
            "private_sector_worker": 1,
            "student": 1,
        },
        forecast=FORECAST_GRASSROOTS,
    )
    assert FORECAST_GRASSROOTS == 6.4
    assert quota.percent == 150.0  # 3 of 2


def test_a_quota_counts_only_the_years_admissions_losses_and_strikings_off(
    projected_once: Projected,
) -> None:
    p = projected_once
    q2025 = p.rm.quota(p.s.world.commune, 2025, date(2025, 12, 31))
    # 2025: only C's ceremony (2025-03-03); nobody lost, struck off or recognized that year;
    # no target was set for 2025.
    counted = (q2025.target, q2025.admitted, q2025.recognized, q2025.lost, q2025.struck_off)
    assert counted == (0, 1, 0, 0, 0)
    assert q2025.breakdowns["female"] == 1
    assert q2025.percent is None
    # Nothing more can be admitted by 31 December 2025: every open stage's median time to the
    # ceremony ends in 2026 (H: 2025-12-15 + 50 days = 2026-02-03; J: 2025-11-26 + 69 days).
    assert q2025.forecast == 1.0
    # Before a year's end, only what happened by `today` counts: on 2026-02-02, nobody yet.
    early = p.rm.quota(p.s.world.commune, 2026, date(2026, 2, 2))
    assert (early.admitted, early.lost, early.struck_off) == (0, 1, 0)  # E refused 2026-01-20


def test_a_unit_without_a_target_of_its_own_sums_the_nearest_targets_below_it(
    memory_app: Dangvien,
) -> None:
    world = build_world(memory_app)
    app = memory_app
    app.set_target(ctx(), world.commune, AdmissionTarget(2026, count=8), date(2026, 1, 5))
    app.set_target(
        ctx(),
        world.grassroots,
        AdmissionTarget(2026, rate_percent=7.0, start_of_year_members=17),
        date(2026, 1, 5),
    )
    # 2027: no commune target; the grassroots 10% of 20 = 2, the other grassroots 1.
    app.set_target(
        ctx(),
        world.grassroots,
        AdmissionTarget(2027, rate_percent=10.0, start_of_year_members=20),
        date(2027, 1, 4),
    )
    app.set_target(ctx(), world.other_grassroots, AdmissionTarget(2027, count=1), date(2027, 1, 4))
    p = Projected(Scenario(world))  # no cases: targets only
    rm, today = p.rm, date(2027, 3, 1)
    # The province has no 2026 target: the nearest below it is the commune's 8; the grassroots
    # target under the commune is part of it, not added again.
    assert rm.quota(world.province, 2026, today).target == 8
    assert rm.quota(world.grassroots, 2026, today).target == 2
    assert rm.quota(world.other_grassroots, 2026, today).target == 0
    assert rm.quota(world.other_grassroots, 2026, today).percent is None
    # 2027: the commune and the province add up the two grassroots targets: 2 + 1.
    assert rm.quota(world.commune, 2027, today).target == 3
    assert rm.quota(world.province, 2027, today).target == 3
    assert rm.quota(world.other_grassroots, 2027, today).target == 1
    # A target replaces the previous one for its year.
    app.set_target(ctx(), world.commune, AdmissionTarget(2027, count=5), date(2027, 2, 1))
    p.catch_up()
    assert rm.quota(world.province, 2027, today).target == 5
    assert rm.quota(world.commune, 2026, today).target == 8


def test_admissions_by_month_count_the_ceremonies_of_each_month(projected_once: Projected) -> None:
    p, w = projected_once, projected_once.s.world
    # A, B, D and L on 2026-02-03 (B in other_cell, L in far_cell); C on 2025-03-03.
    assert p.rm.admissions_by_month(w.commune, 2026, TODAY) == [0, 4] + [0] * 10
    assert p.rm.admissions_by_month(w.grassroots, 2026, TODAY) == [0, 3] + [0] * 10
    assert p.rm.admissions_by_month(w.commune, 2025, TODAY) == [0, 0, 1] + [0] * 9
    assert p.rm.admissions_by_month(w.commune, 2026, date(2026, 2, 2)) == [0] * 12


# --- forecast -------------------------------------------------------------------------------------


def test_the_forecast_adds_each_open_case_at_its_stages_historical_conversion(
    projected_once: Projected,
) -> None:
    p = projected_once
    for org, open_cases in ((p.s.world.commune, 5), (p.s.world.grassroots, 4)):
        quota = p.rm.quota(org, 2026, TODAY)
        assert quota.admitted <= quota.forecast <= quota.admitted + open_cases
    # By hand above: 8.2 and 6.4; one year later there is no time left in 2026.
    late = p.rm.quota(p.s.world.commune, 2026, date(2027, 1, 4))
    assert late.forecast == late.admitted == 4


def test_without_historical_conversions_the_forecast_is_what_is_already_admitted(
    memory_app: Dangvien,
) -> None:
    world = build_world(memory_app)
    s = Scenario(world)
    for name in ("x", "y"):
        s.cases[name] = open_case_for(world, applicant(), world.cell, date(2026, 3, 2))
    p = Projected(s)
    quota = p.rm.quota(world.commune, 2026, TODAY)
    assert quota.pipeline == {"course": 2}
    assert quota.forecast == quota.admitted == 0  # no case has ever closed
    # A withdrawn case is history, but no admission: still nothing to convert with.
    memory_app.end_case(
        ctx(), s.cases["x"].case_id, withdrawn=True, reason="chuyển vùng", on=date(2026, 4, 1)
    )
    p.catch_up()
    quota = p.rm.quota(world.commune, 2026, TODAY)
    assert (quota.pipeline, quota.lost, quota.forecast) == ({"course": 1}, 1, 0.0)


# --- the stage board ------------------------------------------------------------------------------

# H: ADM-DECIDE, 60 WD from the cell's resolution of 2025-12-05 → 2026-03-09 (counted in
#    tests/unit/test_admission.py). Overdue on 2026-06-15, working days in (Mar 9, Jun 15]:
#    Mar 10–31 16, Apr 20 (27 and 30 off), May 20 (1 off), Jun 1–15 11 → 67.
#    In stage since the committee's vote 2025-12-15: 16 + 31 + 28 + 31 + 30 + 31 + 15 = 182 days.
# I: ADM-CEREMONY, 30 WD from the receipt of 2026-05-22: May 25–29 5, Jun 1–26 20, Jun 29–Jul 3
#    5 → 2026-07-03. Left on 2026-06-15: Jun 16–19 4, 22–26 5, 29–30 2, Jul 1–3 3 → 14.
#    Since the decision 2026-05-20: 26 days.
# J: the dossier is complete (cell_vote since the summary of 2025-11-26: 5 + 31 + 31 + 28 + 31
#    + 30 + 31 + 15 = 201 days). The cell's vote has no deadline of its own: none shows. The
#    first document to lapse is the introducers' letters of 2025-10-10 (ADM-DOSSIER-AGE, 12
#    months → 2026-10-10): a warning from 2026-07-11, its last 3 months.
# G: at the course since it was opened on 2026-05-04 (42 days); no deadline runs yet.
# K: in the application stage since its certificate of 2026-04-10 (66 days), no deadline of
#    its own; the certificate (ADM-CERT, 60 months → 2031-04-10) is a warning from 2031-01-11.
BOARD_GRASSROOTS = [
    # ordered by due date, cases with no deadline yet last, oldest first (on every store)
    ("H", "decision", date(2025, 12, 15), 182, "ADM-DECIDE", date(2026, 3, 9), -67, -1),
    ("I", "ceremony", date(2026, 5, 20), 26, "ADM-CEREMONY", date(2026, 7, 3), 14, -1),
    ("J", "cell_vote", date(2025, 11, 26), 201, None, None, None, -1),
    ("G", "course", date(2026, 5, 4), 42, None, None, None, -1),
]


def test_the_stage_board_shows_stage_time_in_stage_deadline_and_working_days_left(
    projected_once: Projected,
) -> None:
    p, w = projected_once, projected_once.s.world
    assert summary(p, p.rm.stage_board(w.grassroots, TODAY)) == BOARD_GRASSROOTS
    commune = summary(p, p.rm.stage_board(w.commune, TODAY))
    assert commune[:3] + commune[4:] == BOARD_GRASSROOTS
    assert commune[3] == ("K", "application", date(2026, 4, 10), 66, None, None, None, -1)
    # One cell's board, and the overdue ones only.
    assert [p.name(c) for c in p.rm.stage_board(w.grassroots, TODAY, cell_id=w.cell)] == [
        "H",
        "J",
    ]
    assert [p.name(c) for c in p.rm.stage_board(w.commune, TODAY, overdue_only=True)] == ["H"]
    # The cards name the cell; closed cases (A–F, L) are never on the board.
    by_name = {p.name(c): c for c in p.rm.stage_board(w.commune, TODAY)}
    assert by_name["I"].cell_id == w.other_cell and by_name["K"].cell_id == w.far_cell
    # A page of the board keeps its order; a breakdown group filters the candidates (the open
    # cases G–K are all women, none is a student).
    order = [p.name(c) for c in p.rm.stage_board(w.commune, TODAY)]
    assert order == ["H", "I", "J", "K", "G"]
    assert [p.name(c) for c in p.rm.stage_board(w.commune, TODAY, limit=2, offset=1)] == ["I", "J"]
    assert [p.name(c) for c in p.rm.stage_board(w.commune, TODAY, group="female")] == order
    assert p.rm.stage_board(w.commune, TODAY, group="student") == []
    with pytest.raises(LookupError):
        p.rm.stage_board(w.commune, TODAY, group="name")
    # A working day later, one fewer left, one more overdue.
    tomorrow = {p.name(c): c for c in p.rm.stage_board(w.grassroots, date(2026, 6, 16))}
    assert (tomorrow["H"].working_days_left, tomorrow["I"].working_days_left) == (-68, 13)


def test_a_document_s_validity_is_no_deadline_but_a_warning_in_its_last_three_months(
    projected_once: Projected,
) -> None:
    p, w = projected_once, projected_once.s.world

    def warnings(on: date) -> dict[str, tuple[str | None, date | None]]:
        cards = p.rm.stage_board(w.commune, on)
        return {p.name(c): (c.warning_rule, c.warning_due) for c in cards if c.warning_rule}

    assert warnings(TODAY) == {}  # nobody's document lapses within 3 months
    assert warnings(date(2026, 7, 10)) == {}  # J's letters: 3 months and a day left
    letters = ("ADM-DOSSIER-AGE", date(2026, 10, 10))
    assert warnings(date(2026, 7, 11)) == {"J": letters}
    assert warnings(date(2026, 10, 12)) == {"J": letters}  # lapsed: still warned
    # K's certificate of 2026-04-10 warns in its last 3 months, from 2031-01-11; its card
    # never takes the certificate's expiry for a deadline.
    k = next(c for c in p.rm.stage_board(w.commune, date(2031, 1, 11)) if p.name(c) == "K")
    assert (k.warning_rule, k.warning_due) == ("ADM-CERT", date(2031, 4, 10))
    assert (k.deadline_rule, k.deadline_due, k.working_days_left) == (None, None, None)


def test_stalled_lists_only_overdue_or_escalated_work_worst_first(projected: Projected) -> None:
    p, w, app = projected, projected.s.world, projected.s.app
    # A probationer whose 12 months ended on Sunday 2026-03-01 and who was never reviewed:
    # PRB-REVIEW, 30 WD → Mar 2–27 20, Mar 30–Apr 3 5, Apr 6–10 5 → due 2026-04-10;
    # overdue on 2026-06-15: Apr 13–29 12 (27 off), May 20, Jun 1–15 11 → 43.
    (late,) = w.add_members(w.residence_cell, 1, joined_on=date(2025, 3, 1), full=False)
    # T's TRF-START (60 WD from the decision of 2026-01-05 → 2026-04-03) is overdue by 48
    # (Apr 6–29 17, May 20, Jun 1–15 11); its escalation to the unit above is recorded on
    # the day after the due date.
    t = p.s.transfers["T"]
    rung = next(
        r for r in app.escalation_plan(t, date(2026, 4, 6)) if r.level is policy.Level.unit_above
    )
    assert rung.fires_on == date(2026, 4, 6)
    assert app.escalate(ctx(), t, rung, date(2026, 4, 6))
    p.catch_up()
    stalled = p.rm.stalled(w.commune, TODAY)
    # Escalated first (T, level 1), then the most working days overdue: H −67, the probation
    # review −43. Not listed: G, I, J, K (on time), U (its letter is not due until 2026-07-17).
    assert [(p.name(c), c.escalation_level, c.working_days_left) for c in stalled] == [
        ("T", 1, -48),
        ("H", -1, -67),
        ("member", -1, -43),
    ]
    assert stalled[2].id == late and stalled[2].stage == "probationary"
    assert (stalled[2].deadline_rule, stalled[2].deadline_due) == ("PRB-REVIEW", date(2026, 4, 10))
    assert (stalled[0].deadline_rule, stalled[0].deadline_due) == ("TRF-START", date(2026, 4, 3))
    assert stalled[0].cell_id == w.other_cell  # the sending cell
    # The other grassroots committee has nothing stalled of its own.
    assert p.rm.stalled(w.other_grassroots, TODAY) == []
    assert p.rm.stalled(w.commune, TODAY, limit=1) == stalled[:1]


# --- rolls, minimum size, transfers, coverage -----------------------------------------------------


def test_a_cells_roll_separates_full_and_probationary_and_shows_away_guests_and_residents(
    projected_once: Projected,
) -> None:
    p, w = projected_once, projected_once.s.world
    m = p.s.members
    roll = p.rm.roll(w.cell, TODAY)
    # Full: the 9 members of 2010 (members[7] is away but stays on the roll; members[8]'s
    # transfer has not been accepted yet) and C, full since 2026-03-03. Probationary: A until
    # 2027-02-03. D was struck off. The guest stays at far_cell's.
    assert sorted(roll.full) == sorted([*w.members[w.cell], m["C"]])
    assert roll.probationary == [(m["A"], date(2027, 2, 3))]
    assert roll.away == [w.members[w.cell][7]]
    assert roll.guests == []
    assert roll.residence_links == [w.members[w.other_cell][0]]
    far = p.rm.roll(w.far_cell, TODAY)
    assert sorted(far.full) == sorted(w.members[w.far_cell])
    assert far.probationary == [(m["L"], date(2027, 2, 3))]
    assert far.guests == [w.members[w.cell][7]]
    assert far.away == []
    # Before the end of C's 12 months, C is still a probationer (PRB-EFFECTIVE).
    before = p.rm.roll(w.cell, date(2026, 3, 2))
    assert sorted(before.probationary) == sorted(
        [(m["C"], date(2026, 3, 3)), (m["A"], date(2027, 2, 3))]
    )
    assert m["C"] not in before.full


def test_cells_with_fewer_than_three_full_members_are_listed(projected_once: Projected) -> None:
    p, w, cells = projected_once, projected_once.s.world, projected_once.s.cells
    # nam has nobody; trung 2 full members and a probationer (who does not count); the
    # dissolved cell is not listed; cell 10, other_cell 4, residence_cell 3 and far_cell 3
    # full members (a guest does not count).
    assert sorted(p.rm.cells_below_minimum(w.commune, TODAY)) == sorted(
        [(cells["nam"], "Chi bộ thôn Nam", 0), (cells["trung"], "Chi bộ thôn Trung", 2)]
    )
    assert p.rm.cells_below_minimum(w.other_grassroots, TODAY) == []


def test_transfers_in_transit_are_listed_on_both_sides_with_working_days_left(
    projected_once: Projected,
) -> None:
    p, w = projected_once, projected_once.s.world
    # T: not left yet, TRF-START due 2026-04-03 (−48, as above). U: letter to far_cell of
    # 2026-06-05, TRF-PRESENT 30 WD → Jun 8–Jul 3 20, Jul 6–17 10 → 2026-07-17; left on
    # 2026-06-15: Jun 16–Jul 3 14, Jul 6–17 10 → 24. The temporary transfer is active, not in
    # transit.
    expected = [
        ("T", "in_transit", None, None, "TRF-START", date(2026, 4, 3), -48, -1),
        ("U", "letter_issued", None, None, "TRF-PRESENT", date(2026, 7, 17), 24, -1),
    ]
    in_transit = sorted(summary(p, p.rm.transfers_in_transit(w.grassroots, TODAY)), key=str)
    assert in_transit == expected
    assert sorted(summary(p, p.rm.transfers_in_transit(w.commune, TODAY)), key=str) == expected
    # The receiving side sees both from the start: they are bound for it (their destination).
    receiving = sorted(summary(p, p.rm.transfers_in_transit(w.other_grassroots, TODAY)), key=str)
    assert receiving == expected
    # A cell of neither side sees neither.
    assert p.rm.transfers_in_transit(w.residence_cell, TODAY) == []


def test_coverage_lists_hamlets_without_a_cell_and_without_a_member(projected: Projected) -> None:
    p, w, app = projected, projected.s.world, projected.s.app
    coverage = p.rm.coverage(w.commune)
    # Thôn Đông: served by cell (10 full members). Thôn Nam: served by a cell with nobody.
    # Thôn Bắc: no cell at all (hence no member either).
    assert coverage.hamlets_without_cell == ["Thôn Bắc"]
    assert coverage.hamlets_without_member == ["Thôn Bắc", "Thôn Nam"]
    assert p.rm.coverage(w.grassroots) == coverage  # the commune's hamlets, seen from below
    # A member of another cell who resides in Thôn Nam (213) makes it a hamlet with a member;
    # so does, later, a cell serving Thôn Bắc with a member on its roll.
    app.link_residence(ctx(), w.members[w.far_cell][0], p.s.cells["nam"], date(2026, 6, 1))
    p.catch_up()
    assert p.rm.coverage(w.commune).hamlets_without_member == ["Thôn Bắc"]
    app.serve_hamlets(ctx(), w.residence_cell, w.commune, ("bac",), date(2026, 6, 1))
    p.catch_up()
    assert p.rm.coverage(w.commune).hamlets_without_cell == []
    assert p.rm.coverage(w.commune).hamlets_without_member == []


# --- corrections and reorganisations --------------------------------------------------------------


def test_a_person_correction_updates_the_breakdown_flags_of_their_cases(
    projected: Projected,
) -> None:
    p, app, w = projected, projected.s.app, projected.s.world
    before = p.rm.quota(w.commune, 2026, TODAY).breakdowns
    # A was recorded as Tày; the correction says Kinh. B was recorded as Catholic; not so.
    a = app.load(Person, p.s.cases["A"].person_id).data
    b = app.load(Person, p.s.cases["B"].person_id).data
    app.register_person(ctx(), replace(a, ethnicity="Kinh"), date(2026, 6, 10))
    app.register_person(ctx(), replace(b, religion=None), date(2026, 6, 10))
    p.catch_up()
    after = p.rm.quota(w.commune, 2026, TODAY).breakdowns
    assert after == before | {"ethnic_minority": 1, "religious": 0}  # L remains; nobody else
    # Their sealed groups (the read model keeps no flag in clear) say the same.
    person_a, groups_of = p.s.cases["A"].person_id, p.projector.t.person_groups
    with p.engine.connect() as conn:
        sealed = conn.execute(
            sa.select(groups_of.c.sealed).where(groups_of.c.person_id == person_a)
        ).scalar_one()
    groups = unpack(GroupSeal.of(app).open(person_a, sealed))
    assert (groups["ethnic_minority"], groups["female"], groups["student"]) == (False, True, True)
    # The same projection rebuilt from the record agrees with the corrected rows.
    scratch = memory_engine()
    rebuilt = Projector(app, scratch)
    rebuilt.run_until_caught_up()
    assert compare(p.engine, p.projector.t, scratch, rebuilt.t) == []


def test_a_reparented_cell_moves_its_cases_members_and_transfers_in_subtree_queries(
    projected: Projected,
) -> None:
    p, app, w = projected, projected.s.app, projected.s.world
    # other_cell (B admitted, I at the ceremony stage, T's member leaving) moves under the other
    # grassroots committee on 2026-06-01.
    app.reparent_organization(ctx(), w.other_cell, w.other_grassroots, date(2026, 6, 1))
    p.catch_up()
    mine = p.rm.quota(w.grassroots, 2026, TODAY)
    other = p.rm.quota(w.other_grassroots, 2026, TODAY)
    assert (mine.admitted, mine.pipeline) == (2, {"course": 1, "cell_vote": 1, "decision": 1})
    assert (other.admitted, other.pipeline) == (2, {"application": 1, "ceremony": 1})  # L+B; K, I
    assert other.breakdowns["religious"] == 1 and mine.breakdowns["religious"] == 0
    assert p.rm.quota(w.commune, 2026, TODAY).admitted == 4  # the commune still holds both
    assert [p.name(c) for c in p.rm.stalled(w.grassroots, TODAY)] == ["H"]
    assert [p.name(c) for c in p.rm.stalled(w.other_grassroots, TODAY)] == ["T"]
    assert [p.name(c) for c in p.rm.stage_board(w.other_grassroots, TODAY)] == ["I", "K"]
    assert [p.name(c) for c in p.rm.stage_board(w.other_cell, TODAY)] == ["I"]
    assert sorted(p.rm.roll(w.other_cell, TODAY).full) == sorted(w.members[w.other_cell])
    # The incremental projection agrees with one rebuilt from the record.
    scratch = memory_engine()
    rebuilt = Projector(app, scratch)
    rebuilt.run_until_caught_up()
    assert compare(p.engine, p.projector.t, scratch, rebuilt.t) == []


def test_moving_a_grassroots_organization_moves_the_cells_below_it(projected: Projected) -> None:
    p, app, w = projected, projected.s.app, projected.s.world
    commune2 = app.register_organization(
        ctx(),
        kind=OrgKind.commune_committee,
        name="Đảng ủy xã Hòa Lạc",
        parent_id=w.province,
        established_on=date(2025, 7, 1),
    )
    p.catch_up()
    app.reparent_organization(ctx(), w.other_grassroots, commune2, date(2026, 6, 1))
    p.catch_up()  # a later batch than far_cell's last event
    # K (far_cell, application stage) is on far_cell's board and its commune's.
    assert [p.name(c) for c in p.rm.stage_board(commune2, TODAY)] == ["K"]
    assert [p.name(c) for c in p.rm.stage_board(w.far_cell, TODAY)] == ["K"]
    scratch = memory_engine()
    rebuilt = Projector(app, scratch)
    rebuilt.run_until_caught_up()
    assert compare(p.engine, p.projector.t, scratch, rebuilt.t) == []


def test_a_projection_in_small_batches_equals_one_in_a_single_batch(
    projected_once: Projected,
) -> None:
    p = projected_once
    scratch = memory_engine()
    small = Projector(p.s.app, scratch, batch_size=7)
    small.run_until_caught_up()
    assert small.position() == p.projector.position()
    assert compare(p.engine, p.projector.t, scratch, small.t) == []


def test_the_projectors_aggregates_keep_their_state_not_a_key_per_command(
    projected_once: Projected,
) -> None:
    """Memory that does not grow with the events replayed: an aggregate in the store keeps
    the key of every command applied to it (commands are idempotent by them); the
    projector's copy, which only rows read, keeps none, however many events it applied."""
    p = projected_once
    cached = [agg for agg in p.projector._cache.values() if agg.version > 3]
    assert len(cached) >= 5
    for agg in cached:
        stored: Any = p.s.app.repository.get(agg.id)
        assert stored.version == agg.version
        assert len(stored.__dict__["applied_keys"]) >= 3
        assert len(agg.__dict__["applied_keys"]) == 0
        assert not agg.has_applied(next(iter(stored.__dict__["applied_keys"])))


def test_a_struck_off_resident_no_longer_covers_a_hamlet(projected: Projected) -> None:
    p, app, w = projected, projected.s.app, projected.s.world
    nam, l_member = p.s.cells["nam"], p.s.members["L"]
    app.link_residence(ctx(), l_member, nam, date(2026, 5, 4))  # L, a teacher, lives in Nam
    p.catch_up()
    assert p.rm.coverage(w.commune).hamlets_without_member == ["Thôn Bắc"]
    assert p.rm.roll(nam, TODAY).residence_links == [l_member]
    # far_cell's 3 full members all vote to strike L off; the commune decides.
    app.record_review_vote(
        ctx(),
        l_member,
        motion=Motion.strike_off,
        held_on=date(2026, 6, 1),
        votes_for=3,
        votes_against=0,
    )
    app.strike_off(ctx(), l_member, decided_by=w.commune, reason="vi phạm", on=date(2026, 6, 8))
    p.catch_up()
    assert p.rm.roll(nam, TODAY).residence_links == []
    assert p.rm.coverage(w.commune).hamlets_without_member == ["Thôn Bắc", "Thôn Nam"]


def test_an_as_of_replay_reads_people_as_of_the_moment_whatever_the_cache_size() -> None:
    app = new_app()
    world = build_world(app)
    case = open_case_for(world, applicant(), world.cell, date(2025, 9, 1))
    case.dossier()
    moment = datetime.now(UTC)
    person = app.load(Person, case.person_id).data
    app.register_person(ctx(), replace(person, ethnicity="Tày"), date(2026, 1, 12))  # later
    flags = []
    for cache_size in (200_000, 1):
        engine = memory_engine()
        projector = Projector(app, engine, until=moment, cache_size=cache_size)
        projector.run_until_caught_up()
        groups_of = projector.t.person_groups
        with engine.connect() as conn:
            sealed = conn.execute(
                sa.select(groups_of.c.sealed).where(groups_of.c.person_id == case.person_id)
            ).scalar_one()
        flags.append(unpack(GroupSeal.of(app).open(case.person_id, sealed))["ethnic_minority"])
    assert flags == [False, False]  # Kinh at the moment, whatever the cache holds


# --- sensitive data (issue 18 item 5, docs/privacy.md) --------------------------------------------

DAYS = (date(2025, 12, 31), date(2026, 2, 2), date(2026, 2, 3), TODAY, date(2026, 12, 31))


def every_units_breakdowns(
    p: Projected,
) -> dict[tuple[UUID, date], tuple[dict[str, int], dict[str, int]]]:
    """Every unit's breakdowns on each of DAYS (its own year), from the read model and from
    the groups of each admitted person's data in the record (the flags the rows held before)."""
    w = p.s.world
    units = [w.province, w.district, w.commune, w.grassroots, w.other_grassroots, w.cell]
    units += [w.other_cell, w.residence_cell, w.far_cell, *p.s.cells.values()]
    found = {}
    for unit in units:
        for day in DAYS:
            shown = p.rm.quota(unit, day.year, day).breakdowns
            found[unit, day] = (
                shown,
                breakdowns_from_the_record(p.s.app, p.engine, unit, day.year, day),
            )
    return found


def test_every_units_breakdowns_are_those_of_its_admitted_peoples_data_on_any_day(
    projected: Projected,
) -> None:
    p, app = projected, projected.s.app
    for (unit, day), (shown, before) in every_units_breakdowns(p).items():
        assert shown == before, (unit, day)
    # The commune's figures are not all zero: the comparison compares something.
    assert p.rm.quota(p.s.world.commune, 2026, TODAY).breakdowns["ethnic_minority"] == 2
    # Corrections move the counts, as they moved the flags: A becomes Kinh and Catholic, L
    # (admitted the same day) a woman, D no longer a woman; then A back to Tày.
    corrected = {
        "A": {"ethnicity": "Kinh", "religion": "Công giáo"},
        "L": {"gender": Gender.female},
    }
    corrected |= {"D": {"gender": Gender.male}}
    for name, change in corrected.items():
        person = p.s.cases[name].person_id
        data = app.load(Person, person).data
        app.register_person(ctx(), replace(data, **change), date(2026, 6, 10))  # type: ignore[arg-type]
    p.catch_up()
    a = app.load(Person, p.s.cases["A"].person_id).data
    app.register_person(ctx(), replace(a, ethnicity="Tày"), date(2026, 6, 11))
    p.catch_up()
    for (unit, day), (shown, before) in every_units_breakdowns(p).items():
        assert shown == before, (unit, day)
    assert p.rm.quota(p.s.world.commune, 2026, TODAY).breakdowns["religious"] == 2  # A and B


def test_the_read_model_has_no_column_of_a_persons_sex_ethnicity_or_religion(
    projected_once: Projected,
) -> None:
    p = projected_once
    inspector = sa.inspect(p.engine)
    sensitive = re.compile(r"female|gender|sex|ethnic|religio|youth|student|worker|occupation")
    columns = {
        (table, column["name"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
    }
    assert {(t, c) for t, c in columns if sensitive.search(c)} == set()
    # The person-level tables hold ids, blind tokens, and the groups sealed.
    t = p.projector.t
    assert {c.name for c in t.person_groups.columns} == {"person_id", "sealed"}
    assert not any(sensitive.search(c.name) for table in t.all for c in table.columns)


def test_a_persons_rows_say_nothing_of_their_ethnicity_or_religion_without_the_key(
    projected: Projected,
) -> None:
    p, app, t = projected, projected.s.app, projected.projector.t
    case = p.s.cases["A"]  # a Tày student, no religion
    (person_id, case_id) = (case.person_id, case.case_id)

    def rows() -> dict[str, list[dict[str, Any]]]:
        """Every row of the read model that names the person or their case."""
        found: dict[str, list[dict[str, Any]]] = {}
        with p.engine.connect() as conn:
            for table in t.all:
                keys = [c for c in table.columns if c.name in ("person_id", "case_id", "id")]
                if not keys:
                    continue
                where = sa.or_(*(c.in_([person_id, case_id]) for c in keys))
                found[table.name] = [
                    dict(r._mapping) for r in conn.execute(table.select().where(where))
                ]
        return found

    before = rows()
    data = app.load(Person, person_id).data
    app.register_person(
        ctx(), replace(data, ethnicity="Kinh", religion="Phật giáo"), date(2026, 6, 10)
    )
    p.catch_up()
    after = rows()
    # Becoming a Kinh Buddhist changed nothing of the person's rows but the sealed groups…
    sealed = t.person_groups.name
    assert {k: v for k, v in after.items() if k != sealed} == {
        k: v for k, v in before.items() if k != sealed
    }
    [old], [new] = before[sealed], after[sealed]
    assert old["sealed"] != new["sealed"]
    # …which open with the read model's key only, and never for another person.
    right = GroupSeal.of(app)
    assert unpack(right.open(person_id, new["sealed"]))["religious"] is True
    wrong = GroupSeal(hashlib.sha512(b"another key").digest())
    with pytest.raises(SealBroken):
        wrong.open(person_id, new["sealed"])
    with pytest.raises(SealBroken):
        right.open(p.s.cases["B"].person_id, new["sealed"])
    # Two people of the same groups do not share a sealed value: nothing groups them.
    c, d = p.s.cases["C"].person_id, p.s.cases["D"].person_id  # two Kinh women, no religion
    with p.engine.connect() as conn:
        values = dict(
            conn.execute(
                sa.select(t.person_groups.c.person_id, t.person_groups.c.sealed).where(
                    t.person_groups.c.person_id.in_([c, d])
                )
            ).all()
        )
    assert right.open(c, values[c]) == right.open(d, values[d])
    assert values[c] != values[d]
