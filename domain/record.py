"""The base of every aggregate: each event carries its `Stamp`; a repeated command is a no-op."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate


class Recorded(Aggregate):
    """An aggregate whose events say who acted, under which rules, and when it took effect."""

    class Event(Aggregate.Event):
        stamp: Any  # domain.values.Stamp (eventsourcing builds the event dataclasses)

        def apply(self, aggregate: Any) -> None:
            aggregate.__dict__.setdefault("applied_keys", set()).add(self.stamp.command_key)

    class Created(Event, Aggregate.Created):
        pass

    def has_applied(self, command_key: str) -> bool:
        """Command keys make every command idempotent (DESIGN.md §3.5)."""
        return command_key in self.__dict__.get("applied_keys", ())
