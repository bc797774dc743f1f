"""Backups that restore (docs/deploy.md, "Backups"; issue 18).

`backup` copies, consistently, the record (the event store with its chain and seals), the read
models with the accounts, notifications and mail deliveries that live beside them, Temporal's
dev-server database when `dangvien up` runs one, and the data directory's other files into one
directory, and the keys into another. `restore` checks both against the manifest, brings them
back into an empty data directory and verifies what it restored: the integrity chain of the
record (`audit verify`) and the read model against a rebuild (`projections verify`).

The keys never go where the data goes: a medium holding both gives both to whoever takes it,
and a person's erased key (per-person keys, issue 18) must be destroyable in every backup —
the key backups are small and few, the data backups need not be touched. Key material is every
`*.key` and `*.keyset` file, everything under `keys/`, the people's keyring (`keyring.sqlite`,
copied online after the record, so it holds a key for every person the copied record names),
and the rows of any table of `KEY_TABLES` (moved out of the copied databases, pages wiped).

SQLite files are copied with SQLite's online backup API (a read transaction: writers go on in
WAL mode), Temporal's first, then the read models, the record last: whatever is restored then
lags the record, never runs ahead of it (a read model catches up; a process replays a step whose
command key makes it apply once). PostgreSQL is copied by `pg_dump -Fc` in a snapshot exported
by the transaction that reads the record's head, so the manifest describes exactly the dump."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import sqlalchemy as sa
from psycopg import sql

from domain.errors import DomainError
from infra.bootstrap import audit_key, build_app
from infra.chain import audit
from infra.chain.ledger import Ledger, PostgresLedger, SQLiteLedger
from infra.chain.proofs import AuditKeys
from infra.settings import Settings, owner_only, private_dir
from projections import maintenance
from projections.database import open_engine
from projections.projector import ProjectionFailed
from projections.tables import tracking

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_MANIFEST = "keys.json"
EVENTS_FILE = "events.sqlite"
READMODELS_FILE = "readmodels.sqlite"
TEMPORAL_FILE = "temporal.db"
POSTGRES_DUMP = "postgres.dump"
# Tables holding key material (the per-person keys of issue 18, wherever they will live): their
# rows go with the keys, never with the data.
KEY_TABLES = ("person_keys", "dangvien_person_keys")
KEYS_DIR = "keys"  # a directory of key files in the data directory (per-person keys)
# Keys that never change once data exists (docs/deploy.md, "Secrets and keys"): a restore
# checks them. The others move forward (rotation, new people, erasure), so the keys of a later
# backup restore an earlier one: that is how an erasure reaches the backups taken before it.
FIXED_KEYS = ("cipher.key", "id.key", "name.key", "audit.key")
KEY_SUFFIXES = (".key", ".keyset")  # a key, and a rotated keyset (infra/keysets.py)
KEYSET_BEING_WRITTEN = ".keyset.new"  # renamed over its keyset in a moment: not a key yet
# The people's keys, wrapped by the master key (docs/adr/0002-per-person-keys.md).
KEY_DATABASES = ("keyring.sqlite",)
LOGS_DIR = "logs"  # not backed up: logs are rewritten, and may name ids of records
# All or nothing, and owned by whoever restores (the roles of the dumped server may not exist).
RESTORE_FLAGS = ("--no-owner", "--single-transaction", "--exit-on-error")
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")  # their content is in the online copy
KEY_SETTINGS = {  # settings field → the variable that sets it (names only in a manifest)
    "cipher_key": "DANGVIEN_CIPHER_KEY",
    "id_key": "DANGVIEN_ID_KEY",
    "name_key": "DANGVIEN_NAME_KEY",
    "paper_key": "DANGVIEN_PAPER_KEY",
    "audit_key": "DANGVIEN_AUDIT_KEY",
    "payload_key": "DANGVIEN_PAYLOAD_KEY",
    "command_key": "DANGVIEN_COMMAND_KEY",
    "secret_key": "DANGVIEN_SECRET_KEY",
    "master_key": "DANGVIEN_MASTER_KEY",
}


class BackupRefused(DomainError):
    """A backup or restore refused before it wrote anything (or, for a digest, restored
    anything)."""


def _refuse(rule_id: str, vi: str, en: str, **details: Any) -> NoReturn:
    raise BackupRefused(rule_id, vi, en, **details)


@dataclass(frozen=True)
class Written:
    """What a backup wrote: its manifest, and where the data and the keys went."""

    manifest: dict[str, Any]
    out: Path
    keys_out: Path


@dataclass(frozen=True)
class Restored:
    """What a restore found: the integrity check, the read-model check, and the record's
    head against the manifest's."""

    data_dir: Path
    manifest: dict[str, Any]
    audit: audit.Report
    differences: list[maintenance.Difference]
    read_model_failure: str | None  # the projection could not even replay the record
    expected_events: int
    audit_public_key: bytes  # the seals' key, as `audit head` shows its fingerprint

    @property
    def record_ok(self) -> bool:
        return self.audit.problem is None and self.audit.events == self.expected_events

    @property
    def read_model_ok(self) -> bool:
        return not self.differences and self.read_model_failure is None

    @property
    def ok(self) -> bool:
        return self.record_ok and self.read_model_ok


