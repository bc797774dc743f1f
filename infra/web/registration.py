"""Registration in the web (Đăng ký): an organization's page with its facts and the forms of
the organization department (a unit under it, rename, move, dissolve, hamlets, the hamlets a
cell serves), a member from a paper dossier, and a correction of a person's data.

Each form is the API's own request model (infra/api/registration.py, `PersonCorrectionIn`),
read by that model and sent through the API's own function: the same access checks, the same
refusals — shown beside the field each judges — and a refusal writes nothing. The choices
offered are those that can succeed: the kinds that may sit under the organization on the day,
parents of the right kind inside the user's subtree (never the organization's own units), a
merge into an organization of the same kind. A cell that still holds members is dissolved
(or merged) through the dissolution wizard (infra/web/dissolution.py), which moves them.

After a command the page waits (a few seconds at most) for the projector to show it: a
rename appears on the page it leads to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from domain import policy
from domain.errors import DomainError
from domain.organization import PARENT_KINDS, Organization
from domain.person import Person
from domain.policy import district_tier_exists
from domain.values import OrgKind
from infra.api import commands as api_commands
from infra.api import dissolutions, registration
from infra.api.access import CORRECT_PERSON, DISSOLVE, REGISTER_MEMBER, REGISTER_ORG, may
from infra.api.errors import not_found, role_refused
from infra.api.schemas import Day, DissolutionIn, MoveIn, PersonCorrectionIn, Strict
from infra.web.forms import Field
from infra.web.i18n import CATALOG, dmy, t
from infra.web.modelforms import ModelForm, fields_of_model, read_model
from infra.web.orgs import OrgRow, Orgs
from infra.web.records import history_rows
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.starts import form_key, grouped, refused, render
from projections.projector import live_version
from projections.tables import tables

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SETTLE_SECONDS = 5.0  # how long a page waits for the projector to show what was just written


class MergeIn(Strict):
    """Merging a cell that holds members into another cell of its grassroots organization:
    the cell's dissolution (`POST /api/orgs/{id}/dissolution`) with every member moved to it."""

    merged_into: UUID
    on: Day


ACTIONS: dict[str, type[BaseModel]] = {
    "merge": MergeIn,
    "unit": registration.OrgIn,
    "rename": registration.RenameIn,
    "parent": registration.ReparentIn,
    "dissolve": registration.DissolveOrgIn,
    "hamlet": registration.HamletIn,
    "serves": registration.ServedHamletsIn,
}
# The organization's own facts in its history (not its roll's comings and goings).
ORG_FACTS = frozenset(
    {"Registered", "Renamed", "Reparented", "Dissolved", "HamletRegistered", "HamletsServed"}
)
# The field a rule's refusal is shown beside when the refusal names none.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "DATE-ORDER": ("on", "joined_on"),
    "ORG-TREE": ("kind", "parent_id", "cell_id", "keys", "name"),
    "ORG-DISSOLVE": ("on",),
    "TRF-KIND": ("merged_into",),
    "ORG-DISSOLVE-TRANSFER": ("on",),
    "PERSON-ID": ("person.citizen_id",),
    "CASE-UNIQUE": ("person.citizen_id",),
    "PERSON-ELSEWHERE": ("person.citizen_id",),
    "RATE-LIMITED": ("person.citizen_id",),
    "PRB-EFFECTIVE": ("full_from",),
}


def labels(fields: list[Field], lang: str, action: str) -> dict[str, str]:
    """A person's fields as on a record page; the others by the form's own words
    (`reg.<action>.<field>`), else the registration's (`reg.<field>`)."""
    found = {}
    for f in fields:
        own = f"reg.{action}.{f.name}"
        key = f.name if f.name.startswith("person.") else own if own in CATALOG else f"reg.{f.name}"
        found[f.name] = t(lang, key)
    return found


def model_form(
    w: Web, model: type[BaseModel], action: str, choices: Mapping[str, Any], skip: frozenset[str]
) -> ModelForm:
    fields = fields_of_model(model, w.lang, choices, skip)
    return ModelForm(fields, labels(fields, w.lang, action), values={"on": dmy(w.today)})


