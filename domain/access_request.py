"""A data subject's request to see the personal data the record holds about them (issue 18,
item 4; docs/privacy.md), and its answers.

Vietnam's Law on Personal Data Protection (No. 91/2025/QH15, in force 2026-01-01) gives the data
subject the rights to view their data and to ask for it to be provided (Art. 4 §1, as the
press reports it; the point letters and the time limit set by the Government's decree are S).
Before the law, Decree 13/2023/NĐ-CP gave the same rights (Art. 9 §3 and §7, Art. 14). The
department records who asked, when, how and on which ground; each file it hands over is an
answer, recorded with the file's SHA-256 so the copy handed over can be recognised later.

A request is its own aggregate (its id comes from the command key: a repeat is a no-op); the
requests about one person are listed by `AccessRequestLog` (like the papers of a record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import RuleViolation
from domain.record import Recorded
from domain.values import Actor, Stamp


class RequestedBy(StrEnum):
    """Who asked: the person the data is about, or someone acting for them."""

    data_subject = "data_subject"
    representative = "representative"  # a legal representative or an authorised person


class RequestChannel(StrEnum):
    """How the request reached the department."""

    in_person = "in_person"
    post = "post"
    email = "email"
    online = "online"  # the public-service portal or another online form
    other = "other"


class AccessGround(StrEnum):
    """The legal ground of the request (GROUNDS says what each is and when it applies)."""

    pdp_law_2025 = "pdp_law_2025"
    pdp_decree_2023 = "pdp_decree_2023"


@dataclass(frozen=True)
class Ground:
    """A legal ground of the right of access, and the days it applies to."""

    in_force_from: date
    until: date | None  # the first day it no longer applies (None: still in force)
    vi: str
    en: str

    def applies_on(self, day: date) -> bool:
        return self.in_force_from <= day and (self.until is None or day < self.until)


GROUNDS: dict[AccessGround, Ground] = {
    # C for the law, its number and its entry into force; S for the article's point letters.
    AccessGround.pdp_law_2025: Ground(
        date(2026, 1, 1),
        None,
        "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, Điều 4 khoản 1: quyền xem và yêu cầu "
        "cung cấp dữ liệu cá nhân của mình",
        "Law on Personal Data Protection No. 91/2025/QH15, Art. 4 §1: the rights to view one's "
        "personal data and to ask for it to be provided",
    ),
    # C for the decree and its articles; S for the day the law's decree replaced it.
    AccessGround.pdp_decree_2023: Ground(
        date(2023, 7, 1),
        date(2026, 1, 1),
        "Nghị định 13/2023/NĐ-CP, Điều 9 khoản 3 và 7, Điều 14: quyền truy cập và quyền yêu "
        "cầu cung cấp dữ liệu cá nhân",
        "Decree 13/2023/NĐ-CP, Art. 9 §3 and §7, Art. 14: the rights of access and to ask "
        "for one's personal data to be provided",
    ),
}


def ground_on(day: date) -> AccessGround | None:
    """The ground of a request received on `day` (None: no right of access was in force)."""
    return next((g for g, found in GROUNDS.items() if found.applies_on(day)), None)


def check_ground(ground: AccessGround, received_on: date) -> None:
    """PDP-GROUND: the ground named applies to the day the request was received."""
    if not GROUNDS[AccessGround(ground)].applies_on(received_on):
        right = ground_on(received_on)
        raise RuleViolation(
            "PDP-GROUND",
            "Căn cứ pháp lý này không áp dụng cho ngày nhận yêu cầu"
            + (f" (áp dụng: {GROUNDS[right].vi})" if right else ""),
            "This legal ground does not apply to the day the request was received"
            + (f" (it is: {GROUNDS[right].en})" if right else ""),
            field="ground",
        )


@dataclass(frozen=True)
class Requester:
    """Who made a request, as they gave it: personal data, a value of its own so that it is
    sealed with the person's other personal values (docs/adr/0002-per-person-keys.md)."""

    full_name: str
    capacity: str = ""  # a representative's: an authorisation, a guardianship…


def check_requester(requested_by: RequestedBy, requester: Requester) -> None:
    """PDP-REQUESTER: who asked is named; a representative says in what capacity (the
    authorisation or the legal representation they showed)."""
    if not requester.full_name.strip():
        raise RuleViolation(
            "PDP-REQUESTER",
            "Hãy ghi họ tên người yêu cầu",
            "Name the person who made the request",
            field="requester_name",
        )
    representative = RequestedBy(requested_by) is RequestedBy.representative
    if representative and not requester.capacity.strip():
        raise RuleViolation(
            "PDP-REQUESTER",
            "Người đại diện phải ghi tư cách đại diện (giấy ủy quyền, người giám hộ…)",
            "A representative states in what capacity they act (an authorisation, a guardian…)",
            field="requester_capacity",
        )


@dataclass(frozen=True)
class Answer:
    """A file handed over: its fingerprint, on which day, by whom."""

    sha256: str
    size: int
    answered_on: date
    by: Actor


class AccessRequest(Recorded):
    """One request to see one's personal data, and the files handed over in answer."""

    @event("AccessRequested")
    def __init__(
        self,
        id: UUID,
        person_id: UUID,
        requested_by: RequestedBy,
        requester: Requester,
        channel: RequestChannel,
        ground: AccessGround,
        stamp: Stamp,
    ) -> None:
        self.person_id = person_id  # whose personal data this is (and the requester's owner)
        self.requested_by = RequestedBy(requested_by)
        self.requester = requester
        self.channel = RequestChannel(channel)
        self.ground = AccessGround(ground)
        self.received_on: date = stamp.effective_on
        self.recorded_by: Actor = stamp.actor
        self.answers: list[Answer] = []

    @property
    def requester_name(self) -> str:
        return self.requester.full_name

    @property
    def requester_capacity(self) -> str:
        return self.requester.capacity

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    def answer(self, sha256: str, size: int, stamp: Stamp) -> None:
        """A file handed over (DATE-ORDER: not before the request was received)."""
        if stamp.effective_on < self.received_on:
            raise RuleViolation(
                "DATE-ORDER",
                "Không trả lời trước ngày nhận yêu cầu",
                "A request is not answered before the day it was received",
            )
        self._answered(sha256=sha256, size=size, stamp=stamp)

    @event("AccessAnswered")
    def _answered(self, sha256: str, size: int, stamp: Stamp) -> None:
        self.answers.append(Answer(sha256, size, stamp.effective_on, stamp.actor))


def log_id(namespace: UUID, person_id: UUID) -> UUID:
    return uuid5(namespace, f"access-requests/{person_id}")


class AccessRequestLog(Recorded):
    """The access requests about one person, in the order they were recorded."""

    @event("AccessRequestLogOpened")
    def __init__(self, id: UUID, person_id: UUID, stamp: Stamp) -> None:
        self.person_id = person_id
        self.requests: list[UUID] = []

    def file(self, request_id: UUID, stamp: Stamp) -> None:
        self._filed(request_id=request_id, stamp=stamp)

    @event("AccessRequestFiled")
    def _filed(self, request_id: UUID, stamp: Stamp) -> None:
        self.requests.append(request_id)
