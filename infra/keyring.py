"""The people's keys (docs/adr/0002-per-person-keys.md): one data key per person, held only
wrapped (AES key wrap, RFC 3394) by the master key, in a keyring apart from the event store and
from data backups (`<data>/keyring.sqlite`, or the `dangvien_keys` schema of PostgreSQL).

Destroying a person's key is how their personal data is erased: the wrapped key is overwritten,
then deleted, on a database that zeroes what it deletes (SQLite's `secure_delete`); a process
that had it unwrapped forgets it within `CACHE_SECONDS`. The master key is a keyset
(infra/keysets.py): `dangvien keys rotate --only master` makes a new one and re-wraps every
person's key under it, so a copy of the keyring taken before — with the replaced master key
destroyed after its grace — opens nothing."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from infra.keysets import LiveKeyset, now_utc

CACHE_SIZE = 20_000  # unwrapped keys kept per process (a rebuild reads people in bursts)
CACHE_SECONDS = 60.0  # how long a process may still use a key destroyed by another

metadata = sa.MetaData()
person_keys = sa.Table(
    "person_keys",
    metadata,
    sa.Column("person_id", sa.Uuid, primary_key=True),
    sa.Column("wrapped", sa.LargeBinary, nullable=False),  # the data key under the master key
    sa.Column("master_id", sa.String(40), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
destroyed_keys = sa.Table(
    "destroyed_keys",  # whose key is gone, and when: no key material
    metadata,
    sa.Column("person_id", sa.Uuid, primary_key=True),
    sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
)


class KeyDestroyed(Exception):
    """The person's key was destroyed: their personal data is erased."""


def keyring_engine(url: str) -> sa.Engine:
    """An engine on the keyring's database; SQLite zeroes what it deletes."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        def pragmas(connection: object, _record: object) -> None:
            cursor = connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA journal_mode=DELETE")  # no WAL copy of a deleted key
            cursor.close()

        sa.event.listen(engine, "connect", pragmas)
    return engine


class Keyring:
    def __init__(self, engine: sa.Engine, master: LiveKeyset) -> None:
        self.engine = engine
        self.master = master
        self._cache: OrderedDict[UUID, tuple[float, bytes]] = OrderedDict()
        metadata.create_all(engine)

    # --- a person's key ---

    def create(self, person_id: UUID) -> bytes:
        """The person's data key, made on first use (idempotent, whoever makes it first); a
        destroyed key is never made again (KeyDestroyed)."""
        found = self._lookup(person_id)
        if found is not None:
            return found
        key = secrets.token_bytes(32)
        master = self.master.get()
        row = {
            "person_id": person_id,
            "wrapped": aes_key_wrap(master.key, key),
            "master_id": master.current,
            "created_at": now_utc(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(person_keys.insert().values(row))
        except sa.exc.IntegrityError:  # made meanwhile by another process
            return self.key_of(person_id)
        self._remember(person_id, key)
        return key

    def key_of(self, person_id: UUID) -> bytes:
        """The person's data key; KeyDestroyed once destroyed; KeyError if never made."""
        found = self._lookup(person_id)
        if found is None:
            raise KeyError(person_id)
        return found

    def destroy(self, person_id: UUID) -> None:
        """Erase: overwrite the wrapped key, delete it, record that it is gone."""
        with self.engine.begin() as conn:
            where = person_keys.c.person_id == person_id
            conn.execute(person_keys.update().where(where).values(wrapped=bytes(40)))
            conn.execute(person_keys.delete().where(where))
            if not conn.execute(
                sa.select(destroyed_keys.c.person_id).where(destroyed_keys.c.person_id == person_id)
            ).first():
                conn.execute(
                    destroyed_keys.insert().values(person_id=person_id, destroyed_at=now_utc())
                )
        self._cache.pop(person_id, None)

    def destroyed_at(self, person_id: UUID) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(destroyed_keys.c.destroyed_at).where(
                    destroyed_keys.c.person_id == person_id
                )
            ).scalar()

    # --- the master key ---

    def rewrap(self, batch: int = 1000) -> int:
        """Every person's key under the current master key (after a rotation); returns how
        many were re-wrapped. Idempotent and resumable: a row is re-wrapped once."""
        master = self.master.get(fresh=True)
        done = 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    sa.select(
                        person_keys.c.person_id, person_keys.c.wrapped, person_keys.c.master_id
                    )
                    .where(person_keys.c.master_id != master.current)
                    .limit(batch)
                ).all()
                for person_id, wrapped, master_id in rows:
                    key = aes_key_unwrap(master.keys[master_id], wrapped)
                    conn.execute(
                        person_keys.update()
                        .where(person_keys.c.person_id == person_id)
                        .values(wrapped=aes_key_wrap(master.key, key), master_id=master.current)
                    )
            done += len(rows)
            if len(rows) < batch:
                return done

    def masters_in_use(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(person_keys.c.master_id).distinct()).scalars())

    # --- inside ---

    def _lookup(self, person_id: UUID) -> bytes | None:
        cached = self._cache.get(person_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            self._cache.move_to_end(person_id)
            return cached[1]
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(person_keys.c.wrapped, person_keys.c.master_id).where(
                    person_keys.c.person_id == person_id
                )
            ).first()
            if row is None:
                gone = conn.execute(
                    sa.select(destroyed_keys.c.person_id).where(
                        destroyed_keys.c.person_id == person_id
                    )
                ).first()
                if gone:
                    self._cache.pop(person_id, None)
                    raise KeyDestroyed(person_id)
                return None
        master_key = self.master.get().keys.get(row.master_id)
        if master_key is None:  # another process rotated the master key: read it again
            master_key = self.master.get(fresh=True).keys[row.master_id]
        key = aes_key_unwrap(master_key, row.wrapped)
        self._remember(person_id, key)
        return key

    def _remember(self, person_id: UUID, key: bytes) -> None:
        self._cache[person_id] = (time.monotonic(), key)
        self._cache.move_to_end(person_id)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
