"""A person (candidate or member): the personal data, kept apart from the process records.

Ids of people are derived from a keyed hash of the citizen ID, so an id reveals nothing and the
same person always maps to the same aggregate (which is what lets it refuse a second live case).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import policy
from domain.errors import RuleViolation
from domain.record import Recorded
from domain.values import Departure, Stamp
from domain.values import PersonalData as PersonalData  # re-exported: a value of values.py


class Person(Recorded):
    """One person across their cases and their membership."""

    @event("Registered")
    def __init__(self, id: UUID, data: PersonalData, stamp: Stamp) -> None:
        self.data = data
        self.open_case_id: UUID | None = None
        self.case_ids: list[UUID] = []
        self.member_id: UUID | None = None
        self.left_party_on: date | None = None
        self.departure: Departure | None = None  # how they left, on `left_party_on`
        self.expunged_on: date | None = None  # READMIT: a lesser crime's record expunged

    def correct(self, data: PersonalData, stamp: Stamp) -> None:
        """A correction is a new record, never an edit (docs/rulebook.md §4)."""
        if data.citizen_id != self.data.citizen_id:
            raise RuleViolation(
                "NOT-FOUND",
                "Số CCCD xác định người: không sửa được, hãy đăng ký người khác",
                "The citizen ID identifies the person: it cannot be corrected in place",
            )
        if data != self.data:
            self._corrected(data=data, stamp=stamp)

    @event("Corrected")
    def _corrected(self, data: PersonalData, stamp: Stamp) -> None:
        self.data = data

    def open_case(self, case_id: UUID, stamp: Stamp) -> None:
        """CASE-UNIQUE, READMIT: at most one live case; none for a current member."""
        if self.open_case_id is not None and self.open_case_id != case_id:
            raise RuleViolation(
                "CASE-UNIQUE",
                "Người này đang có một hồ sơ kết nạp chưa kết thúc",
                "This person already has an admission case in progress",
            )
        if self.member_id is not None and self.left_party_on is None:
            raise RuleViolation(
                "CASE-UNIQUE",
                "Người này đã là đảng viên",
                "This person is already a party member",
            )
        if self.left_party_on is not None:
            policy.check_readmission(self.left_party_on, stamp.effective_on, self.expunged_on)
        if self.open_case_id is None:
            self._case_opened(case_id=case_id, stamp=stamp)

    @event("CaseOpened")
    def _case_opened(self, case_id: UUID, stamp: Stamp) -> None:
        self.open_case_id = case_id
        self.case_ids.append(case_id)

    def close_case(self, case_id: UUID, member_id: UUID | None, stamp: Stamp) -> None:
        if self.open_case_id == case_id:
            self._case_closed(case_id=case_id, member_id=member_id, stamp=stamp)

    @event("CaseClosed")
    def _case_closed(self, case_id: UUID, member_id: UUID | None, stamp: Stamp) -> None:
        self.open_case_id = None
        if member_id is not None:
            self.member_id = member_id
            self.left_party_on = None
            self.departure = None
            self.expunged_on = None

    def record_membership(self, member_id: UUID, stamp: Stamp) -> None:
        """A member admitted before dangvien, registered from the paper dossier."""
        if self.member_id is not None and self.left_party_on is None:
            raise RuleViolation(
                "CASE-UNIQUE", "Người này đã là đảng viên", "This person is already a party member"
            )
        if self.open_case_id is not None:  # their admission is under way here: not on paper
            raise RuleViolation(
                "CASE-UNIQUE",
                "Người này đang có hồ sơ kết nạp chưa kết thúc",
                "This person has an admission case in progress",
            )
        self._membership_recorded(member_id=member_id, stamp=stamp)

    @event("MembershipRecorded")
    def _membership_recorded(self, member_id: UUID, stamp: Stamp) -> None:
        self.member_id = member_id
        self.left_party_on = None
        self.departure = None
        self.expunged_on = None

    def leave_party(self, kind: Departure, stamp: Stamp) -> None:
        """Out of the Party, by request, striking off or expulsion: the READMIT clock starts."""
        self._departed(kind=Departure(kind), stamp=stamp)

    @event("Departed")
    def _departed(self, kind: Departure, stamp: Stamp) -> None:
        self.left_party_on = stamp.effective_on
        self.departure = Departure(kind)
        self.expunged_on = None

    @event("LeftParty")
    def _left(self, expunged_lesser_crime: bool, stamp: Stamp) -> None:
        """Recorded before departures had a kind, by striking a probationer off (the only way
        out then): read as a striking off. The flag was always false then; were it true, its
        date was that of the expungement, as READMIT's 60 months read it."""
        self.left_party_on = stamp.effective_on
        self.departure = Departure.struck_off
        self.expunged_on = stamp.effective_on if expunged_lesser_crime else None

    def record_expungement(self, stamp: Stamp) -> None:
        """READMIT: the record of a lesser crime expunged, after leaving the Party."""
        if self.left_party_on is None:
            raise RuleViolation(
                "READMIT",
                "Chỉ ghi ngày xóa án tích cho người đã ra khỏi Đảng",
                "An expungement is recorded only for someone who has left the Party",
            )
        policy.check_not_before(stamp.effective_on, self.left_party_on)
        self._expunged(stamp=stamp)

    @event("Expunged")
    def _expunged(self, stamp: Stamp) -> None:
        self.expunged_on = stamp.effective_on
