"""What a vote needs on its day and what given numbers would lead to: the outlook a form shows
before a vote that cannot be undone is recorded (ADM-VOTE-CELL, ADM-VOTE-COMMITTEE, PRB-REVIEW,
PRB-DEADLOCK, ORG-MIN). The same checks as the vote itself, so an outlook that answers is one
the vote's numbers will not refuse; the other checks of the step (age, certificate…) are the
step's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.policy.checks import check_ballot, check_org_min, deadlocked, votes_needed
from domain.policy.rulesets import _refuse, rules_at
from domain.values import Ballot, Motion


class Outcome(StrEnum):
    """What a vote with the given numbers leads to."""

    proposed = "proposed"  # ADM-VOTE-CELL: the cell proposes admission, the case goes up
    case_ends = "case_ends"  # ADM-VOTE-CELL short of 2/3: no resolution, the case ends
    committee_passed = "committee_passed"  # ADM-VOTE-COMMITTEE: its resolution goes to decision
    own_resolution_fails = "own_resolution_fails"  # a committee that admits cannot then admit
    reported_up = "reported_up"  # short of 2/3: the full result goes to the deciding committee
    recognition_proposed = "recognition_proposed"  # PRB-REVIEW: the committee then decides
    strike_off_proposed = "strike_off_proposed"
    vote_failed = "vote_failed"  # PRB-REVIEW short of 2/3: counts toward PRB-DEADLOCK
    deadlock = "deadlock"  # PRB-DEADLOCK: the last failed vote, the upper committee decides


@dataclass(frozen=True)
class BallotOutlook:
    """The numbers of a vote on its meeting day and, with votes given, its outcome."""

    rule_id: str  # the vote's rule
    held_on: date
    on_roll: int  # full members on the cell's roll that day (a committee: its members)
    excusable: int  # of them, away or exempted: out of the count unless they vote
    excused_voting: int  # of those, how many came and voted
    denominator: int  # members entitled to vote, the 2/3 is of this number
    quorum: int  # ORG-MIN: the fewest full members a cell may validly vote with (0: committee)
    needed: int  # the fewest votes for that reach 2/3
    threshold: tuple[int, int]  # 2/3
    votes_for: int | None = None
    votes_against: int | None = None
    outcome: Outcome | None = None
    failed_votes: int = 0  # PRB-DEADLOCK: failed votes before this one
    deadlock_after: int = 0  # failed votes after which the upper committee decides
    rules: tuple[str, ...] = ()  # every rule the numbers come from

    @property
    def passes(self) -> bool | None:
        if self.votes_for is None:
            return None
        return self.denominator > 0 and self.votes_for >= self.needed


def check_excused_voting(rule_id: str, excused_voting: int, excusable: int) -> None:
    """ADM-VOTE-CELL: those away or exempted who voted are some of those away or exempted."""
    if not 0 <= excused_voting <= excusable:
        raise _refuse(
            rule_id,
            "Số đảng viên miễn sinh hoạt hoặc đi vắng có tham gia biểu quyết không hợp lệ",
            "The number of exempted or absent members who voted is inconsistent",
        )


def cell_outlook(
    rule_id: str,
    held_on: date,
    on_roll: int,
    excusable: int,
    excused_voting: int = 0,
    votes: tuple[int, int] | None = None,
    *,
    motion: Motion | None = None,
    failed_votes: int = 0,
) -> BallotOutlook:
    """A cell's vote (ADM-VOTE-CELL on admission, PRB-REVIEW on a probationer): the roll of
    full members that day, those away or exempted who do not count unless they vote, the
    ORG-MIN minimum and the 2/3. With `votes` (for, against), what they lead to; numbers the
    vote would refuse are refused here with the same rule."""
    rules = rules_at(held_on)
    if not rules.denominator_excuses_absent:
        excusable = 0
    check_excused_voting(rule_id, excused_voting, excusable)
    denominator = on_roll - (excusable - excused_voting)
    needed = votes_needed(denominator, held_on)
    ids = (rule_id, "ORG-MIN") + (("PRB-DEADLOCK",) if rule_id == "PRB-REVIEW" else ())
    outcome = None
    if votes is not None:
        ballot = Ballot(held_on, on_roll, excusable - excused_voting, *votes)
        check_org_min(on_roll, held_on)
        check_ballot(ballot, rule_id)
        outcome = _cell_outcome(rule_id, votes[0] >= needed, motion, failed_votes, held_on)
    return BallotOutlook(
        rule_id,
        held_on,
        on_roll,
        excusable,
        excused_voting,
        denominator,
        rules.org_min_full_members,
        needed,
        rules.vote_threshold,
        votes[0] if votes else None,
        votes[1] if votes else None,
        outcome,
        failed_votes,
        rules.deadlock_failed_votes if rule_id == "PRB-REVIEW" else 0,
        ids,
    )


def _cell_outcome(
    rule_id: str, passed: bool, motion: Motion | None, failed_votes: int, on: date
) -> Outcome:
    if rule_id != "PRB-REVIEW":
        return Outcome.proposed if passed else Outcome.case_ends
    if passed:
        return (
            Outcome.strike_off_proposed
            if motion is Motion.strike_off
            else (Outcome.recognition_proposed)
        )
    return Outcome.deadlock if deadlocked(failed_votes + 1, on) else Outcome.vote_failed


def committee_outlook(
    held_on: date,
    committee_size: int,
    votes: tuple[int, int] | None = None,
    *,
    admits_itself: bool = False,
) -> BallotOutlook:
    """ADM-VOTE-COMMITTEE: 2/3 of the committee's members. A grassroots committee authorised
    to admit decides by its own resolution, so a vote short of 2/3 means it cannot admit; a
    committee above it decides on the full report, passed or not."""
    rules = rules_at(held_on)
    needed = votes_needed(committee_size, held_on)
    outcome = None
    if votes is not None:
        check_ballot(Ballot(held_on, committee_size, 0, *votes), "ADM-VOTE-COMMITTEE")
        short = Outcome.own_resolution_fails if admits_itself else Outcome.reported_up
        outcome = Outcome.committee_passed if votes[0] >= needed else short
    return BallotOutlook(
        "ADM-VOTE-COMMITTEE",
        held_on,
        committee_size,
        0,
        0,
        committee_size,
        0,
        needed,
        rules.vote_threshold,
        votes[0] if votes else None,
        votes[1] if votes else None,
        outcome,
        rules=("ADM-VOTE-COMMITTEE",),
    )
