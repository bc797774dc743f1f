"""`dangvien audit …`: the tamper evidence of the record (docs/security.md, docs/admin.md).

verify         recompute the whole chain and every seal; exit 1 naming the first bad row
seal           seal the log as it verifies (the first time, chain a store made before)
head           the last seal, as the department is shown it
export         a case's or a person's history with its proofs, as a JSON file
verify-export  check such a file offline (exit 1 when it does not hold)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from domain.access_request import log_id
from domain.application import NAMESPACE, Dangvien
from domain.errors import NotFound
from infra.bootstrap import audit_key, build_app
from infra.chain import audit, export
from infra.chain.ledger import Ledger, open_ledger
from infra.chain.proofs import AuditKeys, Seal, fingerprint
from infra.settings import Settings

console = Console()
audit_app = typer.Typer(help="Tamper evidence: verify the record, seal it, export proofs.")


@contextmanager
def _ledger(settings: Settings) -> Iterator[Ledger]:
    build_app(settings).close()  # the tables exist, the chain's included
    ledger = open_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def describe(seal: Seal | None, public_key: bytes) -> str:
    if seal is None:
        return "no seal yet (dangvien audit seal)"
    return (
        f"seal of {seal.sealed_at}: {seal.tree_size} events (to position {seal.last_position}), "
        f"root {seal.root.hex()[:16]}…, key {fingerprint(public_key)}"
    )


@audit_app.command()
def verify() -> None:
    """Recompute every event's link and leaf, and every seal; exit 1 at the first bad row."""
    settings = Settings.from_env()
    keys = AuditKeys(audit_key(settings))
    with _ledger(settings) as ledger:
        report = audit.verify(ledger, keys)
    rate = report.events / report.seconds if report.seconds else 0.0
    if report.problem is not None:
        console.print(f"[red]TAMPERED at {report.problem}[/red]")
        console.print(f"{report.events} events verified before it.")
        raise typer.Exit(1)
    console.print(
        f"[green]OK[/green]: {report.events} events, {report.seals} seals verified "
        f"in {report.seconds:.1f} s ({rate:,.0f} events/s); "
        f"{report.unsealed} events after the last seal."
    )
    console.print(describe(report.head, keys.public))


@audit_app.command()
def seal() -> None:
    """Seal the log as it verifies; a store made before the chain is chained first (once)."""
    settings = Settings.from_env()
    keys = AuditKeys(audit_key(settings))
    with _ledger(settings) as ledger:
        done = audit.seal(ledger, keys)
    if done.chained:
        console.print(f"{done.chained} events stored before the chain were chained.")
    if done.report.problem is not None:
        console.print(f"[red]Not sealed: TAMPERED at {done.report.problem}[/red]")
        raise typer.Exit(1)
    if done.seal is None:
        console.print("Nothing new since the last seal.")
    console.print(describe(done.seal or done.report.head, keys.public))


@audit_app.command()
def head() -> None:
    """The last seal (not verified: `audit verify` does that)."""
    settings = Settings.from_env()
    keys = AuditKeys(audit_key(settings))
    with _ledger(settings) as ledger:
        seals = ledger.seals()
    console.print(describe(seals[-1] if seals else None, keys.public))


@audit_app.command("export")
def export_history(
    out: Annotated[Path, typer.Option("--out", help="the JSON file to write")],
    case: Annotated[str, typer.Option("--case", help="an admission case's id")] = "",
    person: Annotated[str, typer.Option("--person", help="a person's id")] = "",
) -> None:
    """A case's, or a person's (their record, cases, memberships, transfers and access
    requests), events with their proofs."""
    if bool(case) == bool(person):
        raise typer.BadParameter("give one of --case or --person")
    try:
        ident = UUID(case or person)
    except ValueError:
        raise typer.BadParameter(f"not an id: {case or person}") from None
    settings = Settings.from_env()
    keys = AuditKeys(audit_key(settings))
    ids = [ident]
    if person:
        app = build_app(settings)
        try:
            ids = about_person(app, ident)
        except NotFound:
            raise typer.BadParameter(f"no person {ident}") from None
        finally:
            app.close()
    with _ledger(settings) as ledger:
        try:
            document = export.export(
                ledger, keys, {"kind": "person" if person else "case", "id": str(ident)}, ids
            )
        except export.ExportError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(
        f"{len(document['events'])} events written to {out}, proven in the "
        + describe(_seal(document), keys.public)
        + (
            f"; {document['events_after_seal']} later events not included (seal first)"
            if document["events_after_seal"]
            else ""
        )
    )


def about_person(app: Dangvien, person_id: UUID) -> list[UUID]:
    """The aggregates that hold what the record knows about a person: their own record,
    cases, memberships and transfers (`records_of`), their access requests and the list of
    those (issue 18, item 4)."""
    ids = [ident for _, ident in app.records_of(person_id)]
    ids += [r.id for r in app.access_requests_of(person_id)]
    listed = log_id(NAMESPACE, person_id)
    return ids + ([listed] if app.exists(listed) else [])


def _seal(document: dict[str, object]) -> Seal:
    s: dict[str, object] = document["seal"]  # type: ignore[assignment]
    return Seal(
        int(str(s["tree_size"])),
        int(str(s["last_position"])),
        bytes.fromhex(str(s["root"])),
        str(s["sealed_at"]),
        bytes.fromhex(str(s["signature"])),
    )


@audit_app.command("verify-export")
def verify_export(
    file: Annotated[Path, typer.Argument(help="an export of `dangvien audit export`")],
    key: Annotated[
        str, typer.Option("--key", help="the fingerprint (or hex) of the key to trust")
    ] = "",
) -> None:
    """Check an export offline: no database, no secret; exit 1 when it does not hold."""
    try:
        document = export.read(str(file))
    except (OSError, ValueError) as error:
        console.print(f"[red]Refused: cannot read {file}: {error}[/red]")
        raise typer.Exit(1) from None
    problems = export.verify_export(document, key or None)
    if problems:
        for problem in problems:
            console.print(f"[red]Refused: {problem}[/red]")
        raise typer.Exit(1)
    public = bytes.fromhex(document["public_key"])
    console.print(
        f"[green]OK[/green]: {len(document['events'])} events proven in the "
        + describe(_seal(document), public)
        + ("" if key else ". Compare the key and root with the ones the department shows.")
    )
