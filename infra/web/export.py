"""Xuất Excel: the quota report and the stage list of an organization on a day, as the
dashboard shows them (openpyxl), headers in the user's language (Vietnamese by default) and
dates as real date cells shown dd/mm/yyyy.

Every text is written as text (`put`): a name the record holds may start like a formula
(`=HYPERLINK(…)`, `+…`, `-…`, `@…`), typed by a user or imported, and a spreadsheet must show
it, never run it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from starlette.concurrency import run_in_threadpool

from domain.errors import RuleViolation
from infra.api.access import breakdowns_shown
from infra.api.errors import not_found
from infra.web.i18n import label, rule_flag, rule_title, t, whole
from infra.web.pages import chosen_day, chosen_year, quota_report
from infra.web.session import Web, WebContext, WebRoute
from infra.web.views import card_views, short
from projections.queries import OPEN_STAGES, Quota
from projections.rows import BREAKDOWNS

router = APIRouter(route_class=WebRoute, include_in_schema=False)

DATE_FORMAT = "DD/MM/YYYY"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUOTA_COLUMNS = (
    "quota.unit",
    "quota.target",
    "quota.admitted",
    "export.percent",
    "quota.recognized",
    "quota.forecast",
    "export.pipeline",
    "quota.lost",
    "quota.struck_off",
)
STAGE_COLUMNS = (
    "export.stage",
    "export.case",
    "export.person",
    "export.cell",
    "export.since",
    "export.rule",
    "export.due",
    "export.left",
    "export.level",
)
STAGE_WIDTHS = dict(zip(STAGE_COLUMNS, (26, 11, 26, 30, 12, 40, 12, 14, 24), strict=True))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as a formula
HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FCE4E4")


@dataclass(frozen=True)
class StageRow:
    """One open case of the stage list."""

    stage: str
    case: str
    person: str | None  # None: the user may not see personal data
    cell: str
    since: date | None
    rule: str | None
    due: date | None
    left: int | None
    level: int


def put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write a cell; a text as text whatever it starts with (a string cell marked with the
    quote prefix, so editing it keeps it text), without the characters XML cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def quota_values(lang: str, quota: Quota, sees_people: bool = True) -> list[object]:
    shown = breakdowns_shown(sees_people, quota.breakdowns)
    return [
        quota.target or t(lang, "quota.no_target"),
        quota.admitted,
        quota.percent,
        quota.recognized,
        whole(quota.forecast),
        sum(quota.pipeline.values()),
        quota.lost,
        quota.struck_off,
        *(
            t(lang, "quota.small_count") if (n := shown.get(g, 0)) is None else n
            for g in BREAKDOWNS
        ),
    ]


def _header(sheet: object, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, 1):
        cell = put(sheet, row, column, title)
        cell.font = HEADER
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(sheet: object, widths: list[int]) -> None:
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width  # type: ignore[attr-defined]


def workbook(
    lang: str,
    org_name: str,
    year: int,
    day: date,
    units: list[tuple[str, Quota]],
    rows: list[StageRow],
    sees_people: bool = True,
) -> bytes:
    """Sheet 1: the quota of the organization (first row) and of each unit under it. Sheet 2:
    every open case by stage. Without names when `rows` carry none; small counts of sensitive
    groups hidden when the reader may not see people (`breakdowns_shown`)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t(lang, "export.quota_sheet")
    put(sheet, 1, 1, t(lang, "export.title", year=year))
    sheet["A1"].font = Font(bold=True, size=13)
    put(sheet, 2, 1, t(lang, "export.org"))
    put(sheet, 2, 2, org_name)
    put(sheet, 3, 1, t(lang, "export.as_of"))
    put(sheet, 3, 2, day)
    sheet["B3"].number_format = DATE_FORMAT
    titles = [t(lang, k) for k in QUOTA_COLUMNS] + [label(lang, "group", g) for g in BREAKDOWNS]
    _header(sheet, 5, titles)
    for r, (name, quota) in enumerate(units, 6):
        for column, value in enumerate([name, *quota_values(lang, quota, sees_people)], 1):
            put(sheet, r, column, value)
    sheet.freeze_panes = "B6"
    _widths(sheet, [38] + [14] * (len(titles) - 1))

    stages = book.create_sheet(t(lang, "export.stage_sheet"))
    named = any(row.person is not None for row in rows)
    columns = [c for c in STAGE_COLUMNS if named or c != "export.person"]
    _header(stages, 1, [t(lang, c) for c in columns])
    order = {stage: i for i, stage in enumerate(OPEN_STAGES)}
    ordered = sorted(
        rows, key=lambda x: (order.get(x.stage, 99), x.due is None, x.due or day, x.case)
    )
    for r, row in enumerate(ordered, 2):
        values: dict[str, object] = {
            "export.stage": label(lang, "stage", row.stage),
            "export.case": row.case,
            "export.person": row.person,
            "export.cell": row.cell,
            "export.since": row.since,
            "export.rule": " — ".join(
                filter(None, (row.rule, rule_title(lang, row.rule), rule_flag(lang, row.rule)))
            )
            if row.rule
            else None,
            "export.due": row.due,
            "export.left": row.left,
            "export.level": label(lang, "level", row.level),
        }
        for column, key in enumerate(columns, 1):
            cell = put(stages, r, column, values[key])
            if isinstance(values[key], date):
                cell.number_format = DATE_FORMAT
    stages.freeze_panes = "A2"
    _widths(stages, [STAGE_WIDTHS[c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(w: Web, org: UUID | None, year: str, on: str) -> tuple[str, bytes]:
    unit = w.org(org)
    day, error = chosen_day(w, on)
    if error:
        raise RuleViolation("FORM-DATE", t("vi", "error.date"), t("en", "error.date"))
    try:
        report = quota_report(w, unit, chosen_year(year), day)
    except LookupError:  # nothing was known of the organization on that day
        raise not_found("record at that moment") from None
    cards = card_views(report.model.stage_board(unit.id, day), w)
    rows = [
        StageRow(
            v.card.stage,
            short(v.card.id),
            v.title if w.sees_people else None,
            v.cell,
            v.card.stage_since,
            v.card.deadline_rule,
            v.card.deadline_due,
            v.card.working_days_left,
            v.card.escalation_level,
        )
        for v in cards
    ]
    units = [(unit.name, report.quota)] + [(u.name, q) for u, q in report.units]
    content = workbook(w.lang, unit.name, report.year, day, units, rows, w.sees_people)
    return f"chi-tieu-{report.year}-{day.isoformat()}.xlsx", content


@router.get("/export.xlsx")
async def export(w: WebContext, org: UUID | None = None, year: str = "", on: str = "") -> Response:
    filename, content = await run_in_threadpool(build, w, org, year, on)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
