"""The projector on the real stores (docs/readmodels.md): exactly once, tracking in the same
transaction as the rows, lag, a failing event recorded and never skipped, rebuild / verify /
switch, a killed projector process, and a report reproduced "as of" a past moment.

Every test runs on SQLite (event store and read model in files under the data dir) and on
PostgreSQL (the event store in the test's own schema; the read model where
`settings.readmodel_database` puts it, the public schema of the run's throwaway database, so
each test drops the read-model tables before and after itself).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent

from domain import policy
from domain.application import Dangvien
from domain.person import Person
from domain.values import TransferKind, TransferReason
from infra.bootstrap import build_app
from infra.entrypoints.projector import run_projector
from infra.settings import Settings
from projections import maintenance, rows
from projections.boards import Boards
from projections.log import read_window
from projections.projector import (
    Partition,
    PositionTaken,
    ProjectionFailed,
    Projector,
    live_version,
)
from projections.queries import ReadModel
from projections.tables import Tables, failures, tables, tracking
from tests.builders import build_world, ctx, person_data
from tests.integration.conftest import AppFactory
from tests.readmodel_scenario import TODAY, Scenario, build_scenario, to_committee
from tests.unit.test_admission import open_case

DANGVIEN = Path(sys.executable).parent / "dangvien"
PERSON_REGISTERED = "domain.person:Person.Registered"
READMODEL_TABLE = re.compile(r"rm\d+_\w+|projection_\w+")


# --- the read-model database of a test ------------------------------------------------------------


def drop_readmodel(engine: sa.Engine) -> None:
    names = [n for n in sa.inspect(engine).get_table_names() if READMODEL_TABLE.fullmatch(n)]
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))


@pytest.fixture
def readmodel(settings: Settings) -> Iterator[sa.Engine]:
    """The read-model database of the settings (what `dangvien projector` uses), emptied of
    read-model tables before and after the test."""
    engine = sa.create_engine(settings.readmodel_database)
    drop_readmodel(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_readmodel(engine)
        engine.dispose()


def row_counts(engine: sa.Engine, t: Tables) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name.split("_", 1)[1]: conn.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in t.all
        }


def dump(engine: sa.Engine, t: Tables) -> dict[str, list[str]]:
    """Every row of every table of a version, and the tracking rows, as sortable text."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(r)) for r in conn.execute(sa.select(table)))
            for table in (*t.all, tracking, failures)
        }


def recorded_failures(engine: sa.Engine) -> list[tuple[str, int, str, str]]:
    with engine.connect() as conn:
        return [
            (r.name, r.position, r.topic, r.error)
            for r in conn.execute(sa.select(failures).order_by(failures.c.id))
        ]


def answers(rm: ReadModel, s: Scenario) -> dict[str, Any]:
    """What the departments ask of the read model, in a comparable form."""
    w = s.world
    roll = rm.roll(w.cell, TODAY)
    return {
        "quota_commune": rm.quota(w.commune, 2026, TODAY),
        "quota_grassroots": rm.quota(w.grassroots, 2026, TODAY),
        "quota_2025": rm.quota(w.commune, 2025, date(2025, 12, 31)),
        "board": rm.stage_board(w.commune, TODAY),
        "stalled": rm.stalled(w.commune, TODAY),
        "roll": (sorted(roll.full), sorted(roll.probationary), roll.away, roll.residence_links),
        "below_minimum": sorted(rm.cells_below_minimum(w.commune, TODAY)),
        "in_transit": sorted(rm.transfers_in_transit(w.commune, TODAY), key=lambda c: str(c.id)),
        "coverage": rm.coverage(w.commune),
        "probation_board": Boards(rm).probation(w.commune, TODAY),
        "transfer_board": Boards(rm).transfers(w.commune, TODAY),
        "finished_transfers": Boards(rm).finished(w.commune, TODAY),
    }


