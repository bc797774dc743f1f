"""The simulation's frame: its dates, the recording clock of the events, and the application
service on an in-memory repository (the real commands; the events saved in batches)."""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.application import Dangvien
from domain.calendar import vietnam_calendar

SETUP = date(2016, 7, 25)  # the first rule set: the system starts
CASES_FROM = date(2016, 8, 15)
END = date(2026, 10, 31)  # the horizon: what is still open then stays open
REORG = date(2025, 7, 1)
CAL = vietnam_calendar()
Job = Generator[date, None, None]


# --- the simulated recording clock ----------------------------------------------------------


class Clock:
    """Event timestamps: the simulated day the act was recorded (09:00 in Hà Nội), one
    microsecond apart, so sorting by timestamp is the order the acts happened in."""

    def __init__(self) -> None:
        self.t = datetime(2016, 1, 1, tzinfo=UTC)
        self.created = 0

    def day(self, on: date) -> None:
        base = datetime.combine(on, dtime(2, 0), tzinfo=UTC)
        if base > self.t:
            self.t = base

    def now(self) -> datetime:
        self.t += timedelta(microseconds=1)
        self.created += 1
        return self.t


# --- the application service on an in-memory repository -------------------------------------


class Memory:
    """A repository that is a dict: `load`, `exists` and `repository.get` read it."""

    cache = None

    def __init__(self) -> None:
        self.aggs: dict[UUID, Any] = {}

    def get(self, aggregate_id: UUID, version: int | None = None, **_: Any) -> Any:
        try:
            return self.aggs[aggregate_id]
        except KeyError:
            raise AggregateNotFoundError(aggregate_id) from None

    def __contains__(self, aggregate_id: object) -> bool:
        return aggregate_id in self.aggs


class Simulated(Dangvien):
    """The real commands; `commit` keeps the changed aggregates for the next batch."""

    def construct_repository(self) -> Any:
        return Memory()

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env)
        self.dirty: dict[UUID, Any] = {}

    def commit(self, *aggregates: Any) -> None:
        aggs = self.repository.aggs  # type: ignore[attr-defined]
        for agg in aggregates:
            if agg is not None:
                aggs[agg.id] = agg
                self.dirty[agg.id] = agg
