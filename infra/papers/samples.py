"""A sample of each kind of paper, with made-up people and places: the pictures of
docs/documents.md are rendered from them (scripts/paper-pictures), and a department's own
template is tried on them before it is accepted. Every kind has one
(tests/unit/test_paper_kinds.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.paper import PaperKind


@dataclass(frozen=True)
class Sample:
    kind: PaperKind
    symbol: str
    place: str
    issued_on: date
    signatory_title: str = "BÍ THƯ"
    facts: dict[str, Any] = field(default_factory=dict)


_ADMISSION = {
    "applicant_name": "Nguyễn Thị Thu Hà",
    "applicant_birth_date": "1998-04-12",
    "cell_name": "Chi bộ thôn Đông Hòa",
    "grassroots_name": "Đảng bộ xã An Bình",
    "cell_vote_on": "2026-03-05",
    "cell_on_roll": 24,
    "cell_votes_for": 22,
    "cell_votes_against": 2,
    "committee_vote_on": "2026-03-20",
    "committee_votes_for": 11,
    "committee_size": 13,
}

# issue 16, papers about an organization: a hamlet's agency cell dissolved, a commune's year.
_DISSOLUTION = {
    "cell_name": "Chi bộ Cơ quan xã An Bình",
    "dissolved_on": "2026-08-15",
    "issuer_name": "Đảng bộ xã An Bình",
    "superior_name": "Đảng bộ tỉnh Bình An",
    "moves_count": 3,
    "member_moves": [
        {"member_name": name, "to_cell_name": cell, "moved_on": "2026-08-15"}
        for name, cell in (
            ("Trần Văn Bình", "Chi bộ thôn Đông Hòa"),
            ("Lê Thị Cúc", "Chi bộ thôn Đông Hòa"),
            ("Phạm Minh Đức", "Chi bộ thôn Tây Sơn"),
        )
    ],
}
_QUOTA = {
    "unit_id": "00000000-0000-4000-8000-000000000016",
    "unit_name": "Đảng bộ xã An Bình",
    "unit_kind": "grassroots_committee",
    "report_year": 2026,
    "counted_until": "2026-12-31",
    "issuer_name": "Đảng bộ xã An Bình",
    "superior_name": "Đảng bộ tỉnh Bình An",
    "target": 12,
    "decided": 11,
    "admitted": 10,
    "recognized": 8,
    "quarters": {
        "decided": [2, 4, 3, 2],
        "admitted": [1, 4, 3, 2],
        "recognized": [2, 2, 2, 2],
    },
    "breakdowns": {
        "female": 4,
        "ethnic_minority": 1,
        "religious": 0,
        "youth_union": 7,
        "private_sector_worker": 2,
        "student": 0,
    },
}
_TRANSFER = {
    "member_name": "Lê Văn Minh",
    "member_birth_date": "1985-09-23",
    "member_joined_on": "2012-05-19",
    "member_full_from": "2013-05-19",
    "member_probationary": False,
    "member_probation_ends": None,
    "from_cell_name": "Chi bộ thôn Đông Hòa",
    "grassroots_name": "Đảng bộ xã An Bình",
    "destination_name": "Chi bộ Trường Tiểu học Tân Lập",
    "to_cell_name": None,
    "transfer_kind": "official",
    "transfer_reason": "new_job",
    "trigger_on": "2026-03-16",
    "start_due": "2026-06-10",
    "returns_on": None,
    "present_due": "2026-05-19",
    "portal_reference": None,
    "hops": [
        {
            "from_name": "Chi bộ thôn Đông Hòa",
            "to_name": "Đảng bộ xã An Bình",
            "letter_no": "12-CV/CB",
            "on": "2026-03-30",
        },
        {
            "from_name": "Đảng bộ xã An Bình",
            "to_name": "Đảng ủy xã Tân Lập",
            "letter_no": "5-GGT/ĐU",
            "on": "2026-04-02",
        },
    ],
    "issuer_name": "Đảng bộ xã An Bình",
    "superior_name": "Đảng bộ tỉnh Bình An",
    "issuer_kind": "grassroots_committee",
}

SAMPLES: dict[PaperKind, Sample] = {
    PaperKind.cell_resolution: Sample(
        PaperKind.cell_resolution,
        "7-NQ/CB",
        "An Bình",
        date(2026, 3, 6),
        facts=_ADMISSION
        | {"issuer_name": "Chi bộ thôn Đông Hòa", "superior_name": "Đảng bộ xã An Bình"},
    ),
    PaperKind.admission_decision: Sample(
        PaperKind.admission_decision,
        "45-QĐ/ĐU",
        "An Bình",
        date(2026, 3, 25),
        facts=_ADMISSION
        | {"issuer_name": "Đảng bộ xã An Bình", "superior_name": "Đảng bộ tỉnh Bình An"},
    ),
    PaperKind.dissolution_decision: Sample(
        PaperKind.dissolution_decision, "3-QĐ/ĐU", "An Bình", date(2026, 8, 17), facts=_DISSOLUTION
    ),
    PaperKind.quota_report: Sample(
        PaperKind.quota_report, "2-BC/ĐU", "An Bình", date(2027, 1, 8), facts=_QUOTA
    ),
    PaperKind.transfer_letter: Sample(  # issue 16: an official transfer, two hops so far
        PaperKind.transfer_letter,
        "5-GGT/ĐU",
        "An Bình",
        date(2026, 4, 2),
        facts=_TRANSFER,
    ),
    PaperKind.grassroots_resolution: Sample(
        PaperKind.grassroots_resolution,
        "18-NQ/ĐU",
        "An Bình",
        date(2026, 3, 20),
        facts=_ADMISSION
        | {
            "issuer_name": "Đảng bộ xã An Bình",
            "superior_name": "Đảng bộ tỉnh Bình An",
            "deciding_name": "Đảng bộ xã An Bình",
            "cell_resolution_symbol": "7-NQ/CB",
            "cell_resolution_on": "2026-03-06",
        },
    ),
    PaperKind.recognition_decision: Sample(
        PaperKind.recognition_decision,
        "52-QĐ/ĐU",
        "An Bình",
        date(2027, 4, 12),
        facts={
            "member_name": "Nguyễn Thị Thu Hà",
            "member_birth_date": "1998-04-12",
            "cell_name": "Chi bộ thôn Đông Hòa",
            "grassroots_name": "Đảng bộ xã An Bình",
            "issuer_name": "Đảng bộ xã An Bình",
            "superior_name": "Đảng bộ tỉnh Bình An",
            "step_on": "2027-04-12",
            "admitted_on": "2026-03-25",
            "joined_on": "2026-04-08",
            "full_from": "2027-04-08",
            "review_vote_on": "2027-04-09",
            "review_on_roll": 24,
            "review_votes_for": 23,
            "review_votes_against": 1,
        },
    ),
}
