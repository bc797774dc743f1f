"""Reads: the read models (projections.queries.ReadModel) for the questions of the week, and
the record itself for one case, member or transfer and its audit trail. Outside the user's
subtree everything reads as unknown (404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator
from starlette.concurrency import run_in_threadpool

from domain.application import Dangvien
from domain.person import Person
from domain.stages import TransferStage
from infra.api import register
from infra.api.access import (
    ACKNOWLEDGE,
    DISSOLVE,
    breakdowns_shown,
    may,
    may_see_personal_data,
)
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.dissolutions import dissolution_call, dissolution_id
from infra.api.errors import ApiError, language, not_found, role_refused
from infra.api.records import (
    NOT_YET,
    aware,
    entry,
    locate,
    locate_person,
    shown_to,
    stage_of,
)
from infra.api.records import as_of as record_as_of
from infra.api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    AcknowledgedOut,
    AcknowledgeIn,
    AsOfOut,
    Basis,
    CardOut,
    CaseOut,
    CellBelowMinimumOut,
    CoverageOut,
    Day,
    DepartureOut,
    DissolutionOut,
    HistoryEntryOut,
    MemberOut,
    MoveOut,
    NotificationOut,
    OrgOut,
    PersonOut,
    PrerequisiteOut,
    QuotaOut,
    RollOut,
    TimelineEntryOut,
    TransferOut,
    ViewOut,
    Year,
)
from infra.api.services import Services
from infra.history import Narrator
from infra.users import User
from projections import maintenance
from projections.projector import live_version
from projections.queries import ReadModel
from projections.seal import GroupSeal
from projections.tables import tables
from workflows.messages import Subject
from workflows.processes import DissolutionWorkflow
from workflows.views import dissolution_preview as dissolution_preview_of

AS_OF_MAX_EVENTS = 50_000  # an as-of read model replays the log: ~2,700 events/s (bench/)
Today = Annotated[
    Day | None, Query(description="The day the question is asked (default: today in Vietnam)")
]
router = APIRouter(prefix="/api", tags=["reads"], responses=REFUSALS)


def _bounded(moment: datetime) -> datetime:
    """A moment in the years the API knows (a far one would overflow the date arithmetic)."""
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValueError("a moment between 1930 and 2100")
    return moment


Instant = Annotated[datetime, AfterValidator(_bounded)]


def visible(s: Services, user: User, org_id: UUID) -> None:
    if not s.scope.inside(user, org_id):
        raise not_found("organization")


def read_model(s: Services, user: User, org_id: UUID) -> ReadModel:
    visible(s, user, org_id)
    return ReadModel(s.engine, seal=GroupSeal.of(s.app))


def _org(row: Any) -> OrgOut:
    return OrgOut.model_validate(dict(row._mapping))


# --- organizations ----------------------------------------------------------------------------


@router.get("/orgs")
def organizations(user: CurrentUser, s: Svc, under: UUID | None = None) -> list[OrgOut]:
    """The organizations of the user's subtree (or of a node of it), tree order."""
    scope = s.scope
    root = scope.root_of(user)
    if under is not None:
        visible(s, user, under)
        root = scope.path(under)
    if root is None:
        return []
    orgs = tables(live_version(s.engine)).orgs
    with s.engine.connect() as conn:
        rows = conn.execute(
            sa.select(orgs).where(orgs.c.path.startswith(root)).order_by(orgs.c.path)
        )
        return [_org(r) for r in rows]


@router.get("/orgs/{org_id}")
def organization(org_id: UUID, user: CurrentUser, s: Svc) -> OrgOut:
    visible(s, user, org_id)
    orgs = tables(live_version(s.engine)).orgs
    with s.engine.connect() as conn:
        return _org(conn.execute(sa.select(orgs).where(orgs.c.id == org_id)).one())


@router.get("/orgs/{org_id}/quota")
def quota(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    year: Year | None = None,
    today: Today = None,
    as_of: Annotated[
        Instant | None,
        Query(description="The read model as it stood at this moment (replays the log)"),
    ] = None,
) -> QuotaOut:
    """Progress toward the year's admission target, pipeline, losses, breakdowns, forecast."""
    model = read_model(s, user, org_id)
    day = today or s.today()
    if as_of is not None:
        model = as_of_model(s.app, aware(as_of))
    try:
        found = model.quota(org_id, year or day.year, day)
    except LookupError:  # not yet registered at that moment
        raise not_found("organization") from None
    shown = QuotaOut.model_validate(found)
    shown.breakdowns = breakdowns_shown(may_see_personal_data(user), found.breakdowns)
    return shown


