"""The page of one case, probation or transfer (Hồ sơ): the person (for the roles that may see
personal data), where it stands, its deadline and who answers for it, the dossier checklist,
every event of its record, and a form for each step its stage accepts that the user's role may
take. A step goes through the API's own command (`infra.api.commands.act`): the same access
checks, the same workflow update, the same refusals with their rule ids.

Also the audit pages (Kiểm tra): a person's whole timeline, a case as of a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from domain import policy
from domain.admission import AdmissionCase
from domain.application import HistoryEntry
from domain.calendar import vietnam_calendar
from domain.commands import STEPS, Subject
from domain.commands.transfers import CancelTransfer
from domain.errors import DomainError, NotFound
from domain.member import Member
from domain.paper import PaperKind
from domain.person import Person, PersonalData
from domain.stages import Stage, Status
from domain.transfer import Transfer
from infra.api import commands
from infra.api.access import CORRECT_PERSON, START_TRANSFER, may
from infra.api.errors import role_refused
from infra.api.records import Located, locate
from infra.history import Line, Narrator
from infra.web import confirm, standing
from infra.web.forms import (
    ARGS,
    Field,
    StepForm,
    fields_of,
    initial_values,
    model_defaults,
    place_refusal,
    read_step,
)
from infra.web.i18n import dmy, parse_dmy, rule_flag
from infra.web.session import Web, WebContext, WebRoute, redirect
from infra.web.views import SOON, member_names, short
from projections.queries import ReadModel
from workflows.messages import View

router = APIRouter(route_class=WebRoute, include_in_schema=False)

COLLECTION: dict[Subject, str] = {
    "admission": "cases",
    "member": "members",
    "transfer": "transfers",
}
STARTED = frozenset({"open_case", "start_transfer"})  # a record just opened (starts.py)
LEAVING = frozenset({"record_departure", "strike_off"})  # offered last on a member's page
REGISTERED = frozenset({"register_member", "correct_person"})  # registration.py
REFUSED_AS_PAGE = frozenset({"NOT-FOUND", "ACCESS-SCOPE", "ACCESS-ROLE", "AUTH-REQUIRED"})


@dataclass
class Page:
    """What the record page shows."""

    subject: Subject
    id: UUID
    found: Located
    view: View
    person_id: UUID
    person: list[tuple[str, str]] | None
    facts: list[tuple[str, str]]
    dossier: list[tuple[str, bool]]
    history: list[Line]
    dossier_title: str = "record.dossier"
    forms: dict[str, StepForm] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)
    standing: list[tuple[str, str]] = field(default_factory=list)  # a member on the roll

    @property
    def collection(self) -> str:
        return COLLECTION[self.subject]

    @property
    def closed(self) -> bool:
        """Nothing more happens to it: a member on the roll is never "ended" (their process
        may be, their standing steps stay open)."""
        if isinstance(self.found.record, Member):
            return not self.found.record.status.on_roll
        return self.view.closed


def person_rows(w: Web, data: PersonalData) -> list[tuple[str, str]]:
    yes, no = w.t("yes"), w.t("no")
    return [
        (w.t("person.full_name"), data.full_name),
        (w.t("person.birth_date"), dmy(data.birth_date)),
        (w.t("person.citizen_id"), data.citizen_id),
        (w.t("person.gender"), w.label("enum", data.gender)),
        (w.t("person.ethnicity"), data.ethnicity),
        (w.t("person.religion"), data.religion or w.t("none")),
        (w.t("person.address"), data.address),
        (w.t("person.education"), w.label("enum", data.education)),
        (w.t("person.youth_union_member"), yes if data.youth_union_member else no),
        (w.t("person.trade_union_member"), yes if data.trade_union_member else no),
        (w.t("person.occupation"), w.label("occupation", data.occupation)),
    ]


def facts_of(w: Web, record: Any) -> list[tuple[str, str]]:
    name = w.orgs.name
    if isinstance(record, AdmissionCase):
        rows = [
            (w.t("record.cell"), name(record.cell_id)),
            (w.t("record.opened"), dmy(record.opened_on)),
        ]
        if record.decision is not None:
            rows.append((w.t("record.decision"), decision_number(w, record)))
        return rows
    if isinstance(record, Member):
        rows = [
            (w.t("record.cell"), name(record.cell_id)),
            (w.t("record.ceremony_on"), dmy(record.ceremony_on)),
            (w.t("record.probation_ends"), dmy(record.probation_ends)),
        ]
        if record.full_from:
            rows.append((w.t("record.full_from"), dmy(record.full_from)))
        if record.departure:
            kind, on = record.departure
            rows.append((w.t("record.departure"), f"{w.label('enum', kind)} — {dmy(on)}"))
        if record.expunged_on:
            rows.append((w.t("record.expunged_on"), dmy(record.expunged_on)))
        return rows
    assert isinstance(record, Transfer)
    named = w.orgs.qualified_name  # both sides may have a cell of the same name
    rows = [
        (w.t("record.transfer_kind"), w.label("enum", record.kind)),
        (w.t("record.transfer_reason"), w.label("enum", record.reason)),
        (w.t("record.from_cell"), named(record.from_cell_id)),
        (w.t("record.destination"), named(record.destination_org_id)),
        (w.t("record.started_on"), dmy(record.started_on)),
    ]
    if record.to_cell_id:
        rows.append((w.t("record.cell"), named(record.to_cell_id)))
    return rows


def decision_number(w: Web, case: AdmissionCase) -> str:
    """The admission decision as it counts: its paper's symbol once issued from the register,
    else the number typed for a decision issued outside dangvien (docs/documents.md)."""
    assert case.decision is not None
    typed, day, _ = case.decision
    issued = [
        p
        for p in w.s.app.papers_of(case.id)
        if p.kind is PaperKind.admission_decision and p.superseded_by is None
    ]
    symbol = issued[-1].symbol if issued else typed
    if symbol:
        return w.t("record.decision_paper", symbol=symbol, day=dmy(day))
    return w.t("record.decision_unnumbered", day=dmy(day))


def narrator(w: Web) -> Narrator:
    """The history's sentences for this reader: their language, their right to personal data,
    organizations named from the page's tree."""

    def org_name(org_id: UUID) -> str | None:
        found = w.orgs.get(org_id)
        return found.name if found else None

    return Narrator(w.s.app, w.lang, personal=w.sees_people, users=w.s.users, org_name=org_name)


