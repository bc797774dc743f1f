"""Kiểm tra giấy tờ (verify a paper): anyone holding a paper opens `/verify/{code}` (its QR
code leads there) and reads whether it matches the record — its kind, number, date, issuing
body, and whether it was superseded; a logged-in user whose subtree holds the case also gets
a link to it. The same answers as `GET /api/verify/{code}` (infra/papers/verify.py).

The case page's "Giấy tờ" section (`paper_section`, shown by infra/web/records.py) lists the
case's papers with their state, code and download, and offers the paper the current step ends
in (`POST /cases/{id}/papers`, the API's command)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.commands import Subject
from domain.errors import DomainError, NotFound
from domain.paper import FORMS, PaperKind, PaperSubject, kinds_about
from infra.api.access import may
from infra.api.auth import SESSION_COOKIE, client_address
from infra.api.papers import COMMAND, PaperIn, SupersedeIn, issue, maybe_user, supersede
from infra.api.services import services
from infra.papers.subjects import RECORDS
from infra.papers.verify import Verified, verify
from infra.web import records
from infra.web.i18n import dmy, label, parse_dmy, t
from infra.web.records import COLLECTION
from infra.web.session import Web, WebContext, WebRoute, _here, language, redirect, templates

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/verify/{code}")
async def verify_page(request: Request, code: str) -> Response:
    s = services(request)
    user = await run_in_threadpool(maybe_user, s, None, request.cookies.get(SESSION_COOKIE))
    found = await run_in_threadpool(verify, s, code[:40], client_address(request), user)
    lang = language(request)
    return templates.TemplateResponse(
        request,
        "verify.html",
        {
            "t": lambda key, **v: t(lang, key, **v),
            "label": lambda prefix, value: label(lang, prefix, value),
            "lang": lang,
            "here": _here(request),
            "paper": found,
            "record_href": record_href(found),
        },
    )


def record_href(found: Verified) -> str | None:
    """The page of the record a verified paper is about (a case, a member, a transfer, a
    dissolved cell; a unit's year has none to name by its id), for a user whose subtree holds
    it: a receiving committee opens the transfer it checks."""
    if found.case_id is None:
        return None
    if FORMS[found.kind].subject is PaperSubject.dissolution:  # issue 16: the cell's page
        return f"/orgs?org={found.case_id}#papers"
    subject = RECORDS.get(FORMS[found.kind].subject)
    return f"/{COLLECTION[subject]}/{found.case_id}" if subject else None


# --- Giấy tờ on the case page ------------------------------------------------------------------


def paper_section(
    w: Web,
    page: Any,
    error: str | None = None,
    values: dict[str, str] | None = None,
    refused: tuple[UUID, str, str] | None = None,  # a supersession: the paper, field, message
    done: str | None = None,  # the step just taken on the page
    action: str | None = None,  # where its forms post, for a page that is not a record's
) -> dict[str, Any] | None:
    """A record's papers with their state and downloads, and the paper a step it has taken
    ends in (the resolution after the cell's vote, the decision once decided…) while none
    is issued and the user may issue it. `page` has the paper subject and the subject's id
    (`.subject`, `.id`). Right after that very step (`done`), the offer is `prominent`: the
    page shows it under the step's success message, dated the step's day."""
    subject = PaperSubject(page.subject)
    papers = w.s.app.papers_of(page.id)
    symbols = {p.id: p.symbol for p in papers}
    due = w.s.app.papers_due(subject, page.id, w.today)
    offer = next((k for k in reversed(due) if may(w.user, COMMAND[k])), None)
    if not papers and not kinds_about(subject):
        return None
    prominent = offer is not None and done is not None and FORMS[offer].step == done
    if prominent and values is None:
        assert offer is not None
        step_on = w.s.app.paper_statement(page.id, offer, w.today).facts.get("step_on")
        values = {"on": dmy(date.fromisoformat(step_on)) if step_on else dmy(w.today)}
    return {
        "action": action or f"/{COLLECTION[page.subject]}/{page.id}/papers",
        "rows": [
            {
                "id": p.id,
                "may_supersede": p.superseded_by is None and may(w.user, COMMAND[p.kind]),
                "kind": p.kind,
                "symbol": p.symbol,
                "issued_on": p.issued_on,
                "superseded_by": symbols.get(p.superseded_by) if p.superseded_by else None,
                "download": f"/api/papers/{p.id}.docx" if w.sees_people else None,
                "printable": f"/api/papers/{p.id}.pdf" if w.sees_people else None,
                "code": w.s.app.paper_code(p.id),
            }
            for p in papers
        ],
        "offer": offer,
        "prominent": prominent,
        "refused": refused,
        "error": error,
        "values": values or {"on": dmy(w.today)},
    }


async def issue_paper(subject: Subject, ident: UUID, request: Request, w: WebContext) -> Response:
    """The paper offered on a record's page, through the API's command; refused, the page
    comes back with the rule's message beside the date."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    page = await run_in_threadpool(records.record_page, w, subject, ident)
    on = parse_dmy(form.get("on", ""))
    error = None
    if on is None or form.get("kind") not in set(PaperKind):
        error = w.t("papers.bad_date")
    else:
        body = PaperIn(kind=PaperKind(form["kind"]), on=on)
        key = form.get("key") or None
        try:
            await run_in_threadpool(issue, w.s, w.user, PaperSubject(subject), ident, body, key)
        except DomainError as refusal:
            if refusal.rule_id in ("NOT-FOUND", "ACCESS-ROLE", "ACCESS-SCOPE"):
                raise
            error = refusal.message(w.lang)
        else:
            return redirect(f"/{COLLECTION[subject]}/{ident}#papers")
    section = paper_section(w, page, error, {"on": form.get("on", "")})
    return records.render_page(w, page, status=422, papers=section)


async def supersede_paper(
    subject: Subject, ident: UUID, paper_id: UUID, request: Request, w: WebContext
) -> Response:
    """A correction from a record's page: a new paper with a new number; the old one is
    kept. Refused, the page comes back with the message beside the field it concerns."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    page = await run_in_threadpool(records.record_page, w, subject, ident)
    if paper_id not in {p.id for p in w.s.app.papers_of(ident)}:
        raise NotFound("Paper", paper_id)
    on, reason = parse_dmy(form.get("on", "")), form.get("reason", "").strip()
    refused: tuple[UUID, str, str] | None = None
    if on is None:
        refused = (paper_id, "on", w.t("papers.bad_date"))
    elif not reason or len(reason) > 300:
        refused = (paper_id, "reason", w.t("papers.no_reason"))
    else:
        body = SupersedeIn(on=on, reason=reason)
        try:
            await run_in_threadpool(supersede, w.s, w.user, paper_id, body, form.get("key") or None)
        except DomainError as refusal:
            if refusal.rule_id in ("NOT-FOUND", "ACCESS-ROLE", "ACCESS-SCOPE"):
                raise
            refused = (paper_id, "on", refusal.message(w.lang))
        else:
            return redirect(f"/{COLLECTION[subject]}/{ident}#papers")
    section = paper_section(
        w, page, refused=refused, values={"on": form.get("on", ""), "reason": reason}
    )
    return records.render_page(w, page, status=422, papers=section)


def _routes(subject: Subject) -> None:
    """The two forms of the "Giấy tờ" section on the pages of one kind of record."""
    base = f"/{COLLECTION[subject]}/{{ident}}/papers"

    async def issue_route(ident: UUID, request: Request, w: WebContext) -> Response:
        return await issue_paper(subject, ident, request, w)

    async def supersede_route(
        ident: UUID, paper_id: UUID, request: Request, w: WebContext
    ) -> Response:
        return await supersede_paper(subject, ident, paper_id, request, w)

    router.add_api_route(base, issue_route, methods=["POST"])
    router.add_api_route(f"{base}/{{paper_id}}/supersede", supersede_route, methods=["POST"])


SUBJECTS: tuple[Subject, ...] = ("admission", "member", "transfer")
for _subject in SUBJECTS:
    _routes(_subject)
