"""The read-model database, opened one way by every process (projector, API, admin, bench)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

BUSY_TIMEOUT_S = 30  # a writer waits out the projector's batch (a few seconds at most)


def open_engine(url: str | sa.URL) -> sa.Engine:
    """An engine on the read-model database. A SQLite file runs in WAL mode: the API reads the
    last committed batch while the projector writes the next one (in the default rollback
    journal a batch that spills its cache locks every reader out), and `synchronous=NORMAL`
    suffices for tables the log can always rebuild."""
    parsed = sa.make_url(url)
    sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    if not sqlite_file:
        return sa.create_engine(url)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
