"""The audit's own connection to the event store (SQLite or PostgreSQL): the stored rows and
the chain in position order, the seals, and the writes of the one-off chaining and of seals.
Rows come back alike from both: (position, 16-byte aggregate id, version, …)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from typing import Any
from uuid import UUID

import psycopg

from infra.chain.proofs import Seal
from infra.chain.recorders import CHAIN, SEALS
from infra.settings import Settings

PAGE = 20_000
EventRow = tuple[int, bytes, int, str, bytes]  # position, id, version, topic, state
ChainRow = tuple[int, bytes, int, bytes, bytes]  # position, id, version, mac, leaf
HistoryRow = tuple[int, bytes, int, str, bytes, bytes | None]  # … state, mac


def pages(fetch: Callable[[int, int], Sequence[Any]], page: int = PAGE) -> Iterator[Any]:
    """Every row, by keyset pages on the position (each page its own short read)."""
    after = 0
    while True:
        rows = fetch(after, page)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1][0]


class Ledger:
    """What the audit reads and writes, whatever the database."""

    p: str  # placeholder
    events_table: str
    chain_table: str
    seals_table: str
    position: str  # the events table's position column
    oid: str  # the id as 16 bytes, in SQL

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def execute_many(self, statement: str, rows: Sequence[Any]) -> None:
        raise NotImplementedError

    def locked(self) -> AbstractContextManager[None]:
        """One transaction holding the writers' lock (application writes wait)."""
        raise NotImplementedError

    def id_param(self, oid: bytes) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def events(self, after: int, limit: int) -> list[EventRow]:
        p = self.p
        return self.query(
            f"SELECT {self.position}, {self.oid}, originator_version, topic, state "  # noqa: S608
            f"FROM {self.events_table} WHERE {self.position} > {p} "
            f"ORDER BY {self.position} LIMIT {p}",
            (after, limit),
        )

    def chain(self, after: int, limit: int) -> list[ChainRow]:
        p = self.p
        return self.query(
            f"SELECT notification_id, {self.oid}, originator_version, mac, leaf "  # noqa: S608
            f"FROM {self.chain_table} WHERE notification_id > {p} "
            f"ORDER BY notification_id LIMIT {p}",
            (after, limit),
        )

    def leaves(self, last_position: int) -> tuple[list[int], list[bytes]]:
        positions: list[int] = []
        leaves: list[bytes] = []

        def fetch(after: int, limit: int) -> list[Any]:
            return self.query(
                f"SELECT notification_id, leaf FROM {self.chain_table} "  # noqa: S608
                f"WHERE notification_id > {self.p} AND notification_id <= {self.p} "
                f"ORDER BY notification_id LIMIT {self.p}",
                (after, last_position, limit),
            )

        for position, leaf in pages(fetch, 100_000):
            positions.append(position)
            leaves.append(bytes(leaf))
        return positions, leaves

    def history(self, ids: Sequence[UUID]) -> list[HistoryRow]:
        """Every stored event of these aggregates with its link, by aggregate and version."""
        marks = ", ".join([self.p] * len(ids))
        return self.query(
            f"SELECT e.{self.position}, {self.oid.replace('originator_id', 'e.originator_id')}, "  # noqa: S608
            "e.originator_version, e.topic, e.state, c.mac "
            f"FROM {self.events_table} e LEFT JOIN {self.chain_table} c "
            f"ON c.notification_id = e.{self.position} "
            f"WHERE e.originator_id IN ({marks}) ORDER BY e.originator_id, e.originator_version",
            [self.id_param(i.bytes) for i in ids],
        )

    def seals(self) -> list[Seal]:
        return [
            Seal(size, last, bytes(root), at, bytes(signature))
            for size, last, root, at, signature in self.query(
                "SELECT tree_size, last_position, root, sealed_at, signature "  # noqa: S608
                f"FROM {self.seals_table} ORDER BY tree_size"
            )
        ]

    def add_seal(self, seal: Seal) -> None:
        p = self.p
        self.execute_many(
            f"INSERT INTO {self.seals_table} VALUES ({p}, {p}, {p}, {p}, {p})",  # noqa: S608
            [(seal.tree_size, seal.last_position, seal.root, seal.sealed_at, seal.signature)],
        )

    def add_chain(self, rows: Sequence[ChainRow]) -> None:
        p = self.p
        self.execute_many(
            f"INSERT INTO {self.chain_table} VALUES ({p}, {p}, {p}, {p}, {p})",  # noqa: S608
            [(at, self.id_param(oid), v, mac, leaf) for at, oid, v, mac, leaf in rows],
        )


class SQLiteLedger(Ledger):
    p, position = "?", "rowid"
    events_table, chain_table, seals_table = "stored_events", CHAIN, SEALS

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.oid = "originator_id"  # hex text: made bytes in Python (faster than SQL)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        """Ids are stored as hex text here: the second column, when text, is made bytes."""
        rows = self.db.execute(statement, params).fetchall()
        if rows and len(rows[0]) > 1 and isinstance(rows[0][1], str):
            fromhex = bytes.fromhex
            return [(r[0], fromhex(r[1]), *r[2:]) for r in rows]
        return rows

    def execute_many(self, statement: str, rows: Sequence[Any]) -> None:
        self.db.executemany(statement, rows)

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def id_param(self, oid: bytes) -> Any:
        return oid.hex()

    def close(self) -> None:
        self.db.close()


class PostgresLedger(Ledger):
    p, position = "%s", "notification_id"

    def __init__(self, conninfo: str, schema: str, events: str = "dangvien_events") -> None:
        self.db = psycopg.connect(conninfo, autocommit=True)
        quoted = '"' + schema.replace('"', '""') + '"'
        self.events_table = f"{quoted}.{events}"
        self.chain_table, self.seals_table = f"{quoted}.{CHAIN}", f"{quoted}.{SEALS}"
        self.oid = "uuid_send(originator_id)"

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        with closing(self.db.cursor()) as cur:
            cur.execute(statement, params)
            return cur.fetchall()

    def execute_many(self, statement: str, rows: Sequence[Any]) -> None:
        with closing(self.db.cursor()) as cur:
            cur.executemany(statement, rows)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.db.transaction():
            self.db.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE")
            yield

    def id_param(self, oid: bytes) -> Any:
        return UUID(bytes=oid)

    def close(self) -> None:
        self.db.close()


def open_ledger(settings: Settings) -> Ledger:
    """The store's tables must exist (build the application once first)."""
    if settings.store == "sqlite":
        return SQLiteLedger(str(settings.data_dir / "events.sqlite"))
    conninfo = psycopg.conninfo.make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password or None,
    )
    return PostgresLedger(conninfo, settings.postgres_schema or "public")
