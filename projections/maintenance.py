"""Rebuild beside the live version, verify, switch; and any read model as of a past moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from domain.application import Dangvien
from projections.projector import Projector, create_tables, live_version, switch_live
from projections.queries import ReadModel
from projections.tables import Tables, control, tables, tracking

Progress = Callable[[int], None]


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


def rebuild(app: Dangvien, engine: sa.Engine, progress: Progress | None = None) -> int:
    """Project the whole log into the next version, beside the live one (which keeps
    serving); returns the new version, not yet live."""
    version = live_version(engine) + 1
    fresh = tables(version)
    fresh.metadata.drop_all(engine)
    create_tables(engine, control)
    with engine.begin() as conn:
        conn.execute(sa.delete(tracking).where(tracking.c.name == fresh.name))
    Projector(app, engine, version=version).run_until_caught_up(progress)
    analyze(engine)
    return version


def analyze(engine: sa.Engine) -> None:
    """Refresh the planner's statistics after a bulk load (SQLite never does it by itself;
    PostgreSQL's autovacuum does, later), so that subtree queries pick their indexes."""
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))


def verify(app: Dangvien, engine: sa.Engine, progress: Progress | None = None) -> list[Difference]:
    """Rebuild from zero in memory up to the live version's position and compare."""
    live = Projector(app, engine, version=live_version(engine))
    scratch = memory_engine()
    check = Projector(app, scratch, version=live.t.version)
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
    return ReadModel(engine, version=1)
