"""Tampering with the stored record — editing, deleting, reordering or inserting a row straight
in SQLite or PostgreSQL — is found by `audit verify`, which names the first bad position and
its aggregate; exports carry their proofs and are checked offline."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from domain.application import Dangvien
from domain.values import OrgKind
from infra.bootstrap import (
    audit_key,
    build_app,
    ensure_postgres_schema,
    event_store_env,
    schema_lock,
)
from infra.chain import audit, export
from infra.chain.ledger import Ledger, open_ledger
from infra.chain.proofs import AuditKeys
from infra.entrypoints.cli import app as cli
from infra.settings import Settings
from tests.builders import ctx


def record_some_history(app: Dangvien) -> list[UUID]:
    """Three organizations, two renamed twice: 7 events, chains of 1 and 3 versions."""
    orgs = [
        app.register_organization(
            ctx(),
            kind=OrgKind.province_committee,
            name=f"Tỉnh ủy {n}",
            parent_id=None,
            established_on=date(2020, 1, 1),
        )
        for n in range(3)
    ]
    for n in range(2):
        for org in orgs[:2]:
            app.rename_organization(ctx(), org, f"Tên {n}", date(2021, 1, 1 + n))
    return orgs


@contextmanager
def ledger_of(settings: Settings) -> Iterator[Ledger]:
    ledger = open_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def keys(settings: Settings) -> AuditKeys:
    return AuditKeys(audit_key(settings))


def behind_the_back(settings: Settings, *statements: str) -> None:
    """SQL run straight on the store, as someone with database access would."""
    if settings.store == "sqlite":
        with closing(sqlite3.connect(settings.data_dir / "events.sqlite")) as db:
            for statement in statements:
                db.execute(statement.format(events="stored_events", position="rowid"))
            db.commit()
        return
    with psycopg.connect(
        host=settings.postgres_host,
        port=settings.postgres_port,
        user=settings.postgres_user,
        dbname=settings.postgres_dbname,
    ) as conn:
        conn.execute(
            sql.SQL("SET search_path TO {}").format(sql.Identifier(settings.postgres_schema))
        )
        for statement in statements:
            conn.execute(statement.format(events="dangvien_events", position="notification_id"))


def positions(settings: Settings) -> list[tuple[int, UUID]]:
    with ledger_of(settings) as ledger:
        return [(row[0], UUID(bytes=row[1])) for row in ledger.events(0, 1000)]


def test_a_clean_store_verifies_and_its_seal_is_what_the_department_is_shown(
    app: Dangvien, settings: Settings
) -> None:
    record_some_history(app)
    with ledger_of(settings) as ledger:
        first = audit.verify(ledger, keys(settings))
        sealing = audit.seal(ledger, keys(settings))
        again = audit.verify(ledger, keys(settings))
    assert first.problem is None and first.events == 7 and first.unsealed == 7
    assert sealing.seal is not None and sealing.seal.tree_size == 7
    assert again.problem is None and again.seals == 1 and again.unsealed == 0
    assert app.recorder.latest_seal() == sealing.seal  # type: ignore[attr-defined]


TAMPERING = {
    # what is done to the third stored event, and where verify must point
    "edited": ("UPDATE {events} SET topic = topic || ' ' WHERE {position} = @", 0),
    "deleted": ("DELETE FROM {events} WHERE {position} = @", 0),
    "swapped": (
        "UPDATE {events} SET {position} = -1 WHERE {position} = @;"
        "UPDATE {events} SET {position} = @ WHERE {position} = @+1;"
        "UPDATE {events} SET {position} = @+1 WHERE {position} = -1",
        0,
    ),
    "inserted": (
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version + 100, topic, state FROM {events} "
        "WHERE {position} = @",
        1,  # the new row, at the log's end
    ),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
@pytest.mark.parametrize("sealed", [False, True], ids=["before a seal", "after a seal"])
def test_a_row_changed_behind_the_applications_back_is_found_at_its_position(
    app: Dangvien, settings: Settings, kind: str, sealed: bool
) -> None:
    record_some_history(app)
    if sealed:
        with ledger_of(settings) as ledger:
            assert audit.seal(ledger, keys(settings)).seal is not None
    before = positions(settings)
    target, aggregate = before[2]
    statements, at_end = TAMPERING[kind]
    for statement in (
        statements.replace("@+1", str(target + 1)).replace("@", str(target)).split(";")
    ):
        behind_the_back(settings, statement)
    with ledger_of(settings) as ledger:
        report = audit.verify(ledger, keys(settings))
    assert report.problem is not None, f"a {kind} row went unnoticed"
    if at_end:
        assert report.problem.position == positions(settings)[-1][0] > before[-1][0]
    else:
        assert report.problem.position == target
    assert report.problem.aggregate == aggregate
    with ledger_of(settings) as ledger:
        assert audit.seal(ledger, keys(settings)).seal is None  # a tampered store is not sealed


def test_a_deleted_tail_is_found_once_sealed(app: Dangvien, settings: Settings) -> None:
    record_some_history(app)
    with ledger_of(settings) as ledger:
        audit.seal(ledger, keys(settings))
    last = positions(settings)[-1][0]
    behind_the_back(settings, f"DELETE FROM {{events}} WHERE {{position}} = {last}")
    with ledger_of(settings) as ledger:
        report = audit.verify(ledger, keys(settings))
    assert report.problem is not None and report.problem.position == last


def test_an_export_verifies_offline_and_an_altered_copy_is_refused(
    app: Dangvien, settings: Settings, tmp_path: Path
) -> None:
    orgs = record_some_history(app)
    with ledger_of(settings) as ledger:
        audit.seal(ledger, keys(settings))
        app.rename_organization(ctx(), orgs[0], "Sau niêm phong", date(2022, 1, 1))
        document = export.export(ledger, keys(settings), {"kind": "case", "id": "x"}, orgs[:1])
    assert [e["version"] for e in document["events"]] == [1, 2, 3]
    assert document["events_after_seal"] == 1
    assert export.verify_export(document) == []
    assert export.verify_export(document, document["key_fingerprint"]) == []
    assert export.verify_export(document, "0" * 16) != []

    def altered(change: Any) -> Any:
        copy = json.loads(json.dumps(document))
        change(copy)
        return copy

    edits = [
        lambda d: d["events"][1].update(topic=d["events"][1]["topic"] + "x"),
        lambda d: d["events"].pop(1),
        lambda d: d["events"][0].update(proof=d["events"][0]["proof"][:-1]),
        lambda d: d["seal"].update(root="00" * 32),
        lambda d: d.update(aggregates=[]),
    ]
    for edit in edits:
        assert export.verify_export(altered(edit)) != []

    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    assert CliRunner().invoke(cli, ["audit", "verify-export", str(path)]).exit_code == 0
    path.write_text(json.dumps(altered(edits[0])))
    refused = CliRunner().invoke(cli, ["audit", "verify-export", str(path)])
    assert refused.exit_code == 1 and "Refused" in refused.output


def test_a_store_made_before_the_chain_is_chained_once_by_its_first_seal(
    settings: Settings,
) -> None:
    plain = event_store_env(settings) | {
        "PERSISTENCE_MODULE": f"eventsourcing.{settings.store}",
    }
    with schema_lock(settings):
        ensure_postgres_schema(settings)
        old = Dangvien(env=plain)
    orgs = record_some_history(old)
    old.close()
    stored_before = positions(settings)

    app = build_app(settings)
    try:
        # written after the upgrade, before the one-off: its aggregate's past is chained too
        app.rename_organization(ctx(), orgs[0], "Sau nâng cấp", date(2022, 1, 1))
        with ledger_of(settings) as ledger:
            unchained = audit.verify(ledger, keys(settings))
            sealing = audit.seal(ledger, keys(settings))
            clean = audit.verify(ledger, keys(settings))
    finally:
        app.close()
    assert unchained.problem is not None and "not chained" in unchained.problem.what
    assert sealing.chained == 7 - 3  # the renamed organization's three were chained already
    assert sealing.seal is not None and sealing.seal.tree_size == 8
    assert clean.problem is None and clean.seals == 1
    assert positions(settings)[:7] == stored_before  # no event row was touched


def test_audit_verify_exits_non_zero_naming_the_position(
    app: Dangvien, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_some_history(app)
    env = {
        "DANGVIEN_DATA_DIR": str(settings.data_dir),
        "DANGVIEN_STORE": settings.store,
        "DANGVIEN_POSTGRES_DBNAME": settings.postgres_dbname,
        "DANGVIEN_POSTGRES_SCHEMA": settings.postgres_schema,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", "seal"]).exit_code == 0
    assert "7 events" in runner.invoke(cli, ["audit", "head"]).output
    target = positions(settings)[4][0]
    behind_the_back(
        settings, f"UPDATE {{events}} SET originator_version = 9 WHERE {{position}} = {target}"
    )
    found = runner.invoke(cli, ["audit", "verify"])
    assert found.exit_code == 1
    assert f"position {target}" in found.output