def test_every_question_gets_the_same_answer_from_this_database_as_from_the_tested_one(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    # tests/unit/test_read_models.py checks the answers by hand on in-memory SQLite; the same
    # history projected here (SQLite file or PostgreSQL, its collation and its indexes) must
    # answer alike, subtree by subtree.
    s = build_scenario(open_app(settings))
    Projector(s.app, readmodel).run_until_caught_up()
    checked = maintenance.memory_engine()
    Projector(s.app, checked).run_until_caught_up()
    here, there = ReadModel(readmodel), ReadModel(checked)
    assert answers(here, s) == answers(there, s)
    for org in (s.world.province, s.world.grassroots, s.world.cell, s.world.far_cell):
        assert here.stage_board(org, TODAY) == there.stage_board(org, TODAY)
        for board in ("probation", "transfers"):  # each side of a transfer, each cell
            ask = getattr(Boards(here), board), getattr(Boards(there), board)
            assert ask[0](org, TODAY) == ask[1](org, TODAY)
        assert here.quota(org, 2026, TODAY) == there.quota(org, 2026, TODAY)
        assert here.admissions_by_month(org, 2026, TODAY) == there.admissions_by_month(
            org, 2026, TODAY
        )


# --- the command line as a separate process -------------------------------------------------------


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGVIEN_")}
    env |= {
        "DANGVIEN_DATA_DIR": str(settings.data_dir),  # the keys generated by the test's app
        "DANGVIEN_STORE": settings.store,
        "DANGVIEN_READMODEL_URL": settings.readmodel_database,
        "DANGVIEN_LOG_FORMAT": "json",
        "DANGVIEN_PROJECTOR_BATCH": "2000",  # several batches, to be killed in the middle
        "DANGVIEN_REBUILD_PROCESSES": "2",  # whatever the machine's cores
        "COLUMNS": "250",  # Rich: one difference a line
    }
    if settings.store == "postgres":
        env |= {
            "DANGVIEN_POSTGRES_HOST": settings.postgres_host,
            "DANGVIEN_POSTGRES_PORT": str(settings.postgres_port),
            "DANGVIEN_POSTGRES_DBNAME": settings.postgres_dbname,
            "DANGVIEN_POSTGRES_USER": settings.postgres_user,
            "DANGVIEN_POSTGRES_SCHEMA": settings.postgres_schema,
        }
    return env


def dangvien(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DANGVIEN), *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def insert_damaged_event(
    app: Dangvien,
    topic: str = "domain.organization:Organization.Registered",
    state: bytes = b"not encrypted",  # not encrypted with the store's key, as a damaged row
) -> int:
    """A stored event no decoder can read, at the end of the log: its position."""
    ids = app.recorder.insert_events([StoredEvent(uuid4(), 1, topic, state)])
    assert ids is not None
    (position,) = ids
    return int(position)


def tracked_position(engine: sa.Engine, name: str = "readmodel_v1") -> int:
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.select(tracking.c.position).where(tracking.c.name == name)
            ).scalar()
    except sa.exc.DBAPIError:  # the projector has not created its tables yet
        return 0
    return int(found or 0)


