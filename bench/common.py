"""What the benchmarks share: the stores they open, throwaway PostgreSQL databases, memory."""

from __future__ import annotations

import json
import os
import resource
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from domain.application import Dangvien
from infra.bootstrap import build_app
from infra.settings import Settings

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
META = "bench-meta.json"


def pg_url(dbname: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def create_pg_database(prefix: str = "dangvien_bench_") -> str:
    name = prefix + secrets.token_hex(4)
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_pg_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def throwaway_pg_database(keep: bool = False) -> Iterator[str]:
    """A fresh database `dangvien_bench_<hex>`, dropped at the end (unless `keep`)."""
    name = create_pg_database()
    try:
        yield name
    finally:
        if not keep:
            drop_pg_database(name)


def settings_for(data_dir: Path, store: str = "sqlite", pg_dbname: str = "") -> Settings:
    """The production composition: AES-GCM + zlib; keys generated into the data directory."""
    if store == "postgres":
        return Settings(data_dir=data_dir, store="postgres", postgres_dbname=pg_dbname)
    return Settings(data_dir=data_dir, store="sqlite")


def open_store(data_dir: Path) -> tuple[Dangvien, dict[str, Any]]:
    """The event store a generation wrote (its meta file says which), and the meta."""
    meta = read_meta(data_dir)
    settings = settings_for(data_dir, meta["store"], meta.get("pg_dbname", ""))
    return build_app(settings), meta


def open_app(data_dir: Path) -> Dangvien:
    """The application on a generated store; with `functools.partial`, what a rebuild's
    processes call to open their own (maintenance.rebuild's `open_app`)."""
    return open_store(data_dir)[0]


def read_meta(data_dir: Path) -> dict[str, Any]:
    return dict(json.loads((data_dir / META).read_text()))


def write_meta(data_dir: Path, meta: dict[str, Any]) -> None:
    (data_dir / META).write_text(json.dumps(meta, indent=2, default=str) + "\n")


def rss_mib() -> float:
    """Resident memory now (from /proc), MiB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def children_rss_mib() -> list[float]:
    """Resident memory now of this process's children (a rebuild's partitions), MiB."""
    found = []
    me = str(os.getpid())
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            if ppid != me:
                continue
            with open(f"/proc/{entry.name}/statm") as f:
                found.append(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
        except (FileNotFoundError, ProcessLookupError, IndexError):  # ended meanwhile
            continue
    return found


def peak_rss_mib() -> float:
    """ru_maxrss of this process (KiB on Linux), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)
