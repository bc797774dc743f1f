"""The application on its real stores: a SQLite file and PostgreSQL.

Every test that takes `settings` (or `app`) runs once per store. PostgreSQL tests share one
throwaway database per run (`dangvien_test_<hex>`, dropped at the end even when tests fail) and
each test gets a fresh schema of its own, so tests never see each other's events.

PostgreSQL must be reachable (DANGVIEN_TEST_POSTGRES_HOST / DANGVIEN_TEST_POSTGRES_PORT, default
127.0.0.1:5432, user `postgres`, trust auth, an existing database `test`): when it is not, the
PostgreSQL tests fail with a clear message; they are never skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain.application import Dangvien
from infra.bootstrap import build_app
from infra.settings import Settings

POSTGRES_USER = "postgres"
MAINTENANCE_DBNAME = "test"  # exists on the test server; we connect to it to create ours
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class PostgresDatabase:
    """The throwaway database of this test run."""

    host: str
    port: int
    dbname: str
    user: str = POSTGRES_USER

    def connect(self, dbname: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=dbname or self.dbname,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
        )


def _postgres_server() -> tuple[str, int]:
    host = os.environ.get("DANGVIEN_TEST_POSTGRES_HOST", "127.0.0.1")
    port = int(os.environ.get("DANGVIEN_TEST_POSTGRES_PORT", "5432"))
    return host, port


@contextmanager
def throwaway_database(prefix: str) -> Iterator[PostgresDatabase]:
    """A database created for a run and dropped (WITH (FORCE)) at the end, whatever the
    tests or the processes they started left connected."""
    host, port = _postgres_server()
    server = PostgresDatabase(host, port, MAINTENANCE_DBNAME)
    database = PostgresDatabase(host, port, f"{prefix}_{secrets.token_hex(6)}")
    try:
        with server.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.dbname)))
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {host}:{port} (user {POSTGRES_USER!r}, database "
            f"{MAINTENANCE_DBNAME!r}): the integration tests need it and are never skipped. "
            "Start it (scripts/ensure-postgres) or point DANGVIEN_TEST_POSTGRES_HOST / "
            f"DANGVIEN_TEST_POSTGRES_PORT at one.\n{error}",
            pytrace=False,
        )
    try:
        yield database
    finally:
        with server.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(database.dbname)
                )
            )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """The database of this test run."""
    with throwaway_database("dangvien_test") as database:
        yield database


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh store: a SQLite file under a temporary data dir, or a fresh schema
    of the throwaway PostgreSQL database (keys are generated into the data dir either way)."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Settings(data_dir=data_dir, store="sqlite")
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    schema = f"t_{secrets.token_hex(6)}"  # created by infra.bootstrap.build_app
    try:
        yield Settings(
            data_dir=data_dir,
            store="postgres",
            postgres_host=database.host,
            postgres_port=database.port,
            postgres_dbname=database.dbname,
            postgres_user=database.user,
            postgres_schema=schema,
        )
    finally:
        with database.connect() as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


AppFactory = Callable[[Settings], Dangvien]


@pytest.fixture
def open_app(settings: Settings) -> Iterator[AppFactory]:
    """Opens more application instances (another process, another key); all closed before the
    store is dropped."""
    opened: list[Dangvien] = []

    def open_(settings: Settings) -> Dangvien:
        app = build_app(settings)
        opened.append(app)
        return app

    yield open_
    for app in reversed(opened):
        app.close()


@pytest.fixture
def app(settings: Settings) -> Iterator[Dangvien]:
    application = build_app(settings)
    try:
        yield application
    finally:
        application.close()
