"""The history as a person reads it (infra/history.py): every event of the domain is a
sentence in Vietnamese and in English, with names and never code; who acted, with their role
and unit; recording times in Vietnam time; a record as it stood on a date, on either basis."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from eventsourcing.domain import DomainEvent

import domain
from domain.admission import AdmissionCase, Stage
from domain.application import Context
from domain.calendar import VIETNAM
from domain.member import Member
from domain.person import Person
from domain.record import Recorded
from domain.transfer import Hop, Transfer
from domain.values import Actor, Role, TransferKind, TransferReason
from infra.history import SENTENCES, WORDS, Narrator, sentence_of
from infra.users import Role as UserRole
from infra.users import UserStore
from tests.builders import World, ctx
from tests.unit.test_admission import open_case

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
CODE = [
    UUID_TEXT,
    re.compile(r"\b(True|False|None)\b"),
    re.compile(r"[{}]"),  # a JSON brace, or a placeholder left unfilled
    re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),  # snake_case: a field or a value's code name
    re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b"),  # CamelCase: a class or an event's name
    re.compile(r"\w+\(\w+="),  # a dataclass's repr
]
NAME = "Nguyễn Thị Hoa"  # every person of the test world (tests/builders.py)


def code_in(text: str) -> list[str]:
    return [m.group() for pattern in CODE for m in [pattern.search(text)] if m]


def aggregates() -> list[type[Recorded]]:
    """Every aggregate of the domain, found in its modules (a new one is covered unasked)."""
    found: set[type[Recorded]] = set()
    for module in pkgutil.iter_modules(domain.__path__):
        for value in vars(importlib.import_module(f"domain.{module.name}")).values():
            if isinstance(value, type) and issubclass(value, Recorded) and value is not Recorded:
                found.add(value)
    return sorted(found, key=lambda c: c.__name__)


def events_of_the_domain() -> list[tuple[str, type[DomainEvent]]]:
    """(`Aggregate.Event`, class) of every event an aggregate records."""
    found = {}
    for aggregate in aggregates():
        for name in dir(aggregate):
            value = getattr(aggregate, name)
            if (
                isinstance(value, type)
                and issubclass(value, DomainEvent)
                and value.__name__ not in ("Created", "Event", "Snapshot")  # eventsourcing's own
            ):
                found[f"{aggregate.__name__}.{value.__name__}"] = value
    return sorted(found.items())


def test_the_domain_s_aggregates_are_all_found() -> None:
    names = {a.__name__ for a in aggregates()}
    assert {"AdmissionCase", "Member", "Transfer", "Person", "Organization"} <= names


class Facts:
    """Facts of an event made from its fields' types, naming the test world's real records
    (so names resolve as they would on a page)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.member = world.members[world.cell][0]
        self.person = world.app.load(Member, self.member).person_id

    def of(self, event: type[DomainEvent]) -> dict[str, Any]:
        skip = {"originator_id", "originator_version", "timestamp", "stamp", "originator_topic"}
        names = vars(importlib.import_module(event.__module__))
        return {
            f.name: self.value(f.name, eval(f.type, names) if isinstance(f.type, str) else f.type)
            for f in dataclasses.fields(event)
            if f.name not in skip
        }

    def value(self, name: str, kind: Any) -> Any:
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if origin in (typing.Union, types.UnionType):
            return self.value(name, next(a for a in args if a is not type(None)))
        if origin in (list, tuple):
            return [self.value(name, args[0])]
        if kind is UUID:
            if name in ("member_id", "helper_member_id"):
                return self.member
            return self.person if name == "person_id" else self.world.cell
        if kind is bool:
            return True
        if kind is int:
            return 3
        if kind is float:
            return 7.5
        if kind is date:
            return date(2026, 3, 5)
        if isinstance(kind, type) and issubclass(kind, Enum):
            return str(next(iter(kind)).value)  # as the record gives it back: a plain string
        if dataclasses.is_dataclass(kind) and isinstance(kind, type):
            hints = typing.get_type_hints(kind)
            return kind(
                **{f.name: self.value(f.name, hints[f.name]) for f in dataclasses.fields(kind)}
            )
        return {"subject": "applicant", "rule_id": "ADM-DECIDE", "full_name": NAME}.get(
            name, "12/QĐ"
        )