def wait_for(
    condition: Callable[[], bool],
    what: str,
    timeout: float = 60.0,
    alive: Callable[[], bool] = lambda: True,
) -> None:
    """Poll `condition` every 2 ms; fail at `timeout` or as soon as the process it waits on
    is no longer `alive`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline or not alive():
            pytest.fail(f"timed out waiting for {what}" if alive() else f"died before {what}")
        time.sleep(0.002)


def alive(process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: process.poll() is None


# --- exactly once ---------------------------------------------------------------------------------


def test_projecting_again_or_from_a_second_projector_counts_every_event_once(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    s = build_scenario(app)
    first = Projector(app, readmodel, batch_size=100)
    assert first.run_until_caught_up() == app.recorder.max_notification_id()
    # By hand (tests/readmodel_scenario.py): 9 organizations of the world + nam, trung, old;
    # 12 cases; members: 9 + 4 + 3 + 3 of the world, A B C D L, trung's 3; transfers temp, T,
    # U; 3 hamlets; 2 targets.
    expected = {
        "orgs": 12,
        "targets": 2,
        "hamlets": 3,
        "cases": 12,
        "members": 27,
        "transfers": 3,
    }
    counted = row_counts(readmodel, first.t)
    assert {k: counted[k] for k in expected} == expected
    before = dump(readmodel, first.t)
    report = answers(ReadModel(readmodel), s)

    assert first.run_until_caught_up() == 0  # again: nothing to read
    second = Projector(open_app(settings), readmodel, batch_size=100)  # another process
    assert second.run_until_caught_up() == 0  # it starts from the shared tracking position
    assert dump(readmodel, first.t) == before
    assert answers(ReadModel(readmodel), s) == report

    # New events, projected by the two in turns, small batch by small batch.
    s.world.add_members(s.cells["nam"], 5)  # 4 events each
    read = []
    while True:
        read += [first.run_once(), second.run_once()]
        if read[-2:] == [0, 0]:
            break
    assert sum(read) == 20
    assert row_counts(readmodel, first.t)["members"] == 27 + 5
    assert (s.cells["nam"], "Chi bộ thôn Nam", 0) not in ReadModel(readmodel).cells_below_minimum(
        s.world.commune, TODAY
    )
    rebuilt = memory_rebuild(app)
    assert maintenance.compare(readmodel, first.t, rebuilt[0], rebuilt[1]) == []


def memory_rebuild(app: Dangvien) -> tuple[sa.Engine, Tables]:
    engine = maintenance.memory_engine()
    projector = Projector(app, engine)
    projector.run_until_caught_up()
    return engine, projector.t


class Interleaved(Projector):
    """A projector that reads its position, then lets `meanwhile` run before it goes on: the
    moment another projector of the same projection advances."""

    meanwhile: Callable[[], None] | None = None

    def position(self) -> int:
        start = super().position()
        hook, self.meanwhile = self.meanwhile, None
        if hook is not None:
            hook()
        return start


def test_a_projector_whose_position_went_stale_is_refused_and_writes_nothing(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    build_world(app)
    first = Projector(app, readmodel, batch_size=20)
    assert first.run_once() == 20
    stale = Interleaved(open_app(settings), readmodel, batch_size=20)
    snapshot: dict[str, list[str]] = {}

    def first_moves_on() -> None:
        assert first.run_once() == 20  # 21…40, while `stale` holds position 20
        snapshot.update(dump(readmodel, first.t))

    stale.meanwhile = first_moves_on
    with pytest.raises(PositionTaken):
        stale.run_once()
    assert dump(readmodel, first.t) == snapshot  # nothing of the refused batch was written
    assert first.position() == stale.position() == 40
    assert recorded_failures(readmodel) == []  # a lost race is not a failing event
    # Both go on from the shared position; the result is the record projected once.
    stale.run_until_caught_up()
    assert first.run_until_caught_up() == 0
    engine, t = memory_rebuild(app)
    assert maintenance.compare(readmodel, first.t, engine, t) == []


def test_two_projectors_starting_from_zero_at_once_one_is_refused_with_position_taken(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    build_world(app)
    first = Projector(app, readmodel, batch_size=20)
    other_engine = sa.create_engine(settings.readmodel_database)
    try:
        second = Projector(open_app(settings), other_engine, batch_size=20)
        raced: list[int] = []

        @sa.event.listens_for(other_engine, "before_cursor_execute")
        def first_inserts_first(*args: Any) -> None:
            statement: str = args[2]
            if statement.startswith("INSERT INTO projection_tracking") and not raced:
                raced.append(first.run_once())  # it saw no row either, and commits first

        with pytest.raises(PositionTaken):
            second.run_once()
        assert raced == [20]
        assert recorded_failures(readmodel) == []
    finally:
        other_engine.dispose()


def test_two_processes_creating_the_read_model_tables_at_once_both_start(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    other_engine = sa.create_engine(settings.readmodel_database)
    try:
        raced: list[Projector] = []

        @sa.event.listens_for(other_engine, "before_cursor_execute")
        def the_other_creates_first(*args: Any) -> None:
            statement: str = args[2]
            if "CREATE TABLE projection_tracking" in statement and not raced:
                raced.append(Projector(app, readmodel))  # checked, created and committed

        Projector(open_app(settings), other_engine)
        assert len(raced) == 1
    finally:
        other_engine.dispose()


# --- a projector process killed in the middle -----------------------------------------------------


def test_a_projector_process_killed_mid_batch_resumes_to_the_same_rows_as_a_rebuild(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine, tmp_path: Path
) -> None:
    app = open_app(settings)
    s = build_scenario(app)
    w = s.world
    for cell in (w.cell, w.other_cell, w.residence_cell, w.far_cell):
        w.add_members(cell, 260)  # 4 events each: 4,160 more
    total = int(app.recorder.max_notification_id() or 0)
    assert total > 4000  # the projector reads 2,000 a batch: at least three batches

    log = (tmp_path / "projector.log").open("w")
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [str(DANGVIEN), "projector"], env=cli_env(settings), stdout=log, stderr=log
        )
        processes.append(process)
        return process

    try:
        first = start()
        wait_for(lambda: tracked_position(readmodel) > 0, "the first batch", alive=alive(first))
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = tracked_position(readmodel)
        assert 0 < killed_at < total, f"killed at {killed_at} of {total}"
        # While it is down, the record goes on: a correction and two more members.
        person = app.load(Person, s.cases["A"].person_id)
        app.register_person(
            ctx(), person_data(citizen_id=person.data.citizen_id), date(2026, 6, 10)
        )
        w.add_members(s.cells["nam"], 2)
        second = start()
        end = int(app.recorder.max_notification_id() or 0)
        wait_for(lambda: tracked_position(readmodel) == end, "the restart", alive=alive(second))
        assert second.poll() is None  # still following the log
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        log.close()
    assert recorded_failures(readmodel) == []
    started = [
        json.loads(line)
        for line in (tmp_path / "projector.log").read_text().splitlines()
        if '"projector.started"' in line
    ]
    # The restart resumed from the tracking position, not from the beginning.
    assert [e["position"] for e in started] == [0, killed_at]

    live = tables(1)
    counted = row_counts(readmodel, live)
    # By hand: 27 members of the scenario + 1,040 + 2; A's correction changed no row count.
    assert (counted["members"], counted["cases"], counted["orgs"]) == (27 + 1040 + 2, 12, 12)
    version = maintenance.rebuild(app, readmodel)
    assert version == 2
    assert row_counts(readmodel, tables(version)) == counted
    assert maintenance.compare(readmodel, live, readmodel, tables(version)) == []
    assert answers(ReadModel(readmodel, 1), s) == answers(ReadModel(readmodel, version), s)
    # A's correction (now of the Kinh majority, no longer a student) reached the rows.
    breakdowns = ReadModel(readmodel, 1).quota(w.commune, 2026, TODAY).breakdowns
    assert (breakdowns["female"], breakdowns["ethnic_minority"], breakdowns["student"]) == (2, 1, 0)


# --- rebuild, verify, switch ----------------------------------------------------------------------


def test_verify_finds_nothing_after_a_rebuild_and_names_a_corrupted_row(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    s = build_scenario(app)
    Projector(app, readmodel).run_until_caught_up()
    assert maintenance.verify(app, readmodel) == []
    version = maintenance.rebuild(app, readmodel)
    maintenance.switch(readmodel, version)
    assert maintenance.verify(app, readmodel) == []

    t, h = tables(version), s.case_id("H")
    with readmodel.begin() as conn:  # someone "fixes" H by hand in the read model
        conn.execute(sa.update(t.cases).where(t.cases.c.id == h).values(stage="ceremony"))
    (difference,) = maintenance.verify(app, readmodel)
    assert (difference.table, difference.key) == ("cases", (h,))
    assert difference.live is not None and difference.rebuilt is not None
    assert (difference.live["stage"], difference.rebuilt["stage"]) == ("ceremony", "decision")
    assert {k for k in difference.live if difference.live[k] != difference.rebuilt[k]} == {"stage"}

    a = s.members["A"]
    with readmodel.begin() as conn:
        conn.execute(sa.update(t.members).where(t.members.c.id == a).values(status="full"))
    assert [(d.table, d.key) for d in maintenance.verify(app, readmodel)] == [
        ("cases", (h,)),
        ("members", (a,)),
    ]

    result = dangvien(settings, "projections", "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(rf"cases \(UUID\('{h}'\),\)", result.stdout), result.stdout
    assert re.search(rf"members \(UUID\('{a}'\),\)", result.stdout), result.stdout
    assert "2 rows differ" in result.stdout


def test_a_rebuild_is_switched_to_and_answers_as_the_live_version_did(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    s = build_scenario(app)
    Projector(app, readmodel).run_until_caught_up()
    before = answers(ReadModel(readmodel), s)
    assert live_version(readmodel) == 1

    version = maintenance.rebuild(app, readmodel)
    assert version == 2
    assert live_version(readmodel) == 1  # built beside the live version, not yet switched
    assert ReadModel(readmodel).t.version == 1
    assert maintenance.compare(readmodel, tables(1), readmodel, tables(2)) == []

    maintenance.switch(readmodel, version)
    assert live_version(readmodel) == 2
    rm = ReadModel(readmodel)
    assert rm.t.version == 2
    assert answers(rm, s) == before
    # The next rebuild goes beside v2: the command, shared out over two processes.
    rebuilt = dangvien(settings, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "v3 differs from the live v2 in 0 rows" in rebuilt.stdout
    assert live_version(readmodel) == 3
    assert answers(ReadModel(readmodel), s) == before


def test_a_running_projector_follows_the_version_switched_to(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    old = Projector(app, readmodel)  # the tables exist before the projector starts
    stop = threading.Event()
    runner = threading.Thread(target=run_projector, args=(settings, stop, 0.05), daemon=True)
    runner.start()
    try:
        wait_for(lambda: old.lag() == 0, "the running projector", 30, runner.is_alive)
        version = maintenance.rebuild(app, readmodel)
        maintenance.switch(readmodel, version)
        world.add_members(world.cell, 2)
        new = Projector(app, readmodel, version=version)
        wait_for(lambda: old.lag() == 0 or new.lag() == 0, "the new events", 30, runner.is_alive)
        assert new.lag() == 0, f"v{version} lags {new.lag()} behind the record"
    finally:
        stop.set()
        runner.join(timeout=30)


# --- failures and lag -----------------------------------------------------------------------------


def test_an_event_that_cannot_be_read_stops_the_projection_and_is_recorded(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    projector = Projector(app, readmodel)
    projector.run_until_caught_up()
    good = projector.position()
    world.add_members(world.cell, 2)  # good + 1 … good + 8
    bad = insert_damaged_event(app)
    assert bad == good + 9
    world.add_members(world.other_cell, 1)  # good events after it

    with pytest.raises(ProjectionFailed) as failed:
        projector.run_until_caught_up()
    assert failed.value.position == bad
    assert good <= projector.position() < bad  # stopped before it: nothing skipped
    ((name, position, topic, error),) = recorded_failures(readmodel)
    assert (name, position, topic) == (
        "readmodel_v1",
        bad,
        "domain.organization:Organization.Registered",
    )
    assert "Damaged cipher text" in error or "deserialise" in error, error
    # Again: the same failure at the same place, never a silent skip.
    with pytest.raises(ProjectionFailed) as again:
        projector.run_until_caught_up()
    assert again.value.position == bad
    assert good <= projector.position() < bad
    assert [f[1] for f in recorded_failures(readmodel)] == [bad, bad]

    # The projector process stops on it too (non-zero exit), and status shows the failure.
    stopped = subprocess.run(
        [str(DANGVIEN), "projector"],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert stopped.returncode != 0
    assert "projector.stopped" in stopped.stdout + stopped.stderr
    status = dangvien(settings, "projections", "status")
    assert status.returncode == 0, status.stderr
    lag = int(app.recorder.max_notification_id() or 0) - projector.position()
    assert f"readmodel_v1: position {projector.position()}, lag {lag}" in status.stdout
    assert f"failed at {bad} (domain.organization:Organization.Registered)" in status.stdout


def test_lag_is_the_number_of_notifications_not_yet_projected(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    projector = Projector(app, readmodel)
    projector.run_until_caught_up()
    assert projector.lag() == 0
    on = date(2026, 3, 2)
    person = app.register_person(ctx(), person_data(), on)  # Person.Registered
    assert projector.lag() == 1
    app.register_member(  # Member.Admitted, Person.MembershipRecorded, Organization.MemberEnrolled
        ctx(), person_id=person, cell_id=world.cell, joined_on=on, decided_on=on, full_from=None
    )
    assert projector.lag() == 4
    assert Projector(app, readmodel, version=9).lag() == app.recorder.max_notification_id()
    assert projector.run_once() == 4
    assert projector.lag() == 0
    assert projector.run_once() == 0


def test_events_no_row_reads_are_passed_over_undecoded(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    projector = Projector(app, readmodel)
    projector.run_until_caught_up()
    start = projector.position()
    member = world.add_members(world.cell, 1)[0]
    app.link_residence(ctx(), member, world.residence_cell, date(2026, 3, 2))
    for year in (2024, 2025):  # the tail of the log: only Member.ResidenceCommented
        app.record_residence_comment(ctx(), member, year, True, date(year + 1, 1, 10))
    top = int(app.recorder.max_notification_id() or 0)

    batch, last = read_window(app.recorder, start, 1_000, rows.UNREAD)
    every = app.recorder.select_notifications(start + 1, 1_000)
    assert last == top
    assert [(e.id, e.topic, e.state) for e in batch] == [
        (n.id, n.topic, n.state) for n in every if n.topic not in rows.UNREAD
    ]
    assert {n.topic for n in every[-2:]} == {"domain.member:Member.ResidenceCommented"}
    assert len(batch) < len(every)

    assert projector.run_once() == top - start  # every position passed, unread ones too
    assert (projector.position(), projector.lag()) == (top, 0)
    with readmodel.connect() as conn:
        residence = conn.execute(
            sa.select(projector.t.members.c.residence_cell_id).where(
                projector.t.members.c.id == member
            )
        ).scalar()
    assert residence == world.residence_cell


def test_a_partition_reads_its_share_of_the_log_in_the_query(
    settings: Settings, open_app: AppFactory
) -> None:
    """The database leaves out the other partitions' events; what it returns is exactly
    what the partition would keep of the whole log."""
    app = open_app(settings)
    world = build_world(app)
    world.add_members(world.cell, 6)
    whole, last = read_window(app.recorder, 0, 10_000, rows.UNREAD)
    for part in (Partition(0, 2), Partition(1, 2), Partition(2, 3)):
        share = part.share
        mine, mine_last = read_window(app.recorder, 0, 10_000, rows.UNREAD, share)
        assert mine_last == last
        assert [e.id for e in mine] == [e.id for e in whole if e in share]
        assert 0 < len(mine) < len(whole)
        assert {e.topic.startswith(share.prefixes) or part.owns(e.originator_id) for e in mine} == {
            True
        }


# --- as of a past moment --------------------------------------------------------------------------


def test_a_year_end_report_is_reproduced_as_of_the_moment_it_was_made(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    s = Scenario(world)
    # December 2025: C admitted in March; A, D and H before the competent committee; J's
    # dossier complete.
    c = open_case(world, on=date(2024, 10, 1))
    c.shift = -11
    c.dossier()
    c.cell_vote(on=date(2025, 1, 6), votes_for=7, votes_against=1)
    c.committee_vote(on=date(2025, 1, 10))
    c.decide(on=date(2025, 2, 20), by=world.district)
    c.ceremony(received_on=date(2025, 2, 24), on=date(2025, 3, 3))
    s.cases["C"] = c
    for name in ("A", "D", "H"):
        s.cases[name] = open_case(world)
        to_committee(s.cases[name])
    s.cases["J"] = open_case(world)
    s.cases["J"].dossier()

    projector = Projector(app, readmodel)
    projector.run_until_caught_up()
    year_end = date(2025, 12, 31)
    rm = ReadModel(readmodel)
    report = rm.quota(world.commune, 2025, year_end)
    board = rm.stage_board(world.commune, year_end)
    assert (report.admitted, report.pipeline) == (1, {"decision": 3, "cell_vote": 1})
    assert report.breakdowns["ethnic_minority"] == 0
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)

    # January: A and D admitted, H decided; C's ethnicity corrected; a new case opened.
    for name in ("A", "D"):
        case = s.cases[name]
        case.decide(on=date(2026, 1, 6))
        case.ceremony(received_on=date(2026, 1, 8), on=date(2026, 1, 15))
    s.cases["H"].decide(on=date(2026, 1, 7))
    person = app.load(Person, c.person_id)
    app.register_person(ctx(), replace(person.data, ethnicity="Tày"), date(2026, 1, 12))
    open_case(world, on=date(2026, 1, 12))
    projector.run_until_caught_up()
    now = rm.quota(world.commune, 2025, year_end)
    assert now != report  # the live read model moved on
    assert now.breakdowns["ethnic_minority"] == 1
    assert rm.stage_board(world.commune, year_end) != board

    then = maintenance.as_of(app, moment)
    assert then.quota(world.commune, 2025, year_end) == report
    assert then.stage_board(world.commune, year_end) == board


# --- a rebuild shared out over processes ------------------------------------------------------
# (Its rows equal one projector's: tests/integration/test_projector_log.py, on a province.)


def test_a_damaged_registration_of_a_person_stops_the_projection_at_its_position(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    """People's registrations are decoded only when a case needs them, but checked (AES-GCM
    authenticates each row) where they stand in the log."""
    app = open_app(settings)
    world = build_world(app)
    projector = Projector(app, readmodel)
    projector.run_until_caught_up()
    good = projector.position()
    registered = app.recorder.select_notifications(1, good, topics=[PERSON_REGISTERED])[0]
    damaged = registered.state[:-1] + bytes([registered.state[-1] ^ 1])
    bad = insert_damaged_event(app, PERSON_REGISTERED, damaged)  # no case will ask for it
    world.add_members(world.cell, 1)
    with pytest.raises(ProjectionFailed) as failed:
        projector.run_until_caught_up()
    assert failed.value.position == bad
    assert projector.position() == good


def test_a_batch_refused_for_a_lock_is_written_again_from_memory(
    app: Dangvien, tmp_path: Path
) -> None:
    """A rebuild's partition writes a batch again when the database refused it for another
    partition's lock: the same rows and position as if it had gone through at once."""
    world = build_world(app)
    world.add_members(world.cell, 3)
    url = f"sqlite:///{tmp_path / 'readmodel.sqlite'}"
    impatient = sa.create_engine(url, connect_args={"timeout": 0.2})
    Projector(app, impatient).position()  # the tables exist before the lock is taken
    blocker = sqlite3.connect(
        tmp_path / "readmodel.sqlite", isolation_level=None, check_same_thread=False
    )

    def another_writer_for_a_second() -> threading.Timer:
        blocker.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(1.0, blocker.rollback)
        timer.start()
        return timer

    holding = another_writer_for_a_second()
    with pytest.raises(sa.exc.OperationalError, match="locked"):
        Projector(app, impatient, write_attempts=1).run_once()
    holding.join()
    assert Projector(app, impatient).position() == 0
    holding = another_writer_for_a_second()
    projector = Projector(app, impatient, write_attempts=3)
    projector.run_until_caught_up()
    holding.join()
    blocker.close()
    assert projector.lag() == 0
    clean = maintenance.memory_engine()
    Projector(app, clean).run_until_caught_up()
    assert maintenance.compare(clean, tables(1), impatient, tables(1)) == []


