"""Commands: every one goes through the process that owns it (a Temporal workflow start or the
`act` update), except the admission targets, which are no process (a direct command).

What is checked here, before anything is written: the body (pydantic), who may (role, scope),
and what the domain can tell without writing (a rule set in force on the day of the act —
RULES-PERIOD —, the person may open a case, the cell exists, every member of a dissolved cell
has a destination). The domain and the workflow's validator check the rest; their refusals
come back with the rule id, and nothing is written.

A client may send `Idempotency-Key`: the same key again repeats nothing (it becomes the
command key, and the id of what the command creates) and answers what the command answered
the first time (`first_answer`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Header
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain import policy
from domain.application import NAMESPACE, Context
from domain.commands import Step, Subject
from domain.commands.probation import MemberStep
from domain.commands.transfers import AcceptTransfer
from domain.errors import ConcurrencyConflict, NotFound, RuleViolation
from domain.handlers import handle
from domain.member import Status
from domain.organization import AdmissionTarget, Organization
from domain.person import PersonalData
from domain.services.paper_statements_transfer import check_transfer_letter
from domain.values import Actor
from domain.values import Role as ActorRole
from infra.api.access import (
    CORRECT_PERSON,
    OPEN_CASE,
    SET_TARGET,
    START_TRANSFER,
    may,
)
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.errors import ApiError, carried, not_found, role_refused, scope_refused
from infra.api.records import Located, acting_for, locate
from infra.api.schemas import (
    AcknowledgedOut,
    AdmissionStepIn,
    CaseStartIn,
    ErrorOut,
    MemberStepIn,
    PersonCorrectionIn,
    StepIn,
    TargetIn,
    TargetOut,
    TransferStartIn,
    TransferStepIn,
    ViewOut,
)
from infra.api.services import Services, temporal_unavailable
from infra.users import User
from workflows.messages import (
    TASK_QUEUE,
    Act,
    ActorRef,
    AdmissionStart,
    ProbationStart,
    TransferStart,
    View,
)
from workflows.processes import (
    AdmissionWorkflow,
    ProbationWorkflow,
    Process,
    TransferWorkflow,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
PROCESS_SECONDS = 30.0  # an update or a start answers well within this, or the worker is down
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeating a request with the same key repeats nothing",
    ),
]
router = APIRouter(
    prefix="/api",
    tags=["commands"],
    responses={
        **REFUSALS,
        409: {"model": ErrorOut, "description": "The stage does not accept it (CASE-STAGE)"},
        422: {"description": "Invalid body, or a rule refused it (rule_id)"},
        503: {"model": ErrorOut, "description": "Temporal is not reachable"},
    },
)


def command_key(user: User, key: str | None) -> str:
    return f"api/{user.id}/{key}" if key else str(uuid4())


async def first_answer(
    s: Services,
    user: User,
    key: str | None,
    command: str,
    model: type[M],
    answer: Callable[[], Awaitable[M]],
) -> M:
    """The command's answer; with a key, the one it gave the first time it went through."""
    if key is None:
        return await answer()
    kept = await run_in_threadpool(s.answers.first, user.id, command, key)
    if kept is None:
        first = (await answer()).model_dump_json()
        kept = await run_in_threadpool(s.answers.keep, user.id, command, key, first)
    return model.model_validate_json(kept)


def new_id(user: User, key: str | None, what: str) -> UUID:
    """The id of a created record: random, or derived from the client's key (a repeat)."""
    return uuid5(NAMESPACE, f"api/{what}/{user.id}/{key}") if key else uuid4()


def context(actor: ActorRef, key: str) -> Context:
    return Context(Actor(actor.user_id, ActorRole(actor.role), actor.org_id), key)


def no_process() -> RuleViolation:
    return RuleViolation(
        "CASE-STAGE",
        "Không có quy trình nào đang chạy nhận bước này (hồ sơ đã kết thúc?)",
        "No running process accepts this step (is the record closed?)",
    )


async def through_temporal(call: Awaitable[T]) -> T:
    """A Temporal call, its failures told as refusals: the rule id a workflow carried back,
    no running process (CASE-STAGE), unreachable (503), no answer in time (504)."""
    try:
        async with asyncio.timeout(PROCESS_SECONDS):
            return await call
    except (TimeoutError, RPCTimeoutOrCancelledError):
        raise ApiError(
            "TEMPORAL-TIMEOUT",
            "Quy trình chưa trả lời; gửi lại với cùng Idempotency-Key sẽ không lặp lại việc",
            "The process did not answer in time; resending with the same Idempotency-Key "
            "repeats nothing",
        ) from None
    except (WorkflowUpdateFailedError, WorkflowFailureError) as error:
        refusal = carried(error)
        if refusal is None:
            raise
        raise refusal from None
    except RPCError as error:
        if error.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise no_process() from None
        if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise temporal_unavailable() from None
        raise


