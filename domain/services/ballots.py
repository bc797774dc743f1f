"""The outlook of a vote on a record, before it is recorded: the numbers of its meeting day
(the roll, those out of the count, ORG-MIN, the 2/3) read from the record, and what the given
votes would lead to (domain/policy/ballots.py). Reads only: nothing is written."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain import policy
from domain.admission import AdmissionCase
from domain.member import Member
from domain.organization import Organization
from domain.services.organizations import Organizations
from domain.values import Motion


class Ballots(Organizations):
    """What a vote on a case or a probationer needs, and what given numbers lead to."""

    def case_ballot(
        self,
        case_id: UUID,
        held_on: date,
        votes: tuple[int, int] | None = None,
        excused_voting: int = 0,
    ) -> policy.BallotOutlook:
        """ADM-VOTE-CELL: the cell's vote on the applicant (votes = for, against)."""
        policy.rules_at(held_on)
        case = self.load(AdmissionCase, case_id)
        on_roll, excusable = self.cell_count(case.cell_id, held_on)
        return policy.cell_outlook(
            "ADM-VOTE-CELL", held_on, on_roll, excusable, excused_voting, votes
        )

    def committee_ballot(
        self, case_id: UUID, held_on: date, committee_size: int, votes: tuple[int, int] | None
    ) -> policy.BallotOutlook:
        """ADM-VOTE-COMMITTEE: the grassroots committee's vote; whether it admits by its own
        resolution is the tree's (a grassroots organization authorised to admit)."""
        policy.rules_at(held_on)
        case = self.load(AdmissionCase, case_id)
        admits = self.load(Organization, case.grassroots_id).may_admit
        return policy.committee_outlook(held_on, committee_size, votes, admits_itself=admits)

    def review_ballot(
        self,
        member_id: UUID,
        held_on: date,
        motion: Motion = Motion.recognize,
        votes: tuple[int, int] | None = None,
        excused_voting: int = 0,
    ) -> policy.BallotOutlook:
        """PRB-REVIEW: the cell's vote on a probationer, and where a short vote leaves the
        count toward PRB-DEADLOCK."""
        policy.rules_at(held_on)
        member = self.load(Member, member_id)
        on_roll, excusable = self.cell_count(member.cell_id, held_on)
        return policy.cell_outlook(
            "PRB-REVIEW",
            held_on,
            on_roll,
            excusable,
            excused_voting,
            votes,
            motion=Motion(motion),
            failed_votes=member.failed_votes,
        )
