"""Administration from the command line: `dangvien import …`, `dangvien users …`,
`dangvien case history`, `dangvien report stalled` (Typer + Rich; Vietnamese by default,
`--lang en`). See docs/admin.md."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn
from uuid import UUID

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from domain.application import Dangvien
from domain.errors import ConcurrencyConflict, DomainError, NotFound
from domain.organization import Organization
from domain.values import Actor, Role
from infra.bootstrap import build_app
from infra.history import Narrator
from infra.importing import ImportReport, Kind, import_file, org_ref, parse_date
from infra.logging import Stderr, configure_logging
from infra.logins import unlock
from infra.settings import Settings
from infra.users import Role as UserRole
from infra.users import UserStore
from projections.database import open_engine
from projections.queries import ReadModel
from projections.tables import tracking

console = Console()
import_app = typer.Typer(
    help="Import the org tree, members and admission targets from CSV or Excel."
)
users_app = typer.Typer(help="User accounts: create, reset a password, list.")
case_app = typer.Typer(help="A case's history, as the auditor reads it.")
report_app = typer.Typer(help="Reports from the read model.")

Lang = Annotated[str, typer.Option("--lang", help="vi (default) or en")]
SYSTEM_ORG = UUID(int=0)  # an import run by an administrator of the whole tree


def _vi(lang: str) -> bool:
    return lang != "en"


def _fail(vi: str, en: str, lang: str, code: int = 2) -> NoReturn:
    console.print(f"[red]{vi if _vi(lang) else en}[/red]")
    raise typer.Exit(code)


def _refused(error: DomainError, lang: str) -> NoReturn:
    _fail(error.message("vi"), error.message("en"), lang)


def _date(value: str, lang: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        _fail(f"'{value}' không phải ngày (dd/mm/yyyy)", f"not a date: {value}", lang)


@contextmanager
def _record(settings: Settings) -> Iterator[Dangvien]:
    app = build_app(settings)
    try:
        yield app
    finally:
        app.close()


def _org_name(app: Dangvien, org_id: UUID | None) -> str:
    if org_id is None or org_id == SYSTEM_ORG:
        return "—"
    try:
        return app.load(Organization, org_id).name
    except NotFound:
        return str(org_id)


# --- import ------------------------------------------------------------------------------------

FileArg = Annotated[Path, typer.Argument(help="a .csv (UTF-8) or .xlsx file", exists=True)]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="check every row against the record; write nothing")
]
User = Annotated[str, typer.Option("--user", help="who runs the import (recorded on events)")]
On = Annotated[
    str,
    typer.Option(
        "--on",
        help="the effective date of the file's facts without a date column of their own (a "
        "rename, a hamlet, a correction, a 213 link, a target without its day); a row's "
        "'Ngày hiệu lực' wins; without either such a row is refused (IMPORT-DATE)",
    ),
]


def _import(kind: Kind, file: Path, dry_run: bool, user: str, on: str, lang: str) -> None:
    vi = _vi(lang)
    actor = Actor(user, Role.administrator, SYSTEM_ORG)
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format, stream=Stderr())
    with _record(settings) as app:
        try:
            report = import_file(
                app, kind, file, actor=actor, on=_date(on, lang) if on else None, dry_run=dry_run
            )
        except ConcurrencyConflict:
            _fail(
                "Hồ sơ vừa được ghi bởi người khác: chạy lại lệnh nhập (không ghi trùng)",
                "The record changed meanwhile: run the import again (nothing is recorded twice)",
                lang,
                code=1,
            )
    if report.rejected:
        _print_problems(report, lang)
        _fail(
            f"Từ chối cả tệp: {len(report.rejected_rows)} dòng có lỗi; không ghi gì.",
            f"The whole file is rejected: {len(report.rejected_rows)} rows have problems; "
            "nothing was written.",
            lang,
        )
    table = Table(title=("Kết quả nhập " if vi else "Import of ") + f"{file.name} ({kind})")
    for column in (
        ("Dòng", "Mới", "Cập nhật", "Đã có", "Sự kiện")
        if vi
        else ("Rows", "Added", "Updated", "Already present", "Events")
    ):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.rows),
        str(len(report.added)),
        str(len(report.updated)),
        str(len(report.unchanged)),
        str(report.events),
    )
    console.print(table)
    if not report.events:
        console.print(
            "Không có gì mới: hồ sơ đã có mọi dòng của tệp."
            if vi
            else "Nothing new: the record already holds every row of the file."
        )
    elif dry_run:
        console.print(
            "Kiểm tra thử: mọi dòng hợp lệ, không ghi gì."
            if vi
            else "Dry run: every row is valid, nothing was written."
        )
    else:
        console.print(
            f"[green]Đã ghi {report.events} sự kiện trong một giao dịch.[/green]"
            if vi
            else f"[green]{report.events} events written in one transaction.[/green]"
        )


def _print_problems(report: ImportReport, lang: str) -> None:
    vi = _vi(lang)
    table = Table(title="Các dòng bị từ chối" if vi else "Rejected rows")
    for column in (
        ("Dòng", "Cột", "Quy định", "Lỗi") if vi else ("Row", "Column", "Rule", "Problem")
    ):
        table.add_column(column, overflow="fold")
    for p in report.problems:
        table.add_row(str(p.row), p.column, p.rule_id, p.message(lang))
    console.print(table)


@import_app.command("orgs")
def import_orgs(
    file: FileArg, dry_run: DryRun = False, user: User = "admin", on: On = "", lang: Lang = "vi"
) -> None:
    """The org tree: code, name, kind, parent code, setting, founding date, hamlets…"""
    _import(Kind.orgs, file, dry_run, user, on, lang)


@import_app.command("members")
def import_members(
    file: FileArg, dry_run: DryRun = False, user: User = "admin", on: On = "", lang: Lang = "vi"
) -> None:
    """Members from their paper dossiers: citizen ID, personal data, cell, dates, 213 link."""
    _import(Kind.members, file, dry_run, user, on, lang)


@import_app.command("targets")
def import_targets(
    file: FileArg, dry_run: DryRun = False, user: User = "admin", on: On = "", lang: Lang = "vi"
) -> None:
    """Annual admission targets: organization code, year, a number or a rate."""
    _import(Kind.targets, file, dry_run, user, on, lang)


# --- users -------------------------------------------------------------------------------------

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from standard input")
]


def _password(from_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\r\n") if from_stdin else None


def _users(settings: Settings) -> UserStore:
    return UserStore(open_engine(settings.readmodel_database))


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[UserRole, typer.Option("--role", case_sensitive=False)],
    org: Annotated[str, typer.Option("--org", help="organization id or import code")] = "",
    display_name: Annotated[str, typer.Option("--name", help="display name")] = "",
    password_stdin: PasswordStdin = False,
    lang: Lang = "vi",
) -> None:
    """A new account; the generated password is shown once."""
    settings = Settings.from_env()
    org_id = org_ref(org) if org else None
    if org_id is not None:
        with _record(settings) as app:
            if not app.exists(org_id):
                _refused(NotFound("Organization", org), lang)
    password = _password(password_stdin) or secrets.token_urlsafe(12)
    try:
        user = _users(settings).create(username, password, role, org_id, display_name)
    except DomainError as error:
        _refused(error, lang)
    console.print(
        f"Đã tạo {user.username} ({user.role})"
        if _vi(lang)
        else f"Created {user.username} ({user.role})"
    )
    if not password_stdin:
        _show_password(password, lang)


def _show_password(password: str, lang: str) -> None:
    console.print(
        ("Mật khẩu (chỉ hiện một lần): " if _vi(lang) else "Password (shown once): ")
        + f"[bold]{password}[/bold]"
    )


@users_app.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: PasswordStdin = False,
    lang: Lang = "vi",
) -> None:
    """A new password (generated unless read from stdin); every session of the user ends and
    a lockout is lifted."""
    store = _users(Settings.from_env())
    try:
        password = store.reset_password(username, _password(password_stdin), actor=_cli_actor())
    except DomainError as error:
        _refused(error, lang)
    unlock(store, username, _cli_actor())  # a new password lifts a lockout too
    console.print(
        f"Đã đặt lại mật khẩu của {username}" if _vi(lang) else f"Password of {username} reset"
    )
    if not password_stdin:
        _show_password(password, lang)


@users_app.command("list")
def users_list(lang: Lang = "vi") -> None:
    """Every account: username, role, organization, display name."""
    settings = Settings.from_env()
    vi = _vi(lang)
    table = Table(title="Tài khoản" if vi else "Users")
    for column in (
        ("Tên đăng nhập", "Vai trò", "Tổ chức", "Tên hiển thị")
        if vi
        else ("Username", "Role", "Organization", "Display name")
    ):
        table.add_column(column, overflow="fold")
    with _record(settings) as app:
        for user in _users(settings).list_users():
            org = _org_name(app, user.org_id) if user.org_id else ("toàn hệ thống" if vi else "all")
            table.add_row(user.username, str(user.role), org, user.display_name)
    console.print(table)


def _cli_actor() -> str:
    """Who lifted or revoked from the command line: the operating-system account."""
    import getpass

    return f"cli:{getpass.getuser()}"


def _known(store: UserStore, username: str, lang: str) -> None:
    if store.get(username) is None:
        _refused(NotFound("User", username), lang)


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument()], lang: Lang = "vi") -> None:
    """Lift an account's lockout after failed logins (recorded with who lifted it)."""
    store = _users(Settings.from_env())
    _known(store, username, lang)
    lifted = unlock(store, username, _cli_actor())
    vi = _vi(lang)
    if lifted:
        console.print(f"Đã mở khóa {username}" if vi else f"{username} unlocked")
    else:
        console.print(
            f"{username} không bị khóa" if vi else f"{username} was not locked or throttled"
        )


