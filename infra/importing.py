"""Import of the org tree, the members and the admission targets from the paper records
(hồ sơ giấy), as CSV (UTF-8, with or without BOM) or Excel (.xlsx) files.

Every row is read, checked and run through the application's own commands first, on a staged
copy of the record (`Staging`): the domain judges each row exactly as it judges a user's command,
and the rows see each other (a cell under a committee of an earlier row). Only when every row of
the file passes are the staged events saved, all of them in one transaction; one bad row and
nothing is written, and the report names every bad row, its column, the problem and the rule id.

Ids are deterministic, so importing a file again changes nothing: an organization's id is
`uuid5(NAMESPACE, "org-code/<CODE>")` (codes are case-insensitive), a person's the keyed hash of
the citizen ID (`Dangvien.person_id_for`), a member's derives from the person. A row whose facts
the record already holds is "unchanged"; a new name, hamlet, served hamlets, residence link,
corrected personal data or target is recorded as a new event ("updated"); a fact the import
cannot change (kind, parent, the member's cell or dates...) is refused (`IMPORT-CONFLICT`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid5

import structlog
from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError

from domain import policy
from domain.application import NAMESPACE, Context, Dangvien
from domain.errors import ConcurrencyConflict, DomainError, RuleViolation
from domain.member import Member
from domain.organization import AdmissionTarget, Organization
from domain.person import Person, PersonalData
from domain.values import Actor, CellSetting, Education, Gender, OrgKind

log = structlog.get_logger("dangvien.import")
A = TypeVar("A", bound=Aggregate)

# Refusals of the import itself (the domain's own rule ids are reported as they come).
IMPORT_RULES = {
    "IMPORT-FILE": "the file cannot be read as CSV (UTF-8) or .xlsx",
    "IMPORT-COLUMNS": "a required column is missing, or a column is unknown or repeated",
    "IMPORT-FORMAT": "a value is missing or not of its column's type",
    "IMPORT-DUPLICATE": "the same organization code or citizen ID twice in one file",
    "IMPORT-REF": "the row depends on another row of the file that was refused",
    "IMPORT-CONFLICT": "the record holds a different fact that an import cannot change",
}


class Kind(StrEnum):
    orgs = "orgs"
    members = "members"
    targets = "targets"


# --- ids ----------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    return code.strip().upper()


def org_id_for(code: str) -> UUID:
    """The id of the organization with this code: the domain keeps no code field, so the id
    is derived from it (case-insensitive, surrounding spaces ignored)."""
    return uuid5(NAMESPACE, f"org-code/{normalize_code(code)}")


def org_ref(ref: str) -> UUID:
    """An organization named by its id (a UUID) or its import code."""
    try:
        return UUID(ref.strip())
    except ValueError:
        return org_id_for(ref)


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file, row 0; the header, row 1) was refused."""

    row: int
    column: str
    rule_id: str
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass
class ImportReport:
    kind: Kind
    rows: int = 0
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    events: int = 0  # events staged (written unless rejected or a dry run)
    written: bool = False

    @property
    def rejected(self) -> bool:
        return bool(self.problems)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


class _Refused(Exception):
    def __init__(self, columns: tuple[str, ...], rule_id: str, vi: str, en: str) -> None:
        super().__init__(f"[{rule_id}] {en}")
        self.columns, self.rule_id, self.vi, self.en = columns, rule_id, vi, en


def _refuse(column: str, rule_id: str, vi: str, en: str) -> _Refused:
    return _Refused((column,), rule_id, vi, en)


@contextmanager
def _blame(
    *columns: str,
    by_rule: dict[str, str] | None = None,
    by_field: dict[str, str] | None = None,
) -> Iterator[None]:
    """A domain refusal inside is the row's problem, in these columns (or, for a rule id of
    `by_rule` or a field the refusal names of `by_field`, in its column)."""
    try:
        yield
    except DomainError as error:
        field = error.details.get("field")
        column = (by_rule or {}).get(error.rule_id) or (by_field or {}).get(str(field))
        raise _Refused(
            (column,) if column else columns, error.rule_id, error.vi, error.en
        ) from None


