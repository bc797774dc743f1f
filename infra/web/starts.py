"""Starting a process from the web: opening an admission case at a cell (Mở hồ sơ) and starting
a member's transfer (Chuyển sinh hoạt). Each form is the API's request body (`CaseStartIn`
with its `PersonIn`, `TransferStartIn`), read by the same model and sent through the API's own
command (`infra.api.commands.open_case`, `begin_transfer`): the same access checks, the same
refusals with their rule ids — shown beside the field each judges — and a refusal writes
nothing. Each form carries its own key: submitting it twice opens one case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from domain.member import Member
from domain.values import TransferKind
from infra.api import commands
from infra.api.access import OPEN_CASE, START_TRANSFER, may
from infra.api.errors import role_refused
from infra.api.records import locate
from infra.api.schemas import CaseStartIn, TransferStartIn
from infra.web.i18n import dmy
from infra.web.modelforms import Groups, ModelForm, fields_of_model, labels_of, place, read_model
from infra.web.orgs import OrgRow
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.views import member_names, short
from projections.queries import ReadModel

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# A refusal shown as a page, not beside a field: the user may not be here at all, or the
# request names what the form never offers (a cell or helper outside the user's subtree).
AS_PAGE = frozenset({"ACCESS-ROLE", "ACCESS-SCOPE", "AUTH-REQUIRED"})

# The field each rule's refusal is shown beside (else at the top of the form).
CASE_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "RULES-PERIOD": ("on",),
    "ORG-TREE": ("cell_id",),
    "CASE-UNIQUE": ("person.citizen_id",),
    "PERSON-ELSEWHERE": ("person.citizen_id",),
    "RATE-LIMITED": ("person.citizen_id",),
    "READMIT": ("person.citizen_id",),
    "ADM-AGE": ("person.birth_date",),
    "ADM-EDU": ("person.education",),
}
TRANSFER_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "RULES-PERIOD": ("on",),
    "DATE-ORDER": ("on",),
    "TRF-TEMP": ("returns_on", "reason"),
    "TRF-START": ("trigger_on",),
    "TRF-KIND": ("destination_org_id",),
    "TRF-HOLD": ("kind",),
    "NOT-FOUND": ("destination_org_id",),
    "CASE-STAGE": ("kind",),
}


def grouped(w: Web, rows: Sequence[OrgRow], upper: str) -> Groups:
    """Options grouped by grassroots organization, in tree order; the committees above any
    grassroots organization in a group of their own (`upper`)."""
    groups: dict[UUID | None, list[tuple[str, str]]] = {}
    for row in w.orgs.ordered(list(rows)):
        groups.setdefault(row.grassroots_id, []).append((str(row.id), w.orgs.qualified(row)))
    return [
        (w.orgs.name(key) if key is not None else upper, options) for key, options in groups.items()
    ]


def render(
    w: Web, template: str, form: ModelForm, status: int = 200, **context: Any
) -> HTMLResponse:
    return w.render(template, status, form=form, key=str(uuid4()), **context)


def form_key(form: Mapping[str, str]) -> str | None:
    """The form's own key (a repeat of the same form opens nothing twice), bounded as the
    API's Idempotency-Key is."""
    key = form.get("key", "")
    return key if 0 < len(key) <= 100 and key.isascii() and key.isprintable() else None


def refused(w: Web, form: ModelForm, rules: Mapping[str, Sequence[str]], error: Exception) -> None:
    """A refusal of the command, beside the field its rule judges."""
    assert isinstance(error, DomainError)
    if error.rule_id in AS_PAGE:
        raise error
    form.errors[place(form.fields, rules, error.rule_id)] = error.message(w.lang)


# --- opening a case (Mở hồ sơ) -------------------------------------------------------------------


def openable_cells(w: Web) -> list[OrgRow]:
    """The cells of the user's subtree where its role may open a case."""
    if not may(w.user, OPEN_CASE):
        return []
    return [o for o in w.orgs.subtree() if o.is_cell]


def case_form(w: Web, cell: OrgRow | None) -> ModelForm:
    """The form of `POST /api/cases`: the cell, the day, the person, the helper (the full
    members of the chosen cell; without a cell chosen, none is offered)."""
    cells = openable_cells(w)
    choices: dict[str, list[tuple[str, str]]] = {"cell_id": [(str(c.id), c.name) for c in cells]}
    skip = frozenset() if cell is not None else frozenset({"helper_member_id"})
    if cell is not None:
        full = ReadModel(w.s.engine).roll(cell.id, w.today).full
        names = member_names(w.s.app, w.s.engine, full)
        choices["helper_member_id"] = sorted(
            ((str(m), names.get(m) or short(m)) for m in full), key=lambda o: o[1]
        )
    fields = fields_of_model(CaseStartIn, w.lang, choices, skip)
    form = ModelForm(fields, labels_of(fields, w.lang))
    form.groups["cell_id"] = grouped(w, cells, w.t("start.upper_committees"))
    form.values = {"on": dmy(w.today), "cell_id": str(cell.id) if cell else ""}
    return form


