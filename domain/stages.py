"""Where a record stands: the stages of an admission case and of a transfer, and a member's
status. The commands (domain/commands/) name the stages that accept them; the aggregates and the
read models compare these enums, never their strings."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """The step a case awaits, in process order (the pipeline board's columns)."""

    course = "course"  # source (quần chúng ưu tú): awaiting the political-awareness course
    application = "application"
    background = "background"
    introducers = "introducers"
    verification = "verification"
    comments = "comments"
    cell_vote = "cell_vote"
    intermediate_appraisal = "intermediate_appraisal"
    committee_vote = "committee_vote"
    decision = "decision"
    ceremony = "ceremony"
    admitted = "admitted"  # probation continues on the Member
    withdrawn = "withdrawn"
    rejected = "rejected"
    stopped = "stopped"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED


CLOSED = frozenset({Stage.admitted, Stage.withdrawn, Stage.rejected, Stage.stopped})
DOSSIER_ORDER = (
    Stage.course,
    Stage.application,
    Stage.background,
    Stage.introducers,
    Stage.verification,
    Stage.comments,
)
OPEN = frozenset(Stage) - CLOSED
DOSSIER_OPEN = frozenset({*DOSSIER_ORDER, Stage.cell_vote})


class Status(StrEnum):
    """A member's status; `deadlock` is how a probation stands after PRB-DEADLOCK's failed
    votes (the member is still probationary: the upper committee decides)."""

    probationary = "probationary"  # đảng viên dự bị
    full = "full"  # đảng viên chính thức
    struck_off = "struck_off"  # xóa tên


DEADLOCK = "deadlock"  # the probation's stage shown once PRB-DEADLOCK hands it upward
ON_PROBATION = frozenset({str(Status.probationary), DEADLOCK})


class TransferStage(StrEnum):
    in_transit = "in_transit"  # the letter is on its way
    letter_issued = "letter_issued"  # the member holds the letter to the receiving cell
    presented = "presented"
    active = "active"  # a temporary stay in progress
    completed = "completed"
    cancelled = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (TransferStage.completed, TransferStage.cancelled)