def shown_error(w: Web, form: ModelForm, error: Exception) -> None:
    """A refusal beside the field it names, else beside its rule's field (starts.refused)."""
    assert isinstance(error, DomainError)
    named = str(error.details.get("field", ""))
    if named in {f.name for f in form.fields} and error.rule_id not in ("ACCESS-SCOPE",):
        form.errors[named] = error.message(w.lang)
        return
    refused(w, form, RULE_FIELDS, error)


# --- the organization's page -------------------------------------------------------------------


@dataclass
class OrgPage:
    org: OrgRow
    record: Organization
    facts: list[tuple[str, str]]
    children: list[OrgRow]
    hamlets: list[tuple[str, str, list[str]]]  # a commune's: key, name, the cells serving it
    served: list[str]  # a cell's: the names of the hamlets it serves
    forms: dict[str, ModelForm] = field(default_factory=dict)
    hamlet_options: list[tuple[str, str]] = field(default_factory=list)  # a cell's commune's
    history: list[Any] = field(default_factory=list)  # its own facts as sentences
    dissolution: str | None = None  # the wizard, for a cell that holds members
    blocked: str | None = None  # why it cannot be dissolved here
    papers: dict[str, Any] | None = None  # a dissolved cell's decision (issue 16)


def commune_of(orgs: Orgs, org: OrgRow) -> OrgRow | None:
    """The nearest commune committee above (the read model's tree)."""
    parent = orgs.get(org.parent_id)
    while parent is not None:
        if parent.kind == OrgKind.commune_committee:
            return parent
        parent = orgs.get(parent.parent_id)
    return None


def hamlet_rows(w: Web, commune_id: UUID) -> list[tuple[str, str, list[str]]]:
    hamlets = tables(live_version(w.s.engine)).hamlets
    with w.s.engine.connect() as conn:
        rows = conn.execute(
            sa.select(hamlets.c.key, hamlets.c.name, hamlets.c.cell_ids)
            .where(hamlets.c.commune_id == commune_id)
            .order_by(hamlets.c.name)
        ).all()
    return [(key, name, [w.orgs.name(c) for c in cells]) for key, name, cells in rows]


def kinds_under(kind: str, w: Web) -> list[OrgKind]:
    """The kinds that may sit under an organization of this kind today (ORG-TREE)."""
    return [
        k
        for k, parents in PARENT_KINDS.items()
        if kind in parents
        and (OrgKind.district_committee not in (k, kind) or district_tier_exists(w.today))
    ]


def org_forms(w: Web, page: OrgPage) -> None:
    """The forms the user may send here, each with only the choices that can succeed."""
    org, orgs, record = page.org, w.orgs, page.record
    if not may(w.user, REGISTER_ORG) or not org.live:
        return
    own = w.user.org_id == org.id
    kinds = kinds_under(org.kind, w)
    if kinds:
        form = model_form(w, registration.OrgIn, "unit", {}, frozenset({"parent_id"}))
        if not any(k.is_grassroots for k in kinds):
            form.fields = [f for f in form.fields if f.name != "may_admit"]
        form.fields = [
            replace(f, options=tuple((str(k), w.label("kind", k)) for k in kinds))
            if f.name == "kind"
            else f
            for f in form.fields
        ]
        page.forms["unit"] = form
    rename = model_form(w, registration.RenameIn, "rename", {}, frozenset())
    rename.values["name"] = org.name
    page.forms["rename"] = rename
    if not own:
        mine = {r.id for r in orgs.subtree(org)}
        parents = [
            r
            for r in orgs.subtree()
            if r.kind in PARENT_KINDS[OrgKind(org.kind)]
            and r.id not in mine
            and r.id != org.parent_id
        ]
        if parents:
            choices = {"parent_id": [(str(r.id), orgs.qualified(r)) for r in parents]}
            form = model_form(w, registration.ReparentIn, "parent", choices, frozenset())
            form.groups["parent_id"] = grouped(w, parents, w.t("start.upper_committees"))
            page.forms["parent"] = form
        dissolve_form(w, page)
    if org.kind == OrgKind.commune_committee:
        page.forms["hamlet"] = model_form(
            w, registration.HamletIn, "hamlet", {}, frozenset({"key"})
        )
    commune = commune_of(orgs, org) if org.is_cell else None
    if commune is not None:
        page.hamlet_options = [(key, name) for key, name, _ in hamlet_rows(w, commune.id)]
        if page.hamlet_options:
            form = model_form(w, registration.ServedHamletsIn, "serves", {}, frozenset({"keys"}))
            form.values["keys"] = list(record.serves[1]) if record.serves else []
            page.forms["serves"] = form