# --- backup -------------------------------------------------------------------------------------


def backup(settings: Settings, out: Path, keys_out: Path) -> Written:
    out, keys_out, data = out.resolve(), keys_out.resolve(), settings.data_dir.resolve()
    _apart(out, keys_out, data)
    for where in (out, keys_out):
        if where.exists() and (not where.is_dir() or any(where.iterdir())):
            _refuse(
                "BACKUP-OUT-USED",
                f"{where} đã có nội dung: mỗi bản sao lưu ghi vào một thư mục mới hoặc rỗng",
                f"{where} is not empty: each backup goes to a new or empty directory",
            )
    postgres = settings.store == "postgres"
    _check_layout(settings)
    if postgres and shutil.which("pg_dump") is None:
        _refuse(
            "BACKUP-PG-DUMP",
            "Không tìm thấy pg_dump: cài gói postgresql-client cùng phiên bản với máy chủ "
            "(docs/deploy.md, mục Sao lưu)",
            "pg_dump is not on PATH: install the postgresql-client of the server's version "
            "(docs/deploy.md, Backups)",
        )
    private_dir(out)
    private_dir(keys_out)
    files = _classify(data)
    for name in files.others:
        _copy(data / name, out / name)
    key_tables: dict[str, list[str]] = {}
    for name in files.databases:  # Temporal's first, the record last (the module's docstring)
        copy = out / name
        private_dir(copy.parent)
        _online_copy(data / name, copy)
        moved = _take_key_tables(copy, keys_out / f"{name}.keys.sqlite")
        if moved:
            key_tables[name] = moved
    if postgres:
        record, positions, moved = _dump_postgres(settings, out, keys_out)
        if moved:
            key_tables[POSTGRES_DUMP] = moved
    else:
        record = _sqlite_head(out / EVENTS_FILE)
        positions = _sqlite_positions(out / READMODELS_FILE)
    # The keys after the data: keys only grow until retired, so whatever the copied data was
    # written with (a payload key rotated meanwhile, a person registered) is among them.
    for name in files.key_databases:
        private_dir((keys_out / name).parent)
        _online_copy(data / name, keys_out / name)
    for name in files.keys:
        _copy(data / name, keys_out / name)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": settings.store,
        "files": [_entry(out, path) for path in _files(out)],
        "record": record,
        "read_model_positions": positions,
        "keys": {
            "files": files.keys,
            "fingerprints": {
                name: _fingerprint(keys_out / name) for name in files.keys if name in FIXED_KEYS
            },
            "databases": files.key_databases,
            "tables": key_tables,
            "from_environment": _keys_from_environment(settings),
        },
    }
    _write_json(out / MANIFEST, manifest)
    _write_json(
        keys_out / KEYS_MANIFEST,
        {
            "format": FORMAT,
            "made_at": manifest["made_at"],
            "files": [_entry(keys_out, path) for path in _files(keys_out)],
        },
    )
    owner_only(out)
    owner_only(keys_out)
    return Written(manifest, out, keys_out)


