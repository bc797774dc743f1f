"""The member register on the real stores: names found by their blind index (no accents, no
case, whole tokens), corrections followed, the roll of a cell on a past day as the record's
own events say it was, and no name or citizen ID in clear in the read-model database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.application import Dangvien
from domain.member import Member, Motion
from domain.names import tokens
from domain.person import Person
from domain.values import Departure, TransferKind, TransferReason
from infra.bootstrap import build_app
from infra.settings import Settings
from projections import maintenance
from projections.projector import Projector
from projections.register import Register
from projections.tables import shapes, tables, tracking
from projections.versions import SHAPE, ReadModelOutdated, check_shape
from tests.builders import World, build_world, ctx, person_data
from tests.integration.test_event_store import ascii_fold, encodings
from tests.integration.test_projector import readmodel as readmodel  # the fixture
from tests.unit.test_members_and_transfers import complete_transfer

MOVED_ON = date(2018, 10, 15)  # Nguyễn Văn A moves from `cell` to `other_cell`
STRUCK_OFF_ON = date(2018, 9, 20)
LEFT_ON = date(2018, 11, 5)  # Nguyễn Văn An leaves the Party
NAMES = {
    "a": "Nguyễn Văn A",
    "an": "Nguyễn Văn An",
    "anh": "Đặng Thị Ánh",
    "tran": "Trần Văn A",
    "probationer": "Lê Thị Bưởi",
}


@dataclass
class Book:
    world: World
    members: dict[str, UUID]
    citizen_ids: dict[str, str]

    @property
    def app(self) -> Dangvien:
        return self.world.app


def add_member(world: World, name: str, cell: UUID, joined: date, full: bool = True) -> UUID:
    data = person_data(full_name=name)
    person = world.app.register_person(ctx(), data, joined)
    return world.app.register_member(
        ctx(),
        person_id=person,
        cell_id=cell,
        joined_on=joined,
        decided_on=joined,
        full_from=date(joined.year + 1, joined.month, joined.day) if full else None,
    )


@pytest.fixture
def register(settings: Settings) -> Iterator[Book]:
    app = build_app(settings)
    world = build_world(app)
    members = {
        "a": add_member(world, NAMES["a"], world.cell, date(2012, 3, 2)),
        "an": add_member(world, NAMES["an"], world.far_cell, date(2012, 3, 2)),
        "anh": add_member(world, NAMES["anh"], world.other_cell, date(2019, 1, 7)),
        "tran": add_member(world, NAMES["tran"], world.residence_cell, date(2012, 3, 2)),
        "probationer": add_member(
            world, NAMES["probationer"], world.cell, date(2018, 3, 1), full=False
        ),
    }
    complete_transfer(
        world,
        members["a"],
        TransferKind.internal,
        TransferReason.reorganisation,
        [world.cell, world.grassroots, world.other_cell],
        start_on=date(2018, 10, 1),
        accept_on=MOVED_ON,
    )
    app.record_review_vote(
        ctx(),
        members["probationer"],
        motion=Motion.strike_off,
        held_on=date(2018, 9, 10),
        votes_for=8,
        votes_against=1,
    )
    app.strike_off(
        ctx(),
        members["probationer"],
        decided_by=world.district,
        reason="không đủ tư cách",
        on=STRUCK_OFF_ON,
    )
    app.record_departure(  # a full member of `far_cell` leaves at their own request
        ctx(),
        members["an"],
        kind=Departure.left,
        decided_by=world.other_grassroots,
        reason="xin ra khỏi Đảng",
        on=LEFT_ON,
    )
    citizen_ids = {
        k: app.load(Person, app.load(Member, m).person_id).data.citizen_id
        for k, m in members.items()
    }
    try:
        yield Book(world, members, citizen_ids)
    finally:
        app.close()


def project(app: Dangvien, engine: sa.Engine) -> Register:
    Projector(app, engine).run_until_caught_up()
    return Register(engine)


def found(r: Book, register: Register, query: str, path: str = "") -> set[UUID]:
    result = register.search(path, tokens=r.app.name_index(query), limit=1000)
    return {m.member_id for m in result.members}


# --- search ------------------------------------------------------------------------------------


def test_a_name_typed_without_accents_or_capitals_finds_the_member_by_whole_tokens(
    register: Book, readmodel: sa.Engine
) -> None:
    r, model = register, project(register.app, readmodel)
    m = r.members
    assert found(r, model, "nguyen van a") == {m["a"]}
    assert found(r, model, "NGUYỄN văn") == {m["a"], m["an"]}
    assert found(r, model, "dang thi anh") == {m["anh"]}  # đ folds to d
    assert found(r, model, "Đặng") == found(r, model, "dang") == {m["anh"]}
    assert found(r, model, "van a") == {m["a"], m["tran"]}
    assert found(r, model, "nguyen van") == {m["a"], m["an"]}
    assert found(r, model, "nguy") == set()  # whole tokens only
    assert found(r, model, "nguyen van b") == set()  # every token must match
    assert found(r, model, "buoi") == {m["probationer"]}  # struck off, still in the register


def test_a_search_is_bounded_to_a_subtree_and_counted_per_unit_below_it(
    register: Book, readmodel: sa.Engine
) -> None:
    r, model = register, project(register.app, readmodel)
    w = r.world
    orgs = tables(1).orgs
    with readmodel.connect() as conn:
        path = dict(conn.execute(sa.select(orgs.c.id, orgs.c.path)).all())

    result = model.search(path[w.grassroots], tokens=r.app.name_index("van a"))
    assert {f.member_id for f in result.members} == {r.members["a"], r.members["tran"]}
    assert result.total == 2
    assert result.units == {w.other_cell: 1, w.residence_cell: 1}

    far = model.search(path[w.other_grassroots], tokens=r.app.name_index("nguyen van"))
    assert [f.member_id for f in far.members] == [r.members["an"]]  # A is not there
    assert far.units == {w.far_cell: 1}

    everyone = model.search(path[w.commune])
    assert everyone.total == 9 + 4 + 3 + 3 + 5
    assert everyone.units == {w.grassroots: 9 + 4 + 3 + 4, w.other_grassroots: 3 + 1}
    cell = model.search(path[w.other_cell], status="full")
    assert (cell.total, cell.here, cell.units) == (6, 6, {})
    assert model.search(path[w.commune], status="struck_off").total == 1
    assert model.search(path[w.commune], status="left").total == 1
    page = model.search(path[w.commune], limit=10, offset=20)
    assert len(page.members) == 4


def test_a_citizen_id_finds_the_member_through_the_keyed_person_id(
    register: Book, readmodel: sa.Engine
) -> None:
    r, model = register, project(register.app, readmodel)
    person = r.app.person_id_for(r.citizen_ids["anh"])
    result = model.search("", person_id=person)
    assert [f.member_id for f in result.members] == [r.members["anh"]]
    assert model.search("", person_id=r.app.person_id_for("001299999999")).total == 0


def test_a_corrected_name_is_found_by_its_new_tokens_and_no_longer_by_the_old(
    register: Book, readmodel: sa.Engine
) -> None:
    r = register
    model = project(r.app, readmodel)
    assert found(r, model, "tran van a") == {r.members["tran"]}
    person = r.app.load(Member, r.members["tran"]).person_id
    data = r.app.load(Person, person).data
    r.app.correct_person(ctx(), person, replace(data, full_name="Trần Văn Ân"), date(2020, 1, 2))
    model = project(r.app, readmodel)
    assert found(r, model, "tran van a") == set()
    assert found(r, model, "tran van an") == {r.members["tran"]}


def expected_search(
    r: Book, engine: sa.Engine, query: str, path: str, status: str | None
) -> tuple[list[UUID], dict[UUID, int], int]:
    """The members a name search should find, in tree order, counted per unit below `path`
    and on its own roll: from the members' rows and the names read from the record, not
    through the blind index."""
    members = tables(1).members
    wanted = set(tokens(query))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(members.c.id, members.c.person_id, members.c.path)).all()
        statuses = dict(conn.execute(sa.select(members.c.id, members.c.status)).all())
    hits = sorted(
        (p, str(i))
        for i, person, p in rows
        if p.startswith(path)
        and status in (None, statuses[i])
        and wanted <= set(tokens(r.app.load(Person, person).data.full_name))
    )
    units = Counter(p[len(path) :].split("/", 1)[0] for p, _ in hits)
    here = units.pop("", 0)
    return [UUID(i) for _, i in hits], {UUID(u): n for u, n in units.items()}, here


def test_a_name_search_counts_and_pages_what_the_names_say_after_a_cell_moved_subtree(
    register: Book, readmodel: sa.Engine
) -> None:
    r = register
    w = r.world
    project(r.app, readmodel)
    # The school's cell moves to the commune's grassroots committee, its members with it.
    r.app.reparent_organization(ctx(), w.far_cell, w.grassroots, date(2026, 1, 5))
    model = project(r.app, readmodel)
    orgs = tables(1).orgs
    with readmodel.connect() as conn:
        path_of = dict(conn.execute(sa.select(orgs.c.id, orgs.c.path)).all())
    moved = {r.members["a"], r.members["an"]}
    assert found(r, model, "nguyen van", path_of[w.grassroots]) == moved
    assert found(r, model, "nguyen van", path_of[w.other_grassroots]) == set()
    paths = ["", *path_of.values()]
    for query in ("nguyen van", "van", "van a", "a van", "thi", "nguyen van an", "xyz"):
        for path in paths:
            for status in (None, "full", "left"):
                order, units, here = expected_search(r, readmodel, query, path, status)
                tokens_ = r.app.name_index(query)
                first = model.search(path, tokens=tokens_, status=status, limit=3)
                second = model.search(path, tokens=tokens_, status=status, limit=3, offset=3)
                assert (first.total, first.units, first.here) == (len(order), units, here), (
                    query,
                    path,
                    status,
                )
                shown = [f.member_id for f in (*first.members, *second.members)]
                assert shown == order[:6], (query, path, status)


# --- the roll on a past day ---------------------------------------------------------------------


def roll_from_the_record(app: Dangvien, cell: UUID, on: date) -> set[UUID]:
    """Who was on the cell's roll on `on`, from the members' stored events replayed here,
    independently of the read model and of the aggregates' own code."""
    cells: dict[UUID, list[tuple[date, UUID]]] = {}
    struck: dict[UUID, date] = {}
    notifications = app.recorder.select_notifications(start=1, limit=10_000_000)
    for stored in notifications:
        if not stored.topic.startswith("domain.member:Member."):
            continue
        event: Any = app.mapper.to_domain_event(stored)
        kind = stored.topic.rsplit(".", 1)[-1]
        member, effective = event.originator_id, event.stamp.effective_on
        if kind == "Admitted":
            cells[member] = [(effective, event.cell_id)]
        elif kind == "CellChanged":
            cells[member].append((effective, event.cell_id))
        elif kind in ("StruckOff", "Departed"):  # off the Party, and off every roll
            struck[member] = effective
    on_roll = set()
    for member, stays in cells.items():
        if member in struck and struck[member] <= on:
            continue
        here = [c for since, c in sorted(stays, key=lambda s: s[0]) if since <= on]
        if here and here[-1] == cell:
            on_roll.add(member)
    return on_roll


