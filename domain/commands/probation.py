"""The steps on a member: those of the probation (helper, course, review, recognition or
striking off) and the standing ones that may befall any member (holds, exemptions, discipline,
the residence link and its yearly comment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

from domain.bounds import Count, Name, Text, WorkingDays, Year
from domain.commands import Step, Subject
from domain.stages import OFF_ROLL, Standing, Status
from domain.values import CommentSource, Departure, HoldKind, Motion, Role

PROBATION = frozenset({Status.probationary})
FULL = frozenset({Status.full})
ON_ROLL = PROBATION | FULL  # a standing step befalls any member on the roll


@dataclass(frozen=True, kw_only=True)
class MemberStep(Step, abstract=True):
    applies_to: ClassVar[Subject] = "member"
    stages: ClassVar[frozenset[str]] = PROBATION
    # A standing step may be taken on a full member too, who has no process: it is applied
    # directly; a probationer's steps go through the probation's process (its deadlines).
    standing: ClassVar[bool] = False


# --- the probation ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AssignHelper(MemberStep):
    helper_member_id: UUID


@dataclass(frozen=True, kw_only=True)
class CompleteNewMemberCourse(MemberStep):
    certificate_no: Name


# What the recognition vote needs (PRB-DOSSIER): each prerequisite is recorded by its own step
# (the course's certificate by CompleteNewMemberCourse), or exempted with a reason.


@dataclass(frozen=True, kw_only=True)
class SubmitSelfReview(MemberStep):
    """The probationer's written self-review, received by the cell."""


@dataclass(frozen=True, kw_only=True)
class RecordHelperComments(MemberStep):
    """The comments of the member assigned to help the probationer."""


@dataclass(frozen=True, kw_only=True)
class RecordProbationComments(MemberStep):
    """The comments of the unions where the probationer works, or of the cell committee
    where they reside."""

    source: CommentSource


@dataclass(frozen=True, kw_only=True)
class ExemptComments(MemberStep):
    """The recognition goes without the comments of the unions or of the residence (the
    only prerequisites that may be exempted), for the reason given."""

    source: CommentSource
    reason: Name
    least_role: ClassVar[Role] = Role.grassroots_officer


@dataclass(frozen=True, kw_only=True)
class RecordReviewVote(MemberStep):
    """The cell's vote on the probationer (PRB-REVIEW): recognize, or strike off."""

    votes_for: Count
    votes_against: Count
    excused_voting: Count = 0
    motion: Motion
    opens_at: ClassVar[frozenset[str]] = PROBATION


@dataclass(frozen=True, kw_only=True)
class ExtendRecognitionDeadline(MemberStep):
    extra_wd: WorkingDays
    reason: Text = ""
    least_role: ClassVar[Role] = Role.org_department_officer


@dataclass(frozen=True, kw_only=True)
class Recognize(MemberStep):
    """Full membership, decided by the competent committee on the cell's resolution
    (PRB-DECIDE) or, after three failed votes, on the deadlock (PRB-DEADLOCK)."""

    decided_by: UUID
    by_upper_committee: bool = False
    least_role: ClassVar[Role] = Role.org_department_officer
    opens_at: ClassVar[frozenset[str]] = frozenset({Standing.probationary, Standing.deadlock})


@dataclass(frozen=True, kw_only=True)
class StrikeOff(MemberStep):
    decided_by: UUID
    reason: Text = ""
    by_upper_committee: bool = False
    least_role: ClassVar[Role] = Role.org_department_officer
    opens_at: ClassVar[frozenset[str]] = frozenset({Standing.deadlock})


# --- leaving the Party (READMIT) ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordDeparture(MemberStep):
    """A full member leaves the Party on `on`: at their request, struck off or expelled."""

    kind: Departure
    decided_by: UUID
    reason: Text = ""
    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = FULL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class RecordExpungement(MemberStep):
    """Someone who left the Party for a lesser crime: its record was expunged on `on`."""

    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = OFF_ROLL
    standing: ClassVar[bool] = True


# --- standing steps -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Discipline(MemberStep):
    penalty: Name
    reason: Text = ""
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class PlaceHold(MemberStep):
    """Inspection, a complaint or discipline under way: no official transfer (TRF-HOLD)."""

    kind: HoldKind
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class ReleaseHold(MemberStep):
    kind: HoldKind
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class Exempt(MemberStep):
    """Exempted from party activity from `on` to `ends_on`."""

    ends_on: date
    reason: Text = ""
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class LinkResidence(MemberStep):
    """The 213 residence link (None: the link ends)."""

    residence_cell_id: UUID | None = None
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class RecordResidenceComment(MemberStep):
    year: Year
    favourable: bool = True
    stages: ClassVar[frozenset[str]] = ON_ROLL
    standing: ClassVar[bool] = True
