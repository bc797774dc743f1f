"""Access requests (issue 18, item 4; docs/privacy.md, docs/api.md): a person asks to see the
personal data the record holds about them; the organization department records the request
and hands over a file of everything held (infra/privacy/access_file.py), each file an answer
recorded with its SHA-256.

Scope: a person is reached through the cell that holds their record (`cell_holding`, as for a
correction); outside that subtree the person, their requests and the requests' files answer
404 NOT-FOUND like unknown ids. Roles: recording a request and producing its file is the
organization department's (ANSWER_ACCESS: department officers and administrators), the body
that keeps members' dossiers; every role of the subtree may list the requests, auditors with
the requester's name and capacity redacted, and auditors never take the file (403
ACCESS-ROLE: it is personal data)."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from domain.access_request import AccessGround, AccessRequest, RequestChannel, RequestedBy
from domain.errors import NotFound
from domain.organization import Organization
from infra.api.access import ANSWER_ACCESS, may, may_see_personal_data
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.commands import IdempotencyKey, command_key, context, first_answer, new_id
from infra.api.errors import not_found, role_refused
from infra.api.records import REDACTED
from infra.api.schemas import Day, Strict
from infra.api.services import Services
from infra.privacy.access_file import Answering, Holdings, access_file
from infra.users import User
from workflows.messages import ActorRef

router = APIRouter(prefix="/api", tags=["access requests"], responses=REFUSALS)
ZIP = "application/zip"
# Free text, bounded, no NUL; a blank name is the domain's to refuse (PDP-REQUESTER).
Words = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]


class AccessRequestIn(Strict):
    """Who asked (the person, or a representative and in what capacity), when the request
    was received (not after today: DATE-ORDER), how, and on which legal ground (by default
    the one in force on that day: PDP-GROUND)."""

    requested_by: RequestedBy
    requester_name: Words
    requester_capacity: Words = ""  # a representative's: "giấy ủy quyền số 12/UQ", "cha"…
    received_on: Day
    channel: RequestChannel
    ground: AccessGround | None = None


class AnswerOut(BaseModel):
    answered_on: date
    by_user: str
    sha256: str
    size: int


class AccessRequestOut(BaseModel):
    id: UUID
    person_id: UUID
    requested_by: RequestedBy
    requester_name: str  # "[redacted]" for auditors
    requester_capacity: str
    received_on: date
    channel: RequestChannel
    ground: AccessGround
    state: str  # received | answered
    answers: list[AnswerOut]
    file: str  # GET it to produce and download the file (an answer)


def request_out(user: User, request: AccessRequest) -> AccessRequestOut:
    sees = may_see_personal_data(user)
    return AccessRequestOut(
        id=request.id,
        person_id=request.person_id,
        requested_by=request.requested_by,
        requester_name=request.requester_name if sees else REDACTED,
        requester_capacity=request.requester_capacity if sees else REDACTED,
        received_on=request.received_on,
        channel=request.channel,
        ground=request.ground,
        state="answered" if request.answered else "received",
        answers=[
            AnswerOut(answered_on=a.answered_on, by_user=a.by.user_id, sha256=a.sha256, size=a.size)
            for a in request.answers
        ],
        file=f"/api/access-requests/{request.id}/file",
    )


def holding_cell(s: Services, user: User, person_id: UUID) -> UUID:
    """The cell holding the person, inside the user's subtree; otherwise NOT-FOUND either
    way (unknown, another kind of record, or elsewhere)."""
    try:
        holding = s.app.cell_holding(person_id)
    except NotFound:
        holding = None
    if holding is None or not s.scope.inside(user, holding):
        raise not_found("person")
    return holding


def answering_actor(s: Services, user: User, holding: UUID) -> ActorRef:
    if not may(user, ANSWER_ACCESS):
        raise role_refused(ANSWER_ACCESS)
    return s.scope.actor(user, holding)


def record(
    s: Services, user: User, person_id: UUID, body: AccessRequestIn, key: str | None
) -> AccessRequestOut:
    holding = holding_cell(s, user, person_id)
    actor = answering_actor(s, user, holding)
    request_id = s.app.record_access_request(
        context(actor, command_key(user, key)),
        request_id=new_id(user, key, "access-request"),
        person_id=person_id,
        requested_by=body.requested_by,
        requester_name=body.requester_name,
        requester_capacity=body.requester_capacity,
        channel=body.channel,
        received_on=body.received_on,
        today=s.today(),
        ground=body.ground,
    )
    return request_out(user, s.app.load(AccessRequest, request_id))


def listed(s: Services, user: User, person_id: UUID) -> list[AccessRequestOut]:
    holding_cell(s, user, person_id)
    return [request_out(user, r) for r in s.app.access_requests_of(person_id)]


def located_request(s: Services, user: User, request_id: UUID) -> tuple[AccessRequest, UUID]:
    """A request about a person held inside the user's subtree; otherwise NOT-FOUND."""
    try:
        request = s.app.load(AccessRequest, request_id)
    except NotFound:
        raise not_found("access request") from None
    holding = s.app.cell_holding(request.person_id)
    if holding is None or not s.scope.inside(user, holding):
        raise not_found("access request")
    return request, holding


