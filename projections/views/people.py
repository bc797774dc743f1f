"""People: no row of their own but the blind index of their name (the keyed hashes of its
folded tokens, domain/names.py: never the name) and, for the people with a case, their
breakdown groups sealed (projections/seal.py). A person matters to the rest of the read model
only through the quota's counts of the admitted by group (`admitted_groups`), which this view
keeps as ceremonies are projected and people corrected: no row holds a person's group in
clear (issue 18 item 5, docs/privacy.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.application import Repository

from domain.admission import Stage
from domain.person import PersonalData
from domain.values import Gender
from projections.log import Decoder, Entry
from projections.seal import GroupSeal
from projections.upsert import dialect
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
    """Every person's groups met this run (a bitmask); the sealed groups of the people whose
    cases this projector writes, and the counts of the admitted by group, moved by each
    ceremony and correction. The name index of the people this projector owns (a partition:
    its share of them)."""

    def __init__(
        self,
        scope: Scope,
        decode: Decoder,
        repository: Repository,
        until: datetime | None,
        name_index: Callable[[str], frozenset[int]],
        seal: GroupSeal,
    ) -> None:
        self.scope, self.decode, self.repository, self.until = scope, decode, repository, until
        self.name_index, self.seal = name_index, seal
        # The groups of each person met this run: as the log says at the position, or as the
        # sealed row counted them (a person met again after a restart).
        self._flags: dict[UUID, int] = {}
        self._registered: dict[UUID, Entry] = {}  # registrations not decoded yet
        self._recorded: dict[UUID, int] = {}  # what each sealed row holds, as far as known
        self._recording: dict[UUID, int] = {}  # the rows this batch writes (known on commit)
        self.corrected: dict[UUID, int] = {}  # people whose data was corrected in the batch
        # Their groups before the batch, when this run knew them (None: the sealed row says).
        self.previous: dict[UUID, int | None] = {}
        self.written: set[UUID] = set()  # people whose cases' rows the batch writes
        self.named: dict[UUID, frozenset[int]] = {}  # names registered or corrected in it

    def _owns(self, person_id: UUID) -> bool:
        partition = self.scope.partition
        return partition is None or partition.owns(person_id)

    def apply(self, notification: Entry) -> None:
        """Registered and corrected data change the groups and the name's tokens; other
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
            if person_id not in self.previous:  # what the counts hold them as
                self.previous[person_id] = self._known(person_id)
            self.corrected[person_id] = flags
            self._registered.pop(person_id, None)
        self._flags[person_id] = flags
        if owned:
            self.named[person_id] = self.name_index(event.data.full_name)

    def _known(self, person_id: UUID) -> int | None:
        """The person's groups as this run knows them, without asking the database."""
        flags = self._flags.get(person_id)
        if flags is None and (registered := self._registered.pop(person_id, None)) is not None:
            flags = self._flags[person_id] = pack(person_flags(self.decode(registered).data))
        return flags

    def groups(self, person_id: UUID, conn: sa.Connection) -> int:
        """A person's groups (bitmask) for a row of theirs this batch writes: as this run
        knows them; else as their sealed row counted them (the counts and the row must
        agree: the store may already hold a correction the log has not reached); else from
        the store (a person registered before this run, met for the first time)."""
        flags = self._known(person_id)
        if flags is None:
            t = self.scope.t
            sealed = conn.execute(
                sa.select(t.person_groups.c.sealed).where(t.person_groups.c.person_id == person_id)
            ).scalar()
            if sealed is not None:
                flags = self._recorded[person_id] = self.seal.open(person_id, sealed)
            else:
                data: PersonalData = self.repository.get(person_id).data
                flags = pack(person_flags(data))
            self._flags[person_id] = flags
        self.written.add(person_id)
        return flags

    def forget(self) -> None:
        self._flags.clear()
        self._registered.clear()
        self._recorded.clear()
        self._recording.clear()
        self.committed()

    def committed(self) -> None:
        """After a batch's transaction: what it wrote is what the rows hold."""
        self._recorded.update(self._recording)
        self._recording.clear()
        self.corrected.clear()
        self.previous.clear()
        self.written.clear()
        self.named.clear()

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        """The names' tokens, replaced; the counts of the admitted by group, moved by the
        batch's ceremonies and corrections; the people's sealed groups. Run again as it is
        when a partition writes its batch again (nothing here changes memory but
        `_recording`, which becomes `_recorded` on commit)."""
        self._index_names(conn)
        ceremonies = {k for k, stage, _ in batch.stage_moves if stage is Stage.admitted}
        counts: Counter[tuple[UUID, int, str]] = Counter()
        for case_id in ceremonies:
            case = batch.touched[case_id]
            _count(counts, case.cell_id, case.ceremony_on.year, self._flags[case.person_id], 1)
        cases = self._cases_of(conn, list(self.corrected))
        before = self._groups_before(conn)
        for case_id, person_id, cell_id, ceremony_on in cases:
            if ceremony_on is None or case_id in ceremonies:
                continue  # not admitted, or counted above with the groups of today
            old, new = before[person_id], self.corrected[person_id]
            if old != new:  # counted before this batch, as they were then
                _count(counts, cell_id, ceremony_on.year, old, -1)
                _count(counts, cell_id, ceremony_on.year, new, 1)
        self._add_counts(conn, counts)
        self._seal_groups(conn, {row[1] for row in cases} | self.written)

    def _cases_of(self, conn: sa.Connection, people: list[UUID]) -> list[Any]:
        """This projector's cases of these people: id, person, cell, ceremony day."""
        c = self.scope.t.cases.c
        found: list[Any] = []
        for first in range(0, len(people), 500):
            found += conn.execute(
                sa.select(c.id, c.person_id, c.cell_id, c.ceremony_on).where(
                    c.person_id.in_(people[first : first + 500]), *self.scope.owned(c.id, conn)
                )
            ).all()
        return found

    def _groups_before(self, conn: sa.Connection) -> dict[UUID, int]:
        """The groups of the people corrected in the batch as the counts hold them: as this
        run knew them before the correction, else their sealed row (which a person with a
        case row has: the row of their case was written with it)."""
        before = {p: g for p, g in self.previous.items() if g is not None}
        unknown = [p for p, g in self.previous.items() if g is None]
        t = self.scope.t.person_groups
        for first in range(0, len(unknown), 500):
            for person_id, sealed in conn.execute(
                sa.select(t.c.person_id, t.c.sealed).where(
                    t.c.person_id.in_(unknown[first : first + 500])
                )
            ):
                before[person_id] = self.seal.open(person_id, sealed)
        return before

    def _add_counts(self, conn: sa.Connection, counts: Counter[tuple[UUID, int, str]]) -> None:
        """Added to the rows, in key order (partitions of a rebuild add to the same rows:
        no deadlock); a group nobody is in any more has no row (as a rebuild leaves it)."""
        changes = [(key, n) for key, n in sorted(counts.items(), key=str) if n]
        if not changes:
            return
        t = self.scope.t.admitted_groups
        statement = dialect(conn).insert(t)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["cell_id", "year", "breakdown"],
                set_={"admitted": t.c.admitted + statement.excluded.admitted},
            ),
            [
                {"cell_id": cell, "year": year, "breakdown": group, "admitted": n}
                for (cell, year, group), n in changes
            ],
        )
        if any(n < 0 for _, n in changes):
            conn.execute(sa.delete(t).where(t.c.admitted <= 0))

    def _seal_groups(self, conn: sa.Connection, people: set[UUID]) -> None:
        """The sealed groups of the people whose case rows the batch wrote or whose data it
        corrected (their row is there), where the row does not hold them already; in key
        order, like the counts."""
        rows = []
        for person_id in sorted(people, key=str):
            flags = self._flags[person_id]
            if self._recorded.get(person_id) != flags:
                rows.append({"person_id": person_id, "sealed": self.seal.seal(person_id, flags)})
                self._recording[person_id] = flags
        self.scope.upsert(conn, self.scope.t.person_groups, rows)

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


def _count(
    counts: Counter[tuple[UUID, int, str]], cell_id: UUID, year: int, flags: int, sign: int
) -> None:
    for i, group in enumerate(BREAKDOWNS):
        if flags >> i & 1:
            counts[cell_id, year, group] += sign
