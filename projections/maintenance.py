"""Rebuild beside the live version, verify, switch; and any read model as of a past moment."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from domain.application import Dangvien
from projections.database import open_engine
from projections.projector import (
    Partition,
    ProjectionFailed,
    Projector,
    create_tables,
    live_version,
    switch_live,
)
from projections.queries import ReadModel
from projections.seal import GroupSeal
from projections.tables import Tables, control, failures, tables, tracking
from projections.versions import record_shape
from projections.views import member_tokens

Progress = Callable[[int], None]
WRITE_ATTEMPTS = 5  # a partition's batch that met another's locks is written again
# A rebuild's batch runs to the end of the log or until it holds this many aggregates and
# stage moves: rows are rewritten less often, memory does not grow with the log, and the
# partitions' writes (one SQLite writer at a time) still interleave with their reading.
REBUILD_HOLD = 150_000
TO_THE_END = 2**62  # a batch of positions without a bound of its own


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    live: dict[str, Any] | None
    rebuilt: dict[str, Any] | None


def _rows(conn: sa.Connection, table: sa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    keys = [c.name for c in table.primary_key.columns]
    found = {}
    for row in conn.execute(sa.select(table)):
        values = dict(row._mapping)
        found[tuple(values[k] for k in keys)] = values
    return found


def compare(engine_a: sa.Engine, a: Tables, engine_b: sa.Engine, b: Tables) -> list[Difference]:
    """Every row that differs between two versions of the read model."""
    differences = []
    with engine_a.connect() as conn_a, engine_b.connect() as conn_b:
        for table_a, table_b in zip(a.all, b.all, strict=True):
            rows_a, rows_b = _rows(conn_a, table_a), _rows(conn_b, table_b)
            name = table_a.name.split("_", 1)[1]
            for key in sorted(set(rows_a) | set(rows_b), key=str):
                if rows_a.get(key) != rows_b.get(key):
                    differences.append(Difference(name, key, rows_a.get(key), rows_b.get(key)))
    return differences


def rebuild(
    app: Dangvien,
    engine: sa.Engine,
    progress: Progress | None = None,
    *,
    processes: int = 1,
    open_app: Callable[[], Dangvien] | None = None,
    batch_size: int | None = None,
) -> int:
    """Project the whole log into the next version, beside the live one (which keeps
    serving); returns the new version, not yet live.

    With `processes` > 1 and `open_app` (which opens the same application in another
    process), the log as it stands is shared out over that many partitions, each projected
    by a process of its own into the new version's tables; this process then follows the
    events recorded meanwhile. A rebuild that stops half-way starts again from zero.

    Batches end at `REBUILD_HOLD` (or every `batch_size` positions, when given)."""
    version = live_version(engine) + 1
    fresh = tables(version)
    fresh.metadata.drop_all(engine)
    create_tables(engine, control, fresh.metadata)
    with engine.begin() as conn:
        record_shape(conn, fresh.name)
    for index in fresh.query_indexes:  # built once the rows are written
        index.drop(engine)
    parts = [Partition(i, processes) for i in range(processes)]
    names = [p.tracking_name(fresh.name) for p in parts]
    with engine.begin() as conn:
        conn.execute(sa.delete(tracking).where(tracking.c.name.in_([fresh.name, *names])))
    if processes > 1 and open_app is not None and _shared_by_processes(engine):
        _rebuild_in_parts(app, engine, fresh, parts, names, open_app, batch_size, progress)
        with engine.begin() as conn:  # the partitions leave it to the end (see the view)
            member_tokens.fill(conn, fresh)
    Projector(
        app, engine, version=version, batch_size=batch_size or TO_THE_END, hold=REBUILD_HOLD
    ).run_until_caught_up(progress)
    for index in fresh.query_indexes:
        index.create(engine)
    analyze(engine, fresh)
    return version


def _shared_by_processes(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql" or engine.url.database not in (None, "", ":memory:")


def _rebuild_in_parts(
    app: Dangvien,
    engine: sa.Engine,
    fresh: Tables,
    parts: list[Partition],
    names: list[str],
    open_app: Callable[[], Dangvien],
    batch_size: int | None,
    progress: Progress | None,
) -> None:
    """Each partition up to the log's present end, in a process of its own; then the new
    version stands at that end, as if one projector had got there."""
    end = int(app.recorder.max_notification_id() or 0)
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited sockets
    # A partition reads about its share of each window: with a `batch_size`, as many
    # events a batch as one projector's batch holds, in as many times the positions.
    span = batch_size * len(parts) if batch_size else TO_THE_END
    read = [context.Value("q", 0) for _ in parts]  # positions each has read: the progress
    workers = [
        context.Process(
            target=_project_part,
            args=(open_app, url, fresh.version, part, end, span, read[part.index]),
            name=f"rebuild-p{part.index}",
            daemon=True,
        )
        for part in parts
    ]
    reported = 0
    try:
        for worker in workers:
            worker.start()
        while any(w.is_alive() for w in workers) and all(w.exitcode in (None, 0) for w in workers):
            time.sleep(0.5)
            reported = _report(read, reported, progress)
    finally:
        for worker in workers:
            if worker.pid is None:  # never started
                continue
            if worker.is_alive():
                worker.terminate()
            worker.join()
    if any(w.exitcode != 0 for w in workers):
        _raise_failure(engine, names, workers)
    with engine.begin() as conn:
        conn.execute(sa.delete(tracking).where(tracking.c.name.in_(names)))
        conn.execute(
            sa.insert(tracking).values(name=fresh.name, position=end, updated_at=datetime.now(UTC))
        )
    if progress and end > reported:
        progress(end - reported)


def _project_part(
    open_app: Callable[[], Dangvien],
    url: str,
    version: int,
    part: Partition,
    end: int,
    batch_size: int,
    read: Any,  # a multiprocessing.Value
) -> None:
    app, engine = open_app(), open_engine(url)

    def advance(positions: int) -> None:
        with read.get_lock():
            read.value += positions

    try:
        Projector(
            app,
            engine,
            version=version,
            partition=part,
            stop_at=end,
            batch_size=batch_size,
            write_attempts=WRITE_ATTEMPTS,
            hold=REBUILD_HOLD,
        ).run_until_caught_up(advance)
    finally:
        app.close()
        engine.dispose()


def _report(read: list[Any], reported: int, progress: Progress | None) -> int:
    """The slowest partition's position, as progress."""
    position = min(int(value.value) for value in read)
    if progress and position > reported:
        progress(position - reported)
    return max(position, reported)


