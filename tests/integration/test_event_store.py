"""The event store on SQLite and PostgreSQL: what is written, how it is stored, and what a
second writer, a repeated command or a refused one do to it. Every test runs on both stores."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import unicodedata
import zlib
from base64 import b64encode
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql

from domain import policy
from domain.application import Context, Dangvien
from domain.errors import ConcurrencyConflict, DomainError, RuleViolation
from domain.member import Exemption, Member
from domain.organization import AdmissionTarget, Organization
from domain.person import Person
from domain.values import CellSetting, HoldKind, OrgKind, Role
from infra.settings import Settings
from tests.builders import World, build_world, ctx, person_data
from tests.integration.conftest import AppFactory

NAME = "Trần Văn Khải"
CITIZEN_ID = "079203004512"
TODAY = date(2026, 3, 2)


# --- reading the store behind the application's back ---------------------------------------


@dataclass(frozen=True)
class StoredRow:
    originator_id: str  # as stored: hex on SQLite, the uuid's text on PostgreSQL
    originator_version: int
    topic: str
    state: bytes


def stored_rows(app: Dangvien, settings: Settings) -> list[StoredRow]:
    """Every stored event, straight from the database (not through the application)."""
    recorder: Any = app.recorder
    if settings.store == "sqlite":
        assert recorder.events_table_name == "stored_events"
        path = settings.data_dir / "events.sqlite"
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events "
                "ORDER BY rowid"
            ).fetchall()
    else:
        # eventsourcing names the table after the application, in the configured schema.
        assert recorder.events_table_name == "dangvien_events"
        assert recorder.datastore.schema == settings.postgres_schema
        with psycopg.connect(
            host=settings.postgres_host,
            port=settings.postgres_port,
            user=settings.postgres_user,
            dbname=settings.postgres_dbname,
        ) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT originator_id::text, originator_version, topic, state "
                    "FROM {}.dangvien_events ORDER BY notification_id"
                ).format(sql.Identifier(settings.postgres_schema))
            ).fetchall()
            in_public = conn.execute(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_name = 'dangvien_events'"
            ).fetchall()
        assert not in_public, "the events table must live in the configured schema only"
    return [StoredRow(str(i), int(v), str(t), bytes(s)) for i, v, t, s in rows]


def rows_of(rows: list[StoredRow], aggregate_id: UUID) -> list[StoredRow]:
    return [r for r in rows if UUID(r.originator_id) == aggregate_id]


def plaintext(app: Dangvien, state: bytes) -> bytes:
    """What the application itself reads from a stored state: decrypt, then decompress."""
    cipher, compressor = app.mapper.cipher, app.mapper.compressor
    assert cipher is not None
    assert compressor is not None
    return compressor.decompress(cipher.decrypt(state))


def encodings(text: str) -> set[bytes]:
    """The ways a text could show up in bytes: UTF-8 (composed or not), JSON-escaped, UTF-16."""
    forms: set[bytes] = set()
    for variant in {text, text.lower(), text.upper()}:
        for normal in ("NFC", "NFD"):
            t = unicodedata.normalize(normal, variant)
            forms |= {t.encode(), json.dumps(t)[1:-1].encode(), t.encode("utf-16-le")}
    return forms


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def aggregate_ids(app: Dangvien) -> set[UUID]:
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    return {UUID(str(n.originator_id)) for n in notifications}


def max_id(app: Dangvien) -> int:
    return app.recorder.max_notification_id() or 0


def versions(app: Dangvien, *ids: UUID) -> dict[UUID, int]:
    return {i: app.repository.get(i).version for i in ids}


# --- round trip --------------------------------------------------------------------------


def test_a_new_application_on_the_same_store_reads_back_every_aggregate_unchanged(
    settings: Settings, app: Dangvien, open_app: AppFactory
) -> None:
    world = build_world(app)
    data = person_data(full_name=NAME, citizen_id=CITIZEN_ID)
    person = app.register_person(ctx(), data, date(2024, 5, 2))
    app.open_case(ctx(), case_id=uuid4(), person_id=person, cell_id=world.cell, on=TODAY)

    reopened = open_app(settings)  # the same data dir: the same cipher and id keys

    assert reopened.person_id_for(CITIZEN_ID) == person
    assert reopened.load(Person, person).data == data
    cell = reopened.load(Organization, world.cell)
    assert len(cell.members_on(TODAY)) == 9
    assert cell.members_on(TODAY) == set(world.members[world.cell])
    assert cell.setting is CellSetting.hamlet
    grassroots = reopened.load(Organization, world.grassroots)
    assert grassroots.parent_on(date(2025, 6, 30)) == world.district
    assert grassroots.parent_on(date(2025, 7, 1)) == world.commune
    assert reopened.load(Organization, world.district).dissolved_on == date(2025, 7, 1)
    ids = aggregate_ids(app)
    assert len(ids) == 9 + 2 * (9 + 4 + 3 + 3) + 2  # orgs, people and members, person, case
    for aggregate_id in ids:
        written: Any = app.repository.get(aggregate_id)
        read: Any = reopened.repository.get(aggregate_id)
        assert type(read) is type(written)
        assert vars(read) == vars(written), aggregate_id


# --- personal data at rest ---------------------------------------------------------------


def test_personal_data_is_stored_encrypted_and_unreadable_without_the_key(
    settings: Settings, app: Dangvien, open_app: AppFactory
) -> None:
    data = person_data(full_name=NAME, citizen_id=CITIZEN_ID)
    person = app.register_person(ctx(), data, date(2024, 5, 2))
    corrected = replace(data, address="Số 12 đường Lê Lợi, phường Bến Thành")
    app.register_person(ctx(), corrected, date(2024, 6, 1))

    rows = stored_rows(app, settings)
    person_rows = rows_of(rows, person)
    assert [r.originator_version for r in person_rows] == [1, 2]

    # The check below would see the data if it were there: the application decrypts it.
    for row in person_rows:
        assert NAME.encode() in plaintext(app, row.state)
        assert CITIZEN_ID.encode() in plaintext(app, row.state)

    secrets_in_clear = (
        encodings(NAME)
        | encodings("Khải")
        | encodings("Văn Khải")
        | encodings(ascii_fold(NAME))
        | encodings("Lê Lợi")
        | encodings(CITIZEN_ID)
        | encodings(CITIZEN_ID[3:])
    )
    for row in rows:
        stored = b"\0".join([row.originator_id.encode(), row.topic.encode(), row.state])
        leaked = sorted(s for s in secrets_in_clear if s in stored)
        assert not leaked, (row.originator_id, row.topic, leaked)
        with pytest.raises((UnicodeDecodeError, json.JSONDecodeError)):  # neither JSON ...
            json.loads(row.state)
        with pytest.raises(zlib.error):  # ... nor merely compressed: encryption is outermost
            zlib.decompress(row.state)

    other_key = replace(settings, cipher_key=b64encode(secrets.token_bytes(32)).decode())
    stranger = open_app(other_key)
    assert stranger.person_id_for(CITIZEN_ID) == person  # same id key, different cipher key
    with pytest.raises(ValueError, match="cipher"):
        stranger.load(Person, person)
    assert open_app(settings).load(Person, person).data == corrected


def test_a_large_event_is_stored_compressed(settings: Settings, app: Dangvien) -> None:
    address = "Tổ dân phố 7, phường Bến Nghé, Thành phố Hồ Chí Minh; " * 40
    data = replace(person_data(), address=address)
    person = app.register_person(ctx(), data, date(2024, 5, 2))

    (row,) = rows_of(stored_rows(app, settings), person)
    as_json = plaintext(app, row.state)
    assert address.encode() in as_json
    assert len(as_json) > len(address.encode())
    assert len(row.state) < len(as_json) / 4


# --- refused commands --------------------------------------------------------------------


def assert_refused_without_writing(
    app: Dangvien, rule_id: str, watched: list[UUID], command: Callable[[], object]
) -> None:
    before, before_versions = max_id(app), versions(app, *watched)
    with pytest.raises(RuleViolation) as refusal:
        command()
    assert refusal.value.rule_id == rule_id
    assert max_id(app) == before
    assert versions(app, *watched) == before_versions


def test_dissolving_a_cell_that_still_has_members_is_refused_and_writes_nothing(
    app: Dangvien,
) -> None:
    world = build_world(app)

    assert_refused_without_writing(
        app,
        "ORG-DISSOLVE",
        [world.cell, *world.members[world.cell]],
        lambda: app.dissolve_organization(ctx(), world.cell, TODAY),
    )
    assert app.load(Organization, world.cell).dissolved_on is None


def test_a_second_case_for_a_person_with_an_open_case_is_refused_and_writes_nothing(
    app: Dangvien,
) -> None:
    world = build_world(app)
    person = app.register_person(ctx(), person_data(), date(2024, 5, 2))
    first = app.open_case(ctx(), case_id=uuid4(), person_id=person, cell_id=world.cell, on=TODAY)
    second = uuid4()

    assert_refused_without_writing(
        app,
        "CASE-UNIQUE",
        [person, first, world.other_cell],
        lambda: app.open_case(
            ctx(), case_id=second, person_id=person, cell_id=world.other_cell, on=TODAY
        ),
    )
    assert not app.exists(second)
    assert app.load(Person, person).open_case_id == first


# --- optimistic concurrency --------------------------------------------------------------


def register_cell(app: Dangvien, parent: UUID, name: str = "Chi bộ thôn Bắc") -> UUID:
    return app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=name,
        parent_id=parent,
        established_on=date(2010, 3, 1),
        setting=CellSetting.hamlet,
    )


def renames(app: Dangvien, org: UUID) -> list[str]:
    return [e.facts["name"] for e in app.history(org) if e.name == "Organization.Renamed"]


def test_a_stale_writer_gets_a_retryable_conflict_and_its_retry_loses_nothing(
    settings: Settings, app: Dangvien, open_app: AppFactory
) -> None:
    world = build_world(app, cell_members=3)
    org = register_cell(app, world.grassroots)
    first_app, second_app = app, open_app(settings)
    first, second = ctx(key="rename-first"), ctx(key="rename-second")

    loaded_first = first_app.load(Organization, org)
    loaded_second = second_app.load(Organization, org)
    assert loaded_first.version == loaded_second.version == 1
    loaded_first.rename("Chi bộ thôn Bắc A", Dangvien.stamp(first, TODAY))
    loaded_second.rename("Chi bộ thôn Bắc B", Dangvien.stamp(second, TODAY))
    first_app.commit(loaded_first)
    before = max_id(app)

    with pytest.raises(ConcurrencyConflict) as conflict:
        second_app.commit(loaded_second)
    assert not isinstance(conflict.value, DomainError)  # retried, unlike a domain refusal
    assert max_id(app) == before
    assert renames(app, org) == ["Chi bộ thôn Bắc A"]

    # The retry: the same command (same key) reloads, applies and saves.
    second_app.rename_organization(second, org, "Chi bộ thôn Bắc B", TODAY)

    history = app.history(org)
    assert [e.version for e in history] == [1, 2, 3]
    assert renames(app, org) == ["Chi bộ thôn Bắc A", "Chi bộ thôn Bắc B"]
    assert [e.command_key for e in history[1:]] == ["rename-first", "rename-second"]
    assert app.load(Organization, org).name == "Chi bộ thôn Bắc B"


def test_two_writers_racing_renames_record_every_rename_exactly_once(
    settings: Settings, app: Dangvien, open_app: AppFactory
) -> None:
    world = build_world(app, cell_members=3)
    org = register_cell(app, world.grassroots)
    writers = [app, open_app(settings)]
    per_writer = 20
    conflicts = [0] * len(writers)
    start = threading.Barrier(len(writers))

    def write(w: int) -> None:
        start.wait()
        for i in range(per_writer):
            command = ctx(key=f"race-{w}-{i}")
            for _attempt in range(200):
                try:
                    writers[w].rename_organization(command, org, f"Chi bộ {w}-{i}", TODAY)
                    break
                except ConcurrencyConflict:
                    conflicts[w] += 1
            else:
                raise AssertionError(f"writer {w} never got rename {i} through")

    with ThreadPoolExecutor(len(writers)) as pool:
        for done in [pool.submit(write, w) for w in range(len(writers))]:
            done.result()

    expected = [f"Chi bộ {w}-{i}" for w in range(len(writers)) for i in range(per_writer)]
    assert Counter(renames(app, org)) == Counter(expected)
    history = app.history(org)
    assert [e.version for e in history] == list(range(1, len(expected) + 2))
    assert len({e.command_key for e in history}) == len(history)
    print(f"conflicts retried per writer on {settings.store}: {conflicts}")


# --- idempotency -------------------------------------------------------------------------


Repeatable = Callable[[Dangvien, World, UUID, Context], UUID]
"""A command applied as `run(app, world, person, ctx)`, returning the aggregate it writes."""


def set_a_target(app: Dangvien, world: World, person: UUID, c: Context) -> UUID:
    app.set_target(c, world.grassroots, AdmissionTarget(2026, count=5), TODAY)
    return world.grassroots


def register_an_organization(app: Dangvien, world: World, person: UUID, c: Context) -> UUID:
    return app.register_organization(
        c,
        kind=OrgKind.cell,
        name="Chi bộ thôn Nam",
        parent_id=world.grassroots,
        established_on=TODAY,
        setting=CellSetting.hamlet,
    )


def exempt_a_member(app: Dangvien, world: World, person: UUID, c: Context) -> UUID:
    member = world.members[world.cell][0]
    exemption = Exemption(date(2026, 1, 5), date(2026, 6, 30), "điều trị bệnh dài ngày")
    app.exempt_member(c, member, exemption)
    return member


def open_a_case(app: Dangvien, world: World, person: UUID, c: Context) -> UUID:
    return app.open_case(c, case_id=UUID(int=42), person_id=person, cell_id=world.cell, on=TODAY)


REPEATABLE: list[Repeatable] = [
    set_a_target,
    register_an_organization,
    exempt_a_member,
    open_a_case,
]


@pytest.mark.parametrize("command", REPEATABLE, ids=lambda c: c.__name__.replace("_", " "))
def test_the_same_command_applied_twice_writes_its_events_once(
    settings: Settings, app: Dangvien, open_app: AppFactory, command: Repeatable
) -> None:
    world = build_world(app, cell_members=3)
    person = app.register_person(ctx(), person_data(), date(2024, 5, 2))
    once = ctx()
    before = max_id(app)
    written = command(app, world, person, once)
    after_once, version = max_id(app), versions(app, written)
    assert after_once > before

    retry_worker = open_app(settings)  # a retried activity may land on another worker
    assert command(retry_worker, world, person, once) == written
    assert command(app, world, person, once) == written

    assert max_id(app) == after_once
    assert versions(app, written) == version


def test_the_same_change_under_a_new_command_key_is_recorded_again(app: Dangvien) -> None:
    world = build_world(app, cell_members=3)
    target = AdmissionTarget(2026, count=5)
    same = ctx()
    for command in (same, same, ctx()):
        app.set_target(command, world.grassroots, target, TODAY)

    targets = [e for e in app.history(world.grassroots) if e.name == "Organization.TargetSet"]
    assert len(targets) == 2


# --- audit -------------------------------------------------------------------------------


def test_the_history_lists_every_event_with_who_when_and_under_which_rules(
    app: Dangvien,
) -> None:
    started = datetime.now(UTC)
    world = build_world(app, cell_members=3)
    officer = ctx(Role.grassroots_officer, world.grassroots)
    secretary = ctx(Role.cell_secretary, world.cell)
    org = app.register_organization(
        officer,
        kind=OrgKind.cell,
        name="Chi bộ thôn Bắc",
        parent_id=world.grassroots,
        established_on=date(2010, 3, 1),
        setting=CellSetting.hamlet,
    )
    renamed = ctx(Role.org_department_officer, world.commune)
    app.rename_organization(renamed, org, "Chi bộ thôn Bắc Sơn", date(2018, 5, 2))
    target = ctx()
    app.set_target(
        target,
        org,
        AdmissionTarget(2022, rate_percent=7, start_of_year_members=20),
        date(2022, 1, 10),
    )
    person = app.register_person(ctx(), person_data(), date(2023, 6, 1))
    enrol = ctx()
    member = app.register_member(
        enrol,
        person_id=person,
        cell_id=org,
        joined_on=date(2023, 6, 1),
        decided_on=date(2023, 5, 20),
        full_from=None,
    )
    renamed_again = ctx(Role.org_department_officer, world.commune)
    app.rename_organization(renamed_again, org, "Chi bộ thôn Bắc Sơn 2", date(2025, 9, 1))
    hold = ctx(Role.grassroots_officer, world.grassroots)
    app.place_hold(hold, member, HoldKind.inspection, date(2024, 2, 1))
    release = ctx(Role.grassroots_officer, world.grassroots)
    app.release_hold(release, member, HoldKind.inspection, date(2025, 3, 3))
    link = secretary
    app.link_residence(link, member, world.residence_cell, date(2025, 8, 4))
    finished = datetime.now(UTC)

    expected_org = [
        ("Organization.Registered", officer, date(2010, 3, 1)),
        ("Organization.Renamed", renamed, date(2018, 5, 2)),
        ("Organization.TargetSet", target, date(2022, 1, 10)),
        ("Organization.MemberEnrolled", enrol.derived("cell"), date(2023, 6, 1)),
        ("Organization.Renamed", renamed_again, date(2025, 9, 1)),
    ]
    expected_member = [
        ("Member.Admitted", enrol, date(2023, 6, 1)),
        ("Member.HoldPlaced", hold, date(2024, 2, 1)),
        ("Member.HoldReleased", release, date(2025, 3, 3)),
        ("Member.ResidenceLinked", link, date(2025, 8, 4)),
    ]
    for aggregate_id, expected in ((org, expected_org), (member, expected_member)):
        history = app.history(aggregate_id)
        assert [e.version for e in history] == list(range(1, len(expected) + 1))
        assert [(e.name, e.command_key, e.actor, e.effective_on) for e in history] == [
            (name, c.command_key, c.actor, on) for name, c, on in expected
        ]
        assert [e.rule_set for e in history] == [policy.version_at(on) for _, _, on in expected]
        recorded = [datetime.fromisoformat(e.recorded_at) for e in history]
        assert recorded == sorted(recorded)
        assert all(started <= t <= finished for t in recorded)

    # The rule set is the one in force on the effective date, not on the recording date.
    assert [e.rule_set for e in app.history(org)] == [
        "before-2016-07-25",
        "2016-07-25",
        "2021-07-30",
        "2021-07-30",
        "2025-07-01",
    ]
    assert app.history(org)[2].facts["target"].admissions == 2
    assert app.history(org)[1].facts == {"name": "Chi bộ thôn Bắc Sơn"}

    assert app.as_of_version(Organization, org, 1).name == "Chi bộ thôn Bắc"
    assert app.as_of_version(Organization, org, 2).name == "Chi bộ thôn Bắc Sơn"
    assert app.as_of_version(Organization, org, 4).members_on(TODAY) == {member}
    assert app.as_of_version(Organization, org, 3).members_on(TODAY) == set()
    assert app.load(Organization, org).name == "Chi bộ thôn Bắc Sơn 2"
    assert app.as_of_version(Member, member, 2).holds == {HoldKind.inspection}
    assert app.as_of_version(Member, member, 3).holds == set()


def test_environment_variables_do_not_override_the_settings_the_app_was_built_with(
    settings: Settings, open_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # eventsourcing alone would prefer DANGVIEN_<KEY> from os.environ over what bootstrap
    # passes; infra/settings.py must stay the only reader of the environment.
    monkeypatch.setenv("DANGVIEN_SQLITE_DBNAME", ":memory:")
    monkeypatch.setenv("DANGVIEN_POSTGRES_SCHEMA", "elsewhere")
    monkeypatch.setenv("DANGVIEN_CIPHER_KEY", "")
    monkeypatch.setenv("DANGVIEN_PERSISTENCE_MODULE", "eventsourcing.popo")
    first = open_app(settings)
    org = first.register_organization(
        ctx(),
        kind=OrgKind.province_committee,
        name="Tỉnh ủy",
        parent_id=None,
        established_on=date(2020, 1, 1),
    )
    second = open_app(settings)  # a new process on the same store reads it back
    assert second.load(Organization, org).name == "Tỉnh ủy"