# --- the staged record ----------------------------------------------------------------------


class _Overlay(Repository[UUID]):
    """The record's aggregates as changed by the commands staged so far. Each is read from
    the store once per import (a concurrent writer is caught when the events are saved), and
    every `get` hands out a copy, so a command that fails half-way leaves nothing behind."""

    def __init__(self, events: EventStore[UUID]) -> None:
        super().__init__(event_store=events)
        self.staged: dict[UUID, Aggregate] = {}
        self.read: dict[UUID, Aggregate | None] = {}  # None: not in the record

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        if kwargs.get("version") is not None:
            return super().get(aggregate_id, **kwargs)
        found = self.staged.get(aggregate_id) or self._read(aggregate_id)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return deepcopy(found)

    def _read(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self.read:
            try:
                self.read[aggregate_id] = super().get(aggregate_id)
            except AggregateNotFoundError:
                self.read[aggregate_id] = None
        return self.read[aggregate_id]

    def __contains__(self, item: UUID) -> bool:
        return item in self.staged or self._read(item) is not None


class Staging(Dangvien):
    """The real commands on the real record, but `commit` keeps the new events in memory
    until `save` writes all of them in one transaction. A row is all or nothing too: `row()`
    forgets whatever a refused row had staged."""

    def __init__(self, record: Dangvien) -> None:
        self.record = record
        id_key = record.env.get("DANGVIEN_ID_KEY") or record.env.get("CIPHER_KEY") or ""
        super().__init__(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": id_key}
        )
        self.pending: list[Any] = []
        self._undo: dict[UUID, Aggregate | None] = {}

    def construct_repository(self) -> Repository[UUID]:
        return _Overlay(self.record.events)

    def peek(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """For reading only: the aggregate itself, not a copy (None when absent)."""
        overlay: _Overlay = self.repository  # type: ignore[assignment]
        found = overlay.staged.get(aggregate_id) or overlay._read(aggregate_id)
        return found if isinstance(found, cls) else None

    @property
    def _staged(self) -> dict[UUID, Aggregate]:
        return self.repository.staged  # type: ignore[attr-defined]

    def commit(self, *aggregates: Aggregate | None) -> None:
        for agg in aggregates:
            if agg is None:
                continue
            events = agg.collect_events()
            if events:
                self._undo.setdefault(agg.id, self._staged.get(agg.id))
                self._staged[agg.id] = agg
                self.pending.extend(events)

    @contextmanager
    def row(self) -> Iterator[None]:
        self._undo, mark = {}, len(self.pending)
        try:
            yield
        except BaseException:
            for agg_id, before in self._undo.items():
                if before is None:
                    self._staged.pop(agg_id, None)
                else:
                    self._staged[agg_id] = before
            del self.pending[mark:]
            raise

    def save_staged(self) -> int:
        """Write every staged event in one transaction (in the order they were made)."""
        if self.pending:
            try:
                self.record.save(*self.pending)
            except IntegrityError as error:  # another writer changed a staged aggregate
                raise ConcurrencyConflict(str(error)) from error
        return len(self.pending)


# --- values ---------------------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def fold(text: str) -> str:
    """Case, accents and punctuation folded: 'Mã cấp trên' → 'ma_cap_tren'."""
    stripped = "".join(
        c
        for c in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(c)
    )
    return re.sub(r"[^0-9a-z%]+", "_", stripped.casefold()).strip("_")


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime | date):
        raw = raw.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(raw)).strip()


def parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        pass
    raise _Bad(
        f"'{text}' không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
        f"'{text}' is not a date (dd/mm/yyyy or yyyy-mm-dd)",
    )


_TRUE = {"x", "co", "yes", "y", "true", "1", "dung"}
_FALSE = {"", "khong", "no", "n", "false", "0", "sai"}


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    folded = fold(_text(raw))
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    raise _Bad(
        f"'{_text(raw)}' không phải có/không (x, có, không, 1, 0)",
        f"'{_text(raw)}' is not yes/no (x, yes, no, 1, 0)",
    )