def _raise_failure(engine: sa.Engine, names: list[str], workers: list[Any]) -> None:
    with engine.connect() as conn:
        failed = conn.execute(
            sa.select(failures).where(failures.c.name.in_(names)).order_by(failures.c.id.desc())
        ).first()
    if failed is not None:
        raise ProjectionFailed(failed.name, failed.position, failed.error)
    codes = {w.name: w.exitcode for w in workers}
    raise RuntimeError(f"a rebuild process stopped: exit codes {codes}")


def analyze(engine: sa.Engine, fresh: Tables) -> None:
    """Refresh the planner's statistics after a bulk load (SQLite never does it by itself),
    so that subtree queries pick their indexes. On PostgreSQL the version's tables are also
    vacuumed: a rebuild upserts rows batch after batch and leaves their dead versions behind
    until autovacuum comes (later, whenever); meanwhile a subtree query read them all (the
    province's pipeline took 22 ms, 2.7 through the open cases' index once vacuumed)."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        quote = conn.dialect.identifier_preparer.format_table
        for table in fresh.all:  # VACUUM runs outside a transaction, a table at a time
            conn.execute(sa.text(f"VACUUM (ANALYZE) {quote(table)}"))


def verify(app: Dangvien, engine: sa.Engine, progress: Progress | None = None) -> list[Difference]:
    """Rebuild from zero in memory up to the live version's position and compare."""
    live = Projector(app, engine, version=live_version(engine))
    scratch = memory_engine()
    check = Projector(app, scratch, version=live.t.version)
    for index in check.t.query_indexes:  # rows are compared, not queried
        index.drop(scratch)
    target = live.position()
    while check.position() < target:
        check.batch_size = min(check.batch_size, target - check.position())
        read = check.run_once()
        if not read:
            break
        if progress:
            progress(read)
    return compare(engine, live.t, scratch, check.t)


def switch(engine: sa.Engine, version: int) -> None:
    switch_live(engine, version)


def memory_engine() -> sa.Engine:
    return sa.create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )


def as_of(app: Dangvien, moment: datetime, progress: Progress | None = None) -> ReadModel:
    """The read model exactly as it stood at `moment`: the log replayed up to the events
    recorded by then, into memory (a year-end report, reproduced later)."""
    engine = memory_engine()
    Projector(app, engine, until=moment).run_until_caught_up(progress)
    return ReadModel(engine, version=1, seal=GroupSeal.of(app))
