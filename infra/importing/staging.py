"""The staged record: the application's own commands run on a copy of the record, and the
events they make are written all at once, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError

from domain.application import Dangvien
from domain.errors import ConcurrencyConflict

A = TypeVar("A", bound=Aggregate)


class _Overlay(Repository[UUID]):
    """The record's aggregates as changed by the commands staged so far. Each is read from
    the store once per import (a concurrent writer is caught when the events are saved), and
    every `get` hands out a copy, so a command that fails half-way leaves nothing behind."""

    def __init__(self, events: EventStore[UUID]) -> None:
        super().__init__(event_store=events)
        self.staged: dict[UUID, Aggregate] = {}
        self.read: dict[UUID, Aggregate | None] = {}  # None: not in the record

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        if kwargs.get("version") is not None:
            return super().get(aggregate_id, **kwargs)
        found = self.staged.get(aggregate_id) or self._read(aggregate_id)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return deepcopy(found)

    def _read(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self.read:
            try:
                self.read[aggregate_id] = super().get(aggregate_id)
            except AggregateNotFoundError:
                self.read[aggregate_id] = None
        return self.read[aggregate_id]

    def __contains__(self, item: UUID) -> bool:
        return item in self.staged or self._read(item) is not None


class Staging(Dangvien):
    """The real commands on the real record, but `commit` keeps the new events in memory
    until `save` writes all of them in one transaction. A row is all or nothing too: `row()`
    forgets whatever a refused row had staged."""

    def __init__(self, record: Dangvien) -> None:
        self.record = record
        id_key = record.env.get("DANGVIEN_ID_KEY") or record.env.get("CIPHER_KEY") or ""
        super().__init__(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": id_key}
        )
        self.pending: list[Any] = []
        self._undo: dict[UUID, Aggregate | None] = {}

    def construct_repository(self) -> Repository[UUID]:
        return _Overlay(self.record.events)

    def peek(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """For reading only: the aggregate itself, not a copy (None when absent)."""
        overlay: _Overlay = self.repository  # type: ignore[assignment]
        found = overlay.staged.get(aggregate_id) or overlay._read(aggregate_id)
        return found if isinstance(found, cls) else None

    @property
    def _staged(self) -> dict[UUID, Aggregate]:
        return self.repository.staged  # type: ignore[attr-defined]

    def commit(self, *aggregates: Aggregate | None) -> None:
        for agg in aggregates:
            if agg is None:
                continue
            events = agg.collect_events()
            if events:
                self._undo.setdefault(agg.id, self._staged.get(agg.id))
                self._staged[agg.id] = agg
                self.pending.extend(events)

    @contextmanager
    def row(self) -> Iterator[None]:
        self._undo, mark = {}, len(self.pending)
        try:
            yield
        except BaseException:
            for agg_id, before in self._undo.items():
                if before is None:
                    self._staged.pop(agg_id, None)
                else:
                    self._staged[agg_id] = before
            del self.pending[mark:]
            raise

    def save_staged(self) -> int:
        """Write every staged event in one transaction (in the order they were made)."""
        if self.pending:
            try:
                self.record.save(*self.pending)
            except IntegrityError as error:  # another writer changed a staged aggregate
                raise ConcurrencyConflict(str(error)) from error
        return len(self.pending)
