"""Papers about an organization in the web (issue 16, docs/documents.md): the "Giấy tờ"
section of a dissolved cell's page (its dissolution decision: state, downloads, supersede),
the decisions of a dissolution batch (each cell's, and all of them issued at once), and the
quota page's yearly report. The section is the record pages' own (`paper_section`, with the
adapter `Subject` naming what the papers are about); the forms post to the API's own
functions (infra/api/orgpapers.py, infra/api/papers.py): the same checks, and a refusal
comes back beside the field it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError, NotFound
from domain.paper import Paper, PaperKind, PaperSubject
from infra.api import dissolutions
from infra.api.access import ISSUE_DECISION, may
from infra.api.errors import role_refused
from infra.api.orgpapers import OrgPaperIn, issue_about_org, unit_inside
from infra.api.papers import SupersedeIn, issuing, supersede
from infra.web.i18n import dmy, parse_dmy
from infra.web.papers import paper_section
from infra.web.session import Web, WebContext, WebRoute, redirect

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ACCESS = ("NOT-FOUND", "ACCESS-ROLE", "ACCESS-SCOPE")  # raised: the refusal page, not a field


@dataclass(frozen=True)
class Subject:
    """What `paper_section` needs of a page: what its papers are about, and its id."""

    subject: str
    id: UUID


# --- the sections --------------------------------------------------------------------------------


def section(
    w: Web, page: Subject, kind: PaperKind, action: str, shown: dict[str, Any]
) -> dict[str, Any] | None:
    """The papers' section; a refused issue keeps its form, the refusal beside the date,
    even when the paper is not offered on today's record (its step not taken yet)."""
    found = paper_section(w, page, action=action, **shown)
    if found is not None and shown.get("error") and found["offer"] is None:
        found["offer"] = kind
    return found


def dissolution_papers(w: Web, cell_id: UUID, **shown: Any) -> dict[str, Any] | None:
    """A dissolved cell's decision (offered once it is dissolved); None for a live unit
    without papers."""
    row = w.orgs.get(cell_id)
    if (row is None or row.live) and not w.s.app.papers_of(cell_id) and not shown:
        return None
    page = Subject(PaperSubject.dissolution, cell_id)
    kind, action = PaperKind.dissolution_decision, f"/dissolve/{cell_id}/papers"
    return section(w, page, kind, action, shown)


def quota_papers(w: Web, org_id: UUID, year: int, **shown: Any) -> dict[str, Any] | None:
    """The unit's report for the year (offered once the year has begun)."""
    page = Subject(PaperSubject.quota, w.s.app.unit_year(org_id, year))
    action = f"/quota/{org_id}/{year}/papers"
    return section(w, page, PaperKind.quota_report, action, shown)


# --- issue and supersede -------------------------------------------------------------------------


async def form_of(request: Request, w: Web) -> dict[str, str]:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    return form


def issued(w: Web, org_id: UUID, kind: PaperKind, form: dict[str, str], year: int | None) -> str:
    """Issue through the API's function; the refusal's message ("" when issued)."""
    on = parse_dmy(form.get("on", ""))
    if on is None:
        return w.t("papers.bad_date")
    body = OrgPaperIn(kind=kind, on=on, year=year)
    try:
        issue_about_org(w.s, w.user, org_id, body, form.get("key") or None)
    except DomainError as refusal:
        if refusal.rule_id in ACCESS:
            raise
        return refusal.message(w.lang)
    return ""


def superseded(
    w: Web, subject_id: UUID, paper_id: UUID, form: dict[str, str]
) -> tuple[UUID, str, str] | None:
    """Supersede through the API's function; the refusal beside its field (None: done)."""
    if paper_id not in {p.id for p in w.s.app.papers_of(subject_id)}:
        raise NotFound("Paper", paper_id)
    on, reason = parse_dmy(form.get("on", "")), form.get("reason", "").strip()
    if on is None:
        return (paper_id, "on", w.t("papers.bad_date"))
    if not reason or len(reason) > 300:
        return (paper_id, "reason", w.t("papers.no_reason"))
    try:
        supersede(w.s, w.user, paper_id, SupersedeIn(on=on, reason=reason), form.get("key") or None)
    except DomainError as refusal:
        if refusal.rule_id in ACCESS:
            raise
        return (paper_id, "on", refusal.message(w.lang))
    return None


def org_page_with(w: Web, cell_id: UUID, section: dict[str, Any] | None) -> Response:
    """The organization's page again, its papers' section showing the refusal."""
    from infra.web import registration  # the page's module imports this one's sections

    page = registration.org_page(w, cell_id)
    page.papers = section
    return registration.show_org(w, page, 422)


@router.post("/dissolve/{cell_id}/papers")
async def issue_dissolution(cell_id: UUID, request: Request, w: WebContext) -> Response:
    form = await form_of(request, w)
    await run_in_threadpool(unit_inside, w.s, w.user, cell_id)
    error = await run_in_threadpool(issued, w, cell_id, PaperKind.dissolution_decision, form, None)
    if not error:
        return redirect(f"/orgs?org={cell_id}#papers")
    section = dissolution_papers(w, cell_id, error=error, values={"on": form.get("on", "")})
    return await run_in_threadpool(org_page_with, w, cell_id, section)


