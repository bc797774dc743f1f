"""Members and transfers through the real application (docs/rulebook.md §3 probation, §4 transfers,
§5 residence contact), on eventsourcing's in-memory recorder.

The world (tests/builders.py): province → district (dissolved 2025-07-01) → commune →
grassroots committees → cells. `world.cell` (hamlet) holds 9 full members, `world.other_cell`
(commune agency) 4 and `world.residence_cell` (hamlet) 3, all under `world.grassroots`;
`world.far_cell` (school) holds 3 under `world.other_grassroots`. All those members joined on
2010-05-19 and are full from 2011-05-19. From 2025-07-01 both grassroots committees sit under
`world.commune` (their competent committee), whose parent is `world.province`.

Every expected value is worked out by hand in a comment; none is computed by the code under
test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from uuid import UUID, uuid4

import pytest

from domain.application import Context, Dangvien
from domain.errors import RuleViolation
from domain.member import Exemption, Member, Motion, Status
from domain.organization import Organization
from domain.person import Person
from domain.transfer import Hop, Transfer, TransferStage
from domain.values import CellSetting, HoldKind, OrgKind, Role, TransferKind, TransferReason
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx, file_recognition_papers, person_data, set_rules

# A probationer admitted on Monday 2025-03-10 (decision of 2025-02-24): probation ends
# 2025-03-10 + 12 calendar months = 2026-03-10 (PRB-LENGTH).
JOINED = date(2025, 3, 10)
DECIDED = date(2025, 2, 24)
PROBATION_ENDS = date(2026, 3, 10)


# --- helpers -----------------------------------------------------------------------------------


def admit_probationer(
    world: World, cell: UUID | None = None, joined_on: date = JOINED, decided_on: date = DECIDED
) -> UUID:
    """A probationer registered from the paper dossier (no recognition yet)."""
    app = world.app
    person = app.register_person(ctx(), person_data(), joined_on)
    return app.register_member(
        ctx(),
        person_id=person,
        cell_id=cell or world.cell,
        joined_on=joined_on,
        decided_on=decided_on,
        full_from=None,
    )


def member(world: World, member_id: UUID) -> Member:
    return world.app.load(Member, member_id)


def org(world: World, org_id: UUID) -> Organization:
    return world.app.load(Organization, org_id)


def vote(
    world: World,
    member_id: UUID,
    motion: Motion,
    held_on: date,
    votes_for: int,
    votes_against: int,
    excused_voting: int = 0,
) -> Member:
    """The cell's vote; for recognition, with its prerequisites filed that day (PRB-DOSSIER,
    proved on its own below)."""
    if motion is Motion.recognize:
        file_recognition_papers(world.app, member_id, held_on, world.members[world.cell][0])
    return world.app.record_review_vote(
        ctx(Role.cell_secretary),
        member_id,
        motion=motion,
        held_on=held_on,
        votes_for=votes_for,
        votes_against=votes_against,
        excused_voting=excused_voting,
    )


def up_and_down(world: World) -> list[UUID]:
    """The letter's way from `world.cell` to `world.far_cell`: up the sending side to the
    commune committee, down the receiving side."""
    return [world.cell, world.grassroots, world.commune, world.other_grassroots, world.far_cell]


def forward_along(app: Dangvien, transfer_id: UUID, path: list[UUID], on: date) -> None:
    for number, (here, there) in enumerate(pairwise(path), start=1):
        app.forward_letter(ctx(), transfer_id, Hop(here, there, f"{number}-GGT", on))


def start(
    world: World,
    member_id: UUID,
    kind: TransferKind,
    reason: TransferReason,
    destination: UUID,
    on: date,
    *,
    returns_on: date | None = None,
    portal_reference: str | None = None,
) -> UUID:
    transfer_id = uuid4()
    world.app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=member_id,
        kind=kind,
        reason=reason,
        destination_org_id=destination,
        trigger_on=on,
        on=on,
        returns_on=returns_on,
        portal_reference=portal_reference,
    )
    return transfer_id


def complete_transfer(
    world: World,
    member_id: UUID,
    kind: TransferKind,
    reason: TransferReason,
    path: list[UUID],
    *,
    start_on: date,
    accept_on: date,
    returns_on: date | None = None,
) -> UUID:
    """Start, forward the letter along `path` on the start date, present and accept."""
    transfer_id = start(world, member_id, kind, reason, path[-1], start_on, returns_on=returns_on)
    forward_along(world.app, transfer_id, path, start_on)
    world.app.present_letter(ctx(), transfer_id, accept_on)
    world.app.accept_transfer(ctx(), transfer_id, accept_on)
    return transfer_id


def event_facts(app: Dangvien, aggregate_id: UUID, name: str) -> list[dict[str, object]]:
    return [h.facts for h in app.history(aggregate_id) if h.name == name]


def rolls_holding(world: World, member_id: UUID, on: date) -> list[UUID]:
    cells = (world.cell, world.other_cell, world.residence_cell, world.far_cell)
    return [c for c in cells if member_id in org(world, c).members_on(on)]


# --- PRB-LENGTH, PRB-EFFECTIVE: status by date ------------------------------------------------


@pytest.mark.parametrize(
    ("on", "before_recognition", "after_recognition"),
    [
        # The day before the ceremony the person is not a member yet.
        pytest.param(date(2025, 3, 9), None, None, id="before-joining"),
        pytest.param(JOINED, Status.probationary, Status.probationary, id="ceremony-day"),
        # 2026-03-09 is the last day of the 12 months.
        pytest.param(
            date(2026, 3, 9), Status.probationary, Status.probationary, id="last-day-of-probation"
        ),
        # From 2026-03-10 full, but only once recognized (recognition is not automatic).
        pytest.param(PROBATION_ENDS, Status.probationary, Status.full, id="end-of-12-months"),
        pytest.param(date(2026, 7, 24), Status.probationary, Status.full, id="after-decision"),
    ],
)
def test_a_probationer_is_probationary_for_12_months_and_full_from_their_end_once_recognized(
    world: World, on: date, before_recognition: Status | None, after_recognition: Status | None
) -> None:
    app = world.app
    probationer = admit_probationer(world)
    assert member(world, probationer).probation_ends == PROBATION_ENDS
    assert member(world, probationer).status is Status.probationary
    assert member(world, probationer).status_on(on) == before_recognition

    # 6 of the 9 full members: 6 × 3 = 18 ≥ 2 × 9 = 18, the 2/3 is reached.
    vote(world, probationer, Motion.recognize, PROBATION_ENDS, 6, 3)
    app.recognize(ctx(), probationer, decided_by=world.commune, on=date(2026, 3, 20))

    assert member(world, probationer).status is Status.full
    assert member(world, probationer).status_on(on) == after_recognition


@pytest.mark.parametrize(
    ("decided_on", "overdue_wd"),
    [
        # The cell resolves on Monday 2026-06-01 (itself late); PRB-DECIDE gives 30 WD, start
        # day not counted, no holiday in June-July 2026: Jun 2-5 (4), 8-12 (9), 15-19 (14),
        # 22-26 (19), Jun 29-Jul 3 (24), Jul 6-10 (29), Mon Jul 13 (30) → due 2026-07-13.
        pytest.param(date(2026, 6, 15), 0, id="within-30-wd"),
        pytest.param(date(2026, 7, 13), 0, id="on-the-due-day"),
        # Jul 14-17 (4) + Jul 20-24 (5) = 9 WD late.
        pytest.param(date(2026, 7, 24), 9, id="nine-wd-late"),
    ],
)
def test_recognition_decided_late_still_takes_effect_at_the_end_of_the_12_months(
    world: World, decided_on: date, overdue_wd: int
) -> None:
    app = world.app
    probationer = admit_probationer(world)
    vote(world, probationer, Motion.recognize, date(2026, 6, 1), 6, 3)

    app.recognize(ctx(), probationer, decided_by=world.commune, on=decided_on)

    recognized = member(world, probationer)
    # PRB-EFFECTIVE: 2025-03-10 + 12 months = 2026-03-10, months before the decision.
    assert recognized.full_from == date(2026, 3, 10)
    assert recognized.recognized_on == decided_on
    assert recognized.status_on(date(2026, 3, 10)) is Status.full
    facts = event_facts(app, probationer, "Member.Recognized")
    assert facts == [
        {"decided_by": world.commune, "full_from": date(2026, 3, 10), "overdue_wd": overdue_wd}
    ]
    entry = next(h for h in app.history(probationer) if h.name == "Member.Recognized")
    # The record's effective date is the day of the decision, not the day full membership began.
    assert entry.effective_on == decided_on


# --- PRB-REVIEW: when the cell may vote, and who counts ----------------------------------------


@pytest.mark.parametrize(
    ("motion", "held_on", "refused_by"),
    [
        # 2026-03-09 is still inside the 12 months that end on 2026-03-10.
        pytest.param(Motion.recognize, date(2026, 3, 9), "PRB-REVIEW", id="recognize-too-early"),
        pytest.param(Motion.recognize, date(2026, 3, 10), None, id="recognize-at-the-end"),
        # Striking off may be voted at any time during probation.
        pytest.param(Motion.strike_off, date(2025, 9, 15), None, id="strike-off-during"),
    ],
)
def test_the_cell_votes_on_recognition_only_once_the_12_months_have_ended(
    world: World, motion: Motion, held_on: date, refused_by: str | None
) -> None:
    probationer = admit_probationer(world)
    if refused_by is None:
        voted = vote(world, probationer, motion, held_on, 6, 3)
        # 6 × 3 = 18 ≥ 2 × 9: passes, the cell has its resolution.
        assert voted.resolution == (motion, held_on)
        return
    file_recognition_papers(world.app, probationer, held_on, world.members[world.cell][0])
    with writes_nothing(world.app), refused(refused_by):
        vote(world, probationer, motion, held_on, 6, 3)


# PRB-REVIEW: 30 WD after the end of probation (2026-03-10): Mar 11–13 3, 16–20 8, 23–27 13,
# Mar 30–Apr 3 18, Apr 6–10 23, 13–17 28, Apr 20–21 30 → due 2026-04-21.
@pytest.mark.parametrize(
    ("held_on", "overdue_wd"),
    [
        pytest.param(date(2026, 4, 21), 0, id="on-the-due-day"),
        pytest.param(date(2026, 4, 23), 2, id="two-working-days-late"),  # Apr 22, 23
    ],
)
def test_a_late_review_vote_stands_and_is_recorded_late(
    world: World, held_on: date, overdue_wd: int
) -> None:
    probationer = admit_probationer(world)
    assert member(world, probationer).review_due == date(2026, 4, 21)
    vote(world, probationer, Motion.recognize, held_on, 6, 3)
    (voted,) = event_facts(world.app, probationer, "Member.ReviewVoted")
    assert (voted["due"], voted["overdue_wd"]) == (date(2026, 4, 21), overdue_wd)
    assert member(world, probationer).resolution == (Motion.recognize, held_on)


def _cell_with_an_exempted_member_and_one_away(world: World) -> tuple[UUID, UUID, UUID]:
    """world.cell: 9 full members; the first exempted 2026-02-01..2026-04-30, the second
    temporarily transferred to world.far_cell from 2026-01-12; plus two probationers."""
    app = world.app
    exempted, away = world.members[world.cell][:2]
    app.exempt_member(
        ctx(), exempted, Exemption(date(2026, 2, 1), date(2026, 4, 30), "ốm dài ngày")
    )
    complete_transfer(
        world,
        away,
        TransferKind.temporary,
        TransferReason.work_away,
        up_and_down(world),
        start_on=date(2026, 1, 5),
        accept_on=date(2026, 1, 12),
        returns_on=date(2026, 7, 5),
    )
    probationer = admit_probationer(world)
    # A second probationer (ceremony 2025-06-02, probationary until 2026-06-02): never counted.
    admit_probationer(world, joined_on=date(2025, 6, 2), decided_on=date(2025, 5, 20))
    return probationer, exempted, away


@pytest.mark.parametrize(
    ("excused_voting", "votes_for", "votes_against", "on_roll", "excused", "passed"),
    [
        # 9 full members on the roll (the 2 probationers never count); 2 excusable (one
        # exempted, one away) who did not vote: denominator 9 − 2 = 7; 5 × 3 = 15 ≥ 2 × 7 = 14.
        pytest.param(0, 5, 2, 9, 2, True, id="5-of-7-passes"),
        # 4 × 3 = 12 < 14.
        pytest.param(0, 4, 3, 9, 2, False, id="4-of-7-fails"),
        # One of them came and voted: denominator 8; 5 × 3 = 15 < 16.
        pytest.param(1, 5, 3, 9, 1, False, id="exempted-votes-5-of-8-fails"),
        # Both voted: denominator 9; 6 × 3 = 18 ≥ 18.
        pytest.param(2, 6, 3, 9, 0, True, id="both-vote-6-of-9-passes"),
    ],
)
def test_the_review_ballot_counts_full_members_on_the_roll_less_those_excused_and_not_voting(
    world: World,
    excused_voting: int,
    votes_for: int,
    votes_against: int,
    on_roll: int,
    excused: int,
    passed: bool,
) -> None:
    probationer, _, _ = _cell_with_an_exempted_member_and_one_away(world)

    voted = vote(
        world,
        probationer,
        Motion.recognize,
        PROBATION_ENDS,
        votes_for,
        votes_against,
        excused_voting,
    )

    motion, ballot, did_pass = voted.review_ballots[-1]
    assert (motion, ballot.on_roll, ballot.excused, did_pass) == (
        Motion.recognize,
        on_roll,
        excused,
        passed,
    )
    assert ballot.denominator == on_roll - excused
    assert voted.failed_votes == (0 if passed else 1)
    recorded = event_facts(world.app, probationer, "Member.ReviewVoted")
    assert [f["passed"] for f in recorded] == [passed]


@pytest.mark.parametrize(
    ("held_on", "excused"),
    [
        # 2026-01-09: the temporary transfer is accepted only on 2026-01-12, the exemption
        # starts 2026-02-01: nobody is excused.
        pytest.param(date(2026, 1, 9), 0, id="before-both"),
        # 2026-01-12..2026-01-31: away only.
        pytest.param(date(2026, 1, 12), 1, id="away-only"),
        pytest.param(date(2026, 3, 10), 2, id="away-and-exempted"),
        # The exemption ended on 2026-04-30; the other is still away.
        pytest.param(date(2026, 5, 4), 1, id="exemption-over"),
    ],
)
def test_members_are_excused_from_the_denominator_only_while_away_or_exempted(
    world: World, held_on: date, excused: int
) -> None:
    _cell_with_an_exempted_member_and_one_away(world)
    ballot = world.app.cell_ballot(world.cell, held_on, 0, 0, 0)
    # 9 full members throughout; the probationers (ceremonies 2025-03-10 and 2025-06-02) are
    # probationary on every one of these dates.
    assert (ballot.on_roll, ballot.excused) == (9, excused)


@pytest.mark.parametrize(
    ("excused_voting", "votes_for", "votes_against", "refused_by"),
    [
        # Only 2 are excusable: 3 of them cannot have voted.
        pytest.param(3, 6, 3, "PRB-REVIEW", id="more-excused-voters-than-excusable"),
        # Denominator 7 but 6 + 2 = 8 votes cast.
        pytest.param(0, 6, 2, "PRB-REVIEW", id="more-votes-than-voters"),
    ],
)
def test_an_inconsistent_review_ballot_is_refused_and_writes_nothing(
    world: World, excused_voting: int, votes_for: int, votes_against: int, refused_by: str
) -> None:
    probationer, _, _ = _cell_with_an_exempted_member_and_one_away(world)
    file_recognition_papers(world.app, probationer, PROBATION_ENDS, world.members[world.cell][0])
    with writes_nothing(world.app), refused(refused_by):
        vote(
            world,
            probationer,
            Motion.recognize,
            PROBATION_ENDS,
            votes_for,
            votes_against,
            excused_voting,
        )


# --- PRB-DEADLOCK ------------------------------------------------------------------------------

FAILED_VOTES = (date(2026, 3, 10), date(2026, 3, 17), date(2026, 3, 24))
UPPER_DECISION = date(2026, 4, 7)


def _deadlock(world: World, failed: int = 3) -> UUID:
    probationer = admit_probationer(world)
    for held_on in FAILED_VOTES[:failed]:
        # 5 of 9: 5 × 3 = 15 < 2 × 9 = 18, short of 2/3.
        vote(world, probationer, Motion.recognize, held_on, 5, 4)
    return probationer


def test_three_failed_votes_deadlock_the_cell_and_a_fourth_vote_is_refused(world: World) -> None:
    probationer = _deadlock(world, failed=2)
    assert member(world, probationer).failed_votes == 2
    assert not member(world, probationer).deadlocked

    vote(world, probationer, Motion.recognize, FAILED_VOTES[2], 5, 4)

    assert member(world, probationer).failed_votes == 3
    assert member(world, probationer).deadlocked
    # From now on the upper committee decides; the cell's vote is no longer the way.
    with writes_nothing(world.app), refused("CASE-STAGE"):
        vote(world, probationer, Motion.recognize, date(2026, 3, 31), 9, 0)


def _decide(
    world: World,
    probationer: UUID,
    motion: Motion,
    decided_by: UUID,
    by_upper: bool,
    on: date = UPPER_DECISION,
) -> None:
    if motion is Motion.recognize:
        world.app.recognize(
            ctx(),
            probationer,
            decided_by=decided_by,
            on=on,
            by_upper_committee=by_upper,
        )
    else:
        world.app.strike_off(
            ctx(),
            probationer,
            decided_by=decided_by,
            reason="không đủ tư cách",
            on=on,
            by_upper_committee=by_upper,
        )


@pytest.mark.parametrize("motion", [Motion.recognize, Motion.strike_off])
@pytest.mark.parametrize(
    ("decider", "by_upper", "refused_by"),
    [
        # On 2026-04-07 the competent committee is the commune committee: after the deadlock
        # it decides on the deadlock, not on a cell resolution there is none of.
        pytest.param("commune", False, "PRB-DEADLOCK", id="competent-without-resolution"),
        # The committee that hears the deadlock is directly superior and competent: the
        # commune committee, not the grassroots committee below it nor the province above.
        pytest.param("commune", True, None, id="competent-decides-the-deadlock"),
        pytest.param("grassroots", True, "PRB-DEADLOCK", id="grassroots-posing-as-upper"),
        pytest.param("province", True, "PRB-DEADLOCK", id="province-above-the-competent"),
    ],
)
def test_after_a_deadlock_the_directly_superior_competent_committee_decides(
    world: World, motion: Motion, decider: str, by_upper: bool, refused_by: str | None
) -> None:
    probationer = _deadlock(world)
    decided_by = getattr(world, decider)
    if refused_by is not None:
        with writes_nothing(world.app), refused(refused_by):
            _decide(world, probationer, motion, decided_by, by_upper)
        return

    _decide(world, probationer, motion, decided_by, by_upper)

    decided = member(world, probationer)
    if motion is Motion.recognize:
        # PRB-EFFECTIVE holds for the upper committee too: 2026-03-10.
        assert decided.full_from == PROBATION_ENDS
        assert decided.status is Status.full
    else:
        assert decided.struck_off_on == UPPER_DECISION
        assert decided.status is Status.struck_off


@pytest.mark.parametrize("motion", [Motion.recognize, Motion.strike_off])
def test_no_committee_decides_on_a_deadlock_before_three_failed_votes(
    world: World, motion: Motion
) -> None:
    probationer = _deadlock(world, failed=2)
    with writes_nothing(world.app), refused("PRB-DEADLOCK"):
        _decide(world, probationer, motion, world.commune, True)


@pytest.mark.parametrize(
    ("resolved", "motion", "refused_by"),
    [
        # No vote at all: nothing to decide on.
        pytest.param(None, Motion.recognize, "PRB-REVIEW", id="recognize-without-vote"),
        pytest.param(None, Motion.strike_off, "PRB-REVIEW", id="strike-off-without-vote"),
        # The cell resolved to strike off: recognition is not what it proposed.
        pytest.param(
            Motion.strike_off, Motion.recognize, "PRB-REVIEW", id="recognize-after-strike-vote"
        ),
        pytest.param(
            Motion.recognize, Motion.strike_off, "PRB-REVIEW", id="strike-off-after-recognize-vote"
        ),
        pytest.param(Motion.recognize, Motion.recognize, None, id="recognize-as-resolved"),
        pytest.param(Motion.strike_off, Motion.strike_off, None, id="strike-off-as-resolved"),
    ],
)
def test_the_competent_committee_decides_only_what_the_cell_resolved(
    world: World, resolved: Motion | None, motion: Motion, refused_by: str | None
) -> None:
    probationer = admit_probationer(world)
    if resolved is not None:
        vote(world, probationer, resolved, PROBATION_ENDS, 6, 3)  # 18 ≥ 18: passes
    if refused_by is None:
        _decide(world, probationer, motion, world.commune, False)
        return
    with writes_nothing(world.app), refused(refused_by):
        _decide(world, probationer, motion, world.commune, False)


@pytest.mark.parametrize("motion", [Motion.recognize, Motion.strike_off])
@pytest.mark.parametrize(
    ("joined_on", "decided_on", "decider", "refused_by"),
    [
        # Ceremony 2024-03-11 → probation ends 2025-03-11; decided 2025-04-01, before the
        # district tier was abolished: the district committee is competent.
        pytest.param(date(2024, 3, 11), date(2025, 4, 1), "district", None, id="2025-district"),
        pytest.param(
            date(2024, 3, 11), date(2025, 4, 1), "commune", "PRB-DECIDE", id="2025-commune"
        ),
        # The same probationer decided on 2025-07-01: the commune committee now.
        pytest.param(
            date(2024, 3, 11), date(2025, 7, 1), "district", "PRB-DECIDE", id="2025-07-district"
        ),
        pytest.param(date(2024, 3, 11), date(2025, 7, 1), "commune", None, id="2025-07-commune"),
        # 2026: neither the grassroots committee (not authorised to admit), nor the province,
        # nor the cell.
        pytest.param(JOINED, date(2026, 3, 20), "commune", None, id="2026-commune"),
        pytest.param(JOINED, date(2026, 3, 20), "grassroots", "PRB-DECIDE", id="2026-grassroots"),
        pytest.param(JOINED, date(2026, 3, 20), "province", "PRB-DECIDE", id="2026-province"),
        pytest.param(JOINED, date(2026, 3, 20), "cell", "PRB-DECIDE", id="2026-cell"),
    ],
)
def test_recognition_or_striking_off_is_decided_by_the_committee_competent_on_that_day(
    world: World,
    motion: Motion,
    joined_on: date,
    decided_on: date,
    decider: str,
    refused_by: str | None,
) -> None:
    """PRB-DECIDE: the competent committee decides on full membership; §3: an unfit
    probationer is struck off by the same authority (PRB-DEADLOCK names both motions)."""
    probationer = admit_probationer(
        world, joined_on=joined_on, decided_on=joined_on - timedelta(days=14)
    )
    # Probation ends 12 months after the ceremony; the cell votes on that very day, 6 of 9.
    ends = date(joined_on.year + 1, joined_on.month, joined_on.day)
    vote(world, probationer, motion, ends, 6, 3)
    decided_by = getattr(world, decider)
    if refused_by is not None:
        with writes_nothing(world.app), refused(refused_by):
            _decide(world, probationer, motion, decided_by, False, on=decided_on)
        return

    _decide(world, probationer, motion, decided_by, False, on=decided_on)

    decided = member(world, probationer)
    if motion is Motion.recognize:
        assert decided.full_from == ends
    else:
        assert decided.struck_off_on == decided_on


# --- Striking off, READMIT ----------------------------------------------------------------------

STRUCK_OFF = date(2025, 9, 22)


@pytest.mark.parametrize(
    ("opened_on", "refused_by"),
    [
        # 2025-09-22 + 36 months = 2028-09-22: the day before is too early.
        pytest.param(date(2028, 9, 21), "READMIT", id="36-months-less-a-day"),
        pytest.param(date(2026, 1, 5), "READMIT", id="a-few-months-later"),
        pytest.param(date(2028, 9, 22), None, id="36-months"),
    ],
)
def test_a_struck_off_probationer_leaves_the_roll_and_waits_36_months_to_apply_again(
    world: World, opened_on: date, refused_by: str | None
) -> None:
    app = world.app
    probationer = admit_probationer(world)
    # The cell votes on Monday 2025-09-15 to strike off: 6 of 9, 18 ≥ 18.
    vote(world, probationer, Motion.strike_off, date(2025, 9, 15), 6, 3)
    app.strike_off(
        ctx(), probationer, decided_by=world.commune, reason="vi phạm tư cách", on=STRUCK_OFF
    )

    struck = member(world, probationer)
    assert struck.status is Status.struck_off
    assert struck.status_on(date(2025, 9, 21)) is Status.probationary
    assert struck.status_on(STRUCK_OFF) is Status.struck_off
    cell = org(world, world.cell)
    assert probationer in cell.members_on(date(2025, 9, 21))
    assert probationer not in cell.members_on(STRUCK_OFF)
    # 9 full members remain: the roll is back to its size before the probationer joined.
    assert len(cell.members_on(STRUCK_OFF)) == 9
    person = app.load(Person, struck.person_id)
    assert person.left_party_on == STRUCK_OFF

    case_id = uuid4()

    def open_case() -> UUID:
        return app.open_case(
            ctx(), case_id=case_id, person_id=struck.person_id, cell_id=world.cell, on=opened_on
        )

    if refused_by is None:
        assert open_case() == case_id
        assert app.load(Person, struck.person_id).open_case_id == case_id
        return
    with writes_nothing(app), refused(refused_by):
        open_case()


# --- PRB-DISCIPLINE -----------------------------------------------------------------------------


def _discipline(world: World, member_id: UUID, penalty: str, on: date) -> None:
    world.app.member_step(
        ctx(), member_id, on, lambda m, s: m.discipline(penalty, "vi phạm quy định", s)
    )


@pytest.mark.parametrize(
    ("probationer", "penalty", "refused_by"),
    [
        pytest.param(True, "reprimand", None, id="probationer-reprimand"),
        pytest.param(True, "warning", None, id="probationer-warning"),
        pytest.param(True, "dismissal", "PRB-DISCIPLINE", id="probationer-dismissal"),
        pytest.param(True, "expulsion", "PRB-DISCIPLINE", id="probationer-expulsion"),
        # The limit is the probationer's: a full member's discipline is not limited here.
        pytest.param(False, "dismissal", None, id="full-member-dismissal"),
    ],
)
def test_a_probationer_may_only_be_reprimanded_or_warned(
    world: World, probationer: bool, penalty: str, refused_by: str | None
) -> None:
    target = admit_probationer(world) if probationer else world.members[world.cell][0]
    on = date(2025, 10, 6)
    if refused_by is None:
        _discipline(world, target, penalty, on)
        assert member(world, target).penalties == [(on, penalty)]
        return
    with writes_nothing(world.app), refused(refused_by):
        _discipline(world, target, penalty, on)


def test_a_penalty_dated_during_probation_is_limited_even_when_recorded_after_recognition(
    world: World,
) -> None:
    """§0: an act is judged as of the day it happened. A dismissal decided on 2025-10-06, while
    the member was a probationer (full only from 2026-03-10), stays out of bounds when it is
    recorded after the recognition."""
    probationer = admit_probationer(world)
    vote(world, probationer, Motion.recognize, PROBATION_ENDS, 6, 3)
    world.app.recognize(ctx(), probationer, decided_by=world.commune, on=date(2026, 3, 20))
    assert member(world, probationer).status_on(date(2025, 10, 6)) is Status.probationary

    with writes_nothing(world.app), refused("PRB-DISCIPLINE"):
        _discipline(world, probationer, "dismissal", date(2025, 10, 6))


# --- TRF-HOLD -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hold", list(HoldKind))
def test_no_official_transfer_while_a_hold_is_in_place_and_it_is_allowed_once_released(
    world: World, hold: HoldKind
) -> None:
    app = world.app
    target = world.members[world.cell][0]
    app.place_hold(ctx(), target, hold, date(2026, 1, 5))

    with writes_nothing(app), refused("TRF-HOLD") as refusal:
        start(
            world,
            target,
            TransferKind.official,
            TransferReason.new_job,
            world.far_cell,
            date(2026, 1, 12),
        )
    assert refusal.value.details["holds"] == [hold]

    # §4: a member in that state may still get a temporary transfer.
    temporary = start(
        world,
        target,
        TransferKind.temporary,
        TransferReason.work_away,
        world.far_cell,
        date(2026, 1, 12),
        returns_on=date(2026, 7, 12),
    )
    app.cancel_transfer(ctx(), temporary, "đổi kế hoạch", date(2026, 1, 13))

    app.release_hold(ctx(), target, hold, date(2026, 1, 20))
    official = start(
        world,
        target,
        TransferKind.official,
        TransferReason.new_job,
        world.far_cell,
        date(2026, 1, 21),
    )
    assert app.load(Transfer, official).stage is TransferStage.in_transit


# --- TRF-START: what makes a transfer official, and when it may start ---------------------------


@pytest.mark.parametrize(
    ("reason", "trigger_on", "refused_by"),
    [
        # §4: a new job, retirement, demobilisation or a change of permanent residence ...
        pytest.param(TransferReason.new_job, date(2026, 1, 12), None, id="new-job"),
        pytest.param(TransferReason.residence_change, date(2026, 1, 5), None, id="moved-before"),
        # ... not work away or study (temporary), nor "other".
        pytest.param(TransferReason.work_away, date(2026, 1, 12), "TRF-START", id="work-away"),
        pytest.param(TransferReason.other, date(2026, 1, 12), "TRF-START", id="other"),
        # The clock starts when the decision takes effect: not before it.
        pytest.param(TransferReason.retirement, date(2026, 1, 13), "TRF-START", id="before"),
    ],
)
def test_an_official_transfer_follows_its_trigger(
    world: World, reason: TransferReason, trigger_on: date, refused_by: str | None
) -> None:
    target = world.members[world.cell][0]

    def go() -> UUID:
        transfer_id = uuid4()
        world.app.start_transfer(
            ctx(),
            transfer_id=transfer_id,
            member_id=target,
            kind=TransferKind.official,
            reason=reason,
            destination_org_id=world.far_cell,
            trigger_on=trigger_on,
            on=date(2026, 1, 12),
        )
        return transfer_id

    if refused_by is None:
        assert world.app.load(Transfer, go()).trigger_on == trigger_on
        return
    with writes_nothing(world.app), refused(refused_by):
        go()


@pytest.mark.parametrize(
    ("hold", "destination", "refused_by"),
    [
        # §4: under a hold, a retiring member gets the temporary transfer to the residence ...
        pytest.param(True, "hamlet", None, id="under-a-hold-to-the-residence"),
        # ... to the hamlet or residential-group cell only ...
        pytest.param(True, "far_cell", "TRF-HOLD", id="under-a-hold-elsewhere"),
        # ... and without a hold retirement is an official transfer.
        pytest.param(False, "hamlet", "TRF-TEMP", id="no-hold"),
    ],
)
def test_a_member_retiring_under_a_hold_transfers_temporarily_to_the_residence(
    world: World, hold: bool, destination: str, refused_by: str | None
) -> None:
    app = world.app
    target = world.members[world.cell][0]
    hamlet = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Bắc",
        parent_id=world.other_grassroots,
        established_on=date(2020, 1, 6),
        setting=CellSetting.hamlet,
    )
    if hold:
        app.place_hold(ctx(), target, HoldKind.inspection, date(2026, 1, 5))
    to = hamlet if destination == "hamlet" else getattr(world, destination)

    def go() -> UUID:  # open-ended: no return date
        return start(world, target, TransferKind.temporary, TransferReason.retirement, to, RETIRED)

    if refused_by is not None:
        with writes_nothing(app), refused(refused_by):
            go()
        return
    transfer_id = go()
    forward_along(
        app, transfer_id, [world.cell, world.grassroots, world.other_grassroots, to], RETIRED
    )
    app.present_letter(ctx(), transfer_id, date(2026, 1, 20))
    app.accept_transfer(ctx(), transfer_id, date(2026, 1, 20))
    transfer = app.load(Transfer, transfer_id)
    assert (transfer.stage, transfer.returns_on) == (TransferStage.active, None)
    # Still on the home roll, a guest of the residence cell, while the hold lasts.
    assert target in org(world, world.cell).members_on(date(2026, 6, 1))
    assert member(world, target).away_transfer_id == transfer_id


RETIRED = date(2026, 1, 12)


# --- TRF-TEMP -----------------------------------------------------------------------------------

LEAVES = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("reason", "returns_on", "refused_by"),
    [
        # 2026-01-05 → 2026-04-04 is 2 whole months: under 3.
        pytest.param(TransferReason.work_away, date(2026, 4, 4), "TRF-TEMP", id="2-months"),
        pytest.param(TransferReason.work_away, date(2026, 4, 5), None, id="3-months"),
        # 11 months 30 days: still under a year.
        pytest.param(TransferReason.work_away, date(2027, 1, 4), None, id="under-a-year"),
        # A full year is not "under one year".
        pytest.param(TransferReason.work_away, date(2027, 1, 5), "TRF-TEMP", id="a-full-year"),
        # Full-time domestic study: up to 2 years, inclusive.
        pytest.param(TransferReason.study, date(2028, 1, 5), None, id="study-2-years"),
        pytest.param(TransferReason.study, date(2028, 1, 6), "TRF-TEMP", id="study-2-years-1d"),
        pytest.param(TransferReason.study, date(2026, 4, 4), "TRF-TEMP", id="study-2-months"),
        # Returning before leaving, or no return date at all.
        pytest.param(TransferReason.work_away, date(2025, 12, 1), "TRF-TEMP", id="back-first"),
        pytest.param(TransferReason.work_away, None, "TRF-TEMP", id="no-return-date"),
    ],
)
def test_a_temporary_transfer_is_for_3_months_to_under_a_year_or_up_to_2_years_of_study(
    world: World, reason: TransferReason, returns_on: date | None, refused_by: str | None
) -> None:
    target = world.members[world.cell][0]

    def go() -> UUID:
        return start(
            world,
            target,
            TransferKind.temporary,
            reason,
            world.far_cell,
            LEAVES,
            returns_on=returns_on,
        )

    if refused_by is None:
        assert world.app.load(Transfer, go()).returns_on == returns_on
        return
    with writes_nothing(world.app), refused(refused_by):
        go()


# --- TRF-KIND -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason", "destination", "refused_by"),
    [
        # world.far_cell is under the other grassroots organization.
        pytest.param(
            TransferKind.internal,
            TransferReason.reorganisation,
            "far_cell",
            "TRF-KIND",
            id="internal-to-other-grassroots",
        ),
        # world.other_cell is under the same grassroots organization as world.cell.
        pytest.param(
            TransferKind.official,
            TransferReason.new_job,
            "other_cell",
            "TRF-KIND",
            id="official-within-grassroots",
        ),
        pytest.param(
            TransferKind.internal,
            TransferReason.reorganisation,
            "other_cell",
            None,
            id="internal-within-grassroots",
        ),
        pytest.param(
            TransferKind.official,
            TransferReason.new_job,
            "far_cell",
            None,
            id="official-to-other-grassroots",
        ),
    ],
)
def test_an_internal_transfer_stays_inside_the_grassroots_and_an_official_one_leaves_it(
    world: World,
    kind: TransferKind,
    reason: TransferReason,
    destination: str,
    refused_by: str | None,
) -> None:
    target = world.members[world.cell][0]

    def go() -> UUID:
        return start(world, target, kind, reason, getattr(world, destination), date(2026, 2, 2))

    if refused_by is None:
        assert world.app.load(Transfer, go()).kind is kind
        return
    with writes_nothing(world.app), refused(refused_by):
        go()


# --- The letter's hops, TRF-PRESENT -------------------------------------------------------------


def test_each_hop_of_the_letter_starts_where_the_last_one_ended(world: World) -> None:
    app = world.app
    on = date(2026, 2, 2)
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.official,
        TransferReason.new_job,
        world.far_cell,
        on,
    )

    def hop(here: UUID, there: UUID) -> None:
        app.forward_letter(ctx(), transfer, Hop(here, there, "GGT", on))

    # The first hop leaves the sending cell, not its grassroots committee.
    with writes_nothing(app), refused("TRF-KIND"):
        hop(world.grassroots, world.commune)
    hop(world.cell, world.grassroots)
    # The letter is at the grassroots committee now, no longer at the cell.
    with writes_nothing(app), refused("TRF-KIND"):
        hop(world.cell, world.grassroots)
    with writes_nothing(app), refused("TRF-KIND"):
        hop(world.commune, world.other_grassroots)
    hop(world.grassroots, world.commune)
    hop(world.commune, world.other_grassroots)
    # Up to here the letter is addressed to committees only: TRF-PRESENT has not started.
    assert app.load(Transfer, transfer).present_due is None
    assert app.load(Transfer, transfer).stage is TransferStage.in_transit
    hop(world.other_grassroots, world.far_cell)

    letter = app.load(Transfer, transfer)
    assert [(h.from_org_id, h.to_org_id) for h in letter.hops] == list(pairwise(up_and_down(world)))
    assert letter.stage is TransferStage.letter_issued
    assert letter.to_cell_id == world.far_cell
    # The letter is with the member: no further hop.
    with writes_nothing(app), refused("CASE-STAGE"):
        hop(world.far_cell, world.other_grassroots)


@pytest.mark.parametrize(
    ("letter_on", "due", "presented_on", "overdue_wd"),
    [
        # Friday 2026-06-05 + 30 WD, no holiday in June-July 2026: Jun 8-12 (5), 15-19 (10),
        # 22-26 (15), Jun 29-Jul 3 (20), Jul 6-10 (25), Jul 13-17 (30) → Friday 2026-07-17.
        pytest.param(date(2026, 6, 5), date(2026, 7, 17), date(2026, 6, 8), 0, id="early"),
        pytest.param(date(2026, 6, 5), date(2026, 7, 17), date(2026, 7, 17), 0, id="due-day"),
        # Saturday after the due day: no working day has passed.
        pytest.param(date(2026, 6, 5), date(2026, 7, 17), date(2026, 7, 18), 0, id="saturday"),
        pytest.param(date(2026, 6, 5), date(2026, 7, 17), date(2026, 7, 20), 1, id="monday-1wd"),
        # Jul 20-24 (5) + Jul 27-31 (5).
        pytest.param(date(2026, 6, 5), date(2026, 7, 17), date(2026, 7, 31), 10, id="10wd-late"),
        # Monday 2026-04-20 + 30 WD across the holidays: Apr 21-24 (4); Apr 27 off (Hùng Kings,
        # observed), Apr 28-29 (6); Apr 30 and May 1 off; May 4-8 (11), 11-15 (16), 18-22 (21),
        # 25-29 (26), Jun 1-4 (30) → Thursday 2026-06-04; presented Friday: 1 WD late.
        pytest.param(date(2026, 4, 20), date(2026, 6, 4), date(2026, 6, 5), 1, id="holidays"),
    ],
)
def test_the_member_presents_the_letter_within_30_working_days_and_lateness_is_recorded(
    world: World, letter_on: date, due: date, presented_on: date, overdue_wd: int
) -> None:
    app = world.app
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.official,
        TransferReason.new_job,
        world.far_cell,
        letter_on,
    )
    forward_along(app, transfer, up_and_down(world), letter_on)
    assert app.load(Transfer, transfer).present_due == due

    app.present_letter(ctx(), transfer, presented_on)

    assert app.load(Transfer, transfer).stage is TransferStage.presented
    assert event_facts(app, transfer, "Transfer.LetterPresented") == [{"overdue_wd": overdue_wd}]


@pytest.mark.parametrize(
    ("kind", "reason", "destination", "path", "refused_by"),
    [
        # An internal transfer to world.other_cell must not end in world.far_cell, a cell of
        # the other grassroots organization (TRF-KIND would be bypassed by the letter).
        pytest.param(
            TransferKind.internal,
            TransferReason.reorganisation,
            "other_cell",
            ("cell", "grassroots", "commune", "other_grassroots", "far_cell"),
            "TRF-KIND",
            id="internal-letter-to-other-grassroots",
        ),
        # An official transfer to world.far_cell must not end in world.other_cell, a cell of
        # the sending grassroots organization.
        pytest.param(
            TransferKind.official,
            TransferReason.new_job,
            "far_cell",
            ("cell", "grassroots", "other_cell"),
            "TRF-KIND",
            id="official-letter-back-home",
        ),
        pytest.param(
            TransferKind.internal,
            TransferReason.reorganisation,
            "other_cell",
            ("cell", "grassroots", "other_cell"),
            None,
            id="internal-as-started",
        ),
        # Addressed to the receiving grassroots committee: any of its cells may receive.
        pytest.param(
            TransferKind.official,
            TransferReason.new_job,
            "other_grassroots",
            ("cell", "grassroots", "commune", "other_grassroots", "far_cell"),
            None,
            id="official-to-a-cell-under-the-destination",
        ),
    ],
)
def test_the_letter_is_addressed_to_a_cell_within_the_destination_the_transfer_started_for(
    world: World,
    kind: TransferKind,
    reason: TransferReason,
    destination: str,
    path: tuple[str, ...],
    refused_by: str | None,
) -> None:
    app = world.app
    on = date(2026, 2, 2)
    transfer = start(
        world, world.members[world.cell][0], kind, reason, getattr(world, destination), on
    )
    cells = [getattr(world, p) for p in path]
    forward_along(app, transfer, cells[:-1], on)
    last = Hop(cells[-2], cells[-1], "GGT", on)
    if refused_by is None:
        app.forward_letter(ctx(), transfer, last)
        assert app.load(Transfer, transfer).to_cell_id == cells[-1]
        return
    with writes_nothing(app), refused(refused_by):
        app.forward_letter(ctx(), transfer, last)


def _letter_issued(world: World, on: date) -> UUID:
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.internal,
        TransferReason.reorganisation,
        world.other_cell,
        on,
    )
    forward_along(world.app, transfer, [world.cell, world.grassroots, world.other_cell], on)
    return transfer


def test_a_transfer_step_cannot_be_dated_before_the_step_it_follows(world: World) -> None:
    """Rolls are read by date (nobody lost, nobody counted twice): a letter presented before it
    was written, or a transfer accepted before the letter was presented, would take the member
    off the old roll before the transfer even began."""
    app = world.app
    started = date(2026, 2, 2)

    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.internal,
        TransferReason.reorganisation,
        world.other_cell,
        started,
    )
    # A hop dated three days before the transfer started.
    with writes_nothing(app), pytest.raises(RuleViolation):
        app.forward_letter(
            ctx(), transfer, Hop(world.cell, world.grassroots, "GGT", date(2026, 1, 30))
        )
    app.cancel_transfer(ctx(), transfer, "nhập sai", started)

    transfer = _letter_issued(world, started)
    # Presented on 2026-01-30, before the letter of 2026-02-02 existed.
    with writes_nothing(app), pytest.raises(RuleViolation):
        app.present_letter(ctx(), transfer, date(2026, 1, 30))

    app.present_letter(ctx(), transfer, date(2026, 2, 9))
    # Accepted on 2025-12-01, before the presentation (and before the transfer started).
    with writes_nothing(app), pytest.raises(RuleViolation):
        app.accept_transfer(ctx(), transfer, date(2025, 12, 1))


# --- Accepting a transfer moves the member ------------------------------------------------------

MOVE_ACCEPTED = date(2026, 2, 10)


@pytest.mark.parametrize(
    ("kind", "reason", "path", "destination", "counts_after"),
    [
        # world.cell 9 → 8, world.other_cell 4 → 5; the others unchanged; 19 in all.
        pytest.param(
            TransferKind.internal,
            TransferReason.reorganisation,
            ("cell", "grassroots", "other_cell"),
            "other_cell",
            (8, 5, 3, 3),
            id="internal",
        ),
        # world.cell 9 → 8, world.far_cell 3 → 4; 19 in all.
        pytest.param(
            TransferKind.official,
            TransferReason.new_job,
            ("cell", "grassroots", "commune", "other_grassroots", "far_cell"),
            "far_cell",
            (8, 4, 3, 4),
            id="official",
        ),
    ],
)
def test_an_accepted_transfer_moves_the_member_from_one_roll_to_the_other(
    world: World,
    kind: TransferKind,
    reason: TransferReason,
    path: tuple[str, ...],
    destination: str,
    counts_after: tuple[int, int, int, int],
) -> None:
    app = world.app
    mover = world.members[world.cell][0]
    to_cell = getattr(world, destination)
    transfer = complete_transfer(
        world,
        mover,
        kind,
        reason,
        [getattr(world, p) for p in path],
        start_on=date(2026, 2, 2),
        accept_on=MOVE_ACCEPTED,
    )

    cells = (world.cell, world.other_cell, world.residence_cell, world.far_cell)
    day_before = date(2026, 2, 9)
    assert tuple(len(org(world, c).members_on(day_before)) for c in cells) == (9, 4, 3, 3)
    assert tuple(len(org(world, c).members_on(MOVE_ACCEPTED)) for c in cells) == counts_after
    assert sum(counts_after) == 19
    assert rolls_holding(world, mover, day_before) == [world.cell]
    assert rolls_holding(world, mover, MOVE_ACCEPTED) == [to_cell]
    moved = member(world, mover)
    assert moved.cell_id == to_cell
    assert app.load(Transfer, transfer).stage is TransferStage.completed
    assert event_facts(app, mover, "Member.CellChanged") == [
        {"cell_id": to_cell, "transfer_id": transfer}
    ]
    # Nobody else moved: every member of the world is on exactly one roll.
    for people in world.members.values():
        for someone in people:
            assert len(rolls_holding(world, someone, MOVE_ACCEPTED)) == 1


def test_a_probationer_is_not_transferred_under_the_other_reading_of_probation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """That a probationer may be transferred is inferred (I): a setting, on by default."""
    set_rules(monkeypatch, probationers_may_transfer=False)
    probationer = admit_probationer(world)
    with writes_nothing(world.app), refused("PRB-LENGTH"):
        start(
            world,
            probationer,
            TransferKind.official,
            TransferReason.new_job,
            world.far_cell,
            date(2025, 8, 4),
        )
    # A full member still is.
    start(
        world,
        world.members[world.cell][0],
        TransferKind.official,
        TransferReason.new_job,
        world.far_cell,
        date(2025, 8, 4),
    )


def test_a_probationer_transferred_keeps_the_12_months_and_is_reviewed_by_the_new_cell(
    world: World,
) -> None:
    app = world.app
    probationer = admit_probationer(world)
    complete_transfer(
        world,
        probationer,
        TransferKind.official,
        TransferReason.new_job,
        up_and_down(world),
        start_on=date(2025, 8, 4),
        accept_on=date(2025, 8, 12),
    )

    moved = member(world, probationer)
    assert moved.cell_id == world.far_cell
    # The transfer changes nothing of the clock: still 2025-03-10 + 12 months.
    assert moved.probation_ends == PROBATION_ENDS
    assert moved.ceremony_on == JOINED
    assert moved.status_on(date(2025, 8, 12)) is Status.probationary

    # world.far_cell: 3 full members (the probationer does not count): 2 × 3 = 6 ≥ 2 × 3.
    voted = vote(world, probationer, Motion.recognize, PROBATION_ENDS, 2, 1)
    _, ballot, passed = voted.review_ballots[-1]
    assert (ballot.on_roll, ballot.excused, passed) == (3, 0, True)
    # world.far_cell's grassroots sits under the commune committee from 2025-07-01.
    app.recognize(ctx(), probationer, decided_by=world.commune, on=date(2026, 3, 16))
    assert member(world, probationer).full_from == PROBATION_ENDS


# --- Temporary transfers ------------------------------------------------------------------------


def test_a_temporary_transfer_keeps_the_member_on_the_home_roll_as_a_guest_of_the_host(
    world: World,
) -> None:
    app = world.app
    away = world.members[world.cell][0]
    accepted, returned = date(2026, 1, 12), date(2026, 7, 6)
    transfer = complete_transfer(
        world,
        away,
        TransferKind.temporary,
        TransferReason.work_away,
        up_and_down(world),
        start_on=date(2026, 1, 5),
        accept_on=accepted,
        returns_on=date(2026, 7, 5),
    )

    home, host = org(world, world.cell), org(world, world.far_cell)
    assert away in home.members_on(accepted)
    assert len(home.members_on(accepted)) == 9  # nobody left the home roll
    assert away not in host.members_on(accepted)
    assert len(host.members_on(accepted)) == 3  # the guest is not counted in the host
    assert host.guests_on(accepted) == {away}
    assert member(world, away).cell_id == world.cell
    assert member(world, away).away_transfer_id == transfer
    assert app.load(Transfer, transfer).stage is TransferStage.active

    # Home cell: 9 full, 1 away → denominator 8 unless they come and vote.
    during = date(2026, 3, 10)
    assert app.cell_ballot(world.cell, during, 0, 0, 0).denominator == 8
    assert app.cell_ballot(world.cell, during, 0, 0, 1).denominator == 9
    # Host: only its own 3 full members count.
    assert app.cell_ballot(world.far_cell, during, 0, 0, 0).denominator == 3
    # While away, no second transfer can start.
    with writes_nothing(app), refused("CASE-STAGE"):
        start(
            world,
            away,
            TransferKind.internal,
            TransferReason.reorganisation,
            world.other_cell,
            during,
        )

    app.end_temporary_transfer(ctx(), transfer, returned)

    host = org(world, world.far_cell)
    assert host.guests_on(date(2026, 7, 5)) == {away}
    assert host.guests_on(returned) == set()
    assert member(world, away).away_transfer_id is None
    assert not member(world, away).is_away_on(returned)
    assert app.cell_ballot(world.cell, returned, 0, 0, 0).denominator == 9
    assert app.load(Transfer, transfer).stage is TransferStage.completed
    assert len(org(world, world.cell).members_on(returned)) == 9


# --- The portal's reference number --------------------------------------------------------------


@pytest.mark.parametrize(
    ("at_start", "recorded_later", "expected", "portal_events"),
    [
        pytest.param("DVC-2026-000123", None, "DVC-2026-000123", 0, id="filed-online"),
        pytest.param(None, "DVC-2026-000124", "DVC-2026-000124", 1, id="recorded-later"),
        # Recording the number it already has records nothing.
        pytest.param("DVC-2026-000123", "DVC-2026-000123", "DVC-2026-000123", 0, id="same"),
        pytest.param("DVC-2026-000123", "DVC-2026-000999", "DVC-2026-000999", 1, id="corrected"),
    ],
)
def test_a_transfer_filed_on_the_national_portal_records_its_reference_number(
    world: World,
    at_start: str | None,
    recorded_later: str | None,
    expected: str,
    portal_events: int,
) -> None:
    app = world.app
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.official,
        TransferReason.residence_change,
        world.far_cell,
        date(2026, 2, 2),
        portal_reference=at_start,
    )
    if recorded_later is not None:
        app.record_portal_reference(ctx(), transfer, recorded_later, date(2026, 2, 3))

    assert app.load(Transfer, transfer).portal_reference == expected
    assert len(event_facts(app, transfer, "Transfer.PortalReferenced")) == portal_events
    started = event_facts(app, transfer, "Transfer.Started")
    assert started[0]["portal_reference"] == at_start


# --- Residence contact (213-QĐ/TW) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "refused_by"),
    [
        pytest.param(CellSetting.hamlet, None, id="hamlet"),
        pytest.param(CellSetting.residential_group, None, id="residential-group"),
        *(
            pytest.param(s, "ORG-TREE", id=str(s))
            for s in CellSetting
            if s not in (CellSetting.hamlet, CellSetting.residential_group)
        ),
    ],
)
def test_a_working_member_links_only_to_a_hamlet_or_residential_group_cell(
    world: World, setting: CellSetting, refused_by: str | None
) -> None:
    app = world.app
    residence = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=f"Chi bộ {setting}",
        parent_id=world.grassroots,
        established_on=date(2025, 8, 1),
        setting=setting,
    )
    worker = world.members[world.other_cell][0]  # a commune-agency cell member

    def link() -> None:
        app.link_residence(ctx(), worker, residence, date(2025, 9, 1))

    if refused_by is None:
        link()
        assert member(world, worker).residence_cell_id == residence
        return
    with writes_nothing(app), refused(refused_by):
        link()


def test_the_residence_cell_comments_yearly_without_counting_the_member(world: World) -> None:
    app = world.app
    worker = world.members[world.other_cell][0]

    # No link yet: no comment.
    with writes_nothing(app), refused("ORG-TREE"):
        app.record_residence_comment(ctx(), worker, 2025, True, date(2025, 12, 15))
    # The member's own cell is not a residence link.
    own = world.members[world.cell][0]
    with writes_nothing(app), refused("ORG-TREE"):
        app.link_residence(ctx(), own, world.cell, date(2025, 9, 1))

    app.link_residence(ctx(), worker, world.residence_cell, date(2025, 9, 1))
    app.record_residence_comment(ctx(), worker, 2025, True, date(2025, 12, 15))
    app.record_residence_comment(ctx(), worker, 2026, False, date(2026, 12, 14))

    linked = member(world, worker)
    assert linked.residence_comments == {2025: date(2025, 12, 15), 2026: date(2026, 12, 14)}
    assert event_facts(app, worker, "Member.ResidenceCommented") == [
        {"year": 2025, "favourable": True},
        {"year": 2026, "favourable": False},
    ]
    # §5: not counted in the residence cell, and no vote there (3 full members, 0 excused).
    residence = org(world, world.residence_cell)
    assert worker not in residence.members_on(date(2025, 12, 15))
    assert len(residence.members_on(date(2025, 12, 15))) == 3
    assert app.cell_ballot(world.residence_cell, date(2025, 12, 15), 0, 0, 0).on_roll == 3
    assert linked.cell_id == world.other_cell

    # Ending the link (None) stops the comments.
    app.link_residence(ctx(), worker, None, date(2027, 1, 4))
    with writes_nothing(app), refused("ORG-TREE"):
        app.record_residence_comment(ctx(), worker, 2027, True, date(2027, 12, 15))


# --- Idempotency --------------------------------------------------------------------------------

Command = Callable[[Context], object]


def _place_hold(world: World) -> Command:
    target = world.members[world.cell][0]
    return lambda c: world.app.place_hold(c, target, HoldKind.inspection, date(2026, 1, 5))


def _exempt(world: World) -> Command:
    target = world.members[world.cell][0]
    exemption = Exemption(date(2026, 2, 1), date(2026, 4, 30), "ốm dài ngày")
    return lambda c: world.app.exempt_member(c, target, exemption)


def _review_vote(world: World) -> Command:
    probationer = admit_probationer(world)
    file_recognition_papers(world.app, probationer, PROBATION_ENDS, world.members[world.cell][0])
    return lambda c: world.app.record_review_vote(
        c,
        probationer,
        motion=Motion.recognize,
        held_on=PROBATION_ENDS,
        votes_for=5,
        votes_against=4,
    )


def _recognize(world: World) -> Command:
    probationer = admit_probationer(world)
    vote(world, probationer, Motion.recognize, PROBATION_ENDS, 6, 3)
    return lambda c: world.app.recognize(
        c, probationer, decided_by=world.commune, on=date(2026, 3, 20)
    )


def _strike_off(world: World) -> Command:
    probationer = admit_probationer(world)
    vote(world, probationer, Motion.strike_off, date(2025, 9, 15), 6, 3)
    return lambda c: world.app.strike_off(
        c, probationer, decided_by=world.commune, reason="vi phạm", on=STRUCK_OFF
    )


def _register_member(world: World) -> Command:
    person = world.app.register_person(ctx(), person_data(), JOINED)
    return lambda c: world.app.register_member(
        c,
        person_id=person,
        cell_id=world.cell,
        joined_on=JOINED,
        decided_on=DECIDED,
        full_from=None,
    )


def _start_transfer(world: World) -> Command:
    transfer_id = uuid4()
    return lambda c: world.app.start_transfer(
        c,
        transfer_id=transfer_id,
        member_id=world.members[world.cell][0],
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=world.far_cell,
        trigger_on=date(2026, 2, 2),
        on=date(2026, 2, 2),
    )


def _forward_letter(world: World) -> Command:
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.official,
        TransferReason.new_job,
        world.far_cell,
        date(2026, 2, 2),
    )
    hop = Hop(world.cell, world.grassroots, "1-GGT", date(2026, 2, 2))
    return lambda c: world.app.forward_letter(c, transfer, hop)


def _accept_transfer(world: World) -> Command:
    transfer = start(
        world,
        world.members[world.cell][0],
        TransferKind.internal,
        TransferReason.reorganisation,
        world.other_cell,
        date(2026, 2, 2),
    )
    forward_along(world.app, transfer, [world.cell, world.other_cell], date(2026, 2, 2))
    world.app.present_letter(ctx(), transfer, date(2026, 2, 5))
    return lambda c: world.app.accept_transfer(c, transfer, date(2026, 2, 6))


def _end_temporary(world: World) -> Command:
    transfer = complete_transfer(
        world,
        world.members[world.cell][0],
        TransferKind.temporary,
        TransferReason.work_away,
        up_and_down(world),
        start_on=date(2026, 1, 5),
        accept_on=date(2026, 1, 12),
        returns_on=date(2026, 7, 5),
    )
    return lambda c: world.app.end_temporary_transfer(c, transfer, date(2026, 7, 6))


def _residence_comment(world: World) -> Command:
    worker = world.members[world.other_cell][0]
    world.app.link_residence(ctx(), worker, world.residence_cell, date(2025, 9, 1))
    return lambda c: world.app.record_residence_comment(c, worker, 2025, True, date(2025, 12, 15))


COMMANDS: dict[str, Callable[[World], Command]] = {
    "place_hold": _place_hold,
    "exempt_member": _exempt,
    "record_review_vote": _review_vote,
    "recognize": _recognize,
    "strike_off": _strike_off,
    "register_member": _register_member,
    "start_transfer": _start_transfer,
    "forward_letter": _forward_letter,
    "accept_transfer": _accept_transfer,
    "end_temporary_transfer": _end_temporary,
    "record_residence_comment": _residence_comment,
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_repeating_a_command_with_the_same_key_records_nothing_the_second_time(
    world: World, command: str
) -> None:
    app = world.app
    run = COMMANDS[command](world)
    key = ctx(Role.cell_secretary)

    before = app.recorder.max_notification_id()
    run(key)
    after_first = app.recorder.max_notification_id()
    assert after_first is not None
    assert before is not None
    assert after_first > before  # the first time something was recorded

    with writes_nothing(app):
        run(key)


@pytest.mark.parametrize(
    ("same_key", "ballots"),
    [
        # A retry of the same meeting's record: still one failed vote.
        pytest.param(True, 1, id="retry"),
        # A new command key is a new meeting: a second failed vote.
        pytest.param(False, 2, id="new-command"),
    ],
)
def test_a_retried_review_vote_is_counted_once_toward_the_deadlock(
    world: World, same_key: bool, ballots: int
) -> None:
    probationer = admit_probationer(world)
    file_recognition_papers(world.app, probationer, PROBATION_ENDS, world.members[world.cell][0])
    first = ctx(Role.cell_secretary)
    for key in (first, first if same_key else ctx(Role.cell_secretary)):
        # 5 of 9: 15 < 18, a failed vote.
        world.app.record_review_vote(
            key,
            probationer,
            motion=Motion.recognize,
            held_on=PROBATION_ENDS,
            votes_for=5,
            votes_against=4,
        )

    assert member(world, probationer).failed_votes == ballots
    assert len(member(world, probationer).review_ballots) == ballots


@pytest.mark.parametrize(
    ("decided", "joined", "full_from", "rule_id", "field"),
    [
        (date(1984, 12, 31), date(2010, 5, 19), None, "DATE-ORDER", "decided_on"),
        (date(2010, 5, 10), date(2010, 5, 1), None, "DATE-ORDER", "joined_on"),
        (date(2010, 5, 10), date(2010, 5, 19), date(2011, 5, 20), "PRB-EFFECTIVE", "full_from"),
    ],
)
def test_a_member_from_a_paper_dossier_has_dates_in_order_and_full_from_the_end_of_probation(
    world: World, decided: date, joined: date, full_from: date | None, rule_id: str, field: str
) -> None:
    app = world.app
    person = app.register_person(ctx(), person_data(birth_date=date(1985, 1, 1)), date(2010, 5, 1))
    with writes_nothing(app), refused(rule_id) as caught:
        app.register_member(
            ctx(),
            person_id=person,
            cell_id=world.cell,
            joined_on=joined,
            decided_on=decided,
            full_from=full_from,
        )
    assert caught.value.details["field"] == field
    member = app.register_member(
        ctx(),
        person_id=person,
        cell_id=world.cell,
        joined_on=date(2010, 5, 19),
        decided_on=date(2010, 5, 10),
        full_from=date(2011, 5, 19),
    )
    assert app.load(Member, member).full_from == date(2011, 5, 19)
