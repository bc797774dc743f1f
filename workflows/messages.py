"""What crosses Temporal: one dataclass per message. No personal data in ids or search
attributes; payloads are encrypted by the client's codec."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.commands import Step, Subject
from domain.values import PersonalData

TASK_QUEUE = "dangvien"


@dataclass
class ActorRef:
    """Who acts (a user, in a role, for an organization), as sent by the API."""

    user_id: str
    role: str
    org_id: UUID


@dataclass
class Act:
    """A human step as the `act` update carries it: the typed step (domain/commands/), who
    acts, and the command key (a step sent without one gets one from the workflow)."""

    step: Step
    actor: ActorRef
    command_key: str = ""
    subject_id: UUID | None = None  # the record it is for (signed: not to be copied elsewhere)
    proof: str = ""  # the API's signature (workflows/authority.py)


@dataclass
class StepRequest:
    subject_id: UUID
    step: Act


@dataclass
class DeadlineView:
    rule_id: str
    start: date
    due: date
    responsible: UUID
    above: UUID | None
    department: UUID | None


@dataclass
class View:
    """What a case, probation or transfer awaits: its stage, the deadline, from whom."""

    subject: Subject
    subject_id: UUID
    stage: str
    closed: bool
    org_id: UUID  # the cell (of the case, member, or sending cell of a transfer)
    member_id: UUID | None = None
    deadline: DeadlineView | None = None
    escalation_level: int = -1  # -1: nothing escalated yet
    failed_votes: int = 0
    awaiting: list[str] = field(default_factory=list)  # the steps the stage accepts


# A rung's level for the due-soon notice (issue 16): no level of the ladder (nothing is
# recorded on the record), so a process's escalation level stays as it was.
DUE_SOON = -1


@dataclass
class Rung:
    """One escalation step, with the instant it fires (or the due-soon notice: `DUE_SOON`)."""

    rule_id: str
    level: int
    fires_on: date
    fires_at: datetime
    target: UUID
    due: date


@dataclass
class Plan:
    deadline: DeadlineView | None
    rungs: list[Rung]


@dataclass
class PlanRequest:
    subject_id: UUID
    today: date


@dataclass
class EscalateRequest:
    subject_id: UUID
    rung: Rung
    today: date
    command_key: str


@dataclass
class AdmissionStart:
    """Open a case (step 1): the person is already registered; the case id is opaque."""

    case_id: UUID
    person_id: UUID
    cell_id: UUID
    on: date
    actor: ActorRef
    helper_member_id: UUID | None = None
    person: PersonalData | None = None  # a person not yet recorded: recorded with the case
    proof: str = ""


@dataclass
class ProbationStart:
    member_id: UUID
    case_id: UUID | None = None


@dataclass
class TransferStart:
    transfer_id: UUID
    member_id: UUID
    kind: str
    reason: str
    destination_org_id: UUID
    trigger_on: date
    on: date
    actor: ActorRef
    returns_on: date | None = None
    portal_reference: str | None = None
    proof: str = ""


@dataclass
class Move:
    """One member of a dissolved cell and the cell they move to."""

    member_id: UUID
    to_cell_id: UUID
    proof: str = ""  # the API's signature of this move (a MoveRequest)


@dataclass
class MoveRequest:
    cell_id: UUID
    move: Move
    on: date
    actor: ActorRef


@dataclass
class DissolutionStart:
    cell_id: UUID
    on: date
    actor: ActorRef
    moves: list[Move]
    merged_into: UUID | None = None
    dissolve_proof: str = ""  # the API's signature of the final DissolveRequest


@dataclass
class DissolveRequest:
    cell_id: UUID
    on: date
    actor: ActorRef
    merged_into: UUID | None = None
    proof: str = ""


@dataclass
class MoveFailure:
    """A move that failed, and the rule that refused it (retried on a signal, or hourly)."""

    member_id: UUID
    rule_id: str


@dataclass
class DissolutionProgress:
    cell_id: UUID
    total: int
    moved: int
    failed: list[UUID]
    dissolved: bool
    failures: list[MoveFailure] = field(default_factory=list)


@dataclass
class DissolutionBatchStart:
    """Several cells dissolved on one date: each cell's own dissolution, signed."""

    batch_id: UUID
    on: date
    actor: ActorRef
    cells: list[DissolutionStart]


@dataclass
class BatchCell:
    cell_id: UUID
    total: int
    state: str = "running"  # running, dissolved, failed
    rule_id: str | None = None  # what refused it, when failed


@dataclass
class DissolutionBatchStatus:
    batch_id: UUID
    on: date
    actor: ActorRef
    cells: list[BatchCell]


@dataclass
class ResidenceRoundStart:
    """The yearly 213-QĐ/TW round; `year` 0 means the year the schedule fires in."""

    year: int = 0
    answer_within_days: int = 45


@dataclass
class ResidenceRequest:
    year: int
    today: date
    due: date
    late: bool


@dataclass
class ResidenceRoundResult:
    year: int
    asked: int
    answered: int
    escalated: int


@dataclass
class SealRequest:
    """The daily seal of the whole log, for the day (in Vietnam) the schedule fired."""

    on: date


@dataclass
class Sealed:
    """What the seal found: the events the last seal covers, whether this run made it (not
    when nothing was recorded since the previous one), or why the log was not sealed (where
    it fails to verify: a position and an aggregate id, never personal data)."""

    tree_size: int
    new: bool
    problem: str = ""


@dataclass
class Notification:
    """An in-app notice for the users of an organization (written by activities only, so a
    projection rebuild never notifies twice): a rung of an escalation ladder, a deadline due
    soon, or a step that made the record the organization's to do (`NOTICE_KINDS`)."""

    key: str
    org_id: UUID
    subject_id: UUID
    rule_id: str
    level: int
    due: date
    created_at: datetime
    message_vi: str
    message_en: str
    kind: str = "escalation"  # escalation | due_soon (level -1) | assignment (level -1)


NOTICE_KINDS = ("escalation", "due_soon", "assignment")
