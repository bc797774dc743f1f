"""Request and response bodies (pydantic): what the API accepts and returns, as OpenAPI shows.

Every human step is one model per kind, `{"kind", "on", "args"}`, whose `args` mirror the
workflow's handler tables (workflows/activities.py); a kind without a model fails at import.
Bounds (dates between 1930 and 2100, sizes, lengths) keep nonsense out before it reaches a
process: a handler that cannot read its arguments would otherwise be retried for ever.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

from domain.admission import CommentSource
from domain.member import Motion
from domain.values import (
    Education,
    Gender,
    HoldKind,
    IntroducerKind,
    Relationship,
    TransferKind,
    TransferReason,
)
from infra.users import Role
from workflows.activities import ADMISSION_STEPS, MEMBER_STEPS, TRANSFER_STEPS

FIRST_DAY, LAST_DAY = date(1930, 1, 1), date(2100, 12, 31)
# JSON Schema bounds no date: the pattern tells clients (and schemathesis) the years allowed.
MONTH_DAY = "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
Day = Annotated[
    date,
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        json_schema_extra={"pattern": f"^(19[3-9][0-9]|20[0-9]{{2}}|2100){MONTH_DAY}"},
    ),
]
BirthDay = Annotated[
    date,
    Field(
        ge=date(1900, 1, 1),
        le=LAST_DAY,
        json_schema_extra={"pattern": f"^(19[0-9]{{2}}|20[0-9]{{2}}|2100){MONTH_DAY}"},
    ),
]
Text = Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")]
Count = Annotated[int, Field(ge=0, le=100_000)]
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]
Lang = Literal["vi", "en"]


class Strict(BaseModel):
    """Unknown fields are refused: a misspelt argument is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    """A refusal: the rule that refused, its message in the requested language."""

    rule_id: str
    message: str
    lang: Lang
    details: dict[str, Any] = Field(default_factory=dict)


# --- users and auth -------------------------------------------------------------------------


class LoginIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    role: Role
    org_id: UUID | None
    display_name: str


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 — the scheme's name


class UserIn(Strict):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    role: Role
    org_id: UUID | None = None
    display_name: Text = ""
    password: Annotated[str, Field(max_length=200)] | None = None  # generated when absent


class UserCreatedOut(BaseModel):
    user: UserOut
    password: str | None = None  # only when generated: shown once


class PasswordIn(Strict):
    password: Annotated[str, Field(max_length=200)] | None = None  # generated when absent


class PasswordOut(BaseModel):
    password: str


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    event_store: str
    readmodel: str
    temporal: str


# --- processes ------------------------------------------------------------------------------


class DeadlineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rule_id: str
    start: date
    due: date
    responsible: UUID
    above: UUID | None
    department: UUID | None


class ViewOut(BaseModel):
    """What a case, probation or transfer awaits (the process's `status`)."""

    model_config = ConfigDict(from_attributes=True)

    subject: Literal["admission", "member", "transfer"]
    subject_id: UUID
    stage: str
    closed: bool
    org_id: UUID
    member_id: UUID | None
    deadline: DeadlineOut | None
    escalation_level: int
    failed_votes: int
    awaiting: list[str]


class PersonIn(Strict):
    """Personal data (DOMAIN.md §8): encrypted at rest, never logged."""

    full_name: Name
    birth_date: BirthDay
    citizen_id: Annotated[str, Field(pattern=r"^[0-9]{9}([0-9]{3})?$")]  # CCCD (12) or CMND (9)
    gender: Gender
    ethnicity: Name
    religion: Name | None = None
    address: Name
    education: Education
    youth_union_member: bool = False
    trade_union_member: bool = False
    occupation: Text = ""


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    full_name: str
    birth_date: date
    citizen_id: str
    gender: Gender
    ethnicity: str
    religion: str | None
    address: str
    education: Education
    youth_union_member: bool
    trade_union_member: bool
    occupation: str


class CaseStartIn(Strict):
    """Open a case (step 1): the person is registered (or their record corrected) first."""

    cell_id: UUID
    on: Day
    person: PersonIn
    helper_member_id: UUID | None = None


class CaseOut(BaseModel):
    """The case page. `person` is the personal data, for the roles that may see it."""

    view: ViewOut
    person_id: UUID
    opened_on: date
    person: PersonOut | None


class MemberOut(BaseModel):
    view: ViewOut
    person_id: UUID
    case_id: UUID | None
    status: str
    ceremony_on: date
    probation_ends: date
    full_from: date | None
    person: PersonOut | None


class TransferStartIn(Strict):
    member_id: UUID
    kind: TransferKind
    reason: TransferReason
    destination_org_id: UUID
    trigger_on: Day  # the job/retirement decision or the change of residence (TRF-START)
    on: Day
    returns_on: Day | None = None  # temporary transfers (TRF-TEMP)
    portal_reference: Annotated[str, Field(max_length=100, pattern=r"^[^\x00]*$")] | None = None