DAYS = (
    date(2011, 6, 1),
    date(2012, 3, 2),  # the day some joined
    date(2018, 3, 1),
    date(2018, 9, 19),
    STRUCK_OFF_ON,
    date(2018, 9, 30),
    date(2018, 10, 14),
    MOVED_ON,
    date(2018, 11, 4),
    LEFT_ON,
    date(2019, 1, 7),
    date(2026, 6, 1),
)


def test_the_roll_of_a_cell_on_a_past_day_is_what_the_members_events_say(
    register: Book, readmodel: sa.Engine
) -> None:
    r, model = register, project(register.app, readmodel)
    w = r.world
    for on in DAYS:
        for cell in (w.cell, w.other_cell, w.residence_cell, w.far_cell):
            expected = roll_from_the_record(r.app, cell, on)
            assert {m.member_id for m in model.roll_on(cell, on)} == expected, (cell, on)


def test_the_roll_on_30_september_2018_has_the_member_moved_later_and_not_the_struck_off(
    register: Book, readmodel: sa.Engine
) -> None:
    r, model = register, project(register.app, readmodel)
    w, m = r.world, r.members
    on = date(2018, 9, 30)
    cell = {x.member_id: x for x in model.roll_on(w.cell, on)}
    assert m["a"] in cell and m["probationer"] not in cell
    assert str(cell[m["a"]].status) == "full"
    assert m["a"] not in {x.member_id for x in model.roll_on(w.other_cell, on)}
    assert m["a"] in {x.member_id for x in model.roll_on(w.other_cell, MOVED_ON)}
    before = {x.member_id: x for x in model.roll_on(w.cell, date(2018, 9, 19))}
    assert str(before[m["probationer"]].status) == "probationary"
    assert len(cell) == 10  # the nine who joined in 2010, and A
    far = {x.member_id for x in model.roll_on(w.far_cell, date(2018, 11, 4))}
    assert m["an"] in far
    assert m["an"] not in {x.member_id for x in model.roll_on(w.far_cell, LEFT_ON)}


