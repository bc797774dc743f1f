"""Papers (issue 16, docs/documents.md): issued from a case's record, read, downloaded as DOCX,
superseded by a correction, and verified by their code.

A paper is about a case: the case named in the path outside the user's subtree answers 404
NOT-FOUND like an unknown id, and so does a paper of such a case. Who issues: the cell's
secretary its resolution (ISSUE_RESOLUTION), the committee's organization department its
decision (ISSUE_DECISION), each inside its subtree (the issuing body outside it: 403
ACCESS-SCOPE). Issuing is direct (no process waits on a paper) and idempotent by its
`Idempotency-Key`. A download is recorded as an event with its actor (`PaperDownloaded`)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from domain import policy
from domain.errors import NotFound, RuleViolation
from domain.paper import FORMS, Paper, PaperKind, PaperSubject
from infra.api.access import (
    ISSUE_COMMITTEE_RESOLUTION,
    ISSUE_DECISION,
    ISSUE_REPORT,
    ISSUE_RESOLUTION,
    may,
    may_see_personal_data,
)
from infra.api.auth import REFUSALS, CurrentUser, Svc, bearer, client_address, cookie, user_of
from infra.api.commands import IdempotencyKey, command_key, context, first_answer, new_id
from infra.api.errors import ApiError, not_found, role_refused, scope_refused
from infra.api.records import REDACTED
from infra.api.schemas import Day, Strict
from infra.api.services import Services
from infra.papers.pdf import ConversionFailed, docx_to_pdf
from infra.papers.render import render_docx
from infra.papers.subjects import inside, subject_inside
from infra.papers.verify import Verified, verify
from infra.users import User

router = APIRouter(prefix="/api", tags=["papers"], responses=REFUSALS)
Title = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\x00]*\S[^\x00]*$")]
Reason = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\x00]*\S[^\x00]*$")]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
COMMAND = {
    PaperKind.cell_resolution: ISSUE_RESOLUTION,
    PaperKind.admission_decision: ISSUE_DECISION,
    PaperKind.grassroots_resolution: ISSUE_COMMITTEE_RESOLUTION,
    PaperKind.recognition_decision: ISSUE_DECISION,
    PaperKind.dissolution_decision: ISSUE_DECISION,
    PaperKind.quota_report: ISSUE_REPORT,
    # the sending grassroots committee's organization department, as it starts the transfer
    PaperKind.transfer_letter: ISSUE_DECISION,
}
PERSONAL = ("applicant_", "member_")  # facts that name a person: redacted for auditors


class PaperIn(Strict):
    """The paper the case's recorded step ends in, dated `on` (PAPER-STEP: not before it)."""

    kind: PaperKind
    on: Day
    signatory_title: Title | None = None  # "BÍ THƯ" by default; "PHÓ BÍ THƯ"…


class SupersedeIn(Strict):
    on: Day
    reason: Reason
    signatory_title: Title | None = None


class PaperOut(BaseModel):
    id: UUID
    kind: PaperKind
    subject: PaperSubject  # what the paper is about: admission, member, transfer…
    subject_id: UUID  # that record's id
    case_id: UUID  # the same id (the first papers were all about admission cases)
    issuer_id: UUID
    year: int
    number: int
    symbol: str  # "12-NQ/CB"
    place: str
    issued_on: date
    signatory_title: str
    facts: dict[str, Any]  # what it states, as recorded when issued (personal data redacted
    # for auditors)
    replaces: UUID | None
    superseded_by: UUID | None
    superseded_on: date | None
    code: str  # the verification code printed on it
    download: str


class VerifyOut(BaseModel):
    """What anyone holding the paper may check; `case_id` only for a user whose subtree holds
    the case."""

    kind: PaperKind
    number: int
    symbol: str
    issued_on: date
    issuer: str
    superseded: bool
    superseded_by: str | None
    case_id: UUID | None


def redacted(value: Any) -> Any:
    """A personal fact for an auditor: a list of rows (a dissolution's moves) keeps its rows
    and what is not personal in them (the cell, the day); every other value is redacted."""
    if isinstance(value, list) and all(isinstance(row, dict) for row in value):
        return [
            {k: redacted(v) if k.startswith(PERSONAL) else v for k, v in row.items()}
            for row in value
        ]
    return REDACTED