class TransferOut(BaseModel):
    view: ViewOut
    member_id: UUID
    kind: TransferKind
    reason: TransferReason
    from_cell_id: UUID
    destination_org_id: UUID
    to_cell_id: UUID | None
    started_on: date


class MoveIn(Strict):
    member_id: UUID
    to_cell_id: UUID


class DissolutionIn(Strict):
    on: Day
    moves: Annotated[list[MoveIn], Field(max_length=5000)]
    merged_into: UUID | None = None


class MoveOut(BaseModel):
    member_id: UUID
    to_cell_id: UUID | None  # suggested from the 213 residence link; None: the officer chooses


class DissolutionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cell_id: UUID
    total: int
    moved: int
    failed: list[UUID]
    dissolved: bool


class TargetIn(Strict):
    """An admission target (chỉ tiêu kết nạp): a number, or a rate of the start-of-year
    membership (ORG-TARGET)."""

    year: Year
    on: Day
    count: Count | None = None
    rate_percent: Annotated[float, Field(ge=0, le=100)] | None = None
    start_of_year_members: Count | None = None


class TargetOut(BaseModel):
    org_id: UUID
    year: int
    admissions: int
    count: int | None
    rate_percent: float | None
    start_of_year_members: int | None


# --- human steps ----------------------------------------------------------------------------


class NoArgs(Strict):
    pass


class Reason(Strict):
    reason: Text = ""


class RelativeIn(Strict):
    key: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    relationship: Relationship
    full_name: Name
    lives_or_works_at: Text = ""
    is_party_member: bool = False


class Ballot(Strict):
    votes_for: Count
    votes_against: Count


class CellBallot(Ballot):
    excused_voting: Count = 0


class Extension(Strict):
    extra_wd: Annotated[int, Field(ge=1, le=365)]
    reason: Text = ""


class Decision(Strict):
    decided_by: UUID


ADMISSION_ARGS: dict[str, type[BaseModel]] = {
    "record_certificate": create_model("RecordCertificate", __base__=Strict, number=(Name, ...)),
    "submit_application": NoArgs,
    "declare_background": create_model(
        "DeclareBackground",
        __base__=Strict,
        relatives=(Annotated[list[RelativeIn], Field(max_length=50)], []),
    ),
    "assign_introducer": create_model(
        "AssignIntroducer",
        __base__=Strict,
        slot=(Annotated[int, Field(ge=1, le=2)], ...),
        kind=(IntroducerKind, ...),
        letter_on=(Day, ...),
        member_id=(UUID | None, None),
        together_since=(Day | None, None),
        same_grassroots=(bool, True),
    ),
    "request_verification": create_model(
        "RequestVerification", __base__=Strict, subject=(Name, ...), sent_to=(Name, ...)
    ),
    "record_verification_result": create_model(
        "RecordVerificationResult",
        __base__=Strict,
        subject=(Name, ...),
        satisfactory=(bool, ...),
        note=(Text, ""),
    ),
    "exempt_family_side": create_model(
        "ExemptFamilySide", __base__=Strict, member_relative_key=(Name, ...)
    ),
    "certify_background": NoArgs,
    "record_comment": create_model("RecordComment", __base__=Strict, source=(CommentSource, ...)),
    "summarize_comments": NoArgs,
    "record_cell_vote": create_model(
        "RecordCellVote",
        __base__=CellBallot,
        provincial_consent_over_60=(bool, False),
        unit_has_youth_union=(bool, True),
    ),
    "record_intermediate_appraisal": NoArgs,
    "record_committee_vote": create_model(
        "RecordCommitteeVote",
        __base__=Ballot,
        committee_size=(Annotated[int, Field(ge=1, le=1000)], ...),
    ),
    "extend_decision_deadline": Extension,
    "decide": create_model("Decide", __base__=Decision, number=(Name, ...)),
    "refuse": create_model("Refuse", __base__=Decision, reason=(Text, "")),
    "receive_decision": NoArgs,
    "approve_ceremony_delay": create_model(
        "ApproveCeremonyDelay", __base__=Strict, until=(Day, ...), approved_by=(UUID, ...)
    ),
    "hold_ceremony": create_model(
        "HoldCeremony", __base__=Strict, helper_member_id=(UUID | None, None)
    ),
    "withdraw": Reason,
    "stop": Reason,
}

MEMBER_ARGS: dict[str, type[BaseModel]] = {
    "assign_helper": create_model("AssignHelper", __base__=Strict, helper_member_id=(UUID, ...)),
    "complete_new_member_course": create_model(
        "CompleteNewMemberCourse", __base__=Strict, certificate_no=(Name, ...)
    ),
    "record_review_vote": create_model(
        "RecordReviewVote", __base__=CellBallot, motion=(Motion, ...)
    ),
    "extend_recognition_deadline": Extension,
    "recognize": create_model("Recognize", __base__=Decision, by_upper_committee=(bool, False)),
    "strike_off": create_model(
        "StrikeOff", __base__=Decision, reason=(Text, ""), by_upper_committee=(bool, False)
    ),
    "discipline": create_model(
        "Discipline", __base__=Strict, penalty=(Name, ...), reason=(Text, "")
    ),
    "place_hold": create_model("PlaceHold", __base__=Strict, kind=(HoldKind, ...)),
    "release_hold": create_model("ReleaseHold", __base__=Strict, kind=(HoldKind, ...)),
    "exempt": create_model("Exempt", __base__=Strict, ends_on=(Day, ...), reason=(Text, "")),
    "link_residence": create_model(
        "LinkResidence", __base__=Strict, residence_cell_id=(UUID | None, None)
    ),
    "record_residence_comment": create_model(
        "RecordResidenceComment", __base__=Strict, year=(Year, ...), favourable=(bool, True)
    ),
}