def _choice(labels: dict[Any, tuple[str, ...]]) -> Callable[[Any], Any]:
    """A parser of an enum written as its value or one of its Vietnamese labels."""
    table = {fold(str(v)): v for v in labels} | {
        fold(label): v for v, names in labels.items() for label in names
    }
    shown = ", ".join(names[0] for names in labels.values())

    def parse(raw: Any) -> Any:
        try:
            return table[fold(_text(raw))]
        except KeyError:
            raise _Bad(
                f"'{_text(raw)}' không thuộc: {shown}",
                f"'{_text(raw)}' is not one of: {', '.join(map(str, labels))}",
            ) from None

    return parse


ORG_KINDS: dict[OrgKind, tuple[str, ...]] = {
    OrgKind.province_committee: ("Tỉnh ủy", "Thành ủy", "Đảng bộ tỉnh"),
    OrgKind.district_committee: ("Huyện ủy", "Quận ủy", "Thị ủy"),
    OrgKind.commune_committee: ("Đảng ủy xã", "Đảng ủy phường", "Đảng ủy đặc khu"),
    OrgKind.grassroots_committee: ("Đảng bộ cơ sở",),
    OrgKind.grassroots_cell: ("Chi bộ cơ sở",),
    OrgKind.intermediate_committee: ("Đảng bộ bộ phận",),
    OrgKind.cell: ("Chi bộ",),
}
CELL_SETTINGS: dict[CellSetting, tuple[str, ...]] = {
    CellSetting.hamlet: ("Thôn", "Bản", "Ấp", "Làng"),
    CellSetting.residential_group: ("Tổ dân phố", "Khu phố"),
    CellSetting.commune_agency: ("Cơ quan xã", "Cơ quan phường"),
    CellSetting.commune_military: ("Quân sự xã", "Quân sự"),
    CellSetting.police: ("Công an",),
    CellSetting.school: ("Trường học", "Trường"),
    CellSetting.health_station: ("Trạm y tế",),
    CellSetting.enterprise: ("Doanh nghiệp",),
    CellSetting.cooperative: ("Hợp tác xã",),
    CellSetting.public_service_unit: ("Đơn vị sự nghiệp",),
    CellSetting.other: ("Khác",),
}
GENDERS: dict[Gender, tuple[str, ...]] = {Gender.female: ("Nữ",), Gender.male: ("Nam",)}
EDUCATIONS: dict[Education, tuple[str, ...]] = {
    Education.primary: ("Tiểu học", "5/12"),
    Education.lower_secondary: ("Trung học cơ sở", "THCS", "9/12"),
    Education.upper_secondary: ("Trung học phổ thông", "THPT", "12/12"),
}
# Occupations the quota breakdowns count (DOMAIN.md §7); any other text is kept as written.
OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "student": ("Học sinh, sinh viên", "Học sinh", "Sinh viên"),
    "private_enterprise_worker": ("Người lao động doanh nghiệp tư nhân", "Doanh nghiệp tư nhân"),
    "foreign_invested_worker": (
        "Người lao động doanh nghiệp có vốn đầu tư nước ngoài",
        "Doanh nghiệp FDI",
    ),
    "farmer": ("Nông dân",),
    "civil_servant": ("Cán bộ, công chức", "Công chức"),
    "public_employee": ("Viên chức",),
    "teacher": ("Giáo viên",),
    "soldier": ("Quân nhân",),
    "police": ("Công an",),
    "retired": ("Nghỉ hưu", "Hưu trí"),
}
_OCCUPATION = {fold(c): c for c in OCCUPATIONS} | {
    fold(label): code for code, labels in OCCUPATIONS.items() for label in labels
}


def parse_citizen_id(raw: Any) -> str:
    """A 12-digit personal identification number (số định danh cá nhân, on the CCCD). A
    spreadsheet number cell loses the leading zeros every CCCD has (its first three digits are
    the province code 001-096): they are put back."""
    text = _text(raw).replace(" ", "")
    if isinstance(raw, int | float) and text.isdigit() and 10 <= len(text) < 12:
        text = text.zfill(12)
    if not (text.isdigit() and len(text) == 12):
        raise _Bad(
            "Số định danh (CCCD) gồm đúng 12 chữ số",
            "A citizen ID (CCCD) is exactly 12 digits",
        )
    return text