def dissolve_form(w: Web, page: OrgPage) -> None:
    org, record, today = page.org, page.record, w.today
    if record.members_on(today) or record.guests_on(today):
        wizard = f"/dissolve?org={org.parent_id}&cells={org.id}"  # the cell ticked
        page.dissolution = wizard if may(w.user, DISSOLVE) else None
        page.blocked = w.t("orgpage.has_members", count=len(record.members_on(today)))
        # the shortcut: everyone to one cell of the same grassroots organization (TRF-KIND)
        same = [
            r
            for r in w.orgs.subtree()
            if r.is_cell and r.id != org.id and r.grassroots_id == org.grassroots_id
        ]
        if page.dissolution and same:
            choices = {"merged_into": [(str(r.id), r.name) for r in same]}
            page.forms["merge"] = model_form(w, MergeIn, "merge", choices, frozenset())
        return
    if w.orgs.children(org):
        page.blocked = w.t("orgpage.has_units")
        return
    same = [r for r in w.orgs.subtree() if r.kind == org.kind and r.id != org.id]
    choices = {"merged_into": [(str(r.id), w.orgs.qualified(r)) for r in same]}
    form = model_form(w, registration.DissolveOrgIn, "dissolve", choices, frozenset())
    form.groups["merged_into"] = grouped(w, same, w.t("start.upper_committees"))
    page.forms["dissolve"] = form


def org_page(w: Web, org_id: UUID | None) -> OrgPage:
    org = w.org(org_id)
    record = w.s.app.load(Organization, org.id)
    orgs = w.orgs
    parent = orgs.get(org.parent_id)
    facts = [
        (w.t("orgpage.kind"), w.label("kind", org.kind)),
        (w.t("orgpage.registered_on"), dmy(record.registered_on)),
    ]
    if record.setting:
        facts.append((w.t("reg.setting"), w.label("enum", record.setting)))
    if parent is not None:
        since = dmy(record.parents[-1][0])
        facts.append((w.t("orgpage.parent"), w.t("orgpage.since", name=parent.name, day=since)))
    if record.dissolved_on:
        facts.append((w.t("orgpage.dissolved_on"), dmy(record.dissolved_on)))
        if record.merged_into:
            facts.append((w.t("reg.merged_into"), orgs.name(record.merged_into)))
    served: list[str] = []
    if record.serves:
        names = {key: name for key, name, _ in hamlet_rows(w, record.serves[0])}
        served = [names.get(k, k) for k in record.serves[1]]
    hamlets = hamlet_rows(w, org.id) if org.kind == OrgKind.commune_committee else []
    page = OrgPage(org, record, facts, orgs.children(org), hamlets, served)
    entries = [e for e in w.s.app.history(org.id) if e.name.split(".")[-1] in ORG_FACTS]
    page.history = history_rows(w, entries)
    org_forms(w, page)
    from infra.web.orgpapers import dissolution_papers  # issue 16: its dissolution decision

    page.papers = dissolution_papers(w, org.id)
    return page


def show_org(w: Web, page: OrgPage, status: int = 200, done: str | None = None) -> HTMLResponse:
    return w.render(
        "org.html",
        status,
        org=page.org,
        page=page,
        done=w.t(f"orgpage.done.{done}") if done in ACTIONS else None,
        may_register_member=may(w.user, REGISTER_MEMBER) and page.org.live,
        keys={name: str(uuid4()) for name in page.forms},
        key=str(uuid4()),  # the papers' forms (issue 16)
        sees_people=w.sees_people,
    )