def _keys_from_environment(settings: Settings) -> list[str]:
    """The variables that hold keys in this process's settings (names only)."""
    named = [variable for field, variable in KEY_SETTINGS.items() if getattr(settings, field)]
    named += [
        f"DANGVIEN_{name.upper()}_KEYS_RETIRING"
        for name in ("payload", "command", "secret", "master")
        if getattr(settings, f"{name}_keys_retiring")
    ]
    return sorted(named)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _apart(out: Path, keys_out: Path, data: Path) -> None:
    if _inside(keys_out, out) or _inside(out, keys_out):
        _refuse(
            "BACKUP-KEYS-APART",
            "Thư mục khóa (--keys-out) phải nằm ngoài thư mục sao lưu (--out) và ngược lại: "
            "một vật lưu trữ không được giữ cả dữ liệu lẫn khóa của nó",
            "The keys' directory (--keys-out) must lie outside the backup (--out) and the "
            "other way round: no medium may hold both the data and its keys",
        )
    if _inside(out, data) or _inside(keys_out, data) or _inside(data, out):
        _refuse(
            "BACKUP-KEYS-APART",
            "Bản sao lưu và thư mục khóa phải nằm ngoài thư mục dữ liệu",
            "The backup and the keys' directory must lie outside the data directory",
        )


def _check_layout(settings: Settings) -> None:
    """The layouts the command copies whole: SQLite read models in the data directory beside a
    SQLite record, or read models in the record's PostgreSQL database."""
    url = settings.readmodel_url
    if url is None:
        return
    parsed = sa.make_url(url)
    in_data_dir = settings.data_dir.resolve() / READMODELS_FILE
    if (
        settings.store == "sqlite"
        and parsed.get_backend_name() == "sqlite"
        and parsed.database
        and Path(parsed.database).resolve() == in_data_dir
    ):
        return
    if (
        settings.store == "postgres"
        and parsed.get_backend_name() == "postgresql"
        and parsed.database == settings.postgres_dbname
        and (parsed.host or "127.0.0.1") == settings.postgres_host
        and (parsed.port or 5432) == settings.postgres_port
    ):
        return
    _refuse(
        "BACKUP-LAYOUT",
        "Mô hình đọc nằm ngoài nơi lệnh sao lưu chép (DANGVIEN_READMODEL_URL): sao lưu nó "
        "bằng công cụ của cơ sở dữ liệu đó (docs/deploy.md, mục Sao lưu)",
        "The read models live where this command does not copy (DANGVIEN_READMODEL_URL): back "
        "them up with that database's own tool (docs/deploy.md, Backups)",
    )


def _is_key_file(name: Path) -> bool:
    return (
        name.name.endswith(KEY_SUFFIXES) or name.parts[0] == KEYS_DIR or str(name) in KEY_DATABASES
    )


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER


@dataclass(frozen=True)
class DataFiles:
    """The data directory's files, by name relative to it."""

    keys: list[str]  # key files, copied as they are
    key_databases: list[str]  # SQLite files of keys (the keyring), copied online
    databases: list[str]  # SQLite files of data, in the order they are copied
    others: list[str]


def _classify(data: Path) -> DataFiles:
    """Logs, SQLite's side files and a keyset being written are left."""
    found = DataFiles([], [], [], [])
    if not data.exists():
        return found
    for path in sorted(data.rglob("*")):
        name = path.relative_to(data)
        if not path.is_file() or path.is_symlink() or name.parts[0] == LOGS_DIR:
            continue
        if path.name.endswith(KEYSET_BEING_WRITTEN) or (
            path.name.endswith(SQLITE_SIDE_FILES)
            and path.with_name(path.name.rsplit("-", 1)[0]).exists()
        ):
            continue
        key, database = _is_key_file(name), _is_sqlite(path)
        if database:
            (found.key_databases if key else found.databases).append(str(name))
        else:
            (found.keys if key else found.others).append(str(name))
    rank = {TEMPORAL_FILE: 0, EVENTS_FILE: 2}
    found.databases.sort(key=lambda name: rank.get(name, 1))
    return found


