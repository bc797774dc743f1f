"""Official papers generated from the record (docs/documents.md): the paper itself, issued once
and never edited, and the issuing body's register that numbers its papers.

A register is one aggregate per issuing body, book (NQ resolutions, QĐ decisions) and year:
its numbers are its events, so two papers issued at once both try to write the register's
next version and the store lets one of them through; the other retries with the next number
(gapless, never doubled). A correction issues a new paper that supersedes the old one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import RuleViolation
from domain.record import Recorded
from domain.values import OrgKind, Stamp


class PaperKind(StrEnum):
    """The papers the record can issue; each is described once in FORMS."""

    cell_resolution = "cell_resolution"  # nghị quyết chi bộ đề nghị kết nạp
    admission_decision = "admission_decision"  # quyết định kết nạp (9-KNĐ)
    # issue 16, the grassroots committee's resolution and the recognition (docs/documents.md)
    grassroots_resolution = "grassroots_resolution"  # nghị quyết đảng ủy đề nghị kết nạp
    recognition_decision = "recognition_decision"  # quyết định công nhận đảng viên chính thức
    # issue 16, papers about an organization (domain/services/paper_statements_org.py)
    dissolution_decision = "dissolution_decision"  # quyết định giải thể chi bộ
    quota_report = "quota_report"  # báo cáo kết quả kết nạp đảng viên của năm
    # issue 16, the transfer letter (giấy giới thiệu sinh hoạt đảng), with a box per hop
    transfer_letter = "transfer_letter"


class PaperSubject(StrEnum):
    """What a paper is about: the record its id names (`Paper.subject_id`)."""

    admission = "admission"  # an admission case
    member = "member"  # a member's probation and recognition
    transfer = "transfer"  # one transfer of party activity
    dissolution = "dissolution"  # a dissolved cell (its id)
    quota = "quota"  # a unit's year (quota_subject_id)


@dataclass(frozen=True)
class Form:
    """A kind of paper: the register book it is numbered in, the record it is about, the
    signatory's usual title (the issuer may give another), and the step it records (the
    record's page offers the paper right after that step: docs/documents.md)."""

    book: str
    subject: PaperSubject
    title: str = "BÍ THƯ"
    step: str = ""


FORMS: dict[PaperKind, Form] = {
    PaperKind.cell_resolution: Form("NQ", PaperSubject.admission, step="record_cell_vote"),
    PaperKind.grassroots_resolution: Form(  # between them: FORMS is in the order of the steps
        "NQ", PaperSubject.admission, step="record_committee_vote"
    ),
    PaperKind.admission_decision: Form("QĐ", PaperSubject.admission, step="decide"),
    PaperKind.recognition_decision: Form("QĐ", PaperSubject.member, step="recognize"),
    PaperKind.dissolution_decision: Form("QĐ", PaperSubject.dissolution),
    PaperKind.quota_report: Form("BC", PaperSubject.quota),
    PaperKind.transfer_letter: Form("GGT", PaperSubject.transfer),
}


def kinds_about(subject: PaperSubject) -> list[PaperKind]:
    """The kinds of paper a record of this subject can have, in the order of its steps."""
    return [kind for kind, form in FORMS.items() if form.subject is subject]


def quota_subject_id(namespace: UUID, org_id: UUID, year: int) -> UUID:
    """A unit's year, as the subject of its quota report."""
    return uuid5(namespace, f"quota/{org_id}/{year}")


# The issuing body's short sign after the slash of a symbol (Hướng dẫn 36-HD/VPTW).
SIGN = {
    OrgKind.cell: "CB",
    OrgKind.grassroots_cell: "CB",
    OrgKind.grassroots_committee: "ĐU",
    OrgKind.intermediate_committee: "ĐU",
    OrgKind.commune_committee: "ĐU",
    OrgKind.district_committee: "HU",
    OrgKind.province_committee: "TU",
}

# Words that name the kind of a body or a place rather than the place itself.
_PREFIX = re.compile(
    r"^(?:(?:đảng ủy|đảng bộ|chi bộ|ban thường vụ|huyện ủy|tỉnh ủy|thành ủy|cơ sở|bộ phận)\s+)*"
    r"(?:(?:xã|phường|thị trấn|thôn|ấp|bản|tổ dân phố|khu phố|huyện|quận|tỉnh|thành phố)\s+)?",
    re.IGNORECASE,
)


def place_of(body_name: str) -> str:
    """The place a body's papers are dated at: "Đảng ủy xã Tân An" → "Tân An"."""
    return _PREFIX.sub("", body_name.strip()) or body_name.strip()


def register_id(namespace: UUID, org_id: UUID, book: str, year: int) -> UUID:
    return uuid5(namespace, f"register/{org_id}/{book}/{year}")


