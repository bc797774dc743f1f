"""The tags of the transfer letter's template (giấy giới thiệu sinh hoạt đảng, issue 16): the
member, the two sides, the kind and reason in words, the deadlines, and the hops as rows of a
table (`{%tr for hop in hops %}` in the template)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.values import OrgKind
from infra.web.i18n import label

CELLS = {OrgKind.cell.value, OrgKind.grassroots_cell.value}


def _dmy(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def _words(value: str) -> str:
    """A value as the paper says it, in Vietnamese ("chính thức", "nhận công tác mới")."""
    return label("vi", "enum", value).lower()


def transfer_letter(f: dict[str, Any]) -> dict[str, Any]:
    to_cell = f.get("to_cell_name") or ""
    return {
        "member_name": f["member_name"],
        "birth_date": _dmy(f.get("member_birth_date")),
        "joined_on": _dmy(f.get("member_joined_on")),
        "full_from": _dmy(f.get("member_full_from")),
        "probationary": bool(f.get("member_probationary")),
        "probation_ends": _dmy(f.get("member_probation_ends")),
        "from_cell_name": f["from_cell_name"],
        "grassroots_name": f["grassroots_name"],
        "destination_name": f["destination_name"],
        # the receiving cell, when a hop named one under the destination registered at the start
        "to_cell_name": "" if to_cell == f["destination_name"] else to_cell,
        "kind_text": _words(f["transfer_kind"]),
        "reason_text": _words(f["transfer_reason"]),
        "trigger_date": _dmy(f.get("trigger_on")),
        "start_due": _dmy(f.get("start_due")),
        "returns_on": _dmy(f.get("returns_on")),
        "present_due": _dmy(f.get("present_due")),
        "portal_reference": f.get("portal_reference") or "",
        "by_cell": f.get("issuer_kind") in CELLS,  # "T/M CHI BỘ" rather than "T/M ĐẢNG ỦY"
        "hops": [
            {
                "from_name": hop["from_name"],
                "to_name": hop["to_name"],
                "letter_no": hop["letter_no"],
                "on": _dmy(hop["on"]),
            }
            for hop in f.get("hops", [])
        ],
    }
