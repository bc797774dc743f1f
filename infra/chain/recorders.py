"""eventsourcing's SQLite and PostgreSQL recorders, chaining every event in the transaction
that stores it: beside each stored row, a row of `dangvien_chain` (its position, aggregate,
version, keyed link and Merkle leaf). No event is ever stored unchained.

Selected by `PERSISTENCE_MODULE` (infra/bootstrap.py); the key comes as `DANGVIEN_AUDIT_KEY`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from infra.chain.proofs import ZERO, AuditKeys, Seal, digest, leaf, link

KEY_NAME = "DANGVIEN_AUDIT_KEY"
CHAIN, SEALS = "dangvien_chain", "dangvien_seals"


@dataclass(frozen=True)
class ChainSQL:
    """The statements of one backend (its placeholder, its tables' qualified names)."""

    create: tuple[str, ...]
    latest: str  # an aggregate's last chained version and link
    sealed: str
    unchained: str  # an aggregate's events after a version, before another, with positions
    insert: str
    last_seal: str
    after: str  # how many events are stored after a position


def chain_sql(
    p: str, events: str, chain: str, seals: str, position: str, types: tuple[str, str, str]
) -> ChainSQL:
    integer, oid, blob = types
    return ChainSQL(
        create=(
            f"CREATE TABLE IF NOT EXISTS {chain} (notification_id {integer} PRIMARY KEY, "
            f"originator_id {oid} NOT NULL, originator_version BIGINT NOT NULL, "
            f"mac {blob} NOT NULL, leaf {blob} NOT NULL, "
            "UNIQUE (originator_id, originator_version))",
            f"CREATE TABLE IF NOT EXISTS {seals} (tree_size BIGINT PRIMARY KEY, "
            f"last_position BIGINT NOT NULL, root {blob} NOT NULL, sealed_at TEXT NOT NULL, "
            f"signature {blob} NOT NULL)",
        ),
        latest=f"SELECT originator_version, mac FROM {chain} WHERE originator_id = {p} "  # noqa: S608
        "ORDER BY originator_version DESC LIMIT 1",
        sealed=f"SELECT 1 FROM {seals} LIMIT 1",  # noqa: S608
        unchained=f"SELECT {position} AS position, originator_version, topic, state "  # noqa: S608
        f"FROM {events} WHERE originator_id = {p} AND originator_version > {p} "
        f"AND originator_version < {p} ORDER BY originator_version",
        insert=f"INSERT INTO {chain} VALUES ({p}, {p}, {p}, {p}, {p})",  # noqa: S608
        last_seal=f"SELECT tree_size, last_position, root, sealed_at, signature FROM {seals} "  # noqa: S608
        "ORDER BY tree_size DESC LIMIT 1",
        after=f"SELECT COUNT(*) AS n FROM {events} WHERE {position} > {p}",  # noqa: S608
    )


def sqlite_sql(events: str = "stored_events") -> ChainSQL:
    return chain_sql("?", events, CHAIN, SEALS, "rowid", ("INTEGER", "TEXT", "BLOB"))


def postgres_sql(schema: str, events: str) -> ChainSQL:
    def name(table: str) -> str:
        return f'"{schema}"."{table}"'

    return chain_sql(
        "%s", name(events), name(CHAIN), name(SEALS), "notification_id", ("BIGINT", "uuid", "BYTEA")
    )


class Chaining:
    """What both recorders add: the chain rows of a batch of stored events."""

    sql: ChainSQL
    keys: AuditKeys | None = None

    def id_param(self, originator_id: UUID) -> Any:
        return originator_id

    def chain(self, curs: Any, stored: Sequence[StoredEvent], positions: Sequence[int]) -> None:
        if self.keys is None:
            raise RuntimeError(f"{KEY_NAME} is not set: events would be stored unchained")
        key, rows = self.keys.chain, list[tuple[Any, ...]]()
        latest: dict[UUID, tuple[int, bytes]] = {}
        for event, position in zip(stored, positions, strict=True):
            oid = event.originator_id
            assert isinstance(oid, UUID)
            if oid not in latest:
                latest[oid] = self._latest(curs, oid, event.originator_version, rows)
            d = digest(position, oid.bytes, event.originator_version, event.topic, event.state)
            mac = link(key, latest[oid][1], d)
            rows.append((position, self.id_param(oid), event.originator_version, mac, leaf(d, mac)))
            latest[oid] = (event.originator_version, mac)
        curs.executemany(self.sql.insert, rows)

    def _latest(self, curs: Any, oid: UUID, version: int, rows: list[Any]) -> tuple[int, bytes]:
        """The link an aggregate's next event continues. Events stored before this recorder
        (a store never sealed) are chained first, so every chain starts at version 1; once a
        store is sealed, an unchained event is tampering: left for `audit verify` to name."""
        assert self.keys is not None
        param = self.id_param(oid)
        curs.execute(self.sql.latest, (param,))
        found = curs.fetchone()
        chained, mac = (found["originator_version"], bytes(found["mac"])) if found else (0, ZERO)
        if chained >= version - 1:
            return chained, mac
        curs.execute(self.sql.sealed)
        if curs.fetchone() is not None:
            return chained, mac
        curs.execute(self.sql.unchained, (param, chained, version))
        for row in curs.fetchall():
            at, chained = row["position"], row["originator_version"]
            d = digest(at, oid.bytes, chained, row["topic"], bytes(row["state"]))
            mac = link(self.keys.chain, mac, d)
            rows.append((at, param, chained, mac, leaf(d, mac)))
        return chained, mac

    def latest_seal(self) -> Seal | None:
        """The store's last seal (for the API and the web): not verified here."""
        raise NotImplementedError

    def events_after(self, position: int) -> int:
        """How many events are stored after a position (after the last seal's: not sealed)."""
        raise NotImplementedError


def _seal(row: Any) -> Seal | None:
    if row is None:
        return None
    return Seal(
        row["tree_size"],
        row["last_position"],
        bytes(row["root"]),
        row["sealed_at"],
        bytes(row["signature"]),
    )


class ChainSQLiteRecorder(SQLiteApplicationRecorder, Chaining):
    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.sql = sqlite_sql(events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *sqlite_sql().create]

    def id_param(self, originator_id: UUID) -> Any:
        return originator_id.hex

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        self.chain(c, stored_events, positions)
        return positions

    def latest_seal(self) -> Seal | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql.last_seal)
            return _seal(c.fetchone())

    def events_after(self, position: int) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql.after, (position,))
            return int(c.fetchone()["n"])