def as_of_model(app: Dangvien, moment: datetime) -> ReadModel:
    """The read model replayed into memory up to the events recorded by `moment`: the whole
    log up to then is read (a few seconds per ten thousand events), so it is refused here
    beyond AS_OF_MAX_EVENTS."""
    events = int(app.recorder.max_notification_id() or 0)
    if events > AS_OF_MAX_EVENTS:
        raise ApiError(
            "READ-AS-OF",
            f"Sổ sự kiện quá dài ({events}) để dựng lại tại chỗ",
            f"The log is too long ({events} events) to replay for this request",
        )
    return maintenance.as_of(app, moment)


@router.get("/orgs/{org_id}/board")
def stage_board(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    today: Today = None,
    cell_id: UUID | None = None,
    overdue_only: bool = False,
) -> list[CardOut]:
    """Every open case: stage, time in stage, next deadline, working days left, escalation."""
    model = read_model(s, user, org_id)
    if cell_id is not None:
        visible(s, user, cell_id)
    cards = model.stage_board(
        org_id, today or s.today(), cell_id=cell_id, overdue_only=overdue_only
    )
    return [CardOut.model_validate(c) for c in cards]


@router.get("/orgs/{org_id}/stalled")
def stalled(org_id: UUID, user: CurrentUser, s: Svc, today: Today = None) -> list[CardOut]:
    """Cases, probations and transfers past their deadline or escalated, worst first."""
    cards = read_model(s, user, org_id).stalled(org_id, today or s.today())
    return [CardOut.model_validate(c) for c in cards]


@router.get("/orgs/{org_id}/roll")
def roll(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    today: Today = None,
    on: Annotated[
        Day | None,
        Query(
            description="The roll as it was on this day (what was true on it, by effective "
            "dates); away, guests and residence links are then null"
        ),
    ] = None,
) -> RollOut:
    """A cell's roll: full, probationary, away, guests, residence links (213), and everyone
    on it with their names (for the roles that may see personal data)."""
    visible(s, user, org_id)
    return register.roll_out(s, user, org_id, today or s.today(), on)


@router.get("/orgs/{org_id}/cells-below-minimum")
def cells_below_minimum(
    org_id: UUID, user: CurrentUser, s: Svc, today: Today = None
) -> list[CellBelowMinimumOut]:
    """Cells with fewer full members than a vote needs (ORG-MIN)."""
    found = read_model(s, user, org_id).cells_below_minimum(org_id, today or s.today())
    return [CellBelowMinimumOut(cell_id=i, name=n, full_members=c) for i, n, c in found]


@router.get("/orgs/{org_id}/transfers-in-transit")
def transfers_in_transit(
    org_id: UUID, user: CurrentUser, s: Svc, today: Today = None
) -> list[CardOut]:
    """Transfers that left and were not yet presented, with working days left."""
    cards = read_model(s, user, org_id).transfers_in_transit(org_id, today or s.today())
    return [CardOut.model_validate(c) for c in cards]