@router.get("/orgs")
async def org_view(w: WebContext, org: UUID | None = None, done: str = "") -> HTMLResponse:
    """An organization of the user's subtree (the user's own by default)."""
    page = await run_in_threadpool(org_page, w, org)
    return show_org(w, page, done=done or None)


def settled(w: Web, shown: Callable[[Orgs], bool]) -> None:
    """Wait until the read model shows what was just written (the projector runs beside)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if shown(Orgs.load(w.s.engine, w.s.scope.root_of(w.user))):
            return
        time.sleep(0.2)


def send(w: Web, action: str, org_id: UUID, body: Any, key: str | None) -> UUID:
    """The API's own function for the action; returns the organization to show after."""
    s, user, reg = w.s, w.user, registration
    if action == "unit":
        made = reg.register_org(s, user, body, key)
        settled(w, lambda o: o.get(made.id) is not None)
        return made.id if w.s.scope.inside(user, made.id) else org_id
    commands: dict[str, Callable[..., registration.OrgFactsOut]] = {
        "rename": reg.rename_org,
        "parent": reg.reparent_org,
        "dissolve": reg.dissolve_org,
        "hamlet": reg.register_hamlet,
        "serves": reg.serve_hamlets,
    }
    answer = commands[action](s, user, org_id, body, key)

    def now(o: Orgs) -> tuple[str, UUID | None, bool]:
        row = o.get(org_id)
        return (row.name, row.parent_id, row.live) if row else ("", None, True)

    checks: dict[str, Callable[[Orgs], bool]] = {
        "rename": lambda o: now(o)[0] == answer.name,
        "parent": lambda o: now(o)[1] == answer.parent_id,
        "dissolve": lambda o: not now(o)[2],
    }
    if action in checks:
        settled(w, checks[action])
    return org_id


async def merge(w: Web, org_id: UUID, body: MergeIn, key: str | None) -> str:
    """Every member on the roll on the day to the cell that takes over, then the process of
    the API's dissolution (the same checks: ORG-DISSOLVE, TRF-KIND, ORG-DISSOLVE-TRANSFER)."""
    policy.check_not_after_today(body.on, w.today)
    record = await run_in_threadpool(w.s.app.load, Organization, org_id)
    moves = [MoveIn(member_id=m, to_cell_id=body.merged_into) for m in record.members_on(body.on)]
    dissolution = DissolutionIn(on=body.on, moves=moves, merged_into=body.merged_into)
    await dissolutions.dissolve(org_id, dissolution, w.user, w.s, key)
    return f"/dissolve/{org_id}/progress"


@router.post("/orgs/{org_id}/{action}")
async def org_action(org_id: UUID, action: str, request: Request, w: WebContext) -> Response:
    posted = await request.form()
    form_data = {k: v for k, v in posted.items() if isinstance(v, str)}
    w.check_csrf(form_data)
    if action not in ACTIONS:
        raise not_found("page")
    page = await run_in_threadpool(org_page, w, org_id)  # outside or unknown: NOT-FOUND
    needed = DISSOLVE if action == "merge" else REGISTER_ORG
    if not may(w.user, needed):
        raise role_refused(needed)
    model = ACTIONS[action]
    form = page.forms.get(action) or model_form(w, model, action, {}, frozenset())
    fixed: dict[str, Any] = {}
    if action == "unit":
        fixed["parent_id"] = str(org_id)
    if action == "serves":
        fixed["keys"] = [k for k in posted.getlist("keys") if isinstance(k, str)]
    body, form.values, form.errors = read_model(model, form.fields, form_data, w.lang, fixed)
    if action == "serves":
        form.values["keys"] = fixed["keys"]
    if body is not None:
        try:
            if action == "merge":
                return redirect(await merge(w, org_id, body, form_key(form_data)))
            shown = await run_in_threadpool(send, w, action, org_id, body, form_key(form_data))
        except DomainError as error:
            shown_error(w, form, error)
        else:
            return redirect(f"/orgs?org={shown}&done={action}")
    page.forms[action] = form
    return show_org(w, page, 422)