def test_a_rebuild_in_two_processes_gives_the_same_register_rows_as_one_projector(
    register: Book, readmodel: sa.Engine, settings: Settings
) -> None:
    app = register.app
    Projector(app, readmodel).run_until_caught_up()
    version = maintenance.rebuild(
        app, readmodel, processes=2, open_app=partial(build_app, settings)
    )
    one, two = tables(1), tables(version)
    with readmodel.connect() as conn:
        for a, b in (
            (one.memberships, two.memberships),
            (one.name_tokens, two.name_tokens),
            (one.member_tokens, two.member_tokens),
        ):
            assert sorted(conn.execute(sa.select(a)).all()) == sorted(
                conn.execute(sa.select(b)).all()
            )
            assert conn.execute(sa.select(sa.func.count()).select_from(a)).scalar()


# --- an older read model, personal data at rest --------------------------------------------------


def test_a_read_model_built_before_the_register_is_refused_until_rebuilt(
    register: Book, readmodel: sa.Engine
) -> None:
    app = register.app
    Projector(app, readmodel).run_until_caught_up()
    with readmodel.begin() as conn:  # as an older projection left it: no shape recorded
        conn.execute(sa.delete(shapes))
        assert conn.execute(sa.select(tracking.c.position)).scalar()
    with pytest.raises(ReadModelOutdated):
        Register(readmodel).search("")
    with pytest.raises(ReadModelOutdated):
        Register(readmodel).roll_on(register.world.cell, date(2018, 9, 30))
    version = maintenance.rebuild(app, readmodel)
    maintenance.switch(readmodel, version)
    check_shape(readmodel, version)
    assert Register(readmodel).search("").total > 0
    with readmodel.connect() as conn:
        assert conn.execute(sa.select(shapes.c.shape)).scalars().all() == [SHAPE]


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_the_read_model_database_holds_no_name_and_no_citizen_id_in_clear(
    register: Book, readmodel: sa.Engine, settings: Settings
) -> None:
    project(register.app, readmodel)
    readmodel.dispose()  # everything written to the file itself
    database = settings.data_dir / "readmodels.sqlite"
    files = [p for p in settings.data_dir.glob("readmodels.sqlite*") if p.is_file()]
    assert database in files
    secrets: set[bytes] = set()
    for name in NAMES.values():
        secrets |= encodings(name) | encodings(ascii_fold(name))
        for token in ascii_fold(name).split():
            if len(token) > 4:  # shorter ones ("tran", "van") are parts of table names
                secrets |= encodings(token)
    for citizen_id in register.citizen_ids.values():
        secrets |= encodings(citizen_id)
    found = sorted((p.name, s) for p in files for s in secrets if s in p.read_bytes())
    assert found == []