@router.get("/orgs/{org_id}/transfers")
def transfers(
    org_id: UUID,
    user: CurrentUser,
    s: Svc,
    stage: Annotated[list[TransferStage] | None, Query(max_length=6)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    today: Today = None,
) -> list[CardOut]:
    """Transfers sent or received by the subtree at the stages asked (every stage when none),
    the latest started first: the finished ones are `completed` and `cancelled`."""
    stages = [str(x) for x in stage] if stage else [str(x) for x in TransferStage]
    cards = read_model(s, user, org_id).transfers(org_id, today or s.today(), stages, limit)
    return [CardOut.model_validate(c) for c in cards]


@router.get("/orgs/{org_id}/coverage")
def coverage(org_id: UUID, user: CurrentUser, s: Svc) -> CoverageOut:
    """Hamlets and residential groups without a cell, or without a member."""
    return CoverageOut.model_validate(read_model(s, user, org_id).coverage(org_id))


@router.get("/orgs/{org_id}/notifications")
def org_notifications(
    org_id: UUID, request: Request, user: CurrentUser, s: Svc
) -> list[NotificationOut]:
    """The escalation notices sent to the organization, oldest first (in the language asked)."""
    visible(s, user, org_id)
    lang = language(request)
    return [
        NotificationOut(
            **{k: v for k, v in row._mapping.items() if k in NotificationOut.model_fields},
            message=row.message_en if lang == "en" else row.message_vi,
        )
        for row in s.notifications.for_org(org_id)
    ]


@router.post("/notifications/acknowledge")
def acknowledge_notifications(body: AcknowledgeIn, user: CurrentUser, s: Svc) -> AcknowledgedOut:
    """Mark notices as seen: only those sent inside the user's subtree (others are ignored,
    as if unknown); auditors only read."""
    return AcknowledgedOut(acknowledged=acknowledge(s, user, body.keys))


def acknowledge(s: Services, user: User, keys: list[str]) -> int:
    if not may(user, ACKNOWLEDGE):
        raise role_refused(ACKNOWLEDGE)
    sent_to = s.notifications.recipients(keys)
    return s.notifications.acknowledge(
        [key for key, org_id in sent_to.items() if s.scope.inside(user, org_id)]
    )


# --- dissolution --------------------------------------------------------------------------------


@router.get("/orgs/{org_id}/dissolution/preview")
def dissolution_preview(org_id: UUID, user: CurrentUser, s: Svc, on: Today = None) -> list[MoveOut]:
    """Where each member of the cell would go: the cell of their 213 residence link when it
    is in the same grassroots organization; otherwise the officer chooses."""
    visible(s, user, org_id)
    if not may(user, DISSOLVE):
        raise role_refused(DISSOLVE)
    preview = dissolution_preview_of(s.app, org_id, on or s.today())
    return [MoveOut.model_validate(p) for p in preview]


@router.get("/orgs/{org_id}/dissolution")
async def dissolution_progress(org_id: UUID, user: CurrentUser, s: Svc) -> DissolutionOut:
    """How far the cell's dissolution went: moved, failed (retried), dissolved."""
    await run_in_threadpool(visible, s, user, org_id)
    handle = (await s.temporal.client()).get_workflow_handle(dissolution_id(org_id))
    progress = await dissolution_call(handle.query(DissolutionWorkflow.status))
    return DissolutionOut.model_validate(progress)


# --- one record and its audit trail ---------------------------------------------------------


def view_out(s: Services, ident: UUID, today: date | None) -> ViewOut:
    """The record's view exactly as its process computes it (the workflow's `status`)."""
    return ViewOut.model_validate(s.view_of(ident, today or s.today()))


def person_out(app: Dangvien, user: User, person_id: UUID) -> PersonOut | None:
    if not may_see_personal_data(user):
        return None
    return PersonOut.model_validate(app.load(Person, person_id).data)


@router.get("/cases/{case_id}")
def case(case_id: UUID, user: CurrentUser, s: Svc, today: Today = None) -> CaseOut:
    """The case page: its process view, and the person's data for the roles that may see it
    (not auditors)."""
    found = locate(s.app, s.scope, user, "admission", case_id)
    return CaseOut(
        view=view_out(s, case_id, today),
        person_id=found.record.person_id,
        opened_on=found.record.opened_on,
        person=person_out(s.app, user, found.record.person_id),
    )


@router.get("/members/{member_id}")
def member(member_id: UUID, user: CurrentUser, s: Svc, today: Today = None) -> MemberOut:
    found = locate(s.app, s.scope, user, "member", member_id)
    record = found.record
    return MemberOut(
        view=view_out(s, member_id, today),
        person_id=record.person_id,
        case_id=record.case_id,
        status=str(record.status),
        ceremony_on=record.ceremony_on,
        probation_ends=record.probation_ends,
        full_from=record.full_from,
        person=person_out(s.app, user, record.person_id),
        recognition=[
            PrerequisiteOut(
                prerequisite=p,
                done=done,
                on=record.paper_on(p),
                exempted_because=record.exempted_papers.get(p),
            )
            for p, done in record.recognition_checklist.items()
        ],
        departure=DepartureOut(
            kind=record.departure[0], on=record.departure[1], expunged_on=record.expunged_on
        )
        if record.departure
        else None,
    )


@router.get("/transfers/{transfer_id}")
def transfer(transfer_id: UUID, user: CurrentUser, s: Svc, today: Today = None) -> TransferOut:
    found = locate(s.app, s.scope, user, "transfer", transfer_id)
    record = found.record
    return TransferOut(
        view=view_out(s, transfer_id, today),
        member_id=record.member_id,
        kind=record.kind,
        reason=record.reason,
        from_cell_id=record.from_cell_id,
        destination_org_id=record.destination_org_id,
        to_cell_id=record.to_cell_id,
        started_on=record.started_on,
    )


def narrator(s: Services, user: User, request: Request) -> Narrator:
    """The history's sentences in the language asked, personal data for who may see it."""
    return Narrator(s.app, language(request), personal=may_see_personal_data(user), users=s.users)


def history(
    s: Services, user: User, subject: Subject, ident: UUID, request: Request
) -> list[HistoryEntryOut]:
    locate(s.app, s.scope, user, subject, ident)
    told = narrator(s, user, request)
    return [
        HistoryEntryOut.model_validate(entry(user, e) | told.text(e)) for e in s.app.history(ident)
    ]


@router.get("/cases/{case_id}/history")
def case_history(
    case_id: UUID, user: CurrentUser, s: Svc, request: Request
) -> list[HistoryEntryOut]:
    """Every event of the case: who acted (user, role, organization), under which rule set,
    effective and recorded dates, facts (personal data redacted for auditors), and the same
    as people read it (`sentence`, `who`, `recorded`: Vietnam time), in the language asked."""
    return history(s, user, "admission", case_id, request)


@router.get("/members/{member_id}/history")
def member_history(
    member_id: UUID, user: CurrentUser, s: Svc, request: Request
) -> list[HistoryEntryOut]:
    return history(s, user, "member", member_id, request)


@router.get("/transfers/{transfer_id}/history")
def transfer_history(
    transfer_id: UUID, user: CurrentUser, s: Svc, request: Request
) -> list[HistoryEntryOut]:
    return history(s, user, "transfer", transfer_id, request)


@router.get("/people/{person_id}/timeline")
def timeline(
    person_id: UUID, user: CurrentUser, s: Svc, request: Request
) -> list[TimelineEntryOut]:
    """A person's history as candidate and member: their record, each case, their
    membership and its transfers, in recorded order — what happened inside the user's
    subtree (the department above sees the whole)."""
    locate_person(s.app, s.scope, user, person_id)
    told = narrator(s, user, request)
    return [
        TimelineEntryOut.model_validate({"subject": kind, **entry(user, e), **told.text(e)})
        for kind, e in s.app.timeline(person_id, shown_to(s.app, s.scope, user))
    ]


def as_of(
    s: Services,
    user: User,
    subject: Subject,
    ident: UUID,
    moment: datetime,
    basis: Basis,
    lang: str,
) -> AsOfOut:
    found = locate(s.app, s.scope, user, subject, ident)
    moment = aware(moment)
    then, counted = record_as_of(s.app, type(found.record), ident, moment, basis)
    if then is None:
        vi, en = NOT_YET[basis]
        message = en if lang == "en" else vi
        return AsOfOut(
            id=ident,
            moment=moment,
            basis=basis,
            exists=False,
            version=0,
            stage=None,
            closed=None,
            message=message,
        )
    stage, closed = stage_of(then)
    return AsOfOut(
        id=ident,
        moment=moment,
        basis=basis,
        exists=True,
        version=counted,
        stage=stage,
        closed=closed,
    )


Moment = Annotated[
    Instant, Query(description="ISO date-time, 1930 to 2100; without a zone, Vietnam time")
]
AsOfBasis = Annotated[
    Basis,
    Query(
        description="recorded (default): what the record knew at the moment; effective: what "
        "was true on the moment's day in Vietnam (the acts that took effect by then, however "
        "late they were recorded)"
    ),
]


@router.get("/cases/{case_id}/as-of")
def case_as_of(
    case_id: UUID,
    moment: Moment,
    user: CurrentUser,
    s: Svc,
    request: Request,
    basis: AsOfBasis = "recorded",
) -> AsOfOut:
    """The case at a moment: what the record knew then, or what was true that day."""
    return as_of(s, user, "admission", case_id, moment, basis, language(request))


@router.get("/members/{member_id}/as-of")
def member_as_of(
    member_id: UUID,
    moment: Moment,
    user: CurrentUser,
    s: Svc,
    request: Request,
    basis: AsOfBasis = "recorded",
) -> AsOfOut:
    return as_of(s, user, "member", member_id, moment, basis, language(request))


@router.get("/transfers/{transfer_id}/as-of")
def transfer_as_of(
    transfer_id: UUID,
    moment: Moment,
    user: CurrentUser,
    s: Svc,
    request: Request,
    basis: AsOfBasis = "recorded",
) -> AsOfOut:
    return as_of(s, user, "transfer", transfer_id, moment, basis, language(request))