def paper_out(s: Services, user: User, paper: Paper) -> PaperOut:
    facts = dict(paper.facts)
    if not may_see_personal_data(user):
        facts = {k: redacted(v) if k.startswith(PERSONAL) else v for k, v in facts.items()}
    return PaperOut(
        id=paper.id,
        kind=paper.kind,
        subject=paper.subject,
        subject_id=paper.subject_id,
        case_id=paper.subject_id,
        issuer_id=paper.org_id,
        year=paper.year,
        number=paper.number,
        symbol=paper.symbol,
        place=paper.place,
        issued_on=paper.issued_on,
        signatory_title=paper.signatory_title,
        facts=facts,
        replaces=paper.replaces,
        superseded_by=paper.superseded_by,
        superseded_on=paper.superseded_on,
        code=s.app.paper_code(paper.id),
        download=f"/api/papers/{paper.id}.docx",
    )


def issuing(s: Services, user: User, subject_id: UUID, kind: PaperKind, on: date) -> Any:
    """The role may issue this kind (403 ACCESS-ROLE), for an issuing body in its subtree (403
    ACCESS-SCOPE); the step it records has happened (PAPER-STEP). Returns who acts."""
    if not may(user, COMMAND[kind]):
        raise role_refused(COMMAND[kind])
    policy.check_not_after_today(on, s.today())
    issuer_id = s.app.paper_statement(subject_id, kind, on).issuer_id
    if not s.scope.inside(user, issuer_id):
        raise scope_refused()
    return s.scope.actor(user, issuer_id)


def located_paper(s: Services, user: User, paper_id: UUID) -> Paper:
    """A paper about a record inside the user's subtree; otherwise NOT-FOUND either way."""
    try:
        paper = s.app.load(Paper, paper_id)
        subject_inside(s, user, paper)
    except NotFound:
        raise not_found("paper") from None
    return paper


def issue(
    s: Services,
    user: User,
    subject: PaperSubject,
    subject_id: UUID,
    body: PaperIn,
    key: str | None,
    issuer_id: UUID | None = None,
) -> PaperOut:
    """Issue a paper about a record the user sees (NOT-FOUND otherwise); a kind about another
    subject is refused (PAPER-KIND)."""
    inside(s, user, subject, subject_id, issuer_id)
    if FORMS[body.kind].subject is not subject:
        raise RuleViolation(
            "PAPER-KIND",
            "Loại giấy tờ này không ban hành cho hồ sơ này",
            "This kind of paper is not issued for this record",
            kind=str(body.kind),
        )
    actor = issuing(s, user, subject_id, body.kind, body.on)
    paper_id = s.app.issue_paper(
        context(actor, command_key(user, key)),
        paper_id=new_id(user, key, "paper"),
        subject_id=subject_id,
        kind=body.kind,
        on=body.on,
        signatory_title=body.signatory_title,
    )
    return paper_out(s, user, s.app.load(Paper, paper_id))


def supersede(
    s: Services, user: User, paper_id: UUID, body: SupersedeIn, key: str | None
) -> PaperOut:
    paper = located_paper(s, user, paper_id)
    actor = issuing(s, user, paper.subject_id, paper.kind, body.on)
    new = s.app.supersede_paper(
        context(actor, command_key(user, key)),
        paper_id=paper_id,
        new_paper_id=new_id(user, key, "paper-supersede"),  # never an issue's id
        on=body.on,
        reason=body.reason.strip(),
        signatory_title=body.signatory_title,
    )
    return paper_out(s, user, s.app.load(Paper, new))


def download(s: Services, user: User, paper_id: UUID, base_url: str) -> bytes:
    """The DOCX (it states a person's data: not for auditors, 403 ACCESS-ROLE); each download
    is an event with its actor."""
    paper = located_paper(s, user, paper_id)
    if not may_see_personal_data(user):
        raise role_refused("download_paper")
    code = s.app.paper_code(paper.id)
    actor = s.scope.actor(user, paper.org_id)
    s.app.record_paper_download(context(actor, command_key(user, None)), paper.id, s.today())
    return render_docx(paper, code, f"{base_url}verify/{code}")


def maybe_user(
    s: Services, credentials: HTTPAuthorizationCredentials | None, session: str | None
) -> User | None:
    """The caller if logged in; an anonymous visitor may verify too."""
    try:
        return user_of(s, credentials, session)
    except ApiError:
        return None


def verify_out(found: Verified) -> VerifyOut:
    return VerifyOut(**{f: getattr(found, f) for f in VerifyOut.model_fields})


# --- routes ----------------------------------------------------------------------------------