# --- a member from a paper dossier --------------------------------------------------------------


def member_form(w: Web, cell: OrgRow | None) -> ModelForm:
    cells = [o for o in w.orgs.subtree() if o.is_cell]
    choices = {"cell_id": [(str(c.id), c.name) for c in cells]}
    form = model_form(w, registration.MemberIn, "member", choices, frozenset())
    form.groups["cell_id"] = grouped(w, cells, w.t("start.upper_committees"))
    form.values = {"cell_id": str(cell.id) if cell else ""}
    return form


def member_cell(w: Web, cell: UUID | None) -> OrgRow | None:
    if not may(w.user, REGISTER_MEMBER):
        raise role_refused(REGISTER_MEMBER)
    return w.org(cell) if cell else None


@router.get("/members/new")
def new_member(w: WebContext, cell: UUID | None = None) -> HTMLResponse:
    """The form; `?cell=` chooses the cell (outside the subtree or unknown: NOT-FOUND)."""
    chosen = member_cell(w, cell)
    return render(w, "member_new.html", member_form(w, chosen), cell=chosen)


@router.post("/members/new")
async def register_member(request: Request, w: WebContext) -> Response:
    form_data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form_data)
    member_cell(w, None)
    form = await run_in_threadpool(member_form, w, None)
    body, form.values, form.errors = read_model(
        registration.MemberIn, form.fields, form_data, w.lang
    )
    if body is not None:
        key = form_key(form_data)
        try:
            made = await run_in_threadpool(registration.register_member, w.s, w.user, body, key)
        except DomainError as error:
            shown_error(w, form, error)
        else:
            return redirect(f"/members/{made.member_id}?done=register_member")
    return render(w, "member_new.html", form, 422, cell=None)


# --- a correction of personal data --------------------------------------------------------------


def correction_subject(w: Web, person_id: UUID) -> Person:
    """The person, held inside the user's subtree (else NOT-FOUND, as the API answers), for a
    role that may correct and see people."""
    try:
        holding = w.s.app.cell_holding(person_id)
    except DomainError:
        holding = None
    if holding is None or not w.s.scope.inside(w.user, holding):
        raise not_found("person")
    if not may(w.user, CORRECT_PERSON) or not w.sees_people:
        raise role_refused(CORRECT_PERSON)
    return w.s.app.load(Person, person_id)


def correction_form(w: Web, person: Person | None) -> ModelForm:
    form = model_form(w, PersonCorrectionIn, "correct", {}, frozenset())
    if person is not None:
        data = person.data
        for name in (
            "full_name",
            "citizen_id",
            "gender",
            "ethnicity",
            "religion",
            "address",
            "education",
            "youth_union_member",
            "trade_union_member",
            "occupation",
        ):
            value = getattr(data, name)
            form.values[f"person.{name}"] = "" if value is None else value
        form.values["person.birth_date"] = dmy(data.birth_date)
    return form


def after_correction(person: Person, person_id: UUID) -> str:
    if person.member_id is not None:
        return f"/members/{person.member_id}?done=correct_person"
    if person.case_ids:
        return f"/cases/{person.case_ids[-1]}?done=correct_person"
    return f"/people/{person_id}"


@router.get("/people/{person_id}/correction")
def correction(person_id: UUID, w: WebContext) -> HTMLResponse:
    person = correction_subject(w, person_id)
    return render(w, "person_correction.html", correction_form(w, person), person_id=person_id)


@router.post("/people/{person_id}/correction")
async def correct(person_id: UUID, request: Request, w: WebContext) -> Response:
    form_data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form_data)
    person = await run_in_threadpool(correction_subject, w, person_id)
    form = correction_form(w, None)
    body, form.values, form.errors = read_model(PersonCorrectionIn, form.fields, form_data, w.lang)
    if body is not None:
        try:
            await api_commands.correct_person(person_id, body, w.user, w.s, form_key(form_data))
        except DomainError as error:
            shown_error(w, form, error)
        else:
            return redirect(after_correction(person, person_id))
    return render(w, "person_correction.html", form, 422, person_id=person_id)
