"""Settings: the only place that reads the environment (docs/architecture.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from base64 import b64encode
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Literal

from sqlalchemy import URL

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store: Literal["sqlite", "postgres"] = "sqlite"
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "dangvien"
    postgres_user: str = "postgres"
    postgres_password: str = ""
    postgres_schema: str = ""
    cipher_key: str | None = None  # base64 AES key; generated into the data dir when unset
    id_key: str | None = None  # key of the keyed hash that derives person ids
    name_key: str | None = None  # key of the blind index of names (the member register)
    paper_key: str | None = None  # key of papers' verification codes (unset: from the id key)
    audit_key: str | None = None  # keys the event chain and signs seals (docs/security.md)
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    payload_key: str | None = None  # AES key of the Temporal payload codec
    command_key: str | None = None  # signs what the API sends a process (never in Temporal)
    master_key: str | None = None  # wraps each person's key (infra/keyring.py)
    keyring_url: str | None = None  # where the people's keys live, apart from the data
    # Keys set by environment, after a rotation (infra/keysets.py, docs/deploy.md): the current
    # key's id, and the keys it replaced ("id:base64,…"), still accepted.
    payload_key_id: str | None = None
    payload_keys_retiring: str = ""
    command_key_id: str | None = None
    command_keys_retiring: str = ""
    secret_key_id: str | None = None
    secret_keys_retiring: str = ""
    master_key_id: str | None = None
    master_keys_retiring: str = ""
    # Mutual TLS to Temporal's frontend (files): the cluster's CA, this service's certificate
    temporal_tls_ca: str | None = None
    temporal_tls_cert: str | None = None
    temporal_tls_key: str | None = None
    readmodel_url: str | None = None  # SQLAlchemy URL; default: SQLite in the data dir
    projector_batch: int = 100_000  # positions of the log a projector batch passes at most
    rebuild_processes: int = 2  # processes sharing out `dangvien projections rebuild`
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    secret_key: str | None = None  # signs session cookies; generated into the data dir when unset
    # Peers whose X-Forwarded-Proto/-For are believed (addresses or networks); none by default.
    trusted_proxies: tuple[str, ...] = ()
    login_lockout: int = 10  # consecutive failed logins that lock an account (0: never)
    login_address_failures: int = 30  # failed logins from one address before it is slowed
    login_hashes: int = 2  # password checks at once (argon2 takes 64 MiB each)
    api_token_hours: int = 12  # life of a bearer token
    seal_at: time = time(23, 0)  # the daily seal of the whole log, Vietnam time (HH:MM)
    # E-mail of notices (docs/notices.md): nothing is sent without a host.
    public_url: str = "http://127.0.0.1:8000"  # the web's address, for links in messages
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "dangvien@localhost"
    smtp_starttls: bool = True
    digest_at: time = time(7, 0)  # the daily digest, Vietnam time (HH:MM)
    smtp_lease_seconds: int = 600  # a sender's claim on a message; then it is a crashed one's

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        store = env.get("DANGVIEN_STORE", "sqlite")
        if store not in ("sqlite", "postgres"):
            raise ValueError(f"DANGVIEN_STORE must be sqlite or postgres, not {store!r}")
        log_level = env.get("DANGVIEN_LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ValueError(f"DANGVIEN_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        log_format = env.get("DANGVIEN_LOG_FORMAT", "console")
        if log_format not in ("console", "json"):
            raise ValueError(f"DANGVIEN_LOG_FORMAT must be console or json, not {log_format!r}")
        return cls(
            data_dir=Path(env.get("DANGVIEN_DATA_DIR", "data")).resolve(),
            store=store,  # type: ignore[arg-type]
            postgres_host=env.get("DANGVIEN_POSTGRES_HOST", "127.0.0.1"),
            postgres_port=int(env.get("DANGVIEN_POSTGRES_PORT", "5432")),
            postgres_dbname=env.get("DANGVIEN_POSTGRES_DBNAME", "dangvien"),
            postgres_user=env.get("DANGVIEN_POSTGRES_USER", "postgres"),
            postgres_password=env.get("DANGVIEN_POSTGRES_PASSWORD", ""),
            postgres_schema=env.get("DANGVIEN_POSTGRES_SCHEMA", ""),
            cipher_key=env.get("DANGVIEN_CIPHER_KEY") or None,
            id_key=env.get("DANGVIEN_ID_KEY") or None,
            name_key=env.get("DANGVIEN_NAME_KEY") or None,
            paper_key=env.get("DANGVIEN_PAPER_KEY") or None,
            audit_key=env.get("DANGVIEN_AUDIT_KEY") or None,
            log_level=log_level,
            log_format=log_format,  # type: ignore[arg-type]
            temporal_address=env.get("DANGVIEN_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
            temporal_namespace=env.get("DANGVIEN_TEMPORAL_NAMESPACE", "default"),
            payload_key=env.get("DANGVIEN_PAYLOAD_KEY") or None,
            command_key=env.get("DANGVIEN_COMMAND_KEY") or None,
            master_key=env.get("DANGVIEN_MASTER_KEY") or None,
            keyring_url=env.get("DANGVIEN_KEYRING_URL") or None,
            payload_key_id=env.get("DANGVIEN_PAYLOAD_KEY_ID") or None,
            payload_keys_retiring=env.get("DANGVIEN_PAYLOAD_KEYS_RETIRING", ""),
            command_key_id=env.get("DANGVIEN_COMMAND_KEY_ID") or None,
            command_keys_retiring=env.get("DANGVIEN_COMMAND_KEYS_RETIRING", ""),
            secret_key_id=env.get("DANGVIEN_SECRET_KEY_ID") or None,
            secret_keys_retiring=env.get("DANGVIEN_SECRET_KEYS_RETIRING", ""),
            master_key_id=env.get("DANGVIEN_MASTER_KEY_ID") or None,
            master_keys_retiring=env.get("DANGVIEN_MASTER_KEYS_RETIRING", ""),
            temporal_tls_ca=env.get("DANGVIEN_TEMPORAL_TLS_CA") or None,
            temporal_tls_cert=env.get("DANGVIEN_TEMPORAL_TLS_CERT") or None,
            temporal_tls_key=env.get("DANGVIEN_TEMPORAL_TLS_KEY") or None,
            readmodel_url=env.get("DANGVIEN_READMODEL_URL") or None,
            projector_batch=int(env.get("DANGVIEN_PROJECTOR_BATCH") or "100000"),
            rebuild_processes=_at_least_one(
                "DANGVIEN_REBUILD_PROCESSES",
                env.get("DANGVIEN_REBUILD_PROCESSES") or str(min(os.cpu_count() or 1, 4)),
            ),
            api_host=env.get("DANGVIEN_API_HOST", "127.0.0.1"),
            api_port=int(env.get("DANGVIEN_API_PORT") or "8000"),
            secret_key=env.get("DANGVIEN_SECRET_KEY") or None,
            trusted_proxies=_networks(env.get("DANGVIEN_TRUSTED_PROXIES", "")),
            login_lockout=_whole("DANGVIEN_LOGIN_LOCKOUT", env.get("DANGVIEN_LOGIN_LOCKOUT"), 10),
            login_address_failures=_whole(
                "DANGVIEN_LOGIN_ADDRESS_FAILURES", env.get("DANGVIEN_LOGIN_ADDRESS_FAILURES"), 30
            ),
            login_hashes=_at_least_one(
                "DANGVIEN_LOGIN_HASHES", env.get("DANGVIEN_LOGIN_HASHES") or "2"
            ),
            api_token_hours=_at_least_one(
                "DANGVIEN_API_TOKEN_HOURS", env.get("DANGVIEN_API_TOKEN_HOURS") or "12"
            ),
            seal_at=_time_of_day("DANGVIEN_SEAL_AT", env.get("DANGVIEN_SEAL_AT") or "23:00"),
            public_url=(env.get("DANGVIEN_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            smtp_host=env.get("DANGVIEN_SMTP_HOST") or None,
            smtp_port=_at_least_one("DANGVIEN_SMTP_PORT", env.get("DANGVIEN_SMTP_PORT") or "587"),
            smtp_user=env.get("DANGVIEN_SMTP_USER") or None,
            smtp_password=env.get("DANGVIEN_SMTP_PASSWORD") or None,
            smtp_from=env.get("DANGVIEN_SMTP_FROM") or "dangvien@localhost",
            smtp_starttls=_flag("DANGVIEN_SMTP_STARTTLS", env.get("DANGVIEN_SMTP_STARTTLS"), True),
            digest_at=_time_of_day("DANGVIEN_DIGEST_AT", env.get("DANGVIEN_DIGEST_AT") or "07:00"),
            smtp_lease_seconds=_at_least_one(
                "DANGVIEN_SMTP_LEASE_SECONDS", env.get("DANGVIEN_SMTP_LEASE_SECONDS") or "600"
            ),
        )

    @property
    def readmodel_database(self) -> str:
        """Where read models and notifications live: the URL, or SQLite in the data dir
        (PostgreSQL by default when the event store is PostgreSQL)."""
        if self.readmodel_url:
            return self.readmodel_url
        if self.store == "postgres":
            return URL.create(  # quoted: a password may hold "@" or "%"
                "postgresql+psycopg",
                username=self.postgres_user,
                password=self.postgres_password or None,
                host=self.postgres_host,
                port=self.postgres_port,
                database=self.postgres_dbname,
            ).render_as_string(hide_password=False)
        private_dir(self.data_dir)
        return f"sqlite:///{self.data_dir / 'readmodels.sqlite'}"

    @property
    def keyring_schema(self) -> str:
        """The PostgreSQL schema of the keyring: beside the data's, never inside it."""
        return f"{self.postgres_schema}_keys" if self.postgres_schema else "dangvien_keys"

    @property
    def keyring_database(self) -> str:
        """Where the people's keys live: the URL, or beside the data but never in it — its own
        SQLite file in the data directory, or a schema of its own in PostgreSQL (so a dump of
        the data's schema leaves it out)."""
        if self.keyring_url:
            return self.keyring_url
        if self.store == "postgres":
            return URL.create(
                "postgresql+psycopg",
                username=self.postgres_user,
                password=self.postgres_password or None,
                host=self.postgres_host,
                port=self.postgres_port,
                database=self.postgres_dbname,
                query={"options": f"-csearch_path={self.keyring_schema}"},
            ).render_as_string(hide_password=False)
        private_dir(self.data_dir)
        return f"sqlite:///{self.data_dir / 'keyring.sqlite'}"