def chosen_cell(w: Web, cell: str | None) -> OrgRow | None:
    """The cell asked for, when the user may open a case there; the only one, for a cell's
    secretary."""
    cells = {str(c.id): c for c in openable_cells(w)}
    if cell in cells:
        return cells[cell]
    return next(iter(cells.values())) if len(cells) == 1 else None


@router.get("/cases/new")
def new_case(w: WebContext, cell: UUID | None = None) -> HTMLResponse:
    """The form; `?cell=` chooses the cell (outside the subtree or unknown: NOT-FOUND, as
    the board's filter)."""
    if not may(w.user, OPEN_CASE):
        raise role_refused(OPEN_CASE)
    chosen = chosen_cell(w, str(w.org(cell).id) if cell else None)
    return render(w, "case_new.html", case_form(w, chosen), cell=chosen)


@router.post("/cases/new")
async def open_case(request: Request, w: WebContext) -> Response:
    form_data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form_data)
    if not may(w.user, OPEN_CASE):
        raise role_refused(OPEN_CASE)
    chosen = await run_in_threadpool(chosen_cell, w, form_data.get("cell_id"))
    form = await run_in_threadpool(case_form, w, chosen)
    body, form.values, form.errors = read_model(CaseStartIn, form.fields, form_data, w.lang)
    if body is not None:
        try:
            view = await commands.open_case(w.s, w.user, body, form_key(form_data))
        except DomainError as error:
            refused(w, form, CASE_RULE_FIELDS, error)
        else:
            return redirect(f"/cases/{view.subject_id}?done=open_case")
    return render(w, "case_new.html", form, 422, cell=chosen)


# --- starting a transfer (Chuyển sinh hoạt) ------------------------------------------------------


def transfer_form(w: Web, member: Member) -> ModelForm:
    """The form of `POST /api/transfers` for one member: the destination among every live
    organization but the member's own cell (a destination may be outside the user's subtree:
    organizations' names are not personal data), grouped by grassroots organization."""
    rows = [o for o in w.orgs.by_id.values() if o.live and o.id != member.cell_id]
    fields = fields_of_model(
        TransferStartIn,
        w.lang,
        {"destination_org_id": [(str(o.id), w.orgs.qualified(o)) for o in rows]},
        frozenset({"member_id"}),
    )
    form = ModelForm(fields, labels_of(fields, w.lang))
    form.groups["destination_org_id"] = grouped(w, rows, w.t("start.upper_committees"))
    today = dmy(w.today)
    form.values = {"on": today, "trigger_on": today, "kind": str(TransferKind.official)}
    return form


def transfer_subject(w: Web, member_id: UUID) -> tuple[Member, str]:
    """The member (inside the user's subtree, else NOT-FOUND), and the name shown."""
    if not may(w.user, START_TRANSFER):
        raise role_refused(START_TRANSFER)
    member: Member = locate(w.s.app, w.s.scope, w.user, "member", member_id).record
    name = (
        member_names(w.s.app, w.s.engine, [member_id]).get(member_id, short(member_id))
        if w.sees_people
        else w.t("card.member", id=short(member_id))
    )
    return member, name


def transfer_context(w: Web, member_id: UUID, member: Member, name: str) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "member_name": name,
        "cell": w.orgs.name(member.cell_id),
        "startable": member.status.on_roll and member.away_transfer_id is None,
    }


@router.get("/members/{member_id}/transfer")
def new_transfer(member_id: UUID, w: WebContext) -> HTMLResponse:
    member, name = transfer_subject(w, member_id)
    return render(
        w,
        "transfer_new.html",
        transfer_form(w, member),
        **transfer_context(w, member_id, member, name),
    )


@router.post("/members/{member_id}/transfer")
async def start_transfer(member_id: UUID, request: Request, w: WebContext) -> Response:
    form_data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form_data)
    member, name = await run_in_threadpool(transfer_subject, w, member_id)
    form = await run_in_threadpool(transfer_form, w, member)
    body, form.values, form.errors = read_model(
        TransferStartIn, form.fields, form_data, w.lang, {"member_id": str(member_id)}
    )
    if body is not None:
        try:
            view = await commands.begin_transfer(w.s, w.user, body, form_key(form_data))
        except DomainError as error:
            refused(w, form, TRANSFER_RULE_FIELDS, error)
        else:
            return redirect(f"/transfers/{view.subject_id}?done=start_transfer")
    context = transfer_context(w, member_id, member, name)
    return render(w, "transfer_new.html", form, 422, **context)
