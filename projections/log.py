"""Reading the notification log for the projector: a window of positions at a time, leaving
in the database the events no row reads (rows.UNREAD), and decoding the rest quickly.

Both are the projector's own shortcuts over eventsourcing's API: the recorder's
`select_notifications` has no way to leave topics out, and its mapper decodes JSON through a
Python hook on every object. The decoder gives the same domain events as the mapper (tests
compare them on every event of a generated province) and hands anything unusual to it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID, SafeUUID

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Recorder,
    UUIDAsHex,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import resolve_topic
from psycopg.sql import SQL, Identifier

from domain.transcodings import DateAsISO


class Entry(NamedTuple):
    """A notification as the log holds it (eventsourcing's `Notification`, lighter)."""

    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Share:
    """Part of the log: the events of aggregates whose id ends in one of `digits` (hex), and
    every event whose topic starts with one of `prefixes`."""

    digits: tuple[str, ...]
    prefixes: tuple[str, ...]

    def __contains__(self, entry: Entry) -> bool:
        return f"{entry.originator_id.int & 0xF:x}" in self.digits or entry.topic.startswith(
            self.prefixes
        )


def read_window(
    recorder: Recorder,
    after: int,
    span: int,
    unread: Collection[str] = (),
    share: Share | None = None,
) -> tuple[list[Entry], int]:
    """The notifications at positions `after + 1 … last` whose topic is not `unread` (and
    that are in the `share`, when given), and `last`: at most `span` positions on, never
    past what is recorded (every position up to the maximum is committed: both recorders
    serialize their writers)."""
    last = min(after + span, int(recorder.max_notification_id() or 0))  # type: ignore[attr-defined]
    if last <= after:
        return [], after
    topics = sorted(unread)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _sqlite(recorder, after, last, topics, share), last
    if isinstance(recorder, PostgresApplicationRecorder):
        return _postgres(recorder, after, last, topics, share), last
    found = recorder.select_notifications(after + 1, last - after, stop=last)  # type: ignore[attr-defined]
    entries = (
        Entry(n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in found
        if n.topic not in unread
    )
    return [e for e in entries if share is None or e in share], last


def _sqlite(
    recorder: SQLiteApplicationRecorder,
    after: int,
    last: int,
    topics: list[str],
    share: Share | None,
) -> list[Entry]:
    # The library's own table name; every value is bound (ids: 32 hex digits, or text).
    skip = f"AND topic NOT IN ({','.join('?' * len(topics))}) " if topics else ""
    values: list[Any] = [after, last, *topics]
    if share is not None:
        skip += (
            f"AND (substr(originator_id, -1) IN ({','.join('?' * len(share.digits))})"
            f"{' OR substr(topic, 1, ?) = ?' * len(share.prefixes)}) "
        )
        values += [*share.digits, *(v for p in share.prefixes for v in (len(p), p))]
    table = recorder.events_table_name
    statement = f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} WHERE rowid > ? AND rowid <= ? {skip}ORDER BY rowid"  # noqa: S608, E501
    convert = (
        uuid_from_hex
        if recorder.datastore.originator_id_type == "uuid"
        else recorder.convert_originator_id
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, values)
        return [Entry(r[0], convert(r[1]), r[2], r[3], r[4]) for r in c.fetchall()]  # type: ignore[arg-type]


def _postgres(
    recorder: PostgresApplicationRecorder,
    after: int,
    last: int,
    topics: list[str],
    share: Share | None,
) -> list[Entry]:
    shared = ""
    values: list[Any] = [after, last, topics]
    if share is not None:  # uuid text: the last hex digit is the 36th character
        prefixes = " OR left(topic, %s) = %s" * len(share.prefixes)
        shared = f"AND (substr(originator_id::text, 36, 1) = ANY(%s){prefixes}) "
        values += [list(share.digits), *(v for p in share.prefixes for v in (len(p), p))]
    statement = SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id > %s AND notification_id <= %s "
        "AND NOT (topic = ANY(%s)) " + shared + "ORDER BY notification_id"
    ).format(
        schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name)
    )
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, values, prepare=True)
        return [
            Entry(
                r["notification_id"],
                r["originator_id"],
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in curs.fetchall()
        ]


class Decoder:
    """Stored events to domain events, as `mapper.to_domain_event` makes them: decrypted and
    decompressed by the mapper's own cipher and compressor, parsed by orjson, and each
    `{"_type_", "_data_"}` object turned back into its value by the transcoder's own
    transcodings (the commonest three directly)."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        identity: Callable[[bytes], bytes] = lambda data: data  # noqa: E731
        self.decrypt = mapper.cipher.decrypt if mapper.cipher else identity
        if type(mapper.cipher) is AESCipher:  # its decrypt builds the AES-GCM key every time
            aesgcm = AESGCM(mapper.cipher.key)
            self.decrypt = lambda data: aesgcm.decrypt(data[:12], data[28:] + data[12:28], None)
        self.decompress = mapper.compressor.decompress if mapper.compressor else identity
        transcoder = mapper.transcoder
        self.fast = isinstance(transcoder, JSONTranscoder)
        direct: dict[type[Any], Callable[[Any], Any]] = {
            UUIDAsHex: uuid_from_hex,
            DateAsISO: date.fromisoformat,
            DatetimeAsISO: datetime.fromisoformat,
        }
        self.transcodings: dict[str, Callable[[Any], Any]] = {}
        if isinstance(transcoder, JSONTranscoder):
            for name, transcoding in transcoder.names.items():
                self.transcodings[name] = direct.get(type(transcoding), transcoding.decode)
        self._classes: dict[str, type[Any]] = {}

    def verify(self, notification: Entry) -> None:
        """Check a stored event without decoding it (to decode later, if ever): AES-GCM
        authenticates every row, so a damaged one fails here, at its own position. Without
        a cipher there is nothing to check by, so it is decoded."""
        if self.mapper.cipher is None:
            self(notification)
            return
        try:
            self.decrypt(notification.state)
        except Exception:  # the mapper says what is wrong, in the library's words
            self.mapper.to_domain_event(notification)  # type: ignore[arg-type]
            raise

    def __call__(self, notification: Entry) -> Any:
        cls = self._classes.get(notification.topic)
        if cls is None:
            cls = self._classes[notification.topic] = resolve_topic(notification.topic)
        if (
            not self.fast
            or getattr(cls, "class_version", 1) != 1
            or type(notification.originator_id) is not UUID
        ):
            return self.mapper.to_domain_event(notification)  # type: ignore[arg-type]
        try:
            state = self._value(orjson.loads(self.decompress(self.decrypt(notification.state))))
        except Exception:  # NaN, a 65-bit integer, a damaged row: the mapper reads or explains
            return self.mapper.to_domain_event(notification)  # type: ignore[arg-type]
        if not isinstance(state, dict) or "class_version" in state:
            return self.mapper.to_domain_event(notification)  # type: ignore[arg-type]
        state["originator_id"] = notification.originator_id
        state["originator_version"] = notification.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _value(self, value: Any) -> Any:
        """JSON's dicts and lists, inside out, as the transcoder's object hook sees them."""
        if type(value) is list:
            return [self._value(v) if type(v) is dict or type(v) is list else v for v in value]
        if len(value) == 2 and "_type_" in value:
            return self._typed(value)
        self._values(value)
        return value

    def _typed(self, value: dict[str, Any]) -> Any:
        """`{"_type_": name, "_data_": data}`: data decoded, then its transcoding's value."""
        data = value["_data_"]
        kind = type(data)
        if kind is dict:
            self._values(data)
        elif kind is list:
            data = self._value(data)
        return self.transcodings[value["_type_"]](data)

    def _values(self, value: dict[str, Any]) -> None:
        """A dict's values decoded in place; leaves (an id, a date, a time) without a call:
        they are most of an event's values."""
        for key, item in value.items():
            kind = type(item)
            if kind is dict:
                if len(item) == 2 and "_type_" in item:
                    data = item["_data_"]
                    if type(data) is str:
                        value[key] = self.transcodings[item["_type_"]](data)
                    else:
                        value[key] = self._typed(item)
                else:
                    self._values(item)
            elif kind is list:
                value[key] = self._value(item)


INTERNED_IDS = 300_000  # about a province's aggregates; some 60 MiB at most


def uuid_from_hex(text: str, _interned: dict[str, UUID] = {}) -> UUID:  # noqa: B006
    """`UUID(text)`, the same object for the same text while it stays interned: the
    projector's dicts are keyed by ids, and a key that is the very object skips
    `UUID.__eq__` (a Python call) on every lookup; the queries name the same organizations
    on every card. The 32 hex digits eventsourcing stores are read without
    `UUID.__init__`'s parsing of every other spelling."""
    found = _interned.get(text)
    if found is not None:
        return found
    if len(text) == 32:
        found = object.__new__(UUID)
        object.__setattr__(found, "int", int(text, 16))
        object.__setattr__(found, "is_safe", SafeUUID.unknown)
    else:
        found = UUID(text)
    if len(_interned) >= INTERNED_IDS:  # bounded: the next ids are interned afresh
        _interned.clear()
    _interned[text] = found
    return found
