"""`dangvien backup` and `dangvien restore` (infra/backup.py; docs/deploy.md, "Backups")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from infra import backup as backups
from infra.entrypoints.audit import describe
from infra.settings import Settings

console = Console()

Lang = Annotated[str, typer.Option("--lang", help="vi (default) or en")]


def _size(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def backup(
    out: Annotated[Path, typer.Option("--out", help="a new or empty directory for the data")],
    keys_out: Annotated[
        Path,
        typer.Option("--keys-out", help="a new or empty directory for the keys, outside --out"),
    ],
    lang: Lang = "vi",
) -> None:
    """A consistent copy of the record, the read models and accounts, Temporal's dev database
    and the data directory's files into --out, with a manifest; the keys into --keys-out."""
    vi = lang != "en"
    try:
        written = backups.backup(Settings.from_env(), out, keys_out)
    except backups.BackupRefused as refused:
        console.print(f"[red]{escape(refused.message(lang))}[/red]")
        raise typer.Exit(2) from None
    manifest = written.manifest
    table = Table(title=("Bản sao lưu " if vi else "Backup ") + str(written.out))
    for column in ("Tệp", "Kích thước", "sha256") if vi else ("File", "Size", "sha256"):
        table.add_column(column, overflow="fold")
    for entry in manifest["files"]:
        table.add_row(entry["name"], _size(entry["size"]), entry["sha256"][:16] + "…")
    console.print(table)
    record = manifest["record"]
    head = record["chain_head"]
    console.print(
        (f"Hồ sơ: {record['events']} sự kiện, vị trí cuối {record['last_position']}")
        if vi
        else f"Record: {record['events']} events, last position {record['last_position']}"
    )
    if head:
        console.print(
            ("Đầu chuỗi toàn vẹn: " if vi else "Head of the integrity chain: ")
            + f"{head['position']} {head['leaf'][:16]}…"
        )
    keys = manifest["keys"]
    console.print(
        f"[bold]{len(keys['files'])} khóa ở {written.keys_out}[/bold]: cất trên một vật lưu "
        f"trữ khác với {written.out}"
        if vi
        else f"[bold]{len(keys['files'])} keys in {written.keys_out}[/bold]: keep them on "
        f"another medium than {written.out}"
    )
    if keys["from_environment"]:
        console.print(
            ("Khóa đặt bằng biến môi trường (giữ trong kho bí mật): " if vi else "Keys set by ")
            + ("" if vi else "environment (kept by the secret store): ")
            + ", ".join(keys["from_environment"])
        )


def restore(
    source: Annotated[Path, typer.Option("--from", help="a directory `dangvien backup` wrote")],
    keys: Annotated[Path, typer.Option("--keys", help="its keys' directory (--keys-out)")],
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="the new data directory (empty or new)")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="delete what the data directory (and database) hold")
    ] = False,
    lang: Lang = "vi",
) -> None:
    """Check a backup against its manifest, bring it back into an empty data directory (a
    PostgreSQL backup into the configured, empty database), then verify the record's integrity
    chain and the read model; exit 1 if either fails."""
    vi = lang != "en"
    settings = Settings.from_env()
    try:
        restored = backups.restore(settings, source, keys, data_dir, force=force)
    except backups.BackupRefused as refused:
        console.print(f"[red]{escape(refused.message(lang))}[/red]")
        raise typer.Exit(2) from None
    console.print(
        (f"Đã khôi phục vào {restored.data_dir}" if vi else f"Restored into {restored.data_dir}")
        + f" ({restored.manifest['made_at']})"
    )
    report = restored.audit
    public = restored.audit_public_key
    if report.problem is not None:
        console.print(f"[red]audit verify: TAMPERED at {escape(str(report.problem))}[/red]")
    elif report.events != restored.expected_events:
        console.print(
            f"[red]audit verify: {report.events} events, the manifest holds "
            f"{restored.expected_events}[/red]"
        )
    else:
        console.print(
            f"[green]audit verify: OK[/green]: {report.events} events, {report.seals} seals "
            f"verified; {describe(report.head, public)}"
        )
    if restored.read_model_failure is not None:
        console.print(f"[red]projections verify: {escape(restored.read_model_failure)}[/red]")
    elif restored.differences:
        for d in restored.differences[:50]:
            console.print(f"[red]{d.table} {d.key}[/red]: live {d.live} ≠ rebuilt {d.rebuilt}")
        console.print(f"[red]projections verify: {len(restored.differences)} rows differ[/red]")
    else:
        console.print(
            "[green]projections verify: OK[/green]: "
            + (
                "mô hình đọc khớp với bản dựng lại từ hồ sơ"
                if vi
                else "the read model matches a rebuild from the record"
            )
        )
    if not restored.ok:
        raise typer.Exit(1)
