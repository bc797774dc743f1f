"""The audit pages (Kiểm tra): a case, probation or transfer as of a day, either what was true
then (effective) or what the record knew (recorded); a person found by citizen ID; a person's
whole timeline; the seal of the record."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.admission import AdmissionCase
from domain.commands import Subject
from infra.api.access import CORRECT_PERSON, may
from infra.api.audit import seal_head
from infra.api.records import as_of, locate, locate_person, shown_to, stage_of
from infra.api.schemas import FIRST_DAY
from infra.web.access_requests import access_section
from infra.web.i18n import dmy, end_of, parse_dmy
from infra.web.records import COLLECTION, cell_of, history_rows, person_rows
from infra.web.session import Web, WebContext, WebRoute, redirect

router = APIRouter(route_class=WebRoute, include_in_schema=False)


CITIZEN_ID = re.compile(r"^[0-9]{9}([0-9]{3})?$")


BASES = ("effective", "recorded")
SUBJECTS: dict[str, Subject] = {s: s for s in COLLECTION}


def as_of_record(w: Web, subject: Subject, ident: UUID, day: date, basis: str) -> dict[str, Any]:
    """A record on a day: what was true then (`effective`: the acts that took effect by the
    day) or what the record knew at its end (`recorded`), with the events it counts. Before
    its first event it did not exist yet: said as an answer, not refused."""
    s = w.s
    found = locate(s.app, s.scope, w.user, subject, ident)
    then, counted = as_of(s.app, type(found.record), ident, end_of(day), basis)
    history = s.app.history(ident)
    if basis == "effective":
        shown = [h for h in history if h.effective_on <= day]
    else:
        shown = history[:counted]
    result: dict[str, Any] = {
        "id": ident,
        "collection": COLLECTION[subject],
        "day": dmy(day),
        "basis": basis,
        "exists": then is not None,
        "count": counted,
        "history": history_rows(w, shown),
    }
    if then is None:
        first = history[0]
        result["first"] = {
            "effective": dmy(first.effective_on),
            "recorded": dmy(datetime.fromisoformat(first.recorded_at)),
        }
        return result
    stage, closed = stage_of(then)
    result |= {
        "stage": w.label("stage", stage),
        "closed": closed,
        "dossier": [(w.label("stage", st), done) for st, done in then.dossier.items()]
        if isinstance(then, AdmissionCase)
        else [],
        "cell": w.orgs.name(cell_of(then)),
    }
    return result


@router.get("/audit")
def audit(
    w: WebContext,
    case_id: str | None = None,
    on: str | None = None,
    basis: str = "effective",
    subject: str = "admission",
) -> HTMLResponse:
    """The audit page: a person's timeline by citizen ID; a case, member or transfer on a
    date, either basis."""
    errors: dict[str, str] = {}
    result = None
    basis = basis if basis in BASES else "effective"
    kind = SUBJECTS.get(subject, "admission")
    if case_id is not None:
        try:
            ident = UUID(case_id.strip())
        except ValueError:
            errors["case_id"] = w.t("audit.bad_case_id")
        day = parse_dmy(on) if on else w.today
        if day is None or day < FIRST_DAY:
            errors["on"] = w.t("error.date")
        if not errors and day is not None:
            result = as_of_record(w, kind, ident, day, basis)
    return w.render(
        "audit.html",
        422 if errors else 200,
        errors=errors,
        result=result,
        case_id=case_id or "",
        on=on or dmy(w.today),
        basis=basis,
        subject=kind,
        citizen_id="",
        **seal_shown(w),
    )


def seal_shown(w: Web) -> dict[str, Any]:
    """The last seal as the department notes it, its time in Vietnam, and what is not sealed
    yet."""
    head = seal_head(w.s.app.recorder)
    sealed = head.seal if head is not None else None
    return {
        "seal": head,
        "sealed_at": dmy(datetime.fromisoformat(sealed.sealed_at)) if sealed is not None else "",
    }


@router.post("/audit/person")
async def find_person(
    request: Request, w: WebContext, citizen_id: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """By citizen ID (posted, so it stays out of addresses and logs) to the person's
    timeline: the id is the record's keyed hash of it."""
    w.check_csrf(await request.form())
    if not CITIZEN_ID.match(citizen_id.strip()):
        return w.render(
            "audit.html",
            422,
            here="/audit",
            errors={"citizen_id": w.t("audit.bad_citizen_id")},
            result=None,
            case_id="",
            on=dmy(w.today),
            basis="effective",
            subject="admission",
            citizen_id=citizen_id,
            **seal_shown(w),
        )
    person_id = w.s.app.person_id_for(citizen_id.strip())
    return redirect(f"/people/{person_id}")


def timeline_page(w: Web, person_id: UUID) -> dict[str, Any]:
    s = w.s
    person = locate_person(s.app, s.scope, w.user, person_id)
    events = s.app.timeline(person_id, shown_to(s.app, s.scope, w.user))
    holds = s.scope.inside(w.user, s.app.cell_holding(person_id))
    return {
        "person_id": person_id,
        "person": person_rows(w, person.data) if w.sees_people else None,
        "history": history_rows(w, events),
        "cases": list(person.case_ids),
        "member_id": person.member_id,
        "may_correct": w.sees_people and may(w.user, CORRECT_PERSON) and holds,
        # issue 18, item 4: the subtree holding the person answers their access requests
        "access": access_section(w, person_id) if holds else None,
        "key": str(uuid4()),
    }


@router.get("/people/{person_id}")
async def person_timeline(person_id: UUID, w: WebContext) -> HTMLResponse:
    found = await run_in_threadpool(timeline_page, w, person_id)
    return w.render("timeline.html", **found)