def _copy(source: Path, target: Path) -> None:
    private_dir(target.parent)
    shutil.copyfile(source, target)
    target.chmod(0o600)


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API in one step: one read transaction, so the copy is the
    database as one commit left it, while writers go on (WAL) or wait (rollback journal)."""
    with (
        closing(sqlite3.connect(source, timeout=60)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    target.chmod(0o600)


def _table_statements(db: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [
        statement
        for (statement,) in db.execute(
            f"SELECT sql FROM {schema}.sqlite_master WHERE tbl_name = ? "  # noqa: S608
            "AND sql IS NOT NULL ORDER BY type = 'index'",
            (table,),
        )
    ]


def _copy_tables(source: Path, target: Path, tables: list[str]) -> None:
    """The tables (with their indexes) of `source` created and filled in `target`."""
    with closing(sqlite3.connect(target, isolation_level=None)) as db:
        db.execute("ATTACH DATABASE ? AS source", (str(source),))
        db.execute("BEGIN")
        for table in tables:
            for statement in _table_statements(db, "source", table):
                db.execute(statement)
            db.execute(f'INSERT INTO main."{table}" SELECT * FROM source."{table}"')  # noqa: S608
        db.execute("COMMIT")
        db.execute("DETACH DATABASE source")


def _tables(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]


def _take_key_tables(copy: Path, keys_file: Path) -> list[str]:
    """Moves the key tables out of a copied database into the keys' directory; their pages in
    the copy are overwritten (secure_delete) and the file rewritten without them (VACUUM)."""
    with closing(sqlite3.connect(copy)) as db:
        marks = ", ".join("?" * len(KEY_TABLES))
        found = [
            name
            for (name,) in db.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",  # noqa: S608
                KEY_TABLES,
            )
        ]
    if not found:
        return []
    private_dir(keys_file.parent)
    _copy_tables(copy, keys_file, found)
    keys_file.chmod(0o600)
    with closing(sqlite3.connect(copy, isolation_level=None)) as db:
        db.execute("PRAGMA secure_delete = ON")
        for table in found:
            db.execute(f'DROP TABLE "{table}"')
        db.execute("VACUUM")
    return found


def _head(ledger: Ledger) -> dict[str, Any]:
    """The record's last position and the head of its integrity chain, as the ledger reads
    them (inside the backup's snapshot)."""
    (stored,) = ledger.query(f"SELECT max({ledger.position}) FROM {ledger.events_table}")  # noqa: S608
    (count,) = ledger.query(f"SELECT count(*) FROM {ledger.chain_table}")  # noqa: S608
    last = ledger.query(
        f"SELECT notification_id, leaf FROM {ledger.chain_table} "  # noqa: S608
        "ORDER BY notification_id DESC LIMIT 1"
    )
    seals = ledger.seals()
    seal = seals[-1] if seals else None
    return {
        "last_position": int(stored[0] or 0),
        "events": int(count[0]),
        "chain_head": (
            {"position": int(last[0][0]), "leaf": bytes(last[0][1]).hex()} if last else None
        ),
        "last_seal": (
            {
                "tree_size": seal.tree_size,
                "last_position": seal.last_position,
                "root": seal.root.hex(),
                "sealed_at": seal.sealed_at,
            }
            if seal
            else None
        ),
    }


def _sqlite_head(copy: Path) -> dict[str, Any]:
    if not copy.exists():
        return {"last_position": 0, "events": 0, "chain_head": None, "last_seal": None}
    ledger = SQLiteLedger(str(copy))
    try:
        return _head(ledger)
    finally:
        ledger.close()


def _sqlite_positions(copy: Path) -> dict[str, int]:
    if not copy.exists():
        return {}
    with closing(sqlite3.connect(copy)) as db:
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (tracking.name,)
        ).fetchone():
            return {}
        return dict(db.execute(f"SELECT name, position FROM {tracking.name}"))  # noqa: S608


def _conninfo(settings: Settings) -> str:
    return psycopg.conninfo.make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password or None,
    )


