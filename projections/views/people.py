"""People: no row of their own but the blind index of their name (the keyed hashes of its
folded tokens, domain/names.py: never the name). A person matters to the rest of the read
model only through the breakdown flags of their cases (docs/readmodels.md), kept as a bitmask
per person."""

from __future__ import annotations

from collections.abc import Callable
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
    """Every person's flags met this run; corrections update their cases' rows. The name
    index of the people this projector owns (a partition: its share of them)."""

    def __init__(
        self,
        scope: Scope,
        decode: Decoder,
        repository: Repository,
        until: datetime | None,
        name_index: Callable[[str], frozenset[int]],
    ) -> None:
        self.scope, self.decode, self.repository, self.until = scope, decode, repository, until
        self.name_index = name_index
        self._flags: dict[UUID, int] = {}
        self._registered: dict[UUID, Entry] = {}  # registrations not decoded yet
        self.corrected: dict[UUID, int] = {}  # people whose data was corrected in the batch
        self.named: dict[UUID, frozenset[int]] = {}  # names registered or corrected in it

    def _owns(self, person_id: UUID) -> bool:
        partition = self.scope.partition
        return partition is None or partition.owns(person_id)

    def apply(self, notification: Entry) -> None:
        """Registered and corrected data change the flags and the name's tokens; other
        events are not decoded."""
        name = notification.topic.rsplit(".", 1)[-1]
        if name not in ("Registered", "Corrected"):
            return
        owned = self._owns(notification.originator_id)
        if name == "Registered" and self.until is None and not owned:
            # Another partition indexes this person's name, and most people are members with
            # no case: their registration is checked now and decoded only when a case row of
            # this partition needs it.
            self.decode.verify(notification)
            self._registered[notification.originator_id] = notification
            return
        event: Any = self.decode(notification)
        if self.until is not None and event.timestamp > self.until:
            return
        person_id = event.originator_id
        flags = pack(person_flags(event.data))  # both events carry all the data
        if name == "Corrected":
            self.corrected[person_id] = flags
            self._registered.pop(person_id, None)
        self._flags[person_id] = flags
        if owned:
            self.named[person_id] = self.name_index(event.data.full_name)

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
        self.named.clear()

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        """The names' tokens, replaced; flags follow corrections, on every case of the
        person (this partition's)."""
        self._index_names(conn)
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

    def _index_names(self, conn: sa.Connection) -> None:
        if not self.named:
            return
        names = self.scope.t.name_tokens
        corrected = [p for p in self.named if p in self.corrected]
        for first in range(0, len(corrected), 500):
            conn.execute(
                sa.delete(names).where(names.c.person_id.in_(corrected[first : first + 500]))
            )
        rows = [
            {"token": token, "person_id": person_id}
            for person_id, tokens in self.named.items()
            for token in tokens
        ]
        self.scope.upsert(conn, names, rows)
