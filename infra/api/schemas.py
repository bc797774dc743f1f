"""Request and response bodies (pydantic): what the API accepts and returns, as OpenAPI shows.

Every human step is one model per kind, `{"kind", "on", "args"}`, derived from the step's
class (domain/commands/): its fields, their bounds and defaults are declared there only.
Bounds (dates between 1930 and 2100, sizes, lengths) keep nonsense out before it reaches a
process: a handler that cannot read its arguments would otherwise be retried for ever.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)
from uuid import UUID

from annotated_types import MinLen
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model
from pydantic import Strict as Exact

from domain.bounds import Pattern
from domain.commands import STEPS, Step, Subject, steps_of
from domain.values import Departure, Education, Gender, Prerequisite, TransferKind, TransferReason
from infra.users import Role

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


class PasswordChangeIn(Strict):
    old_password: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Annotated[str, Field(max_length=200)]


class TokenInfoOut(BaseModel):
    """A live session or bearer token: its id, never the token."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str  # "api" or "session"
    created_at: datetime
    expires_at: datetime
    current: bool = False  # the one this request is authenticated with


class AccountEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str  # locked, unlocked, password_changed, password_reset, token_revoked
    actor: str  # the user who acted, "system" (a lockout) or "cli"
    detail: str


class LoginStateOut(BaseModel):
    username: str
    failures: int  # failed logins counted now
    locked_at: datetime | None
    events: list[AccountEventOut]


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
    """Personal data (docs/rulebook.md §8): encrypted at rest, never logged."""

    full_name: Name
    birth_date: BirthDay
    citizen_id: Annotated[str, Field(pattern=r"^[0-9]{9}([0-9]{3})?$")]  # CCCD (12) or CMND (9)
    gender: Gender
    ethnicity: Name
    religion: Name | None = None
    address: Name
    education: Education
    youth_union_member: StrictBool = False
    trade_union_member: StrictBool = False
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


class PersonCorrectionIn(Strict):
    """A correction of personal data, on the day it was approved."""

    on: Day
    person: PersonIn


class CaseOut(BaseModel):
    """The case page. `person` is the personal data, for the roles that may see it."""

    view: ViewOut
    person_id: UUID
    opened_on: date
    person: PersonOut | None


class PrerequisiteOut(BaseModel):
    """One item of the recognition checklist (PRB-DOSSIER): in on a date, exempted with a
    reason, or missing (`done` false)."""

    prerequisite: Prerequisite
    done: bool
    on: date | None = None
    exempted_because: str | None = None


class DepartureOut(BaseModel):
    """How and when the member left the Party (READMIT), and any expungement."""

    kind: Departure
    on: date
    expunged_on: date | None = None


class MemberOut(BaseModel):
    view: ViewOut
    person_id: UUID
    case_id: UUID | None
    status: str
    ceremony_on: date
    probation_ends: date
    full_from: date | None
    person: PersonOut | None
    recognition: list[PrerequisiteOut] = []
    departure: DepartureOut | None = None


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
    # a transfer under way out of, into or away from the cell: completed or cancelled before
    # the dissolution (ORG-DISSOLVE-TRANSFER)
    transfer_id: UUID | None = None


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

    year: Annotated[Year, Exact()]  # a number, not "2030": bodies are strictly typed
    on: Day
    count: Annotated[Count, Exact()] | None = None
    rate_percent: Annotated[float, Exact(), Field(ge=0, le=100)] | None = None
    start_of_year_members: Annotated[Count, Exact()] | None = None


class TargetOut(BaseModel):
    org_id: UUID
    year: int
    admissions: int
    count: int | None
    rate_percent: float | None
    start_of_year_members: int | None


# --- human steps ----------------------------------------------------------------------------
# Derived from the step classes (domain/commands/): a body is `{"kind", "on", "args"}`, whose
# `args` are the step's fields with its bounds; dates get the API's years, text never holds a
# NUL and a name is never blank.

NO_NUL, NOT_BLANK = r"^[^\x00]*$", r"^[^\x00]*[^\x00\s][^\x00]*$"