class ChainPostgresRecorder(PostgresApplicationRecorder, Chaining):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql = postgres_sql(datastore.schema, events_table_name)
        self.sql_create_statements.extend(SQL(s).format() for s in self.sql.create)
        self.notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """eventsourcing's insert (table locked, so positions commit in order), then the
        chain, in one transaction: an error anywhere stores neither."""
        if not stored_events:
            return []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            curs.execute(self.notify)
            curs.execute(
                self.insert_events_statement,
                (
                    [
                        self.construct_pg_stored_event(
                            e.originator_id, e.originator_version, e.topic, e.state
                        )
                        for e in stored_events
                    ],
                ),
            )
            positions = [row["notification_id"] for row in curs.fetchall()]
            self.chain(curs, stored_events, positions)
        return positions

    def latest_seal(self) -> Seal | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(self.sql.last_seal))
            return _seal(curs.fetchone())

    def events_after(self, position: int) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(self.sql.after), (position,))
            found = curs.fetchone()
            return int(found["n"]) if found else 0


def _with_keys(recorder: ApplicationRecorder, secret: str | None) -> ApplicationRecorder:
    if isinstance(recorder, Chaining) and secret:
        recorder.keys = AuditKeys(secret)
    return recorder


class ChainSQLiteFactory(SQLiteFactory):
    application_recorder_class = ChainSQLiteRecorder

    def application_recorder(self) -> ApplicationRecorder:
        return _with_keys(super().application_recorder(), self.env.get(KEY_NAME))


class ChainPostgresFactory(PostgresFactory):
    application_recorder_class = ChainPostgresRecorder

    def application_recorder(self) -> ApplicationRecorder:
        return _with_keys(super().application_recorder(), self.env.get(KEY_NAME))
