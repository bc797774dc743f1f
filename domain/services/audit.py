"""Audit: every event of a record, a person's timeline, a record as it was known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.errors import NotFound
from domain.person import Person
from domain.services.store import A, HistoryEntry, Store
from domain.values import (
    Stamp,
)


class Audit(Store):
    """Audit: every event of a record, a person's timeline, a record as it was known."""

    # --- audit ----------------------------------------------------------------------------

    def history(self, aggregate_id: UUID) -> list[HistoryEntry]:
        """Every event of an aggregate in order, with who acted, under which rules, and when
        it was recorded and took effect."""
        entries = []
        owner = ""  # events declared on the base class are named by the aggregate's class
        for e in self.events.get(aggregate_id):
            owner = owner or getattr(e, "originator_topic", ":").split(":")[1]
            stamp: Stamp = e.stamp  # type: ignore[attr-defined]
            facts = {
                k: v
                for k, v in vars(e).items()
                if k
                not in (
                    "originator_id",
                    "originator_version",
                    "timestamp",
                    "stamp",
                    "originator_topic",
                )
            }
            entries.append(
                HistoryEntry(
                    version=e.originator_version,
                    name=type(e).__qualname__.replace("Recorded.", f"{owner}."),
                    recorded_at=e.timestamp.isoformat(),  # type: ignore[attr-defined]
                    effective_on=stamp.effective_on,
                    actor=stamp.actor,
                    rule_set=stamp.rule_set,
                    command_key=stamp.command_key,
                    facts=facts,
                )
            )
        return entries

    def timeline(
        self, person_id: UUID, shown: Callable[[str, UUID], bool] = lambda kind, ident: True
    ) -> list[tuple[str, HistoryEntry]]:
        """A person's history, as candidate and as member: their own record, each of their
        cases, their memberships and the transfers of those, in recorded order — of the
        records `shown` lets the reader see (a user sees what happened inside their subtree)."""
        entries = [
            (kind, entry)
            for kind, ident in self.records_of(person_id)
            if shown(kind, ident)
            for entry in self.history(ident)
        ]
        return sorted(entries, key=lambda e: (e[1].recorded_at, e[0], e[1].version))

    def records_of(self, person_id: UUID) -> list[tuple[str, UUID]]:
        """(kind, id) of a person's own record, each of their cases, their memberships and
        the transfers of those: everything the record holds about them."""
        person = self.load(Person, person_id)
        subjects: list[tuple[str, UUID]] = [("person", person_id)]
        subjects += [("case", case_id) for case_id in person.case_ids]
        members = {
            getattr(self.load(AdmissionCase, c), "member_id", None) for c in person.case_ids
        } | {person.member_id}
        for member_id in sorted(m for m in members if m is not None):
            subjects.append(("member", member_id))
            transfers = {
                h.facts["transfer_id"]
                for h in self.history(member_id)
                if h.facts.get("transfer_id") is not None
            }
            subjects += [("transfer", t) for t in sorted(transfers)]
        return subjects

    def as_of(self, cls: type[A], aggregate_id: UUID, moment: datetime) -> A | None:
        """The aggregate as the record knew it at `moment` (None: not yet recorded)."""
        known = [
            h.version
            for h in self.history(aggregate_id)
            if datetime.fromisoformat(h.recorded_at) <= moment
        ]
        return self.as_of_version(cls, aggregate_id, known[-1]) if known else None

    def as_of_effective(self, cls: type[A], aggregate_id: UUID, day: date) -> A | None:
        """The aggregate as things stood on `day`: its events that took effect on or before
        it, applied in recorded order (None: it did not exist yet). An act recorded late counts
        from the day it happened; one dated after `day` does not, however early it was
        recorded."""
        agg: Any = None
        for e in self.events.get(aggregate_id):
            if e.stamp.effective_on > day:  # type: ignore[attr-defined]
                continue
            if agg is None and e.originator_version != 1:
                return None  # its first event is later than `day`: nothing existed yet
            if agg is not None:
                agg.version = e.originator_version - 1  # events between are skipped
            agg = e.mutate(agg)  # type: ignore[attr-defined]
        if agg is not None and not isinstance(agg, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return agg

    def as_of_version(self, cls: type[A], aggregate_id: UUID, version: int) -> A:
        """The aggregate as it stood after its `version`-th event."""
        agg: Any = self.repository.get(aggregate_id, version=version)
        if not isinstance(agg, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return agg