def _http(annotation: Any) -> Any:
    """The type the API validates for a field of a step (or of a value inside one)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        base, *meta = args
        kept = [m for m in meta if not isinstance(m, Pattern)]
        if base is str:
            regex = next((m.regex for m in meta if isinstance(m, Pattern)), None)
            blank = any(isinstance(m, MinLen) and m.min_length > 0 for m in meta)
            regex = regex or (NOT_BLANK if blank else NO_NUL)
            return Annotated[(str, *kept, Field(pattern=regex))]
        return Annotated[(_http(base), *kept)]
    if origin in (Union, types.UnionType):
        return Union[tuple(_http(a) for a in args)]  # noqa: UP007
    if origin is tuple:
        return list[_http(args[0])]  # type: ignore[misc]
    if annotation is bool or annotation is int:
        return StrictBool if annotation is bool else StrictInt  # no "5" for a vote count
    if annotation is date:
        return Day
    if annotation is str:
        return Annotated[str, Field(pattern=NO_NUL)]
    if dataclasses.is_dataclass(annotation):
        return _model_of(cast(type, annotation))
    return annotation


def _json_default(default: Any) -> Any:
    return list(default) if isinstance(default, tuple) else default  # JSON has no tuples


MODELS: dict[type[BaseModel], type] = {}  # each derived model → the domain class it builds


def _model_of(cls: type, name: str | None = None, skip: frozenset[str] = frozenset()) -> Any:
    hints = get_type_hints(cls, include_extras=True)
    fields_ = {
        f.name: (
            _http(hints[f.name]),
            ... if f.default is dataclasses.MISSING else _json_default(f.default),
        )
        for f in dataclasses.fields(cls)
        if f.init and f.name not in skip
    }
    model = create_model(name or cls.__name__, __base__=Strict, **fields_)  # type: ignore[call-overload]
    MODELS[model] = cls
    return model


def _domain(value: Any) -> Any:
    """A validated value as the domain holds it (models → their dataclasses, lists → tuples)."""
    if isinstance(value, BaseModel):
        return MODELS[type(value)](
            **{k: _domain(getattr(value, k)) for k in type(value).model_fields}
        )
    if isinstance(value, list):
        return tuple(_domain(v) for v in value)
    return value


class StepIn(Strict):
    """A human step: its kind, the date it happened (the meeting, the letter…), its facts."""

    kind: str
    on: Day
    args: BaseModel

    def step(self) -> Step:
        """The domain's step."""
        facts = {k: _domain(getattr(self.args, k)) for k in type(self.args).model_fields}
        return STEPS[self.kind](on=self.on, **facts)


ON = frozenset({"on"})  # the step's date is the body's own `on`, beside its `args`


def _all_optional(model: type[BaseModel]) -> bool:
    return not any(f.is_required() for f in model.model_fields.values())


ARGS: dict[Subject, dict[str, type[BaseModel]]] = {
    subject: {
        kind: _model_of(cls, skip=frozenset({"on"})) for kind, cls in steps_of(subject).items()
    }
    for subject in get_args(Subject)
}


def parse_step(kind: str, on: date, facts: dict[str, Any]) -> Step:
    """A step from its facts in JSON form (`{"votes_for": 12, …}`), validated as the API
    validates a body: for the demo's story and the importer's rows."""
    cls = STEPS[kind]
    args = ARGS[cls.applies_to][kind].model_validate(facts)
    return StepIn(kind=kind, on=on, args=args).step()


def _step_models(prefix: str, args: dict[str, type[BaseModel]]) -> tuple[type[StepIn], ...]:
    return tuple(
        create_model(
            f"{prefix}{model.__name__}Step",
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
    AdmissionStepIn = _one_of(_step_models("Admission", ARGS["admission"]))
    MemberStepIn = _one_of(_step_models("Member", ARGS["member"]))
    TransferStepIn = _one_of(_step_models("Transfer", ARGS["transfer"]))


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
    event: str = ""  # the same, as people read it in the language asked:
    sentence: str = ""  # what happened, with names (personal ones for who may see them)
    who: str = ""  # name — role, unit
    recorded: str = ""  # dd/mm/yyyy hh:mm, Vietnam time


class TimelineEntryOut(HistoryEntryOut):
    subject: Literal["person", "case", "member", "transfer"]


Basis = Literal["effective", "recorded"]


class AsOfOut(BaseModel):
    """A record at a moment, on a basis: `recorded`, what the record knew at that moment;
    `effective`, what was true on that day (the acts that took effect by then, however late
    they were recorded). Before the record's first event it did not exist yet: `exists` is
    false, `message` says so, and the stage is null."""

    id: UUID
    moment: datetime
    basis: Basis
    exists: bool
    version: int  # how many of the record's events it counts
    stage: str | None
    closed: bool | None
    message: str = ""  # in the language asked: why there is nothing yet


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
    # None: a count of 1 or 2 of ethnic minorities or religious followers, hidden from a role
    # that may not see personal data (docs/privacy.md, "Small counts")
    breakdowns: dict[str, int | None]
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
    # A document of the dossier lapsing within 3 months, or lapsed (ADM-CERT,
    # ADM-DOSSIER-AGE): a warning, not the stage's deadline; null otherwise.
    warning_rule: str | None = None
    warning_due: date | None = None


class ProbationerOut(BaseModel):
    member_id: UUID
    probation_ends: date


class RollMemberOut(BaseModel):
    member_id: UUID
    name: str | None  # for the roles that may see personal data
    status: str  # on the day of the roll
    joined_on: date
    probation_ends: date
    full_from: date | None


class RollOut(BaseModel):
    """A cell's roll today, or on the day `on` (what was true that day, by effective dates:
    who was on it; away, guests and residence links are kept for today only: null)."""

    cell_id: UUID
    on: date | None = None
    full: list[UUID]
    probationary: list[ProbationerOut]
    away: list[UUID] | None
    guests: list[UUID] | None
    residence_links: list[UUID] | None
    members: list[RollMemberOut] = []  # everyone on the roll, with their names


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
    # escalation (a rung, `level` 0–3) | due_soon (deadline 3 working days away) | assignment
    # (a step made the record this organization's to do); the last two have `level` -1.
    kind: str = "escalation"