def parse_int(raw: Any) -> int:
    text = _text(raw)
    if not re.fullmatch(r"\d+", text):
        raise _Bad(f"'{text}' không phải số nguyên", f"'{text}' is not a whole number")
    return int(text)


def parse_target(raw: Any) -> tuple[int | None, float | None]:
    """A number of admissions ('12') or a rate of the start-of-year membership ('7%')."""
    text = _text(raw).replace(",", ".").replace(" ", "")
    if re.fullmatch(r"\d+", text):
        return int(text), None
    if re.fullmatch(r"\d+(\.\d+)?%", text):
        return None, float(text[:-1])
    raise _Bad(
        f"'{_text(raw)}' không phải chỉ tiêu (một số, hoặc tỷ lệ như 7%)",
        f"'{_text(raw)}' is not a target (a number, or a rate such as 7%)",
    )


def _items(raw: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", _text(raw)) if part.strip()]


def parse_hamlets(raw: Any) -> dict[str, str]:
    """'DONG: Thôn Đông; NAM: Thôn Nam' → {key: name}."""
    hamlets: dict[str, str] = {}
    for item in _items(raw):
        key, sep, name = item.partition(":")
        if not sep or not key.strip() or not name.strip() or key.strip() in hamlets:
            raise _Bad(
                f"'{item}': mỗi thôn viết 'MÃ: Tên', cách nhau bởi dấu ;, mã không trùng",
                f"'{item}': write each hamlet as 'KEY: Name', separated by ;, keys unique",
            )
        hamlets[key.strip()] = name.strip()
    return hamlets


def parse_keys(raw: Any) -> tuple[str, ...]:
    return tuple(sorted(set(_items(raw))))


def _code(raw: Any) -> str:
    return normalize_code(_text(raw))


# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its name in code, its Vietnamese header, other accepted headers, whether a
    value is required, and its parser."""

    name: str
    vi: str
    required: bool
    parse: Callable[[Any], Any] = _text
    aliases: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        return {fold(h) for h in (self.name, self.vi, *self.aliases)}


COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.orgs: (
        Column("code", "Mã", True, _code, ("Mã tổ chức",)),
        Column("name", "Tên", True, aliases=("Tên tổ chức",)),
        Column("kind", "Loại", True, _choice(ORG_KINDS), ("Loại tổ chức",)),
        Column("parent_code", "Mã cấp trên", False, _text, ("parent",)),
        Column("setting", "Loại hình", False, _choice(CELL_SETTINGS), ("Loại hình chi bộ",)),
        Column("registered_on", "Ngày thành lập", True, parse_date, ("established_on",)),
        Column("may_admit", "Được ủy quyền kết nạp", False, parse_bool),
        Column("exempt_area", "Vùng đặc thù", False, parse_bool, ("Miền núi, biên giới, hải đảo",)),
        Column("hamlets", "Thôn, tổ dân phố", False, parse_hamlets),
        Column("serves", "Phụ trách thôn", False, parse_keys, ("Thôn phụ trách",)),
        Column("commune_code", "Mã đảng ủy xã", False, _text),
    ),
    Kind.members: (
        Column(
            "citizen_id",
            "Số CCCD",
            True,
            parse_citizen_id,
            ("Số định danh", "Số định danh cá nhân", "CCCD"),
        ),
        Column("full_name", "Họ và tên", True, aliases=("Họ tên",)),
        Column("birth_date", "Ngày sinh", True, parse_date),
        Column("gender", "Giới tính", True, _choice(GENDERS)),
        Column("ethnicity", "Dân tộc", True),
        Column("religion", "Tôn giáo", False),
        Column("address", "Nơi cư trú", False, aliases=("Địa chỉ",)),
        Column("education", "Học vấn", True, _choice(EDUCATIONS), ("Trình độ học vấn",)),
        Column("occupation", "Nghề nghiệp", False),
        Column("youth_union_member", "Đoàn viên", False, parse_bool),
        Column("trade_union_member", "Công đoàn viên", False, parse_bool),
        Column("cell_code", "Mã chi bộ", True, _text),
        Column("joined_on", "Ngày vào Đảng", True, parse_date, ("Ngày kết nạp",)),
        Column("decided_on", "Ngày quyết định kết nạp", False, parse_date),
        Column("full_from", "Ngày chính thức", False, parse_date),
        Column("residence_cell_code", "Mã chi bộ nơi cư trú", False, _text),
    ),
    Kind.targets: (
        Column("org_code", "Mã tổ chức", True, _text, ("Mã",)),
        Column("year", "Năm", True, parse_int),
        Column("target", "Chỉ tiêu", True, parse_target),
        Column("start_of_year_members", "Số đảng viên đầu năm", False, parse_int),
        Column("set_on", "Ngày giao", False, parse_date),
    ),
}


# --- reading files ------------------------------------------------------------------------------


@dataclass
class _Table:
    kind: Kind
    headers: dict[str, str]  # column name → the header as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number as a spreadsheet shows it, raw values)


def read_table(path: Path, kind: Kind) -> tuple[_Table | None, list[Problem]]:
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
        header = _text(raw)
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
        if any(_text(c) for c in cells)
    ]
    return _Table(kind, headers, rows), []


def _read_csv(path: Path) -> list[list[Any]]:
    text = path.read_bytes().decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    try:
        dialect: Any = csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- importing --------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    table: _Table

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def header(self, name: str) -> str:
        """The column's header as the file writes it (its Vietnamese header if absent)."""
        return self.table.headers.get(name) or next(
            c.vi for c in COLUMNS[self.table.kind] if c.name == name
        )


class _Importer:
    def __init__(self, staging: Staging, actor: Actor, on: date) -> None:
        self.app = staging
        self.actor = actor
        self.on = on

    def ctx(self, key: str) -> Context:
        return Context(self.actor, f"import/{key}")

    # --- organizations ---

    def org_order(self, rows: list[_Row]) -> tuple[list[_Row], list[Problem]]:
        """Parents (and the communes whose hamlets a cell serves) before the rows needing them."""
        by_code: dict[str, _Row] = {}
        problems: list[Problem] = []
        for row in rows:
            code = row["code"]
            if code in by_code:
                problems.append(_duplicate(row, "code", by_code[code].number))
            else:
                by_code[code] = row
        ordered: list[_Row] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(row: _Row) -> None:
            code = row["code"]
            if state.get(code) == 2:
                return
            if state.get(code) == 1:
                raise _Bad("vòng lặp cấp trên", "a cycle of parents")
            state[code] = 1
            for dep in (row["parent_code"], row["commune_code"]):
                if dep and normalize_code(dep) in by_code:
                    visit(by_code[normalize_code(dep)])
            state[code] = 2
            ordered.append(row)

        for row in by_code.values():
            try:
                visit(row)
            except _Bad as bad:
                problems.append(
                    Problem(row.number, row.header("parent_code"), "ORG-TREE", bad.vi, bad.en)
                )
                return [], problems
        return ordered, problems

    def org_row(self, row: _Row) -> str:
        app = self.app
        code: str = row["code"]
        org_id = org_id_for(code)
        parent_id = org_ref(row["parent_code"]) if row["parent_code"] else None
        kind: OrgKind = row["kind"]
        on: date = row["registered_on"]
        if parent_id is not None and not app.exists(parent_id):
            raise _refuse(
                row.header("parent_code"),
                "NOT-FOUND",
                f"Không có tổ chức mã '{row['parent_code']}' (trong tệp hoặc đã đăng ký)",
                f"No organization with code '{row['parent_code']}' (in the file or registered)",
            )
        outcome = "unchanged"
        org = app.peek(Organization, org_id)
        if org is not None:
            self._org_conflicts(row, org, parent_id)
            if org.name != row["name"]:
                with _blame(row.header("name")):
                    app.rename_organization(
                        self.ctx(f"org/{code}/name@{org.version}"), org_id, row["name"], self.on
                    )
                outcome = "updated"
            on = self.on  # later facts of an existing organization date from the import
        else:
            with _blame(
                row.header("kind"),
                row.header("parent_code"),
                row.header("registered_on"),
                by_field={"may_admit": row.header("may_admit")},
            ):
                app.register_organization(
                    self.ctx(f"org/{code}"),
                    kind=kind,
                    name=row["name"],
                    parent_id=parent_id,
                    established_on=on,
                    setting=row["setting"],
                    may_admit=bool(row["may_admit"]),
                    exempt_area=bool(row["exempt_area"]),
                    org_id=org_id,
                )
            outcome = "added"
        hamlets: dict[str, str] = row["hamlets"] or {}
        for key, name in hamlets.items():
            org = app.peek(Organization, org_id)
            assert org is not None
            if org.hamlets.get(key) != name:
                with _blame(row.header("hamlets")):
                    app.register_hamlet(
                        self.ctx(f"hamlet/{code}/{key}@{org.version}"), org_id, key, name, on
                    )
                outcome = "updated" if outcome == "unchanged" else outcome
        if row["serves"]:
            outcome = self._serves(row, code, org_id, on, outcome)
        return outcome

    def _org_conflicts(self, row: _Row, org: Organization, parent_id: UUID | None) -> None:
        held = {
            "kind": (org.kind, row["kind"]),
            "parent_code": (org.parent_id, parent_id),
            "setting": (org.setting, row["setting"]),
            "may_admit": (org.may_admit, row["may_admit"]),
            "exempt_area": (org.exempt_area, row["exempt_area"]),
        }
        for column, (recorded, given) in held.items():
            if given is not None and given != recorded:
                raise self._conflict(row, column, recorded)

    def _serves(self, row: _Row, code: str, org_id: UUID, on: date, outcome: str) -> str:
        app = self.app
        org = app.peek(Organization, org_id)
        assert org is not None
        commune_id = self._commune_of(row, org_id)
        keys: tuple[str, ...] = row["serves"]
        if org.serves == (commune_id, keys):
            return outcome
        with _blame(row.header("serves")):
            app.serve_hamlets(
                self.ctx(f"serves/{code}@{org.version}"), org_id, commune_id, keys, on
            )
        return "updated" if outcome == "unchanged" else outcome

    def _commune_of(self, row: _Row, org_id: UUID) -> UUID:
        """The commune whose hamlets a cell serves: the column, or the nearest commune
        committee above the cell."""
        if row["commune_code"]:
            commune_id = org_ref(row["commune_code"])
            if self.app.exists(commune_id):
                return commune_id
        else:
            for ancestor in self.app.ancestors(org_id, self.on):
                found = self.app.peek(Organization, ancestor)
                if found is not None and found.kind is OrgKind.commune_committee:
                    return ancestor
        raise _refuse(
            row.header("commune_code"),
            "NOT-FOUND",
            "Không xác định được đảng ủy xã có các thôn này: ghi cột 'Mã đảng ủy xã'",
            "No commune committee holds these hamlets: fill in the commune_code column",
        )

    # --- members ---

    def member_row(self, row: _Row) -> str:
        app = self.app
        data = PersonalData(
            full_name=row["full_name"],
            birth_date=row["birth_date"],
            citizen_id=row["citizen_id"],
            gender=row["gender"],
            ethnicity=row["ethnicity"],
            religion=None if fold(row["religion"] or "") in ("", "khong") else row["religion"],
            address=row["address"] or "",
            education=row["education"],
            youth_union_member=bool(row["youth_union_member"]),
            trade_union_member=bool(row["trade_union_member"]),
            occupation=_OCCUPATION.get(fold(row["occupation"] or ""), row["occupation"] or ""),
        )
        joined: date = row["joined_on"]
        decided: date = row["decided_on"] or joined
        full_from: date | None = row["full_from"]
        self._member_dates(row, data.birth_date, decided, joined, full_from)
        cell_id = self._cell(row, "cell_code")
        residence_id = (
            self._cell(row, "residence_cell_code") if row["residence_cell_code"] else None
        )
        person_id = app.person_id_for(data.citizen_id)
        outcome = "unchanged"
        person = app.peek(Person, person_id)
        # A member admitted through a case has that case's member id; one from a paper
        # dossier, the id register_member derives from the person.
        member_id = (person.member_id if person else None) or uuid5(
            NAMESPACE, f"member/{person_id}"
        )
        if person is None:
            with _blame(row.header("citizen_id")):
                app.register_person(self.ctx(f"person/{person_id}"), data, self.on)
            outcome = "added"
        elif person.data != data:
            with _blame(row.header("citizen_id")):
                app.register_person(self.ctx(f"person/{person_id}@{person.version}"), data, self.on)
            outcome = "updated"
        member = app.peek(Member, member_id)
        if member is not None:
            self._member_conflicts(row, member, cell_id, row["decided_on"], full_from)
        else:
            with _blame(
                row.header("cell_code"),
                row.header("joined_on"),
                by_rule={"CASE-UNIQUE": row.header("citizen_id")},
            ):
                app.register_member(
                    self.ctx(f"member/{person_id}"),
                    person_id=person_id,
                    cell_id=cell_id,
                    joined_on=joined,
                    decided_on=decided,
                    full_from=full_from,
                )
            outcome = "added"
        member = app.peek(Member, member_id)
        assert member is not None
        if residence_id is not None and member.residence_cell_id != residence_id:
            with _blame(row.header("residence_cell_code")):
                app.link_residence(
                    self.ctx(f"residence/{person_id}@{member.version}"),
                    member_id,
                    residence_id,
                    self.on,
                )
            outcome = "updated" if outcome == "unchanged" else outcome
        return outcome

    def _member_dates(
        self, row: _Row, born: date, decided: date, joined: date, full_from: date | None
    ) -> None:
        try:
            policy.check_registered_member(born, decided, joined, full_from)
        except RuleViolation as error:
            field = row.header(error.details["field"])
            raise _refuse(field, error.rule_id, error.vi, error.en) from None
        if joined > self.on:
            raise _refuse(
                row.header("joined_on"),
                "DATE-ORDER",
                "Ngày vào Đảng sau ngày nhập",
                "The joining date is after the day of the import",
            )
        if full_from is not None and full_from > self.on:
            raise _refuse(
                row.header("full_from"),
                "PRB-EFFECTIVE",
                f"Ngày chính thức ({full_from:%d/%m/%Y}) chưa đến",
                f"Full membership ({full_from.isoformat()}) is not reached yet",
            )

    def _cell(self, row: _Row, column: str) -> UUID:
        cell_id = org_ref(row[column])
        cell = self.app.peek(Organization, cell_id)
        if cell is None:
            raise _refuse(
                row.header(column),
                "NOT-FOUND",
                f"Không có chi bộ mã '{row[column]}': nhập tổ chức trước",
                f"No cell with code '{row[column]}': import the organizations first",
            )
        if not cell.kind.holds_members:
            raise _refuse(
                row.header(column),
                "ORG-TREE",
                f"'{row[column]}' không phải chi bộ: đảng viên sinh hoạt ở chi bộ",
                f"'{row[column]}' is not a cell: members keep their activity in a cell",
            )
        return cell_id

    def _member_conflicts(
        self,
        row: _Row,
        member: Member,
        cell_id: UUID,
        decided: date | None,
        full_from: date | None,
    ) -> None:
        held = {
            "cell_code": (member.cell_id, cell_id),
            "joined_on": (member.ceremony_on, row["joined_on"]),
            "decided_on": (member.decided_on, decided),
            "full_from": (member.full_from, full_from),
        }
        for column, (recorded, given) in held.items():
            if given is not None and given != recorded:
                raise self._conflict(row, column, recorded)

    def _conflict(self, row: _Row, column: str, recorded: Any) -> _Refused:
        if isinstance(recorded, date):
            vi, en = recorded.strftime("%d/%m/%Y"), recorded.isoformat()
        else:
            org = self.app.peek(Organization, recorded) if isinstance(recorded, UUID) else None
            vi = en = org.name if org is not None else str(recorded)
        return _refuse(
            row.header(column),
            "IMPORT-CONFLICT",
            f"Hồ sơ đã ghi khác ({vi}): không sửa được bằng nhập tệp",
            f"The record holds a different value ({en}): an import cannot change it",
        )

    # --- targets ---

    def target_row(self, row: _Row) -> str:
        app = self.app
        org_id = org_ref(row["org_code"])
        org = app.peek(Organization, org_id)
        if org is None:
            raise _refuse(
                row.header("org_code"),
                "NOT-FOUND",
                f"Không có tổ chức mã '{row['org_code']}'",
                f"No organization with code '{row['org_code']}'",
            )
        count, rate = row["target"]
        year: int = row["year"]
        base: int | None = row["start_of_year_members"]
        if rate is not None and base is None:
            raise _refuse(
                row.header("start_of_year_members"),
                "ORG-TARGET",
                "Chỉ tiêu theo tỷ lệ cần số đảng viên đầu năm",
                "A rate target needs the start-of-year membership",
            )
        target = AdmissionTarget(
            year, count=count, rate_percent=rate, start_of_year_members=base if rate else None
        )
        if org.targets.get(year) == target:
            return "unchanged"
        with _blame(row.header("target")):
            app.set_target(
                self.ctx(f"target/{normalize_code(row['org_code'])}/{year}@{org.version}"),
                org_id,
                target,
                row["set_on"] or date(year, 1, 1),
            )
        return "updated" if year in org.targets else "added"


def _duplicate(row: _Row, column: str, first: int) -> Problem:
    return Problem(
        row.number,
        row.header(column),
        "IMPORT-DUPLICATE",
        f"Trùng với dòng {first}",
        f"Same as row {first}",
    )


def import_file(
    record: Dangvien,
    kind: Kind | str,
    path: Path,
    *,
    actor: Actor,
    on: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate every row of the file against the record, then (unless a row was refused or
    it is a dry run) write all of its events in one transaction."""
    kind = Kind(kind)
    report = ImportReport(kind)
    table, problems = read_table(path, kind)
    if table is None:
        report.problems = problems
        return report
    staging = Staging(record)
    importer = _Importer(staging, actor, on or date.today())
    rows, problems = _parse_rows(table, kind)
    report.rows = len(table.rows)
    report.problems += problems
    unreadable = {p.row for p in problems}
    refused_codes = {  # organizations refused so far: the rows under them are refused too
        normalize_code(_text(raw.get("code"))): number
        for number, raw in table.rows
        if kind is Kind.orgs and number in unreadable and _text(raw.get("code"))
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
        rows, problems = _unique(rows, "citizen_id", lambda r: r["citizen_id"])
        report.problems += problems
    else:
        rows, problems = _unique(rows, "year", lambda r: (org_ref(r["org_code"]), r["year"]))
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
                raise _refuse(
                    row.header("parent_code"),
                    "IMPORT-REF",
                    f"Phụ thuộc dòng {blocked[0]} đã bị từ chối",
                    f"Depends on row {blocked[0]}, which was refused",
                )
            with staging.row():
                outcome = handler(row)
        except (_Refused, DomainError) as error:
            if kind is Kind.orgs:
                refused_codes[row["code"]] = row.number
            columns = error.columns if isinstance(error, _Refused) else ("",)
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


def _parse_rows(table: _Table, kind: Kind) -> tuple[list[_Row], list[Problem]]:
    rows: list[_Row] = []
    problems: list[Problem] = []
    for number, raw in table.rows:
        values: dict[str, Any] = {}
        bad = False
        for column in COLUMNS[kind]:
            value = raw.get(column.name)
            if not _text(value) and not isinstance(value, bool):
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
            except _Bad as error:
                bad = True
                problems.append(
                    Problem(number, table.headers[column.name], "IMPORT-FORMAT", error.vi, error.en)
                )
        if not bad:
            rows.append(_Row(number, values, table))
    return rows, problems


def _unique(
    rows: list[_Row], column: str, key: Callable[[_Row], Any]
) -> tuple[list[_Row], list[Problem]]:
    seen: dict[Any, int] = {}
    kept, problems = [], []
    for row in rows:
        if key(row) in seen:
            problems.append(_duplicate(row, column, seen[key(row)]))
        else:
            seen[key(row)] = row.number
            kept.append(row)
    return kept, problems