def _pg_command(tool: str, settings: Settings, *args: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if settings.postgres_password:
        env["PGPASSWORD"] = settings.postgres_password  # never on the command line
    argv = [
        tool,
        "--no-password",
        f"--host={settings.postgres_host}",
        f"--port={settings.postgres_port}",
        f"--username={settings.postgres_user}",
        f"--dbname={settings.postgres_dbname}",
        *args,
    ]
    return argv, env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        _refuse(
            "BACKUP-PG-TOOL",
            f"{argv[0]} thất bại: {done.stderr.strip()}",
            f"{argv[0]} failed: {done.stderr.strip()}",
        )


def _dump_postgres(
    settings: Settings, out: Path, keys_out: Path
) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    """`pg_dump -Fc` of the whole database (the record, the read models, the accounts) in the
    snapshot this transaction exports, so the head it reads is the dump's; key tables go to
    a dump of their own in the keys' directory."""
    build_app(settings).close()  # the record's tables exist, even in a database never written
    ledger = PostgresLedger(_conninfo(settings), settings.postgres_schema or "public")
    try:
        with ledger.db.transaction():
            ledger.db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = str(ledger.query("SELECT pg_export_snapshot()")[0][0])
            record = _head(ledger)
            positions: dict[str, int] = {}
            if ledger.query("SELECT to_regclass(%s)", (tracking.name,))[0][0] is not None:
                positions = dict(ledger.query(f"SELECT name, position FROM {tracking.name}"))  # noqa: S608
            key_tables = [
                f"{schema}.{table}"
                for schema, table in ledger.query(
                    "SELECT schemaname, tablename FROM pg_tables WHERE tablename = ANY(%s)",
                    (list(KEY_TABLES),),
                )
            ]
            quoted = [".".join(f'"{part}"' for part in name.split(".")) for name in key_tables]
            dump = out / POSTGRES_DUMP
            _run(
                *_pg_command(
                    "pg_dump",
                    settings,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    *(f"--exclude-table={name}" for name in quoted),
                )
            )
            dump.chmod(0o600)
            if quoted:
                keys_dump = keys_out / f"{POSTGRES_DUMP}.keys"
                _run(
                    *_pg_command(
                        "pg_dump",
                        settings,
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={keys_dump}",
                        *(f"--table={name}" for name in quoted),
                    )
                )
                keys_dump.chmod(0o600)
    finally:
        ledger.close()
    return record, positions, key_tables


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in (MANIFEST, KEYS_MANIFEST):
            yield path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(folder: Path, path: Path) -> dict[str, Any]:
    return {
        "name": str(path.relative_to(folder)),
        "size": path.stat().st_size,
        "sha256": _sha256(path),
    }


def _fingerprint(path: Path) -> str:
    """Names a key without revealing it: a restore checks the keys it is given are the ones
    the data was written with."""
    return hashlib.sha256(b"dangvien backup key\x00" + path.read_bytes()).hexdigest()[:32]


def _write_json(path: Path, document: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.write("\n")


# --- restore ------------------------------------------------------------------------------------


def read_checked(folder: Path, manifest_name: str) -> dict[str, Any]:
    """A manifest whose every file is present with its size and sha256, and no other file:
    a changed, missing or added file refuses the whole backup (BACKUP-DIGEST)."""
    try:
        manifest: dict[str, Any] = json.loads((folder / manifest_name).read_text("utf-8"))
        listed = {entry["name"]: entry for entry in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        _refuse(
            "BACKUP-MANIFEST",
            f"{folder} không có bản kê {manifest_name} đọc được: không phải một bản sao lưu",
            f"{folder} has no readable {manifest_name}: not a backup",
        )
    present = {str(path.relative_to(folder)) for path in _files(folder)}
    for name in sorted(present | set(listed)):
        entry = listed.get(name)
        if entry is None or name not in present or _entry(folder, folder / name) != entry:
            what = "not listed" if entry is None else "missing" if name not in present else ""
            _refuse(
                "BACKUP-DIGEST",
                f"Tệp {name} của {folder} không khớp bản kê (sha256, kích thước"
                + (", không có trong bản kê" if what == "not listed" else "")
                + (", bị thiếu" if what == "missing" else "")
                + "): không khôi phục gì",
                f"{name} of {folder} does not match the manifest (sha256, size"
                + (f", {what}" if what else "")
                + "): nothing restored",
                file=name,
            )
    return manifest


def restore(
    settings: Settings, source: Path, keys: Path, data_dir: Path, *, force: bool = False
) -> Restored:
    """Checks the backup and its keys, copies them into `data_dir` (empty, or emptied with
    `force`), PostgreSQL through `pg_restore` into the configured database, then verifies."""
    source, keys, data_dir = source.resolve(), keys.resolve(), data_dir.resolve()
    manifest = read_checked(source, MANIFEST)
    read_checked(keys, KEYS_MANIFEST)
    for name, fingerprint in manifest["keys"]["fingerprints"].items():
        if not (keys / name).is_file() or _fingerprint(keys / name) != fingerprint:
            _refuse(
                "BACKUP-KEYS",
                f"Thư mục khóa {keys} không có khóa {name} mà bản sao lưu được ghi bằng",
                f"{keys} lacks the key {name} the backup was written with",
                key=name,
            )
    if _inside(data_dir, source) or _inside(data_dir, keys):
        _refuse(
            "BACKUP-KEYS-APART",
            "Thư mục dữ liệu mới phải nằm ngoài bản sao lưu và thư mục khóa",
            "The new data directory must lie outside the backup and the keys' directory",
        )
    if data_dir.exists() and any(data_dir.iterdir()):
        if not force:
            _refuse(
                "BACKUP-NOT-EMPTY",
                f"{data_dir} không rỗng: khôi phục vào một thư mục rỗng (hoặc --force để xóa "
                "nội dung hiện có)",
                f"{data_dir} is not empty: restore into an empty directory (or --force to "
                "delete what it holds)",
            )
        for path in data_dir.iterdir():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    postgres = manifest["store"] == "postgres"
    if postgres:
        if shutil.which("pg_restore") is None:
            _refuse(
                "BACKUP-PG-DUMP",
                "Không tìm thấy pg_restore: cài gói postgresql-client cùng phiên bản với máy chủ",
                "pg_restore is not on PATH: install the postgresql-client of the server's version",
            )
        target = replace(settings, store="postgres")
        _check_empty_database(target, force)
    private_dir(data_dir)
    for entry in manifest["files"]:
        if entry["name"] != POSTGRES_DUMP:
            _copy(source / entry["name"], data_dir / entry["name"])
    key_entries = json.loads((keys / KEYS_MANIFEST).read_text("utf-8"))["files"]
    for entry in key_entries:
        name = entry["name"]
        if name.endswith(".keys.sqlite"):
            database = data_dir / name.removesuffix(".keys.sqlite")
            _copy_tables(keys / name, database, _tables(keys / name))
        elif name != f"{POSTGRES_DUMP}.keys":
            _copy(keys / name, data_dir / name)
    if postgres:
        _run(*_pg_command("pg_restore", target, *RESTORE_FLAGS, str(source / POSTGRES_DUMP)))
        if (keys / f"{POSTGRES_DUMP}.keys").exists():
            _run(
                *_pg_command(
                    "pg_restore", target, *RESTORE_FLAGS, str(keys / f"{POSTGRES_DUMP}.keys")
                )
            )
    owner_only(data_dir)
    if postgres:
        restored = replace(settings, data_dir=data_dir, store="postgres")
    else:
        restored = replace(settings, data_dir=data_dir, store="sqlite", readmodel_url=None)
    keys_of_record = AuditKeys(audit_key(restored))
    report, differences, failure = verify(restored)
    return Restored(
        data_dir,
        manifest,
        report,
        differences,
        failure,
        manifest["record"]["events"],
        keys_of_record.public,
    )


def _check_empty_database(settings: Settings, force: bool) -> None:
    """pg_restore writes into the configured database: only one that holds no table (or
    every table dropped first, with `force`)."""
    with psycopg.connect(_conninfo(settings), autocommit=True) as conn:
        schemas = [
            name
            for (name,) in conn.execute(
                "SELECT DISTINCT schemaname FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        ]
        if not schemas:
            return
        if not force:
            _refuse(
                "BACKUP-NOT-EMPTY",
                f"Cơ sở dữ liệu {settings.postgres_dbname} đã có bảng: khôi phục vào một cơ sở "
                "dữ liệu rỗng (hoặc --force để xóa các bảng hiện có)",
                f"The database {settings.postgres_dbname} holds tables: restore into an empty "
                "database (or --force to drop them)",
            )
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("CREATE SCHEMA IF NOT EXISTS public")


def verify(
    settings: Settings,
) -> tuple[audit.Report, list[maintenance.Difference], str | None]:
    """`dangvien audit verify` and `dangvien projections verify` on these settings (with the
    reason a replay of the record stopped, if it did)."""
    app = build_app(settings)
    try:
        ledger = (
            SQLiteLedger(str(settings.data_dir / EVENTS_FILE))
            if settings.store == "sqlite"
            else PostgresLedger(_conninfo(settings), settings.postgres_schema or "public")
        )
        try:
            report = audit.verify(ledger, AuditKeys(audit_key(settings)))
        finally:
            ledger.close()
        engine = open_engine(settings.readmodel_database)
        failure: str | None = None
        differences: list[maintenance.Difference] = []
        try:
            differences = maintenance.verify(app, engine)
        except ProjectionFailed as stopped:
            failure = str(stopped)
        finally:
            engine.dispose()
    finally:
        app.close()
    return report, differences, failure