def test_a_partition_picks_the_same_rows_in_sql_as_in_python(readmodel: sa.Engine) -> None:
    """Statements over many rows (a subtree moved, a person corrected) touch only the
    partition's own cases and members: the SQL condition must agree with `owns`."""
    probe = sa.Table("partition_probe", sa.MetaData(), sa.Column("id", sa.Uuid, primary_key=True))
    probe.create(readmodel)
    ids = [uuid4() for _ in range(200)]
    try:
        with readmodel.begin() as conn:
            conn.execute(sa.insert(probe), [{"id": i} for i in ids])
        for count in (2, 3):
            for index in range(count):
                part = Partition(index, count)
                with readmodel.connect() as conn:
                    found = conn.execute(
                        sa.select(probe.c.id).where(part.owned(probe.c.id, conn.dialect.name))
                    ).scalars()
                    assert set(found) == {i for i in ids if part.owns(i)}
        assert {Partition(0, 2).owns(i) for i in ids} == {True, False}
    finally:
        probe.drop(readmodel)


def test_a_rebuild_process_that_meets_a_bad_event_stops_the_rebuild_and_names_it(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    app = open_app(settings)
    world = build_world(app)
    bad = insert_damaged_event(app)
    world.add_members(world.cell, 1)
    with pytest.raises(ProjectionFailed) as failed:
        maintenance.rebuild(app, readmodel, processes=2, open_app=partial(build_app, settings))
    assert failed.value.position == bad
    assert "_p0of2" in failed.value.name or "_p1of2" in failed.value.name
    assert live_version(readmodel) == 1  # nothing switched


def test_a_transfer_escalated_in_the_batch_that_started_it_reaches_every_partition(
    settings: Settings, open_app: AppFactory, readmodel: sa.Engine
) -> None:
    """A `Recorded` event belongs to every partition once its transfer is known, even when
    the transfer started in the same batch: partition 1 owns this id, partition 0 writes
    the transfers' rows."""
    app = open_app(settings)
    world = build_world(app)
    transfer_id = UUID(f"{uuid4().hex[:31]}1")
    assert Partition(1, 2).owns(transfer_id)
    app.start_transfer(
        ctx(),
        transfer_id=transfer_id,
        member_id=world.members[world.other_cell][3],
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=world.other_grassroots,
        trigger_on=date(2026, 1, 5),
        on=date(2026, 1, 6),
    )
    rung = next(
        r
        for r in app.escalation_plan(transfer_id, date(2026, 4, 6))
        if r.level is policy.Level.unit_above
    )
    assert app.escalate(ctx(), transfer_id, rung, rung.fires_on)

    version = maintenance.rebuild(
        app, readmodel, processes=2, open_app=partial(build_app, settings)
    )
    single = maintenance.memory_engine()
    Projector(app, single).run_until_caught_up()
    assert maintenance.compare(single, tables(1), readmodel, tables(version)) == []
    transfers = tables(version).transfers
    with readmodel.connect() as conn:
        level = conn.execute(
            sa.select(transfers.c.escalation_level).where(transfers.c.id == transfer_id)
        ).scalar()
    assert level == 1