@router.post("/dissolve/{cell_id}/papers/{paper_id}/supersede")
async def supersede_dissolution(
    cell_id: UUID, paper_id: UUID, request: Request, w: WebContext
) -> Response:
    form = await form_of(request, w)
    await run_in_threadpool(unit_inside, w.s, w.user, cell_id)
    refused = await run_in_threadpool(superseded, w, cell_id, paper_id, form)
    if refused is None:
        return redirect(f"/orgs?org={cell_id}#papers")
    values = {"on": form.get("on", ""), "reason": form.get("reason", "").strip()}
    section = dissolution_papers(w, cell_id, refused=refused, values=values)
    return await run_in_threadpool(org_page_with, w, cell_id, section)


def quota_page_with(w: Web, org_id: UUID, year: int, section: dict[str, Any] | None) -> Response:
    from infra.web import pages  # the page's module imports this one's sections

    return pages.quota_page(w, org_id, str(year), "", papers=section, status=422)


@router.post("/quota/{org_id}/{year}/papers")
async def issue_quota_report(org_id: UUID, year: int, request: Request, w: WebContext) -> Response:
    form = await form_of(request, w)
    await run_in_threadpool(unit_inside, w.s, w.user, org_id)
    error = await run_in_threadpool(issued, w, org_id, PaperKind.quota_report, form, year)
    if not error:
        return redirect(f"/quota?org={org_id}&year={year}#papers")
    section = quota_papers(w, org_id, year, error=error, values={"on": form.get("on", "")})
    return await run_in_threadpool(quota_page_with, w, org_id, year, section)


@router.post("/quota/{org_id}/{year}/papers/{paper_id}/supersede")
async def supersede_quota_report(
    org_id: UUID, year: int, paper_id: UUID, request: Request, w: WebContext
) -> Response:
    form = await form_of(request, w)
    await run_in_threadpool(unit_inside, w.s, w.user, org_id)
    subject_id = w.s.app.unit_year(org_id, year)
    refused = await run_in_threadpool(superseded, w, subject_id, paper_id, form)
    if refused is None:
        return redirect(f"/quota?org={org_id}&year={year}#papers")
    values = {"on": form.get("on", ""), "reason": form.get("reason", "").strip()}
    section = quota_papers(w, org_id, year, refused=refused, values=values)
    return await run_in_threadpool(quota_page_with, w, org_id, year, section)


# --- a dissolution batch's decisions -------------------------------------------------------------


def live_decision(w: Web, cell_id: UUID) -> Paper | None:
    return next(
        (
            p
            for p in w.s.app.papers_of(cell_id)
            if p.kind is PaperKind.dissolution_decision and p.superseded_by is None
        ),
        None,
    )


def batch_decisions(w: Web, batch: dissolutions.DissolutionBatchOut) -> dict[UUID, Any]:
    """Each dissolved cell's decision in force (None: not issued yet)."""
    return {c.cell_id: live_decision(w, c.cell_id) for c in batch.cells if c.state == "dissolved"}


def issue_all(w: Web, cells: list[UUID], on: date, key: str) -> int:
    """Every dissolved cell of the batch without a decision gets one: each is checked first
    (the role, the issuing body in the subtree, PAPER-STEP), so a refusal issues none."""
    waiting = [c for c in cells if live_decision(w, c) is None]
    body = OrgPaperIn(kind=PaperKind.dissolution_decision, on=on)
    for cell_id in waiting:
        issuing(w.s, w.user, cell_id, body.kind, on)
    for cell_id in waiting:
        issue_about_org(w.s, w.user, cell_id, body, f"{key}-{cell_id}")
    return len(waiting)


@router.post("/dissolve/batches/{batch_id}/papers")
async def issue_batch_decisions(batch_id: UUID, request: Request, w: WebContext) -> Response:
    """The decisions of every dissolved cell of the batch at once, dated the day given."""
    form = await form_of(request, w)
    found = await dissolutions.dissolution_batch(batch_id, w.user, w.s)  # outside: NOT-FOUND
    if not may(w.user, ISSUE_DECISION):
        raise role_refused(ISSUE_DECISION)
    on = parse_dmy(form.get("on", ""))
    cells = [c.cell_id for c in found.cells if c.state == "dissolved"]
    error = w.t("papers.bad_date") if on is None else ""
    if on is not None:
        try:
            await run_in_threadpool(issue_all, w, cells, on, form.get("key") or str(batch_id))
        except DomainError as refusal:
            if refusal.rule_id in ACCESS:
                raise
            error = refusal.message(w.lang)
    if not error:
        return redirect(f"/dissolve/batches/{batch_id}#decisions")
    from infra.web import dissolution  # the page's module

    return await dissolution.render_batch(
        w, batch_id, status=422, decisions_error=error, decisions_on=form.get("on", "")
    )


def batch_offer(w: Web, batch: dissolutions.DissolutionBatchOut) -> dict[str, Any]:
    """What the batch page shows of the decisions: each cell's, and the form for all."""
    decisions = batch_decisions(w, batch)
    return {
        "decisions": decisions,
        "codes": {c: w.s.app.paper_code(p.id) for c, p in decisions.items() if p is not None},
        "may_issue": may(w.user, ISSUE_DECISION) and any(p is None for p in decisions.values()),
        "on": dmy(batch.on),
    }
