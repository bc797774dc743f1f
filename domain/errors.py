"""Domain errors. A refusal always names the rule it broke, in Vietnamese and English."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command the domain refuses; nothing was written."""

    def __init__(self, rule_id: str, vi: str, en: str, **details: Any) -> None:
        super().__init__(f"[{rule_id}] {en}")
        self.rule_id = rule_id
        self.vi = vi
        self.en = en
        self.details = details

    def message(self, lang: str = "vi") -> str:
        return f"[{self.rule_id}] {self.vi if lang == 'vi' else self.en}"

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "vi": self.vi, "en": self.en, "details": self.details}


class RuleViolation(DomainError):
    """A rule of docs/rulebook.md (or a process guard of policy.py) refused the command."""


NAMES = {  # what a user calls each record, for NOT-FOUND
    "AdmissionCase": ("hồ sơ kết nạp", "admission case"),
    "Member": ("đảng viên", "member"),
    "Organization": ("tổ chức đảng", "party organization"),
    "Person": ("người", "person"),
    "Transfer": ("hồ sơ chuyển sinh hoạt", "transfer"),
    "Paper": ("giấy tờ", "paper"),
}


class NotFound(DomainError):
    """The command names something that does not exist."""

    def __init__(self, what: str, ident: object) -> None:
        vi, en = NAMES.get(what, (what, what))
        super().__init__(
            "NOT-FOUND",
            f"Không tìm thấy {vi}: {ident}",
            f"No {en} with id {ident}",
            what=what,
        )


class ConcurrencyConflict(Exception):
    """Another writer changed the aggregate first; retry the command (it is idempotent)."""
