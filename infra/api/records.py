"""A case, member or transfer as the API finds it: the record itself, the organizations it
belongs to (for the user's scope), the workflow that runs it, and its audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi.encoders import jsonable_encoder

from domain.admission import AdmissionCase
from domain.application import Dangvien, HistoryEntry
from domain.calendar import VIETNAM
from domain.commands import Step, Subject
from domain.errors import NotFound
from domain.member import Member
from domain.person import Person
from domain.record import Recorded
from domain.transfer import Transfer
from infra.api.access import Scope, may_see_personal_data
from infra.logging import PERSONAL_FIELDS
from infra.users import User

KINDS: dict[Subject, type[Recorded]] = {
    "admission": AdmissionCase,
    "member": Member,
    "transfer": Transfer,
}
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Located:
    subject: Subject
    id: UUID
    record: Any
    orgs: tuple[UUID, ...]  # the organizations it belongs to, its own cell first

    @property
    def workflow_id(self) -> str:
        """The process that runs it: a member's probation continues its admission case's
        workflow (or `probation-<member>` for a member registered from a paper dossier)."""
        if self.subject == "admission":
            return f"admission-{self.id}"
        if self.subject == "member":
            case_id = self.record.case_id
            return f"admission-{case_id}" if case_id else f"probation-{self.id}"
        return f"transfer-{self.id}"


def organizations_of(record: Any) -> tuple[UUID, ...]:
    """A case or member belongs to its cell; a transfer to the sending cell and to the
    receiving side (the destination, then the receiving cell once the letter names it)."""
    if isinstance(record, Transfer):
        receiving = (record.destination_org_id, record.to_cell_id)
        return (record.from_cell_id, *(o for o in receiving if o is not None))
    return (record.cell_id,)


def acting_for(found: Located, step: Step) -> tuple[UUID, ...]:
    """The organizations a step on the record acts for (the step's class says which)."""
    receiving = found.record.to_cell_id if found.subject == "transfer" else None
    return step.acting_for(found.orgs, receiving)


def locate(app: Dangvien, scope: Scope, user: User, subject: Subject, ident: UUID) -> Located:
    """The record, if it exists inside the user's subtree; otherwise NOT-FOUND either way."""
    cls = KINDS[subject]
    record = app.load(cls, ident)
    orgs = organizations_of(record)
    if not scope.inside(user, *orgs):
        raise NotFound(cls.__name__, ident)
    return Located(subject, ident, record, orgs)


def locate_person(app: Dangvien, scope: Scope, user: User, person_id: UUID) -> Person:
    """A person is inside the subtree of any cell that held one of their cases or their
    membership."""
    person = app.load(Person, person_id)
    cells = [app.load(AdmissionCase, c).cell_id for c in person.case_ids]
    if person.member_id is not None:
        cells.append(app.load(Member, person.member_id).cell_id)
    if not scope.inside(user, *cells):
        raise NotFound(Person.__name__, person_id)
    return person


def shown_to(app: Dangvien, scope: Scope, user: User) -> Callable[[str, UUID], bool]:
    """Which records of a person's timeline the user sees: those of organizations inside their
    subtree (the person's own record: where it is held); the department above sees them all."""
    kinds: dict[str, type[Recorded]] = {
        "case": AdmissionCase,
        "member": Member,
        "transfer": Transfer,
    }

    def shown(kind: str, ident: UUID) -> bool:
        if kind == "person":
            return scope.inside(user, app.cell_holding(ident))
        return scope.inside(user, *organizations_of(app.load(kinds[kind], ident)))

    return shown


def redact(value: Any) -> Any:
    """Personal fields replaced at any depth (a cell vote records the birth date it judged)."""
    if isinstance(value, dict):
        return {k: REDACTED if k in PERSONAL_FIELDS else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def entry(user: User, e: HistoryEntry) -> dict[str, Any]:
    """One event for the user: facts in JSON, personal data only for who may see it."""
    facts = jsonable_encoder(e.facts)
    return {
        "version": e.version,
        "name": e.name,
        "recorded_at": e.recorded_at,
        "effective_on": e.effective_on,
        "actor": jsonable_encoder(e.actor),
        "rule_set": e.rule_set,
        "command_key": e.command_key,
        "facts": facts if may_see_personal_data(user) else redact(facts),
    }


def stage_of(record: Any) -> tuple[str, bool]:
    """Where a record stands, and whether its process is over."""
    if isinstance(record, AdmissionCase):
        return str(record.stage), record.stage.is_closed
    if isinstance(record, Member):
        return str(record.status), str(record.status) != "probationary"
    assert isinstance(record, Transfer)
    return str(record.stage), record.stage.is_closed


def as_of(
    app: Dangvien, cls: type[Recorded], ident: UUID, moment: datetime, basis: str
) -> tuple[Any, int]:
    """A record at a moment and how many of its events it counts (none: it did not exist
    yet). `recorded`: as the record knew it then; `effective`: as things stood on that day in
    Vietnam, the acts that took effect by then applied in recorded order."""
    if basis == "effective":
        day = aware(moment).astimezone(VIETNAM).date()
        counted = sum(1 for h in app.history(ident) if h.effective_on <= day)
        then = app.as_of_effective(cls, ident, day)
    else:
        then = app.as_of(cls, ident, aware(moment))
        counted = then.version if then is not None else 0
    return then, counted if then is not None else 0


NOT_YET = {
    "recorded": (
        "Sổ sự kiện chưa ghi nhận gì về hồ sơ này vào thời điểm đó",
        "Nothing about this record had been recorded yet at that moment",
    ),
    "effective": (
        "Vào ngày đó hồ sơ này chưa tồn tại",
        "On that day this record did not exist yet",
    ),
}


def aware(moment: datetime) -> datetime:
    """A moment without a zone is a moment in Vietnam."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)
