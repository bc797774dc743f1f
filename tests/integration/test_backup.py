"""`dangvien backup` and `dangvien restore` on the real stores (SQLite, and PostgreSQL through
pg_dump/pg_restore): a backup taken while a writer and the projector keep writing restores into
an empty data directory, passes the integrity verification and the read-model verify, and gives
back the same members, cases and accounts; a changed file, keys kept with the data, a non-empty
target or the wrong keys are refused with their rule id; no key is ever in the data's copy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import threading
from base64 import b64decode
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.member import Member
from domain.person import Person
from domain.values import OrgKind
from infra.bootstrap import audit_key, build_app, open_keyring
from infra.chain import audit
from infra.chain.ledger import open_ledger
from infra.chain.proofs import AuditKeys
from infra.entrypoints.cli import app as cli
from infra.keyring import person_keys
from infra.settings import Settings
from infra.users import Role, UserStore
from projections.database import open_engine
from projections.projector import Projector
from tests.builders import build_world, ctx
from tests.e2e.topology import settings_env
from tests.integration.conftest import throwaway_database
from tests.readmodel_scenario import Scenario, build_scenario

KEY_FILES = ("audit.key", "cipher.key", "id.key", "name.key")


@dataclass(frozen=True)
class Stores:
    """The store that is backed up, and the settings a restore is run with (for PostgreSQL:
    an empty database of its own)."""

    original: Settings
    target: Settings


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """Whole databases, not a schema of the shared one: pg_dump copies a database whole."""
    if request.param == "sqlite":
        yield Stores(
            Settings(data_dir=tmp_path / "data"), Settings(data_dir=tmp_path / "elsewhere")
        )
        return
    with (
        throwaway_database("dangvien_backup") as source,
        throwaway_database("dangvien_restore") as target,
    ):

        def on(database: Any, data_dir: Path) -> Settings:
            return Settings(
                data_dir=data_dir,
                store="postgres",
                postgres_host=database.host,
                postgres_port=database.port,
                postgres_dbname=database.dbname,
                postgres_user=database.user,
            )

        yield Stores(on(source, tmp_path / "data"), on(target, tmp_path / "elsewhere"))


def cli_with(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str, lang: bool = True
) -> Result:
    for name in [n for n in os.environ if n.startswith("DANGVIEN_")]:
        monkeypatch.delenv(name)
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(cli, [*args, *(["--lang", "en"] if lang else [])])


def backup_to(settings: Settings, monkeypatch: pytest.MonkeyPatch, out: Path, keys: Path) -> Result:
    return cli_with(settings, monkeypatch, "backup", "--out", str(out), "--keys-out", str(keys))


def restore_from(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    source: Path,
    keys: Path,
    data_dir: Path,
    *extra: str,
) -> Result:
    return cli_with(
        settings,
        monkeypatch,
        "restore",
        "--from",
        str(source),
        "--keys",
        str(keys),
        "--data-dir",
        str(data_dir),
        *extra,
    )


def project(app: Dangvien, settings: Settings) -> None:
    engine = open_engine(settings.readmodel_database)
    try:
        Projector(app, engine).run_until_caught_up()
    finally:
        engine.dispose()


def seal(settings: Settings) -> None:
    ledger = open_ledger(settings)
    try:
        assert audit.seal(ledger, AuditKeys(audit_key(settings))).seal is not None
    finally:
        ledger.close()


class Writers:
    """A clerk registering organizations and the projector following, until stopped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._guarded, args=(self._write,)),
            threading.Thread(target=self._guarded, args=(self._project,)),
        ]

    def _guarded(self, work: Any) -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)

    def _write(self) -> None:
        app = build_app(self.settings)
        try:
            while not self.stop.is_set():
                app.register_organization(
                    ctx(),
                    kind=OrgKind.province_committee,
                    name=f"Tỉnh ủy {self.written}",
                    parent_id=None,
                    established_on=date(2020, 1, 1),
                )
                self.written += 1
        finally:
            app.close()

    def _project(self) -> None:
        app = build_app(self.settings)
        engine = open_engine(self.settings.readmodel_database)
        try:
            projector = Projector(app, engine)
            while not self.stop.is_set():
                if not projector.run_once():
                    self.stop.wait(0.01)
        finally:
            engine.dispose()
            app.close()

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        while self.written < 5 and not self.errors:  # writing before the backup starts
            self.stop.wait(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        assert self.errors == []


def state(app: Dangvien, kind: type, ident: Any) -> dict[str, Any]:
    return dict(vars(app.load(kind, ident)))


def records_of(app: Dangvien, s: Scenario) -> dict[str, Any]:
    """The members, their persons and the cases, as the application loads them."""
    members = {name: state(app, Member, ident) for name, ident in s.members.items()}
    persons = {name: state(app, Person, m["person_id"]) for name, m in members.items()}
    cases = {name: state(app, AdmissionCase, case.case_id) for name, case in s.cases.items()}
    return {"members": members, "persons": persons, "cases": cases}


def small_store(settings: Settings) -> None:
    """Organizations and members, projected: enough for what the refusals check."""
    app = build_app(settings)
    try:
        build_world(app, cell_members=2)
        project(app, settings)
    finally:
        app.close()


def every_file(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_a_backup_taken_while_writers_write_restores_verified_with_the_same_records(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = stores.original
    app = build_app(settings)
    try:
        scenario = build_scenario(app)
        project(app, settings)
        seal(settings)
        UserStore(open_engine(settings.readmodel_database)).create(
            "thuky.backup", "a long password 123", Role.grassroots_officer, scenario.world.commune
        )
        with Writers(settings) as writers:
            made = backup_to(settings, monkeypatch, tmp_path / "backup", tmp_path / "keys")
            written_then = writers.written
        assert made.exit_code == 0, made.output
        assert writers.written > written_then  # the writer went on after the backup
        before = records_of(app, scenario)
        last_position = int(app.recorder.max_notification_id() or 0)
    finally:
        app.close()

    shutil.rmtree(settings.data_dir)  # the machine is lost; the database too
    restored_dir = tmp_path / "restored"
    keys = tmp_path / "keys"
    done = restore_from(stores.target, monkeypatch, tmp_path / "backup", keys, restored_dir)
    assert done.exit_code == 0, done.output
    assert "audit verify: OK" in done.output
    assert "projections verify: OK" in done.output

    restored = replace(stores.target, data_dir=restored_dir)
    app = build_app(restored)
    try:
        assert records_of(app, scenario) == before
        behind = int(app.recorder.max_notification_id() or 0)
        assert 0 < behind < last_position  # the copy of a moment amid the writes
    finally:
        app.close()
    account = UserStore(open_engine(restored.readmodel_database)).get("thuky.backup")
    assert account is not None and account.org_id == scenario.world.commune


def test_the_backup_holds_no_key_and_the_keys_directory_every_key_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    small_store(settings)
    (settings.data_dir / "keys").mkdir()
    (settings.data_dir / "keys" / "person-1.key").write_bytes(os.urandom(32))
    rotated = cli_with(settings, monkeypatch, "keys", "rotate", lang=False)
    assert rotated.exit_code == 0, rotated.output
    keysets = sorted(settings.data_dir.glob("*.keyset"))
    assert len(keysets) == 4  # payload, command, secret, master
    ring = open_keyring(settings)  # the people's keyring (docs/adr/0002-per-person-keys.md)
    ring.create(uuid4())
    with ring.engine.connect() as conn:
        wrapped = conn.execute(sa.select(person_keys.c.wrapped)).scalar_one()
    ring.engine.dispose()
    out, keys = tmp_path / "backup", tmp_path / "keys"
    made = backup_to(settings, monkeypatch, out, keys)
    assert made.exit_code == 0, made.output
    ledger = open_ledger(settings)
    try:
        report = audit.verify(ledger, AuditKeys(audit_key(settings)))
    finally:
        ledger.close()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["record"]["events"] == report.events > 0
    assert manifest["record"]["last_position"] == report.last_position
    assert manifest["record"]["chain_head"]["position"] == report.last_position
    assert {e["name"] for e in manifest["files"]} == {"events.sqlite", "readmodels.sqlite"}

    key_files = [
        path.relative_to(settings.data_dir)
        for path in every_file(settings.data_dir)
        if path.suffix == ".key"
    ]
    assert {str(k) for k in key_files} >= {*KEY_FILES, "keys/person-1.key"}
    copied = b"".join(path.read_bytes() for path in every_file(out))
    for name in key_files:
        key = (settings.data_dir / name).read_bytes()
        assert (keys / name).read_bytes() == key
        assert key.strip() not in copied
        if name.parent == Path("."):  # base64 text: its bytes neither
            assert b64decode(key.strip()) not in copied
    for keyset in keysets:
        for key in json.loads(keyset.read_text())["keys"].values():
            assert key.encode() not in copied and b64decode(key) not in copied
        assert (keys / keyset.name).read_bytes() == keyset.read_bytes()
    assert wrapped not in copied
    assert wrapped in (keys / "keyring.sqlite").read_bytes()
    assert {p.name for p in out.iterdir()} == {
        "events.sqlite",
        "readmodels.sqlite",
        "manifest.json",
    }
    for folder in (out, keys):
        modes = {stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
        files = {stat.S_IMODE(p.stat().st_mode) for p in every_file(folder)}
        assert files == {0o600}
        assert modes - files <= {0o700}

    done = restore_from(settings, monkeypatch, out, keys, tmp_path / "restored")
    assert done.exit_code == 0, done.output
    for keyset in keysets:
        assert (tmp_path / "restored" / keyset.name).read_bytes() == keyset.read_bytes()
    with closing(sqlite3.connect(tmp_path / "restored" / "keyring.sqlite")) as db:
        assert [w for (w,) in db.execute("SELECT wrapped FROM person_keys")] == [wrapped]


def key_table(settings: Settings, wrapped: bytes | None = None) -> list[tuple[Any, ...]]:
    """Writes (or, without `wrapped`, reads) a per-person key table in the record's database,
    as issue 18's keys may be kept."""
    if settings.store == "sqlite":
        with closing(sqlite3.connect(settings.data_dir / "events.sqlite")) as db:
            if wrapped is None:
                return db.execute("SELECT person_id, wrapped FROM person_keys").fetchall()
            db.execute("CREATE TABLE person_keys (person_id TEXT PRIMARY KEY, wrapped BLOB)")
            db.execute("CREATE INDEX person_keys_by_blob ON person_keys (wrapped)")
            db.execute("INSERT INTO person_keys VALUES ('p1', ?)", (wrapped,))
            db.commit()
            return []
    with psycopg.connect(
        host=settings.postgres_host,
        port=settings.postgres_port,
        user=settings.postgres_user,
        dbname=settings.postgres_dbname,
        autocommit=True,
    ) as conn:
        if wrapped is None:
            return [
                (who, bytes(key))
                for who, key in conn.execute("SELECT person_id, wrapped FROM person_keys")
            ]
        conn.execute("CREATE TABLE person_keys (person_id TEXT PRIMARY KEY, wrapped BYTEA)")
        conn.execute("INSERT INTO person_keys VALUES ('p1', %s)", (wrapped,))
        return []


def dumped_tables(dump: Path) -> str:
    listed = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
    )
    return listed.stdout


def test_a_key_table_goes_with_the_keys_and_comes_back_with_a_restore(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-person keys in a table of the record's database (issue 18) are key material."""
    settings = stores.original
    small_store(settings)
    wrapped = os.urandom(48)
    key_table(settings, wrapped)
    out, keys = tmp_path / "backup", tmp_path / "keys"
    made = backup_to(settings, monkeypatch, out, keys)
    assert made.exit_code == 0, made.output
    if settings.store == "sqlite":
        assert not any(wrapped in path.read_bytes() for path in every_file(out))
        assert any(wrapped in path.read_bytes() for path in every_file(keys))
    else:  # a custom-format dump is compressed: its table of contents says what it holds
        assert "person_keys" not in dumped_tables(out / "postgres.dump")
        assert "rm1_members" in dumped_tables(out / "postgres.dump")
        assert "TABLE DATA public person_keys" in dumped_tables(keys / "postgres.dump.keys")

    restored = replace(stores.target, data_dir=tmp_path / "restored")
    done = restore_from(restored, monkeypatch, out, keys, restored.data_dir)
    assert done.exit_code == 0, done.output
    assert key_table(restored) == [("p1", wrapped)]


@pytest.fixture
def backed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    small_store(settings)
    made = backup_to(settings, monkeypatch, tmp_path / "backup", tmp_path / "keys")
    assert made.exit_code == 0, made.output
    return settings


def restore(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *more: str
) -> Result:
    """The backup and keys of `tmp_path` restored into `tmp_path / "restored"`."""
    keys, out = tmp_path / "keys", tmp_path / "restored"
    return restore_from(settings, monkeypatch, tmp_path / "backup", keys, out, *more)


def test_a_changed_byte_in_a_backup_file_refuses_the_restore_which_writes_nothing(
    backed_up: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "backup" / "events.sqlite"
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0x01
    copy.write_bytes(bytes(content))
    refused = restore(backed_up, tmp_path, monkeypatch)
    assert refused.exit_code == 2
    assert "[BACKUP-DIGEST] events.sqlite" in refused.output
    assert not (tmp_path / "restored").exists()

    vi = CliRunner().invoke(
        cli,
        [
            "restore",
            "--from",
            str(tmp_path / "backup"),
            "--keys",
            str(tmp_path / "keys"),
            "--data-dir",
            str(tmp_path / "restored"),
        ],
    )
    assert "[BACKUP-DIGEST] Tệp events.sqlite" in vi.output


def test_a_file_added_to_a_backup_or_a_changed_key_is_refused(
    backed_up: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backup" / "extra.sqlite").write_bytes(b"planted")
    added = restore(backed_up, tmp_path, monkeypatch)
    assert added.exit_code == 2 and "[BACKUP-DIGEST] extra.sqlite" in added.output
    (tmp_path / "backup" / "extra.sqlite").unlink()

    (tmp_path / "keys" / "cipher.key").write_text("another key\n")
    changed = restore(backed_up, tmp_path, monkeypatch)
    assert changed.exit_code == 2 and "[BACKUP-DIGEST] cipher.key" in changed.output
    assert not (tmp_path / "restored").exists()


def test_keys_of_another_backup_are_refused(
    backed_up: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Settings(data_dir=tmp_path / "other")
    build_app(other).close()
    made = backup_to(other, monkeypatch, tmp_path / "other-backup", tmp_path / "other-keys")
    assert made.exit_code == 0, made.output
    wrong = restore_from(
        backed_up, monkeypatch, tmp_path / "backup", tmp_path / "other-keys", tmp_path / "restored"
    )
    assert wrong.exit_code == 2 and "[BACKUP-KEYS]" in wrong.output


def test_the_keys_of_a_later_backup_after_a_rotation_restore_an_earlier_backup(
    backed_up: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rotated keys move forward; the record's own keys never change: an earlier data backup
    restores with the latest keys (how an erasure reaches backups taken before it)."""
    rotated = cli_with(backed_up, monkeypatch, "keys", "rotate", lang=False)
    assert rotated.exit_code == 0, rotated.output
    later = backup_to(backed_up, monkeypatch, tmp_path / "later", tmp_path / "later-keys")
    assert later.exit_code == 0, later.output
    done = restore_from(
        backed_up, monkeypatch, tmp_path / "backup", tmp_path / "later-keys", tmp_path / "restored"
    )
    assert done.exit_code == 0, done.output
    assert "audit verify: OK" in done.output and "projections verify: OK" in done.output
    assert (tmp_path / "restored" / "payload.keyset").exists()


def test_a_non_empty_data_directory_is_refused_unless_forced(
    backed_up: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "restored").mkdir()
    (tmp_path / "restored" / "events.sqlite-wal").write_bytes(b"left by an earlier store")
    refused = restore(backed_up, tmp_path, monkeypatch)
    assert refused.exit_code == 2 and "[BACKUP-NOT-EMPTY]" in refused.output
    assert (tmp_path / "restored" / "events.sqlite-wal").exists()

    forced = restore(backed_up, tmp_path, monkeypatch, "--force")
    assert forced.exit_code == 0, forced.output
    assert "audit verify: OK" in forced.output
    assert not (tmp_path / "restored" / "events.sqlite-wal").exists()


@pytest.mark.postgres
def test_a_postgresql_database_with_tables_is_refused_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        throwaway_database("dangvien_backup") as source,
        throwaway_database("dangvien_restore") as target,
    ):
        original = Settings(
            data_dir=tmp_path / "data",
            store="postgres",
            postgres_host=source.host,
            postgres_port=source.port,
            postgres_dbname=source.dbname,
            postgres_user=source.user,
        )
        small_store(original)
        seal(original)
        made = backup_to(original, monkeypatch, tmp_path / "backup", tmp_path / "keys")
        assert made.exit_code == 0, made.output
        again = replace(original, postgres_dbname=target.dbname)
        assert restore(again, tmp_path, monkeypatch).exit_code == 0
        shutil.rmtree(tmp_path / "restored")  # an empty directory, but the database is used
        refused = restore(again, tmp_path, monkeypatch)
        assert refused.exit_code == 2
        assert f"[BACKUP-NOT-EMPTY] The database {target.dbname} holds tables" in refused.output
        forced = restore(again, tmp_path, monkeypatch, "--force")
        assert forced.exit_code == 0, forced.output
        assert "audit verify: OK" in forced.output and "projections verify: OK" in forced.output


def test_a_restored_record_that_does_not_verify_exits_1_naming_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup of a store tampered with behind the application's back is restored (it is
    all there is) and said not to verify."""
    settings = Settings(data_dir=tmp_path / "data")
    small_store(settings)
    with closing(sqlite3.connect(settings.data_dir / "events.sqlite")) as db:
        db.execute("UPDATE stored_events SET originator_version = 99 WHERE rowid = 5")
        db.commit()
    made = backup_to(settings, monkeypatch, tmp_path / "backup", tmp_path / "keys")
    assert made.exit_code == 0, made.output
    done = restore(settings, tmp_path, monkeypatch)
    assert done.exit_code == 1
    assert "audit verify: TAMPERED at position 5" in done.output


def test_keys_inside_the_backup_or_the_backup_inside_the_data_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    build_app(settings).close()
    for out, keys in (
        (tmp_path / "backup", tmp_path / "backup" / "keys"),
        (tmp_path / "backup", tmp_path / "backup"),
        (tmp_path / "keys" / "backup", tmp_path / "keys"),
        (settings.data_dir / "backup", tmp_path / "keys"),
    ):
        refused = backup_to(settings, monkeypatch, out, keys)
        assert refused.exit_code == 2
        assert "[BACKUP-KEYS-APART]" in refused.output
        assert not out.exists() and not (tmp_path / "keys").exists()


def test_a_postgresql_store_without_pg_dump_is_refused_saying_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", store="postgres")
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing here: no pg_dump
    refused = backup_to(settings, monkeypatch, tmp_path / "backup", tmp_path / "keys")
    assert refused.exit_code == 2
    assert "[BACKUP-PG-DUMP] pg_dump is not on PATH" in refused.output
    assert not (tmp_path / "backup").exists()
