"""People: no row of their own. A person matters to the read model only through the
breakdown flags of their cases (docs/readmodels.md), kept as a bitmask per person; their
registration is decoded only when a case row first needs it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.application import Repository

from domain.person import PersonalData
from domain.values import Gender
from projections.log import Decoder, Entry
from projections.views import Batch, Scope, View

PRIVATE_SECTOR = {"private_enterprise_worker", "foreign_invested_worker"}
BREAKDOWNS = (  # the groups a quota is broken down by (docs/readmodels.md)
    "female",
    "ethnic_minority",
    "religious",
    "youth_union",
    "private_sector_worker",
    "student",
)


def person_flags(data: PersonalData | None) -> dict[str, bool]:
    """The breakdowns, as flags only, from a person's data (all of it comes with their
    registration or a correction)."""
    if data is None:
        return dict.fromkeys(BREAKDOWNS, False)
    return {
        "female": data.gender == Gender.female,
        "ethnic_minority": data.ethnicity.strip().lower() not in ("kinh", ""),
        "religious": bool(data.religion),
        "youth_union": data.youth_union_member,
        "private_sector_worker": data.occupation in PRIVATE_SECTOR,
        "student": data.occupation == "student",
    }


def pack(flags: dict[str, bool]) -> int:
    return sum(1 << i for i, name in enumerate(BREAKDOWNS) if flags[name])


def unpack(bits: int) -> dict[str, bool]:
    return {name: bool(bits >> i & 1) for i, name in enumerate(BREAKDOWNS)}


class People(View):
    """Every person's flags met this run; corrections update their cases' rows."""

    def __init__(
        self, scope: Scope, decode: Decoder, repository: Repository, until: datetime | None
    ) -> None:
        self.scope, self.decode, self.repository, self.until = scope, decode, repository, until
        self._flags: dict[UUID, int] = {}
        self._registered: dict[UUID, Entry] = {}  # registrations not decoded yet
        self.corrected: dict[UUID, int] = {}  # people whose data was corrected in the batch

    def apply(self, notification: Entry) -> None:
        """Registered and corrected data change the flags; other events are not decoded."""
        name = notification.topic.rsplit(".", 1)[-1]
        if name not in ("Registered", "Corrected"):
            return
        if name == "Registered" and self.until is None:
            # Most people are members with no case in this projection (or its partition):
            # their registration is checked now and decoded only when a case row needs it.
            self.decode.verify(notification)
            self._registered[notification.originator_id] = notification
            return
        event: Any = self.decode(notification)
        if self.until is not None and event.timestamp > self.until:
            return
        flags = pack(person_flags(event.data))  # both events carry all the data
        if name == "Corrected":
            self.corrected[event.originator_id] = flags
            self._registered.pop(event.originator_id, None)
        self._flags[event.originator_id] = flags

    def flags(self, person_id: UUID) -> dict[str, bool]:
        flags = self._flags.get(person_id)
        if flags is None:
            registered = self._registered.pop(person_id, None)
            data: PersonalData = (
                self.decode(registered).data
                if registered is not None
                else self.repository.get(person_id).data  # registered before this run
            )
            flags = self._flags[person_id] = pack(person_flags(data))
        return unpack(flags)

    def forget(self) -> None:
        self._flags.clear()
        self._registered.clear()
        self.corrected.clear()

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        """Flags follow corrections, on every case of the person (this partition's)."""
        if not self.corrected:
            return
        t = self.scope.t
        conn.execute(
            sa.update(t.cases)
            .where(
                t.cases.c.person_id == sa.bindparam("person"), *self.scope.owned(t.cases.c.id, conn)
            )
            .values({name: sa.bindparam(f"new_{name}") for name in BREAKDOWNS}),
            [
                {"person": k, **{f"new_{n}": v for n, v in unpack(bits).items()}}
                for k, bits in self.corrected.items()
            ],
        )