def history_rows(w: Web, events: Iterable[HistoryEntry | tuple[str, HistoryEntry]]) -> list[Line]:
    """Every event as a sentence with names, who acted, when (infra/history.py)."""
    return narrator(w).lines(events)


def person_of(app: Any, record: Any) -> UUID:
    if isinstance(record, Transfer):
        return app.load(Member, record.member_id).person_id
    return record.person_id


def cell_of(record: Any) -> UUID:
    return record.from_cell_id if isinstance(record, Transfer) else record.cell_id


class Choices:
    """The options of a record's forms (members, committees, relatives…) and defaults, for
    the day of the step (today on a fresh page, the date entered once posted)."""

    def __init__(self, w: Web, found: Located, on: date | None = None) -> None:
        self.w = w
        self.record = found.record
        self.on = on or w.today
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.per_step: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self.defaults: dict[str, Any] = {"year": w.today.year}
        self._members()
        self._committees()
        self._relatives()
        self._orgs()
        if isinstance(self.record, Member):
            self.per_step = standing.step_options(w, self.record, self.on)
            # PRB-DEADLOCK: after the failed votes the upper committee decides
            self.defaults["by_upper_committee"] = self.record.deadlocked

    def for_step(self, kind: str) -> dict[str, list[tuple[str, str]]]:
        """The page's options, with the step's own (a hold to release…)."""
        return self.options | self.per_step.get(kind, {})

    def _members(self) -> None:
        w, cell = self.w, cell_of(self.record)
        full = ReadModel(w.s.engine).roll(cell, self.on).full
        names = member_names(w.s.app, w.s.engine, full) if w.sees_people else {}
        members = sorted(((str(m), names.get(m) or short(m)) for m in full), key=lambda o: o[1])
        self.options["member_id"] = self.options["helper_member_id"] = members

    def _committees(self) -> None:
        """The committee each decision is the domain's to expect: the competent one decides
        (ADM-DECIDE, PRB-DECIDE, PRB-DEADLOCK), the one directly above the cell approves a later
        ceremony (ADM-CEREMONY)."""
        w, cell = self.w, cell_of(self.record)
        try:
            competent = w.s.app.competent_committee(cell, self.on).id
        except DomainError:
            return
        self.options["decided_by"] = [(str(competent), w.orgs.name(competent))]
        self.defaults["decided_by"] = str(competent)
        superior = w.s.app.directly_superior(cell, self.on)
        if superior is not None:
            self.options["approved_by"] = [(str(superior), w.orgs.name(superior))]
            self.defaults["approved_by"] = str(superior)

    def _relatives(self) -> None:
        record, w = self.record, self.w
        if not isinstance(record, AdmissionCase):
            return
        taken = set(record.introductions)
        self.defaults["slot"] = 1 if 1 not in taken else 2

        def shown(key: str) -> str:
            rel = record.relatives[key]
            who = w.label("enum", rel.relationship)
            return f"{who}: {rel.full_name}" if w.sees_people else f"{who} ({key})"

        self.options["subject"] = [("applicant", w.t("record.applicant"))] + [
            (k, shown(k)) for k in record.relatives
        ]
        self.options["member_relative_key"] = [
            (k, shown(k)) for k, r in record.relatives.items() if r.is_party_member
        ]

    def _orgs(self) -> None:
        """Any live organization of the tree: a residence cell or a letter's next hop may be
        outside the user's subtree (their names are not personal data)."""
        w, record = self.w, self.record
        live = w.orgs.ordered([r for r in w.orgs.by_id.values() if r.live])
        self.options["residence_cell_id"] = [  # only a link that can succeed (ORG-TREE)
            (str(c.id), w.orgs.qualified(c)) for c in live if c.residential
        ]
        if isinstance(record, Transfer):
            every = [(str(o.id), w.orgs.qualified(o)) for o in live]
            self.options["from_org_id"] = self.options["to_org_id"] = every
            holder = record.hops[-1].to_org_id if record.hops else record.from_cell_id
            self.defaults["from_org_id"] = str(holder)


