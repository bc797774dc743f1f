"""Mẫu giấy tờ (paper templates), from the organization page: each kind of paper with the
template its papers are issued with today (the organization's own, inherited from a committee
above, or the default), the organization's versions, downloads, and for the organization
department an upload form (its refusal beside the file field) and a roll-back per version.
The same functions as the API (infra/api/paper_templates.py); downloads are the API's routes."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from domain.errors import DomainError
from domain.paper import PaperKind
from infra.api.access import ADAPT_TEMPLATE, may
from infra.api.errors import not_found
from infra.api.paper_templates import KindTemplatesOut, restore, templates_of, upload
from infra.papers.adaptation import MAX_BYTES, refused
from infra.web.session import Web, WebContext, WebRoute, redirect

router = APIRouter(route_class=WebRoute, include_in_schema=False)
# A body far beyond the limit is not read at all (its refusal is the error page).
MAX_BODY = 2 * MAX_BYTES + 64 * 1024


def as_uuid(text: object) -> UUID:
    """The organization a form names; anything else is an unknown one."""
    try:
        return UUID(str(text))
    except ValueError:
        raise not_found("organization") from None


def page(
    w: Web,
    org_id: UUID,
    status: int = 200,
    refused_kind: tuple[str, str] | None = None,  # (kind, message) beside its file field
    done: str | None = None,
) -> Response:
    org = w.org(org_id)
    kinds: list[KindTemplatesOut] = templates_of(w.s, w.user, org.id)
    return w.render(
        "paper_templates.html",
        status,
        org=org,
        kinds=kinds,
        may_adapt=may(w.user, ADAPT_TEMPLATE) and org.live,
        refused=refused_kind,
        done=done,
        key=str(uuid4()),
    )


@router.get("/paper-templates")
async def templates_page(w: WebContext, org: UUID | None = None, done: str = "") -> Response:
    """The paper templates of an organization of the user's subtree (its own by default)."""
    org_id = org or w.org().id
    shown = done if done in ("uploaded", "restored") else None
    return await run_in_threadpool(page, w, org_id, 200, None, shown)


@router.post("/paper-templates")
async def upload_template(request: Request, w: WebContext) -> Response:
    """A new version from the form's file, through the API's command; refused, the page
    comes back with the rule's message beside the file field."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise refused("Tệp mẫu lớn hơn 1 MB", "The template is larger than 1 MB")
    async with request.form(max_files=1, max_fields=10) as form:
        w.check_csrf(form)
        org_id = as_uuid(form.get("org"))
        w.org(org_id)  # outside the subtree or unknown: NOT-FOUND before anything else
        kind = str(form.get("kind", ""))
        file = form.get("file")
        content = await file.read(MAX_BYTES + 1) if isinstance(file, UploadFile) else b""
        key = str(form.get("key") or "") or None
    if kind not in set(PaperKind):
        raise refused("Không có loại giấy tờ này", "No such kind of paper")
    try:
        await run_in_threadpool(upload, w.s, w.user, org_id, PaperKind(kind), content, key)
    except DomainError as refusal:
        if refusal.rule_id in ("NOT-FOUND", "ACCESS-ROLE", "ACCESS-SCOPE"):
            raise
        return await run_in_threadpool(page, w, org_id, 422, (kind, refusal.message(w.lang)))
    return redirect(f"/paper-templates?org={org_id}&done=uploaded#kind-{kind}")


@router.post("/paper-templates/restore")
async def restore_template(request: Request, w: WebContext) -> Response:
    """An earlier version adopted again, as a new version."""
    form: dict[str, Any] = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    org_id = as_uuid(form.get("org"))
    w.org(org_id)
    kind = form.get("kind", "")
    version = form.get("version", "")
    if kind not in set(PaperKind) or not version.isdigit() or not 0 < int(version) < 10**6:
        raise refused("Không có loại giấy tờ này", "No such kind of paper")
    try:
        await run_in_threadpool(
            restore, w.s, w.user, org_id, PaperKind(kind), int(version), form.get("key") or None
        )
    except DomainError as refusal:
        if refusal.rule_id in ("NOT-FOUND", "ACCESS-ROLE", "ACCESS-SCOPE"):
            raise
        return await run_in_threadpool(page, w, org_id, 422, (kind, refusal.message(w.lang)))
    return redirect(f"/paper-templates?org={org_id}&done=restored#kind-{kind}")
