"""The read-model database as every process opens it (projections.database.open_engine)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from projections.database import open_engine

BIG_WRITE = (  # 5,000 rows of 1 kB: more than a 10-page cache holds, so the write spills
    "INSERT INTO t SELECT hex(randomblob(500)) FROM (WITH RECURSIVE n(i) AS "
    "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT i FROM n)"
)


def test_the_api_reads_the_last_batch_while_the_projector_writes_the_next(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'readmodels.sqlite'}"
    projector, api = open_engine(url), open_engine(url)
    with projector.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('committed')")
    with projector.begin() as batch:
        batch.exec_driver_sql("PRAGMA cache_size=10")
        batch.exec_driver_sql(BIG_WRITE)  # (the default journal locks readers out here)
        started = time.monotonic()
        with api.connect() as reader:
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
        assert time.monotonic() - started < 1  # read at once, not after a wait
    with api.connect() as reader:
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 5_001
        assert reader.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_write_waits_for_the_projectors_batch_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'readmodels.sqlite'}"
    projector, api = open_engine(url), open_engine(url)
    with projector.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
    holding = threading.Event()

    def long_batch() -> None:
        with projector.begin() as batch:
            batch.exec_driver_sql(BIG_WRITE)
            holding.set()
            time.sleep(6)  # a long batch: longer than sqlite3's default wait (5 s)

    writer = threading.Thread(target=long_batch)
    writer.start()
    assert holding.wait(10)
    with api.begin() as conn:  # a session being recorded, say: waits, then writes
        conn.exec_driver_sql("INSERT INTO t VALUES ('session')")
    writer.join()
    with api.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 5_001


@pytest.mark.postgres
def test_other_databases_are_opened_as_they_are() -> None:
    engine = open_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with engine.connect() as conn:  # no SQLite pragma or timeout reaches psycopg
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
    memory = open_engine("sqlite://")
    with memory.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