async def opened(client: Client, handle: WorkflowHandle[Any, Any]) -> View:
    """The process's first view, once its opening activity answered. A refusal of the opening
    (the domain's) fails the workflow: it is read from the history and raised with its rule
    id (not by awaiting the result, which would let a time-skipping test server jump ahead)."""
    while True:
        view: View | None = await handle.query("status", result_type=View)
        if view is not None:
            return view
        described = await handle.describe()
        if described.status is WorkflowExecutionStatus.FAILED:
            last = (await handle.fetch_history()).events[-1]
            failure = last.workflow_execution_failed_event_attributes.failure
            error = await client.data_converter.decode_failure(failure)
            raise carried(error) or error
        if described.status not in (None, WorkflowExecutionStatus.RUNNING):
            raise no_process()
        await asyncio.sleep(0.05)


async def start_process(client: Client, run: Any, arg: Any, workflow_id: str) -> View:
    """Start (or find, on a repeat) the process and wait for its opening view."""

    async def start() -> View:
        try:
            handle = await client.start_workflow(
                run,
                arg,
                id=workflow_id,
                task_queue=TASK_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:  # a closed run of the same id: a repeat
            handle = client.get_workflow_handle(workflow_id, result_type=View)
        return await opened(client, handle)

    return await through_temporal(start())


def org_command(s: Services, user: User, org_id: UUID, command: str) -> ActorRef:
    """A command on the organization its path names: outside the user's subtree or unknown,
    the same NOT-FOUND (a refusal would tell that it exists); then the role may (403).
    Returns who acts."""
    if not s.scope.inside(user, org_id):
        raise not_found("organization")
    if not may(user, command):
        raise role_refused(command)
    return s.scope.actor(user, org_id)


def named_org(s: Services, user: User, org_id: UUID, command: str) -> ActorRef:
    """A command at an organization its body names (the cell of a new case): the role may
    (403), then the organization is in the user's subtree — outside or unknown, the same
    ACCESS-SCOPE (a NOT-FOUND for the unknown alone would map the tree). Returns who acts."""
    if not may(user, command):
        raise role_refused(command)
    if not s.scope.inside(user, org_id):
        raise scope_refused()
    return s.scope.actor(user, org_id)


def named_member(s: Services, user: User, member_id: UUID) -> Located:
    """A member a body names (the member of a transfer, a new case's helper): in the user's
    subtree — outside or unknown, the same ACCESS-SCOPE."""
    try:
        return locate(s.app, s.scope, user, "member", member_id)
    except NotFound:
        raise scope_refused("member") from None


# --- human steps ------------------------------------------------------------------------------


async def act(
    s: Services, user: User, subject: Subject, ident: UUID, body: StepIn, key: str | None
) -> ViewOut:
    """A step through the `act` update of the process that runs the record; a standing step
    of a member without a process (a full member) directly."""
    step = body.step()

    def prepare() -> tuple[Located, Act]:
        scope = s.scope
        found = locate(s.app, scope, user, subject, ident)
        if not may(user, step.step_kind):
            raise role_refused(step.step_kind)
        policy.rules_at(step.on)
        acting = [o for o in acting_for(found, step) if scope.inside(user, o)]
        if not acting:
            raise scope_refused()
        if isinstance(step, AcceptTransfer) and found.record.stage in step.stages:
            # TRF-LETTER-CODE: the receiving side checked the letter dangvien issued
            check_transfer_letter(s.app, ident, step.letter_code)
        act = Act(step, scope.actor(user, acting[0]), command_key(user, key), ident)
        return found, s.authority.signed(act)

    client = await s.temporal.client()  # first: unreachable, nothing is written
    found, message = await run_in_threadpool(prepare)
    if without_process(found, step):
        return await run_in_threadpool(apply_directly, s, ident, message)
    if registered_probationer(found):  # its probation runs from the first step taken on it
        start = ProbationStart(ident, None)
        await start_process(client, ProbationWorkflow.run, start, found.workflow_id)
    process = client.get_workflow_handle(found.workflow_id)
    view = await through_temporal(process.execute_update(Process.act, message))
    return ViewOut.model_validate(view)


def without_process(found: Located, step: Step) -> bool:
    """A full member has no process: its standing steps are applied directly (as targets
    are); a probationer's go through its ProbationWorkflow, which holds the deadlines."""
    return (
        isinstance(step, MemberStep)
        and step.standing
        and found.record.status is not Status.probationary
    )


def registered_probationer(found: Located) -> bool:
    """A probationer registered from a paper dossier (or an import) has no admission case
    whose workflow would have continued into its probation."""
    return (
        found.subject == "member"
        and found.record.case_id is None
        and found.record.status is Status.probationary
    )


def apply_directly(s: Services, member_id: UUID, act: Act, attempts: int = 5) -> ViewOut:
    """The step's handler (the same the activity runs), retried when another writer changed
    the member first (the command is idempotent)."""
    for attempt in range(attempts):
        try:
            handle(s.app, context(act.actor, act.command_key), member_id, act.step)
            break
        except ConcurrencyConflict:
            if attempt == attempts - 1:
                raise
    return ViewOut.model_validate(s.view_of(member_id, act.step.on))


@router.post("/cases/{case_id}/steps")
async def case_step(
    case_id: UUID, step: AdmissionStepIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> ViewOut:
    """A step of an admission case (domain/commands/admission.py): returns its new view."""
    return await first_answer(
        s,
        user,
        key,
        f"cases/{case_id}/steps",
        ViewOut,
        lambda: act(s, user, "admission", case_id, step, key),
    )


@router.post("/members/{member_id}/steps")
async def member_step(
    member_id: UUID, step: MemberStepIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> ViewOut:
    """A step of a probation (review vote, recognition, holds, residence link…)."""
    return await first_answer(
        s,
        user,
        key,
        f"members/{member_id}/steps",
        ViewOut,
        lambda: act(s, user, "member", member_id, step, key),
    )


@router.post("/transfers/{transfer_id}/steps")
async def transfer_step(
    transfer_id: UUID,
    step: TransferStepIn,
    user: CurrentUser,
    s: Svc,
    key: IdempotencyKey = None,
) -> ViewOut:
    """A step of a transfer (the letter's hops, presentation, acceptance, return…)."""
    return await first_answer(
        s,
        user,
        key,
        f"transfers/{transfer_id}/steps",
        ViewOut,
        lambda: act(s, user, "transfer", transfer_id, step, key),
    )


# --- starting processes -----------------------------------------------------------------------


def within_reach(s: Services, user: User, person_id: UUID) -> None:
    """PERSON-ELSEWHERE: a person whose record another subtree holds is neither read nor
    attached nor corrected from here. One answer whatever that record is (a member, a case,
    a closed case), telling who can look further; each is a security event, and a user who
    gathers too many in an hour is refused more (RATE-LIMITED)."""
    holding = s.app.cell_holding(person_id)
    if holding is not None and s.scope.inside(user, holding):
        return
    if s.security.throttled(user.id, "PERSON-ELSEWHERE"):
        raise ApiError(
            "RATE-LIMITED",
            "Quá nhiều yêu cầu về người ngoài phạm vi; thử lại sau một giờ",
            "Too many requests about people outside your reach; try again in an hour",
        )
    s.security.record(user.id, "PERSON-ELSEWHERE")
    raise ApiError(
        "PERSON-ELSEWHERE",
        "Người này đã có hồ sơ do nơi khác quản lý; đề nghị Ban Tổ chức cấp trên kiểm tra",
        "This person's record is held elsewhere; ask the organization department above",
    )


@router.post("/cases", status_code=201)
async def start_case(
    body: CaseStartIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> ViewOut:
    """Open an admission case at a cell: the AdmissionWorkflow starts, recording a new person
    with the case (a recorded one keeps their record); returns its first view."""
    return await open_case(s, user, body, key)


async def open_case(s: Services, user: User, body: CaseStartIn, key: str | None) -> ViewOut:
    """Opening a case, for the API and the web alike: every check before anything is
    written, then the AdmissionWorkflow."""
    case_id = new_id(user, key, "case")

    def prepare() -> AdmissionStart:
        actor = named_org(s, user, body.cell_id, OPEN_CASE)
        if body.helper_member_id is not None:
            named_member(s, user, body.helper_member_id)
        person_id = s.app.person_id_for(body.person.citizen_id)
        recorded = s.app.exists(person_id)
        if recorded:
            within_reach(s, user, person_id)
        s.app.check_can_open(
            context(actor, "check"),
            case_id=case_id,
            person_id=person_id,
            cell_id=body.cell_id,
            on=body.on,
        )
        # A new person is recorded with the case, by the opening activity (nothing before it
        # opens); a recorded one keeps their record (corrections are their own command).
        data = None if recorded else PersonalData(**body.person.model_dump())
        start = AdmissionStart(
            case_id, person_id, body.cell_id, body.on, actor, body.helper_member_id, person=data
        )
        return s.authority.signed(start)

    async def begin() -> ViewOut:
        client = await s.temporal.client()  # first: unreachable, nothing is written
        start = await run_in_threadpool(prepare)
        view = await start_process(client, AdmissionWorkflow.run, start, f"admission-{case_id}")
        return ViewOut.model_validate(view)

    return await first_answer(s, user, key, "cases", ViewOut, begin)


@router.post("/transfers", status_code=201)
async def start_transfer(
    body: TransferStartIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> ViewOut:
    """Start a transfer of a member of the user's subtree (official, temporary, internal)."""
    return await begin_transfer(s, user, body, key)


async def begin_transfer(
    s: Services, user: User, body: TransferStartIn, key: str | None
) -> ViewOut:
    """Starting a transfer, for the API and the web alike."""
    transfer_id = new_id(user, key, "transfer")

    def prepare() -> TransferStart:
        scope = s.scope
        if not may(user, START_TRANSFER):
            raise role_refused(START_TRANSFER)
        member = named_member(s, user, body.member_id)
        policy.rules_at(body.on)
        s.app.load(Organization, body.destination_org_id)
        start = TransferStart(
            transfer_id,
            body.member_id,
            str(body.kind),
            str(body.reason),
            body.destination_org_id,
            body.trigger_on,
            body.on,
            scope.actor(user, member.orgs[0]),
            body.returns_on,
            body.portal_reference,
        )
        return s.authority.signed(start)

    async def begin() -> ViewOut:
        client = await s.temporal.client()  # first: unreachable, nothing is written
        start = await run_in_threadpool(prepare)
        view = await start_process(client, TransferWorkflow.run, start, f"transfer-{transfer_id}")
        return ViewOut.model_validate(view)

    return await first_answer(s, user, key, "transfers", ViewOut, begin)


# --- people (no process: a direct command) ---------------------------------------------------


@router.post("/people/{person_id}/correction")
async def correct_person(
    person_id: UUID, body: PersonCorrectionIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> AcknowledgedOut:
    """A correction of a person's data (a new record, never an edit), by the subtree that
    holds the person: anywhere else the person reads as unknown (404)."""

    def correct() -> AcknowledgedOut:
        try:
            holding = s.app.cell_holding(person_id)
        except NotFound:  # unknown, or the id of another kind of record
            holding = None
        if holding is None or not s.scope.inside(user, holding):
            raise not_found("person")
        if not may(user, CORRECT_PERSON):
            raise role_refused(CORRECT_PERSON)
        policy.rules_at(body.on)
        actor = s.scope.actor(user, holding)
        s.app.correct_person(
            context(actor, command_key(user, key)),
            person_id,
            PersonalData(**body.person.model_dump()),
            body.on,
        )
        return AcknowledgedOut(acknowledged=1)

    return await first_answer(
        s,
        user,
        key,
        f"people/{person_id}/correction",
        AcknowledgedOut,
        lambda: run_in_threadpool(correct),
    )


# --- targets (no process: a direct command) --------------------------------------------------


@router.post("/orgs/{org_id}/targets", status_code=201)
async def set_target(
    org_id: UUID, body: TargetIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> TargetOut:
    """The admission target of an organization for a year (ORG-TARGET): a number, or a rate
    of the start-of-year membership. A new target replaces the year's previous one."""

    def set_it() -> TargetOut:
        actor = org_command(s, user, org_id, SET_TARGET)
        target = AdmissionTarget(
            body.year, body.count, body.rate_percent, body.start_of_year_members
        )
        s.app.set_target(context(actor, command_key(user, key)), org_id, target, body.on)
        return TargetOut(
            org_id=org_id,
            year=target.year,
            admissions=target.admissions,
            count=target.count,
            rate_percent=target.rate_percent,
            start_of_year_members=target.start_of_year_members,
        )

    return await first_answer(
        s, user, key, f"orgs/{org_id}/targets", TargetOut, lambda: run_in_threadpool(set_it)
    )
