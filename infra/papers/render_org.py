"""The template tags of the papers about an organization (issue 16): the dissolution decision
with its table of moves, and a unit's yearly quota report (infra/papers/render.py lists them
in KIND_CONTEXT; docs/documents.md lists them for template makers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.values import OrgKind

QUARTER_NAMES = ("Quý I", "Quý II", "Quý III", "Quý IV")
# The breakdowns a report prints (projections/views/people.py BREAKDOWNS), in its words.
BREAKDOWN_NAMES = {
    "female": "Nữ",
    "ethnic_minority": "Người dân tộc thiểu số",
    "religious": "Người có đạo",
    "youth_union": "Đoàn viên thanh niên",
    "private_sector_worker": "Công nhân trong doanh nghiệp tư nhân, có vốn nước ngoài",
    "student": "Học sinh, sinh viên",
}
CELLS = (OrgKind.cell, OrgKind.grassroots_cell)
COUNTED = ("decided", "admitted", "recognized")  # by quarter


def _dmy(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def dissolution(f: dict[str, Any]) -> dict[str, Any]:
    """The decision's tags; `moves` is a row per member for the table (`{%tr for %}`)."""
    return {
        "cell_name": f["cell_name"],
        "dissolved_date": _dmy(f["dissolved_on"]),
        "merged_into": f.get("merged_into_name", ""),
        "moves_count": f.get("moves_count", len(f.get("member_moves", []))),
        "moves": [
            {
                "index": i,
                "member_name": m["member_name"],
                "to_cell": m["to_cell_name"],
                "moved_on": _dmy(m["moved_on"]),
            }
            for i, m in enumerate(f.get("member_moves", []), start=1)
        ],
    }


def quota(f: dict[str, Any]) -> dict[str, Any]:
    """The report's tags: the year's counts, a row per quarter, a row per breakdown."""
    target, admitted = int(f["target"]), int(f["admitted"])
    quarters = f.get("quarters", {})
    return {
        "unit_name": f["unit_name"],
        "year": f["report_year"],
        "counted_until": _dmy(f.get("counted_until")),
        "target": target if target else "chưa giao",
        "decided": f["decided"],
        "admitted": admitted,
        "recognized": f["recognized"],
        # a decimal comma, as Vietnamese writes it: "83,3%"
        "percent": f"{round(100 * admitted / target, 1):g}%".replace(".", ",") if target else "—",
        "authority": "T/M CHI BỘ" if f.get("unit_kind") in CELLS else "T/M BAN THƯỜNG VỤ",
        "quarters": [
            {
                "name": name,
                **{k: (quarters.get(k) or [0, 0, 0, 0])[i] for k in COUNTED},
            }
            for i, name in enumerate(QUARTER_NAMES)
        ],
        "breakdowns": [
            {"name": name, "count": f.get("breakdowns", {}).get(key, 0)}
            for key, name in BREAKDOWN_NAMES.items()
        ],
    }
