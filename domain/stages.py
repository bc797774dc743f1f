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
    # Off the roll, by the kind of departure (domain.values.Departure, same values).
    struck_off = "struck_off"  # xóa tên
    left = "left"  # xin ra khỏi Đảng
    expelled = "expelled"  # khai trừ

    @property
    def on_roll(self) -> bool:
        """A member of the Party (probationary or full), not one who has left it."""
        return self not in OFF_ROLL


OFF_ROLL = frozenset({Status.struck_off, Status.left, Status.expelled})


class Standing(StrEnum):
    """A member's status as shown (the read model, the screens, the process's view): the
    domain's `Status`, with probation split in two."""

    probationary = Status.probationary.value
    # PRB-DEADLOCK: still on probation after the failed votes that send the decision up; the
    # upper committee decides (docs/rules.md).
    deadlock = "deadlock"
    full = Status.full.value
    struck_off = Status.struck_off.value
    left = Status.left.value
    expelled = Status.expelled.value


ON_PROBATION = frozenset({Standing.probationary, Standing.deadlock})


class TransferStage(StrEnum):
    in_transit = "in_transit"  # the letter is on its way
    letter_issued = "letter_issued"  # the member holds the letter to the receiving cell
    presented = "presented"
    active = "active"  # a temporary stay in progress
    completed = "completed"
    cancelled = "cancelled"

    @property
    def is_closed(self) -> bool:
        """Nothing more happens to a transfer completed or cancelled."""
        return self in TRANSFER_CLOSED


TRANSFER_CLOSED = frozenset({TransferStage.completed, TransferStage.cancelled})
# A letter still on its way between cells (a temporary stay, `active`, is not).
TRANSFER_MOVING = frozenset(
    {TransferStage.in_transit, TransferStage.letter_issued, TransferStage.presented}
)
