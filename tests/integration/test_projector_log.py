"""The projector's shortcuts over eventsourcing's own reading of the log, checked on a
generated province (`bench.generate`, every kind of event the domain records): the decoder
gives the mapper's domain events, and the events left unread (rows.UNREAD) change no row."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.common import open_app
from domain.application import Dangvien
from projections import maintenance, rows
from projections.database import open_engine
from projections.log import Decoder, Entry, read_window
from projections.projector import Projector
from projections.tables import tables, tracking
from tests.integration.conftest import PostgresDatabase
from tests.integration.test_projector import drop_readmodel

ROOT = Path(__file__).resolve().parents[2]


def generate(data_dir: Path, hash_seed: str) -> Dangvien:
    """A small province's ten years (~23,000 events, 55 kinds), in a SQLite store encrypted
    and compressed as in production."""
    generated = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--data-dir", str(data_dir), "--scale", "0.02"],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr[-2000:]
    return open_app(data_dir)


@pytest.fixture(scope="module")
def province_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("province")
    generate(data_dir, hash_seed="0").close()
    return data_dir


@pytest.fixture(scope="module")
def province(province_dir: Path) -> Iterator[Dangvien]:
    app = open_app(province_dir)
    yield app
    app.close()


def whole_log(app: Dangvien) -> list[Entry]:
    entries, _ = read_window(app.recorder, 0, 10**9)
    return entries


def test_the_decoder_gives_the_mappers_domain_events(province: Dangvien) -> None:
    decode = Decoder(province.mapper)
    entries = whole_log(province)
    for entry in entries:
        expected = province.mapper.to_domain_event(entry)  # type: ignore[arg-type]
        event = decode(entry)
        assert type(event) is type(expected), entry.topic
        # repr, not ==: an enum member equals its text, a tuple is not a list.
        assert repr(vars(event)) == repr(vars(expected)), entry.topic
    assert len({e.topic for e in entries}) >= 50


def test_a_row_the_decoder_cannot_read_is_left_to_the_mapper(province: Dangvien) -> None:
    entry = whole_log(province)[0]
    damaged = entry._replace(state=entry.state[:-1] + bytes([entry.state[-1] ^ 1]))
    with pytest.raises(Exception, match="deserialise"):
        Decoder(province.mapper)(damaged)


def test_events_left_unread_change_no_row(province: Dangvien) -> None:
    topics = {e.topic for e in whole_log(province)}
    assert topics >= rows.UNREAD  # the province has every kind of event left unread
    everything, lean = maintenance.memory_engine(), maintenance.memory_engine()
    Projector(province, everything, unread=(), batch_size=5_000).run_until_caught_up()
    Projector(province, lean, batch_size=5_000).run_until_caught_up()
    assert maintenance.compare(everything, tables(1), lean, tables(1)) == []
    with lean.connect() as conn:
        assert conn.execute(tables(1).cases.select()).first() is not None


def test_the_same_seed_generates_the_same_province(province: Dangvien, tmp_path: Path) -> None:
    """The bench's figures compare runs on regenerated stores: same seed, same events (ids,
    versions, kinds, order), even in another process with another string-hash seed."""
    again = generate(tmp_path, hash_seed="1")
    try:
        shape = [(e.originator_id, e.originator_version, e.topic) for e in whole_log(province)]
        assert [(e.originator_id, e.originator_version, e.topic) for e in whole_log(again)] == shape
    finally:
        again.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def readmodel_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A read-model database other processes can open: a SQLite file, or the run's
    PostgreSQL database (emptied of read-model tables before and after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'readmodel.sqlite'}"
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    url = f"postgresql+psycopg://{database.user}@{database.host}:{database.port}/{database.dbname}"
    engine = sa.create_engine(url)
    drop_readmodel(engine)
    try:
        yield url
    finally:
        drop_readmodel(engine)
        engine.dispose()


def test_a_rebuild_shared_out_over_processes_equals_one_projectors(
    province: Dangvien, province_dir: Path, readmodel_url: str
) -> None:
    """Two processes, each with its share of cases and members and every organization,
    transfer and person, write the same rows as one projector: through the 2025
    reorganisation's moves, corrections of people, escalations of transfers."""
    engine = open_engine(readmodel_url)
    try:
        version = maintenance.rebuild(
            province,
            engine,
            processes=2,
            open_app=partial(open_app, province_dir),
            batch_size=5_000,
        )
        with engine.connect() as conn:
            names = set(conn.execute(sa.select(tracking.c.name)).scalars())
        assert names == {tables(version).name}  # the partitions' positions are gone
        single = maintenance.memory_engine()
        Projector(province, single, batch_size=5_000).run_until_caught_up()
        assert maintenance.compare(single, tables(1), engine, tables(version)) == []
        with engine.connect() as conn:
            assert conn.execute(
                sa.select(sa.func.count()).select_from(tables(version).cases)
            ).scalar()
        # The indexes only queries read were left out while rows were written: all there now.
        fresh, inspector = tables(version), sa.inspect(engine)
        built = {i["name"] for t in fresh.all for i in inspector.get_indexes(t.name)}
        assert fresh.query_indexes
        assert built == {i.name for t in fresh.all for i in t.indexes}
        # The planner's statistics are fresh, and PostgreSQL's tables vacuumed (the dead
        # rows left are not counted: a transaction open elsewhere may keep a few alive).
        names = {t.name for t in fresh.all}
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                vacuumed = conn.execute(
                    sa.text(
                        "SELECT relname FROM pg_stat_user_tables "
                        "WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
                    )
                ).scalars()
                assert names <= set(vacuumed)
            else:
                analyzed = conn.execute(sa.text("SELECT tbl FROM sqlite_stat1")).scalars()
                assert names <= set(analyzed)
    finally:
        engine.dispose()


def test_a_batch_ends_once_it_holds_enough_rows_and_writes_what_one_projector_does(
    province: Dangvien,
) -> None:
    """A rebuild's batches run until they hold `hold` aggregates and stage moves (memory),
    whatever their positions; progress hears of every position as it is read."""
    single = maintenance.memory_engine()
    Projector(province, single, batch_size=5_000).run_until_caught_up()
    held = maintenance.memory_engine()
    projector = Projector(province, held, batch_size=10**12, hold=1_000)
    heard: list[int] = []
    batches = []
    while passed := projector.run_once(heard.append):
        batches.append(passed)
    total = int(province.recorder.max_notification_id() or 0)
    assert sum(batches) == sum(heard) == total
    assert len(batches) > 3  # ended by the hold, not by the positions
    assert maintenance.compare(single, tables(1), held, tables(1)) == []