TRANSFER_ARGS: dict[str, type[BaseModel]] = {
    "forward_letter": create_model(
        "ForwardLetter",
        __base__=Strict,
        from_org_id=(UUID, ...),
        to_org_id=(UUID, ...),
        letter_no=(Text, ""),
    ),
    "present_letter": NoArgs,
    "accept_transfer": NoArgs,
    "end_temporary_transfer": NoArgs,
    "record_portal_reference": create_model(
        "RecordPortalReference", __base__=Strict, reference=(Name, ...)
    ),
    "cancel_transfer": Reason,
}

for _args, _handlers in (
    (ADMISSION_ARGS, ADMISSION_STEPS),
    (MEMBER_ARGS, MEMBER_STEPS),
    (TRANSFER_ARGS, TRANSFER_STEPS),
):
    assert set(_args) == set(_handlers), "every step of the handler tables has a request model"


class StepIn(Strict):
    """A human step: its kind, the date it happened (the meeting, the letter…), its facts."""

    kind: str
    on: Day
    args: BaseModel


def _all_optional(model: type[BaseModel]) -> bool:
    return not any(f.is_required() for f in model.model_fields.values())


def _step_models(prefix: str, args: dict[str, type[BaseModel]]) -> tuple[type[StepIn], ...]:
    def camel(kind: str) -> str:
        return "".join(part.title() for part in kind.split("_"))

    return tuple(
        create_model(
            f"{prefix}{camel(kind)}Step",
            __base__=StepIn,
            kind=(Literal[kind], ...),  # type: ignore[arg-type]
            args=(model, model() if _all_optional(model) else ...),
        )
        for kind, model in args.items()
    )


def _one_of(models: tuple[type[StepIn], ...]) -> Any:
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    AdmissionStepIn = StepIn
    MemberStepIn = StepIn
    TransferStepIn = StepIn
else:
    AdmissionStepIn = _one_of(_step_models("Admission", ADMISSION_ARGS))
    MemberStepIn = _one_of(_step_models("Member", MEMBER_ARGS))
    TransferStepIn = _one_of(_step_models("Transfer", TRANSFER_ARGS))


# --- audit ----------------------------------------------------------------------------------


class ActorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str
    role: str
    org_id: UUID


class HistoryEntryOut(BaseModel):
    """One event: who acted (user, role, organization), under which rule set, when it took
    effect and when it was recorded, and its facts."""

    version: int
    name: str
    recorded_at: datetime
    effective_on: date
    actor: ActorOut
    rule_set: str
    command_key: str
    facts: dict[str, Any]


class TimelineEntryOut(HistoryEntryOut):
    subject: Literal["person", "case", "member", "transfer"]


class AsOfOut(BaseModel):
    """A record as it was known at a moment."""

    id: UUID
    moment: datetime
    version: int
    stage: str
    closed: bool


# --- read models ----------------------------------------------------------------------------


class OrgOut(BaseModel):
    id: UUID
    kind: str
    name: str
    setting: str | None
    parent_id: UUID | None
    path: str
    grassroots_id: UUID | None
    registered_on: date
    dissolved_on: date | None
    may_admit: bool


class QuotaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org_id: UUID
    year: int
    target: int
    admitted: int
    recognized: int
    pipeline: dict[str, int]
    lost: int
    struck_off: int
    breakdowns: dict[str, int]
    forecast: float
    percent: float | None


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    id: UUID
    cell_id: UUID
    stage: str
    stage_since: date | None
    days_in_stage: int | None
    deadline_rule: str | None
    deadline_due: date | None
    working_days_left: int | None
    escalation_level: int
    responsible_id: UUID | None


class ProbationerOut(BaseModel):
    member_id: UUID
    probation_ends: date


class RollOut(BaseModel):
    cell_id: UUID
    full: list[UUID]
    probationary: list[ProbationerOut]
    away: list[UUID]
    guests: list[UUID]
    residence_links: list[UUID]


class CellBelowMinimumOut(BaseModel):
    cell_id: UUID
    name: str
    full_members: int


class CoverageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    hamlets_without_cell: list[str]
    hamlets_without_member: list[str]


class AcknowledgeIn(Strict):
    keys: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=500
    )


class AcknowledgedOut(BaseModel):
    acknowledged: int


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    org_id: UUID
    subject_id: UUID
    rule_id: str
    level: int
    due: date
    created_at: datetime
    acknowledged_at: datetime | None = None
    message: str