def symbol(number: int, kind: PaperKind, org_kind: OrgKind) -> str:
    """ "12-NQ/CB": the number, the book, the issuing body's sign."""
    return f"{number}-{FORMS[kind].book}/{SIGN[org_kind]}"


class Register(Recorded):
    """The issuing body's book of numbers for a year (sổ đăng ký văn bản)."""

    @event("RegisterOpened")
    def __init__(self, id: UUID, org_id: UUID, book: str, year: int, stamp: Stamp) -> None:
        self.org_id = org_id
        self.book = book
        self.year = year
        self.taken: dict[int, UUID] = {}

    @property
    def next_number(self) -> int:
        return len(self.taken) + 1

    def take(self, paper_id: UUID, stamp: Stamp) -> int:
        """The next number, for `paper_id`; the register's version is the guard of its order."""
        number = self.next_number
        self._taken(number=number, paper_id=paper_id, stamp=stamp)
        return number

    @event("NumberTaken")
    def _taken(self, number: int, paper_id: UUID, stamp: Stamp) -> None:
        self.taken[number] = paper_id


class Paper(Recorded):
    """An issued paper: what it states is fixed when it is issued (a snapshot of the record's
    facts); a correction is a new paper, and this one only learns it was superseded."""

    @event("PaperIssued")
    def __init__(
        self,
        id: UUID,
        kind: PaperKind,
        case_id: UUID,
        org_id: UUID,
        year: int,
        number: int,
        symbol: str,
        place: str,
        signatory_title: str,
        facts: dict[str, Any],
        replaces: UUID | None,
        stamp: Stamp,
    ) -> None:
        self.kind = PaperKind(kind)
        self.case_id = case_id
        self.org_id = org_id
        self.year = year
        self.number = number
        self.symbol = symbol
        self.place = place
        self.issued_on: date = stamp.effective_on
        self.signatory_title = signatory_title
        self.facts = dict(facts)
        self.replaces = replaces
        self.issued_by = stamp.actor
        self.superseded_by: UUID | None = None
        self.superseded_on: date | None = None
        self.superseded_reason = ""

    @property
    def subject_id(self) -> UUID:
        """The record the paper is about (its kind's subject); recorded as `case_id` since the
        first papers were all about admission cases."""
        return self.case_id

    @property
    def subject(self) -> PaperSubject:
        return FORMS[self.kind].subject

    def supersede(self, by: UUID, reason: str, stamp: Stamp) -> None:
        """PAPER-SUPERSEDED: a paper is superseded once; its history stays."""
        if self.superseded_by is not None:
            raise RuleViolation(
                "PAPER-SUPERSEDED",
                "Giấy tờ này đã được thay thế bằng một giấy tờ khác",
                "This paper has already been superseded by another",
                paper=str(self.id),
            )
        if stamp.effective_on < self.issued_on:
            raise RuleViolation(
                "DATE-ORDER",
                "Ngày thay thế không được trước ngày ban hành",
                "A paper is not superseded before the day it was issued",
            )
        self._superseded(by=by, reason=reason, stamp=stamp)

    def record_download(self, stamp: Stamp) -> None:
        """Who took a copy, and when (every download is an event with its actor)."""
        self._downloaded(stamp=stamp)

    @event("PaperDownloaded")
    def _downloaded(self, stamp: Stamp) -> None:
        self.downloads = self.__dict__.get("downloads", 0) + 1

    @event("PaperSuperseded")
    def _superseded(self, by: UUID, reason: str, stamp: Stamp) -> None:
        self.superseded_by = by
        self.superseded_on = stamp.effective_on
        self.superseded_reason = reason


class PaperCode(Recorded):
    """Where a verification code leads: its id is a keyed hash of the code (never the code
    itself), so a code is found without being stored in clear."""

    @event("PaperCodeRegistered")
    def __init__(self, id: UUID, paper_id: UUID, stamp: Stamp) -> None:
        self.paper_id = paper_id


class CasePapers(Recorded):
    """The papers issued about one record (a case, a member, a transfer, a dissolved cell, a
    unit's year), in order: its page lists them. `case_id` is that record's id."""

    @event("PaperFileOpened")
    def __init__(self, id: UUID, case_id: UUID, stamp: Stamp) -> None:
        self.case_id = case_id
        self.papers: list[UUID] = []

    def file(self, paper_id: UUID, stamp: Stamp) -> None:
        self._filed(paper_id=paper_id, stamp=stamp)

    @event("PaperFiled")
    def _filed(self, paper_id: UUID, stamp: Stamp) -> None:
        self.papers.append(paper_id)
