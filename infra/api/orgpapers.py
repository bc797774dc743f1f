"""Papers about an organization (issue 16, docs/documents.md): the decision that dissolved a
cell, with its list of moves, issued by the body that decided it; and a unit's quota report
for a year, issued by the unit itself. The same paper as the others once issued (read,
downloaded, superseded and verified by the routes of infra/api/papers.py).

The organization named in the path outside the user's subtree answers 404 NOT-FOUND like an
unknown id; the role and the issuing body are checked as for every paper (403 ACCESS-ROLE,
ACCESS-SCOPE), the step it records too (PAPER-STEP: the cell dissolved by the paper's date,
the year begun)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from domain.errors import NotFound, RuleViolation
from domain.organization import Organization
from domain.paper import FORMS, PaperSubject
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.commands import IdempotencyKey, first_answer
from infra.api.papers import PaperIn, PaperOut, issue, paper_out
from infra.api.services import Services
from infra.users import User

router = APIRouter(prefix="/api", tags=["papers"], responses=REFUSALS)
Year = Annotated[int, Field(ge=1930, le=2100)]


class OrgPaperIn(PaperIn):
    """A paper about the organization: its dissolution decision, or its quota report for
    `year` (the year of `on` when not given)."""

    year: Year | None = None


def unit_inside(s: Services, user: User, org_id: UUID) -> Organization:
    """The organization, inside the user's subtree; NOT-FOUND otherwise, like an unknown id."""
    if not s.scope.inside(user, org_id):
        raise NotFound("organization", org_id)
    return s.app.load(Organization, org_id)


def issue_about_org(
    s: Services, user: User, org_id: UUID, body: OrgPaperIn, key: str | None
) -> PaperOut:
    """The dissolution decision about the cell, or the quota report about its year."""
    unit_inside(s, user, org_id)
    subject = FORMS[body.kind].subject
    if subject is PaperSubject.quota:
        year = body.year or body.on.year
        subject_id = s.app.unit_year(org_id, year)
        return issue(s, user, subject, subject_id, body, key, issuer_id=org_id)
    if body.year is not None:
        raise RuleViolation(
            "PAPER-KIND",
            "Chỉ báo cáo chỉ tiêu mới nêu năm",
            "Only a quota report names a year",
            kind=str(body.kind),
        )
    # Any other kind is refused by `issue` (PAPER-KIND): it is not about an organization.
    return issue(s, user, PaperSubject.dissolution, org_id, body, key)


def papers_about_org(s: Services, user: User, org_id: UUID) -> list[PaperOut]:
    """Its dissolution decision(s), then its quota reports, year by year."""
    unit = unit_inside(s, user, org_id)
    found = list(s.app.papers_of(org_id))
    for year in range(unit.registered_on.year, s.today().year + 1):
        found += s.app.papers_of(s.app.unit_year(org_id, year))
    return [paper_out(s, user, p) for p in found]


@router.post("/orgs/{org_id}/papers", status_code=201)
async def post_org_paper(
    org_id: UUID, body: OrgPaperIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> PaperOut:
    """Issue the decision dissolving the cell (`dissolution_decision`, by the committee that
    decides it, once dissolved) or the unit's quota report for a year (`quota_report`, by
    the unit, once the year has begun), numbered from the issuing body's register
    (PAPER-STEP, PAPER-ONCE: a correction supersedes)."""
    call = partial(issue_about_org, s, user, org_id, body, key)
    route = f"orgs/{org_id}/papers"
    return await first_answer(s, user, key, route, PaperOut, lambda: run_in_threadpool(call))


@router.get("/orgs/{org_id}/papers")
async def get_org_papers(org_id: UUID, user: CurrentUser, s: Svc) -> list[PaperOut]:
    """The papers about the organization: its dissolution decision and its years' reports."""
    return await run_in_threadpool(papers_about_org, s, user, org_id)
