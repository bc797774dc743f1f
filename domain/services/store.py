"""The store every service works on: loading, creating once, committing together, stamping.

Every command takes a `Context` (who acts, and a command key). A command key already applied to
the aggregate makes the command a no-op, so a retried activity never records twice. A refused
command raises `DomainError` before anything is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment, EnvType

from domain import policy
from domain.errors import ConcurrencyConflict, NotFound, RuleViolation
from domain.record import Recorded
from domain.values import (
    Actor,
    Stamp,
)

NAMESPACE = uuid5(NAMESPACE_URL, "https://dangvien.vn/ids")
A = TypeVar("A", bound=Recorded)


@dataclass(frozen=True)
class Context:
    """Who issues a command, and its idempotency key."""

    actor: Actor
    command_key: str

    def derived(self, suffix: str) -> Context:
        """A key for a secondary aggregate changed by the same command."""
        return Context(self.actor, f"{self.command_key}/{suffix}")


@dataclass(frozen=True)
class OpenDeadline:
    """A running deadline and who answers for it."""

    rule_id: str
    start: date
    due: date
    responsible: UUID
    above: UUID | None
    department: UUID | None


@dataclass(frozen=True)
class HistoryEntry:
    """One event as an auditor reads it."""

    version: int
    name: str
    recorded_at: str
    effective_on: date
    actor: Actor
    rule_set: str
    command_key: str
    facts: dict[str, Any]


class Store(Application):
    """Storage and the idempotent write patterns shared by every service."""

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only what the composition root passes: eventsourcing would also read os.environ
        (where `DANGVIEN_<KEY>` beats `<KEY>`), and infra/settings.py is the only reader of the
        environment (DESIGN.md §4)."""
        return Environment(name, {**type(self).env, **(env or {})})

    @staticmethod
    def stamp(ctx: Context, effective_on: date) -> Stamp:
        """The stamp of an act: its rule set is the one in force on the day it happened."""
        return Stamp(ctx.actor, ctx.command_key, policy.version_at(effective_on), effective_on)

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        try:
            agg: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(cls.__name__, aggregate_id) from None
        if not isinstance(agg, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return agg

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def commit(self, *aggregates: Aggregate | None) -> None:
        """Save together; a concurrent writer's change first is a retryable conflict."""
        try:
            self.save(*aggregates)
        except IntegrityError as error:
            raise ConcurrencyConflict(str(error)) from error

    def _run(self, cls: type[A], aggregate_id: UUID, ctx: Context, act: Callable[[A], Any]) -> A:
        agg = self.load(cls, aggregate_id)
        if not agg.has_applied(ctx.command_key):
            act(agg)
            self.commit(agg)
        return agg

    def _already_created(self, aggregate_id: UUID, ctx: Context) -> bool:
        """True when this very command created the aggregate (a repeat is a no-op); an id
        taken by another command is refused."""
        if not self.exists(aggregate_id):
            return False
        existing: Any = self.repository.get(aggregate_id)
        if isinstance(existing, Recorded) and existing.has_applied(ctx.command_key):
            return True
        raise RuleViolation(
            "CASE-UNIQUE",
            "Mã này đã được dùng cho một bản ghi khác",
            "This id is already used by another record",
            id=str(aggregate_id),
        )

    def _create(self, aggregate_id: UUID, ctx: Context, build: Callable[[], Recorded]) -> UUID:
        """Create once: the same command again is a no-op; another command on the id fails."""
        if not self._already_created(aggregate_id, ctx):
            self.commit(build())
        return aggregate_id