def step_form(
    w: Web, subject: Subject, kind: str, choices: Choices, primary: bool = False
) -> StepForm:
    fields = fields_of(subject, kind, w.lang, choices.for_step(kind))
    defaults = model_defaults(subject, kind) | choices.defaults
    return StepForm(
        subject, kind, fields, initial_values(fields, w.today, defaults), primary=primary
    )


def may_take(w: Web, found: Located, kind: str) -> bool:
    """The role may issue the step, for an organization of the user's subtree (as
    `infra.api.commands.act` checks; a letter's hop is checked on its sender when sent)."""
    if not may(w.user, kind):
        return False
    if kind == CancelTransfer.step_kind:  # TRF-CANCEL: the sending side only
        actor = w.s.scope.actor(w.user, found.orgs[0])
        return w.s.app.may_cancel(found.id, actor.org_id, w.today)
    step = STEPS[kind]
    if step.sender_field is not None:
        return True
    receiving = found.record.to_cell_id if found.subject == "transfer" else None
    own = (receiving,) if step.by_receiving_cell and receiving is not None else found.orgs
    return any(w.orgs.inside(o) for o in own)


def ceremony_step(w: Web, case: AdmissionCase) -> str:
    """The step a case awaiting its ceremony needs first: the cell receives the decision;
    past the due date, the delay's approval (ADM-CEREMONY) before the ceremony."""
    if not case.decision_received_on:
        return "receive_decision"
    due = case.ceremony_due
    return "approve_ceremony_delay" if due is not None and w.today > due else "hold_ceremony"


