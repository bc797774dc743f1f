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
    PaperKind.transfer_letter: Sample(  # issue 16: an official transfer, two hops so far
        PaperKind.transfer_letter,
        "5-GGT/ĐU",
        "An Bình",
        date(2026, 4, 2),
        facts=_TRANSFER,
    ),
}