@users_app.command("set-email")
def users_set_email(
    username: Annotated[str, typer.Argument()],
    email: Annotated[str, typer.Argument(help='the address; "" removes it')],
    digest: Annotated[
        bool | None, typer.Option("--digest/--single", help="one message a day, or each notice")
    ] = None,
    lang: Lang = "vi",
) -> None:
    """The address the user's notices are mailed to (docs/notices.md); never printed back."""
    store = _users(Settings.from_env())
    try:
        found = store.set_contact(username, email, digest, actor=_cli_actor())
    except DomainError as error:
        _refused(error, lang)
    done = (
        ("đã đặt thư điện tử" if _vi(lang) else "e-mail set")
        if found.email
        else ("đã xóa thư điện tử" if _vi(lang) else "e-mail removed")
    )
    console.print(f"{username}: {done}")


@users_app.command("tokens")
def users_tokens(username: Annotated[str, typer.Argument()], lang: Lang = "vi") -> None:
    """The account's live sessions and API tokens: id, kind, created, expires."""
    store = _users(Settings.from_env())
    _known(store, username, lang)
    vi = _vi(lang)
    table = Table(title=f"Phiên và mã truy cập của {username}" if vi else f"Tokens of {username}")
    for column in (
        ("Mã", "Loại", "Tạo lúc", "Hết hạn") if vi else ("Id", "Kind", "Created", "Expires")
    ):
        table.add_column(column)
    for token in store.tokens(username):
        kind = (
            {"api": "mã API", "session": "phiên web"}.get(token.kind, token.kind)
            if vi
            else token.kind
        )
        table.add_row(
            token.id,
            kind,
            token.created_at.isoformat(timespec="seconds"),
            token.expires_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@users_app.command("revoke-token")
def users_revoke_token(
    username: Annotated[str, typer.Argument()],
    token_id: Annotated[str, typer.Argument(help="the id `dangvien users tokens` shows")],
    lang: Lang = "vi",
) -> None:
    """Revoke one session or API token of the account: it opens nothing afterwards."""
    store = _users(Settings.from_env())
    _known(store, username, lang)
    if not store.revoke_token_id(username, token_id, actor=_cli_actor()):
        _fail(
            f"Không tìm thấy phiên hoặc mã truy cập {token_id} của {username}",
            f"{username} has no session or token {token_id}",
            lang,
        )
    console.print(f"Đã thu hồi {token_id}" if _vi(lang) else f"{token_id} revoked")


# --- case history ----------------------------------------------------------------------------


@case_app.command("history")
def case_history(
    case_id: Annotated[str, typer.Argument(help="the id of a case (or member, transfer…)")],
    personal: Annotated[
        bool, typer.Option("--personal", help="show personal data (hidden by default)")
    ] = False,
    lang: Lang = "vi",
) -> None:
    """Every event of a case as a sentence: when it took effect, what happened, who acted
    (name, role, unit), when it was recorded (Vietnam time), under which rule set."""
    vi = _vi(lang)
    try:
        ident = UUID(case_id)
    except ValueError:
        _fail(f"'{case_id}' không phải mã hồ sơ (UUID)", f"'{case_id}' is not an id (UUID)", lang)
    settings = Settings.from_env()
    with _record(settings) as app:
        entries = app.history(ident)
        if not entries:
            _refused(NotFound("AdmissionCase", ident), lang)
        narrator = Narrator(app, "vi" if vi else "en", personal=personal, users=_users(settings))
        lines = narrator.lines(entries)
    table = Table(title=("Lịch sử hồ sơ " if vi else "History of ") + str(ident))
    for column in (
        (
            "#",
            "Hiệu lực",
            "Sự kiện",
            "Người thực hiện",
            "Ghi nhận lúc (giờ Việt Nam)",
            "Bộ quy định",
        )
        if vi
        else ("#", "Effective", "What happened", "Who", "Recorded at (Vietnam time)", "Rule set")
    ):
        table.add_column(column, overflow="fold")
    for line in lines:
        table.add_row(
            str(line.version),
            line.effective,
            f"[bold]{escape(line.event)}[/bold]\n{escape(line.sentence)}",
            escape(line.actor),
            line.recorded,
            escape(line.rule_set),
        )
    console.print(table)


# --- reports ---------------------------------------------------------------------------------


def _day(day: date, vi: bool) -> str:
    return day.strftime("%d/%m/%Y") if vi else day.isoformat()


def _overdue(days: int, vi: bool) -> str:
    return f"quá hạn {days}" if vi else f"{days} overdue"


@report_app.command("stalled")
def report_stalled(
    org: Annotated[str, typer.Option("--org", help="organization id or import code")],
    on: Annotated[str, typer.Option("--date", help="the day of the report (default: today)")] = "",
    limit: Annotated[int, typer.Option("--limit")] = 200,
    lang: Lang = "vi",
) -> None:
    """Cases, probations and transfers past their deadline or escalated under an
    organization, worst first (highest escalation, then most working days overdue)."""
    vi = _vi(lang)
    settings = Settings.from_env()
    today = _date(on, lang) if on else date.today()
    engine = open_engine(settings.readmodel_database)
    read_model = ReadModel(engine)
    if not sa.inspect(engine).has_table(read_model.t.orgs.name):
        _fail(
            "Chưa có mô hình đọc: chạy `dangvien projector` hoặc `dangvien projections rebuild`",
            "No read model yet: run `dangvien projector` or `dangvien projections rebuild`",
            lang,
        )
    try:
        cards = read_model.stalled(org_ref(org), today, limit=limit)
    except LookupError:
        _refused(NotFound("Organization", org), lang)
    with engine.connect() as conn:
        names = dict(
            conn.execute(sa.select(read_model.t.orgs.c.id, read_model.t.orgs.c.name)).all()
        )
    table = Table(
        title=("Hồ sơ chậm, quá hạn đến " if vi else "Stalled on ")
        + _day(today, vi)
        + f" — {names.get(org_ref(org), org)}"
    )
    for column in (
        ("Loại", "Mã", "Chi bộ", "Giai đoạn", "Hạn", "Ngày làm việc còn lại", "Mức", "Đang giữ")
        if vi
        else ("Kind", "Id", "Cell", "Stage", "Due", "Working days left", "Level", "Held by")
    ):
        table.add_column(column, overflow="fold")
    for c in cards:
        due = f"{c.deadline_rule} {_day(c.deadline_due, vi)}" if c.deadline_due else "—"
        left = c.working_days_left
        table.add_row(
            c.kind,
            str(c.id),
            names.get(c.cell_id, str(c.cell_id)),
            c.stage,
            due,
            "—" if left is None else str(left) if left >= 0 else _overdue(-left, vi),
            str(c.escalation_level) if c.escalation_level >= 0 else "—",
            names.get(c.responsible_id, "—") if c.responsible_id else "—",
        )
    console.print(table)
    with engine.connect() as conn:
        position = conn.execute(
            sa.select(tracking.c.position).where(tracking.c.name == read_model.t.name)
        ).scalar()
    with _record(settings) as app:
        lag = int(app.recorder.max_notification_id() or 0) - int(position or 0)
    summary = (f"{len(cards)} hồ sơ" if vi else f"{len(cards)} stalled") + (
        (f"; mô hình đọc còn chậm {lag} sự kiện" if vi else f"; the read model lags {lag} events")
        if lag
        else ""
    )
    console.print(summary)
