"""The composition root: builds the application on the configured store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from temporalio.service import TLSConfig

from domain.application import Dangvien
from infra.chain import audit
from infra.chain.ledger import open_ledger
from infra.chain.proofs import AuditKeys
from infra.keyring import Keyring, keyring_engine
from infra.keysets import LiveKeyset, live_keyset, now_utc
from infra.notifications import Notifications
from infra.settings import Settings, local_key, private_dir
from projections.database import open_engine
from workflows.authority import Authority
from workflows.messages import Sealed

SCHEMA_LOCK = 0x64616E67  # "dang": the advisory lock of table creation


def event_store_env(settings: Settings) -> dict[str, str]:
    """eventsourcing's settings: the store, AES-GCM encryption and zlib compression."""
    env = {
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": settings.cipher_key or local_key(settings.data_dir, "cipher.key"),
        "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
        # Cached aggregates fast-forward from the store on every get, so several processes
        # may write: a cell with a roll of 250 is not replayed from its first event each time.
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "DANGVIEN_ID_KEY": settings.id_key or local_key(settings.data_dir, "id.key"),
        # The blind index of names (domain/names.py): a key of its own, never in the read model.
        "DANGVIEN_NAME_KEY": settings.name_key or local_key(settings.data_dir, "name.key"),
        # Every stored event is chained in its own transaction (infra/chain/recorders.py).
        "DANGVIEN_AUDIT_KEY": audit_key(settings),
    }
    if settings.paper_key:  # papers' codes (docs/documents.md); unset: derived from the id key,
        env["DANGVIEN_PAPER_KEY"] = settings.paper_key  # which every process shares already
    if settings.store == "sqlite":
        private_dir(settings.data_dir)
        env |= {
            "PERSISTENCE_MODULE": "infra.chain.recorders:ChainSQLiteFactory",
            "SQLITE_DBNAME": str(settings.data_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    else:
        env |= {
            "PERSISTENCE_MODULE": "infra.chain.recorders:ChainPostgresFactory",
            "POSTGRES_HOST": settings.postgres_host,
            "POSTGRES_PORT": str(settings.postgres_port),
            "POSTGRES_DBNAME": settings.postgres_dbname,
            "POSTGRES_USER": settings.postgres_user,
            "POSTGRES_PASSWORD": settings.postgres_password,
            "POSTGRES_SCHEMA": settings.postgres_schema,
        }
    return env


def _conninfo(settings: Settings) -> str:
    return psycopg.conninfo.make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password or None,
    )


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """On PostgreSQL, one process at a time creates tables: workers, the projector and the
    API starting together would otherwise race on eventsourcing's `CREATE OR REPLACE
    FUNCTION` and SQLAlchemy's `create_all` ("tuple concurrently updated")."""
    if settings.store != "postgres":
        yield
        return
    with psycopg.connect(_conninfo(settings), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def ensure_postgres_schema(settings: Settings) -> None:
    """eventsourcing creates its tables but not the schema they live in."""
    if settings.store != "postgres" or not settings.postgres_schema:
        return
    with psycopg.connect(_conninfo(settings), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.postgres_schema)
            )
        )


def build_app(settings: Settings) -> Dangvien:
    with schema_lock(settings):
        ensure_postgres_schema(settings)
        return Dangvien(env=event_store_env(settings))


def audit_key(settings: Settings) -> str:
    return settings.audit_key or local_key(settings.data_dir, "audit.key")


def sealer(settings: Settings) -> Callable[[], Sealed]:
    """The daily seal's work (the worker's `seal_log` activity), as `dangvien audit seal`:
    verify the whole store, then seal what is new. Idempotent: nothing new, no seal; a seal
    of the same size made meanwhile by the command refuses this one (the size is the seals'
    key), and the activity's retry finds nothing new."""
    keys = AuditKeys(audit_key(settings))

    def seal() -> Sealed:
        ledger = open_ledger(settings)
        try:
            done = audit.seal(ledger, keys)
        finally:
            ledger.close()
        head = done.seal or done.report.head
        problem = "" if done.report.problem is None else str(done.report.problem)
        return Sealed(head.tree_size if head else 0, done.seal is not None, problem)

    return seal


def open_keyring(settings: Settings) -> Keyring:
    """The people's keys (infra/keyring.py), wrapped by the master keyset."""
    if settings.store == "postgres" and not settings.keyring_url:
        with psycopg.connect(_conninfo(settings), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.keyring_schema)
                )
            )
    with schema_lock(settings):
        return Keyring(keyring_engine(settings.keyring_database), live_keyset(settings, "master"))


def payload_key(settings: Settings) -> LiveKeyset:
    """The payload codec's keys (rotated by `dangvien keys rotate`: infra/keysets.py)."""
    return live_keyset(settings, "payload")


def authority(settings: Settings) -> Authority:
    """The signer and checker of what the API commands (workflows/authority.py), with the
    command keyset (rotated by `dangvien keys rotate`)."""
    keys = live_keyset(settings, "command")
    return Authority(
        lambda: (keys.get().key, keys.get().accepted(now_utc()).values()),
        refresh=lambda: keys.get(fresh=True),
    )


def temporal_tls(settings: Settings) -> TLSConfig | None:
    """Mutual TLS to Temporal when its files are set (all three, or none)."""
    files = (settings.temporal_tls_ca, settings.temporal_tls_cert, settings.temporal_tls_key)
    if not any(files):
        return None
    if not all(files):
        raise ValueError("DANGVIEN_TEMPORAL_TLS_CA, _CERT and _KEY go together")
    ca, cert, key = (Path(f).read_bytes() for f in files if f)
    return TLSConfig(server_root_ca_cert=ca, client_cert=cert, client_private_key=key)


def build_notifications(settings: Settings) -> Notifications:
    with schema_lock(settings):
        return Notifications(open_engine(settings.readmodel_database))