def may_start_transfer(w: Web, member: Member) -> bool:
    """A member on the roll and not away, for a role that starts transfers."""
    return may(w.user, START_TRANSFER) and member.status.on_roll and member.away_transfer_id is None


def recognition_dossier(w: Web, member: Member) -> list[tuple[str, bool]]:
    """What the cell's recognition vote needs (PRB-DOSSIER), each in, exempted (with its
    reason) or missing: shown during probation, and after it where any was recorded."""
    if member.status is not Status.probationary and not (member.papers or member.exempted_papers):
        return []
    rows = []
    for prerequisite, done in member.recognition_checklist.items():
        name = w.label("enum", prerequisite)
        reason = member.exempted_papers.get(prerequisite)
        if reason is not None:
            name += " — " + w.t("record.exempted", reason=reason)
        rows.append((name, done))
    return rows


def record_page(w: Web, subject: Subject, ident: UUID) -> Page:
    s = w.s
    found = locate(s.app, s.scope, w.user, subject, ident)
    record = found.record
    view = s.view_of(ident, w.today)
    person_id = person_of(s.app, record)
    person = person_rows(w, s.app.load(Person, person_id).data) if w.sees_people else None
    dossier = (
        [(w.label("stage", stage), done) for stage, done in record.dossier.items()]
        if isinstance(record, AdmissionCase)
        else recognition_dossier(w, record)
        if isinstance(record, Member)
        else []
    )
    history = s.app.history(ident)
    page = Page(
        subject,
        ident,
        found,
        view,
        person_id,
        person,
        facts_of(w, record),
        dossier,
        history_rows(w, history),
        "record.dossier" if isinstance(record, AdmissionCase) else "record.recognition_dossier",
    )
    primary = {k for k in ARGS[subject] if view.stage in STEPS[k].opens_at}
    if isinstance(record, AdmissionCase) and record.stage is Stage.ceremony:
        primary = {ceremony_step(w, record)}
    takes = [k for k in ARGS[subject] if k in view.awaiting and may_take(w, found, k)]
    if isinstance(record, Member):
        takes = [k for k in takes if standing.open_to(record, k)]
        page.standing = standing.standing_rows(w, record)
    if takes:
        choices = Choices(w, found)
        takes.sort(key=lambda k: (k not in primary, k in LEAVING))
        page.forms = {k: step_form(w, subject, k, choices, k in primary) for k in takes}
    page.links.append((f"/people/{person_id}", w.t("record.timeline_of_person")))
    if person is not None and may(w.user, CORRECT_PERSON):
        page.links.append((f"/people/{person_id}/correction", w.t("correct.link")))
    if isinstance(record, AdmissionCase) and getattr(record, "member_id", None):
        page.links.append((f"/members/{record.member_id}", w.t("record.member_page")))
    if isinstance(record, Member) and record.case_id:
        page.links.append((f"/cases/{record.case_id}", w.t("record.case_page")))
    if isinstance(record, Member) and may_start_transfer(w, record):
        page.links.append((f"/members/{ident}/transfer", w.t("transfer_new.link")))
    return page


def deadline_info(w: Web, view: View) -> dict[str, Any] | None:
    """The deadline of the record's step; a document's validity, which the process watches
    too (policy.VALIDITY_RULES), is no step's deadline: see validity_info."""
    d = view.deadline
    if d is None or d.rule_id in policy.VALIDITY_RULES:
        return None
    left = vietnam_calendar().working_days_between(w.today, d.due)
    return {
        "rule_id": d.rule_id,
        "flag": rule_flag(w.lang, d.rule_id, d.start),
        "start": dmy(d.start),
        "due": dmy(d.due),
        "left": left,
        "urgency": "overdue" if left < 0 else ("soon" if left <= SOON else "ok"),
        "responsible": w.orgs.name(d.responsible),
        "above": w.orgs.name(d.above) if d.above else "",
        "department": w.orgs.name(d.department) if d.department else "",
    }


