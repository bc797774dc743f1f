"""Writing rows: one upsert statement per table and dialect, compiled once, run with the
driver's `executemany` (every view writes its rows through it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def dialect(conn: sa.Connection | sa.Engine) -> Any:
    """The dialect module whose `insert` has `on_conflict_do_update`."""
    return postgresql if conn.dialect.name == "postgresql" else sqlite


class Upserts:
    """Insert-or-update of whole rows by primary key; the statements are built once per
    table and dialect."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, str], _Upsert] = {}

    def __call__(self, conn: sa.Connection, table: sa.Table, values: list[dict[str, Any]]) -> None:
        keys = [c.name for c in table.primary_key.columns]
        upsert = self._built.get((table.name, conn.dialect.name))
        if upsert is None:
            insert = dialect(conn).insert(table)
            others = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
            statement = (
                insert.on_conflict_do_update(index_elements=keys, set_=others)
                if others
                else insert.on_conflict_do_nothing(index_elements=keys)  # a row of keys only
            )
            upsert = self._built[table.name, conn.dialect.name] = _Upsert(statement, conn)
        unique = {tuple(v[k] for k in keys): v for v in values}  # the last row wins
        upsert(conn, unique.values())


class _Upsert:
    """A statement compiled once for a dialect and run with `executemany` at the driver,
    each value through SQLAlchemy's own bind processor for its column: the same SQL and
    values as `conn.execute(statement, rows)`, without its per-row machinery (which was
    most of the time of a rebuild's writes)."""

    def __init__(self, statement: sa.Insert, conn: sa.Connection) -> None:
        dialect = conn.dialect
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = list(compiled.positiontup or compiled.binds)
        self.positional = bool(compiled.positional)
        self.process = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in self.names
        ]

    def __call__(self, conn: sa.Connection, rows: Iterable[dict[str, Any]]) -> None:
        process = self.process
        if self.positional:
            params: list[Any] = [
                tuple(row[n] if p is None else p(row[n]) for n, p in process) for row in rows
            ]
        else:
            params = [{n: row[n] if p is None else p(row[n]) for n, p in process} for row in rows]
        if params:
            conn.exec_driver_sql(self.sql, params)
