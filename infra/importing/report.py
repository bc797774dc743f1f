"""What an import reports: the problems of the refused rows, and what was added, updated,
unchanged or written."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.importing.columns import Kind

# Refusals of the import itself (the domain's own rule ids are reported as they come).
IMPORT_RULES = {
    "IMPORT-FILE": "the file cannot be read as CSV (UTF-8) or .xlsx",
    "IMPORT-COLUMNS": "a required column is missing, or a column is unknown or repeated",
    "IMPORT-FORMAT": "a value is missing or not of its column's type",
    "IMPORT-DUPLICATE": "the same organization code or citizen ID twice in one file",
    "IMPORT-REF": "the row depends on another row of the file that was refused",
    "IMPORT-CONFLICT": "the record holds a different fact that an import cannot change",
    "IMPORT-DATE": "a fact the row records has no effective date: neither its column nor --on",
}


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
