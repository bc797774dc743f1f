"""What a vote needs and what its numbers lead to, before it is recorded (domain/policy/
ballots.py, domain/services/ballots.py): the roll of the meeting day, those out of the count,
ORG-MIN, the 2/3, the outcome — and the same refusals as the vote, writing nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain import policy
from domain.member import Exemption, Member
from domain.policy import Outcome
from domain.values import Ballot, Motion
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx
from tests.unit.test_admission import open_case

DAY = date(2025, 12, 5)


def test_two_thirds_of_sixteen_is_eleven_votes_and_of_nine_six() -> None:
    assert policy.votes_needed(16, DAY) == 11
    assert policy.votes_needed(9, DAY) == 6
    assert policy.votes_needed(3, DAY) == 2
    assert policy.votes_needed(0, DAY) == 0


def test_eight_for_five_against_of_sixteen_ends_the_case_and_eleven_proposes() -> None:
    short = policy.cell_outlook("ADM-VOTE-CELL", DAY, 16, 0, 0, (8, 5))
    assert (short.on_roll, short.denominator, short.needed, short.quorum) == (16, 16, 11, 3)
    assert short.outcome is Outcome.case_ends and short.passes is False
    assert short.rules == ("ADM-VOTE-CELL", "ORG-MIN")
    enough = policy.cell_outlook("ADM-VOTE-CELL", DAY, 16, 0, 0, (11, 5))
    assert enough.outcome is Outcome.proposed and enough.passes is True


def test_members_away_or_exempted_leave_the_count_unless_they_come_to_vote() -> None:
    none_came = policy.cell_outlook("ADM-VOTE-CELL", DAY, 16, 4, 0)
    assert (none_came.denominator, none_came.needed) == (12, 8)
    two_came = policy.cell_outlook("ADM-VOTE-CELL", DAY, 16, 4, 2)
    assert (two_came.denominator, two_came.needed) == (14, 10)
    with refused("ADM-VOTE-CELL"):
        policy.cell_outlook("ADM-VOTE-CELL", DAY, 16, 4, 5)


def test_numbers_the_vote_would_refuse_are_refused_by_the_outlook_with_the_same_rule() -> None:
    with refused("ADM-VOTE-CELL"):
        policy.cell_outlook("ADM-VOTE-CELL", DAY, 9, 0, 0, (99, 0))
    with refused("ORG-MIN"):
        policy.cell_outlook("ADM-VOTE-CELL", DAY, 2, 0, 0, (2, 0))
    with refused("ADM-VOTE-COMMITTEE"):
        policy.committee_outlook(DAY, 9, (8, 4))


def test_a_short_review_vote_counts_toward_the_deadlock_and_the_third_sends_it_up() -> None:
    first = policy.cell_outlook("PRB-REVIEW", DAY, 9, 0, 0, (5, 4), failed_votes=0)
    assert first.outcome is Outcome.vote_failed and first.deadlock_after == 3
    assert first.rules == ("PRB-REVIEW", "ORG-MIN", "PRB-DEADLOCK")
    third = policy.cell_outlook("PRB-REVIEW", DAY, 9, 0, 0, (5, 4), failed_votes=2)
    assert third.outcome is Outcome.deadlock
    strike = policy.cell_outlook(
        "PRB-REVIEW", DAY, 9, 0, 0, (6, 3), motion=Motion.strike_off, failed_votes=0
    )
    assert strike.outcome is Outcome.strike_off_proposed


def test_a_committee_that_admits_itself_cannot_admit_on_a_short_vote_one_above_is_told() -> None:
    assert policy.committee_outlook(DAY, 9, (6, 3)).outcome is Outcome.committee_passed
    assert policy.committee_outlook(DAY, 9, (5, 4)).outcome is Outcome.reported_up
    own = policy.committee_outlook(DAY, 9, (5, 4), admits_itself=True)
    assert own.outcome is Outcome.own_resolution_fails


def test_the_case_s_outlook_counts_the_cell_s_roll_of_the_meeting_day(world: World) -> None:
    app = world.app
    case = open_case(world)
    member = world.members[world.cell][0]
    app.exempt_member(ctx(), member, Exemption(date(2025, 11, 1), date(2026, 3, 1), "ốm"))
    with writes_nothing(app):
        outlook = app.case_ballot(case.case_id, DAY, (5, 3))
    assert (outlook.on_roll, outlook.excusable, outlook.denominator) == (9, 1, 8)
    assert (outlook.needed, outlook.outcome) == (6, Outcome.case_ends)
    before = app.case_ballot(case.case_id, date(2025, 10, 1))  # before the exemption
    assert (before.excusable, before.denominator, before.needed) == (0, 9, 6)
    committee = app.committee_ballot(case.case_id, DAY, 9, (5, 4))
    assert committee.outcome is Outcome.reported_up  # the grassroots committee does not admit


def test_the_probationer_s_outlook_knows_the_failed_votes_so_far(world: World) -> None:
    app = world.app
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    case.decide()
    member_id = case.ceremony()
    ends = app.load(Member, member_id).probation_ends
    app.record_review_vote(
        ctx(), member_id, motion=Motion.strike_off, held_on=ends, votes_for=2, votes_against=7
    )
    outlook = app.review_ballot(member_id, ends, Motion.strike_off, (2, 7))
    assert outlook.failed_votes == 1 and outlook.outcome is Outcome.vote_failed
    assert (outlook.on_roll, outlook.needed) == (9, 6)


@pytest.mark.parametrize("votes", [(6, 3), (5, 4)])
def test_the_outlook_s_verdict_is_the_vote_s_own(votes: tuple[int, int]) -> None:
    outlook = policy.cell_outlook("ADM-VOTE-CELL", DAY, 9, 0, 0, votes)
    assert outlook.passes is policy.vote_passes(Ballot(DAY, 9, 0, *votes))


def test_a_rehearsed_step_makes_every_check_and_writes_nothing(world: World) -> None:
    app = world.app
    case = open_case(world)
    case.dossier()
    with writes_nothing(app), refused("ADM-VOTE-CELL"):
        app.rehearse(lambda: case.cell_vote(votes_for=99, votes_against=0))
    with writes_nothing(app):
        rehearsed = app.rehearse(lambda: case.cell_vote(votes_for=3, votes_against=6))
    assert rehearsed.stage.is_closed  # what it would have led to…
    assert not case.stage().is_closed  # …and the record untouched
    case.cell_vote(votes_for=3, votes_against=6)  # once not rehearsed, it is written
    assert case.stage().is_closed