def test_every_event_of_the_domain_has_a_sentence_in_vietnamese_and_english() -> None:
    missing = [name for name, _ in events_of_the_domain() if sentence_of(name) is None]
    assert missing == []
    for key, sentence in SENTENCES.items():
        assert sentence.vi.strip() and sentence.en.strip() and sentence.vi != sentence.en, key
        for clause in sentence.clauses:
            assert clause.vi and clause.en, (key, clause.fact)
    for key, (vi, en) in WORDS.items():
        assert vi and en, key


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("personal", [True, False])
def test_no_sentence_shows_a_code_name_a_uuid_a_boolean_or_a_brace(
    world: World, lang: str, personal: bool
) -> None:
    facts = Facts(world)
    narrator = Narrator(world.app, lang, personal=personal)
    shown = {}
    for name, event in events_of_the_domain():
        made = facts.of(event)
        shown[name] = narrator.sentence(name, made)
        # The events that read differently when a fact is absent.
        for absent in ("transfer_id", "residence_cell_id", "parent_id"):
            if absent in made:
                shown[f"{name} without {absent}"] = narrator.sentence(name, {**made, absent: None})
    found = {name: code_in(text) for name, text in shown.items() if code_in(text)}
    assert found == {}
    assert not any(text[0].islower() for text in shown.values())
    named = {name for name, text in shown.items() if NAME in text}
    if personal:
        assert {"AdmissionCase.Opened", "Member.Admitted", "Person.Registered"} <= named
    else:
        assert named == set()


def the_whole_way(world: World) -> tuple[UUID, UUID]:
    """A case from its opening to the ceremony, then a transfer of the new member."""
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    case.decide()
    member_id = case.ceremony()
    transfer = uuid4()
    app = world.app
    app.start_transfer(
        ctx(),
        transfer_id=transfer,
        member_id=member_id,
        kind=TransferKind.internal,
        reason=TransferReason.residence_change,
        destination_org_id=world.other_cell,
        trigger_on=date(2026, 3, 2),
        on=date(2026, 3, 2),
    )
    app.forward_letter(ctx(), transfer, Hop(world.cell, world.other_cell, "9/GT", date(2026, 3, 3)))
    app.present_letter(ctx(), transfer, date(2026, 3, 4))
    app.accept_transfer(ctx(), transfer, date(2026, 3, 5))
    return case.case_id, case.person_id


def test_a_timeline_reads_as_sentences_with_names_for_who_may_see_them(world: World) -> None:
    _, person = the_whole_way(world)
    timeline = world.app.timeline(person)
    officer = Narrator(world.app, "vi", personal=True).lines(timeline)
    by_event = {(line.subject, line.event): line.sentence for line in officer}
    assert by_event[("case", "Chi bộ biểu quyết")] == (
        "Chi bộ biểu quyết đề nghị kết nạp: 6/9 tán thành, 1 không tán thành (cần 6) — đạt"
    )
    assert by_event[("case", "Mở hồ sơ")] == (
        f"Mở hồ sơ kết nạp cho {NAME} tại Chi bộ thôn Đông; đảng viên giúp đỡ: {NAME}"
    )
    assert "2 người thân (Cha đẻ Nguyễn Văn Ba" in by_event[("case", "Khai lý lịch")]
    assert by_event[("transfer", "Chuyển thư giới thiệu")] == (
        "Chuyển giấy giới thiệu sinh hoạt đảng số 9/GT từ Chi bộ thôn Đông đến Chi bộ cơ quan xã, "
        "tới chi bộ tiếp nhận"
    )
    assert by_event[("member", "Đổi chi bộ")] == "Chuyển sinh hoạt đến Chi bộ cơ quan xã"

    auditor = Narrator(world.app, "en", personal=False).lines(timeline)
    assert len(auditor) == len(officer)
    by_event = {(line.subject, line.event): line.sentence for line in auditor}
    assert by_event[("case", "Background declared")] == (
        "The background declaration was received, naming 2 relatives to verify"
    )
    assert by_event[("case", "Opened")] == (
        "Admission case opened for this person in Chi bộ thôn Đông; helper: a member"
    )
    for line in [*officer, *auditor]:
        assert code_in(line.sentence) == [], line
        assert not UUID_TEXT.search(str(vars(line))), line
    assert not any(NAME in line.sentence or "Nguyễn Văn Ba" in line.sentence for line in auditor)


