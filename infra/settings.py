"""Settings: the only place that reads the environment (DESIGN.md §4)."""

from __future__ import annotations

import os
import secrets
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


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
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        store = env.get("DANGVIEN_STORE", "sqlite")
        if store not in ("sqlite", "postgres"):
            raise ValueError(f"DANGVIEN_STORE must be sqlite or postgres, not {store!r}")
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
            log_level=env.get("DANGVIEN_LOG_LEVEL", "INFO").upper(),
            log_format=log_format,  # type: ignore[arg-type]
        )


def local_key(data_dir: Path, name: str) -> str:
    """A key kept in the data directory, generated on first use (readable by its owner only).

    Losing it makes the stored personal data unreadable: back it up with the data directory, or
    set the key by environment in production."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
    return path.read_text().strip()
