"""What a vote needs on its meeting day, and what given numbers would lead to: the numbers the
web shows before a vote that cannot be undone is confirmed (domain/policy/ballots.py), for API
clients to show theirs. Reads only; nothing is written.

An API step needs no confirmation: the API takes the step it is sent, and showing its
consequence first is the client's part (docs/api.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from domain import policy
from domain.values import Motion
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.records import locate
from infra.api.schemas import Count, Day

router = APIRouter(prefix="/api", tags=["reads"], responses=REFUSALS)


class BallotOut(BaseModel):
    """A vote's numbers on its meeting day and, with votes given, its outcome."""

    rule_id: str = Field(description="The vote's rule: ADM-VOTE-CELL, ADM-VOTE-COMMITTEE…")
    held_on: date
    on_roll: int = Field(
        description="Full members on the cell's roll that day (a committee: its members)"
    )
    excusable: int = Field(description="Of them, away or exempted: not counted unless they vote")
    excused_voting: int = Field(description="Of those, how many voted (as given)")
    denominator: int = Field(description="Members entitled to vote: the 2/3 is of this number")
    quorum: int = Field(
        description="ORG-MIN: the fewest full members a cell may validly vote with (the "
        "rulebook sets no attendance quorum: the 2/3 counts the whole roll); 0 for a committee"
    )
    votes_needed: int = Field(description="The fewest votes for that reach the threshold")
    threshold: tuple[int, int] = Field(description="The share needed, e.g. [2, 3]")
    votes_for: int | None = None
    votes_against: int | None = None
    passes: bool | None = None
    outcome: policy.Outcome | None = Field(
        None, description="What the given votes lead to (none without votes)"
    )
    failed_votes: int = Field(0, description="PRB-DEADLOCK: failed votes before this one")
    deadlock_after: int = Field(
        0, description="Failed votes after which the upper committee decides"
    )
    rules: list[str] = Field(description="The rules the numbers come from")


def ballot_out(o: policy.BallotOutlook) -> BallotOut:
    return BallotOut(
        rule_id=o.rule_id,
        held_on=o.held_on,
        on_roll=o.on_roll,
        excusable=o.excusable,
        excused_voting=o.excused_voting,
        denominator=o.denominator,
        quorum=o.quorum,
        votes_needed=o.needed,
        threshold=o.threshold,
        votes_for=o.votes_for,
        votes_against=o.votes_against,
        passes=o.passes,
        outcome=o.outcome,
        failed_votes=o.failed_votes,
        deadlock_after=o.deadlock_after,
        rules=list(o.rules),
    )


MeetingDay = Annotated[Day | None, Query(description="The meeting day (default: today in Vietnam)")]
VotesFor = Annotated[Count | None, Query(description="With votes_against: the outcome")]
VotesAgainst = Annotated[Count | None, Query()]
ExcusedVoting = Annotated[Count, Query(description="Members away or exempted who came and voted")]


def _votes(votes_for: int | None, votes_against: int | None) -> tuple[int, int] | None:
    if votes_for is None and votes_against is None:
        return None
    return votes_for or 0, votes_against or 0


@router.get("/cases/{case_id}/ballot")
def case_ballot(
    case_id: UUID,
    user: CurrentUser,
    s: Svc,
    on: MeetingDay = None,
    votes_for: VotesFor = None,
    votes_against: VotesAgainst = None,
    excused_voting: ExcusedVoting = 0,
    committee_size: Annotated[
        Count | None,
        Query(description="Given: the grassroots committee's vote (ADM-VOTE-COMMITTEE)"),
    ] = None,
) -> BallotOut:
    """The cell's vote on the applicant (ADM-VOTE-CELL, ORG-MIN) — or, with
    `committee_size`, the grassroots committee's (ADM-VOTE-COMMITTEE): the roll of the
    meeting day, the votes needed and, with votes given, the outcome. Numbers the vote would
    refuse are refused with its rule (422)."""
    locate(s.app, s.scope, user, "admission", case_id)
    day, votes = on or s.today(), _votes(votes_for, votes_against)
    if committee_size is not None:
        return ballot_out(s.app.committee_ballot(case_id, day, committee_size, votes))
    return ballot_out(s.app.case_ballot(case_id, day, votes, excused_voting))


@router.get("/members/{member_id}/ballot")
def review_ballot(
    member_id: UUID,
    user: CurrentUser,
    s: Svc,
    on: MeetingDay = None,
    motion: Motion = Motion.recognize,
    votes_for: VotesFor = None,
    votes_against: VotesAgainst = None,
    excused_voting: ExcusedVoting = 0,
) -> BallotOut:
    """The cell's review vote on a probationer (PRB-REVIEW, ORG-MIN, PRB-DEADLOCK): the roll
    of the meeting day, the votes needed, the failed votes so far and, with votes given, the
    outcome."""
    locate(s.app, s.scope, user, "member", member_id)
    day, votes = on or s.today(), _votes(votes_for, votes_against)
    return ballot_out(s.app.review_ballot(member_id, day, motion, votes, excused_voting))
