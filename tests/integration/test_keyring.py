"""The people's keys (infra/keyring.py), on SQLite and PostgreSQL: made once per person,
destroyed beyond recovery, re-wrapped under a new master key without losing one."""

from __future__ import annotations

import threading
from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap
from typer.testing import CliRunner

from infra.bootstrap import open_keyring
from infra.entrypoints.cli import app as cli
from infra.keyring import KeyDestroyed, person_keys
from infra.keysets import keyset_file, now_utc
from infra.settings import Settings


def test_a_persons_key_is_made_once_even_by_writers_at_once(settings: Settings) -> None:
    person = uuid4()
    found: list[bytes] = []
    rings = [open_keyring(settings) for _ in range(4)]
    threads = [threading.Thread(target=lambda r=r: found.append(r.create(person))) for r in rings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and len(set(found)) == 1 and len(found[0]) == 32
    assert open_keyring(settings).key_of(person) == found[0]  # a process started later


def test_the_keyring_holds_each_key_only_wrapped_by_the_master_key(settings: Settings) -> None:
    ring = open_keyring(settings)
    key = ring.create(uuid4())
    with ring.engine.connect() as conn:
        stored = conn.execute(sa.select(person_keys.c.wrapped)).scalars().all()
    assert stored and all(key not in wrapped for wrapped in stored)


def test_a_destroyed_key_is_gone_for_every_process_and_never_made_again(
    settings: Settings,
) -> None:
    person, other = uuid4(), uuid4()
    ring, elsewhere = open_keyring(settings), open_keyring(settings)
    key = ring.create(person)
    kept = ring.create(other)
    ring.destroy(person)
    for reader in (ring, open_keyring(settings)):
        with pytest.raises(KeyDestroyed):
            reader.key_of(person)
    with pytest.raises(KeyDestroyed):
        ring.create(person)
    assert ring.destroyed_at(person) is not None
    assert elsewhere.key_of(other) == kept
    with ring.engine.connect() as conn:
        rows = conn.execute(sa.select(person_keys.c.person_id)).scalars().all()
    assert person not in rows
    if settings.store == "sqlite":  # zeroed where it lay: no page of the file keeps it
        path = settings.data_dir / "keyring.sqlite"
        ring.engine.dispose()
        assert key not in path.read_bytes()


def test_a_new_master_key_rewraps_every_persons_key_and_the_old_one_then_opens_nothing(
    settings: Settings,
) -> None:
    ring = open_keyring(settings)
    people = {uuid4(): None for _ in range(25)}
    keys = {person: ring.create(person) for person in people}
    file = keyset_file(settings.data_dir, "master")
    old = file.load()
    file.save(old.rotated(now_utc(), timedelta(hours=1)))
    assert ring.rewrap(batch=10) == 25
    assert ring.rewrap() == 0  # resumable, idempotent
    assert ring.masters_in_use() == {file.load().current}
    file.save(file.load().retired(now_utc() + timedelta(hours=2)))  # the old master is gone
    fresh = open_keyring(settings)
    assert {p: fresh.key_of(p) for p in people} == keys
    with fresh.engine.connect() as conn:
        wrapped = conn.execute(sa.select(person_keys.c.wrapped)).scalars().all()
    for blob in wrapped:
        with pytest.raises(InvalidUnwrap):
            aes_key_unwrap(old.key, blob)


def test_dangvien_keys_rotate_master_rewraps_at_once_and_retire_keeps_what_is_in_use(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "DANGVIEN_DATA_DIR": str(settings.data_dir),
        "DANGVIEN_STORE": settings.store,
        "DANGVIEN_POSTGRES_DBNAME": settings.postgres_dbname,
        "DANGVIEN_POSTGRES_SCHEMA": settings.postgres_schema,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ring = open_keyring(settings)
    keys = {person: ring.create(person) for person in (uuid4(), uuid4(), uuid4())}
    before = keyset_file(settings.data_dir, "master").load().current

    rotated = CliRunner().invoke(cli, ["keys", "rotate", "--only", "master"])
    assert rotated.exit_code == 0, rotated.output
    assert "3 people's keys re-wrapped" in rotated.output
    assert ring.masters_in_use() == {keyset_file(settings.data_dir, "master").load().current}
    assert before in CliRunner().invoke(cli, ["keys", "status", "--only", "master"]).output
    fresh = open_keyring(settings)
    assert {p: fresh.key_of(p) for p in keys} == keys

    monkeypatch.setenv("DANGVIEN_MASTER_KEY", "AAAA")
    refused = CliRunner().invoke(cli, ["keys", "rotate", "--only", "master"])
    assert refused.exit_code == 2 and "DANGVIEN_MASTER_KEY" in refused.output
