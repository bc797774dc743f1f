"""The store every service works on: loading, creating once, committing together, stamping.

Every command takes a `Context` (who acts, and a command key). A command key already applied to
the aggregate makes the command a no-op, so a retried activity never records twice. A refused
command raises `DomainError` before anything is saved."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
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
T = TypeVar("T")
# Set while a command is rehearsed (`Store.rehearse`): every unit of work then only checks.
_REHEARSING: ContextVar[bool] = ContextVar("rehearsing", default=False)


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
        environment (docs/architecture.md)."""
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

    def rehearse(self, command: Callable[[], T]) -> T:
        """Run a command with every check it makes and write nothing: what it would refuse
        is raised, with its rule id (a form shows it before asking to confirm)."""
        token = _REHEARSING.set(True)
        try:
            return command()
        finally:
            _REHEARSING.reset(token)

    def unit(self, ctx: Context, *, dry_run: bool = False) -> Unit:
        """The unit of work of one command (see `Unit`)."""
        return Unit(self, ctx, dry_run=dry_run)

    def already_created(self, aggregate_id: UUID, ctx: Context) -> bool:
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

    def _run(self, cls: type[A], aggregate_id: UUID, ctx: Context, act: Callable[[A], Any]) -> A:
        """A command on one aggregate: `act` once per command key."""
        with self.unit(ctx) as unit:
            act(unit.once(cls, aggregate_id))
        return unit.get(cls, aggregate_id)

    def _create(self, aggregate_id: UUID, ctx: Context, build: Callable[[], Recorded]) -> UUID:
        """Create once: the same command again is a no-op; another command on the id fails."""
        with self.unit(ctx) as unit:
            unit.create(aggregate_id, build)
        return aggregate_id


class AlreadyApplied(Exception):
    """The command was applied before (a retried activity, a resent request): its unit ends
    at once, with nothing to write."""


class Unit:
    """One command's unit of work: the aggregates it loads, changes and creates, saved together
    through `Store.commit` when the command ends without error (which an import stages, and
    the benchmark's simulation keeps in memory), or not at all: a refusal raises before
    anything is saved, and a dry run only checks.

    `once` loads the aggregate the command is about; when that aggregate has applied the
    command's key already, the unit ends there (the `with` block is left, nothing is written).
    Each aggregate is loaded once per unit, so every check of the command reads one state."""

    def __init__(self, store: Store, ctx: Context, *, dry_run: bool = False) -> None:
        self.store = store
        self.ctx = ctx
        self.dry_run = dry_run or _REHEARSING.get()
        self.repeat = False  # the command had been applied: nothing was done
        self.touched: dict[UUID, Aggregate] = {}

    def __enter__(self) -> Unit:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> bool:
        if isinstance(error, AlreadyApplied):
            self.repeat = True
            return True
        if error is None and not self.dry_run:
            changed = [a for a in self.touched.values() if a.pending_events]
            if changed:
                self.store.commit(*changed)
        return False

    def load(self, cls: type[A], aggregate_id: UUID) -> A:
        found = self.touched.get(aggregate_id)
        if found is None:
            found = self.touched[aggregate_id] = self.store.load(cls, aggregate_id)
        if not isinstance(found, cls):
            raise NotFound(cls.__name__, aggregate_id)
        return found

    get = load  # after the unit: the aggregate as the command left it

    def once(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate the command is about; ends the unit if it applied the command."""
        agg = self.load(cls, aggregate_id)
        if agg.has_applied(self.ctx.command_key):
            raise AlreadyApplied
        return agg

    def once_new(self, aggregate_id: UUID) -> None:
        """The command creates this aggregate: ends the unit if it did already (a repeat);
        refuses an id another command took (CASE-UNIQUE)."""
        if self.store.already_created(aggregate_id, self.ctx):
            raise AlreadyApplied

    def create(self, aggregate_id: UUID, build: Callable[[], Recorded]) -> None:
        """Create the aggregate once."""
        self.once_new(aggregate_id)
        self.add(build())

    def add(self, aggregate: Aggregate) -> None:
        self.touched[aggregate.id] = aggregate

    def stamp(self, on: date, part: str = "") -> Stamp:
        """The stamp of the command's act on `on`; `part` keys a secondary aggregate's event."""
        ctx = self.ctx.derived(part) if part else self.ctx
        return Store.stamp(ctx, on)