def produce(s: Services, user: User, request_id: UUID) -> bytes:
    """The file of everything held about the person, made in memory; making it is the
    request's answer, recorded (with the file's SHA-256 and its actor) before it is served."""
    request, holding = located_request(s, user, request_id)
    if not may_see_personal_data(user):
        raise role_refused("download_access_file")
    actor = answering_actor(s, user, holding)
    ctx = context(actor, command_key(user, None))
    held = Holdings(s.app, s.users, lambda org_id: org_name(s, org_id)).gather(
        request.person_id, Answering(request, ctx.actor, s.today())
    )
    content = access_file(held)
    s.app.record_access_answer(
        ctx,
        request.id,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        on=s.today(),
    )
    return content


def org_name(s: Services, org_id: UUID) -> str:
    try:
        return str(s.app.load(Organization, org_id).name)
    except NotFound:
        return "—"


# --- routes ----------------------------------------------------------------------------------


@router.post("/people/{person_id}/access-requests", status_code=201)
async def post_access_request(
    person_id: UUID, body: AccessRequestIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> AccessRequestOut:
    """Record a request to see and obtain one's personal data (PDP-REQUESTER, PDP-GROUND,
    DATE-ORDER); the same `Idempotency-Key` again records nothing more."""
    call = partial(record, s, user, person_id, body, key)
    route = f"people/{person_id}/access-requests"

    async def without_names() -> AccessRequestOut:
        # A first answer is kept without personal data (infra/api/answers.py); the names are
        # the record's, never changed: they are put back from it.
        recorded = await run_in_threadpool(call)
        return recorded.model_copy(update={"requester_name": "", "requester_capacity": ""})

    kept = await first_answer(s, user, key, route, AccessRequestOut, without_names)
    request = await run_in_threadpool(s.app.load, AccessRequest, kept.id)
    named = request_out(user, request)
    return kept.model_copy(
        update={
            "requester_name": named.requester_name,
            "requester_capacity": named.requester_capacity,
        }
    )


@router.get("/people/{person_id}/access-requests")
async def get_access_requests(person_id: UUID, user: CurrentUser, s: Svc) -> list[AccessRequestOut]:
    """The person's access requests, in the order recorded, with their answers."""
    return await run_in_threadpool(listed, s, user, person_id)


@router.get(
    "/access-requests/{request_id}/file",
    response_class=Response,
    responses={200: {"content": {ZIP: {}}, "description": "The file to hand over (ZIP)"}},
)
async def get_access_file(request_id: UUID, user: CurrentUser, s: Svc) -> Response:
    """Produce and download the file to hand over: a ZIP of a DOCX (to read) and a JSON (for
    machines) holding everything the record keeps about the person. Each download is an
    answer, an event with its actor and the file's SHA-256 (`X-Content-SHA256`)."""
    content = await run_in_threadpool(produce, s, user, request_id)
    name = f"du-lieu-ca-nhan-{request_id}.zip"  # the request's id: no name in a file name
    return Response(
        content,
        media_type=ZIP,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": hashlib.sha256(content).hexdigest(),
        },
    )
