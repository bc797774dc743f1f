"""The column vocabulary of the import: the kinds of file, each kind's columns with their
headers (Vietnamese, English, aliases), and how each column's value is read (dates, yes/no, the
Vietnamese labels of the domain's enums, codes, targets, hamlets); organization codes and the ids
derived from them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from domain.application import NAMESPACE
from domain.values import CellSetting, Education, Gender, OrgKind


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


# --- values ---------------------------------------------------------------------------------


class BadValue(ValueError):
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


def cell_text(raw: Any) -> str:
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
    text = cell_text(raw)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        pass
    raise BadValue(
        f"'{text}' không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd)",
        f"'{text}' is not a date (dd/mm/yyyy or yyyy-mm-dd)",
    )


_TRUE = {"x", "co", "yes", "y", "true", "1", "dung"}
_FALSE = {"", "khong", "no", "n", "false", "0", "sai"}


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    folded = fold(cell_text(raw))
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    raise BadValue(
        f"'{cell_text(raw)}' không phải có/không (x, có, không, 1, 0)",
        f"'{cell_text(raw)}' is not yes/no (x, yes, no, 1, 0)",
    )


def _choice(labels: dict[Any, tuple[str, ...]]) -> Callable[[Any], Any]:
    """A parser of an enum written as its value or one of its Vietnamese labels."""
    table = {fold(str(v)): v for v in labels} | {
        fold(label): v for v, names in labels.items() for label in names
    }
    shown = ", ".join(names[0] for names in labels.values())

    def parse(raw: Any) -> Any:
        try:
            return table[fold(cell_text(raw))]
        except KeyError:
            raise BadValue(
                f"'{cell_text(raw)}' không thuộc: {shown}",
                f"'{cell_text(raw)}' is not one of: {', '.join(map(str, labels))}",
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
# Occupations the quota breakdowns count (docs/admin.md, the members' columns); other text is
# kept as written.
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
OCCUPATION_CODES = {fold(c): c for c in OCCUPATIONS} | {
    fold(label): code for code, labels in OCCUPATIONS.items() for label in labels
}


def parse_citizen_id(raw: Any) -> str:
    """A 12-digit personal identification number (số định danh cá nhân, on the CCCD). A
    spreadsheet number cell loses the leading zeros every CCCD has (its first three digits are
    the province code 001-096): they are put back."""
    text = cell_text(raw).replace(" ", "")
    if isinstance(raw, int | float) and text.isdigit() and 10 <= len(text) < 12:
        text = text.zfill(12)
    if not (text.isdigit() and len(text) == 12):
        raise BadValue(
            "Số định danh (CCCD) gồm đúng 12 chữ số",
            "A citizen ID (CCCD) is exactly 12 digits",
        )
    return text


def parse_int(raw: Any) -> int:
    text = cell_text(raw)
    if not re.fullmatch(r"\d+", text):
        raise BadValue(f"'{text}' không phải số nguyên", f"'{text}' is not a whole number")
    return int(text)


def parse_target(raw: Any) -> tuple[int | None, float | None]:
    """A number of admissions ('12') or a rate of the start-of-year membership ('7%')."""
    text = cell_text(raw).replace(",", ".").replace(" ", "")
    if re.fullmatch(r"\d+", text):
        return int(text), None
    if re.fullmatch(r"\d+(\.\d+)?%", text):
        return None, float(text[:-1])
    raise BadValue(
        f"'{cell_text(raw)}' không phải chỉ tiêu (một số, hoặc tỷ lệ như 7%)",
        f"'{cell_text(raw)}' is not a target (a number, or a rate such as 7%)",
    )


def _items(raw: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", cell_text(raw)) if part.strip()]


def parse_hamlets(raw: Any) -> dict[str, str]:
    """'DONG: Thôn Đông; NAM: Thôn Nam' → {key: name}."""
    hamlets: dict[str, str] = {}
    for item in _items(raw):
        key, sep, name = item.partition(":")
        if not sep or not key.strip() or not name.strip() or key.strip() in hamlets:
            raise BadValue(
                f"'{item}': mỗi thôn viết 'MÃ: Tên', cách nhau bởi dấu ;, mã không trùng",
                f"'{item}': write each hamlet as 'KEY: Name', separated by ;, keys unique",
            )
        hamlets[key.strip()] = name.strip()
    return hamlets


def parse_keys(raw: Any) -> tuple[str, ...]:
    return tuple(sorted(set(_items(raw))))


def _code(raw: Any) -> str:
    return normalize_code(cell_text(raw))


# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its name in code, its Vietnamese header, other accepted headers, whether a
    value is required, and its parser."""

    name: str
    vi: str
    required: bool
    parse: Callable[[Any], Any] = cell_text
    aliases: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        return {fold(h) for h in (self.name, self.vi, *self.aliases)}


# The date from which the row's facts that have no date column of their own take effect (a
# rename, a hamlet, a correction of personal data, a 213 residence link, a target without its
# day); `--on` states it for the whole file. Without either such a row is refused, never dated
# on the day of the import.
EFFECTIVE = Column("on", "Ngày hiệu lực", False, parse_date, ("effective_on", "Ngày có hiệu lực"))

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.orgs: (
        Column("code", "Mã", True, _code, ("Mã tổ chức",)),
        Column("name", "Tên", True, aliases=("Tên tổ chức",)),
        Column("kind", "Loại", True, _choice(ORG_KINDS), ("Loại tổ chức",)),
        Column("parent_code", "Mã cấp trên", False, cell_text, ("parent",)),
        Column("setting", "Loại hình", False, _choice(CELL_SETTINGS), ("Loại hình chi bộ",)),
        Column("registered_on", "Ngày thành lập", True, parse_date, ("established_on",)),
        Column("may_admit", "Được ủy quyền kết nạp", False, parse_bool),
        Column("exempt_area", "Vùng đặc thù", False, parse_bool, ("Miền núi, biên giới, hải đảo",)),
        Column("hamlets", "Thôn, tổ dân phố", False, parse_hamlets),
        Column("serves", "Phụ trách thôn", False, parse_keys, ("Thôn phụ trách",)),
        Column("commune_code", "Mã đảng ủy xã", False, cell_text),
        EFFECTIVE,
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
        Column("cell_code", "Mã chi bộ", True, cell_text),
        Column("joined_on", "Ngày vào Đảng", True, parse_date, ("Ngày kết nạp",)),
        Column("decided_on", "Ngày quyết định kết nạp", False, parse_date),
        Column("full_from", "Ngày chính thức", False, parse_date),
        Column("residence_cell_code", "Mã chi bộ nơi cư trú", False, cell_text),
        EFFECTIVE,
    ),
    Kind.targets: (
        Column("org_code", "Mã tổ chức", True, cell_text, ("Mã",)),
        Column("year", "Năm", True, parse_int),
        Column("target", "Chỉ tiêu", True, parse_target),
        Column("start_of_year_members", "Số đảng viên đầu năm", False, parse_int),
        Column("set_on", "Ngày giao", False, parse_date),
        EFFECTIVE,
    ),
}
