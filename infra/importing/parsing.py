"""Reading a CSV (UTF-8, any of , ; tab as delimiter) or .xlsx file into rows: the header
recognized against the columns of its kind, each row's values parsed, duplicate rows found."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.importing.columns import COLUMNS, BadValue, Kind, cell_text, fold
from infra.importing.report import Problem


@dataclass
class Table:
    kind: Kind
    headers: dict[str, str]  # column name → the header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number as a spreadsheet shows it, raw values)


def read_table(path: Path, kind: Kind) -> tuple[Table | None, list[Problem]]:
    """The rows of a CSV or .xlsx file with their columns recognized, or the problems of its
    header (row 1) or of the file itself (row 0)."""
    try:
        grid = _read_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as error:
        return None, [
            Problem(
                0,
                "",
                "IMPORT-FILE",
                f"Không đọc được tệp (CSV UTF-8 hoặc .xlsx): {error}",
                f"The file cannot be read (CSV UTF-8 or .xlsx): {error}",
            )
        ]
    if not grid:
        return None, [Problem(0, "", "IMPORT-FILE", "Tệp trống", "The file is empty")]
    columns = COLUMNS[kind]
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(grid[0]):
        header = cell_text(raw)
        if not header:
            continue
        column = next((c for c in columns if fold(header) in c.headers()), None)
        if column is None or column.name in headers:
            problems.append(
                Problem(
                    1,
                    header,
                    "IMPORT-COLUMNS",
                    f"Cột '{header}' không có trong mẫu nhập {kind}"
                    if column is None
                    else f"Cột '{header}' bị lặp",
                    f"Column '{header}' is not part of the {kind} format"
                    if column is None
                    else f"Column '{header}' appears twice",
                )
            )
            continue
        headers[column.name], positions[column.name] = header, index
    for column in columns:
        if column.required and column.name not in headers:
            problems.append(
                Problem(
                    1,
                    column.vi,
                    "IMPORT-COLUMNS",
                    f"Thiếu cột bắt buộc '{column.vi}' ({column.name})",
                    f"The required column '{column.name}' ({column.vi}) is missing",
                )
            )
    if problems:
        return None, problems
    rows = [
        (number, {name: cells[i] if i < len(cells) else None for name, i in positions.items()})
        for number, cells in enumerate(grid[1:], start=2)
        if any(cell_text(c) for c in cells)
    ]
    return Table(kind, headers, rows), []


SAMPLE_CHARS = 64 * 1024  # the lines the dialect is sniffed from (whole lines only)


def dialect_of(text: str) -> type[csv.Dialect]:
    """The file's dialect, sniffed from its first lines (the header alone shows no quoting):
    its delimiter, quote character and spaces after a delimiter. A doubled quote inside a
    quoted value is always a quote, as the csv module writes it: the sniffer says otherwise
    when its sample holds none, and a later row would then shift its columns."""
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        delimiter = sniffed.delimiter
        quotechar = sniffed.quotechar or '"'
        skipinitialspace = sniffed.skipinitialspace

    return Sniffed


def _read_csv(path: Path) -> list[list[Any]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), dialect_of(text)))


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    # A formula is read as its text (`=HYPERLINK(…)` stays a name), never as what a
    # spreadsheet computed: an import takes what was typed, and runs nothing.
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    table: Table

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def header(self, name: str) -> str:
        """The column's header as the file writes it (its Vietnamese header if absent)."""
        return self.table.headers.get(name) or next(
            c.vi for c in COLUMNS[self.table.kind] if c.name == name
        )


def duplicate(row: Row, column: str, first: int) -> Problem:
    return Problem(
        row.number,
        row.header(column),
        "IMPORT-DUPLICATE",
        f"Trùng với dòng {first}",
        f"Same as row {first}",
    )


def parse_rows(table: Table, kind: Kind) -> tuple[list[Row], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, raw in table.rows:
        values: dict[str, Any] = {}
        bad = False
        for column in COLUMNS[kind]:
            value = raw.get(column.name)
            if not cell_text(value) and not isinstance(value, bool):
                if column.required:
                    bad = True
                    problems.append(
                        Problem(
                            number,
                            table.headers[column.name],
                            "IMPORT-FORMAT",
                            "Thiếu giá trị bắt buộc",
                            "A required value is missing",
                        )
                    )
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(value)
            except BadValue as error:
                bad = True
                problems.append(
                    Problem(number, table.headers[column.name], "IMPORT-FORMAT", error.vi, error.en)
                )
        if not bad:
            rows.append(Row(number, values, table))
    return rows, problems


def unique(
    rows: list[Row], column: str, key: Callable[[Row], Any]
) -> tuple[list[Row], list[Problem]]:
    seen: dict[Any, int] = {}
    kept, problems = [], []
    for row in rows:
        if key(row) in seen:
            problems.append(duplicate(row, column, seen[key(row)]))
        else:
            seen[key(row)] = row.number
            kept.append(row)
    return kept, problems
