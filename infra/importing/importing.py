"""The import of one file: every row parsed and run as commands on the staged record, then,
unless a row was refused or it is a dry run, all of the file's events written in one
transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import structlog

from domain.application import Dangvien
from domain.errors import DomainError
from domain.values import Actor
from infra.importing.columns import Kind, cell_text, normalize_code, org_ref
from infra.importing.commands import Refused, RowCommands, refuse
from infra.importing.parsing import parse_rows, read_table, unique
from infra.importing.report import ImportReport, Problem
from infra.importing.staging import Staging

log = structlog.get_logger("dangvien.import")


def import_file(
    record: Dangvien,
    kind: Kind | str,
    path: Path,
    *,
    actor: Actor,
    on: date | None = None,
    today: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate every row of the file against the record, then (unless a row was refused or
    it is a dry run) write all of its events in one transaction. `on` states the effective
    date of the facts with no date of their own (a row's `on` column wins); `today` is the
    day of the import (default: today), which no fact may follow."""
    kind = Kind(kind)
    report = ImportReport(kind)
    table, problems = read_table(path, kind)
    if table is None:
        report.problems = problems
        return report
    staging = Staging(record)
    importer = RowCommands(staging, actor, on, today or date.today())
    rows, problems = parse_rows(table, kind)
    report.rows = len(table.rows)
    report.problems += problems
    unreadable = {p.row for p in problems}
    refused_codes = {  # organizations refused so far: the rows under them are refused too
        normalize_code(cell_text(raw.get("code"))): number
        for number, raw in table.rows
        if kind is Kind.orgs and number in unreadable and cell_text(raw.get("code"))
    }
    handler = {
        Kind.orgs: importer.org_row,
        Kind.members: importer.member_row,
        Kind.targets: importer.target_row,
    }[kind]
    if kind is Kind.orgs:
        rows, problems = importer.org_order(rows)
        report.problems += problems
    elif kind is Kind.members:
        rows, problems = unique(rows, "citizen_id", lambda r: r["citizen_id"])
        report.problems += problems
    else:
        rows, problems = unique(rows, "year", lambda r: (org_ref(r["org_code"]), r["year"]))
        report.problems += problems
    for row in rows:
        depends = [row[c] for c in ("parent_code", "commune_code")] if kind is Kind.orgs else []
        blocked = [
            refused_codes[normalize_code(d)]
            for d in depends
            if d and normalize_code(d) in refused_codes
        ]
        try:
            if blocked:
                raise refuse(
                    row.header("parent_code"),
                    "IMPORT-REF",
                    f"Phụ thuộc dòng {blocked[0]} đã bị từ chối",
                    f"Depends on row {blocked[0]}, which was refused",
                )
            with staging.row():
                outcome = handler(row)
        except (Refused, DomainError) as error:
            if kind is Kind.orgs:
                refused_codes[row["code"]] = row.number
            columns = error.columns if isinstance(error, Refused) else ("",)
            report.problems.append(
                Problem(row.number, ", ".join(columns), error.rule_id, error.vi, error.en)
            )
            continue
        getattr(report, outcome).append(row.number)
    report.problems.sort(key=lambda p: p.row)
    report.events = len(staging.pending)
    if not report.rejected and not dry_run:
        staging.save_staged()
        report.written = True
    log.info(
        "import.done",
        kind=str(kind),
        rows=report.rows,
        added=len(report.added),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        rejected_rows=len(report.rejected_rows),
        events=report.events,
        written=report.written,
    )
    return report