def validity_info(w: Web, view: View) -> dict[str, Any] | None:
    """A dossier's document lapsing within 3 months, or lapsed: a warning, not a deadline."""
    d = view.deadline
    if d is None or d.rule_id not in policy.VALIDITY_RULES:
        return None
    if not policy.validity_warning(d.due, w.today):
        return None
    return {"rule_id": d.rule_id, "due": d.due, "lapsed": d.due < w.today}


def render_page(
    w: Web, page: Page, status: int = 200, done: str | None = None, papers: Any = None
) -> HTMLResponse:
    from infra.web.papers import paper_section  # issue 16: the case's papers

    return w.render(
        "record.html",
        status,
        here=f"/{page.collection}/{page.id}",  # also after a POST: the language switch GETs it
        page=page,
        deadline=deadline_info(w, page.view),
        validity=validity_info(w, page.view),
        done=w.label("step", done) if done else None,
        key=str(uuid4()),
        as_of_day=dmy(w.today),
        papers=papers or paper_section(w, page, done=done),
    )


async def show(w: Web, subject: Subject, ident: UUID, done: str | None) -> HTMLResponse:
    page = await run_in_threadpool(record_page, w, subject, ident)
    known = done in ARGS[subject] or done in STARTED or done in REGISTERED
    return render_page(w, page, done=done if done and known else None)


async def take_step(w: Web, subject: Subject, ident: UUID, kind: str, request: Request) -> Response:
    """A step from its form: validated by the API's model, then sent through the API's
    command; refused, the form comes back with the rule's message beside its field."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    w.check_csrf(form)
    if kind not in ARGS[subject]:
        raise NotFound("step", kind)
    page = await run_in_threadpool(record_page, w, subject, ident)
    on = parse_dmy(form.get("on", ""))
    choices = await run_in_threadpool(Choices, w, page.found, on)
    fields: list[Field] = fields_of(subject, kind, w.lang, choices.for_step(kind))
    step, values, errors = read_step(subject, kind, fields, form, w.lang)
    shown = None  # the consequence to confirm, for a step that cannot be undone
    if step is not None:
        try:
            if kind in confirm.REVIEWED and not confirm.confirmed(form, step):
                # Who may, as the command would check it first; a step the stage does not
                # await goes to the command, which refuses it (CASE-STAGE).
                if not may_take(w, page.found, kind):
                    raise role_refused(kind)
                if kind in page.view.awaiting:
                    shown = await run_in_threadpool(confirm.review, w, page.found, step)
            if shown is None:
                await commands.act(w.s, w.user, subject, ident, step, form.get("key") or None)
        except DomainError as refusal:
            if refusal.rule_id in REFUSED_AS_PAGE:
                raise
            errors[place_refusal(fields, refusal.rule_id)] = refusal.message(w.lang)
        else:
            if shown is None:
                return redirect(f"/{COLLECTION[subject]}/{ident}?done={kind}")
    page.forms[kind] = StepForm(subject, kind, fields, values, errors, True, shown)
    return render_page(w, page, status=422 if errors else 200)


@router.get("/cases/{ident}")
async def case_page(ident: UUID, w: WebContext, done: str | None = None) -> HTMLResponse:
    return await show(w, "admission", ident, done)


@router.get("/members/{ident}")
async def member_page(ident: UUID, w: WebContext, done: str | None = None) -> HTMLResponse:
    return await show(w, "member", ident, done)


@router.get("/transfers/{ident}")
async def transfer_page(ident: UUID, w: WebContext, done: str | None = None) -> HTMLResponse:
    return await show(w, "transfer", ident, done)


@router.post("/cases/{ident}/steps/{kind}")
async def case_step(ident: UUID, kind: str, request: Request, w: WebContext) -> Response:
    return await take_step(w, "admission", ident, kind, request)


@router.post("/members/{ident}/steps/{kind}")
async def member_step(ident: UUID, kind: str, request: Request, w: WebContext) -> Response:
    return await take_step(w, "member", ident, kind, request)


@router.post("/transfers/{ident}/steps/{kind}")
async def transfer_step(ident: UUID, kind: str, request: Request, w: WebContext) -> Response:
    return await take_step(w, "transfer", ident, kind, request)