def test_recording_times_are_shown_in_vietnam_time_to_the_minute(world: World) -> None:
    _, person = the_whole_way(world)
    entry = world.app.history(person)[0]
    line = Narrator(world.app, "vi", personal=True).line(entry)
    recorded = datetime.fromisoformat(entry.recorded_at).astimezone(VIETNAM)
    assert line.recorded == recorded.strftime("%d/%m/%Y %H:%M")
    assert line.effective == "01/09/2025"
    assert line.rule_set == "294-QĐ/TW (2025) · 01/07/2025"


def test_an_actor_reads_as_name_role_and_unit_and_the_processes_as_the_system(
    world: World,
) -> None:
    users = UserStore(
        sa.create_engine("sqlite://"), PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    secretary = users.create(
        "bt.dong", "mật-khẩu-bí-thư", UserRole.cell_secretary, world.cell, "Nguyễn Văn B"
    )
    case = open_case(world)
    by_secretary = Context(Actor(secretary.id, Role.cell_secretary, world.cell), f"k-{uuid4()}")
    world.app.record_certificate(by_secretary, case.case_id, "45/GCN", date(2025, 9, 20))
    narrator = Narrator(world.app, "vi", personal=True, users=users)
    certificate = world.app.history(case.case_id)[-1]
    assert narrator.line(certificate).actor == "Nguyễn Văn B — Bí thư chi bộ, Chi bộ thôn Đông"
    system = Actor("dangvien", Role.system, world.cell)
    assert narrator.actor(system) == "Hệ thống"
    assert Narrator(world.app, "en", personal=True).actor(system) == "The system"
    gone = Actor(str(uuid4()), Role.auditor, world.grassroots)
    assert narrator.actor(gone) == "Tài khoản không còn — Kiểm tra, Đảng bộ xã An Bình"
    by_username = Actor("bt.dong", Role.cell_secretary, world.cell)  # as an import records it
    assert narrator.actor(by_username).startswith("Nguyễn Văn B — ")


def test_a_case_on_a_date_is_what_took_effect_by_then_or_what_the_record_knew_then(
    world: World,
) -> None:
    app = world.app
    before_anything = datetime.now(UTC)
    case = open_case(world)  # opened on 01/09/2025, recorded today
    case.dossier()
    before_the_vote_was_recorded = datetime.now(UTC)
    case.cell_vote(on=date(2025, 12, 5))  # recorded today, late: it took effect on 05/12/2025

    # What was true on a date: the acts that took effect by then, whenever recorded.
    def effective(day: date) -> AdmissionCase | None:
        return app.as_of_effective(AdmissionCase, case.case_id, day)

    assert effective(date(2025, 8, 31)) is None  # the case did not exist yet
    opened = effective(date(2025, 9, 1))
    assert opened is not None and opened.stage is Stage.course
    on_the_eve = effective(date(2025, 12, 4))
    assert on_the_eve is not None and on_the_eve.stage is Stage.cell_vote
    voted = effective(date(2025, 12, 5))
    assert voted is not None and voted.stage is Stage.committee_vote

    # What the record knew at a moment: the vote was unknown before it was recorded, though it
    # had taken effect months earlier.
    assert app.as_of(AdmissionCase, case.case_id, before_anything) is None
    known = app.as_of(AdmissionCase, case.case_id, before_the_vote_was_recorded)
    assert known is not None and known.stage is Stage.cell_vote
    now = app.as_of(AdmissionCase, case.case_id, datetime.now(UTC))
    assert now is not None and now.stage is Stage.committee_vote

    # An act recorded later but dated earlier than one before it counts from its own date.
    person = app.as_of_effective(Person, case.person_id, date(2025, 9, 1))
    assert person is not None and case.case_id in person.case_ids


def test_every_record_reads_on_any_day_of_its_life_on_the_effective_basis(world: World) -> None:
    case_id, person_id = the_whole_way(world)
    app = world.app
    member_id = app.load(AdmissionCase, case_id).member_id
    records: list[tuple[type[Recorded], UUID]] = [
        (AdmissionCase, case_id),
        (Person, person_id),
        (Member, member_id),
    ]
    transfer_id = next(
        h.facts["transfer_id"] for h in app.history(member_id) if h.facts.get("transfer_id")
    )
    records.append((Transfer, transfer_id))
    for cls, ident in records:
        days = sorted({h.effective_on for h in app.history(ident)})
        versions = [
            then.version if (then := app.as_of_effective(cls, ident, day)) else 0 for day in days
        ]
        assert versions == sorted(versions) and versions[-1] == len(app.history(ident)), cls
        assert app.as_of_effective(cls, ident, date(2020, 1, 1)) is None
