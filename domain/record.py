"""The base of every aggregate: each event carries its `Stamp`; a repeated command is a no-op."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Recorded(Aggregate):
    """An aggregate whose events say who acted, under which rules, and when it took effect."""

    class Event(Aggregate.Event):
        stamp: Any  # domain.values.Stamp (eventsourcing builds the event dataclasses)

        def apply(self, aggregate: Any) -> None:
            aggregate.__dict__.setdefault("applied_keys", set()).add(self.stamp.command_key)

    class Created(Event, Aggregate.Created):
        pass

    def has_applied(self, command_key: str) -> bool:
        """Command keys make every command idempotent (docs/domain.md)."""
        return command_key in self.__dict__.get("applied_keys", ())

    @property
    def escalations(self) -> list[tuple[str, int, UUID, date]]:
        """(rule id, level, organization told, due date) of every escalation, in order."""
        return list(self.__dict__.get("_escalations", ()))

    def escalation_level(self, deadline: tuple[str, date, date] | None) -> int:
        """The level of the step now running: the rungs fired for its deadline (rule, start,
        due), and a PRB-DEADLOCK until the upper committee decides; -1 when none."""
        current = (deadline[0], deadline[2]) if deadline else None
        return max(
            (
                level
                for rule_id, level, _target, due in self.escalations
                if (rule_id, due) == current or rule_id == "PRB-DEADLOCK"
            ),
            default=-1,
        )

    def has_escalated(self, rule_id: str, level: int, due: date) -> bool:
        return any(e[0] == rule_id and e[1] == level and e[3] == due for e in self.escalations)

    def escalate(
        self,
        rule_id: str,
        level: int,
        target_org_id: UUID,
        due: date,
        overdue_wd: int,
        stamp: Any,
    ) -> None:
        """A stalled step told to `target_org_id` (who, when, why, how late): one event per
        rung of the ladder and due date, however often the process retries."""
        if not self.has_escalated(rule_id, level, due):
            self._escalated(
                rule_id=rule_id,
                level=level,
                target_org_id=target_org_id,
                due=due,
                overdue_wd=overdue_wd,
                stamp=stamp,
            )

    @event("Escalated")
    def _escalated(
        self,
        rule_id: str,
        level: int,
        target_org_id: UUID,
        due: date,
        overdue_wd: int,
        stamp: Any,
    ) -> None:
        self.__dict__.setdefault("_escalations", []).append((rule_id, level, target_org_id, due))
