"""The steps of an admission case (the process card of docs/processes.md), in process order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from annotated_types import Ge, Le, MaxLen

from domain.bounds import CommitteeSize, Count, Name, Text, WorkingDays
from domain.commands import Step, Subject
from domain.stages import DOSSIER_OPEN, OPEN, Stage
from domain.values import CommentSource, IntroducerKind, Relative, Role

ONLY = frozenset  # readability: `ONLY({Stage.cell_vote})`


@dataclass(frozen=True, kw_only=True)
class AdmissionStep(Step, abstract=True):
    applies_to: ClassVar[Subject] = "admission"
    stages: ClassVar[frozenset[str]] = DOSSIER_OPEN


# --- the dossier (steps 2–7): any order, until the cell votes ----------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordCertificate(AdmissionStep):
    """The political-awareness course's certificate, issued `on` (ADM-CERT)."""

    number: Name
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.course})


@dataclass(frozen=True, kw_only=True)
class SubmitApplication(AdmissionStep):
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.application})


@dataclass(frozen=True, kw_only=True)
class DeclareBackground(AdmissionStep):
    relatives: Annotated[tuple[Relative, ...], MaxLen(50)] = ()
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.background})


@dataclass(frozen=True, kw_only=True)
class AssignIntroducer(AdmissionStep):
    """An introducer in slot 1 or 2 (ADM-INTRO); a member's status is read on `letter_on`."""

    slot: Annotated[int, Ge(1), Le(2)]
    kind: IntroducerKind
    letter_on: date
    member_id: UUID | None = None
    together_since: date | None = None
    same_grassroots: bool = True
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.introducers})


@dataclass(frozen=True, kw_only=True)
class RequestVerification(AdmissionStep):
    """A verification letter about `subject` (the applicant or a relative's key), sent."""

    subject: Name
    sent_to: Name
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.verification})


@dataclass(frozen=True, kw_only=True)
class RecordVerificationResult(AdmissionStep):
    subject: Name
    satisfactory: bool
    note: Text = ""
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.verification})


@dataclass(frozen=True, kw_only=True)
class ExemptFamilySide(AdmissionStep):
    """A side of the family needs no verification: this relative is a member."""

    member_relative_key: Name


@dataclass(frozen=True, kw_only=True)
class CertifyBackground(AdmissionStep):
    """The grassroots committee certifies the background once every result is in."""

    least_role: ClassVar[Role] = Role.grassroots_officer
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.verification})


@dataclass(frozen=True, kw_only=True)
class RecordComment(AdmissionStep):
    source: CommentSource
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.comments})


@dataclass(frozen=True, kw_only=True)
class SummarizeComments(AdmissionStep):
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.comments})


# --- the votes and the decision (steps 8–11) ---------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecordCellVote(AdmissionStep):
    """The cell's resolution proposing admission (ADM-VOTE-CELL), held `on`."""

    votes_for: Count
    votes_against: Count
    excused_voting: Count = 0  # members exempted or away who came and voted
    provincial_consent_over_60: bool = False  # ADM-AGE
    unit_has_youth_union: bool = True  # ADM-INTRO
    stages: ClassVar[frozenset[str]] = ONLY({Stage.cell_vote})
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.cell_vote})


@dataclass(frozen=True, kw_only=True)
class RecordIntermediateAppraisal(AdmissionStep):
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ONLY({Stage.intermediate_appraisal})
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.intermediate_appraisal})


@dataclass(frozen=True, kw_only=True)
class RecordCommitteeVote(AdmissionStep):
    """The grassroots committee's resolution (ADM-VOTE-COMMITTEE)."""

    votes_for: Count
    votes_against: Count
    committee_size: CommitteeSize
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ONLY({Stage.committee_vote})
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.committee_vote})


@dataclass(frozen=True, kw_only=True)
class ExtendDecisionDeadline(AdmissionStep):
    """ADM-DECIDE's one extension, in working days."""

    extra_wd: WorkingDays
    reason: Text = ""
    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = ONLY(
        {Stage.intermediate_appraisal, Stage.committee_vote, Stage.decision}
    )


@dataclass(frozen=True, kw_only=True)
class Decide(AdmissionStep):
    """The admission decision of the competent committee (ADM-DECIDE). Its number only for
    a decision issued outside dangvien: left out, the decision's paper (issued from the case
    right after) takes the next number of the committee's register (docs/documents.md)."""

    decided_by: UUID
    number: Name | None = None
    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = ONLY({Stage.decision})
    opens_at: ClassVar[frozenset[str]] = ONLY({Stage.decision})


@dataclass(frozen=True, kw_only=True)
class Refuse(AdmissionStep):
    decided_by: UUID
    reason: Text = ""
    least_role: ClassVar[Role] = Role.org_department_officer
    stages: ClassVar[frozenset[str]] = ONLY({Stage.decision})


# --- the ceremony (step 12) and the early ends -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReceiveDecision(AdmissionStep):
    """The cell receives the decision: ADM-CEREMONY's clock starts."""

    stages: ClassVar[frozenset[str]] = ONLY({Stage.ceremony})


@dataclass(frozen=True, kw_only=True)
class ApproveCeremonyDelay(AdmissionStep):
    """A later ceremony, approved by the committee directly above the cell: its intermediate
    or grassroots committee (ADM-CEREMONY)."""

    until: date
    approved_by: UUID
    least_role: ClassVar[Role] = Role.grassroots_officer
    stages: ClassVar[frozenset[str]] = ONLY({Stage.ceremony})


@dataclass(frozen=True, kw_only=True)
class HoldCeremony(AdmissionStep):
    """The ceremony: the person becomes a probationary member (PRB-LENGTH starts)."""

    helper_member_id: UUID | None = None
    stages: ClassVar[frozenset[str]] = ONLY({Stage.ceremony})


@dataclass(frozen=True, kw_only=True)
class Withdraw(AdmissionStep):
    """The applicant withdraws."""

    reason: Text = ""
    stages: ClassVar[frozenset[str]] = OPEN


@dataclass(frozen=True, kw_only=True)
class Stop(AdmissionStep):
    """The case stops on a failed precondition."""

    reason: Text = ""
    stages: ClassVar[frozenset[str]] = OPEN
