"""Yêu cầu truy cập dữ liệu (issue 18, item 4; docs/web.md, docs/privacy.md): the section of a
person's page where the organization department records a person's request to see their data,
lists the requests with their state, and downloads the file to hand over (the API's own
route, `GET /api/access-requests/{id}/file`: each download is an answer, recorded).

The form is the API's request model (`AccessRequestIn`), read by that model and sent through
the API's own route function: the same access checks and refusals, each shown beside the field
it judges, and nothing written on a refusal. The section shows to the roles of the subtree that
holds the person (as the API lists the requests); the requester's name only to those who may
see personal data; the form and the downloads only to the department and administrators."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from infra.api import access_requests as api
from infra.api.access import ANSWER_ACCESS, may
from infra.web.i18n import dmy, t
from infra.web.modelforms import ModelForm, fields_of_model, read_model
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.starts import form_key, refused

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# The field a rule's refusal is shown beside when the refusal names none.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "DATE-ORDER": ("received_on",),
    "PDP-GROUND": ("ground", "received_on"),
    "PDP-REQUESTER": ("requester_name",),
}


def request_form(w: Web) -> ModelForm:
    fields = fields_of_model(api.AccessRequestIn, w.lang, {})
    labels = {f.name: t(w.lang, f"access.{f.name}") for f in fields}
    return ModelForm(fields, labels, values={"received_on": dmy(w.today)})


def access_section(w: Web, person_id: UUID, form: ModelForm | None = None) -> dict[str, Any]:
    """The person's requests (NOT-FOUND outside the subtree holding them, as the API) and,
    for the department, the form of a new one."""
    rows = api.listed(w.s, w.user, person_id)
    answers = may(w.user, ANSWER_ACCESS) and w.sees_people
    return {
        "action": f"/people/{person_id}/access-requests",
        "rows": [
            {
                "id": r.id,
                "received_on": r.received_on,
                "requested_by": r.requested_by,
                "requester": r.requester_name if w.sees_people else None,
                "capacity": r.requester_capacity if w.sees_people else "",
                "channel": r.channel,
                "ground": r.ground,
                "answers": len(r.answers),
                "last_answer": r.answers[-1].answered_on if r.answers else None,
                "download": r.file if answers else None,
            }
            for r in rows
        ],
        "form": (form or request_form(w)) if answers else None,
        "auditor": not w.sees_people,
    }


def shown_error(w: Web, form: ModelForm, error: DomainError) -> None:
    """A refusal beside the field it names, else beside its rule's field."""
    named = str(error.details.get("field", ""))
    if named in {f.name for f in form.fields}:
        form.errors[named] = error.message(w.lang)
        return
    refused(w, form, RULE_FIELDS, error)


@router.post("/people/{person_id}/access-requests")
async def record_request(person_id: UUID, request: Request, w: WebContext) -> Response:
    """The form of the section, through the API's route; refused, the person's page comes
    back with the refusal beside its field."""
    posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(posted)
    # Imported here: the person's page (audit.py) is the one that shows this section.
    from infra.web.audit import timeline_page

    page = await run_in_threadpool(timeline_page, w, person_id)
    await run_in_threadpool(api.holding_cell, w.s, w.user, person_id)  # outside: NOT-FOUND
    if not may(w.user, ANSWER_ACCESS):
        raise api.role_refused(ANSWER_ACCESS)
    form = request_form(w)
    body, form.values, form.errors = read_model(api.AccessRequestIn, form.fields, posted, w.lang)
    if body is not None:
        try:
            await api.post_access_request(person_id, body, w.user, w.s, form_key(posted))
        except DomainError as error:
            shown_error(w, form, error)
        else:
            return redirect(f"/people/{person_id}#access")
    page["access"] = await run_in_threadpool(access_section, w, person_id, form)
    return w.render("timeline.html", 422, **page)