def _at_least_one(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _time_of_day(name: str, value: str) -> time:
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{name} must be a time of day HH:MM, not {value!r}")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{name} must be a time of day HH:MM, not {value!r}") from None


def _flag(name: str, value: str | None, default: bool) -> bool:
    if not value:
        return default
    if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value.lower() in ("1", "true", "yes")


def _whole(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (CIDR); a typo stops the process at start rather
    than silently trusting nothing."""
    found = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"DANGVIEN_TRUSTED_PROXIES holds addresses or networks, not {item!r}"
            ) from None
        found.append(item)
    return tuple(found)


def private_dir(path: Path) -> Path:
    """A directory readable by its owner only (0700), made so when it already exists: the
    data directory holds keys, personal data and logs."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_mode & 0o077 and found.st_uid == os.getuid():
        path.chmod(0o700)
    return path


def owner_only(directory: Path) -> None:
    """Every file below `directory` readable by its owner only (0600), every directory 0700:
    databases, keys and logs hold personal data or open it."""
    me = os.getuid()
    for path in (directory, *directory.rglob("*")):
        found = path.lstat()
        if found.st_uid != me or path.is_symlink() or not found.st_mode & 0o077:
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)


def local_key(data_dir: Path, name: str) -> str:
    """A key kept in the data directory, generated on first use (readable by its owner only).

    Losing it makes the stored personal data unreadable: back it up with the data directory, or
    set the key by environment in production."""
    path = data_dir / name
    if not path.exists():
        private_dir(data_dir)
        key = b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
    return path.read_text().strip()