@router.post("/cases/{case_id}/papers", status_code=201)
async def post_paper(
    case_id: UUID, body: PaperIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> PaperOut:
    """Issue the paper a recorded step of the case ends in, numbered from the issuing body's
    register (PAPER-STEP, PAPER-ONCE)."""
    call = partial(issue, s, user, PaperSubject.admission, case_id, body, key)
    route = f"cases/{case_id}/papers"
    return await first_answer(s, user, key, route, PaperOut, lambda: run_in_threadpool(call))


@router.post("/members/{member_id}/papers", status_code=201)
async def post_member_paper(
    member_id: UUID, body: PaperIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> PaperOut:
    """Issue the paper a recorded step of the member's probation ends in (the recognition
    decision), numbered from the issuing body's register (PAPER-STEP, PAPER-ONCE)."""
    call = partial(issue, s, user, PaperSubject.member, member_id, body, key)
    route = f"members/{member_id}/papers"
    return await first_answer(s, user, key, route, PaperOut, lambda: run_in_threadpool(call))


@router.post("/transfers/{transfer_id}/papers", status_code=201)
async def post_transfer_paper(
    transfer_id: UUID, body: PaperIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> PaperOut:
    """Issue the transfer letter (giấy giới thiệu sinh hoạt đảng) once the transfer started,
    numbered from the sending grassroots committee's register (PAPER-STEP, PAPER-ONCE)."""
    call = partial(issue, s, user, PaperSubject.transfer, transfer_id, body, key)
    route = f"transfers/{transfer_id}/papers"
    return await first_answer(s, user, key, route, PaperOut, lambda: run_in_threadpool(call))


@router.get(
    "/papers/{paper_id}.docx",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}, "description": "The paper as an editable DOCX"}},
)
async def get_paper_docx(paper_id: UUID, request: Request, user: CurrentUser, s: Svc) -> Response:
    """The paper as DOCX, from its template, with its verification code and QR code."""
    base = str(request.base_url)
    content = await run_in_threadpool(download, s, user, paper_id, base)
    name = f"paper-{paper_id}.docx"  # no personal data in a file name
    return Response(
        content, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def printable(docx: bytes) -> bytes:
    """The PDF of the paper's DOCX; the converter failing is the service's, not the caller's
    (PAPER-PDF, 503: try again)."""
    try:
        return docx_to_pdf(docx)
    except ConversionFailed:
        raise ApiError(
            "PAPER-PDF",
            "Chưa tạo được bản PDF, hãy thử lại hoặc tải bản DOCX",
            "The PDF could not be made; try again or download the DOCX",
        ) from None


@router.get(
    "/papers/{paper_id}.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "The paper as a printable PDF"}},
)
async def get_paper_pdf(paper_id: UUID, request: Request, user: CurrentUser, s: Svc) -> Response:
    """The paper as PDF: its DOCX converted by LibreOffice, so the two never differ (a
    download, an event with its actor, like the DOCX)."""
    docx = await run_in_threadpool(download, s, user, paper_id, str(request.base_url))
    content = await run_in_threadpool(printable, docx)
    name = f"paper-{paper_id}.pdf"  # no personal data in a file name
    return Response(
        content, media_type=PDF, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/papers/{paper_id}")
async def get_paper(paper_id: UUID, user: CurrentUser, s: Svc) -> PaperOut:
    """A paper: what it states and whether it was superseded."""
    paper = await run_in_threadpool(located_paper, s, user, paper_id)
    return paper_out(s, user, paper)


@router.post("/papers/{paper_id}/supersede", status_code=201)
async def post_supersede(
    paper_id: UUID, body: SupersedeIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> PaperOut:
    """A correction: a new paper with a new number; the old one is kept, superseded
    (PAPER-SUPERSEDED: once)."""
    call = partial(supersede, s, user, paper_id, body, key)
    route = f"papers/{paper_id}/supersede"
    return await first_answer(s, user, key, route, PaperOut, lambda: run_in_threadpool(call))


@router.get("/verify/{code}")
async def get_verify(
    code: str,
    request: Request,
    s: Svc,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    session: Annotated[str | None, Security(cookie)],
) -> VerifyOut:
    """Anyone holding a paper: does its code match the record? Unknown and malformed codes
    answer the same 404; too many misses from one address, 429 RATE-LIMITED."""
    user = await run_in_threadpool(maybe_user, s, credentials, session)
    # Any length, any text: a malformed code answers as an unknown one (never a 422).
    found = await run_in_threadpool(verify, s, code[:40], client_address(request), user)
    return verify_out(found)
