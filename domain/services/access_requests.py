"""Access requests (issue 18, item 4; domain/access_request.py, docs/privacy.md): recorded once
per command key, listed per person, each file handed over recorded as an answer."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain import policy
from domain.access_request import (
    AccessGround,
    AccessRequest,
    AccessRequestLog,
    RequestChannel,
    RequestedBy,
    Requester,
    check_ground,
    check_requester,
    ground_on,
    log_id,
)
from domain.errors import ConcurrencyConflict, RuleViolation
from domain.person import Person
from domain.services.store import NAMESPACE, Context, Store

RETRIES = 20  # two requests about one person recorded at once: the log lets one through first


class AccessRequests(Store):
    """Record a request to see one's personal data, and each file handed over in answer."""

    def record_access_request(
        self,
        ctx: Context,
        *,
        request_id: UUID,
        person_id: UUID,
        requested_by: RequestedBy,
        requester_name: str,
        requester_capacity: str,
        channel: RequestChannel,
        received_on: date,
        today: date,
        ground: AccessGround | None = None,
    ) -> UUID:
        """The request about a recorded person, received on a day that has come (DATE-ORDER),
        on a ground that applies to that day (PDP-GROUND; by default the one in force), from
        a named requester (PDP-REQUESTER). The same command again is a no-op."""
        policy.check_not_after_today(received_on, today, field="received_on")
        requester = Requester(requester_name.strip(), requester_capacity.strip())
        check_requester(requested_by, requester)
        chosen = ground or ground_on(received_on)
        if chosen is None:
            raise RuleViolation(
                "PDP-GROUND",
                "Chưa có quy định về quyền truy cập dữ liệu cá nhân vào ngày nhận yêu cầu",
                "No right of access to personal data was in force on the day it was received",
                field="received_on",
            )
        check_ground(chosen, received_on)
        self.load(Person, person_id)  # NOT-FOUND before anything is written
        for _ in range(RETRIES):
            try:
                with self.unit(ctx) as unit:
                    unit.once_new(request_id)
                    stamp = unit.stamp(received_on)
                    unit.add(
                        AccessRequest(
                            id=request_id,
                            person_id=person_id,
                            requested_by=RequestedBy(requested_by),
                            requester=requester,
                            channel=RequestChannel(channel),
                            ground=AccessGround(chosen),
                            stamp=stamp,
                        )
                    )
                    listed_id = log_id(NAMESPACE, person_id)
                    if self.exists(listed_id):
                        listed = unit.load(AccessRequestLog, listed_id)
                    else:
                        listed = AccessRequestLog(
                            id=listed_id, person_id=person_id, stamp=unit.stamp(received_on, "log")
                        )
                        unit.add(listed)
                    listed.file(request_id, unit.stamp(received_on, "filed"))
                return request_id
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"access requests busy after {RETRIES} attempts")

    def record_access_answer(
        self, ctx: Context, request_id: UUID, *, sha256: str, size: int, on: date
    ) -> None:
        """A file handed over in answer: an event with its actor and the file's SHA-256."""
        for _ in range(RETRIES):
            try:
                with self.unit(ctx) as unit:
                    unit.once(AccessRequest, request_id).answer(sha256, size, unit.stamp(on))
                return
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"access request busy after {RETRIES} attempts")

    def access_requests_of(self, person_id: UUID) -> list[AccessRequest]:
        """The requests about a person, in the order they were recorded."""
        listed_id = log_id(NAMESPACE, person_id)
        if not self.exists(listed_id):
            return []
        listed = self.load(AccessRequestLog, listed_id)
        return [self.load(AccessRequest, r) for r in listed.requests]
