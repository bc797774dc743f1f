"""A department's own paper templates (issue 16, docs/documents.md "How to adapt a template"):
listed per organization with the one in force (its own, inherited from a committee above, or
the default), downloaded, uploaded as a new version, rolled back as a new version.

Who adapts: the organization department of a committee (ADAPT_TEMPLATE, the department officer
and administrators), for any organization of its subtree — its own template then holds for every
unit below that has none. Everyone inside the subtree reads them (no personal data). An
organization outside the subtree answers 404 NOT-FOUND like an unknown one, for reads and
writes alike. The upload is a JSON body with the DOCX in base64 (`content_base64`), checked
before anything is written (PAPER-TEMPLATE: a DOCX of at most 1 MB that renders with the
kind's tags), idempotent by its `Idempotency-Key`."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from domain.errors import NotFound
from domain.organization import Organization
from domain.paper import PaperKind
from domain.paper_template import TemplateVersion
from infra.api.access import ADAPT_TEMPLATE
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.commands import IdempotencyKey, command_key, context, first_answer, org_command
from infra.api.errors import not_found
from infra.api.queries import visible
from infra.api.schemas import Strict
from infra.api.services import Services
from infra.papers.adaptation import MAX_BYTES, check_template, default_bytes, refused, tags_of
from infra.users import User

router = APIRouter(prefix="/api", tags=["paper templates"], responses=REFUSALS)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {DOCX: {}}, "description": "A template (DOCX)"}
}
# Base64 of a file of MAX_BYTES is 4/3 of it: up to twice is read, and refused with its size.
Base64 = Annotated[str, Field(min_length=1, max_length=2 * MAX_BYTES)]


class TemplateIn(Strict):
    """A DOCX, base64-encoded (PAPER-TEMPLATE: at most 1 MB, the kind's tags only)."""

    content_base64: Base64


class VersionOut(BaseModel):
    version: int
    sha256: str
    size: int
    restores: int | None  # a roll-back: the earlier version adopted again
    adopted_by: str  # the user's id
    adopted_role: str
    adopted_on: date
    download: str


class KindTemplatesOut(BaseModel):
    """A kind of paper at an organization: the template its papers are issued with today,
    and the organization's own versions."""

    kind: PaperKind
    source: Literal["own", "inherited", "default"]
    owner_id: UUID | None  # the organization whose version is in force (None: the default)
    owner_name: str | None
    version: int | None
    sha256: str | None
    download: str  # the template in force, as a starting point
    default_download: str
    versions: list[VersionOut]
    tags: list[str]  # the tags a template of this kind may use


def version_out(org_id: UUID, kind: str, v: TemplateVersion) -> VersionOut:
    return VersionOut(
        version=v.version,
        sha256=v.sha256,
        size=v.size,
        restores=v.restores,
        adopted_by=v.adopted_by.user_id,
        adopted_role=str(v.adopted_by.role),
        adopted_on=v.adopted_on,
        download=f"/api/orgs/{org_id}/paper-templates/{kind}/{v.version}.docx",
    )


def kind_out(s: Services, org_id: UUID, kind: PaperKind) -> KindTemplatesOut:
    found = s.app.template_in_force(org_id, kind, s.today())
    shelf = s.app.template_shelf(org_id, kind)
    owner = found.owner_id
    source: Literal["own", "inherited", "default"] = (
        "default" if owner is None else "own" if owner == org_id else "inherited"
    )
    return KindTemplatesOut(
        kind=kind,
        source=source,
        owner_id=owner,
        owner_name=s.app.load(Organization, owner).name if owner else None,
        version=found.version.version if found.version else None,
        sha256=found.version.sha256 if found.version else None,
        download=f"/api/orgs/{org_id}/paper-templates/{kind}.docx",
        default_download=f"/api/paper-templates/{kind}.docx",
        versions=[version_out(org_id, kind, v) for v in (shelf.versions if shelf else [])],
        tags=tags_of(kind),
    )


def templates_of(s: Services, user: User, org_id: UUID) -> list[KindTemplatesOut]:
    visible(s, user, org_id)
    return [kind_out(s, org_id, kind) for kind in PaperKind]


def decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise refused(
            "Nội dung tệp mẫu không phải base64", "The template's content is not base64"
        ) from None


def upload(
    s: Services, user: User, org_id: UUID, kind: PaperKind, content: bytes, key: str | None
) -> KindTemplatesOut:
    """Scope, role, then the file is checked (PAPER-TEMPLATE), then kept as a new version."""
    actor = org_command(s, user, org_id, ADAPT_TEMPLATE)
    check_template(kind, content)
    s.app.adopt_template(
        context(actor, command_key(user, key)),
        org_id=org_id,
        kind=kind,
        content=content,
        on=s.today(),
    )
    return kind_out(s, org_id, kind)


def restore(
    s: Services, user: User, org_id: UUID, kind: PaperKind, version: int, key: str | None
) -> KindTemplatesOut:
    actor = org_command(s, user, org_id, ADAPT_TEMPLATE)
    s.app.restore_template(
        context(actor, command_key(user, key)),
        org_id=org_id,
        kind=kind,
        version=version,
        on=s.today(),
    )
    return kind_out(s, org_id, kind)


def version_bytes(s: Services, user: User, org_id: UUID, kind: PaperKind, version: int) -> bytes:
    visible(s, user, org_id)
    shelf = s.app.template_shelf(org_id, kind)
    found = shelf.numbered(version) if shelf else None
    if found is None:
        raise NotFound("TemplateVersion", f"{kind}/{version}")
    return s.app.template_bytes(found.file_id)


def in_force_bytes(s: Services, user: User, org_id: UUID, kind: PaperKind) -> bytes:
    visible(s, user, org_id)
    found = s.app.template_in_force(org_id, kind, s.today())
    if found.version is None:
        return default_bytes(kind)
    return s.app.template_bytes(found.version.file_id)


def docx(content: bytes, name: str) -> Response:
    """A template as a download (its name says the kind and version, nothing personal)."""
    return Response(
        content, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- routes ----------------------------------------------------------------------------------


@router.get("/orgs/{org_id}/paper-templates")
async def get_templates(org_id: UUID, user: CurrentUser, s: Svc) -> list[KindTemplatesOut]:
    """Each kind of paper at the organization: the template in force (its own, inherited
    from a committee above, or the default), its own versions, the tags a template may use."""
    return await run_in_threadpool(templates_of, s, user, org_id)


@router.post("/orgs/{org_id}/paper-templates/{kind}", status_code=201)
async def post_template(
    org_id: UUID,
    kind: PaperKind,
    body: TemplateIn,
    user: CurrentUser,
    s: Svc,
    key: IdempotencyKey = None,
) -> KindTemplatesOut:
    """A new version of the organization's template of `kind` (never overwriting one), in
    force for papers issued from now on by it and the units below without their own
    (PAPER-TEMPLATE: a DOCX of at most 1 MB that renders with the kind's tags)."""

    def call() -> KindTemplatesOut:
        return upload(s, user, org_id, kind, decoded(body.content_base64), key)

    route = f"orgs/{org_id}/paper-templates/{kind}"
    return await first_answer(
        s, user, key, route, KindTemplatesOut, lambda: run_in_threadpool(call)
    )


@router.post("/orgs/{org_id}/paper-templates/{kind}/{version}/restore", status_code=201)
async def post_restore(
    org_id: UUID,
    kind: PaperKind,
    version: Annotated[int, Field(ge=1, le=1_000_000)],
    user: CurrentUser,
    s: Svc,
    key: IdempotencyKey = None,
) -> KindTemplatesOut:
    """A roll-back: an earlier version adopted again, as a new version pointing to it
    (PAPER-TEMPLATE: a version the organization has)."""
    call = partial(restore, s, user, org_id, kind, version, key)
    route = f"orgs/{org_id}/paper-templates/{kind}/{version}/restore"
    return await first_answer(
        s, user, key, route, KindTemplatesOut, lambda: run_in_threadpool(call)
    )


@router.get(
    "/orgs/{org_id}/paper-templates/{kind}/{version}.docx",
    response_class=Response,
    responses=DOCX_ANSWER,
)
async def get_template_version(
    org_id: UUID,
    kind: PaperKind,
    version: Annotated[int, Field(ge=1, le=1_000_000)],
    user: CurrentUser,
    s: Svc,
) -> Response:
    """A version of the organization's own template, as uploaded."""
    try:
        content = await run_in_threadpool(version_bytes, s, user, org_id, kind, version)
    except NotFound:
        raise not_found("template version") from None
    return docx(content, f"{kind}-v{version}.docx")


@router.get(
    "/orgs/{org_id}/paper-templates/{kind}.docx",
    response_class=Response,
    responses=DOCX_ANSWER,
)
async def get_template_in_force(
    org_id: UUID, kind: PaperKind, user: CurrentUser, s: Svc
) -> Response:
    """The template the organization's papers of `kind` are issued with today (its own,
    inherited, or the default): the starting point of an adaptation."""
    content = await run_in_threadpool(in_force_bytes, s, user, org_id, kind)
    return docx(content, f"{kind}.docx")


@router.get("/paper-templates/{kind}.docx", response_class=Response, responses=DOCX_ANSWER)
async def get_default_template(kind: PaperKind, user: CurrentUser) -> Response:
    """The default template of a kind, as dangvien ships it."""
    return docx(await run_in_threadpool(default_bytes, kind), f"{kind}-default.docx")
