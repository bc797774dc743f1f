"""The `dangvien` command line (Typer + Rich)."""

from __future__ import annotations

import os
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from domain import policy
from domain.errors import DomainError
from infra.entrypoints.admin import case_app, import_app, report_app, users_app
from infra.entrypoints.api import main as api_main
from infra.entrypoints.audit import audit_app
from infra.entrypoints.backup import backup, restore
from infra.entrypoints.keys import keys_app
from infra.entrypoints.up import up
from infra.logging import Stderr, configure_logging

app = typer.Typer(help="dangvien: admission, probation and transfer of Party members.")


@app.callback()
def every_command() -> None:
    # Every file a dangvien process creates (databases, keys, logs, and Temporal's database:
    # children inherit the mask) is its owner's only.
    os.umask(0o077)
    # A command's output is what it prints: its log lines (warnings and worse, redacted like
    # every log) go to standard error. The services configure their own logging again.
    configure_logging("WARNING", stream=Stderr())


console = Console()

Lang = Annotated[str, typer.Option("--lang", help="vi (default) or en")]


def _parse_date(value: str) -> date:
    for parse in (date.fromisoformat, lambda v: date(*reversed([int(p) for p in v.split("/")]))):
        try:
            return parse(value)
        except (ValueError, TypeError):
            continue
    raise typer.BadParameter(f"not a date (YYYY-MM-DD or DD/MM/YYYY): {value}")


def _fail(error: DomainError, lang: str) -> None:
    console.print(f"[red]{error.message(lang)}[/red]")
    raise typer.Exit(code=2)


@app.command()
def rules(
    at: Annotated[str, typer.Option("--at", help="the date of the act (YYYY-MM-DD)")] = "",
    notes: Annotated[
        bool, typer.Option("--notes", help="show each rule's details, readings and settings")
    ] = False,
    lang: Lang = "vi",
) -> None:
    """The rule set in force on a date: ids, values, sources, confidence."""
    on = _parse_date(at) if at else date.today()
    try:
        rule_set = policy.rules_at(on)
    except DomainError as error:
        _fail(error, lang)
        return
    vi = lang == "vi"
    title = (
        f"Quy định có hiệu lực ngày {on:%d/%m/%Y}: {policy.sources_at(on)}"
        if vi
        else f"Rules in force on {on.isoformat()}: {policy.sources_at(on)}"
    )
    table = Table(title=title)
    headers = (
        ("Mã", "Quy định", "Giá trị", "Nguồn", "Độ tin cậy")
        if vi
        else ("Id", "Rule", "Value", "Source", "Confidence")
    )
    for column in headers:
        table.add_column(column, overflow="fold")
    for rule in policy.RULES.values():
        readings = "".join(
            f"\n[dim]· {r.point_vi if vi else r.point_en}: {r.chosen}"
            + (f" ({r.setting})" if r.setting else "")
            + "[/dim]"
            for r in rule.readings
            if r.applies_on(on)
        )
        table.add_row(
            rule.id,
            (rule.title_vi if vi else rule.title_en)
            + (f"\n[dim]{rule.note}[/dim]{readings}" if notes else ""),
            policy.describe(rule, on),
            policy.source_of(rule, on),
            policy.confidence_label(rule, on, lang),
        )
    for rule_id, (why_vi, why_en) in policy.NOT_ENCODED.items():
        table.add_row(
            rule_id,
            why_vi if vi else why_en,
            "không áp dụng" if vi else "not encoded",
            "",
            "",
        )
    console.print(table)
    authority = (
        (
            "huyện ủy (cấp ủy cấp trên trực tiếp)"
            if rule_set.district_tier
            else "đảng ủy xã/phường (cấp ủy cấp trên trực tiếp)"
        )
        if vi
        else (
            "district committee (directly-superior)"
            if rule_set.district_tier
            else "commune/ward committee (directly-superior)"
        )
    )
    console.print(("Phiên bản: " if vi else "Version: ") + rule_set.version)
    console.print(("Cấp quyết định kết nạp: " if vi else "Deciding authority: ") + authority)


@app.command()
def deadline(
    rule_id: Annotated[str, typer.Argument(help="a deadline rule, e.g. ADM-CEREMONY")],
    start: Annotated[str, typer.Option("--from", help="the day the clock starts")],
    extension: Annotated[int, typer.Option("--extension", help="working days granted")] = 0,
    lang: Lang = "vi",
) -> None:
    """The due date of a deadline rule, listing the days off it skipped."""
    try:
        due = policy.due_date(rule_id.upper(), _parse_date(start), extension_wd=extension)
    except DomainError as error:
        _fail(error, lang)
        return
    vi = lang == "vi"
    unit = (
        ("ngày làm việc" if vi else "working days")
        if due.unit == "WD"
        else ("tháng" if vi else "months")
    )
    console.print(
        f"{due.rule_id}: {due.amount} {unit} "
        + (
            f"từ {due.start:%d/%m/%Y} → hạn [bold]{due.due:%d/%m/%Y}[/bold]"
            if vi
            else f"from {due.start.isoformat()} → due [bold]{due.due.isoformat()}[/bold]"
        )
        + f" ({due.rule_set})"
    )
    if due.days_off:
        table = Table(title="Ngày nghỉ đã bỏ qua" if vi else "Days off skipped")
        table.add_column("Ngày" if vi else "Date")
        table.add_column("Tên" if vi else "Name")
        for day, name in due.days_off:
            table.add_row(day.strftime("%d/%m/%Y") if vi else day.isoformat(), name)
        console.print(table)


@app.command()
def worker(
    task_queue: Annotated[str, typer.Option("--task-queue")] = "dangvien",
) -> None:
    """Run the Temporal worker (workflows and activities); stops cleanly on Ctrl-C."""
    from infra.entrypoints.worker import main

    main(task_queue)


@app.command()
def projector() -> None:
    """Run the projector (the read model follows the record); stops cleanly on Ctrl-C."""
    from infra.entrypoints.projector import main

    main()


def _projections() -> typer.Typer:
    from infra.entrypoints.projector import projections_app

    return projections_app


app.add_typer(_projections(), name="projections")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
app.add_typer(case_app, name="case")
app.add_typer(report_app, name="report")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.command("api")(api_main)
app.command("up")(up)
app.command("backup")(backup)
app.command("restore")(restore)


if __name__ == "__main__":  # pragma: no cover
    app()
